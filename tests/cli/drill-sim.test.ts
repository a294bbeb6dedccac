/**
 * `gitops-lab drill` against the simulated lab, through the built CLI: the lab runs in this process
 * (tests/support/sim-lab.ts: startSimLab on a scaled clock, a real bare Git repository, the state file
 * `up --simulate` leaves), and the CLI finds it through the kubeconfig's current context `gitops-lab-sim`. The drill
 * runs on the sim's clock, so the drill's real 1x windows pass 20 times faster; nothing here asserts wall time.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeconfigYaml } from '../../src/lab/sim/kubeconfig.js';
import { packagePath } from '../../src/paths.js';
import { runCli } from '../support/cli.js';
import { simContextIn, startTestSimLab, type TestSimLab } from '../support/sim-lab.js';
import { tempDirsForEachTest } from '../support/temp-dirs.js';

/** Every drill the package ships (drills/*.yaml). */
const catalogue = readdirSync(packagePath('drills'))
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.replace(/\.yaml$/, ''));

const speed = 20;

interface Journal {
  status: string;
  reason?: string;
  simulated?: { speed: number };
  started: string;
  report: string;
  inject: Array<{ status: string; detail: string }>;
  observe: { expectations: Array<{ probe: string; met: boolean; detail: string }> };
  rollback: Array<{ status: string; detail: string }>;
  steady_states: { before: { ok: boolean }; after: { ok: boolean } };
}

// Generous limits: a hang guard for an overloaded machine (the CLI and the sim share it); nothing asserts time.
describe('gitops-lab drill against the simulated lab', { timeout: 300_000 }, () => {
  let sim: TestSimLab;
  const tempDir = tempDirsForEachTest();

  beforeAll(async () => {
    sim = await startTestSimLab({ speed });
  }, 120_000);
  afterAll(async () => {
    await sim?.close();
  });

  it('argo-vs-hpa --speed 20: the fight in Git, replicas flapping, the revert and the recovery, held', async () => {
    const reports = await tempDir('gitops-lab-sim-reports-');
    const result = await runCli(
      ['drill', 'argo-vs-hpa', '--speed', String(speed), '--json', '--reports-dir', reports],
      { env: sim.env },
    );
    expect(result.stderr).toBe('');
    const journal = JSON.parse(result.stdout) as Journal;
    expect(journal.reason).toBeUndefined();
    expect(journal.status).toBe('completed');
    expect(result.code).toBe(0);
    expect(journal.simulated).toEqual({ speed });
    // The drill's times are the sim's: the same clock as the lab in this process (sim time runs ahead of the wall).
    expect(Date.parse(journal.started)).toBeGreaterThan(sim.state.clock.simOrigin);
    expect(journal.steady_states.before.ok).toBe(true);
    expect(journal.inject[0]?.detail).toMatch(/^committed [0-9a-f]{7} to file:\/\/.*lab\.git and pushed$/);
    const [flaps, syncs] = journal.observe.expectations;
    expect(flaps).toMatchObject({ probe: 'replicas', met: true });
    expect(flaps?.detail).toMatch(/^switched \d+ times/);
    expect(syncs).toMatchObject({ probe: 'sync-operations', met: true });
    expect(journal.rollback[0]?.detail).toMatch(/^reverted [0-9a-f]{7} and pushed$/);
    expect(journal.rollback.every((a) => a.status === 'ok')).toBe(true);
    expect(journal.steady_states.after.ok).toBe(true);

    // The real bare repository holds the drill's commit and its revert.
    const log = execFileSync('git', ['--git-dir', sim.bare, 'log', '--format=%s', 'main'], {
      encoding: 'utf8',
    });
    expect(log.split('\n').slice(0, 2)).toEqual([
      'Revert "drill(argo-vs-hpa): pin docqa to 1 replica in Git and stop ignoring spec.replicas"',
      'drill(argo-vs-hpa): pin docqa to 1 replica in Git and stop ignoring spec.replicas',
    ]);
    const rollout = sim.lab.cluster.get('argoproj.io/v1alpha1', 'Rollout', 'docqa', 'docqa');
    expect((rollout?.spec as { replicas?: number } | undefined)?.replicas).toBe(2);

    const report = await readFile(journal.report, 'utf8');
    expect(report.split('\n')[0]).toBe('# Drill report: Argo CD and the HPA fight over replicas (simulated)');
    expect(report).toContain('- lab: simulated (`gitops-lab up --simulate`) at 20x speed');
    // The fight: the replica samples flip 1 → 2 → … → 1 (Argo CD puts Git's 1 back, the HPA its minimum 2).
    const samples = /^- `replicas`: \d+ samples: (.*)$/m.exec(report)?.[1] ?? '';
    expect(samples).toMatch(/\b1 2\b.*\b1\b/);
    // The recovery: the revert, the steady state back, the verdict.
    expect(report).toMatch(/- ok: revert the drill's commit .*: reverted [0-9a-f]{7} and pushed/);
    expect(report).toContain('the steady state holds again');
    expect(report).toContain('**PASSED');
  });

  // The other drills that need no Prometheus run the same way (the catalogue test runs all eight in-process).
  it.each(['drift-self-heal', 'config-no-reload'])('%s holds against the simulated lab', async (name) => {
    const reports = await tempDir('gitops-lab-sim-reports-');
    const result = await runCli(['drill', name, '--json', '--reports-dir', reports], { env: sim.env });
    expect(result.stderr).toBe('');
    const journal = JSON.parse(result.stdout) as Journal;
    expect(journal.reason).toBeUndefined();
    expect(journal.status).toBe('completed');
    expect(result.code).toBe(0);
    expect(journal.simulated).toEqual({ speed });
    expect(journal.observe.expectations.every((e) => e.met)).toBe(true);
    expect(journal.steady_states.after.ok).toBe(true);
    expect((await readFile(journal.report, 'utf8')).split('\n')[0]).toMatch(/ \(simulated\)$/);
  });

  it('prints plain timeline lines in simulated time (a --recover run)', async () => {
    const reports = await tempDir('gitops-lab-sim-reports-');
    const result = await runCli(['drill', 'argo-vs-hpa', '--recover', '--reports-dir', reports], {
      env: sim.env,
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(
      /^Argo CD and the HPA fight over replicas \(argo-vs-hpa\) on the simulated lab, sim \d\d:\d\d:\d\d \(20x\): times are simulated$/,
    );
    expect(result.stdout).toMatch(/^sim \d\d:\d\d:\d\d \[rollback\] ✓ nothing to revert/m);
    expect(result.stdout).toMatch(/^sim \d\d:\d\d:\d\d \[verify\] the steady state holds again$/m);
    expect(result.stdout).toContain('verdict: completed');
  });

  it("--speed other than the running lab's is a usage error naming both and how to restart", async () => {
    const result = await runCli(['drill', 'argo-vs-hpa', '--speed', '5'], { env: sim.env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('the simulated lab runs at 20x, not 5x');
    expect(result.stderr).toContain('`gitops-lab down`, then `gitops-lab up --simulate --speed 5`');
  });

  it('the catalogue holds the eight shipped drills', () => {
    expect(catalogue).toContain('argo-vs-hpa');
    expect(catalogue).toHaveLength(8);
  });

  it.each(catalogue)('%s --dry-run plans against the simulated lab unchanged', async (name) => {
    const result = await runCli(['drill', name, '--dry-run', '--json', '--speed', String(speed)], {
      env: sim.env,
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const plan = JSON.parse(result.stdout) as {
      drill: string;
      simulated?: { speed: number };
      steps: Array<{ phase: string }>;
    };
    expect(plan.drill).toBe(name);
    expect(plan.simulated).toEqual({ speed });
    const phases = new Set(plan.steps.map((s) => s.phase));
    for (const phase of ['lock', 'steady-state', 'inject', 'observe', 'rollback', 'verify'])
      expect(phases).toContain(phase);
  });
});

describe('gitops-lab drill --dry-run and --speed without the simulated lab', { timeout: 120_000 }, () => {
  const tempDir = tempDirsForEachTest();

  it('a dry run needs no running lab, even in the sim context', async () => {
    const ctx = await simContextIn(await tempDir('gitops-lab-sim-gone-'));
    const result = await runCli(['drill', 'argo-vs-hpa', '--dry-run', '--json'], { env: ctx.env });
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as { simulated?: unknown }).simulated).toBeUndefined();
  });

  it('--speed against a lab that is not the simulated one is a usage error', async () => {
    const dir = await tempDir('gitops-lab-kind-');
    const kubeconfig = join(dir, 'kubeconfig');
    await writeFile(kubeconfig, kubeconfigYaml({ server: 'http://127.0.0.1:9' }));
    const result = await runCli(['drill', 'argo-vs-hpa', '--speed', '20'], {
      env: { KUBECONFIG: kubeconfig, GITOPS_LAB_STATE_DIR: join(dir, 'state') },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      '--speed applies only to the simulated lab, and the kube context in use is kind-gitops-lab',
    );
  });
});
