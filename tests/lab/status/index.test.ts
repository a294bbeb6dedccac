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
import { release, unmeasurable, until } from '../../support/sim-releases.js';

describe('collectStatus: the resources that make an app OutOfSync', { timeout: 120_000 }, () => {
  let lab: SimLab | undefined;
  afterEach(async () => {
    await lab?.close();
    lab = undefined;
  });

  const collect = (sim: SimLab, clock: VirtualClock) =>
    collectStatus(defaultConfig(), {
      kube: createKubeClient({ kubeconfig: sim.cluster.kubeconfigPath }),
      prometheusUrl: 'http://127.0.0.1:1',
      prometheusTimeoutMs: 200,
      simulated: { speed: 1, clock },
    });

  it('names a drifted object of the simulated lab until self-heal puts it back', async () => {
    const clock = new VirtualClock({ start: 0 });
    lab = await startSimLab({ clock });
    lab.cluster.update('autoscaling/v2', 'HorizontalPodAutoscaler', 'docqa', 'docqa', (o) => {
      (o.spec as { maxReplicas: number }).maxReplicas = 9;
    });
    // Argo CD has compared (at once, on the watch) and started its self-heal, whose sync takes 2 s.
    await sleep(clock, 500);
    const drifted = await collect(lab, clock);
    const docqa = drifted.apps.find((a) => a.name === 'docqa');
    expect(docqa?.sync).toBe('OutOfSync');
    expect(docqa?.outOfSync).toEqual([
      { kind: 'HorizontalPodAutoscaler', namespace: 'docqa', name: 'docqa' },
    ]);
    expect(drifted.problems).toContain(
      'Application docqa is OutOfSync/Healthy: out of sync: HorizontalPodAutoscaler docqa/docqa',
    );
    await sleep(clock, 5000);
    const healed = await collect(lab, clock);
    expect(healed.apps.find((a) => a.name === 'docqa')).not.toHaveProperty('outOfSync');
    expect(healed.problems.filter((p) => p.startsWith('Application'))).toEqual([]);
  });
});

describe('collectStatus: a Rollout that waits for a person', { timeout: 120_000 }, () => {
  let lab: SimLab | undefined;
  afterEach(async () => {
    await lab?.close();
    lab = undefined;
  });

  it('says so, with the command, after an Inconclusive analysis and when paused by hand; not at a timed pause', async () => {
    const clock = new VirtualClock({ start: 0 });
    // Without answers to measure (every ratio NaN), the canary's analysis ends Inconclusive.
    lab = await startSimLab({ clock, behaviour: unmeasurable });
    const sim = lab;
    const collect = () =>
      collectStatus(defaultConfig(), {
        kube: createKubeClient({ kubeconfig: sim.cluster.kubeconfigPath }),
        prometheusUrl: 'http://127.0.0.1:1',
        prometheusTimeoutMs: 200,
        simulated: { speed: 1, clock },
      });
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
