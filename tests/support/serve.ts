/**
 * Starts `gitops-lab serve` (the built CLI) as a child process and resolves once it prints where it listens.
 * The caller stops it with `stop()`; nothing here waits on wall time except the start-up bound.
 */
import { spawn } from 'node:child_process';
import { cliPath, repoRoot } from './cli.js';

export interface ServeProcess {
  /** The URL the service printed (`http://127.0.0.1:PORT`). */
  url: Promise<string>;
  /** The address it bound, from the server's own report (the listening line's host). */
  output(): { stdout: string; stderr: string };
  stop(): Promise<void>;
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
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const url = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`serve did not start:\n${stdout}\n${stderr}`)),
      startTimeoutMs,
    );
    child.stdout.on('data', () => {
      const m = /listening on (http:\/\/\S+)/.exec(stdout);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`serve exited before listening:\n${stdout}\n${stderr}`));
    });
  });
  url.catch(() => undefined);
  return {
    url,
    output: () => ({ stdout, stderr }),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}
