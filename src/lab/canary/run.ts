/**
 * The AnalysisRun loop with Argo Rollouts' bookkeeping, so `canary check --watch` reaches the verdict the
 * controller would:
 * - a measurement Successful/Failed/Inconclusive adds to `count` and resets the consecutive-error streak; an
 *   Error does not count, adds to the streak, and is retried after 10 s;
 * - a metric is Failed when failed > failureLimit (a negative limit disables this), Inconclusive when
 *   inconclusive > inconclusiveLimit, Error when consecutive errors > consecutiveErrorLimit (checked in that
 *   order, the later winning, as Argo does); then Successful once consecutiveSuccessLimit (> 0) successes
 *   in a row were seen; then, once `count` measurements were taken: Inconclusive when a consecutiveSuccessLimit
 *   was set and not reached and failureLimit applies, Failed when only the consecutiveSuccessLimit applies,
 *   else Successful; else still Running (argo-rollouts v1.8.3 analysis/analysis.go assessMetricStatus).
 *   `count` defaults to 1 when neither count nor interval is set, and is unbounded when only interval is set;
 * - a Successful measurement adds to the consecutive-success streak; any other resets it;
 * - only the last measurementRetention limit (default 10) measurements are kept, as Argo's garbage collection
 *   does; the counters are not affected;
 * - once any (non-dry-run) metric is Failed, Error or Inconclusive the run terminates: the other metrics stop,
 *   and the run's phase is the worst of its metrics (Successful < Inconclusive < Error < Failed).
 */
import type { MeasurementPhase } from './conditions.js';
import type { ResolvedMetric } from './template.js';

export type AnalysisPhase = 'Pending' | 'Running' | MeasurementPhase;

/** Argo Rollouts' DefaultErrorRetryInterval. */
export const ERROR_RETRY_INTERVAL_MS = 10_000;

export interface Measurement<T = unknown> {
  phase: MeasurementPhase;
  startedAt: Date;
  finishedAt: Date;
  detail: T;
  /** What went wrong, for an Error measurement (Argo's Measurement.message: the provider's or evaluation's error). */
  message?: string;
}

/** Argo's RunSummary: how many metrics, and how many ended each way (failure, inconclusive and error limits). */
export interface RunSummary {
  count: number;
  successful: number;
  failed: number;
  inconclusive: number;
  error: number;
}

export interface MetricResult<T = unknown> {
  name: string;
  phase: AnalysisPhase;
  measurements: Measurement<T>[];
  count: number;
  successful: number;
  failed: number;
  inconclusive: number;
  error: number;
  consecutiveError: number;
  consecutiveSuccess: number;
  /** Why the metric is in its phase, once completed. */
  message?: string;
}

export type LoopMetric = Pick<
  ResolvedMetric,
  | 'name'
  | 'intervalMs'
  | 'initialDelayMs'
  | 'count'
  | 'failureLimit'
  | 'inconclusiveLimit'
  | 'consecutiveErrorLimit'
  | 'dryRun'
> &
  Partial<Pick<ResolvedMetric, 'consecutiveSuccessLimit' | 'measurementLimit'>>;

const completed = new Set<AnalysisPhase>(['Successful', 'Failed', 'Inconclusive', 'Error']);
const worstOrder: AnalysisPhase[] = ['Successful', 'Running', 'Pending', 'Inconclusive', 'Error', 'Failed'];

export function isCompleted(phase: AnalysisPhase): boolean {
  return completed.has(phase);
}

/** The worse of two phases in Argo's order. */
export function worse(a: AnalysisPhase, b: AnalysisPhase): AnalysisPhase {
  return worstOrder.indexOf(b) > worstOrder.indexOf(a) ? b : a;
}

export function emptyResult<T>(name: string): MetricResult<T> {
  return {
    name,
    phase: 'Pending',
    measurements: [],
    count: 0,
    successful: 0,
    failed: 0,
    inconclusive: 0,
    error: 0,
    consecutiveError: 0,
    consecutiveSuccess: 0,
  };
}

/** Adds one finished measurement to a metric's counters (returns a new result). */
export function recordMeasurement<T>(
  result: MetricResult<T>,
  measurement: Measurement<T>,
  limit?: number,
): MetricResult<T> {
  const measurements = [...result.measurements, measurement];
  // analysis/analysis.go garbageCollectMeasurements: keep the newest `limit` measurements.
  // (At least one is kept: the loop times the next measurement from the last.)
  const next = {
    ...result,
    measurements: limit === undefined ? measurements : measurements.slice(-Math.max(1, limit)),
  };
  // analysis/analysis.go runMeasurements: the counters a completed measurement moves.
  switch (measurement.phase) {
    case 'Successful':
      next.successful++;
      next.count++;
      next.consecutiveError = 0;
      next.consecutiveSuccess++;
      break;
    case 'Failed':
      next.failed++;
      next.count++;
      next.consecutiveError = 0;
      next.consecutiveSuccess = 0;
      break;
    case 'Inconclusive':
      next.inconclusive++;
      next.count++;
      next.consecutiveError = 0;
      next.consecutiveSuccess = 0;
      break;
    case 'Error':
      next.error++;
      next.consecutiveError++;
      next.consecutiveSuccess = 0;
      break;
  }
  return next;
}

type BrokenLimit = { phase?: 'Failed' | 'Inconclusive' | 'Error'; message: string };

/**
 * analysis/analysis.go assessMetricFailureInconclusiveOrError: the limit a metric's counters broke, if any (the later
 * check winning), in Argo's words. A metric Failed for another reason (a consecutiveSuccessLimit not reached) has none.
 */
function brokenLimit(metric: LoopMetric, result: MetricResult): BrokenLimit {
  let broken: BrokenLimit = { message: '' };
  if (metric.failureLimit >= 0 && result.failed > metric.failureLimit)
    broken = {
      phase: 'Failed',
      message: `failed (${result.failed}) > failureLimit (${metric.failureLimit})`,
    };
  if (result.inconclusive > metric.inconclusiveLimit)
    broken = {
      phase: 'Inconclusive',
      message: `inconclusive (${result.inconclusive}) > inconclusiveLimit (${metric.inconclusiveLimit})`,
    };
  if (result.consecutiveError > metric.consecutiveErrorLimit)
    broken = {
      phase: 'Error',
      message: `consecutiveErrors (${result.consecutiveError}) > consecutiveErrorLimit (${metric.consecutiveErrorLimit})`,
    };
  return broken;
}

/** A metric's phase from its counters and limits; `terminating` when another metric already ended the run. */
export function assessMetric(
  metric: LoopMetric,
  result: MetricResult,
  terminating: boolean,
): { phase: AnalysisPhase; message?: string } {
  if (isCompleted(result.phase)) return { phase: result.phase, message: result.message };
  if (result.measurements.length === 0) {
    return terminating
      ? { phase: 'Successful', message: 'run terminated before a measurement' }
      : { phase: 'Pending' };
  }
  const broken = brokenLimit(metric, result);
  if (broken.phase) return { phase: broken.phase, message: broken.message };
  const successLimit = metric.consecutiveSuccessLimit ?? 0;
  if (successLimit > 0 && result.consecutiveSuccess >= successLimit) {
    return { phase: 'Successful', message: `consecutiveSuccessLimit (${successLimit}) reached` };
  }
  if (metric.count !== undefined && result.count >= metric.count) {
    const failureApplicable = metric.failureLimit >= 0;
    if (successLimit > 0 && failureApplicable) {
      return {
        phase: 'Inconclusive',
        message: `consecutiveSuccessLimit (${successLimit}) not reached and failureLimit (${metric.failureLimit}) not violated`,
      };
    }
    if (successLimit > 0) {
      return { phase: 'Failed', message: `consecutiveSuccessLimit (${successLimit}) not reached` };
    }
    return { phase: 'Successful', message: `count (${metric.count}) reached` };
  }
  if (terminating) return { phase: 'Successful', message: 'run terminated' };
  return { phase: 'Running' };
}

export function isTerminating(metrics: readonly LoopMetric[], results: readonly MetricResult[]): boolean {
  return results.some((result, i) => {
    if (metrics[i]?.dryRun) return false;
    return result.phase === 'Failed' || result.phase === 'Error' || result.phase === 'Inconclusive';
  });
}

const emptySummary = (): RunSummary => ({ count: 0, successful: 0, failed: 0, inconclusive: 0, error: 0 });

export interface RunAssessment<T> {
  phase: AnalysisPhase;
  results: MetricResult<T>[];
  /** The run's status.message as Argo writes it; absent while the run is Running. */
  message?: string;
  runSummary: RunSummary;
  dryRunSummary: RunSummary;
}

/**
 * Re-assesses every metric (twice: a metric ending the run terminates the others) and the run as
 * analysis/analysis.go assessRunStatus does: the worst completed phase of the metrics not in dry-run; the message
 * names the metric that set it and the limit it broke (`Metric "x" assessed Failed due to failed (1) >
 * failureLimit (0)`, with `: "Error Message: …"` when its last measurement carried one); a metric that has not
 * measured yet keeps the run Running, unless the run is terminating (then Successful when nothing completed). The
 * summaries count metrics by the limit they broke (none counts as successful), dry-run ones apart.
 */
export function assessRun<T>(
  metrics: readonly LoopMetric[],
  results: readonly MetricResult<T>[],
  interrupted = false,
): RunAssessment<T> {
  let current = [...results];
  let terminating = interrupted;
  for (let pass = 0; pass < 2; pass++) {
    terminating = interrupted || isTerminating(metrics, current);
    current = current.map((result, i) => {
      const { phase, message } = assessMetric(metrics[i] as LoopMetric, result, terminating);
      return { ...result, phase, message };
    });
  }
  const runSummary = emptySummary();
  const dryRunSummary = emptySummary();
  let worst: AnalysisPhase | undefined;
  let message = interrupted ? 'Run Terminated' : '';
  let everythingCompleted = true;
  current.forEach((result, i) => {
    const metric = metrics[i] as LoopMetric;
    const summary = metric.dryRun ? dryRunSummary : runSummary;
    summary.count++;
    // A metric with no measurement has no MetricResult in Argo yet.
    if (result.measurements.length === 0 && results[i]?.phase === 'Pending') {
      everythingCompleted = false;
      return;
    }
    if (!isCompleted(result.phase)) {
      everythingCompleted = false;
      return;
    }
    const broken = brokenLimit(metric, result);
    if (!metric.dryRun) {
      if (worst === undefined || worse(worst, result.phase) !== worst) {
        worst = result.phase;
        if (broken.message) {
          const last = result.measurements[result.measurements.length - 1];
          message = `Metric "${result.name}" assessed ${result.phase} due to ${broken.message}`;
          if (last?.message) message += `: "Error Message: ${last.message}"`;
        }
      }
    } else {
      worst ??= 'Successful';
      // A dry-run metric keeps the reason in its own result instead (assessRunStatus).
      if (broken.message)
        current[i] = { ...result, message: `Metric assessed ${result.phase} due to ${broken.message}` };
    }
    if (broken.phase === 'Failed') summary.failed++;
    else if (broken.phase === 'Inconclusive') summary.inconclusive++;
    else if (broken.phase === 'Error') summary.error++;
    else summary.successful++;
  });
  // A terminating run is done, Successful when nothing completed; otherwise it runs until every metric completed.
  const phase = terminating
    ? (worst ?? 'Successful')
    : everythingCompleted
      ? (worst ?? 'Running')
      : 'Running';
  message = phase === 'Running' ? '' : message.trim();
  return { phase, results: current, ...(message ? { message } : {}), runSummary, dryRunSummary };
}

/** When the metric's next measurement is due, or null when it takes no more. */
export function nextMeasurementAt(metric: LoopMetric, result: MetricResult, runStartedAt: Date): Date | null {
  if (isCompleted(result.phase)) return null;
  const last = result.measurements[result.measurements.length - 1];
  if (!last) return new Date(runStartedAt.getTime() + (metric.initialDelayMs ?? 0));
  if (metric.count !== undefined && result.count >= metric.count) return null;
  if (last.phase === 'Error') return new Date(last.finishedAt.getTime() + ERROR_RETRY_INTERVAL_MS);
  if (metric.intervalMs === undefined) return null;
  return new Date(last.finishedAt.getTime() + metric.intervalMs);
}

export interface Clock {
  now(): Date;
  /** Resolves after ms, or early when the signal aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    }),
};

export interface RunAnalysisOptions<T> {
  metrics: readonly LoopMetric[];
  /** Takes one measurement of a metric. Must not throw: failures are phase Error, with a message. */
  measure: (metric: LoopMetric) => Promise<{ phase: MeasurementPhase; detail: T; message?: string }>;
  clock?: Clock;
  /** Called after every round of measurements with the current state. */
  onUpdate?: (state: RunAssessment<T>) => void;
  /** Aborting stops the run as Argo's terminate does: metrics still running count as Successful. */
  signal?: AbortSignal;
}

export interface AnalysisOutcome<T> extends RunAssessment<T> {
  interrupted: boolean;
}

/** Runs the measurement loop until the run completes (or the signal aborts it). */
export async function runAnalysis<T>(options: RunAnalysisOptions<T>): Promise<AnalysisOutcome<T>> {
  const clock = options.clock ?? systemClock;
  const startedAt = clock.now();
  let results = options.metrics.map((m) => emptyResult<T>(m.name));
  for (;;) {
    if (options.signal?.aborted) {
      const final = assessRun(options.metrics, results, true);
      options.onUpdate?.(final);
      return { ...final, interrupted: true };
    }
    const now = clock.now();
    const due = options.metrics
      .map((metric, i) => ({
        metric,
        i,
        at: nextMeasurementAt(metric, results[i] as MetricResult<T>, startedAt),
      }))
      .filter((d): d is { metric: LoopMetric; i: number; at: Date } => d.at !== null);
    if (due.length === 0) {
      const final = assessRun(options.metrics, results);
      return { ...final, interrupted: false };
    }
    const ready = due.filter((d) => d.at.getTime() <= now.getTime());
    if (ready.length === 0) {
      const wait = Math.min(...due.map((d) => d.at.getTime())) - now.getTime();
      await clock.sleep(wait, options.signal);
      continue;
    }
    const taken = await Promise.all(
      ready.map(async ({ metric, i }) => {
        const started = clock.now();
        const { phase, detail, message } = await options.measure(metric);
        const measurement: Measurement<T> = { phase, detail, startedAt: started, finishedAt: clock.now() };
        if (message) measurement.message = message;
        return { i, measurement };
      }),
    );
    for (const { i, measurement } of taken) {
      const metric = options.metrics[i] as LoopMetric;
      results[i] = recordMeasurement(results[i] as MetricResult<T>, measurement, metric.measurementLimit);
    }
    const assessed = assessRun(options.metrics, results);
    results = assessed.results;
    options.onUpdate?.(assessed);
    if (isCompleted(assessed.phase)) return { ...assessed, interrupted: false };
  }
}
