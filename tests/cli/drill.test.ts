import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { catalogueNames } from '../../src/lab/drills/load.js';
import { labObjects } from '../lab/drills/lab-sim.js';
import { cliPath, repoRoot, runCli } from '../support/cli.js';
import { type FakeKube, startFakeKube } from '../support/fake-kube/index.js';

const fixtures = join(repoRoot, 'tests', 'lab', 'drills', 'fixtures');
// Every drill of the shipped catalogue, from its folder (the one list), so a new drill is covered without being named.
const catalogue = await catalogueNames();

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'gitops-lab-drill-cli-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

// Generous limits: each test spawns the CLI, which an overloaded machine starts slowly; nothing asserts time.
describe('gitops-lab drill: catalogue and dry runs (no cluster)', { timeout: 180_000 }, () => {
  const noCluster = { KUBECONFIG: join(tmpdir(), 'gitops-lab-no-such-kubeconfig') };

  it('lists the catalogue with each title and lesson', async () => {
    const result = await runCli(['drill'], { env: noCluster });
    expect(result.code).toBe(0);
    expect(catalogue.length).toBeGreaterThanOrEqual(8);
    expect(result.stdout).toContain(`${catalogue.length} drills`);
    expect(result.stdout).toContain('argo-vs-hpa  Argo CD and the HPA fight over replicas');
    expect(result.stdout).toMatch(/self-heal puts the Git value back/);
  });

  it('lists the catalogue as JSON', async () => {
    const result = await runCli(['drill', '--json'], { env: noCluster });
    expect(result.code).toBe(0);
    const drills = JSON.parse(result.stdout) as Array<{
      name: string;
      title: string;
      teaches: string;
      runbook: string;
    }>;
    expect(drills.map((d) => d.name)).toEqual(catalogue);
    for (const d of drills) {
      expect(d.title.length).toBeGreaterThan(5);
      expect(d.teaches.length).toBeGreaterThan(40);
      expect(d.runbook).toBe(`handbook/drill-${d.name}.md`);
    }
  });

  it.each(catalogue)('%s --dry-run prints every step and touches nothing', async (name) => {
    const result = await runCli(['drill', name, '--dry-run', '--json'], { env: noCluster });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const plan = JSON.parse(result.stdout) as {
      drill: string;
      dry_run: boolean;
      steps: Array<{ phase: string; text: string }>;
    };
    expect(plan.drill).toBe(name);
    expect(plan.dry_run).toBe(true);
    const phases = new Set(plan.steps.map((s) => s.phase));
    for (const phase of ['lock', 'steady-state', 'inject', 'observe', 'rollback', 'verify'])
      expect(phases).toContain(phase);
  });

  it('prints the plan as a table without --json', async () => {
    const result = await runCli(['drill', 'argo-vs-hpa', '--dry-run'], { env: noCluster });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('dry run, nothing is touched');
    // Long steps wrap onto indented lines; joined back, each step is one row.
    const rows = result.stdout.replace(/\n {2,}/g, ' ');
    expect(rows).toMatch(/^\d+\s+inject\s+.*git commit "drill\(argo-vs-hpa\)/m);
    expect(rows).toMatch(
      /^\d+\s+observe\s+expect spec.replicas of the docqa Rollout flaps between 1 and 2 at least 2 times — the replica count$/m,
    );
  });

  it('--recover --dry-run shows only the rollback and verify', async () => {
    const result = await runCli(['drill', 'bad-canary', '--recover', '--dry-run', '--json'], {
      env: noCluster,
    });
    expect(result.code).toBe(0);
    const plan = JSON.parse(result.stdout) as { mode: string; steps: Array<{ phase: string }> };
    expect(plan.mode).toBe('recover');
    expect([...new Set(plan.steps.map((s) => s.phase))]).toEqual(['lock', 'rollback', 'verify']);
  });

  it('rejects an unknown drill with exit 2 and lists the known ones', async () => {
    const result = await runCli(['drill', 'no-such-drill', '--dry-run'], { env: noCluster });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no drill named "no-such-drill"');
    expect(result.stderr).toContain('argo-vs-hpa');
  });

  it('names the file, line and field of a bad drill file', async () => {
    const dir = join(scratch, 'bad');
    await rm(dir, { recursive: true, force: true });
    const { mkdir } = await import('node:fs/promises');
    await mkdir(dir, { recursive: true });
    const text = (await readFile(join(fixtures, 'scale-drill.yaml'), 'utf8')).replace(
      'window: 400ms',
      'window: soon',
    );
    await writeFile(join(dir, 'scale-drill.yaml'), text);
    const result = await runCli(['drill', 'scale-drill', '--dry-run', '--drills', dir], { env: noCluster });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/scale-drill\.yaml:\d+ observe\.window: expected a duration such as 30s/);
  });
});

// Generous limits: each test spawns the CLI, which an overloaded machine starts slowly; nothing asserts time.
describe('gitops-lab drill against the fake API server', { timeout: 180_000 }, () => {
  let fake: FakeKube;
  let reports: string;

  beforeEach(async () => {
    fake = await startFakeKube({ seed: labObjects() });
    reports = await mkdtemp(join(scratch, 'reports-'));
  });
  afterEach(async () => {
    await fake.close();
  });

  const replicas = () =>
    (fake.get('argoproj.io/v1alpha1', 'Rollout', 'docqa', 'docqa')?.spec as { replicas?: number } | undefined)
      ?.replicas;

  it('runs a drill, exits 0, prints the journal and writes the report', async () => {
    const result = await runCli(
      ['drill', 'scale-drill', '--drills', fixtures, '--reports-dir', reports, '--json'],
      {
        env: { KUBECONFIG: fake.kubeconfigPath },
      },
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const journal = JSON.parse(result.stdout) as Record<string, unknown> & {
      report: string;
      steady_states: { before: { ok: boolean }; after: { ok: boolean } };
    };
    expect(journal).toMatchObject({
      drill: 'scale-drill',
      status: 'completed',
      deviated: false,
      expected_behaviour_observed: true,
    });
    expect(journal.steady_states.before.ok).toBe(true);
    expect(journal.steady_states.after.ok).toBe(true);
    const files = await readdir(reports);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^\d{8}T\d{6}Z-scale-drill\.md$/);
    expect(journal.report).toBe(join(reports, files[0] as string));
    const report = await readFile(journal.report, 'utf8');
    for (const heading of [
      '## Hypothesis',
      '## Timeline',
      '## Observations',
      '## Verdict',
      '## Lesson',
      '## Fix',
    ]) {
      expect(report).toContain(heading);
    }
    expect(report).toContain('reaches 5');
    expect(report).toMatch(/\| \d\d:\d\d:\d\d \| \+\d+(ms|s) \| inject \|/);
    expect(replicas()).toBe(2);
  });

  it('prints plain timeline lines when stdout is not a TTY', async () => {
    const result = await runCli(['drill', 'scale-drill', '--drills', fixtures, '--reports-dir', reports], {
      env: { KUBECONFIG: fake.kubeconfigPath },
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\d\d:\d\d:\d\d \[inject\] → scale Rollout docqa\/docqa to 5$/m);
    expect(result.stdout).toMatch(/^\d\d:\d\d:\d\d \[rollback\] ✓ scaled Rollout docqa\/docqa to 2$/m);
    expect(result.stdout).toContain('verdict: completed');
    expect(result.stdout).toContain(`report: ${reports}`);
  });

  it('exits 3 when a precondition fails, without touching the Rollout', async () => {
    fake.update('argoproj.io/v1alpha1', 'Application', 'docqa', 'argocd', (o) => {
      (o.status as { sync: { status: string } }).sync.status = 'OutOfSync';
    });
    const result = await runCli(['drill', 'scale-drill', '--drills', fixtures, '--reports-dir', reports], {
      env: { KUBECONFIG: fake.kubeconfigPath },
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/error: drill scale-drill did not start: precondition failed/);
    expect(fake.clientMutations().filter((m) => m.kind === 'Rollout')).toEqual([]);
  });

  it('exits 3 while another drill holds the lock', async () => {
    fake.seed({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'gitops-lab-drill-lock', namespace: 'argocd' },
      data: {
        holder: 'bo@host pid 7',
        drill: 'argo-vs-hpa',
        started: new Date().toISOString(),
        expires: new Date(Date.now() + 600_000).toISOString(),
      },
    });
    const result = await runCli(['drill', 'scale-drill', '--drills', fixtures, '--reports-dir', reports], {
      env: { KUBECONFIG: fake.kubeconfigPath },
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('another drill is running: argo-vs-hpa, held by bo@host pid 7');
    expect(replicas()).toBe(2);
  });

  it('rolls back when the CLI gets SIGINT mid-inject, even through a second SIGINT', async () => {
    const scaledTo5 = new Promise<void>((resolve) => {
      const stop = fake.onChange(() => {
        if (replicas() === 5) {
          stop();
          resolve();
        }
      });
    });
    const child = spawn(
      process.execPath,
      [cliPath, 'drill', 'interruptible', '--drills', fixtures, '--reports-dir', reports, '--json'],
      {
        cwd: repoRoot,
        env: { ...process.env, NO_COLOR: '1', KUBECONFIG: fake.kubeconfigPath },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    const waiters: Array<() => void> = [];
    const stderrHas = (text: string) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (stderr.includes(text)) resolve();
          return stderr.includes(text);
        };
        if (!check()) waiters.push(check);
      });
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
      for (const w of waiters) w();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      // The inject has scaled the Rollout: the drill sits in its 10-minute wait.
      await scaledTo5;
      child.kill('SIGINT');
      await stderrHas('SIGINT: stopping the drill and rolling back');
      // The rollback now waits for RELEASE=yes: a second SIGINT arrives while it certainly runs.
      child.kill('SIGINT');
      await stderrHas('SIGINT again: the rollback is still running and will finish');
      fake.update('v1', 'ConfigMap', 'docqa-config', 'docqa', (o) => {
        o.data = { ...(o.data as object), RELEASE: 'yes' };
      });
      const code = await exited;
      expect(code).toBe(1);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    const journal = JSON.parse(stdout) as { status: string; rollback: Array<{ status: string }> };
    expect(journal.status).toBe('interrupted');
    expect(journal.rollback.map((a) => a.status)).toEqual(['ok', 'ok', 'ok']);
    expect(replicas()).toBe(2);
    const rollout = fake.get('argoproj.io/v1alpha1', 'Rollout', 'docqa', 'docqa');
    expect(rollout?.metadata?.annotations?.['gitops-lab/rolled-back']).toBe('yes');
    expect(fake.get('v1', 'ConfigMap', 'gitops-lab-drill-lock', 'argocd')).toBeUndefined();
    expect(await readdir(reports)).toHaveLength(1);
  });
});
