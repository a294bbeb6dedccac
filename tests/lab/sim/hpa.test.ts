/**
 * The simulated HPA controller in the lab (Kubernetes v1.33 pkg/controller/podautoscaler/horizontal.go), as a user
 * sees it with `kubectl get hpa`, `kubectl describe hpa` and the Rollout's replicas. All time is virtual.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sleep } from '../../../src/lab/clock.js';
import { VirtualClock } from '../../../src/lab/sim/clock.js';
import { type SimLab, startSimLab } from '../../../src/lab/sim/lab.js';
import type { KubeObject } from '../../../src/lab/sim/store.js';

const ROLLOUT = ['argoproj.io/v1alpha1', 'Rollout', 'docqa', 'docqa'] as const;
const HPA = ['autoscaling/v2', 'HorizontalPodAutoscaler', 'docqa', 'docqa'] as const;

interface HpaStatus {
  currentReplicas?: number;
  desiredReplicas?: number;
  lastScaleTime?: string;
  currentMetrics?: unknown[];
  conditions?: Array<{ type: string; status: string; reason: string; message: string }>;
}

describe('the HPA controller in the simulated lab', { timeout: 180_000 }, () => {
  let lab: SimLab | undefined;
  afterEach(async () => {
    await lab?.close();
    lab = undefined;
  });

  const replicas = () => (lab?.cluster.get(...ROLLOUT)?.spec as { replicas?: number } | undefined)?.replicas;
  const hpa = () => (lab?.cluster.get(...HPA)?.status ?? {}) as HpaStatus;
  const condition = (type: string) => hpa().conditions?.find((c) => c.type === type);
  const events = () =>
    (lab?.cluster.list('v1', 'Event', 'docqa') ?? []).filter(
      (e: KubeObject) => (e.involvedObject as { name?: string }).name === 'docqa',
    );
  const scaleTo = (n: number) =>
    lab?.cluster.update(...ROLLOUT, (o) => {
      (o.spec as { replicas: number }).replicas = n;
    });

  it('at rest: CPU utilization read from metrics, the count held at minReplicas, and the conditions say so', async () => {
    const clock = new VirtualClock({ start: 0 });
    lab = await startSimLab({ clock });
    await sleep(clock, 6 * 60_000);
    expect(replicas()).toBe(2);
    expect(hpa()).toMatchObject({
      currentReplicas: 2,
      desiredReplicas: 2,
      currentMetrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', current: { averageUtilization: 1, averageValue: '1m' } },
        },
      ],
    });
    expect(condition('AbleToScale')).toMatchObject({ status: 'True', reason: 'ReadyForNewScale' });
    expect(condition('ScalingActive')).toMatchObject({
      status: 'True',
      reason: 'ValidMetricFound',
      message:
        'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)',
    });
    expect(condition('ScalingLimited')).toMatchObject({
      status: 'True',
      reason: 'TooFewReplicas',
      message: 'the desired replica count is less than the minimum replica count',
    });
  });

  it('below minReplicas: back to the minimum within one 15 s sync, with the reason in an event', async () => {
    const clock = new VirtualClock({ start: 0 });
    lab = await startSimLab({ clock });
    scaleTo(1);
    await sleep(clock, 15_000);
    expect(replicas()).toBe(2);
    expect(events().map((e) => e.message)).toContain(
      'New size: 2; reason: Current number of replicas below Spec.MinReplicas',
    );
    expect(hpa().lastScaleTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('scaled to zero by hand: left at zero (autoscaling is disabled), not brought back to the minimum', async () => {
    const clock = new VirtualClock({ start: 0 });
    lab = await startSimLab({ clock });
    scaleTo(0);
    await sleep(clock, 60_000);
    expect(replicas()).toBe(0);
    expect(condition('ScalingActive')).toMatchObject({
      status: 'False',
      reason: 'ScalingDisabled',
      message: 'scaling is disabled since the replica count of the target is zero',
    });
  });

  it('under load it scales up in steps (at most double, or 4, a sync; the highest recent recommendation) to maxReplicas; after the load it holds for the 5-minute window, then returns to the minimum', async () => {
    const clock = new VirtualClock({ start: 0 });
    let busy = false;
    // 150m of a 100m request a container while busy: 150% against the lab's 70% target.
    lab = await startSimLab({
      clock,
      hpa: { usage: (_pod, _c, r) => (r === 'cpu' ? (busy ? 150 : 1) : undefined) },
    });
    await sleep(clock, 6 * 60_000);
    const seen: number[] = [];
    lab.cluster.onChange((e) => {
      if (e.object.kind !== 'Rollout') return;
      const n = (e.object.spec as { replicas?: number }).replicas ?? 0;
      if (seen.at(-1) !== n) seen.push(n);
    });
    busy = true;
    await sleep(clock, 2 * 60_000);
    // 2 pods at 150/70 recommend 5, limited to max(2 × 2, 4) = 4. The new pods are Ready as they start (their
    // readiness probe passes at the start's own probe), one metric window (15 s) before the next sync: it measures
    // all four busy, asks for 9, limited to max(2 × 4, 4) = 8 and held at maxReplicas 6.
    expect(seen).toEqual([4, 6]);
    expect(condition('ScalingLimited')).toMatchObject({ status: 'True', reason: 'TooManyReplicas' });
    expect(events().map((e) => e.message)).toContain(
      'New size: 4; reason: cpu resource utilization (percentage of request) above target',
    );
    busy = false;
    await sleep(clock, 4 * 60_000);
    expect(replicas()).toBe(6);
    expect(condition('AbleToScale')).toMatchObject({ reason: 'ScaleDownStabilized' });
    await sleep(clock, 2 * 60_000);
    expect(replicas()).toBe(2);
    expect(events().map((e) => e.message)).toContain('New size: 2; reason: All metrics below target');
  });

  it('a metric that cannot be read keeps the count and says why (ScalingActive False)', async () => {
    const clock = new VirtualClock({ start: 0 });
    lab = await startSimLab({ clock, hpa: { usage: () => undefined } });
    await sleep(clock, 2 * 60_000);
    expect(replicas()).toBe(2);
    expect(condition('ScalingActive')).toMatchObject({
      status: 'False',
      reason: 'FailedGetResourceMetric',
      message:
        'the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API',
    });
    // The event recorder counts repeats of the same warning in one event.
    const warnings = events().filter((e) => e.reason === 'FailedGetResourceMetric');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.count as number).toBeGreaterThan(1);
  });
  it('a target that does not exist: AbleToScale False with the API error, and a FailedGetScale event', async () => {
    const clock = new VirtualClock({ start: 0 });
    lab = await startSimLab({ clock });
    lab.cluster.seed({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'ghost', namespace: 'docqa' },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'ghost' },
        minReplicas: 1,
        maxReplicas: 3,
      },
    });
    await sleep(clock, 15_000);
    const status = lab.cluster.get('autoscaling/v2', 'HorizontalPodAutoscaler', 'ghost', 'docqa')
      ?.status as HpaStatus;
    expect(status.conditions?.find((c) => c.type === 'AbleToScale')).toMatchObject({
      status: 'False',
      reason: 'FailedGetScale',
      message:
        'the HPA controller was unable to get the target\'s current scale: deployments.apps "ghost" not found',
    });
    const events = lab.cluster.list('v1', 'Event', 'docqa').filter((e) => e.reason === 'FailedGetScale');
    expect(events.map((e) => e.message)).toEqual(['deployments.apps "ghost" not found']);
  });
});
