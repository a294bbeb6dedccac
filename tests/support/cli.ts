import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const cliPath = fileURLToPath(new URL('../../bin/gitops-lab.js', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunCliOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  nodeArgs?: string[];
  timeoutMs?: number;
}

/**
 * Where the CLI looks for a kubeconfig and its state unless a test says otherwise: an empty HOME, never the
 * developer's ~/.kube/config or lab state ($KUBECONFIG, $XDG_STATE_HOME and $GITOPS_LAB_STATE_DIR are dropped). A lab of their own running on the machine (`up --simulate` makes its
 * context current) must not change what a test sees.
 */
function isolatedEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: mkdtempSync(join(tmpdir(), 'gitops-lab-cli-home-')),
  };
  for (const key of ['KUBECONFIG', 'XDG_STATE_HOME', 'GITOPS_LAB_STATE_DIR']) delete env[key];
  return env;
}
const baseEnv = isolatedEnv();

/** Runs the built CLI (`bin/gitops-lab.js`) as a user would, with NO_COLOR and no TTY. */
export function runCli(args: string[], options: RunCliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [...(options.nodeArgs ?? []), cliPath, ...args],
      {
        cwd: options.cwd ?? repoRoot,
        env: { ...baseEnv, NO_COLOR: '1', ...options.env },
        timeout: options.timeoutMs ?? 300_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(error);
          return;
        }
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
  });
}
