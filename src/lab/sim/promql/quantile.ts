import { item } from './values.js';

/** Classic-histogram quantiles: prometheus/promql/quantile.go bucketQuantile (with ensureMonotonic, coalesceBuckets). */
export interface Bucket {
  upperBound: number;
  count: number;
}

export function bucketQuantile(q: number, input: Bucket[]): number {
  if (Number.isNaN(q)) return Number.NaN;
  if (q < 0) return Number.NEGATIVE_INFINITY;
  if (q > 1) return Number.POSITIVE_INFINITY;
  const sorted = [...input].sort((a, b) => a.upperBound - b.upperBound);
  if (sorted.length === 0 || item(sorted, sorted.length - 1).upperBound !== Number.POSITIVE_INFINITY)
    return Number.NaN;
  // coalesceBuckets: buckets with the same upper bound add up.
  const buckets: Bucket[] = [];
  for (const b of sorted) {
    const last = buckets[buckets.length - 1];
    if (last && last.upperBound === b.upperBound) last.count += b.count;
    else buckets.push({ ...b });
  }
  // ensureMonotonic: a cumulative count never falls.
  for (let i = 1; i < buckets.length; i++)
    if (item(buckets, i).count < item(buckets, i - 1).count)
      item(buckets, i).count = item(buckets, i - 1).count;
  if (buckets.length < 2) return Number.NaN;
  const observations = item(buckets, buckets.length - 1).count;
  if (observations === 0) return Number.NaN;
  let rank = q * observations;
  const b = buckets.findIndex((bucket) => bucket.count >= rank);
  // The rank in the +Inf bucket: the highest finite bound.
  if (b === buckets.length - 1) return item(buckets, buckets.length - 2).upperBound;
  if (b === 0 && item(buckets, 0).upperBound <= 0) return item(buckets, 0).upperBound;
  let bucketStart = 0;
  const bucketEnd = item(buckets, b).upperBound;
  let count = item(buckets, b).count;
  if (b > 0) {
    bucketStart = item(buckets, b - 1).upperBound;
    count -= item(buckets, b - 1).count;
    rank -= item(buckets, b - 1).count;
  }
  return bucketStart + (bucketEnd - bucketStart) * (rank / count);
}
