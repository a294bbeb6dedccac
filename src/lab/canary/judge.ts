/**
 * Kayenta's canary judge, NetflixACAJudge (spinnaker/kayenta v2.46.0, kayenta-judge), metric by metric and
 * then scored:
 * - NaN strategy (NetflixACAJudge.handleNaNs): `remove` (the default) drops NaN points, `replace` turns
 *   them into 0;
 * - MannWhitneyClassifier.classify: a side with no data is Nodata when NaNs are removed (NodataFailMetric
 *   when the metric mustHaveData and is not critical; a critical one keeps the critical flag), Pass when
 *   NaNs are replaced; identical data and a single distinct value are Pass; otherwise the Mann-Whitney
 *   interval (confidence 0.98) must lie outside ±0.25·|estimate| and the effect size (meanRatio, or cles)
 *   reach allowedIncrease/allowedDecrease for High/Low (a NaN effect size is ignored); a critical metric fails
 *   the canary only when its effect also reaches criticalIncrease/criticalDecrease;
 * - scorers/WeightedSumScorer.scala: muted metrics are left out (ScoringHelper); any critical result that is
 *   not Pass scores 0; 50% or more Nodata scores 0; otherwise each group scores the share of Pass among its
 *   Pass, High, Low and NodataFailMetric results (so a Nodata metric's weight goes to the others of its
 *   group; a group with none of those scores 100), and groups combine by their weights (percentages; groups
 *   without a weight share what is left of 100).
 */
import { cles, kayentaMannWhitney, meanRatio } from './stats/kayenta-mann-whitney.js';
import { mannWhitneyU } from './stats/mann-whitney.js';

export type Direction = 'increase' | 'decrease' | 'either';
export type MetricClass = 'High' | 'Low' | 'Pass' | 'NoData' | 'NoDataFail' | 'Error';
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
  /** Kayenta's classifier.groupWeights (percent); default: from the metrics' weights. */
  groupWeights?: Record<string, number>;
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
  /** Kayenta's critical metric: any result but Pass (High, Low past the critical effect size, no data) fails. */
  critical?: boolean;
  /** Kayenta's groups (default: the metric alone). */
  groups?: string[];
  /** Kayenta's nanStrategy: remove (default) or replace NaN with 0. */
  nanStrategy?: 'remove' | 'replace';
  /** Kayenta's mustHaveData: no data is NodataFailMetric (counts as not passing) rather than Nodata. */
  mustHaveData?: boolean;
  /** Kayenta's muted: classified and reported, not scored. */
  muted?: boolean;
  /** Kayenta's effectSize: measure meanRatio (default) or cles, and its thresholds. */
  effectSize?: {
    measure?: 'meanRatio' | 'cles';
    allowedIncrease?: number;
    allowedDecrease?: number;
    criticalIncrease?: number;
    criticalDecrease?: number;
  };
}

export interface GroupScore {
  name: string;
  score: number;
  noData: boolean;
  metrics: number;
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
  groups: string[];
  /** Kayenta's result flag: this result fails the canary (a critical metric not passing). */
  critical: boolean;
  /** The metric was configured critical. */
  criticalMetric: boolean;
  muted: boolean;
  class: MetricClass;
  reason: string;
  u: number | null;
  p_value: number | null;
  estimate: number | null;
  ci: [number, number] | null;
  effect_size: number | null;
  effect_measure: 'meanRatio' | 'cles';
  /** Mean ratio canary / baseline (Kayenta's deviation); null when a mean is 0. */
  deviation: number | null;
  canary: SampleSummary;
  baseline: SampleSummary;
}

export interface Judgement {
  score: number;
  verdict: Verdict;
  reason: string;
  options: JudgeOptions;
  metrics: MetricJudgement[];
  groups: GroupScore[];
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
  const nanStrategy = input.nanStrategy ?? 'remove';
  const clean = (values: readonly number[]) =>
    nanStrategy === 'remove'
      ? values.filter((v) => !Number.isNaN(v))
      : values.map((v) => (Number.isNaN(v) ? 0 : v));
  const canaryValues = clean(input.canary);
  const baselineValues = clean(input.baseline);
  const critical = input.critical ?? false;
  const measure = input.effectSize?.measure ?? 'meanRatio';
  const neutral = measure === 'cles' ? 0.5 : 1;
  const allowedIncrease =
    input.effectSize?.allowedIncrease ?? (measure === 'cles' ? neutral : options.allowedIncrease);
  const allowedDecrease =
    input.effectSize?.allowedDecrease ?? (measure === 'cles' ? neutral : options.allowedDecrease);
  const criticalIncrease = input.effectSize?.criticalIncrease ?? neutral;
  const criticalDecrease = input.effectSize?.criticalDecrease ?? neutral;
  const base: MetricJudgement = {
    name: input.name,
    direction: input.direction,
    weight: input.weight ?? 1,
    groups: input.groups ?? [input.name],
    critical: false,
    criticalMetric: critical,
    muted: input.muted ?? false,
    class: 'Pass',
    reason: '',
    u: null,
    p_value: null,
    estimate: null,
    ci: null,
    effect_size: null,
    effect_measure: measure,
    deviation: null,
    canary: summarize(input.canary).summary,
    baseline: summarize(input.baseline).summary,
  };
  // MannWhitneyClassifier.classify: no data on either side.
  if (canaryValues.length === 0 || baselineValues.length === 0) {
    const side = canaryValues.length === 0 ? 'canary' : 'baseline';
    if (nanStrategy === 'replace')
      return { ...base, reason: `no data points for the ${side} (NaN strategy replace: Pass)` };
    if (input.mustHaveData && !critical)
      return {
        ...base,
        class: 'NoDataFail',
        reason: `no data points for the ${side}, and the metric must have data`,
      };
    return {
      ...base,
      class: 'NoData',
      critical,
      reason: `no data points for the ${side}${critical ? ' (critical metric: the canary fails)' : ''}`,
    };
  }
  const sortedCanary = [...canaryValues].sort((a, b) => a - b);
  const sortedBaseline = [...baselineValues].sort((a, b) => a - b);
  if (sortedCanary.length === sortedBaseline.length && sortedCanary.every((v, i) => v === sortedBaseline[i]))
    return { ...base, deviation: 1, reason: 'the canary and baseline data are identical' };
  if (new Set([...canaryValues, ...baselineValues]).size === 1)
    return { ...base, deviation: 1, reason: 'canary and baseline hold one and the same value' };

  // Both series constant (and different): Kayenta adds Gaussian noise of 1e-5 x the value to break the ties;
  // here the noise comes from a fixed seed, so a run repeats (a deliberate difference, docs/canary.md).
  const noisy = new Set(canaryValues).size === 1 && new Set(baselineValues).size === 1;
  const experiment = noisy ? addNoise(canaryValues, 1) : canaryValues;
  const control = noisy ? addNoise(baselineValues, 2) : baselineValues;
  let mw: { lower: number; upper: number; estimate: number };
  try {
    mw = kayentaMannWhitney(experiment, control, options.confidence);
  } catch (error) {
    return { ...base, class: 'Error', reason: `metric classification failed: ${(error as Error).message}` };
  }
  const u = mannWhitneyU(experiment, control);
  const deviation = meanRatio(control, experiment);
  const effect = measure === 'cles' ? cles(control, experiment) : deviation;
  const judged: MetricJudgement = {
    ...base,
    u: u.u,
    p_value: u.pValue,
    estimate: mw.estimate,
    ci: [mw.lower, mw.upper],
    effect_size: Number.isNaN(effect) ? null : effect,
    deviation: Number.isNaN(deviation) ? null : deviation,
  };
  const band = options.tolerance * Math.abs(mw.estimate);
  const ciText = `${pct(options.confidence)} interval of the shift [${fmt(mw.lower)}, ${fmt(mw.upper)}]`;
  const effectText = Number.isNaN(effect) ? '' : ` (${measure} ${fmt(effect)})`;
  const watchesIncrease = input.direction === 'increase' || input.direction === 'either';
  const watchesDecrease = input.direction === 'decrease' || input.direction === 'either';
  const high = watchesIncrease && mw.lower > band && (Number.isNaN(effect) || effect >= allowedIncrease);
  const low = watchesDecrease && mw.upper < -band && (Number.isNaN(effect) || effect <= allowedDecrease);
  if (high) {
    const isCritical = critical && (Number.isNaN(effect) || effect >= criticalIncrease);
    return {
      ...judged,
      class: 'High',
      critical: isCritical,
      reason: `canary is higher${effectText}: ${ciText} lies above +${fmt(band)}${isCritical ? ' (critical)' : ''}`,
    };
  }
  if (low) {
    const isCritical = critical && (Number.isNaN(effect) || effect <= criticalDecrease);
    return {
      ...judged,
      class: 'Low',
      critical: isCritical,
      reason: `canary is lower${effectText}: ${ciText} lies below -${fmt(band)}${isCritical ? ' (critical)' : ''}`,
    };
  }
  if (mw.lower > band)
    return {
      ...judged,
      reason: `canary is higher${effectText}, but not by enough, or only a decrease is bad`,
    };
  if (mw.upper < -band)
    return {
      ...judged,
      reason: `canary is lower${effectText}, but not by enough, or only an increase is bad`,
    };
  return { ...judged, reason: `no significant difference: ${ciText} overlaps ±${fmt(band)}` };
}

/** Seeded Gaussian noise (mulberry32 + Box-Muller), standard deviation 1e-5 x the (single) value. */
function addNoise(values: readonly number[], seed: number): number[] {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const scale = (values[0] as number) * 1e-5;
  return values.map(
    (v) => v + scale * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random()),
  );
}

export function judge(
  inputs: readonly MetricInput[],
  options: JudgeOptions = defaultJudgeOptions,
): Judgement {
  // A metric without groups is a group of its own (Kayenta metric names are unique; repeated names here
  // still make separate groups).
  const seen = new Map<string, number>();
  const metrics = inputs.map((input) => {
    const m = classifyMetric(input, options);
    if (input.groups) return m;
    const n = seen.get(input.name) ?? 0;
    seen.set(input.name, n + 1);
    return n === 0 ? m : { ...m, groups: [`${input.name}#${n + 1}`] };
  });
  const { score, reason, groups } = scoreResults(metrics, options.groupWeights);
  const verdict: Verdict =
    score >= options.passScore ? 'pass' : score >= options.marginalScore ? 'marginal' : 'fail';
  return { score, verdict, reason, options, metrics, groups };
}

/** What the scorer reads of a classified metric. */
export type ScoredResult = Pick<MetricJudgement, 'name' | 'class' | 'critical' | 'groups' | 'muted'> &
  Partial<Pick<MetricJudgement, 'weight'>>;

/**
 * ScoringHelper.score + WeightedSumScorer.score (kayenta-judge scorers/): the summary score of classified
 * results, rounded to two decimals, with the reason when it is forced to 0.
 */
export function scoreResults(
  results: readonly ScoredResult[],
  weights?: Record<string, number>,
): { score: number; reason: string; groups: GroupScore[] } {
  // ScoringHelper.score: muted metrics are reported but not scored.
  const scored = results.filter((m) => !m.muted);
  const groupWeights = weights ?? weightsFromMetrics(scored);
  const groups = groupScores(scored);
  let score = 0;
  let reason: string;
  const criticalFailures = scored.filter((m) => m.critical && m.class !== 'Pass');
  const noData = scored.filter((m) => m.class === 'NoData').length;
  if (results.length === 0) {
    reason = 'no metrics to compare';
  } else if (criticalFailures.length > 0) {
    reason = `critical metric ${criticalFailures.map((m) => `${m.name} ${m.class}`).join(', ')} (a critical metric that does not pass scores 0)`;
  } else if (scored.length > 0 && (noData / scored.length) * 100 >= 50) {
    reason = `${noData} of ${scored.length} metrics had no data (50% or more scores 0)`;
  } else {
    const weightSum = Object.values(groupWeights).reduce((a, b) => a + b, 0);
    const unweighted = groups.filter((g) => !(g.name in groupWeights));
    const share = unweighted.length > 0 ? (100 - weightSum) / unweighted.length : 0;
    for (const group of groups) {
      const effective = group.noData ? 100 : group.score;
      score += effective * ((groupWeights[group.name] ?? share) / 100);
    }
    const failing = scored
      .filter((m) => !['Pass', 'NoData'].includes(m.class))
      .map((m) => `${m.name} ${m.class}`);
    reason = failing.length ? `not passing: ${failing.join(', ')}` : 'every compared metric passed';
  }
  return { score: Math.round(score * 100) / 100, reason, groups };
}
/** WeightedSumScorer.calculateGroupScore over every group a metric belongs to. */
function groupScores(metrics: readonly ScoredResult[]): GroupScore[] {
  const names = [...new Set(metrics.flatMap((m) => m.groups))];
  return names.map((name) => {
    const members = metrics.filter((m) => m.groups.includes(name));
    const counted = members.filter((m) => ['Pass', 'High', 'Low', 'NoDataFail'].includes(m.class));
    const pass = counted.filter((m) => m.class === 'Pass').length;
    const noData = counted.length === 0;
    return { name, score: noData ? 0 : (100 * pass) / counted.length, noData, metrics: members.length };
  });
}

/**
 * The project's per-metric weights (--weight, the template annotation) become Kayenta group weights: each
 * metric without a group is its own group, weighted by its share of the total weight, in percent.
 */
function weightsFromMetrics(metrics: readonly ScoredResult[]): Record<string, number> {
  const own = metrics.filter((m) => m.groups.length === 1 && (m.groups[0] as string).startsWith(m.name));
  if (own.length === 0 || own.length !== metrics.length) return {};
  const total = own.reduce((sum, m) => sum + (m.weight ?? 1), 0);
  if (total <= 0) return {};
  return Object.fromEntries(own.map((m) => [m.groups[0] as string, (100 * (m.weight ?? 1)) / total]));
}

function pct(confidence: number): string {
  return `${Math.round(confidence * 1000) / 10}%`;
}

function fmt(value: number): string {
  return Number.parseFloat(value.toPrecision(4)).toString();
}
