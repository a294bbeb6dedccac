import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PreconditionError } from '../../../src/errors.js';
import type { KubeAccess } from '../../../src/lab/drills/access.js';
import { runDrill } from '../../../src/lab/drills/engine.js';
import { countFlaps } from '../../../src/lab/drills/expectations.js';
import { findDrill, loadDrillFile } from '../../../src/lab/drills/load.js';
import { lockName } from '../../../src/lab/drills/lock.js';
import {
  fixture,
  type SimLab,
  startArgoConfigSelfHeal,
  startArgoGitWatch,
  startArgoSelfHeal,
  startHpa,
  startRolloutsSim,
  startSimLab,
} from './lab-sim.js';

const rollout = (lab: SimLab) => lab.fake.get('argoproj.io/v1alpha1', 'Rollout', 'docqa', 'docqa');
const replicas = (lab: SimLab) => (rollout(lab)?.spec as { replicas?: number } | undefined)?.replicas;
const lockObject = (lab: SimLab) => lab.fake.get('v1', 'ConfigMap', lockName, 'argocd');

describe('drill engine against the fake API server', () => {
  let lab: SimLab;
  const stops: Array<() => void> = [];

  beforeEach(async () => {
    lab = await startSimLab();
  });
  afterEach(async () => {
    for (const stop of stops.splice(0)) stop();
    await lab.close();
  });

  it('argo-vs-hpa (the catalogue drill) sees Argo CD and the HPA fight, then recovers through Git', async () => {
    stops.push(startArgoSelfHeal(lab.fake, lab.repo), startHpa(lab.fake));
    // A generous timeout: this test is about the fight, not the time limit (CI machines can be slow).
    const drill = { ...(await findDrill('argo-vs-hpa')), timeout: '60m' };
    const journal = await runDrill(drill, { env: lab.env, timeScale: 0.01 });

    expect(journal.reason).toBeUndefined();
    expect(journal.status).toBe('completed');
    expect(journal.expected_behaviour_observed).toBe(true);
    expect(journal.deviated).toBe(false);
    const series = journal.observe?.samples.replicas ?? [];
    expect(countFlaps(series, [1, 2])).toBeGreaterThanOrEqual(2);
    expect(journal.observe?.expectations.map((e) => e.met)).toEqual([true, true]);
    // Git: the drill's commit was reverted, the ignore rule is back, and the fight stopped.
    expect(lab.repo.commits.map((c) => [c.message.startsWith('drill(argo-vs-hpa)'), c.reverted])).toEqual([
      [true, true],
    ]);
    expect(lab.repo.files.get('apps/docqa.yaml')).toMatch(/ignoreDifferences:/);
    expect(journal.rollback.every((a) => a.status === 'ok')).toBe(true);
    expect(journal.steady_states.after?.ok).toBe(true);
    expect(replicas(lab)).toBe(2);
    expect(lockObject(lab)).toBeUndefined();
  });

  it('fails argo-vs-hpa when no fight happens (nobody resets replicas), and still rolls back', async () => {
    stops.push(startHpa(lab.fake));
    // A generous timeout: this test is about the fight, not the time limit (CI machines can be slow).
    const drill = { ...(await findDrill('argo-vs-hpa')), timeout: '60m' };
    const journal = await runDrill(drill, { env: lab.env, timeScale: 0.005 });
    expect(journal.status).toBe('failed');
    expect(journal.reason).toBe('the expected behaviour was not observed');
    expect(journal.observe?.expectations[0]?.met).toBe(false);
    expect(journal.rollback.map((a) => a.type)).toEqual(['git-revert', 'annotate', 'wait']);
    expect(lab.repo.commits[0]?.reverted).toBe(true);
  });

  it('drift-self-heal (the catalogue drill): the managed key is put back, the ignored one stays drifted', async () => {
    stops.push(startArgoConfigSelfHeal(lab.fake, lab.repo));
    const drill = { ...(await findDrill('drift-self-heal')), timeout: '60m' };
    const journal = await runDrill(drill, { env: lab.env, timeScale: 0.01 });
    expect(journal.reason).toBeUndefined();
    expect(journal.status).toBe('completed');
    expect(journal.observe?.expectations.map((e) => [e.probe, e.met])).toEqual([
      ['otlp-endpoint', true],
      ['service-name-drifted', true],
    ]);
    expect(lab.repo.commits[0]?.reverted).toBe(true);
    expect(lab.fake.get('v1', 'ConfigMap', 'docqa-config', 'docqa')?.data).toMatchObject({
      OTEL_SERVICE_NAME: 'docqa',
    });
  });

  it('argo-controller-down (the catalogue drill): nothing reconciles while the controller is down, then it catches up', async () => {
    const { workloadsAvailable } = await import('../../support/fake-kube/index.js');
    lab.fake.seed({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'argocd-application-controller', namespace: 'argocd' },
      spec: { replicas: 1 },
    });
    stops.push(lab.fake.addController(workloadsAvailable()), startArgoConfigSelfHeal(lab.fake, lab.repo));
    const env = {
      ...lab.env,
      prometheusUrl: 'http://prometheus.test',
      prometheus: { query: async () => 1 },
    };
    const drill = { ...(await findDrill('argo-controller-down')), timeout: '60m' };
    const journal = await runDrill(drill, { env, timeScale: 0.01 });
    expect(journal.reason).toBeUndefined();
    expect(journal.status).toBe('completed');
    expect(journal.observe?.expectations.map((e) => [e.probe, e.met])).toEqual([
      ['drill-note-absent', true],
      ['docqa-serving', true],
      ['reconciled-at', true],
    ]);
    expect(journal.rollback.map((a) => [a.type, a.status])).toEqual([
      ['scale', 'ok'],
      ['wait', 'ok'],
      ['git-revert', 'ok'],
    ]);
    expect(lab.fake.get('v1', 'ConfigMap', 'docqa-config', 'docqa')?.data).not.toHaveProperty('DRILL_NOTE');
    const controller = lab.fake.get('apps/v1', 'StatefulSet', 'argocd-application-controller', 'argocd');
    expect((controller?.spec as { replicas?: number } | undefined)?.replicas).toBe(1);
  });

  it('config-no-reload (the catalogue drill): the ConfigMap changes, the pods do not', async () => {
    stops.push(startArgoConfigSelfHeal(lab.fake, lab.repo));
    const drill = { ...(await findDrill('config-no-reload')), timeout: '60m' };
    const journal = await runDrill(drill, { env: lab.env, timeScale: 0.01 });
    expect(journal.reason).toBeUndefined();
    expect(journal.status).toBe('completed');
    expect(journal.observe?.expectations.every((e) => e.met)).toBe(true);
    expect(lab.fake.get('v1', 'ConfigMap', 'docqa-config', 'docqa')?.data).toMatchObject({
      DOCQA_FAULTS: '',
    });
  });

  it('git-unreachable (the catalogue drill): ComparisonError while Git is down, workloads untouched', async () => {
    const { workloadsAvailable } = await import('../../support/fake-kube/index.js');
    lab.fake.seed(
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'lab-git' } },
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'git-server', namespace: 'lab-git' },
        spec: { replicas: 1 },
      },
    );
    stops.push(lab.fake.addController(workloadsAvailable()), startArgoGitWatch(lab.fake));
    const env = { ...lab.env, prometheusUrl: 'http://prometheus.test', prometheus: { query: async () => 1 } };
    const drill = { ...(await findDrill('git-unreachable')), timeout: '60m' };
    const journal = await runDrill(drill, { env, timeScale: 0.01 });
    expect(journal.reason).toBeUndefined();
    expect(journal.status).toBe('completed');
    expect(journal.observe?.expectations.map((e) => [e.probe, e.met])).toEqual([
      ['comparison-error', true],
      ['sync-unknown', true],
      ['docqa-serving', true],
      ['docqa-pods-available', true],
    ]);
    const app = lab.fake.get('argoproj.io/v1alpha1', 'Application', 'docqa', 'argocd');
    expect(app?.metadata?.annotations?.['argocd.argoproj.io/refresh']).toBe('normal');
  });

  it.each([
    ['bad-canary', ['analysis-failed', 'rollout-aborted', 'pods-ready', 'stable-available', 'no-errors']],
    ['bad-image', ['image-pull-failing', 'rollout-stuck', 'app-degraded', 'docqa-serving']],
    ['latency-slo', ['p95-over-slo', 'analysis-failed', 'rollout-aborted', 'grounded-holds']],
  ])('%s (the catalogue drill): the bad version fails, a Git revert recovers', async (name, probes) => {
    const sim = startRolloutsSim(lab.fake, lab.repo);
    stops.push(sim.stop);
    const env = { ...lab.env, prometheusUrl: 'http://prometheus.test', prometheus: sim.metrics };
    const drill = { ...(await findDrill(name)), timeout: '60m' };
    const journal = await runDrill(drill, { env, timeScale: 0.01 });
    expect(journal.reason).toBeUndefined();
    expect(journal.status).toBe('completed');
    expect(journal.observe?.expectations.map((e) => [e.probe, e.met])).toEqual(probes.map((p) => [p, true]));
    expect(lab.repo.commits.map((c) => c.reverted)).toEqual([true]);
    expect((rollout(lab)?.status as { phase?: string } | undefined)?.phase).toBe('Healthy');
  });

  it('runs every rollback action even when one fails, and reports the failure', async () => {
    const drill = await loadDrillFile(fixture('failing-rollback'));
    const journal = await runDrill(drill, { env: lab.env });
    expect(journal.rollback.map((a) => a.status)).toEqual(['failed', 'ok', 'ok']);
    expect(journal.rollback[0]?.detail).toMatch(/not ?found|no-such-config/i);
    expect(replicas(lab)).toBe(2);
    expect(rollout(lab)?.metadata?.annotations?.['gitops-lab/recovered']).toBe('yes');
    expect(journal.timeline.some((e) => e.message.includes('1 rollback action(s) failed'))).toBe(true);
    // Verify passed, but a rollback step failed: the run fails (exit 1), naming the step.
    expect(journal.steady_states.after?.ok).toBe(true);
    expect(journal.status).toBe('failed');
    expect(journal.reason).toMatch(/^1 rollback action\(s\) failed: patch a ConfigMap that is not there: /);
  });

  it('--recover fails when a rollback action fails, even though verify passes', async () => {
    const drill = await loadDrillFile(fixture('failing-rollback'));
    const journal = await runDrill(drill, { env: lab.env, recover: true });
    expect(journal.mode).toBe('recover');
    expect(journal.steady_states.after?.ok).toBe(true);
    expect(journal.rollback.map((a) => a.status)).toEqual(['failed', 'ok', 'ok']);
    expect(journal.status).toBe('failed');
  });

  it('refuses to start while another drill holds the lock, naming it', async () => {
    const drill = await loadDrillFile(fixture('scale-drill'));
    lab.fake.seed({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: lockName, namespace: 'argocd' },
      data: {
        holder: 'ana@laptop pid 42',
        drill: 'bad-canary',
        started: new Date().toISOString(),
        expires: new Date(Date.now() + 60_000).toISOString(),
      },
    });
    const error = await runDrill(drill, { env: lab.env }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PreconditionError);
    expect((error as Error).message).toContain(
      'another drill is running: bad-canary, held by ana@laptop pid 42',
    );
    expect(replicas(lab)).toBe(2);
    expect(lockObject(lab)?.data).toMatchObject({ drill: 'bad-canary' });
  });

  it('lets only one of two drills started together run', async () => {
    const drill = await loadDrillFile(fixture('scale-drill'));
    const results = await Promise.allSettled([
      runDrill(drill, { env: lab.env }),
      runDrill(drill, { env: lab.env }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(PreconditionError);
    expect(lockObject(lab)).toBeUndefined();
  });

  it('hints at --recover for a stale lock and --recover takes it over and rolls back', async () => {
    const drill = await loadDrillFile(fixture('scale-drill'));
    lab.fake.update('argoproj.io/v1alpha1', 'Rollout', 'docqa', 'docqa', (o) => {
      (o.spec as { replicas: number }).replicas = 5;
    });
    lab.fake.seed({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: lockName, namespace: 'argocd' },
      data: {
        holder: 'old',
        drill: 'scale-drill',
        started: '2026-01-01T00:00:00.000Z',
        expires: '2026-01-01T00:10:00.000Z',
      },
    });
    const refused = await runDrill(drill, { env: lab.env }).catch((e: unknown) => e);
    expect((refused as PreconditionError).hint).toMatch(/stale.*gitops-lab drill scale-drill --recover/);

    const journal = await runDrill(drill, { env: lab.env, recover: true });
    expect(journal.mode).toBe('recover');
    expect(journal.status).toBe('completed');
    expect(journal.inject).toEqual([]);
    expect(journal.rollback.map((a) => a.status)).toEqual(['ok']);
    expect(replicas(lab)).toBe(2);
    expect(lockObject(lab)).toBeUndefined();
  });

  it('--recover refuses to race a drill that is still running on this machine', async () => {
    const { hostname } = await import('node:os');
    const drill = await loadDrillFile(fixture('scale-drill'));
    lab.fake.seed({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: lockName, namespace: 'argocd' },
      data: {
        holder: `me@${hostname()} pid ${process.ppid}`,
        drill: 'scale-drill',
        started: new Date().toISOString(),
        expires: new Date(Date.now() + 60_000).toISOString(),
      },
    });
    const error = await runDrill(drill, { env: lab.env, recover: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PreconditionError);
    expect((error as Error).message).toBe(
      `drill scale-drill is still running on this machine (pid ${process.ppid}); --recover would race it.`,
    );
    expect(lockObject(lab)).toBeDefined();
  });

  it('rolls back when interrupted mid-observe and reports "interrupted"', async () => {
    const drill = await loadDrillFile(fixture('slow-inject'));
    const controller = new AbortController();
    const journalPromise = runDrill(drill, {
      env: lab.env,
      signal: controller.signal,
      onEvent: (event) => {
        if (event.kind === 'timeline' && event.entry.message.startsWith('✓ scaled')) controller.abort();
      },
    });
    const journal = await journalPromise;
    expect(journal.status).toBe('interrupted');
    expect(journal.observe).toBeNull();
    expect(journal.rollback.map((a) => a.status)).toEqual(['ok', 'ok', 'ok']);
    expect(replicas(lab)).toBe(2);
    expect(rollout(lab)?.metadata?.annotations?.['gitops-lab/rolled-back']).toBe('yes');
    expect(journal.timeline.some((e) => e.message.startsWith('interrupted'))).toBe(true);
  });

  it('aborts on a probe error during observe and still rolls back', async () => {
    const drill = await loadDrillFile(fixture('scale-drill'));
    const journalPromise = runDrill(drill, {
      env: lab.env,
      onEvent: (event) => {
        if (
          event.kind === 'timeline' &&
          event.entry.phase === 'observe' &&
          event.entry.message.startsWith('observing')
        ) {
          lab.fake.failOn({
            method: 'GET',
            plural: 'rollouts',
            status: 500,
            message: 'etcd is on fire',
            times: 1,
          });
        }
      },
    });
    const journal = await journalPromise;
    expect(journal.status).toBe('aborted');
    expect(journal.reason).toMatch(/probe replicas: cannot read from the cluster/);
    expect(journal.rollback.map((a) => a.status)).toEqual(['ok']);
    expect(replicas(lab)).toBe(2);
  });

  it('aborts at the drill timeout and rolls back', async () => {
    const drill = await loadDrillFile(fixture('slow-inject'));
    const journal = await runDrill({ ...drill, timeout: '300ms' }, { env: lab.env });
    expect(journal.status).toBe('aborted');
    expect(journal.reason).toBe('timed out after 300ms');
    expect(replicas(lab)).toBe(2);
    expect(journal.rollback).toHaveLength(3);
  });

  /** The lab's KubeAccess, except that a patch matching `hangs` never returns (it records the signal it got). */
  function hangingKube(
    hangs: (patch: unknown) => boolean,
    signals: AbortSignal[] = [],
    onHang: () => void = () => {},
  ): KubeAccess {
    const kube = lab.env.kube;
    return {
      ...kube,
      patch: (ref, patch, type, options) => {
        if (!hangs(patch)) return kube.patch(ref, patch, type, options);
        if (options?.signal) signals.push(options.signal);
        onHang();
        return new Promise<never>(() => {});
      },
    };
  }
  const scaleTo = (n: number) => (patch: unknown) =>
    (patch as { spec?: { replicas?: number } }).spec?.replicas === n;

  it('fails a hung inject action at its time limit, naming it, and still rolls back', async () => {
    const signals: AbortSignal[] = [];
    const drill = await loadDrillFile(fixture('scale-drill'));
    const inject = drill.inject.map((a) => ({ ...a, timeout: '150ms' }));
    const started = Date.now();
    const journal = await runDrill(
      { ...drill, inject },
      { env: { ...lab.env, kube: hangingKube(scaleTo(5), signals) } },
    );
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(journal.status).toBe('aborted');
    expect(journal.reason).toBe(
      'inject action failed: scale Rollout docqa/docqa to 5: the scale action did not finish within its time limit of 150ms (set `timeout:` on the action to change it)',
    );
    expect(journal.inject.map((a) => a.status)).toEqual(['failed']);
    expect(journal.rollback.map((a) => [a.type, a.status])).toEqual([['scale', 'ok']]);
    expect(signals.map((s) => s.aborted)).toEqual([true]);
    expect(replicas(lab)).toBe(2);
  });

  it('records a hung rollback action as failed and runs the next one', async () => {
    const drill = await loadDrillFile(fixture('scale-drill'));
    const annotate = {
      type: 'annotate' as const,
      target: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', namespace: 'docqa', name: 'docqa' },
      annotations: { 'gitops-lab/stuck': 'yes' },
      timeout: '100ms',
    };
    const hangsOnAnnotate = (patch: unknown) => (patch as { metadata?: unknown }).metadata !== undefined;
    const journal = await runDrill(
      { ...drill, rollback: [annotate, ...drill.rollback] },
      { env: { ...lab.env, kube: hangingKube(hangsOnAnnotate) } },
    );
    expect(journal.rollback.map((a) => [a.type, a.status])).toEqual([
      ['annotate', 'failed'],
      ['scale', 'ok'],
    ]);
    expect(journal.rollback[0]?.detail).toBe(
      'the annotate action did not finish within its time limit of 100ms (set `timeout:` on the action to change it)',
    );
    expect(replicas(lab)).toBe(2);
    expect(journal.timeline.some((e) => e.message.includes('1 rollback action(s) failed'))).toBe(true);
  });

  it('lets a Kubernetes action in flight settle (here: its time limit) before rolling back on an interrupt', async () => {
    const signals: AbortSignal[] = [];
    const drill = await loadDrillFile(fixture('scale-drill'));
    const inject = drill.inject.map((a) => ({ ...a, timeout: '200ms' }));
    const controller = new AbortController();
    const journal = await runDrill(
      { ...drill, inject, timeout: '60s' },
      {
        env: { ...lab.env, kube: hangingKube(scaleTo(5), signals, () => controller.abort('SIGINT')) },
        signal: controller.signal,
      },
    );
    expect(journal.status).toBe('interrupted');
    expect(journal.reason).toBe('interrupted by SIGINT');
    // The interrupt did not cut the request: only the action's own limit did.
    expect(signals.map((s) => s.aborted)).toEqual([true]);
    expect(
      journal.timeline.some((e) =>
        e.message.startsWith(
          'interrupted while "scale Rollout docqa/docqa to 5" is in flight: letting it settle',
        ),
      ),
    ).toBe(true);
    expect(journal.rollback.map((a) => [a.type, a.status])).toEqual([['scale', 'ok']]);
    expect(replicas(lab)).toBe(2);
  });

  it('stops at a failed precondition without injecting or rolling back', async () => {
    lab.fake.update('argoproj.io/v1alpha1', 'Application', 'docqa', 'argocd', (o) => {
      (o.status as { sync: { status: string } }).sync.status = 'OutOfSync';
    });
    const drill = await loadDrillFile(fixture('scale-drill'));
    const journal = await runDrill(drill, { env: lab.env });
    expect(journal.precondition_failed).toBe(true);
    expect(journal.status).toBe('aborted');
    expect(journal.reason).toMatch(
      /precondition failed: Argo CD Application argocd\/docqa is Synced \(sync OutOfSync/,
    );
    expect(journal.inject).toEqual([]);
    expect(journal.rollback).toEqual([]);
    expect(lab.fake.clientMutations().filter((m) => m.kind === 'Rollout')).toEqual([]);
  });

  it('does not inject when the steady state does not hold first', async () => {
    lab.fake.update('argoproj.io/v1alpha1', 'Rollout', 'docqa', 'docqa', (o) => {
      (o.spec as { replicas: number }).replicas = 6;
    });
    const drill = await loadDrillFile(fixture('scale-drill'));
    const journal = await runDrill(drill, { env: lab.env });
    expect(journal.status).toBe('failed');
    expect(journal.reason).toMatch(/steady state did not hold before injecting/);
    expect(journal.steady_states.before?.probes[0]).toMatchObject({ ok: false, value: 6 });
    expect(replicas(lab)).toBe(6);
    expect(journal.rollback).toEqual([]);
  });

  it('completes a passing drill: steady states before and after, samples, expectations', async () => {
    const drill = await loadDrillFile(fixture('scale-drill'));
    const samples: unknown[] = [];
    const journal = await runDrill(drill, {
      env: lab.env,
      onEvent: (e) => e.kind === 'sample' && samples.push(e.numeric),
    });
    expect(journal.status).toBe('completed');
    expect(journal.steady_states.before?.ok).toBe(true);
    expect(journal.steady_states.after?.ok).toBe(true);
    expect(journal.observe?.expectations[0]).toMatchObject({ met: true, expectation: 'reaches 5' });
    expect(samples).toContain(5);
    expect(journal.inject[0]).toMatchObject({ type: 'scale', status: 'ok' });
  });
});
