/**
 * Mann-Whitney U test (Wilcoxon rank-sum), two-sided, by the normal approximation with tie correction and
 * continuity correction: the same numbers as scipy.stats.mannwhitneyu(x, y, alternative="two-sided",
 * method="asymptotic", use_continuity=True). Plus the Hodges-Lehmann estimate of the shift x - y with its
 * distribution-free confidence interval (order statistics of the pairwise differences, the order chosen by
 * the same normal approximation).
 */
import { averageRanks } from './kayenta-mann-whitney.js';
import { normalQuantile, normalSf } from './normal.js';

export interface MannWhitneyResult {
  /** U of the first sample x: the number of pairs (x_i, y_j) with x_i > y_j, ties counting 1/2. */
  u: number;
  /** n1 * n2 - u: the same count for y. */
  uOther: number;
  z: number;
  pValue: number;
  n1: number;
  n2: number;
}

/** Average ranks (1-based) of `values`, ties sharing the mean of their ranks; also Σ(t³ - t) over tie groups. */
export function rankWithTies(values: readonly number[]): { ranks: number[]; tieTerm: number } {
  const ranks = averageRanks(values);
  const sizes = new Map<number, number>();
  for (const r of ranks) sizes.set(r, (sizes.get(r) ?? 0) + 1);
  let tieTerm = 0;
  for (const t of sizes.values()) tieTerm += t * t * t - t;
  return { ranks, tieTerm };
}

export function mannWhitneyU(x: readonly number[], y: readonly number[]): MannWhitneyResult {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) throw new RangeError('Mann-Whitney U needs at least one value in each sample');
  const { ranks, tieTerm } = rankWithTies([...x, ...y]);
  let r1 = 0;
  for (let i = 0; i < n1; i++) r1 += ranks[i] as number;
  const u1 = r1 - (n1 * (n1 + 1)) / 2;
  const u2 = n1 * n2 - u1;
  const n = n1 + n2;
  const mu = (n1 * n2) / 2;
  const sigma = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  const u = Math.max(u1, u2);
  // With every value tied sigma is 0 and the numerator -0.5: z = -Infinity, p = 1 (as scipy).
  const z = sigma > 0 ? (u - mu - 0.5) / sigma : Number.NEGATIVE_INFINITY;
  const pValue = Math.min(1, Math.max(0, 2 * normalSf(z)));
  return { u: u1, uOther: u2, z, pValue, n1, n2 };
}

export interface ShiftEstimate {
  /** Hodges-Lehmann estimate: the median of all differences x_i - y_j. */
  estimate: number;
  /** Confidence interval of the shift; null bounds when the samples are too small for the confidence asked. */
  ci: [number, number] | null;
  confidence: number;
}

/**
 * Sorted differences D(1) <= ... <= D(N), N = n1 n2. The interval is [D(k), D(N + 1 - k)] with
 * k = round(N/2 - z_{1-alpha/2} * sigma), sigma the tie-corrected standard deviation of U, as in the
 * large-sample interval of Hollander & Wolfe (Nonparametric Statistical Methods, ch. 4). k < 1 means the
 * confidence cannot be reached with so few points: ci is null.
 */
export function hodgesLehmann(x: readonly number[], y: readonly number[], confidence = 0.95): ShiftEstimate {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) throw new RangeError('Hodges-Lehmann needs at least one value in each sample');
  if (!(confidence > 0 && confidence < 1)) throw new RangeError('confidence must be between 0 and 1');
  const differences: number[] = [];
  for (const a of x) for (const b of y) differences.push(a - b);
  differences.sort((a, b) => a - b);
  const total = differences.length;
  const mid = Math.floor(total / 2);
  const estimate =
    total % 2 === 1
      ? (differences[mid] as number)
      : ((differences[mid - 1] as number) + (differences[mid] as number)) / 2;
  const { tieTerm } = rankWithTies([...x, ...y]);
  const n = n1 + n2;
  const sigma = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const k = Math.round(total / 2 - z * sigma);
  if (k < 1) return { estimate, ci: null, confidence };
  return { estimate, ci: [differences[k - 1] as number, differences[total - k] as number], confidence };
}
