/**
 * Calibration of a confidence score: isotonic regression (pool-adjacent-violators) to fit a monotone map from
 * score to the share of right answers, reliability bins (confidence bins vs accuracy) and the expected
 * calibration error (ECE: the bins' |accuracy − mean confidence|, weighted by their share of the answers).
 */

export interface ScoredOutcome {
  /** The confidence (or raw score) of an answer, 0..1. */
  score: number;
  /** Whether the answer was right. */
  right: boolean;
}

/**
 * Isotonic regression of rightness on score: [score, share right] knots, score ascending, share
 * non-decreasing. Blocks of equal fitted value are represented by their lowest and highest score.
 */
export function fitIsotonic(outcomes: readonly ScoredOutcome[]): Array<[number, number]> {
  const sorted = [...outcomes].sort((a, b) => a.score - b.score);
  const blocks: Array<{ lo: number; hi: number; sum: number; n: number }> = [];
  for (const o of sorted) {
    blocks.push({ lo: o.score, hi: o.score, sum: o.right ? 1 : 0, n: 1 });
    while (blocks.length > 1) {
      const last = blocks[blocks.length - 1] as (typeof blocks)[number];
      const prev = blocks[blocks.length - 2] as (typeof blocks)[number];
      if (prev.sum / prev.n < last.sum / last.n) break;
      blocks.splice(blocks.length - 2, 2, {
        lo: prev.lo,
        hi: last.hi,
        sum: prev.sum + last.sum,
        n: prev.n + last.n,
      });
    }
  }
  const knots: Array<[number, number]> = [];
  for (const b of blocks) {
    const value = Math.round((b.sum / b.n) * 1000) / 1000;
    knots.push([Math.round(b.lo * 1000) / 1000, value]);
    if (b.hi !== b.lo) knots.push([Math.round(b.hi * 1000) / 1000, value]);
  }
  return knots;
}

export interface ReliabilityBin {
  /** Lower and upper confidence bound of the bin. */
  from: number;
  to: number;
  count: number;
  /** Mean confidence of the bin's answers (null when empty). */
  confidence: number | null;
  /** Share of the bin's answers that were right (null when empty). */
  accuracy: number | null;
}

/** Equal-width confidence bins over 0..1 (the last bin includes 1). */
export function reliabilityBins(outcomes: readonly ScoredOutcome[], bins = 10): ReliabilityBin[] {
  const result: ReliabilityBin[] = Array.from({ length: bins }, (_, i) => ({
    from: i / bins,
    to: (i + 1) / bins,
    count: 0,
    confidence: null,
    accuracy: null,
  }));
  const sums = result.map(() => ({ confidence: 0, right: 0 }));
  for (const o of outcomes) {
    const score = Math.max(0, Math.min(1, o.score));
    const i = Math.min(bins - 1, Math.floor(score * bins));
    const bin = result[i] as ReliabilityBin;
    const sum = sums[i] as { confidence: number; right: number };
    bin.count++;
    sum.confidence += score;
    if (o.right) sum.right++;
  }
  result.forEach((bin, i) => {
    const sum = sums[i] as { confidence: number; right: number };
    if (bin.count > 0) {
      bin.confidence = round(sum.confidence / bin.count);
      bin.accuracy = round(sum.right / bin.count);
    }
  });
  return result;
}

/** Expected calibration error over reliability bins; null when no answer was scored. */
export function expectedCalibrationError(bins: readonly ReliabilityBin[]): number | null {
  const total = bins.reduce((sum, b) => sum + b.count, 0);
  if (total === 0) return null;
  let error = 0;
  for (const b of bins) {
    if (b.count === 0 || b.confidence === null || b.accuracy === null) continue;
    error += (b.count / total) * Math.abs(b.accuracy - b.confidence);
  }
  return round(error);
}

function round(value: number): number {
  return Math.round(value * 10000) / 10000;
}
