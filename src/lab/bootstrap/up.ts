/**
 * `gitops-lab up` as a domain operation: preflight (exit 3 before touching anything), then the steps, then what
 * to open. The CLI handler renders the events; nothing here prints.
 */
import { PreconditionError } from '../../errors.js';
import { type Clock, systemClock } from '../clock.js';
import { gitPushUrl, type LabConfig, labContext } from '../config.js';
import { type Finding, kindClusters, runChecks } from '../doctor/checks.js';
import { createKubeClient, type KubeClient } from '../kube/client.js';
import { Kinds, type Secret } from '../kube/types.js';
import { createRunner, type Runner } from '../tools/runner.js';
import { type Diagnosis, diagnose } from './diagnose.js';
import { runSteps } from './engine.js';
import { loadState, recordInstalled } from './state.js';
import { kindClusterName, upSteps } from './steps.js';
import type { StepContext, StepEvent } from './types.js';

export interface UpOptions {
  config: LabConfig;
  dryRun?: boolean;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  runner?: Runner;
  onEvent?: (event: UpEvent) => void;
  /** Waits, time limits and durations run on it (default: the wall clock; the simulation passes its own). */
  clock?: Clock;
  /** The API client for the lab's context (default: one from the kubeconfig; the simulation passes its own). */
  kube?: () => KubeClient;
}

export type UpEvent =
  | StepEvent
  | { type: 'preflight'; findings: Finding[]; ok: boolean }
  | { type: 'plan'; steps: Array<{ id: string; title: string }> };

export interface AccessInfo {
  argocd: { url: string; username: string; password?: string };
  grafana: { url: string; username: string; password?: string };
  prometheus: { url: string };
  git: { url: string };
  /** For clusters without port mappings: commands that make the URLs work. */
  portForwards: string[];
}

export interface UpResult {
  ok: boolean;
  dryRun: boolean;
  interrupted: boolean;
  context: string;
  findings: Finding[];
  failedStep?: string;
  error?: unknown;
  diagnosis?: Diagnosis;
  access?: AccessInfo;
  durationMs: number;
}

/** Missing pieces as one sentence list, for the exit-3 error. */
export function preflightError(findings: Finding[]): PreconditionError {
  const failed = findings.filter((f) => f.required && !f.ok);
  const lines = failed.map((f) => `  - ${f.detail}${f.fix ? `\n    fix: ${f.fix}` : ''}`).join('\n');
  return new PreconditionError(
    `Preflight failed: ${failed.length} thing${failed.length === 1 ? '' : 's'} missing before the lab can start:\n${lines}`,
    {
      hint: `Install or start what is listed, then run \`gitops-lab up\` again (\`gitops-lab doctor\` re-checks).${
        failed.some((f) => f.id.startsWith('docker'))
          ? ' Without Docker, try the lab simulated on this machine: `gitops-lab up --simulate` (docs/simulate.md); these work too: serve, eval, lint, canary compare --canary-file, up --dry-run, drill NAME --dry-run.'
          : ''
      }`,
    },
  );
}

function decode(secret: Secret | undefined, key: string): string | undefined {
  const value = secret?.data?.[key];
  return value ? Buffer.from(value, 'base64').toString('utf8') : undefined;
}

export async function accessInfo(config: LabConfig, kube?: KubeClient): Promise<AccessInfo> {
  const local = !!kindClusterName(config);
  const info: AccessInfo = {
    argocd: { url: `http://127.0.0.1:${config.ports.argocd}`, username: 'admin' },
    grafana: { url: `http://127.0.0.1:${config.ports.grafana}`, username: 'admin' },
    prometheus: { url: `http://127.0.0.1:${config.ports.prometheus}` },
    git: { url: config.git.repo ?? gitPushUrl(config) },
    portForwards: local
      ? []
      : [
          `kubectl -n ${config.namespaces.argocd} port-forward svc/argocd-server ${config.ports.argocd}:80`,
          `kubectl -n ${config.namespaces.observability} port-forward svc/kube-prometheus-stack-grafana ${config.ports.grafana}:80`,
          `kubectl -n ${config.namespaces.observability} port-forward svc/kube-prometheus-stack-prometheus ${config.ports.prometheus}:9090`,
        ],
  };
  if (kube) {
    const [argo, grafana] = await Promise.all([
      kube
        .get<Secret>({
          ...Kinds.Secret,
          name: 'argocd-initial-admin-secret',
          namespace: config.namespaces.argocd,
        })
        .catch(() => undefined),
      kube
        .get<Secret>({
          ...Kinds.Secret,
          name: 'kube-prometheus-stack-grafana',
          namespace: config.namespaces.observability,
        })
        .catch(() => undefined),
    ]);
    info.argocd.password = decode(argo, 'password');
    info.grafana.password = decode(grafana, 'admin-password');
  }
  return info;
}

export async function runUp(options: UpOptions): Promise<UpResult> {
  const clock = options.clock ?? systemClock;
  const started = clock.now();
  const { config } = options;
  const env = options.env ?? process.env;
  const dryRun = options.dryRun ?? false;
  const emit = options.onEvent ?? (() => {});
  // Commands and API writes of the current step, in the order they happen (for the plan and the done events).
  const actions: string[] = [];
  const runner =
    options.runner ??
    createRunner({
      mode: dryRun ? 'plan' : 'run',
      onCommand: (c) => {
        if (!c.command.readOnly) actions.push(c.line);
      },
    });
  const signal = options.signal ?? new AbortController().signal;
  const context = labContext(config);

  if (config.context && !kindClusterName(config) && !config.git.repo)
    throw new PreconditionError(
      `--context ${config.context} is not a kind cluster, so the in-cluster Git server's locally built image cannot be loaded into it.`,
      {
        hint: 'Pass --repo URL (your own Git repository, token in GITOPS_LAB_GIT_TOKEN) to use it with an existing cluster.',
      },
    );

  // 1. Preflight: everything, in parallel, before touching anything.
  const needKind = !!kindClusterName(config);
  const clusterExists = needKind && (await kindClusters(runner)).includes(kindClusterName(config) ?? '');
  const findings = await runChecks(runner, config, {
    needKind,
    clusterExists,
    checkPorts: needKind && !config.context,
  });
  if (config.git.repo && !env[config.git.tokenEnv])
    findings.push({
      id: 'repo-token',
      name: config.git.tokenEnv,
      ok: false,
      required: false,
      detail: `${config.git.tokenEnv} is not set: pushing to ${config.git.repo} and private repositories will fail.`,
      fix: `export ${config.git.tokenEnv}=<a token that can push to the repository>`,
    });
  const preflightOk = findings.every((f) => f.ok || !f.required);
  emit({ type: 'preflight', findings, ok: preflightOk });
  if (!preflightOk && !dryRun) throw preflightError(findings);

  // 2. The steps.
  const steps = upSteps(config);
  emit({ type: 'plan', steps: steps.map((s) => ({ id: s.id, title: s.title })) });
  const state = await loadState(config);
  let client: KubeClient | undefined;
  const kube = () => {
    client ??= options.kube?.() ?? createKubeClient({ kubeconfig: config.kubeconfig, context });
    return client;
  };
  const ctx: StepContext = {
    config,
    runner,
    kube,
    state,
    dryRun,
    signal,
    clock,
    env,
    facts: {},
    note: (action) => actions.push(action),
    progress: (lines) =>
      emit({ type: 'step', step: 'apps', title: 'progress', status: 'waiting', progress: lines }),
    async applyObjects(objects, what) {
      if (dryRun) {
        actions.push(
          objects.length
            ? `server-side apply (field manager gitops-lab): ${objects.map((o) => `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`).join(', ')}`
            : `server-side apply (field manager gitops-lab): ${what ?? 'the objects rendered above'}`,
        );
        return;
      }
      for (const obj of objects) {
        await kube().apply(obj);
        recordInstalled(state, [
          {
            apiVersion: obj.apiVersion,
            kind: obj.kind,
            name: obj.metadata.name,
            namespace: obj.metadata.namespace,
          },
        ]);
      }
    },
  };
  const result = await runSteps(steps, ctx, emit, actions);
  const base = { dryRun, context, findings, durationMs: clock.now() - started };
  if (!result.ok) {
    const failedStep = result.failedStep?.id ?? 'unknown';
    const diagnosis = result.interrupted ? undefined : await diagnose(failedStep, result.error, kube);
    return {
      ...base,
      ok: false,
      interrupted: result.interrupted,
      failedStep,
      error: result.error,
      diagnosis,
      durationMs: clock.now() - started,
    };
  }
  const access = await accessInfo(config, dryRun ? undefined : kube());
  return { ...base, ok: true, interrupted: false, access, durationMs: clock.now() - started };
}
