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
