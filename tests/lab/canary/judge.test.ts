import { describe, expect, it } from 'vitest';
import { inferDirection } from '../../../src/lab/canary/direction.js';
import { classifyMetric, defaultJudgeOptions, judge } from '../../../src/lab/canary/judge.js';

const healthy = [0.97, 1, 0.98, 1, 0.99, 1, 0.96, 1, 0.98, 0.99];
const degraded = [0.12, 0.2, 0.15, 0.1, 0.18, 0.22, 0.14, 0.16, 0.19, 0.11];
const noisy = [0.95, 0.99, 0.97, 1, 0.96, 0.98, 1, 0.97, 0.99, 0.98];

describe('classifyMetric (Kayenta-style)', () => {
  it('classifies a canary whose grounded ratio dropped as Low when decrease is bad', () => {
    const m = classifyMetric({
      name: 'grounded',
      canary: degraded,
      baseline: healthy,
      direction: 'decrease',
    });
    expect(m.class).toBe('Low');
    expect(m.u).toBe(0); // no canary point beats a baseline point
    expect(m.p_value).toBeLessThan(0.001);
    expect(m.estimate).toBeLessThan(-0.7);
    expect(m.ci?.[1]).toBeLessThan(0);
    expect(m.effect_size).toBeCloseTo(0.157 / 0.987, 3);
  });

  it('passes the same drop when only an increase is bad', () => {
    const m = classifyMetric({
      name: 'grounded',
      canary: degraded,
      baseline: healthy,
      direction: 'increase',
    });
    expect(m.class).toBe('Pass');
    expect(m.reason).toContain('only an increase is bad');
  });

  it('classifies an increase as High under either', () => {
    const m = classifyMetric({
      name: 'latency',
      canary: healthy.map((v) => v * 3),
      baseline: healthy,
      direction: 'either',
    });
    expect(m.class).toBe('High');
  });

  it('passes overlapping samples', () => {
    const m = classifyMetric({ name: 'grounded', canary: noisy, baseline: healthy, direction: 'either' });
    expect(m.class).toBe('Pass');
  });

  it('respects allowedIncrease as a second gate', () => {
    const canary = healthy.map((v) => v * 1.1);
    expect(classifyMetric({ name: 'x', canary, baseline: healthy, direction: 'increase' }).class).toBe(
      'High',
    );
    const lenient = { ...defaultJudgeOptions, allowedIncrease: 1.2 };
    expect(
      classifyMetric({ name: 'x', canary, baseline: healthy, direction: 'increase' }, lenient).class,
    ).toBe('Pass');
  });

  it('is NoData when a side has no finite points, and drops NaN points', () => {
    expect(
      classifyMetric({ name: 'x', canary: [Number.NaN, Number.NaN], baseline: healthy, direction: 'either' })
        .class,
    ).toBe('NoData');
    const m = classifyMetric({
      name: 'x',
      canary: [...degraded, Number.NaN],
      baseline: healthy,
      direction: 'decrease',
    });
    expect(m.canary.count).toBe(10);
    expect(m.canary.dropped).toBe(1);
    expect(m.class).toBe('Low');
  });

  it('passes identical samples with ratio 1', () => {
    const m = classifyMetric({
      name: 'x',
      canary: [...healthy].reverse(),
      baseline: healthy,
      direction: 'either',
    });
    expect(m.class).toBe('Pass');
    expect(m.deviation).toBe(1);
    expect(m.reason).toContain('identical');
  });

  it('passes two constant series of the same value, whatever their lengths', () => {
    const m = classifyMetric({
      name: 'errors',
      canary: [0, 0, 0, 0, 0],
      baseline: [0, 0, 0, 0, 0, 0, 0],
      direction: 'increase',
    });
    expect(m.class).toBe('Pass');
    expect(m.reason).toBe('canary and baseline hold one and the same value');
  });

  it('classifies even two points a side, as Kayenta has no minimum sample size', () => {
    const m = classifyMetric({ name: 'x', canary: [0.1, 0.2], baseline: [0.9, 1], direction: 'decrease' });
    expect(m.class).toBe('Low');
  });
});

describe('judge score and verdict', () => {
  const pass = { name: 'a', canary: noisy, baseline: healthy, direction: 'either' as const };
  const low = { name: 'b', canary: degraded, baseline: healthy, direction: 'decrease' as const };
  const nodata = { name: 'c', canary: [], baseline: healthy, direction: 'either' as const };

  it('scores the weighted share of passing metrics', () => {
    expect(judge([pass, pass, pass, low]).score).toBe(75);
    expect(judge([pass, pass, pass, low]).verdict).toBe('marginal');
    expect(judge([pass, { ...low, weight: 3 }]).score).toBe(25);
    expect(judge([pass, { ...low, weight: 3 }]).verdict).toBe('fail');
    expect(judge([pass, pass]).verdict).toBe('pass');
  });

  it('leaves NoData out of the score, but 50% or more NoData scores 0', () => {
    expect(judge([pass, pass, nodata]).score).toBe(100);
    const half = judge([pass, nodata]);
    expect(half.score).toBe(0);
    expect(half.verdict).toBe('fail');
    expect(half.reason).toContain('no data');
  });

  it('scores 0 when a critical metric is High or Low', () => {
    const result = judge([pass, pass, pass, { ...low, critical: true }]);
    expect(result.score).toBe(0);
    expect(result.verdict).toBe('fail');
    expect(result.reason).toContain('critical metric b Low');
    expect(judge([{ ...pass, critical: true }, pass]).verdict).toBe('pass');
  });

  it('applies the thresholds inclusively', () => {
    const result = judge([pass, pass, pass, low], { ...defaultJudgeOptions, passScore: 75 });
    expect(result.verdict).toBe('pass');
  });
});

describe('inferDirection', () => {
  it.each([
    [{ successCondition: 'len(result) > 0 && !isNaN(result[0]) && result[0] >= 0.9' }, 'decrease'],
    [{ successCondition: 'result[0] < 0.05' }, 'increase'],
    [{ failureCondition: 'result[0] >= 0.05' }, 'increase'],
    [{ failureCondition: '0.9 > result[0]' }, 'decrease'],
    [{ successCondition: '!(result[0] < 0.9)' }, 'decrease'],
    [{ successCondition: 'result[0] > 0.1 && result[0] < 0.9' }, 'either'],
    [{ successCondition: 'len(result) > 0' }, 'either'],
    [{}, 'either'],
  ])('%j -> %s', (conditions, expected) => {
    expect(inferDirection(conditions)).toBe(expected);
  });
});

describe('Kayenta behaviour the old judge missed', () => {
  // An error ratio: the canary is zero 70% of the time (mean 0.66), the baseline 92% (mean 0.15).
  const spread = (n: number, mean: number) =>
    Array.from({ length: n }, (_, i) => mean * (0.5 + i / Math.max(1, n - 1)));
  const canary = [...Array<number>(70).fill(0), ...spread(30, 2.2)];
  const baseline = [...Array<number>(92).fill(0), ...spread(8, 1.875)];

  it('classifies a mostly-zero series with a real shift High, and the comparison fails', () => {
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(canary)).toBeCloseTo(0.66, 2);
    expect(mean(baseline)).toBeCloseTo(0.15, 2);
    const metric = { name: 'error-ratio', canary, baseline, direction: 'increase' as const };
    expect(classifyMetric(metric).class).toBe('High');
    const result = judge([metric]);
    expect(result.verdict).toBe('fail');
  });

  it('fails the canary when a critical metric goes dark (no canary data)', () => {
    const ok = { name: 'latency', canary: noisy, baseline: healthy, direction: 'either' as const };
    const dark = {
      name: 'grounded',
      canary: [],
      baseline: healthy,
      direction: 'decrease' as const,
      critical: true,
    };
    const result = judge([ok, { ...ok, name: 'ok2' }, dark]);
    expect(result.score).toBe(0);
    expect(result.verdict).toBe('fail');
    expect(result.reason).toContain('critical metric grounded NoData');
  });

  it('keeps a no-data metric out of its group, so its weight goes to the rest of the group', () => {
    const ok = { name: 'a', canary: noisy, baseline: healthy, direction: 'either' as const, groups: ['g'] };
    const high = {
      name: 'b',
      canary: degraded,
      baseline: healthy,
      direction: 'decrease' as const,
      groups: ['h'],
    };
    const none = { ...ok, name: 'c', canary: [] };
    const result = judge([ok, none, high], { ...defaultJudgeOptions, groupWeights: { g: 80, h: 20 } });
    expect(result.score).toBe(80);
  });

  it('mustHaveData turns no data into a failing result; muted metrics are not scored', () => {
    const ok = { name: 'a', canary: noisy, baseline: healthy, direction: 'either' as const, groups: ['g'] };
    const required = { ...ok, name: 'c', canary: [], mustHaveData: true };
    expect(judge([ok, required]).score).toBe(50);
    const low = {
      name: 'b',
      canary: degraded,
      baseline: healthy,
      direction: 'decrease' as const,
      muted: true,
    };
    expect(judge([ok, low]).score).toBe(100);
  });

  it('NaN strategy replace turns NaN into 0 and missing data into Pass', () => {
    const m = classifyMetric({
      name: 'x',
      canary: [],
      baseline: [1, 2],
      direction: 'either',
      nanStrategy: 'replace',
    });
    expect(m.class).toBe('Pass');
  });
});
