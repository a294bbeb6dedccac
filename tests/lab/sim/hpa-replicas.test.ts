/**
 * The HPA's replica calculator against Kubernetes' own cases (pkg/controller/podautoscaler/horizontal_test.go:
 * TestScaleUp, TestScaleUpUnreadyLessScale, TestScaleDown, TestMinReplicas, TestMaxReplicas, TestSuperfluousMetrics,
 * TestMissingMetrics, TestEmptyMetrics; the proposal before min/max normalization), and its quantities
 * (k8s.io/apimachinery resource.Quantity MilliValue and DecimalSI formatting).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type PodMetric,
  type ReplicaInputs,
  rawResourceReplicas,
  resourceReplicas,
} from '../../../src/lab/sim/hpa-replicas.js';
import { formatMilli, milliValue } from '../../../src/lab/sim/quantity.js';
import type { KubeObject } from '../../../src/lab/sim/store.js';

const NOW = Date.parse('2026-12-04T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

interface PodCase {
  /** The container's CPU request; none when absent. */
  request?: string;
  level?: number;
  ready?: boolean;
  /** Started this long ago (default: an hour, long past the CPU initialization period). */
  startedAgoMs?: number;
  phase?: string;
}

function setup(pods: PodCase[], current: number): ReplicaInputs {
  const metrics = new Map<string, PodMetric>();
  const objects: KubeObject[] = pods.map((p, i) => {
    const name = `pod-${i}`;
    if (p.level !== undefined) metrics.set(name, { value: p.level, timestamp: NOW, windowMs: 15_000 });
    const started = NOW - (p.startedAgoMs ?? 3_600_000);
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'ns', labels: { app: 'x' } },
      spec: {
        containers: [
          { name: 'c', resources: p.request === undefined ? {} : { requests: { cpu: p.request } } },
        ],
      },
      status: {
        phase: p.phase ?? 'Running',
        startTime: iso(started),
        conditions: [
          { type: 'Ready', status: p.ready === false ? 'False' : 'True', lastTransitionTime: iso(started) },
        ],
      },
    };
  });
  return {
    currentReplicas: current,
    resource: 'cpu',
    pods: objects,
    metrics,
    now: NOW,
    tolerance: 0.1,
    cpuInitializationPeriodMs: 300_000,
    initialReadinessDelayMs: 30_000,
  };
}

describe('GetResourceReplicas: the count a CPU utilization target asks for', () => {
  it('TestScaleUp: 300m, 500m, 700m of 1 CPU each at a 30% target → 5 (50%)', () => {
    const inputs = setup(
      [300, 500, 700].map((level) => ({ request: '1.0', level })),
      3,
    );
    expect(resourceReplicas(inputs, 30)).toEqual({ replicas: 5, utilization: 50, rawAverage: 500 });
  });

  it('TestScaleUpUnreadyLessScale: an unready pod counts as idle on the way up → 4 (reported 60%)', () => {
    const inputs = setup(
      [
        { request: '1.0', level: 300, ready: false },
        { request: '1.0', level: 500 },
        { request: '1.0', level: 700 },
      ],
      3,
    );
    expect(resourceReplicas(inputs, 30)).toMatchObject({ replicas: 4, utilization: 60 });
  });

  it('TestScaleDown: 100m, 300m, 500m, 250m, 250m at a 50% target → 3', () => {
    const inputs = setup(
      [100, 300, 500, 250, 250].map((level) => ({ request: '1.0', level })),
      5,
    );
    expect(resourceReplicas(inputs, 50)).toMatchObject({ replicas: 3, utilization: 28 });
  });

  it('TestMinReplicas: 10m, 95m, 10m of 0.9, 1.0, 1.1 CPU at 90% → 1 (the HPA then applies minReplicas)', () => {
    const inputs = setup(
      [
        { request: '0.9', level: 10 },
        { request: '1.0', level: 95 },
        { request: '1.1', level: 10 },
      ],
      3,
    );
    expect(resourceReplicas(inputs, 90)).toMatchObject({ replicas: 1, utilization: 3 });
  });

  it('TestMaxReplicas: 8, 9.5 and 1 CPU used of about 1 requested at 90% → 21 (before maxReplicas)', () => {
    const inputs = setup(
      [
        { request: '0.9', level: 8000 },
        { request: '1.0', level: 9500 },
        { request: '1.1', level: 1000 },
      ],
      3,
    );
    expect(resourceReplicas(inputs, 90).replicas).toBe(21);
  });

  it('TestSuperfluousMetrics: six pods measured for a target of four replicas → 29 (before maxReplicas)', () => {
    const inputs = setup(
      [4000, 9500, 3000, 7000, 3200, 2000].map((level) => ({ request: '1.0', level })),
      4,
    );
    expect(resourceReplicas(inputs, 100).replicas).toBe(29);
  });

  it('TestMissingMetrics: two of four pods unmeasured count as using their whole request on the way down → 3', () => {
    const inputs = setup(
      [{ request: '1.0', level: 400 }, { request: '1.0', level: 95 }, { request: '1.0' }, { request: '1.0' }],
      4,
    );
    expect(resourceReplicas(inputs, 100)).toMatchObject({ replicas: 3, utilization: 24 });
  });

  it('TestEmptyMetrics: no metric at all is an error in upstream words', () => {
    const inputs = setup([{ request: '1.0' }, { request: '1.0' }], 2);
    expect(() => resourceReplicas(inputs, 100)).toThrow(
      'unable to get metrics for resource cpu: no metrics returned from resource metrics API',
    );
  });

  it('stays at the current count within the 10% tolerance', () => {
    const inputs = setup(
      [
        { request: '100m', level: 75 },
        { request: '100m', level: 75 },
      ],
      2,
    );
    expect(resourceReplicas(inputs, 70)).toMatchObject({ replicas: 2, utilization: 75 });
  });

  it('a pod without a CPU request makes the metric fail, naming the container and the pod', () => {
    const inputs = setup([{ request: '100m', level: 50 }, { level: 50 }], 2);
    expect(() => resourceReplicas(inputs, 70)).toThrow('missing request for cpu in container c of Pod pod-1');
  });

  it('a Pending pod is not counted; a pod that became ready less than a metric window ago is not trusted', () => {
    const pending = setup(
      [
        { request: '100m', level: 90 },
        { request: '100m', phase: 'Pending' },
      ],
      2,
    );
    // 90% against 70% asks for more; the Pending pod then counts as idle, which turns the direction: the count stays.
    expect(resourceReplicas(pending, 70).replicas).toBe(2);
    const fresh = setup([{ request: '100m', level: 90, startedAgoMs: 10_000 }], 1);
    expect(() => resourceReplicas(fresh, 70)).toThrow(
      'did not receive metrics for targeted pods (pods might be unready)',
    );
  });

  it('an average-value target (GetRawResourceReplicas): 300m average for a 100m target → three times the pods', () => {
    const inputs = setup(
      [
        { request: '1', level: 200 },
        { request: '1', level: 400 },
      ],
      2,
    );
    expect(rawResourceReplicas(inputs, 100)).toEqual({ replicas: 6, rawAverage: 300 });
  });
});

describe('quantities', () => {
  it('MilliValue rounds up, exactly for every decimal spelling', () => {
    expect(
      ['100m', '0.1', '1', '1.5', '2k', '128Mi', '1e3', '0.0001', '1n', '-1.5'].map((q) => milliValue(q)),
    ).toEqual([100, 100, 1000, 1500, 2_000_000, 134_217_728_000, 1_000_000, 1, 1, -1500]);
    expect(milliValue('1.2.3')).toBeUndefined();
    expect(milliValue('10 m')).toBeUndefined();
  });

  it('writes milli-values as the API does (DecimalSI, canonical)', () => {
    expect([0, 1, 250, 1500, 2000, 2_000_000, 134_217_728_000].map(formatMilli)).toEqual([
      '0',
      '1m',
      '250m',
      '1500m',
      '2',
      '2k',
      '134217728',
    ]);
  });

  it('reads back what it writes (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 50 }), (milli) => {
        expect(milliValue(formatMilli(milli))).toBe(milli);
      }),
    );
  });

  it('never throws on any string, and accepts only the quantity grammar (property)', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const value = milliValue(text);
        if (value !== undefined) expect(text.trim()).toMatch(/^[+-]?(\d|\.\d)/);
      }),
    );
  });
});
