/** Runs the real `kubectl` against a cluster's kubeconfig with its own cache folder, without throwing. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';

const run = promisify(execFile);

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function kubectlRunner(target: () => { kubeconfigPath: string; dir: string }) {
  async function kubectl(...args: string[]): Promise<KubectlResult> {
    const { kubeconfigPath, dir } = target();
    try {
      const { stdout, stderr } = await run(
        'kubectl',
        ['--kubeconfig', kubeconfigPath, '--cache-dir', join(dir, 'cache'), ...args],
        { encoding: 'utf8' },
      );
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code?: number; stdout?: string; stderr?: string };
      return { code: e.code ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
    }
  }
  /** The command's JSON output (`-o json` added unless the arguments name an output); stderr must be empty. */
  async function json(...args: string[]): Promise<Record<string, unknown>> {
    const out = await kubectl(...args, ...(args.includes('-o') ? [] : ['-o', 'json']));
    expect(out.stderr).toBe('');
    return JSON.parse(out.stdout) as Record<string, unknown>;
  }
  return { kubectl, json };
}
