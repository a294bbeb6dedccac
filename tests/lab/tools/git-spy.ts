/**
 * Catches a credential where it must never be: a `git` wrapper first on PATH records every argv it is run with
 * and, at each call, looks for the secret in every file under a folder (the temp folder of the run under
 * test); a /proc watcher reads the command line of every process while the run goes on (git's own children,
 * such as git-remote-http, included). The secret patterns live in a file outside the scanned folder, so the
 * spy's own grep never carries them in its arguments.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface GitSpy {
  /** Put first on PATH. */
  dir: string;
  /** Every argv git was run with, one array a call. */
  calls(): string[][];
  /** Files under the scanned folder that held a secret when some git call started. */
  filesWithSecret(): string[];
  /** Command lines of processes that held a secret (from the /proc watcher). */
  commandLinesWithSecret(): string[];
  /** Starts reading /proc until `stop()`. */
  watchProcesses(): { stop(): Promise<void> };
}

/** The forms a token can take on the wire: itself and inside an HTTP Basic header. */
export function secretForms(token: string): string[] {
  return [token, Buffer.from(`x-access-token:${token}`).toString('base64')];
}

export function createGitSpy(secrets: string[], scan: string): GitSpy {
  const dir = mkdtempSync(join(tmpdir(), 'gitops-lab-git-spy-'));
  const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
  const patterns = join(dir, 'patterns');
  const log = join(dir, 'argv.log');
  const found = join(dir, 'found.log');
  writeFileSync(patterns, `${secrets.join('\n')}\n`);
  writeFileSync(log, '');
  writeFileSync(found, '');
  writeFileSync(
    join(dir, 'git'),
    [
      '#!/bin/sh',
      // One line a call: the arguments separated by a unit separator.
      `printf '%s\\037' "$@" >> '${log}'`,
      `printf '\\n' >> '${log}'`,
      `grep -rlF -f '${patterns}' '${scan}' >> '${found}' 2>/dev/null`,
      `exec '${realGit}' "$@"`,
      '',
    ].join('\n'),
  );
  chmodSync(join(dir, 'git'), 0o755);
  const lines: string[] = [];
  return {
    dir,
    calls: () =>
      readFileSync(log, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split('\x1f').slice(0, -1)),
    filesWithSecret: () => readFileSync(found, 'utf8').split('\n').filter(Boolean),
    commandLinesWithSecret: () => lines,
    watchProcesses() {
      let running = true;
      const loop = (async () => {
        while (running) {
          for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
            let cmdline = '';
            try {
              cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
            } catch {
              continue;
            }
            if (secrets.some((secret) => cmdline.includes(secret))) lines.push(cmdline.split('\0').join(' '));
          }
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      })();
      return {
        async stop() {
          running = false;
          await loop;
        },
      };
    },
  };
}
