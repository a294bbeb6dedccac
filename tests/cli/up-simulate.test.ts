/** `up --simulate`'s flags and its dry run: what a user sees before anything starts. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

function sandbox() {
  const home = mkdtempSync(join(tmpdir(), 'up-sim-'));
  return {
    HOME: home,
    KUBECONFIG: join(home, 'kube', 'config'),
    GITOPS_LAB_STATE_DIR: join(home, 'state'),
  };
}

describe('gitops-lab up --simulate: flags', { timeout: 120_000 }, () => {
  it.each([
    [['--speed', '0'], /--speed: expected a number above 0 and at most 100, got "0"/],
    [['--speed', '101'], /--speed: expected a number above 0 and at most 100, got "101"/],
    [['--speed', 'fast'], /--speed: expected a number above 0 and at most 100/],
    [['--speed', '-2'], /--speed: expected a number above 0 and at most 100/],
  ])('rejects %j with exit 2 naming the flag', async (flags, message) => {
    const result = await runCli(['up', '--simulate', ...flags], { env: sandbox() });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('--speed needs --simulate, and --context or --repo cannot go with it', async () => {
    const speed = await runCli(['up', '--speed', '5'], { env: sandbox() });
    expect(speed.code).toBe(2);
    expect(speed.stderr).toContain('only applies to a simulated lab');
    const context = await runCli(['up', '--simulate', '--context', 'kind-x'], { env: sandbox() });
    expect(context.code).toBe(2);
    expect(context.stderr).toContain('--context: cannot be combined with --simulate');
  });

  it('--dry-run says what it would start and changes nothing; --json is one document', async () => {
    const env = sandbox();
    const plain = await runCli(['up', '--simulate', '--speed', '2.5', '--dry-run'], { env });
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain('would start the simulated lab in the background at speed 2.5x');
    expect(plain.stdout).toContain('sim-daemon --speed 2.5 --kubeconfig');
    expect(plain.stdout).toContain(`would merge the context gitops-lab-sim into ${env.KUBECONFIG}`);
    const json = await runCli(['up', '--simulate', '--dry-run', '--json'], { env });
    expect(json.code).toBe(0);
    const plan = JSON.parse(json.stdout) as {
      wouldStart: { speed: number; kubeconfig: string };
      running: null;
    };
    expect(plan).toMatchObject({ dryRun: true, simulated: true, running: null });
    expect(plan.wouldStart).toMatchObject({ speed: 1, kubeconfig: env.KUBECONFIG });
    const { existsSync } = await import('node:fs');
    expect(existsSync(env.GITOPS_LAB_STATE_DIR)).toBe(false);
    expect(existsSync(env.KUBECONFIG)).toBe(false);
  });
});
