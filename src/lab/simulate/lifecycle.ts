/**
 * Starting and stopping the simulated lab's daemon from the CLI: `up --simulate` spawns it detached (its output goes
 * to `<stateDir>/gitops-lab-sim/daemon.log`) and waits until it writes the state file; `down` sends it SIGTERM, waits,
 * then SIGKILL, and removes its kube context and its folder. A state file whose daemon is gone (stale) is cleaned
 * up the same way.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { LabError, PreconditionError } from '../../errors.js';
import { type Clock, sleep, systemClock } from '../clock.js';
import { removeKubeconfigEntry } from './kubeconfig.js';
import { readSimState, SIM_CONTEXT, type SimState, simAlive, simStateFile } from './state.js';

/** The name of the hidden CLI command that runs the daemon. */
export const DAEMON_COMMAND = 'sim-daemon';

export function simDir(stateDir: string): string {
  return dirname(simStateFile(stateDir));
}

export function simLogFile(stateDir: string): string {
  return join(simDir(stateDir), 'daemon.log');
}

/** The last `lines` lines of a file ('' when it cannot be read). */
export async function tail(file: string, lines = 20): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/**
 * Whether the process `pid` is this lab's daemon: alive, and (where /proc shows command lines) running `sim-daemon`,
 * so a recycled pid of another program is never signalled.
 */
export function isDaemon(state: Pick<SimState, 'pid'>): boolean {
  if (!simAlive(state)) return false;
  try {
    return readFileSync(`/proc/${state.pid}/cmdline`, 'utf8').split('\0').includes(DAEMON_COMMAND);
  } catch (error) {
    // No /proc (macOS): trust the pid. Gone between the two checks: not running.
    return (error as NodeJS.ErrnoException).code !== 'ENOENT' || !existsSync('/proc/self');
  }
}

export interface SimStartRequest {
  stateDir: string;
  speed: number;
  kubeconfig: string;
  /** The program and arguments that run the CLI (`process.execPath`, the CLI's script). */
  cli: { program: string; args: string[] };
  env?: NodeJS.ProcessEnv;
  /** How long to wait for the daemon to be ready, in wall milliseconds (default 180 s). */
  readyTimeoutMs?: number;
  clock?: Clock;
  /** Ctrl-C while waiting: the daemon is stopped (it would otherwise become ready with nobody waiting). */
  signal?: AbortSignal;
}

export interface SimStartResult {
  state: SimState;
  /** A running, healthy simulated lab was found and left as it is. */
  alreadyRunning: boolean;
  /** A stale state (its daemon gone) was cleaned up first. */
  cleanedStale: boolean;
}

/** The command line `up --simulate` runs in the background. */
export function daemonArgs(request: Pick<SimStartRequest, 'speed' | 'kubeconfig' | 'cli'>): string[] {
  return [
    ...request.cli.args,
    DAEMON_COMMAND,
    '--speed',
    String(request.speed),
    '--kubeconfig',
    request.kubeconfig,
  ];
}

function speedMismatch(state: SimState, speed: number): PreconditionError {
  return new PreconditionError(
    `The simulated lab is already running at speed ${state.speed}, not ${speed}.`,
    {
      hint: `Stop it with \`gitops-lab down\`, then run \`gitops-lab up --simulate --speed ${speed}\`.`,
    },
  );
}

/** Starts the daemon, or reports the one running. */
export async function startSim(request: SimStartRequest): Promise<SimStartResult> {
  const existing = await readSimState(request.stateDir).catch(() => undefined);
  let cleanedStale = false;
  if (existing && isDaemon(existing)) {
    if (existing.speed !== request.speed) throw speedMismatch(existing, request.speed);
    if (!(await apiAnswers(existing.apiServer)))
      throw new LabError(
        `The simulated lab's process (pid ${existing.pid}) is running but its API server ${existing.apiServer} does not answer.`,
        1,
        { hint: 'Restart it: `gitops-lab down`, then `gitops-lab up --simulate`.' },
      );
    return { state: existing, alreadyRunning: true, cleanedStale };
  }
  // A stale state file (or a damaged one): its daemon is gone; remove what it left.
  if (existing || (await readFile(simStateFile(request.stateDir)).catch(() => undefined))) {
    await cleanUp(request.stateDir, existing);
    cleanedStale = true;
  }
  await mkdir(simDir(request.stateDir), { recursive: true, mode: 0o700 });
  const logFile = simLogFile(request.stateDir);
  const fd = openSync(logFile, 'w', 0o600);
  let child: ChildProcess;
  try {
    child = spawn(request.cli.program, daemonArgs(request), {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: { ...(request.env ?? process.env), GITOPS_LAB_STATE_DIR: request.stateDir },
    });
  } finally {
    closeSync(fd);
  }
  let exited: string | undefined;
  child.on('exit', (code, signal) => {
    exited = signal ? `was killed by ${signal}` : `exited with code ${code}`;
  });
  child.on('error', (error) => {
    exited = `could not start: ${error.message}`;
  });
  child.unref();
  const clock = request.clock ?? systemClock;
  const deadline = clock.now() + (request.readyTimeoutMs ?? 180_000);
  for (;;) {
    const state = await readSimState(request.stateDir).catch(() => undefined);
    if (state && state.pid === child.pid) return { state, alreadyRunning: false, cleanedStale };
    if (request.signal?.aborted) {
      if (child.pid) killGroup(child.pid, 'SIGTERM');
      throw new LabError('Interrupted: the simulated lab was stopped before it was ready.', 130, {
        hint: 'Run `gitops-lab up --simulate` again to start it.',
      });
    }
    if (exited !== undefined) {
      throw new LabError(
        `The simulated lab's daemon ${exited} before it was ready. Its log (${logFile}) ends with:\n${await tail(logFile)}`,
        1,
        { hint: 'Fix what the log names, then run `gitops-lab up --simulate` again.' },
      );
    }
    if (clock.now() > deadline) {
      if (child.pid) killGroup(child.pid, 'SIGKILL');
      throw new LabError(
        `The simulated lab was not ready after ${Math.round((request.readyTimeoutMs ?? 180_000) / 1000)} s; it was stopped. Its log (${logFile}) ends with:\n${await tail(logFile)}`,
        1,
        { hint: 'A very busy machine can be this slow: run `gitops-lab up --simulate` again.' },
      );
    }
    await sleep(clock, 100);
  }
}

/**
 * Whether the simulated API server answers: a request without the token must get its 401. No secret is sent, so the
 * certificate need not be checked here.
 */
export async function apiAnswers(apiServer: string, timeoutMs = 10_000): Promise<boolean> {
  const { request } = await import('node:https');
  return new Promise((resolve) => {
    const req = request(`${apiServer}/version`, { rejectUnauthorized: false, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 401 || res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, signal);
      return;
    } catch {
      // Not a group leader, or gone.
    }
  }
}

export interface SimStopResult {
  /** Whether there was a simulated lab (a state file). */
  found: boolean;
  pid?: number;
  /** How the daemon ended: it was already gone, it stopped on SIGTERM, or it had to be killed. */
  stopped?: 'already-gone' | 'terminated' | 'killed';
  /** The kubeconfig file the context was removed from, when it was there. */
  contextRemovedFrom?: string;
  removed: string[];
}

/** Removes what a simulated lab leaves behind: its kube context and its folder (state, repository, log). */
async function cleanUp(
  stateDir: string,
  state: SimState | undefined,
): Promise<Pick<SimStopResult, 'contextRemovedFrom' | 'removed'>> {
  const result: Pick<SimStopResult, 'contextRemovedFrom' | 'removed'> = { removed: [] };
  if (state && (await removeKubeconfigEntry(state.kubeconfig, SIM_CONTEXT)))
    result.contextRemovedFrom = state.kubeconfig;
  const dir = simDir(stateDir);
  if (
    await readFile(simStateFile(stateDir)).then(
      () => true,
      () => false,
    )
  )
    result.removed.push(dir);
  await rm(dir, { recursive: true, force: true });
  return result;
}

/** Stops the daemon (SIGTERM, then SIGKILL after `graceMs`) and removes its context and folder; idempotent. */
export async function stopSim(
  stateDir: string,
  { graceMs = 15_000, clock = systemClock }: { graceMs?: number; clock?: Clock } = {},
): Promise<SimStopResult> {
  let state: SimState | undefined;
  try {
    state = await readSimState(stateDir);
  } catch {
    // A damaged state file: nothing to signal, but the folder goes.
    state = undefined;
  }
  const exists = await readFile(simStateFile(stateDir)).then(
    () => true,
    () => false,
  );
  if (!exists) return { found: false, removed: [] };
  let stopped: SimStopResult['stopped'] = 'already-gone';
  if (state && isDaemon(state)) {
    process.kill(state.pid, 'SIGTERM');
    stopped = 'terminated';
    const deadline = clock.now() + graceMs;
    // isDaemon, not simAlive: an exited daemon nobody has reaped yet (a zombie) has no command line.
    while (isDaemon(state) && clock.now() < deadline) await sleep(clock, 100);
    if (isDaemon(state)) {
      killGroup(state.pid, 'SIGKILL');
      stopped = 'killed';
      const killDeadline = clock.now() + 5_000;
      while (isDaemon(state) && clock.now() < killDeadline) await sleep(clock, 50);
    }
  }
  const cleaned = await cleanUp(stateDir, state);
  return { found: true, ...(state ? { pid: state.pid } : {}), stopped, ...cleaned };
}
