/**
 * The read side of the simulated lab, for the commands that talk to it (`status`, `drill`, `canary`): when the kube
 * context in use is `gitops-lab-sim`, they take the API server (through its kubeconfig), the Git repository, the
 * Prometheus and the CLOCK from the running daemon's state file (src/lab/simulate/state.ts), so their waits,
 * windows and timestamps run in the same simulated time as the daemon.
 *
 * The context in use is the one `--context` (or `context:` in gitops-lab.yaml) names; without one, the kubeconfig's
 * current-context when it is `gitops-lab-sim` (`up --simulate` makes it current, as kind does on create);
 * otherwise the kind cluster's context as before (`labContext`).
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { PreconditionError } from '../../errors.js';
import type { Clock } from '../clock.js';
import { type LabConfig, labContext, loadConfig } from '../config.js';
import { readSimState, SIM_CONTEXT, type SimState, simAlive, simClock, simStateFile } from './state.js';

/** What a command needs to run against the simulated lab. */
export interface SimTarget {
  state: SimState;
  /** The config with the sim's context and kubeconfig, so `labContext(config)` and `config.kubeconfig` reach it. */
  config: LabConfig;
  speed: number;
  /** The daemon's clock: its speed, from its anchor. */
  clock: Clock;
  /** The bare repository the simulated Argo CD reads (a file:// URL; no token). */
  repo: string;
  prometheusUrl: string;
}

const startHint = 'Start it with `gitops-lab up --simulate`, or pass --context for another lab.';

/** The kubeconfig files kubectl reads: the given one, else $KUBECONFIG's list, else ~/.kube/config. */
export function kubeconfigFiles(kubeconfig?: string, env: NodeJS.ProcessEnv = process.env): string[] {
  if (kubeconfig) return [kubeconfig];
  if (env.KUBECONFIG) return env.KUBECONFIG.split(delimiter).filter(Boolean);
  return [join(homedir(), '.kube', 'config')];
}

/**
 * The kubeconfig's current-context, or undefined. With several files the first one that sets it wins, as kubectl
 * merges them (Kubernetes docs, "Organize Cluster Access Using kubeconfig Files", merging rules; client-go
 * tools/clientcmd/loader.go). Read with `yaml` rather than the Kubernetes client, which `drill --dry-run` and
 * `canary` would otherwise load only for this; a missing or unreadable file sets nothing.
 */
export async function currentContext(
  kubeconfig?: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  const { parse } = await import('yaml');
  for (const file of kubeconfigFiles(kubeconfig, env)) {
    let current: unknown;
    try {
      current = (parse(await readFile(file, 'utf8')) as Record<string, unknown> | null)?.['current-context'];
    } catch {
      continue;
    }
    if (typeof current === 'string' && current !== '') return current;
  }
  return undefined;
}

/** The kube context the command uses: --context / gitops-lab.yaml's, else the sim's when it is current, else kind's. */
export async function contextInUse(config: LabConfig): Promise<string> {
  if (config.context) return config.context;
  return (await currentContext(config.kubeconfig)) === SIM_CONTEXT ? SIM_CONTEXT : labContext(config);
}

/** The lab a command talks to: its config, and the simulated lab when that is the one. */
export interface LabTarget {
  /** gitops-lab.yaml's config (with --context), or the simulated lab's when its context is in use. */
  config: LabConfig;
  sim?: SimTarget;
}

/** Loads the config for `context` (--context) and switches it to the simulated lab's when that is in use. */
export async function resolveLab(context?: string): Promise<LabTarget> {
  const loaded = await loadConfig({ context });
  const sim = await resolveSimLab(loaded);
  return sim ? { config: sim.config, sim } : { config: loaded };
}

/**
 * The simulated lab the command talks to, or undefined when its context is not `gitops-lab-sim`. A sim context
 * with no state, or with a daemon that is gone, is a PreconditionError saying how to start it.
 */
export async function resolveSimLab(config: LabConfig): Promise<SimTarget | undefined> {
  if ((await contextInUse(config)) !== SIM_CONTEXT) return undefined;
  const state = await readSimState(config.stateDir);
  if (!state) {
    throw new PreconditionError(
      `the kube context is ${SIM_CONTEXT}, but no simulated lab is running (no ${simStateFile(config.stateDir)}).`,
      { hint: startHint },
    );
  }
  if (!simAlive(state)) {
    throw new PreconditionError(`the simulated lab is not running (pid ${state.pid}).`, {
      hint: 'Start it with `gitops-lab up --simulate` (it clears the stale state).',
    });
  }
  return {
    state,
    config: { ...config, context: SIM_CONTEXT, kubeconfig: state.kubeconfig },
    speed: state.speed,
    clock: simClock(state),
    repo: state.repo.url,
    prometheusUrl: state.prometheus.url,
  };
}

/**
 * How a command rewrites the PromQL it sends to the simulated lab's Prometheus: when that is the lab's real
 * Prometheus (on wall time) and `--prometheus` did not name another, its range windows are divided by the lab's
 * speed as the lab's own analysis queries are (scaleLiveQuery, src/lab/sim/live/index.ts); otherwise unchanged
 * (undefined). `status` and `drill` use it for their quality figures and Prometheus probes.
 */
export async function simQueryRewrite(
  sim: SimTarget | undefined,
  prometheusFlag?: string,
): Promise<((promql: string) => string) | undefined> {
  if (!sim?.state.prometheus.real || prometheusFlag) return undefined;
  const { scaleLiveQuery } = await import('../sim/live/index.js');
  return (promql) => scaleLiveQuery(promql, sim.speed);
}
