/**
 * A Kayenta-style canary judge (modelled on Kayenta's NetflixACAJudge, Spinnaker's default): each metric's
 * canary series is compared with the baseline's by a Mann-Whitney U test, and classified High or Low only
 * when the whole confidence interval of the Hodges-Lehmann shift lies outside a tolerance band of
 * ±tolerance·|estimate|, the mean ratio passes the allowed increase/decrease, and the change is in the
 * metric's bad direction; otherwise Pass, or NoData when a side has no finite values. The score is the
 * weighted share of Pass among the classified metrics (NoData left out); a critical metric classified High or
 * Low, or 50% or more NoData, scores 0.
 */
import { hodgesLehmann, mannWhitneyU } from './stats/mann-whitney.js';

export type Direction = 'increase' | 'decrease' | 'either';
export type MetricClass = 'High' | 'Low' | 'Pass' | 'NoData';
export type Verdict = 'pass' | 'marginal' | 'fail';

export interface JudgeOptions {
  /** Confidence of the shift's interval (Kayenta: 0.98). */
  confidence: number;
  /** Half-width of the tolerance band as a fraction of |estimate| (Kayenta: 0.25). */
  tolerance: number;
  /** High needs mean ratio >= this (Kayenta's allowedIncrease, default 1). */
  allowedIncrease: number;
  /** Low needs mean ratio <= this (Kayenta's allowedDecrease, default 1). */
  allowedDecrease: number;
  /** Score at or above which the verdict is pass (Spinnaker's usual 95). */
  passScore: number;
  /** Score at or above which the verdict is marginal (Spinnaker's usual 75). */
  marginalScore: number;
}

export const defaultJudgeOptions: JudgeOptions = {
  confidence: 0.98,
  tolerance: 0.25,
  allowedIncrease: 1,
  allowedDecrease: 1,
  passScore: 95,
  marginalScore: 75,
};

export interface MetricInput {
  name: string;
  canary: readonly number[];
  baseline: readonly number[];
  /** The direction of change that is bad for this metric. */
  direction: Direction;
  weight?: number;
  /** Kayenta's critical metric: classified High or Low, it fails the whole comparison (score 0). */
  critical?: boolean;
}

export interface SampleSummary {
  count: number;
  dropped: number;
  mean: number | null;
  median: number | null;
  min: number | null;
  max: number | null;
}

export interface MetricJudgement {
  name: string;
  direction: Direction;
  weight: number;
  critical: boolean;
  class: MetricClass;
  reason: string;
  u: number | null;
  p_value: number | null;
  estimate: number | null;
  ci: [number, number] | null;
  effect_size: number | null;
  canary: SampleSummary;
  baseline: SampleSummary;
}

export interface Judgement {
  score: number;
  verdict: Verdict;
  reason: string;
  options: JudgeOptions;
  metrics: MetricJudgement[];
}

export function summarize(values: readonly number[]): { finite: number[]; summary: SampleSummary } {
  const finite = values.filter(Number.isFinite);
  const sorted = [...finite].sort((a, b) => a - b);
  const n = sorted.length;
  const mid = Math.floor(n / 2);
  return {
    finite,
    summary: {
      count: n,
      dropped: values.length - n,
      mean: n ? finite.reduce((a, b) => a + b, 0) / n : null,
      median: n
        ? n % 2
          ? (sorted[mid] as number)
          : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
        : null,
      min: n ? (sorted[0] as number) : null,
      max: n ? (sorted[n - 1] as number) : null,
    },
  };
}

export function classifyMetric(
  input: MetricInput,
  options: JudgeOptions = defaultJudgeOptions,
): MetricJudgement {
  const canary = summarize(input.canary);
  const baseline = summarize(input.baseline);
  const base: MetricJudgement = {
    name: input.name,
    direction: input.direction,
    weight: input.weight ?? 1,
    critical: input.critical ?? false,
    class: 'Pass',
    reason: '',
    u: null,
    p_value: null,
    estimate: null,
    ci: null,
    effect_size: null,
    canary: canary.summary,
    baseline: baseline.summary,
  };
  if (canary.finite.length === 0 || baseline.finite.length === 0) {
    const side = canary.finite.length === 0 ? 'canary' : 'baseline';
    return { ...base, class: 'NoData', reason: `no data points for the ${side}` };
  }
  const test = mannWhitneyU(canary.finite, baseline.finite);
  const shift = hodgesLehmann(canary.finite, baseline.finite, options.confidence);
  const ratio = (canary.summary.mean as number) / (baseline.summary.mean as number);
  const effect = Number.isFinite(ratio) ? ratio : null;
  const judged: MetricJudgement = {
    ...base,
    u: test.u,
    p_value: test.pValue,
    estimate: shift.estimate,
    ci: shift.ci,
    effect_size: effect,
  };
  const sortedCanary = [...canary.finite].sort((a, b) => a - b);
  const sortedBaseline = [...baseline.finite].sort((a, b) => a - b);
  const sameValues =
    (sortedCanary.length === sortedBaseline.length &&
      sortedCanary.every((v, i) => v === sortedBaseline[i])) ||
    (sortedCanary[0] === sortedCanary[sortedCanary.length - 1] &&
      sortedBaseline[0] === sortedBaseline[sortedBaseline.length - 1] &&
      sortedCanary[0] === sortedBaseline[0]);
  if (sameValues) return { ...judged, effect_size: 1, reason: 'canary and baseline hold the same values' };
  if (!shift.ci) {
    return {
      ...judged,
      reason: `too few points for a ${pct(options.confidence)} interval (canary ${canary.finite.length}, baseline ${baseline.finite.length})`,
    };
  }
  const band = options.tolerance * Math.abs(shift.estimate);
  const [lower, upper] = shift.ci;
  const watchesIncrease = input.direction === 'increase' || input.direction === 'either';
  const watchesDecrease = input.direction === 'decrease' || input.direction === 'either';
  const ciText = `${pct(options.confidence)} interval of the shift [${fmt(lower)}, ${fmt(upper)}]`;
  const ratioText = effect === null ? '' : ` (mean ratio ${fmt(effect)})`;
  if (lower > band) {
    if (!watchesIncrease) {
      return {
        ...judged,
        reason: `canary is higher${ratioText}, but only a decrease is bad for this metric`,
      };
    }
    if (effect !== null && effect < options.allowedIncrease) {
      return {
        ...judged,
        reason: `canary is higher, but its mean ratio ${fmt(effect)} is under the allowed increase ${options.allowedIncrease}`,
      };
    }
    return {
      ...judged,
      class: 'High',
      reason: `canary is higher${ratioText}: ${ciText} lies above +${fmt(band)}`,
    };
  }
  if (upper < -band) {
    if (!watchesDecrease) {
      return {
        ...judged,
        reason: `canary is lower${ratioText}, but only an increase is bad for this metric`,
      };
    }
    if (effect !== null && effect > options.allowedDecrease) {
      return {
        ...judged,
        reason: `canary is lower, but its mean ratio ${fmt(effect)} is above the allowed decrease ${options.allowedDecrease}`,
      };
    }
    return {
      ...judged,
      class: 'Low',
      reason: `canary is lower${ratioText}: ${ciText} lies below -${fmt(band)}`,
    };
  }
  return { ...judged, reason: `no significant difference: ${ciText} overlaps ±${fmt(band)}` };
}

export function judge(
  inputs: readonly MetricInput[],
  options: JudgeOptions = defaultJudgeOptions,
): Judgement {
  const metrics = inputs.map((input) => classifyMetric(input, options));
  const noData = metrics.filter((m) => m.class === 'NoData').length;
  const classified = metrics.filter((m) => m.class !== 'NoData');
  let score = 0;
  let reason: string;
  if (metrics.length === 0) {
    reason = 'no metrics to compare';
  } else if (metrics.some((m) => m.critical && (m.class === 'High' || m.class === 'Low'))) {
    const critical = metrics.filter((m) => m.critical && (m.class === 'High' || m.class === 'Low'));
    reason = `critical metric ${critical.map((m) => `${m.name} ${m.class}`).join(', ')} (a critical metric failing scores 0)`;
  } else if (noData * 2 >= metrics.length) {
    reason = `${noData} of ${metrics.length} metrics had no data (50% or more scores 0)`;
  } else {
    const total = classified.reduce((sum, m) => sum + m.weight, 0);
    const passed = classified.filter((m) => m.class === 'Pass').reduce((sum, m) => sum + m.weight, 0);
    score = total > 0 ? (100 * passed) / total : 0;
    const failing = classified.filter((m) => m.class !== 'Pass').map((m) => `${m.name} ${m.class}`);
    reason = failing.length ? `not passing: ${failing.join(', ')}` : 'every compared metric passed';
  }
  score = Math.round(score * 100) / 100;
  const verdict: Verdict =
    score >= options.passScore ? 'pass' : score >= options.marginalScore ? 'marginal' : 'fail';
  return { score, verdict, reason, options, metrics };
}

function pct(confidence: number): string {
  return `${Math.round(confidence * 1000) / 10}%`;
}

function fmt(value: number): string {
  return Number.parseFloat(value.toPrecision(4)).toString();
}
