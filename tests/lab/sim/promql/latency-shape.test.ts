/**
 * The latency histogram the simulated Prometheus gives a doc-QA version: its p95 read back by histogram_quantile
 * (prometheus/promql/quantile.go bucketQuantile), and a mean (`_sum / _count`) within what its buckets allow.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { durationBuckets, latencyShape } from '../../../../src/lab/sim/promql/latency-shape.js';
import { bucketQuantile } from '../../../../src/lab/sim/promql/quantile.js';

const buckets = (cumulative: number[]) => [
  ...durationBuckets.map((upperBound, j) => ({ upperBound, count: cumulative[j] ?? Number.NaN })),
  { upperBound: Number.POSITIVE_INFINITY, count: 1 },
];

describe('latencyShape', () => {
  it('places the requests around the p95 bucket, with a mean in between', () => {
    // A p95 at a bucket's bound: 95 % in that bucket, 5 % in the next one up.
    const atBound = latencyShape(0.25);
    expect(atBound.cumulative.slice(4, 7)).toEqual([0, 0.95, 1]);
    expect(atBound.meanSeconds).toBeCloseTo(0.95 * 0.175 + 0.05 * 0.375, 12);
    // A p95 low in its bucket (0.1, 0.25]: the rest of the requests in the bucket below.
    const low = latencyShape(0.13);
    expect(bucketQuantile(0.95, buckets(low.cumulative))).toBeCloseTo(0.13, 12);
    expect(low.cumulative[3]).toBe(0);
    expect(low.cumulative[5]).toBe(1);
    // Above the largest bound: histogram_quantile answers that bound.
    expect(bucketQuantile(0.95, buckets(latencyShape(12).cumulative))).toBe(10);
  });

  it('reads back the p95 and keeps the mean within the buckets (property)', () => {
    const lowest = 0.95 * (durationBuckets[0] ?? 0);
    fc.assert(
      fc.property(fc.double({ min: lowest, max: 20, noNaN: true }), (p95) => {
        const { cumulative, meanSeconds } = latencyShape(p95);
        const largest = durationBuckets[durationBuckets.length - 1] ?? 0;
        expect(bucketQuantile(0.95, buckets(cumulative))).toBeCloseTo(Math.min(p95, largest), 9);
        let before = 0;
        let least = 0;
        let most = 0;
        cumulative.forEach((c, j) => {
          expect(c).toBeGreaterThanOrEqual(before);
          expect(c).toBeLessThanOrEqual(1);
          least += (c - before) * (j === 0 ? 0 : (durationBuckets[j - 1] ?? 0));
          most += (c - before) * (durationBuckets[j] ?? 0);
          before = c;
        });
        const above = 1 - before;
        expect(meanSeconds).toBeGreaterThanOrEqual(least + above * largest - 1e-12);
        if (above === 0) expect(meanSeconds).toBeLessThanOrEqual(most + 1e-12);
        expect(meanSeconds).toBeLessThanOrEqual(Math.max(p95, largest));
      }),
    );
  });
});
