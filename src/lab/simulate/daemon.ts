/**
 * The simulated lab's daemon (`gitops-lab up --simulate` starts it in the background as the hidden command
 * `gitops-lab sim-daemon`): the in-memory API server and the controller models of src/lab/sim on a clock running
 * `speed` times the wall clock, its Git repository a real bare repository on disk, its API server on 127.0.0.1 over
 * HTTPS (a certificate made for this run) with a random bearer token that every request must carry. Ready means:
 * the context is merged into the user's kubeconfig and the state file (state.ts) is written; the CLI waits for it.
 *
 * Warm-up: `startSimLab` lets `warmUpMs` of simulated time pass (pods Ready, controllers settled) before it returns.
 * At --speed 1 that would be a minute of wall time, so the daemon runs the warm-up at WARM_UP_SPEED (or the user's
 * speed when higher) and then switches its clock to `speed`; the state file's clock anchor is the moment of that
 * switch, so from then on every process reads `scaledClock(speed, systemClock, anchor)`. The warm-up happens in the
 * simulated past: the clock starts as far behind the wall clock as the warm-up runs ahead of it, so that at --speed 1
 * simulated time is the wall clock once the lab is up (what kubectl computes from its own clock, `describe`'s ages,
 * reads true). Only the warm-up's simulated minute runs fast: the set-up before it (the API server, the manifests)
 * and the live lab's wall-time waits after it (real processes starting, Prometheus's first probe) run at `speed`;
 * at the warm-up's speed 15 s of waiting were 15 simulated minutes.
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Clock, type ClockAnchor, systemClock } from '../clock.js';
import { ClonedLabRepo } from '../drills/lab-repo.js';
import { type SimLab, startSimLab } from '../sim/lab.js';
import { BareRepoSource } from '../sim/repo.js';
import { ShiftingClock } from './clock.js';
import { addKubeconfigEntry } from './kubeconfig.js';
import { type SeededRepo, seedBareRepo } from './repo.js';
import { SIM_CONTEXT, type SimState, simStateFile, writeSimState } from './state.js';

/** The speed of the warm-up (60 s of simulated time in about a second). */
export const WARM_UP_SPEED = 60;

/** startSimLab's warm-up: one simulated minute. */
const DEFAULT_WARM_UP_MS = 60_000;

/**
 * Where the daemon's clock starts: `warmUpMs` of simulated time at `speed` take warmUpMs / speed of wall time, so a
 * clock started this far behind the wall clock (and running at the user's speed, 1, outside the warm-up) reaches it
 * when the warm-up ends.
 */
export function warmUpStart(wallNow: number, warmUpMs: number, speed: number): number {
  return wallNow - warmUpMs + warmUpMs / speed;
}

/** The highest `--speed`: above it the models' timers (Argo CD's 3 s requeue, the kubelet's probes) bunch up. */
export const MAX_SPEED = 100;

export interface DaemonLabOptions {
  /** The simulated lab's folder (`<stateDir>/gitops-lab-sim`): the bare repository goes there. */
  dir: string;
  speed: number;
  /** Default: the wall clock. */
  base?: Clock;
  /** Simulated time of the warm-up (default: startSimLab's 60 s). */
  warmUpMs?: number;
  /** Progress lines for the daemon's log. */
  log?: (line: string) => void;
  /** The Prometheus binary for the live lab (default: found on this machine); `false`: the simulated Prometheus. */
  prometheusBinary?: string | false;
  /** Told when the doc-QA processes serving the docqa pods change (the daemon rewrites its state file). */
  onEndpoints?: (endpoints: NonNullable<SimState['docqa']>) => void;
}

export interface DaemonLab {
  lab: SimLab;
  /** Where the scaled clock starts: sim time = anchor.sim + (wall - anchor.wall) * speed. */
  anchor: ClockAnchor;
  speed: number;
  apiServer: string;
  token: string;
  /** The API server's certificate (PEM), the kubeconfig's certificate authority. */
  ca: string;
  repo: SeededRepo;
  prometheus: SimState['prometheus'];
  close(): Promise<void>;
}

/** A self-signed certificate for 127.0.0.1 (the API server's), valid for a year. */
async function serverCertificate(): Promise<{ cert: string; key: string }> {
  const { generate } = await import('selfsigned');
  const pems = await generate([{ name: 'commonName', value: SIM_CONTEXT }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 365 * 24 * 3600 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7, ip: '127.0.0.1' },
          { type: 2, value: 'localhost' },
        ],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/**
 * Starts the simulated lab the daemon serves. The ONE place the daemon calls `startSimLab` (the live doc-QA processes
 * and Prometheus are wired here too).
 */
export async function startDaemonLab(options: DaemonLabOptions): Promise<DaemonLab> {
  const log = options.log ?? (() => {});
  await mkdir(options.dir, { recursive: true, mode: 0o700 });
  const repo = await seedBareRepo(join(options.dir, 'lab.git'));
  log(`lab repository ${repo.url} seeded with manifests/ (${repo.commit.slice(0, 7)})`);
  const token = randomBytes(32).toString('base64url');
  const tls = await serverCertificate();
  const base = options.base ?? systemClock;
  const warmUpSpeed = Math.max(options.speed, WARM_UP_SPEED);
  const warmUpMs = options.warmUpMs ?? DEFAULT_WARM_UP_MS;
  const clock = new ShiftingClock(options.speed, base, warmUpStart(base.now(), warmUpMs, warmUpSpeed));
  let anchor: ClockAnchor | undefined;
  const lab = await startSimLab({
    clock,
    warmUpMs,
    beforeWarmUp: () => {
      clock.setSpeed(warmUpSpeed);
    },
    afterWarmUp: () => {
      anchor = clock.setSpeed(options.speed);
    },
    source: new BareRepoSource(repo.path, repo.branch),
    repo: new ClonedLabRepo(repo.url),
    token,
    tls,
    // The docqa pods' endpoints are real doc-QA processes, scraped by a real Prometheus when it is installed.
    live: {
      dir: join(options.dir, 'live'),
      speed: options.speed,
      log,
      ...(options.prometheusBinary !== undefined ? { prometheusBinary: options.prometheusBinary } : {}),
      ...(options.onEndpoints ? { onEndpoints: options.onEndpoints } : {}),
    },
  });
  anchor ??= clock.setSpeed(options.speed);
  log(`API server ${lab.cluster.url}; warmed up; simulated time runs ${options.speed}x from now`);
  return {
    lab,
    anchor,
    speed: options.speed,
    apiServer: lab.cluster.url,
    token,
    ca: tls.cert,
    repo,
    prometheus: lab.live
      ? { url: lab.live.prometheusUrl, real: lab.live.prometheusReal, note: lab.live.prometheusNote }
      : {
          url: lab.env.prometheusUrl ?? 'http://prometheus.sim',
          real: false,
          note: 'analysis metrics are simulated (the Prometheus model inside the simulated lab)',
        },
    async close() {
      await lab.close();
      // Nothing a model left scheduled (a resync minutes ahead at 1x) may keep the process alive.
      clock.stop();
    },
  };
}

export interface SimDaemonOptions {
  stateDir: string;
  speed: number;
  /** The kubeconfig file to merge the context into. */
  kubeconfig: string;
  log?: (line: string) => void;
  base?: Clock;
  warmUpMs?: number;
  prometheusBinary?: string | false;
}

export interface SimDaemon {
  state: SimState;
  close(): Promise<void>;
}

/** Starts the lab, merges the kube context and writes the state file (the CLI's "ready"). */
export async function runSimDaemon(options: SimDaemonOptions): Promise<SimDaemon> {
  const dir = join(options.stateDir, SIM_CONTEXT);
  // The doc-QA endpoints change as canaries come and go: the state file follows, one write at a time.
  let state: SimState | undefined;
  let writes = Promise.resolve();
  const onEndpoints = (docqa: NonNullable<SimState['docqa']>) => {
    if (!state) return;
    state = { ...state, docqa };
    const next = state;
    writes = writes
      .then(() => writeSimState(options.stateDir, next))
      .catch((error: Error) => options.log?.(`could not update the state file: ${error.message}`));
  };
  const daemon = await startDaemonLab({
    dir,
    speed: options.speed,
    base: options.base,
    warmUpMs: options.warmUpMs,
    log: options.log,
    prometheusBinary: options.prometheusBinary,
    onEndpoints,
  });
  try {
    await addKubeconfigEntry(options.kubeconfig, {
      name: SIM_CONTEXT,
      server: daemon.apiServer,
      ca: daemon.ca,
      token: daemon.token,
    });
    options.log?.(`context ${SIM_CONTEXT} merged into ${options.kubeconfig}`);
    state = {
      version: 1,
      pid: process.pid,
      context: SIM_CONTEXT,
      speed: options.speed,
      clock: { wallOrigin: daemon.anchor.wall, simOrigin: daemon.anchor.sim },
      apiServer: daemon.apiServer,
      token: daemon.token,
      kubeconfig: options.kubeconfig,
      repo: { path: daemon.repo.path, url: daemon.repo.url, branch: daemon.repo.branch },
      prometheus: daemon.prometheus,
      docqa: daemon.lab.live?.endpoints() ?? [],
      ...(daemon.lab.live ? { services: daemon.lab.live.services } : {}),
      log: join(dir, 'daemon.log'),
      startedAt: new Date().toISOString(),
    };
    await writeSimState(options.stateDir, state);
    options.log?.(`ready: ${simStateFile(options.stateDir)}`);
    return {
      state,
      async close() {
        await daemon.close();
        await writes;
      },
    };
  } catch (error) {
    await daemon.close();
    throw error;
  }
}
