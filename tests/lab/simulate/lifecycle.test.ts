/**
 * Starting and stopping the simulated lab's daemon, with stand-in daemons (small node programs) so each way it can
 * go is seen: it fails before ready (the error shows its log), it is already running (left alone; another speed is
 * an error), it ignores SIGTERM (killed), its state is stale (cleaned up).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { LabError, PreconditionError } from '../../../src/errors.js';
import { type SimCluster, startSimCluster } from '../../../src/lab/sim/api.js';
import { addKubeconfigEntry } from '../../../src/lab/simulate/kubeconfig.js';
import { isDaemon, simDir, startSim, stopSim } from '../../../src/lab/simulate/lifecycle.js';
import { type SimState, simStateFile, writeSimState } from '../../../src/lab/simulate/state.js';

const children: ChildProcess[] = [];
const servers: SimCluster[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** A process whose command line says sim-daemon, as the real one's does. */
function standIn(script: string, output = false): ChildProcess {
  const child = spawn(process.execPath, ['-e', script, 'sim-daemon'], {
    stdio: ['ignore', output ? 'pipe' : 'ignore', 'ignore'],
  });
  children.push(child);
  return child;
}

async function setUp() {
  const stateDir = await mkdtemp(join(tmpdir(), 'sim-life-'));
  const kubeconfig = join(stateDir, 'kubeconfig');
  await addKubeconfigEntry(kubeconfig, {
    name: 'gitops-lab-sim',
    server: 'https://127.0.0.1:1',
    token: 't',
  });
  const state = (pid: number, speed = 1): SimState => ({
    version: 1,
    pid,
    context: 'gitops-lab-sim',
    speed,
    clock: { wallOrigin: 0, simOrigin: 0 },
    apiServer: 'https://127.0.0.1:1',
    token: 't',
    kubeconfig,
    repo: { path: join(stateDir, 'lab.git'), url: 'file:///x', branch: 'main' },
    prometheus: { url: 'http://prometheus.sim', real: false, note: '' },
    log: join(simDir(stateDir), 'daemon.log'),
    startedAt: new Date(0).toISOString(),
  });
  return { stateDir, kubeconfig, state };
}

const contexts = async (file: string) =>
  ((parse(await readFile(file, 'utf8')) as { contexts?: Array<{ name: string }> }).contexts ?? []).map(
    (c) => c.name,
  );

const waitForExit = (child: ChildProcess) =>
  new Promise<void>((resolve) =>
    child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve()),
  );

describe('simulated lab lifecycle', () => {
  it('a daemon that dies before it is ready fails up with the end of its log', async () => {
    const { stateDir, kubeconfig } = await setUp();
    const failing = startSim({
      stateDir,
      speed: 1,
      kubeconfig,
      cli: {
        program: process.execPath,
        args: [
          '-e',
          'console.log("starting"); console.error("Error: git is not installed"); process.exit(1)',
        ],
      },
    });
    await expect(failing).rejects.toThrow(LabError);
    await expect(failing).rejects.toThrow(
      /exited with code 1 before it was ready[\s\S]*git is not installed/,
    );
  }, 60_000);

  it('Ctrl-C while waiting stops the daemon that is starting', async () => {
    const { stateDir, kubeconfig } = await setUp();
    const controller = new AbortController();
    const starting = startSim({
      stateDir,
      speed: 1,
      kubeconfig,
      cli: {
        program: process.execPath,
        args: ['-e', 'console.log(process.pid); setInterval(() => {}, 1000)'],
      },
      signal: controller.signal,
    });
    // Abort once the stand-in has started (it writes its pid to the log).
    const log = join(simDir(stateDir), 'daemon.log');
    let pid = 0;
    while (!pid) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      pid = Number((await readFile(log, 'utf8').catch(() => '')).trim()) || 0;
    }
    controller.abort();
    const error = await starting.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LabError);
    expect((error as LabError).exitCode).toBe(130);
    expect((error as Error).message).toContain('stopped before it was ready');
    // The stand-in got SIGTERM (and, unlike a real daemon, has no handler: it is gone).
    for (let i = 0; i < 100 && isDaemon({ pid }); i++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(isDaemon({ pid })).toBe(false);
  }, 60_000);

  it('a running daemon is reported, not restarted; another speed is an error naming both', async () => {
    const { stateDir, kubeconfig, state } = await setUp();
    const daemon = standIn('setInterval(() => {}, 1000)');
    // Its API server: the simulation's, with a token and TLS as the daemon serves it.
    const { generate } = await import('selfsigned');
    const pems = await generate([{ name: 'commonName', value: 'test' }], { keyType: 'ec', curve: 'P-256' });
    const api = await startSimCluster({
      token: 'tok',
      tls: { cert: pems.cert, key: pems.private },
      dir: stateDir,
    });
    servers.push(api);
    await writeSimState(stateDir, { ...state(daemon.pid as number, 20), apiServer: api.url });
    const request = {
      stateDir,
      kubeconfig,
      cli: { program: process.execPath, args: ['-e', 'process.exit(9)'] },
    };
    const again = await startSim({ ...request, speed: 20 });
    expect(again).toMatchObject({ alreadyRunning: true, cleanedStale: false });
    expect(again.state.pid).toBe(daemon.pid);
    const other = startSim({ ...request, speed: 5 });
    await expect(other).rejects.toThrow(PreconditionError);
    await expect(other).rejects.toThrow(/already running at speed 20, not 5/);
  }, 60_000);

  it('a running daemon whose API server does not answer is an error saying how to restart it', async () => {
    const { stateDir, kubeconfig, state } = await setUp();
    const daemon = standIn('setInterval(() => {}, 1000)');
    await writeSimState(stateDir, state(daemon.pid as number));
    const started = startSim({
      stateDir,
      speed: 1,
      kubeconfig,
      cli: { program: process.execPath, args: ['-e', 'process.exit(9)'] },
    });
    await expect(started).rejects.toThrow(
      /is running but its API server https:\/\/127\.0\.0\.1:1 does not answer/,
    );
  }, 60_000);

  it('down stops the daemon with SIGTERM, removes the context and the folder, and is idempotent', async () => {
    const { stateDir, kubeconfig, state } = await setUp();
    const daemon = standIn('setInterval(() => {}, 1000)');
    await writeSimState(stateDir, state(daemon.pid as number));
    expect(await contexts(kubeconfig)).toEqual(['gitops-lab-sim']);
    const stopped = await stopSim(stateDir);
    expect(stopped).toMatchObject({
      found: true,
      pid: daemon.pid,
      stopped: 'terminated',
      contextRemovedFrom: kubeconfig,
    });
    await waitForExit(daemon);
    expect(daemon.signalCode).toBe('SIGTERM');
    expect(await contexts(kubeconfig)).toEqual([]);
    expect(existsSync(simDir(stateDir))).toBe(false);
    expect(await stopSim(stateDir)).toEqual({ found: false, removed: [] });
  }, 60_000);

  it('a daemon that ignores SIGTERM is killed after the grace period', async () => {
    const { stateDir, state } = await setUp();
    const daemon = standIn(
      'process.on("SIGTERM", () => {}); console.log("ready"); setInterval(() => {}, 1000)',
      true,
    );
    // Wait until it has installed its handler: it says so.
    await new Promise<void>((resolve) => daemon.stdout?.once('data', () => resolve()));
    await writeSimState(stateDir, state(daemon.pid as number));
    const stopped = await stopSim(stateDir, { graceMs: 1_000 });
    expect(stopped.stopped).toBe('killed');
    await waitForExit(daemon);
    expect(daemon.signalCode).toBe('SIGKILL');
  }, 60_000);

  it('a stale state (its daemon gone) is cleaned up by down, and by up before it starts a new daemon', async () => {
    const { stateDir, kubeconfig, state } = await setUp();
    const gone = spawnSync(process.execPath, ['-e', '0']).pid as number;
    await writeSimState(stateDir, state(gone));
    expect(isDaemon({ pid: gone })).toBe(false);
    const stopped = await stopSim(stateDir);
    expect(stopped).toMatchObject({ found: true, stopped: 'already-gone', contextRemovedFrom: kubeconfig });
    expect(existsSync(simStateFile(stateDir))).toBe(false);

    await addKubeconfigEntry(kubeconfig, {
      name: 'gitops-lab-sim',
      server: 'https://127.0.0.1:1',
      token: 't',
    });
    await writeSimState(stateDir, state(gone));
    const failing = startSim({
      stateDir,
      speed: 1,
      kubeconfig,
      cli: { program: process.execPath, args: ['-e', 'process.exit(3)'] },
    });
    await expect(failing).rejects.toThrow(/exited with code 3/);
    expect(await contexts(kubeconfig)).toEqual([]);
  }, 60_000);
});
