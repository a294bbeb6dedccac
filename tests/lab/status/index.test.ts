/**
 * collectStatus against the simulated lab, read through its API server as a real cluster is: an Application's
 * out-of-sync resources come from the status.resources the simulated Argo CD writes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sleep } from '../../../src/lab/clock.js';
import { defaultConfig } from '../../../src/lab/config.js';
import { createKubeClient } from '../../../src/lab/kube/client.js';
import { VirtualClock } from '../../../src/lab/sim/clock.js';
import { type SimLab, startSimLab } from '../../../src/lab/sim/lab.js';
import { collectStatus, outOfSyncText } from '../../../src/lab/status/index.js';
import { release, releaseInWaves, unmeasurable, until } from '../../support/sim-releases.js';

let lab: SimLab | undefined;
afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

/** collectStatus of the simulated lab, through its API server, with no Prometheus to ask. */
const statusOf = (sim: SimLab, clock: VirtualClock) =>
  collectStatus(defaultConfig(), {
    kube: createKubeClient({ kubeconfig: sim.cluster.kubeconfigPath }),
    prometheusUrl: 'http://127.0.0.1:1',
    prometheusTimeoutMs: 200,
    simulated: { speed: 1, clock },
  });

describe('collectStatus: the resources that make an app OutOfSync', { timeout: 120_000 }, () => {
  it('names a drifted object of the simulated lab until self-heal puts it back', async () => {
    const clock = new VirtualClock({ start: 0 });
    lab = await startSimLab({ clock });
    lab.cluster.update('autoscaling/v2', 'HorizontalPodAutoscaler', 'docqa', 'docqa', (o) => {
      (o.spec as { maxReplicas: number }).maxReplicas = 9;
    });
    // Argo CD has compared (at once, on the watch) and started its self-heal, whose sync takes 2 s.
    await sleep(clock, 500);
    const drifted = await statusOf(lab, clock);
    const docqa = drifted.apps.find((a) => a.name === 'docqa');
    expect(docqa?.sync).toBe('OutOfSync');
    expect(docqa?.outOfSync).toEqual([
      { kind: 'HorizontalPodAutoscaler', namespace: 'docqa', name: 'docqa' },
    ]);
    // The self-heal's sync is under way: in progress, not a problem.
    expect(drifted.apps.find((a) => a.name === 'docqa')?.operation).toEqual({ phase: 'Running' });
    expect(drifted.inProgress).toContain(
      'Application docqa is OutOfSync/Healthy, syncing: sync Running; out of sync: HorizontalPodAutoscaler docqa/docqa',
    );
    expect(drifted.problems.filter((p) => p.startsWith('Application'))).toEqual([]);
    await sleep(clock, 5000);
    const healed = await statusOf(lab, clock);
    expect(healed.apps.find((a) => a.name === 'docqa')).not.toHaveProperty('outOfSync');
    expect(healed.problems.filter((p) => p.startsWith('Application'))).toEqual([]);
  });
});

describe('collectStatus: a sync waiting on its waves, then failing', { timeout: 300_000 }, () => {
  it("is in progress with Argo CD's wait, then a problem with its SyncError once the retries are spent", async () => {
    const clock = new VirtualClock({ start: 0 });
    lab = await startSimLab({ clock });
    const sim = lab;
    const collect = () => statusOf(sim, clock);
    const docqa = async () => (await collect()).apps.find((a) => a.name === 'docqa');
    const state = () =>
      (
        sim.cluster.get('argoproj.io/v1alpha1', 'Application', 'docqa', 'argocd')?.status as
          | { operationState?: { phase?: string; message?: string } }
          | undefined
      )?.operationState;
    // A canary that fails its analysis, the ConfigMap a wave after it.
    await releaseInWaves(sim, { name: 'DOCQA_FAULTS', value: 'wrong-retrieval' });
    await until(
      clock,
      () => state()?.message === 'waiting for healthy state of argoproj.io/Rollout/docqa',
      60_000,
    );
    const waiting = await collect();
    expect(waiting.apps.find((a) => a.name === 'docqa')?.operation).toEqual({
      phase: 'Running',
      message: 'waiting for healthy state of argoproj.io/Rollout/docqa',
    });
    expect(waiting.inProgress.find((l) => l.startsWith('Application docqa'))).toMatch(
      /^Application docqa is OutOfSync\/\w+, syncing: waiting for healthy state of argoproj.io\/Rollout\/docqa; out of sync: ConfigMap docqa\/docqa-config/,
    );
    expect(waiting.problems.filter((p) => p.startsWith('Application'))).toEqual([]);
    await until(clock, () => state()?.phase === 'Failed', 900_000);
    await sleep(clock, 5_000);
    const failed = await collect();
    expect((await docqa())?.operation?.phase).toBe('Failed');
    expect(failed.problems.find((p) => p.startsWith('Application docqa'))).toMatch(
      /^Application docqa is OutOfSync\/\w+: Failed sync attempt to [0-9a-f]{40}: one or more synchronization tasks completed unsuccessfully \(retried 5 times\)\./,
    );
    expect(failed.healthy).toBe(false);
  });
});

describe('collectStatus: a Rollout that waits for a person', { timeout: 120_000 }, () => {
  it('says so, with the command, after an Inconclusive analysis and when paused by hand; not at a timed pause', async () => {
    const clock = new VirtualClock({ start: 0 });
    // Without answers to measure (every ratio NaN), the canary's analysis ends Inconclusive.
    lab = await startSimLab({ clock, behaviour: unmeasurable });
    const sim = lab;
    const collect = () => statusOf(sim, clock);
    const rollout = () => sim.cluster.get('argoproj.io/v1alpha1', 'Rollout', 'docqa', 'docqa');
    const reasons = () =>
      ((rollout()?.status ?? {}) as { pauseConditions?: Array<{ reason: string }> }).pauseConditions?.map(
        (c) => c.reason,
      ) ?? [];
    await release(sim, { 'spec.template.metadata.annotations': { release: 'waits' } }, 'test: a canary');
    await until(clock, () => reasons().includes('CanaryPauseStep'), 120_000);
    // A pause step with a duration ends by itself.
    expect((await collect()).inProgress.filter((l) => l.startsWith('Rollout'))).toEqual([]);
    await until(clock, () => reasons().includes('InconclusiveAnalysis'), 600_000);
    const inconclusive = await collect();
    expect(inconclusive.healthy).toBe(true);
    expect(inconclusive.inProgress).toContain(
      'Rollout docqa/docqa waits for a person: its analysis was Inconclusive: promote it ' +
        '(`kubectl argo rollouts promote docqa -n docqa`) or abort it (`kubectl argo rollouts abort docqa -n docqa`)',
    );
    sim.cluster.update('argoproj.io/v1alpha1', 'Rollout', 'docqa', 'docqa', (o) => {
      (o.status as { pauseConditions?: unknown }).pauseConditions = undefined;
      (o.spec as { paused?: boolean }).paused = true;
    });
    expect((await collect()).inProgress).toContain(
      'Rollout docqa/docqa waits for a person: it was paused by hand (spec.paused): resume it with ' +
        '`kubectl argo rollouts promote docqa -n docqa`',
    );
  });
});

describe('outOfSyncText', () => {
  it('keeps to one line: three names, then how many more; a cluster-scoped resource has no namespace', () => {
    const r = (name: string) => ({ kind: 'ConfigMap', namespace: 'n', name });
    expect(outOfSyncText([r('a'), r('b'), r('c')])).toBe(
      'out of sync: ConfigMap n/a, ConfigMap n/b, ConfigMap n/c',
    );
    expect(outOfSyncText([r('a'), r('b'), r('c'), r('d')])).toBe(
      'out of sync: ConfigMap n/a, ConfigMap n/b, ConfigMap n/c and 1 more',
    );
    expect(outOfSyncText([{ kind: 'Namespace', name: 'docqa' }])).toBe('out of sync: Namespace docqa');
  });
});
