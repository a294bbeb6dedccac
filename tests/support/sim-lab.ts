/**
 * A simulated lab as `gitops-lab up --simulate` leaves one, for CLI tests: `startSimLab` in this process on a scaled
 * clock anchored now, its lab repository a real bare Git repository seeded with the package's manifests, the API
 * server's kubeconfig written with context `gitops-lab-sim` as the current context, and the sim's state file
 * written into a fresh state folder (its pid is this process, which is alive while the test runs). The CLI run with
 * `env` (KUBECONFIG, GITOPS_LAB_STATE_DIR) finds it the way it finds the daemon's.
 */
import { execFileSync, spawn } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { scaledClock, systemClock } from '../../src/lab/clock.js';
import { ClonedLabRepo } from '../../src/lab/drills/lab-repo.js';
import { kubeconfigYaml } from '../../src/lab/sim/kubeconfig.js';
import { type SimLab, startSimLab } from '../../src/lab/sim/lab.js';
import { BareRepoSource } from '../../src/lab/sim/repo.js';
import { SIM_CONTEXT, type SimState, writeSimState } from '../../src/lab/simulate/state.js';
import { packagePath } from '../../src/paths.js';
import { startPrometheusStub } from './prometheus-stub.js';

/** A bare repository `<root>/lab.git` on branch main holding one commit of the package's manifests/. */
export async function seedBareRepo(root: string): Promise<string> {
  const bare = join(root, 'lab.git');
  const seed = join(root, 'seed');
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', bare]);
  await cp(packagePath('manifests'), seed, { recursive: true });
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=seed', '-c', 'user.email=seed@example.invalid', ...args], {
      cwd: seed,
      stdio: 'ignore',
    });
  git('init', '-q', '-b', 'main');
  git('add', '.');
  git('commit', '-q', '-m', 'lab manifests');
  git('push', '-q', bare, 'main');
  await rm(seed, { recursive: true, force: true });
  return bare;
}

export interface TestSimLab {
  lab: SimLab;
  state: SimState;
  stateDir: string;
  kubeconfig: string;
  bare: string;
  /** Queries the stand-in Prometheus (the state's `prometheus.url`) received. */
  prometheusQueries: string[];
  /** Environment for `runCli`: the kubeconfig (current context gitops-lab-sim) and the state folder. */
  env: NodeJS.ProcessEnv;
  close(): Promise<void>;
}

export interface TestSimLabOptions {
  speed: number;
  /** What the stand-in Prometheus answers (tests/support/prometheus-stub.ts); default: empty vectors. */
  prometheus?: Record<string, string>;
  /** The daemon's pid written into the state (default: this process, alive). */
  pid?: number;
  /**
   * Whether the state file says the stand-in Prometheus is the lab's real one (on wall time, so the CLI scales its
   * query windows by the speed); default false (the sim's model behind its HTTP facade).
   */
  prometheusReal?: boolean;
  /** Seconds the lab settles before it is handed over (simulated; default startSimLab's 60 s). */
  warmUpMs?: number;
  /** The docqa Services' addresses the state file names (the live lab's; default none). */
  services?: SimState['services'];
}

export async function startTestSimLab(options: TestSimLabOptions): Promise<TestSimLab> {
  const root = await mkdtemp(join(tmpdir(), 'gitops-lab-sim-cli-'));
  const stateDir = join(root, 'state');
  const bare = await seedBareRepo(root);
  const wall = Date.now();
  const anchor = { wall, sim: wall };
  const clock = scaledClock(options.speed, systemClock, anchor);
  const prometheus = await startPrometheusStub(options.prometheus);
  const lab = await startSimLab({
    clock,
    repo: new ClonedLabRepo(bare),
    source: new BareRepoSource(bare),
    warmUpMs: options.warmUpMs,
  });
  const kubeconfig = join(root, 'kubeconfig');
  await writeFile(kubeconfig, kubeconfigYaml({ server: lab.cluster.url, context: SIM_CONTEXT }));
  const state: SimState = {
    version: 1,
    pid: options.pid ?? process.pid,
    context: SIM_CONTEXT,
    speed: options.speed,
    clock: { wallOrigin: anchor.wall, simOrigin: anchor.sim },
    apiServer: lab.cluster.url,
    token: 'fake-token',
    kubeconfig,
    repo: { path: bare, url: pathToFileURL(bare).href, branch: 'main' },
    prometheus: {
      url: prometheus.url,
      real: options.prometheusReal ?? false,
      note: 'a stand-in for Prometheus (test)',
    },
    ...(options.services ? { services: options.services } : {}),
    log: join(root, 'daemon.log'),
    startedAt: new Date(wall).toISOString(),
  };
  await writeSimState(stateDir, state);
  return {
    lab,
    state,
    stateDir,
    kubeconfig,
    bare,
    prometheusQueries: prometheus.queries,
    env: { KUBECONFIG: kubeconfig, GITOPS_LAB_STATE_DIR: stateDir },
    async close() {
      await lab.close();
      await prometheus.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** The pid of a process that has exited (a daemon that is gone). */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid as number;
}

/**
 * The simulated lab as the CLI finds it, without a lab behind it: in `dir`, a kubeconfig whose current context is
 * gitops-lab-sim (its server unreachable) and a state folder; with `state`, a state file too (the fields not given
 * filled in; its pid this process unless given). For the CLI's answers that need no API server.
 */
export async function simContextIn(
  dir: string,
  state?: Partial<SimState>,
): Promise<{ kubeconfig: string; stateDir: string; env: NodeJS.ProcessEnv }> {
  const kubeconfig = join(dir, 'kubeconfig');
  const server = 'http://127.0.0.1:9';
  await writeFile(kubeconfig, kubeconfigYaml({ server, context: SIM_CONTEXT }));
  const stateDir = join(dir, 'state');
  if (state) {
    const bare = join(dir, 'lab.git');
    await writeSimState(stateDir, {
      version: 1,
      pid: process.pid,
      context: SIM_CONTEXT,
      speed: 20,
      clock: { wallOrigin: Date.now(), simOrigin: Date.now() },
      apiServer: server,
      token: 'fake-token',
      kubeconfig,
      repo: { path: bare, url: pathToFileURL(bare).href, branch: 'main' },
      prometheus: { url: server, real: false, note: '' },
      log: join(dir, 'daemon.log'),
      startedAt: new Date().toISOString(),
      ...state,
    });
  }
  return { kubeconfig, stateDir, env: { KUBECONFIG: kubeconfig, GITOPS_LAB_STATE_DIR: stateDir } };
}
