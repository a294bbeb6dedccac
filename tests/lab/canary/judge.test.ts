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
