import { describe, expect, it } from 'vitest';
import { hodgesLehmann, mannWhitneyU, rankWithTies } from '../../../src/lab/canary/stats/mann-whitney.js';
import { erfc, normalQuantile, normalSf } from '../../../src/lab/canary/stats/normal.js';

// Reference values were computed outside this code base:
// - erfc: Python's math.erfc (C libm); normal quantiles: standard tables.
// - Mann-Whitney: scipy 1.17.1, scipy.stats.mannwhitneyu(x, y, alternative="two-sided",
//   method="asymptotic", use_continuity=True); statistic = U of x.
// - Hodges-Lehmann: by hand where noted; otherwise a brute-force Python script (all pairwise differences
//   sorted, k = floor(N/2 - z * sigma + 0.5), sigma tie-corrected, z from scipy.stats.norm.ppf).

describe('normal distribution', () => {
  it.each([
    [0.1, 0.8875370839817152],
    [0.5, 0.4795001221869535],
    [1.99, 0.004888586800383003],
    [2.9, 4.109787809945886e-5],
    [3.1, 1.1648657367199589e-5],
    [5, 1.5374597944280351e-12],
    [-1.3, 1.9340079449406524],
  ])('erfc(%f) matches libm to 1e-12 relative', (x, expected) => {
    expect(Math.abs(erfc(x) - expected) / expected).toBeLessThan(1e-12);
  });

  it('has the tabled quantiles and tails', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 12);
    expect(normalQuantile(0.99)).toBeCloseTo(2.3263478740408408, 12);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 14);
    expect(normalSf(1.959963984540054)).toBeCloseTo(0.025, 14);
    expect(normalSf(Number.NEGATIVE_INFINITY)).toBe(1);
  });
});

describe('rankWithTies', () => {
  it('gives tied values the mean of their ranks and sums t^3 - t', () => {
    // sorted: 1 | 2 2 | 3 3 3 -> ranks 1 | 2.5 2.5 | 5 5 5; tie term (8-2) + (27-3) = 30
    const { ranks, tieTerm } = rankWithTies([3, 2, 1, 3, 2, 3]);
    expect(ranks).toEqual([5, 2.5, 1, 5, 2.5, 5]);
    expect(tieTerm).toBe(30);
  });
});

describe('Mann-Whitney U (two-sided, asymptotic, tie and continuity corrected)', () => {
  it('matches the hand computation for fully separated samples', () => {
    // x = 1..5, y = 6..10: no x beats any y, so U_x = 0, U_y = 25; mu = 12.5;
    // sigma = sqrt(5*5/12 * 11) = 4.78714; z = (25 - 12.5 - 0.5) / 4.78714 = 2.50672; p = 2 * sf(z) = 0.0121858.
    const r = mannWhitneyU([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]);
    expect(r.u).toBe(0);
    expect(r.uOther).toBe(25);
    expect(r.z).toBeCloseTo(2.5067182, 6);
    expect(r.pValue).toBeCloseTo(0.012185780355344813, 12);
  });

  it.each([
    ['ties across samples', [1, 2, 2, 3, 3, 3], [2, 3, 4, 4, 5, 5, 5], 5.5, 0.02773088616647723],
    ['identical samples', [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 4.5, 1],
    ['the same values in another order', [1, 2, 3, 4], [4, 3, 2, 1], 8, 1],
    [
      'overlapping ratios',
      [0.91, 0.88, 0.95, 0.93, 0.9, 0.97, 0.89, 0.94],
      [0.92, 0.96, 0.9, 0.93, 0.95, 0.91, 0.94, 0.98, 0.97],
      23,
      0.22733214374106148,
    ],
    ['unequal sizes', [12, 15, 11, 19, 14, 13], [21, 18, 25, 17, 20, 22, 24, 19], 2.5, 0.00664616232118861],
    ['mostly ties (0/1 data)', [0, 0, 0, 1, 1], [1, 1, 1, 1, 0, 1], 8.5, 0.19043026382552397],
  ])('matches scipy for %s', (_name, x, y, u, p) => {
    const r = mannWhitneyU(x, y);
    expect(r.u).toBe(u);
    expect(r.u + r.uOther).toBe(x.length * y.length);
    expect(Math.abs(r.pValue - p)).toBeLessThan(1e-12);
  });

  it('is symmetric: swapping the samples swaps U and keeps p', () => {
    const a = [12, 15, 11, 19, 14, 13];
    const b = [21, 18, 25, 17, 20, 22, 24, 19];
    const ab = mannWhitneyU(a, b);
    const ba = mannWhitneyU(b, a);
    expect(ba.u).toBe(ab.uOther);
    expect(ba.pValue).toBeCloseTo(ab.pValue, 14);
  });

  it('refuses an empty sample', () => {
    expect(() => mannWhitneyU([], [1])).toThrow(RangeError);
  });
});

describe('Hodges-Lehmann shift and interval', () => {
  it('matches the hand computation for separated samples', () => {
    // Differences x - y for x = 1..5, y = 6..10 run from -9 to -1 with counts 1,2,3,4,5,4,3,2,1; median -5.
    // N = 25, sigma = 4.78714, z(0.975) = 1.95996: k = round(12.5 - 9.3826) = 3 -> [D(3), D(23)] = [-8, -2].
    const r = hodgesLehmann([1, 2, 3, 4, 5], [6, 7, 8, 9, 10], 0.95);
    expect(r.estimate).toBe(-5);
    expect(r.ci).toEqual([-8, -2]);
  });

  it.each([
    [[12, 15, 11, 19, 14, 13], [21, 18, 25, 17, 20, 22, 24, 19], 0.95, -7, [-10, -3]],
    [
      [0.91, 0.88, 0.95, 0.93, 0.9, 0.97, 0.89, 0.94],
      [0.92, 0.96, 0.9, 0.93, 0.95, 0.91, 0.94, 0.98, 0.97],
      0.98,
      -0.02,
      [-0.06, 0.02],
    ],
  ])('matches the reference script for %j vs %j', (x, y, confidence, estimate, ci) => {
    const r = hodgesLehmann(x, y, confidence);
    expect(r.estimate).toBeCloseTo(estimate, 12);
    expect(r.ci?.[0]).toBeCloseTo(ci[0] as number, 12);
    expect(r.ci?.[1]).toBeCloseTo(ci[1] as number, 12);
  });

  it('gives no interval when the samples are too small for the confidence', () => {
    // N = 9, sigma = sqrt(9/12 * 7) = 2.2913, z(0.99) = 2.3263: k = round(4.5 - 5.33) = -1 < 1.
    const r = hodgesLehmann([1, 2, 3], [4, 5, 6], 0.98);
    expect(r.estimate).toBe(-3);
    expect(r.ci).toBeNull();
  });

  it('is zero with a zero-width interval for identical samples', () => {
    const r = hodgesLehmann([0.5, 0.5, 0.5, 0.5, 0.5], [0.5, 0.5, 0.5, 0.5, 0.5], 0.98);
    expect(r.estimate).toBe(0);
    expect(r.ci).toEqual([0, 0]);
  });
});
