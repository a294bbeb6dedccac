/** One-line summaries of cluster objects that `status` prints. */
import { describe, expect, it } from 'vitest';
import { hpaProblem, hpaTargets } from '../../../src/lab/kube/status.js';
import type { HorizontalPodAutoscaler } from '../../../src/lab/kube/types.js';

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
