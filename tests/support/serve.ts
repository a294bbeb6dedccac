/**
 * Starts `gitops-lab serve` (the built CLI) as a child process and resolves once it has printed its whole
 * start-up banner (where it listens, the curl example, "stop with Ctrl-C"). The caller stops it with `stop()`.
 * Nothing here waits on wall time except the bounds: the start-up, and the SIGKILL after a SIGTERM ignored.
 */
import { spawn } from 'node:child_process';
import { cliPath, repoRoot } from './cli.js';

export interface ServeProcess {
  /** The URL the service printed (`http://HOST:PORT`, HOST the address it bound). */
  url: Promise<string>;
  output(): { stdout: string; stderr: string };
  /** Sends SIGTERM (SIGKILL if it is still running `killAfterMs` later) and resolves with its exit code. */
  stop(killAfterMs?: number): Promise<number | null>;
}

export function startServe(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  startTimeoutMs = 30_000,
): ServeProcess {
  const child = spawn(process.execPath, [cliPath, 'serve', ...args], {
    cwd: repoRoot,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`serve did not start within ${startTimeoutMs} ms:\n${stdout}\n${stderr}`)),
      startTimeoutMs,
    );
    child.stdout.on('data', () => {
      const m = /listening on (http:\/\/\S+)/.exec(stdout);
      if (m?.[1] && stdout.includes('stop with Ctrl-C')) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code} before listening:\n${stdout}\n${stderr}`));
    });
  });
  url.catch(() => undefined);
  return {
    url,
    output: () => ({ stdout, stderr }),
    async stop(killAfterMs = 10_000) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        try {
          return await exited;
        } finally {
          clearTimeout(timer);
        }
      }
      return exited;
    },
  };
}
