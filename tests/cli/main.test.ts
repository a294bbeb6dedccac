import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const traceImports = fileURLToPath(new URL('../support/trace-imports.mjs', import.meta.url));

describe('gitops-lab CLI skeleton', () => {
  it('lists every command of the contract in --help with examples and exits 0', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    for (const command of [
      'up',
      'down',
      'status',
      'doctor',
      'drill',
      'eval',
      'canary',
      'lint',
      'serve',
      'pin',
    ]) {
      expect(result.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
    expect(result.stdout).toContain('Examples:');
  });

  it('does not load heavy modules for --help', async () => {
    const result = await runCli(['--help'], { nodeArgs: ['--import', traceImports] });
    expect(result.code).toBe(0);
    const loaded = result.stderr.split('\n').filter((line) => line.startsWith('[import] '));
    expect(loaded.some((line) => line.includes('/commander/'))).toBe(true);
    for (const heavy of [
      '/ink/',
      '/@kubernetes/client-node/',
      '/hono/',
      '/wink-lemmatizer/',
      '/wink-nlp/',
      '/@google/genai/',
      '/zod/',
      '/prom-client/',
      '/dist/service/',
    ]) {
      expect(loaded.filter((line) => line.includes(heavy))).toEqual([]);
    }
  });

  it('prints the version', async () => {
    const result = await runCli(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('rejects an unknown command with exit 2 and a pointer to --help', async () => {
    const result = await runCli(['launch-rockets']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown command 'launch-rockets'");
    expect(result.stderr).toContain('--help');
  });

  it('rejects an unknown option with exit 2', async () => {
    const result = await runCli(['lint', '--no-such-flag']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown option '--no-such-flag'");
  });
});

describe('gitops-lab output into a closed pipe', () => {
  it('does not crash when the reader stops early (gitops-lab --help | head -1)', async () => {
    const { spawn } = await import('node:child_process');
    const { cliPath } = await import('../support/cli.js');
    const child = spawn(process.execPath, [cliPath, '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += String(chunk);
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).not.toContain('EPIPE');
    expect(code).toBe(0);
  });
});
