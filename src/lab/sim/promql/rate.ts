/** The range-vector functions over samples: prometheus/promql/functions.go at v3.x. */
import { item, type Series } from './values.js';

/**
 * functions.go extrapolatedRate: the change over the samples in (t-range, t], counter resets added back (a sample
 * lower than the one before it restarts the count), then extrapolated towards the window's edges: by the gap to the
 * edge when it is under 1.1 times the average spacing, else by half a spacing; a counter's start not below zero.
 * Fewer than two samples: no value.
 */
export function extrapolatedRate(
  series: Series,
  rangeStart: number,
  rangeEnd: number,
  isCounter: boolean,
  isRate: boolean,
): number | undefined {
  const points = series.points;
  if (points.length < 2) return undefined;
  const [firstT, firstV] = item(points, 0);
  const [lastT, lastV] = item(points, points.length - 1);
  let result = lastV - firstV;
  if (isCounter) {
    for (let i = 1; i < points.length; i++)
      if (item(points, i)[1] < item(points, i - 1)[1]) result += item(points, i - 1)[1];
  }
  let durationToStart = (firstT - rangeStart) / 1000;
  let durationToEnd = (rangeEnd - lastT) / 1000;
  const sampledInterval = (lastT - firstT) / 1000;
  const averageBetweenSamples = sampledInterval / (points.length - 1);
  const threshold = averageBetweenSamples * 1.1;
  if (durationToStart >= threshold) durationToStart = averageBetweenSamples / 2;
  if (isCounter && result > 0 && firstV >= 0) {
    const durationToZero = sampledInterval * (firstV / result);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  if (durationToEnd >= threshold) durationToEnd = averageBetweenSamples / 2;
  let factor = (sampledInterval + durationToStart + durationToEnd) / sampledInterval;
  if (isRate) factor /= (rangeEnd - rangeStart) / 1000;
  return result * factor;
}

/** functions.go instantValue (irate): the last two samples' change per second; after a reset, the last value. */
export function instantRate(series: Series): number | undefined {
  const points = series.points;
  if (points.length < 2) return undefined;
  const [prevT, prevV] = item(points, points.length - 2);
  const [lastT, lastV] = item(points, points.length - 1);
  const change = lastV < prevV ? lastV : lastV - prevV;
  return change / ((lastT - prevT) / 1000);
}

/** functions.go aggrOverTime and its callers (min/max/avg/sum/count/last_over_time). */
export const overTime: Record<string, (values: number[]) => number> = {
  min_over_time: (v) => v.reduce((m, x) => (x < m || Number.isNaN(m) ? x : m)),
  max_over_time: (v) => v.reduce((m, x) => (x > m || Number.isNaN(m) ? x : m)),
  sum_over_time: (v) => v.reduce((s, x) => s + x, 0),
  count_over_time: (v) => v.length,
  avg_over_time: (v) => v.reduce((s, x) => s + x, 0) / v.length,
  last_over_time: (v) => item(v, v.length - 1),
};
