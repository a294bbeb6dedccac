/** The simulated doc-QA latency histogram of a version, from its p95. */
import { item } from './values.js';

/** src/service/metrics.ts: docqa_request_duration_seconds' buckets. */
export const durationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** A version's latency histogram, per request: what each `_bucket` and `_sum` series counts of one request. */
export interface LatencyShape {
  /** The share of requests at or under each bound of `durationBuckets` (cumulative; `+Inf` is 1). */
  cumulative: number[];
  /** The mean latency in seconds (`_sum` / `_count`). */
  meanSeconds: number;
}

/**
 * The latency histogram of a version whose p95 is `p95`: shaped so that histogram_quantile(0.95, ...) interpolates
 * to it (prometheus/promql/quantile.go bucketQuantile: linear within the bucket the 0.95 rank falls in, from 0 in the
 * first), with every request in that bucket `i` and its neighbours: a share in bucket i-1 and the rest in bucket i
 * when the p95 is in the lower 95 % of its bucket, else 0.95/x in bucket i and the rest in bucket i+1 (above the
 * largest bound when i is the last); all above the largest bound (0.9 at it) for a p95 above it, which
 * histogram_quantile answers with that bound, as the real one does. A p95 under 95 % of the first bound cannot be
 * shaped (the first bucket interpolates from 0): it reads as 95 % of that bound. The mean places each bucket's
 * requests at its middle and those above the largest bound at max(p95, that bound), so it lies within the buckets'
 * bounds and `rate(_sum) / rate(_count)` gives it.
 */
export function latencyShape(p95: number): LatencyShape {
  const bounds = durationBuckets;
  const last = bounds.length - 1;
  const i = bounds.findIndex((le) => p95 <= le);
  // The share of requests in each finite bucket k, (bounds[k-1], bounds[k]], and above the largest bound.
  const inBucket = bounds.map(() => 0);
  let above = 0;
  if (i < 0) {
    inBucket[last] = 0.9;
    above = 0.1;
  } else {
    const lower = i === 0 ? 0 : item(bounds, i - 1);
    const x = (p95 - lower) / (item(bounds, i) - lower);
    if (i > 0 && x <= 0.95) {
      const below = (0.95 - x) / (1 - x);
      inBucket[i - 1] = below;
      inBucket[i] = 1 - below;
    } else {
      const share = Math.min(1, 0.95 / x);
      inBucket[i] = share;
      if (i < last) inBucket[i + 1] = 1 - share;
      else above = 1 - share;
    }
  }
  // Capped at 1: a float sum a hair over it would count more requests under a bound than the +Inf bucket holds.
  const cumulative: number[] = [];
  for (const share of inBucket) cumulative.push(Math.min(1, (cumulative.at(-1) ?? 0) + share));
  const middle = (k: number) => ((k === 0 ? 0 : item(bounds, k - 1)) + item(bounds, k)) / 2;
  const meanSeconds =
    inBucket.reduce((total, share, k) => total + share * middle(k), 0) +
    above * Math.max(p95, item(bounds, last));
  return { cumulative, meanSeconds };
}
