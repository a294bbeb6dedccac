/**
 * The simulated lab's child processes (the doc-QA services, Prometheus): started so that they die with the lab.
 *
 * - On Linux each child is started through util-linux's `setpriv --pdeathsig SIGKILL`, which sets
 *   PR_SET_PDEATHSIG before it execs the program: the kernel kills the child when the thread that started it (Node's
 *   main thread) exits, however the lab ends (SIGKILL included). Without setpriv the child is spawned directly and
 *   only close() stops it (the lab says so in its log).
 * - `stop()` sends SIGTERM, waits up to `graceMs` (wall time: a process's shutdown is real work), then SIGKILL.
 * - What the child writes goes to `logFile` (appended), and to `onLine` line by line.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';

const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));

/** Whether children die with the lab even when it is killed (setpriv --pdeathsig is available). */
export const childrenDieWithParent = process.platform === 'linux' && SETPRIV !== undefined;

export interface GuardedChild {
  pid: number;
  process: ChildProcess;
  /** Resolves when the process has exited (with its code or signal). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  alive(): boolean;
  /** The child's output so far (last 64 KiB), for error messages. */
  output(): string;
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnGuardedOptions {
  env: NodeJS.ProcessEnv;
  logFile?: string;
  onLine?: (line: string) => void;
}

export function spawnGuarded(program: string, args: string[], options: SpawnGuardedOptions): GuardedChild {
  const [file, argv] = childrenDieWithParent
    ? [SETPRIV as string, ['--pdeathsig', 'SIGKILL', '--', program, ...args]]
    : [program, args];
  const child = spawn(file, argv, { env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let partial = '';
  let writes = Promise.resolve();
  const take = (chunk: string) => {
    output = (output + chunk).slice(-65_536);
    if (options.logFile) {
      const file = options.logFile;
      writes = writes.then(() => appendFile(file, chunk).catch(() => undefined));
    }
    if (options.onLine) {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) options.onLine(line);
    }
  };
  child.stdout?.setEncoding('utf8').on('data', take);
  child.stderr?.setEncoding('utf8').on('data', take);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', (error) => {
      take(`${String(error)}\n`);
      resolve({ code: null, signal: null });
    });
  });
  let done = false;
  void exited.then(() => {
    done = true;
  });
  return {
    pid: child.pid ?? 0,
    process: child,
    exited,
    alive: () => !done && child.exitCode === null && child.signalCode === null,
    output: () => output,
    async stop(graceMs = 5000) {
      if (done || child.exitCode !== null || child.signalCode !== null) {
        await exited;
        return;
      }
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const killed = await Promise.race([
        exited.then(() => true),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), graceMs);
        }),
      ]);
      clearTimeout(timer);
      if (!killed) {
        child.kill('SIGKILL');
        await exited;
      }
      await writes;
    },
  };
}

/**
 * Polls `probe` until it returns true, the child exits, or `timeoutMs` (wall time) passes. A process's start-up is
 * real work the simulated clock cannot speed up, hence wall time; the bound only turns a hang into an error.
 */
export async function waitUntil(
  what: string,
  child: GuardedChild | undefined,
  timeoutMs: number,
  probe: () => Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    if (child && !child.alive()) {
      const tail = child.output().trim().split('\n').slice(-5).join('\n');
      throw new Error(`${what}: the process exited before it was ready${tail ? `:\n${tail}` : ''}`);
    }
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what}: not ready after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, Math.min(25 * 2 ** attempt, 250)));
  }
}
