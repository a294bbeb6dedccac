/**
 * Kayenta's Mann-Whitney test with its confidence interval and location estimate, as spinnaker/kayenta
 * (v2.46.0) kayenta-mannwhitney/.../MannWhitney.scala computes them: not the median of pairwise differences,
 * but the roots, found by Brent's method (BrentSolver.java, tolerance 1e-4), of the tie- and
 * continuity-corrected normal approximation of the Wilcoxon statistic as a function of the shift mu (the
 * approach of R's wilcox.test(conf.int = TRUE, exact = FALSE)). This matters for mostly-zero series: the
 * median of pairwise differences is 0 there, while the root search still places the interval away from 0
 * when one series is clearly higher.
 */
import { rankWithTies } from './mann-whitney.js';
import { normalQuantile } from './normal.js';

export interface KayentaMannWhitney {
  lower: number;
  upper: number;
  estimate: number;
}

/** Ranks with ties averaged and NaN ranked highest (Commons Math NaturalRanking MAXIMAL, AVERAGE). */
export function averageRanks(values: readonly number[]): number[] {
  const key = (v: number) => (Number.isNaN(v) ? Number.POSITIVE_INFINITY : v);
  const order = values
    .map((value, index) => ({ value: key(value), index }))
    .sort((a, b) => a.value - b.value);
  const ranks = new Array<number>(values.length).fill(0);
  let i = 0;
  while (i < order.length) {
    let j = i;
    while (
      j + 1 < order.length &&
      (order[j + 1] as { value: number }).value === (order[i] as { value: number }).value
    )
      j++;
    for (let k = i; k <= j; k++) ranks[(order[k] as { index: number }).index] = (i + j + 2) / 2;
    i = j + 1;
  }
  return ranks;
}

/** MannWhitney.scala wilcoxonDiff: standardised, continuity-corrected W of x - mu against y, minus a quantile. */
export function wilcoxonDiff(
  mu: number,
  quantile: number,
  x: readonly number[],
  y: readonly number[],
): number {
  const n1 = x.length;
  const n2 = y.length;
  const { ranks, tieTerm: ties } = rankWithTies([...x.map((v) => v - mu), ...y]);
  let rankSum = 0;
  for (let i = 0; i < n1; i++) rankSum += ranks[i] as number;
  const dz = rankSum - (n1 * (n1 + 1)) / 2 - (n1 * n2) / 2;
  const correction = (Number.isNaN(Math.sign(dz)) ? 0 : Math.sign(dz)) * 0.5;
  const sigma = Math.sqrt(((n1 * n2) / 12) * (n1 + n2 + 1 - ties / ((n1 + n2) * (n1 + n2 - 1))));
  if (sigma === 0) throw new RangeError('cannot compute confidence interval when all observations are tied');
  return (dz - correction) / sigma - quantile;
}

const TOLERANCE = 1e-4;
const EPSILON = 2.220446049250313e-16;

/** Brent's root finder with Kayenta's constants (BrentSolver.java: at most 1000 iterations, tolerance 1e-4). */
export function brentSolve(
  ax: number,
  bx: number,
  faIn: number,
  fbIn: number,
  f: (x: number) => number,
): number {
  let a = ax;
  let b = bx;
  let fa = faIn;
  let fb = fbIn;
  let c = a;
  let fc = fa;
  if (fa === 0) return a;
  if (fb === 0) return b;
  for (let iteration = 0; iteration <= 1000; iteration++) {
    const previousStep = b - a;
    if (Math.abs(fc) < Math.abs(fb)) {
      a = b;
      b = c;
      c = a;
      fa = fb;
      fb = fc;
      fc = fa;
    }
    const tolerance = 2 * EPSILON * Math.abs(b) + TOLERANCE / 2;
    let step = (c - b) / 2;
    if (Math.abs(step) <= tolerance || fb === 0) return b;
    if (Math.abs(previousStep) >= tolerance && Math.abs(fa) > Math.abs(fb)) {
      const cb = c - b;
      let p: number;
      let q: number;
      if (a === c) {
        const t1 = fb / fa;
        p = cb * t1;
        q = 1 - t1;
      } else {
        const qa = fa / fc;
        const t1 = fb / fc;
        const t2 = fb / fa;
        p = t2 * (cb * qa * (qa - t1) - (b - a) * (t1 - 1));
        q = (qa - 1) * (t1 - 1) * (t2 - 1);
      }
      if (p > 0) q = -q;
      else p = -p;
      if (p < 0.75 * cb * q - Math.abs(tolerance * q) / 2 && p < Math.abs((previousStep * q) / 2))
        step = p / q;
    }
    if (Math.abs(step) < tolerance) step = step > 0 ? tolerance : -tolerance;
    a = b;
    fa = fb;
    b += step;
    fb = f(b);
    if ((fb > 0 && fc > 0) || (fb < 0 && fc < 0)) {
      c = a;
      fc = fa;
    }
  }
  return b;
}

/** MannWhitney.scala mannWhitneyUTest(x, y, confidenceLevel): interval and estimate of the shift x - y. */
export function kayentaMannWhitney(
  x: readonly number[],
  y: readonly number[],
  confidence: number,
): KayentaMannWhitney {
  const alpha = 1 - confidence;
  const muMin = Math.min(...x) - Math.max(...y);
  const muMax = Math.max(...x) - Math.min(...y);
  const root = (zq: number): number => {
    const fLower = wilcoxonDiff(muMin, zq, x, y);
    const fUpper = wilcoxonDiff(muMax, zq, x, y);
    if (fLower <= 0) return muMin;
    if (fUpper >= 0) return muMax;
    return brentSolve(muMin, muMax, fLower, fUpper, (mu) => wilcoxonDiff(mu, zq, x, y));
  };
  const zQuant = normalQuantile(alpha / 2);
  const lower = root(-zQuant);
  const upper = root(zQuant);
  const estimate = brentSolve(
    muMin,
    muMax,
    wilcoxonDiff(muMin, 0, x, y),
    wilcoxonDiff(muMax, 0, x, y),
    (mu) => wilcoxonDiff(mu, 0, x, y),
  );
  return { lower, upper, estimate };
}

/** kayenta-judge stats/EffectSizes.scala meanRatio: experiment mean / control mean; NaN if either mean is 0. */
export function meanRatio(control: readonly number[], experiment: readonly number[]): number {
  const mean = (xs: readonly number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
  const c = mean(control);
  const e = mean(experiment);
  return c === 0 || e === 0 ? Number.NaN : e / c;
}

/** kayenta-judge stats/EffectSizes.scala cles: P(experiment > control), ties counting half. */
export function cles(control: readonly number[], experiment: readonly number[]): number {
  const m = experiment.length;
  const n = control.length;
  const ranks = averageRanks([...experiment, ...control]);
  let r1 = 0;
  for (let i = 0; i < m; i++) r1 += ranks[i] as number;
  return (2 * r1 - m * (m + 1)) / (2 * n * m);
}
