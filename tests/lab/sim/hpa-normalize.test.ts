/**
 * The HPA's normalization against Kubernetes' own test cases (pkg/controller/podautoscaler/horizontal_test.go:
 * TestConvertDesiredReplicasWithRules, TestNormalizeDesiredReplicas, TestScalingWithRules, TestStoreScaleEvents).
 * Inputs and expected outputs are upstream's; the tests are written here. Times are on a fixed clock: upstream's
 * "time.Now().Add(-2 * time.Minute)" is NOW - 120 s.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  convertDesiredReplicasWithRules,
  convertWithBehaviorRate,
  type Recommendation,
  type ScaleEvent,
  type ScalingRules,
  scaleDownRules,
  scaleUpLimit,
  scaleUpRules,
  stabilizeRecommendation,
  stabilizeWithBehaviors,
  storeScaleEvent,
} from '../../../src/lab/sim/hpa-normalize.js';

const NOW = 1_000_000_000;
const ago = (seconds: number) => NOW - seconds * 1000;

describe('convertDesiredReplicasWithRules (an HPA without spec.behavior)', () => {
  it.each([
    [5, 7, 3, 8, 7, 'DesiredWithinRange', 'prenormalized desired replicas within range'],
    [3, 1, 2, 8, 2, 'TooFewReplicas', 'prenormalized desired replicas < minReplicas'],
    [20, 1000, 1, 10, 10, 'TooManyReplicas', 'maxReplicas is the limit because maxReplicas < scaleUpLimit'],
    [
      3,
      1000,
      1,
      2000,
      scaleUpLimit(3),
      'ScaleUpLimit',
      'scaleUpLimit is the limit because scaleUpLimit < maxReplicas',
    ],
  ])(
    'current %i, desired %i, min %i, max %i → %i (%s): %s',
    (current, desired, min, max, replicas, reason) => {
      expect(convertDesiredReplicasWithRules(current, desired, min, max)).toMatchObject({ replicas, reason });
    },
  );

  it('the scale-up limit is twice the current count, or 4 from small counts', () => {
    expect([1, 2, 3, 10].map(scaleUpLimit)).toEqual([4, 4, 6, 20]);
  });
});

describe('stabilizeRecommendation (downscale stabilization window of 5 minutes)', () => {
  const rec = (replicas: number, secondsAgo: number): Recommendation => ({ replicas, at: ago(secondsAgo) });
  it.each<[string, Recommendation[], number, number, number]>([
    ['empty log', [], 5, 5, 1],
    ['stabilize', [rec(4, 120), rec(5, 60)], 3, 5, 3],
    ['no stabilize', [rec(1, 120), rec(2, 60)], 3, 3, 3],
    ['no stabilize - old recommendations', [rec(10, 600), rec(9, 540)], 3, 3, 2],
    ['stabilize - old recommendations', [rec(10, 600), rec(4, 60), rec(5, 120), rec(9, 540)], 3, 5, 4],
  ])('%s', (_name, log, desired, expected, length) => {
    expect(stabilizeRecommendation(log, desired, NOW, 300_000)).toBe(expected);
    expect(log).toHaveLength(length);
    expect(log).toContainEqual({ replicas: desired, at: NOW });
  });
});

/** Upstream's generateScalingRules: a Pods and/or a Percent policy, select Max, a stabilization window. */
function rules(pods: number, podsPeriod: number, percent: number, percentPeriod: number, window: number) {
  const policies: ScalingRules['policies'] = [];
  if (pods) policies.push({ type: 'Pods', value: pods, periodSeconds: podsPeriod });
  if (percent) policies.push({ type: 'Percent', value: percent, periodSeconds: percentPeriod });
  return { stabilizationWindowSeconds: window, selectPolicy: 'Max' as const, policies };
}

/** Upstream's generateEventsUniformDistribution: events spread over the last `period` seconds, oldest first. */
function spread(changes: number[], period: number): ScaleEvent[] {
  const segment = period / changes.length;
  return changes.map((change, i) => ({
    change,
    at: ago(Math.trunc(period - segment * (i + 1) + segment / 2)),
    outdated: false,
  }));
}

describe('convertDesiredReplicasWithBehaviorRate (TestScalingWithRules)', () => {
  interface Case {
    name: string;
    current: number;
    desired: number;
    min: number;
    max: number;
    up?: ScalingRules;
    down?: ScalingRules;
    upEvents?: ScaleEvent[];
    downEvents?: ScaleEvent[];
    replicas: number;
    reason: string;
  }
  const cases: Case[] = [
    {
      name: 'within range',
      current: 5,
      desired: 7,
      min: 3,
      max: 8,
      replicas: 7,
      reason: 'DesiredWithinRange',
    },
    {
      name: 'below minReplicas',
      current: 3,
      desired: 1,
      min: 2,
      max: 8,
      replicas: 2,
      reason: 'TooFewReplicas',
    },
    {
      name: 'minReplicas 0',
      current: 1,
      desired: 0,
      min: 0,
      max: 10,
      replicas: 0,
      reason: 'DesiredWithinRange',
    },
    {
      name: 'maxReplicas < scaleUpLimit',
      current: 20,
      desired: 1000,
      min: 1,
      max: 10,
      replicas: 10,
      reason: 'TooManyReplicas',
    },
    {
      name: 'more than maxReplicas',
      current: 100,
      desired: 1000,
      min: 100,
      max: 150,
      replicas: 150,
      reason: 'TooManyReplicas',
    },
    {
      name: 'user policy: 1% a minute',
      current: 3,
      desired: 1000,
      min: 1,
      max: 2000,
      up: rules(0, 0, 1, 60, 0),
      replicas: 4,
      reason: 'ScaleUpLimit',
    },
    {
      name: 'scaleUp with default behavior',
      current: 10,
      desired: 50,
      min: 1,
      max: 1000,
      replicas: 20,
      reason: 'ScaleUpLimit',
    },
    {
      name: 'pods policy larger than percent policy',
      current: 10,
      desired: 500,
      min: 1,
      max: 1000,
      up: rules(100, 60, 100, 60, 0),
      replicas: 110,
      reason: 'ScaleUpLimit',
    },
    {
      name: 'percent policy larger than pods policy',
      current: 10,
      desired: 500,
      min: 1,
      max: 1000,
      up: rules(2, 60, 100, 60, 0),
      replicas: 20,
      reason: 'ScaleUpLimit',
    },
    {
      name: 'pod policy limitation',
      current: 10,
      desired: 50,
      min: 1,
      max: 1000,
      up: rules(30, 60, 0, 0, 0),
      replicas: 40,
      reason: 'ScaleUpLimit',
    },
    {
      name: 'percent policy limitation',
      current: 10,
      desired: 50,
      min: 1,
      max: 1000,
      up: rules(0, 0, 200, 60, 0),
      replicas: 30,
      reason: 'ScaleUpLimit',
    },
    {
      name: 'scaleDown, percent policy larger than pod policy',
      current: 100,
      desired: 2,
      min: 1,
      max: 1000,
      down: rules(20, 60, 1, 60, 300),
      replicas: 80,
      reason: 'ScaleDownLimit',
    },
    {
      name: 'scaleDown, pod policy larger than percent policy',
      current: 100,
      desired: 2,
      min: 1,
      max: 1000,
      down: rules(2, 60, 1, 60, 300),
      replicas: 98,
      reason: 'ScaleDownLimit',
    },
    {
      name: 'scaleDown limited by minReplicas with a large percent policy',
      current: 10,
      desired: 2,
      min: 5,
      max: 1000,
      down: rules(0, 0, 100, 60, 300),
      replicas: 5,
      reason: 'TooFewReplicas',
    },
    {
      name: 'scaleDown, pod policy limitation',
      current: 10,
      desired: 2,
      min: 1,
      max: 1000,
      down: rules(5, 60, 0, 0, 300),
      replicas: 5,
      reason: 'ScaleDownLimit',
    },
    {
      name: 'scaleUp, pod policy and previous scale up events',
      current: 100,
      desired: 500,
      min: 1,
      max: 1000,
      up: rules(150, 120, 0, 0, 0),
      upEvents: spread([1, 5, 9], 120),
      replicas: 235,
      reason: 'ScaleUpLimit',
    },
    {
      name: 'scaleUp, percent policy and previous scale up events',
      current: 100,
      desired: 500,
      min: 1,
      max: 1000,
      up: rules(0, 0, 200, 120, 0),
      upEvents: spread([1, 5, 9], 120),
      replicas: 255,
      reason: 'ScaleUpLimit',
    },
    {
      name: 'scaleUp, percent policy and previous scale up and down events',
      current: 6,
      desired: 24,
      min: 1,
      max: 1000,
      up: rules(0, 0, 300, 300, 0),
      upEvents: spread([4], 120),
      downEvents: spread([2], 120),
      replicas: 16,
      reason: 'ScaleUpLimit',
    },
    {
      name: 'scaleUp held at the current count after many recent scale-ups',
      current: 100,
      desired: 500,
      min: 1,
      max: 1000,
      up: rules(5, 120, 0, 0, 0),
      upEvents: spread([1, 5, 9], 120),
      replicas: 100,
      reason: 'ScaleUpLimit',
    },
    {
      name: 'scaleDown, percent policy limitation and previous events',
      current: 100,
      desired: 0,
      min: 1,
      max: 1000,
      down: rules(0, 0, 50, 120, 300),
      downEvents: spread([2, 4, 6], 120),
      replicas: 56,
      reason: 'ScaleDownLimit',
    },
    {
      name: 'scaleDown, percent policy and previous scale up and down events',
      current: 10,
      desired: 1,
      min: 1,
      max: 1000,
      down: rules(0, 0, 50, 180, 0),
      upEvents: spread([2], 120),
      downEvents: spread([4], 120),
      replicas: 6,
      reason: 'ScaleDownLimit',
    },
    {
      name: 'scaleDown prevented by previous events',
      current: 100,
      desired: 0,
      min: 1,
      max: 1000,
      down: rules(0, 0, 10, 120, 300),
      downEvents: spread([10, 10, 10], 120),
      replicas: 100,
      reason: 'ScaleDownLimit',
    },
    {
      name: 'scaleDown still allowed by a large percent after previous events',
      current: 10,
      desired: 5,
      min: 1,
      max: 1000,
      down: rules(0, 0, 1000, 120, 300),
      downEvents: spread([10, 10, 10], 120),
      replicas: 5,
      reason: 'DesiredWithinRange',
    },
    {
      name: "outdated events are not counted (pod policy's period)",
      current: 100,
      desired: 200,
      min: 1,
      max: 1000,
      up: rules(1000, 30, 100, 60, 0),
      upEvents: spread([8, 12, 9, 11], 120),
      replicas: 200,
      reason: 'DesiredWithinRange',
    },
  ];
  it.each(cases)('$name', (c) => {
    const limited = convertWithBehaviorRate(
      {
        up: scaleUpRules(c.up),
        down: scaleDownRules(c.down, 300),
        min: c.min,
        max: c.max,
        current: c.current,
        desired: c.desired,
      },
      { up: c.upEvents ?? [], down: c.downEvents ?? [] },
      NOW,
    );
    expect(limited).toMatchObject({ replicas: c.replicas, reason: c.reason });
  });
});

describe('normalization invariants (property)', () => {
  const counts = fc
    .tuple(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 200 }))
    .chain(([min, span, desired]) =>
      fc.record({
        min: fc.constant(min),
        max: fc.constant(min + span),
        current: fc.integer({ min, max: min + span }),
        desired: fc.constant(desired),
      }),
    );

  it('without behavior: within minReplicas and maxReplicas, and at most max(2 × current, 4)', () => {
    fc.assert(
      fc.property(counts, ({ min, max, current, desired }) => {
        const { replicas } = convertDesiredReplicasWithRules(current, desired, min, max);
        expect(replicas).toBeGreaterThanOrEqual(min);
        expect(replicas).toBeLessThanOrEqual(max);
        expect(replicas).toBeLessThanOrEqual(Math.max(scaleUpLimit(current), min));
      }),
    );
  });

  it('with behavior: never past the recommendation, never the wrong way, within the bounds it moves towards', () => {
    const policy = fc.record({
      type: fc.constantFrom('Pods' as const, 'Percent' as const),
      value: fc.integer({ min: 1, max: 300 }),
      periodSeconds: fc.integer({ min: 1, max: 600 }),
    });
    const ruleSet = fc.record({
      stabilizationWindowSeconds: fc.integer({ min: 0, max: 600 }),
      selectPolicy: fc.constantFrom('Max' as const, 'Min' as const, 'Disabled' as const),
      policies: fc.array(policy, { minLength: 1, maxLength: 3 }),
    });
    const events = fc.array(
      fc.record({
        change: fc.integer({ min: 1, max: 20 }),
        at: fc.integer({ min: NOW - 900_000, max: NOW }),
        outdated: fc.boolean(),
      }),
      { maxLength: 4 },
    );
    fc.assert(
      fc.property(
        counts,
        ruleSet,
        ruleSet,
        events,
        events,
        ({ min, max, current, desired }, up, down, upEvents, downEvents) => {
          const { replicas } = convertWithBehaviorRate(
            { up, down, min, max, current, desired },
            { up: upEvents, down: downEvents },
            NOW,
          );
          if (desired > current) {
            expect(replicas).toBeGreaterThanOrEqual(current);
            expect(replicas).toBeLessThanOrEqual(Math.min(desired, max));
          } else if (desired < current) {
            expect(replicas).toBeLessThanOrEqual(current);
            expect(replicas).toBeGreaterThanOrEqual(Math.max(desired, min));
          } else expect(replicas).toBe(current);
        },
      ),
    );
  });
});

describe('storeScaleEvent (TestStoreScaleEvents)', () => {
  const event = (change: number, secondsAgo: number, outdated = false): ScaleEvent => ({
    change,
    at: ago(secondsAgo),
    outdated,
  });
  it.each<[string, ScaleEvent[], ScalingRules, Array<[number, boolean]>]>([
    ['empty entries with a two-policy behavior', [], rules(10, 60, 100, 60, 0), [[5, false]]],
    ['one outdated entry is replaced', [event(7, 61)], rules(10, 60, 100, 60, 0), [[5, false]]],
    [
      'one recent entry is kept',
      [event(7, 58)],
      rules(10, 60, 100, 60, 0),
      [
        [7, false],
        [5, false],
      ],
    ],
    [
      'two entries, the outdated one replaced',
      [event(7, 61), event(6, 59)],
      rules(10, 60, 0, 0, 0),
      [
        [5, false],
        [6, false],
      ],
    ],
    [
      'policies with different periods: the longest decides; the last outdated entry is replaced',
      [event(8, 29), event(6, 59), event(7, 61), event(9, 61)],
      rules(10, 60, 100, 30, 0),
      [
        [8, false],
        [6, false],
        [7, true],
        [5, false],
      ],
    ],
    [
      'two recent entries',
      [event(7, 58), event(6, 59)],
      rules(10, 120, 100, 30, 0),
      [
        [7, false],
        [6, false],
        [5, false],
      ],
    ],
  ])('%s', (_name, events, scaling, expected) => {
    storeScaleEvent(events, scaling, 5, NOW);
    expect(events.map((e) => [e.change, e.outdated])).toEqual(expected);
  });
});

describe('stabilizeRecommendationWithBehaviors', () => {
  const args = (current: number, desired: number, upWindow: number, downWindow: number) => ({
    up: scaleUpRules({ stabilizationWindowSeconds: upWindow }),
    down: scaleDownRules({ stabilizationWindowSeconds: downWindow }, 300),
    min: 1,
    max: 100,
    current,
    desired,
  });

  it('a scale-down takes the highest recommendation of its window; a scale-up the lowest of its own', () => {
    const log = (): Recommendation[] => [
      { replicas: 8, at: ago(200) },
      { replicas: 6, at: ago(100) },
    ];
    expect(stabilizeWithBehaviors(log(), args(10, 2, 0, 300), NOW)).toMatchObject({
      replicas: 8,
      reason: 'ScaleDownStabilized',
    });
    expect(stabilizeWithBehaviors(log(), args(10, 2, 0, 150), NOW).replicas).toBe(6);
    expect(stabilizeWithBehaviors(log(), args(4, 9, 150, 0), NOW)).toMatchObject({
      replicas: 6,
      reason: 'ScaleUpStabilized',
    });
  });

  it('never moves the count past the new recommendation, and never away from it (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            replicas: fc.integer({ min: 0, max: 50 }),
            secondsAgo: fc.integer({ min: 1, max: 900 }),
          }),
        ),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 0, max: 50 }),
        fc.integer({ min: 0, max: 600 }),
        fc.integer({ min: 0, max: 600 }),
        (recs, current, desired, upWindow, downWindow) => {
          const log = recs.map((r) => ({ replicas: r.replicas, at: ago(r.secondsAgo) }));
          const before = log.length;
          const { replicas } = stabilizeWithBehaviors(log, args(current, desired, upWindow, downWindow), NOW);
          // Between the current count and the recommendation, both included.
          expect(replicas).toBeGreaterThanOrEqual(Math.min(current, desired));
          expect(replicas).toBeLessThanOrEqual(Math.max(current, desired));
          // The log grows by one, or one old entry gives its slot to the new recommendation.
          expect(log.length - before).toBeLessThanOrEqual(1);
          expect(log).toContainEqual({ replicas: desired, at: NOW });
        },
      ),
    );
  });
});
