/** One-line summaries of cluster objects that `status` prints. */
import { describe, expect, it } from 'vitest';
import { canaryWeights, hpaProblem, hpaTargets } from '../../../src/lab/kube/status.js';
import type { HorizontalPodAutoscaler, Rollout } from '../../../src/lab/kube/types.js';

const hpa = (spec: HorizontalPodAutoscaler['spec'], status?: HorizontalPodAutoscaler['status']) =>
  ({
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'h' },
    spec,
    status,
  }) as HorizontalPodAutoscaler;

const cpu70 = {
  type: 'Resource',
  resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
};

describe("an HPA's TARGETS, as kubectl get hpa prints them (kubectl printers.go formatHPAMetrics)", () => {
  it('current utilization over the target', () => {
    const current = [
      { type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 1, averageValue: '1m' } } },
    ];
    expect(hpaTargets(hpa({ metrics: [cpu70] }, { currentMetrics: current }))).toBe('cpu: 1%/70%');
  });

  it('<unknown> before the HPA has read the metric, or when the read failed (an empty current entry)', () => {
    expect(hpaTargets(hpa({ metrics: [cpu70] }))).toBe('cpu: <unknown>/70%');
    expect(hpaTargets(hpa({ metrics: [cpu70] }, { currentMetrics: [{ type: '' }] }))).toBe(
      'cpu: <unknown>/70%',
    );
  });

  it('average values, pods metrics, and at most two metrics shown', () => {
    const memory = {
      type: 'Resource',
      resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '500Mi' } },
    };
    const rps = {
      type: 'Pods',
      pods: { metric: { name: 'rps' }, target: { type: 'AverageValue', averageValue: '10' } },
    };
    const current = [
      { type: 'Resource', resource: { name: 'memory', current: { averageValue: '200Mi' } } },
      { type: 'Pods', pods: { metric: { name: 'rps' }, current: { averageValue: '4' } } },
    ];
    expect(hpaTargets(hpa({ metrics: [memory, rps, cpu70] }, { currentMetrics: current }))).toBe(
      'memory: 200Mi/500Mi, rps: 4/10, + 1 more...',
    );
  });

  it('why it cannot scale: a False AbleToScale or ScalingActive condition; nothing when both hold', () => {
    const failing = hpa(
      { metrics: [cpu70] },
      {
        conditions: [
          { type: 'AbleToScale', status: 'True', reason: 'SucceededGetScale' },
          {
            type: 'ScalingActive',
            status: 'False',
            reason: 'ScalingDisabled',
            message: 'scaling is disabled since the replica count of the target is zero',
          },
        ],
      },
    );
    expect(hpaProblem(failing)).toBe(
      'ScalingDisabled: scaling is disabled since the replica count of the target is zero',
    );
    const fine = hpa(
      {},
      { conditions: [{ type: 'ScalingActive', status: 'True', reason: 'ValidMetricFound' }] },
    );
    expect(hpaProblem(fine)).toBeUndefined();
  });
});

describe("a canary's weights, as kubectl argo rollouts get shows them (argo-rollouts v1.8.3 info/rollout_info.go)", () => {
  // The lab's steps: setWeight 20, pause, analysis, setWeight 50, pause, analysis.
  const steps = [
    { setWeight: 20 },
    { pause: { duration: '1m' } },
    { analysis: {} },
    { setWeight: 50 },
    { pause: { duration: '1m' } },
    { analysis: {} },
  ];
  const rollout = (status: NonNullable<Rollout['status']>, trafficRouting?: object): Rollout => ({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'docqa', namespace: 'docqa' },
    spec: { strategy: { canary: { steps, ...(trafficRouting ? { trafficRouting } : {}) } } },
    status: { currentPodHash: 'new', stableRS: 'old', ...status },
  });

  // [status, the canary's available pods, set, actual]: integer division as Go's.
  it.each([
    [{ currentStepIndex: 1, availableReplicas: 5 }, 1, 20, 20],
    [{ currentStepIndex: 2, availableReplicas: 3 }, 1, 20, 33],
    [{ currentStepIndex: 4, availableReplicas: 4 }, 2, 50, 50],
  ] as const)(
    'without traffic routing: %o with %i canary pods available is set %i, actual %i',
    (status, pods, set, actual) => {
      expect(canaryWeights(rollout(status), pods)).toEqual({ set, actual });
    },
  );

  it('with traffic routing, actual is the router weight in the status, else the set weight', () => {
    const routed = { nginx: { stableIngress: 'docqa' } };
    const weights = { canary: { weight: 15 }, stable: { weight: 85 } };
    expect(
      canaryWeights(rollout({ currentStepIndex: 1, availableReplicas: 5, canary: { weights } }, routed), 0),
    ).toEqual({ set: 20, actual: 15 });
    expect(canaryWeights(rollout({ currentStepIndex: 1, availableReplicas: 5 }, routed), 0)).toEqual({
      set: 20,
      actual: 20,
    });
  });

  it.each([
    ['an abort sets 0', { currentStepIndex: 2, abort: true, availableReplicas: 2 }, 0, 0, 0],
    ['past the last step both are 100', { currentStepIndex: 6, availableReplicas: 2 }, 2, 100, 100],
    ['no available pod is 0', { currentStepIndex: 0, availableReplicas: 0 }, 0, 20, 0],
  ] as const)('%s', (_, status, pods, set, actual) => {
    expect(canaryWeights(rollout(status), pods)).toEqual({ set, actual });
  });

  it('no canary (the newest pods are the stable ones), no weights', () => {
    expect(canaryWeights(rollout({ currentPodHash: 'old', currentStepIndex: 6 }), 2)).toBeUndefined();
  });
});
