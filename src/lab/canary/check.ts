/**
 * `canary check`: evaluates an AnalysisTemplate's metrics against Prometheus with Argo Rollouts' semantics.
 * Once (default): one measurement of every metric now; the verdict is the worst measurement phase.
 * Watch: the full AnalysisRun loop (initialDelay, interval, count, failureLimit, inconclusiveLimit,
 * consecutiveErrorLimit), ending when the run completes or is interrupted.
 * job and web metrics are Skipped with the reason, unless `runJobs` runs a job's command, or calls a web
 * metric's URL, here against `target`; other providers are Skipped. Skipped and dry-run metrics never change
 * the verdict.
 */
import { ExitCode } from '../../errors.js';
import type { MeasurementPhase } from './conditions.js';
import { type JobMeasurement, runJobLocally } from './jobs.js';
import { measurePrometheus, type PrometheusMeasurement } from './measure.js';
import { PrometheusClient } from './prometheus.js';
import {
  type AnalysisPhase,
  type Clock,
  type LoopMetric,
  type MetricResult,
  type RunSummary,
  runAnalysis,
  worse,
} from './run.js';
import { type AnalysisTemplate, type ResolvedMetric, resolveMetrics } from './template.js';
import { measureWeb, type WebMeasurement } from './web.js';

export type Verdict = MeasurementPhase;

export interface CheckOptions {
  template: AnalysisTemplate;
  args?: Record<string, string>;
  /** Replaces every prometheus metric's address. */
  prometheus?: string;
  runJobs?: boolean;
  /** Where --run-jobs points the job's command. */
  target?: string;
  watch?: boolean;
  signal?: AbortSignal;
  clock?: Clock;
  fetch?: typeof fetch;
  /** Watch mode: called after every round of measurements. */
  onUpdate?: (report: CheckReport) => void;
}

export interface MeasurementReport {
  phase: MeasurementPhase;
  at: string;
  value: string;
  reason: string;
}

export interface MetricReport {
  name: string;
  provider: string;
  dryRun: boolean;
  phase: AnalysisPhase | 'Skipped';
  reason: string;
  query?: string;
  address?: string;
  /** web metrics: the URL called (retargeted to --target). */
  url?: string;
  /** The latest measurement's `result` rendered as Argo shows it, e.g. [0.93]. */
  value?: string;
  result?: unknown;
  successCondition?: { expression: string; value?: boolean };
  failureCondition?: { expression: string; value?: boolean };
  command?: string[];
  exitCode?: number;
  limits: {
    count: number | null;
    interval: number | null;
    failureLimit: number;
    inconclusiveLimit: number;
    consecutiveErrorLimit: number;
    consecutiveSuccessLimit: number;
  };
  /** Things to know about the verdict: it was reached on no data. */
  notes?: string[];
  counts?: { count: number; successful: number; failed: number; inconclusive: number; error: number };
  measurements: MeasurementReport[];
}

export interface CheckReport {
  template: { name: string; file: string };
  args: Record<string, string>;
  mode: 'once' | 'watch';
  phase: AnalysisPhase;
  exitCode: number;
  message: string;
  interrupted: boolean;
  metrics: MetricReport[];
  /** With --watch: Argo's status.runSummary and status.dryRunSummary of the run. */
  runSummary?: RunSummary;
  dryRunSummary?: RunSummary;
}

type Detail = PrometheusMeasurement | JobMeasurement | WebMeasurement;

export function exitCodeFor(phase: AnalysisPhase): number {
  if (phase === 'Successful') return ExitCode.ok;
  if (phase === 'Failed') return ExitCode.failed;
  return ExitCode.inconclusive;
}

export async function runCheck(options: CheckOptions): Promise<CheckReport> {
  const metrics = resolveMetrics(options.template, {
    args: options.args,
    prometheusAddress: options.prometheus,
  });
  const runnable = metrics.filter((m) => skipReason(m, options) === undefined);
  await ensureReachable(runnable, options);

  const measure = async (metric: LoopMetric): Promise<{ phase: MeasurementPhase; detail: Detail }> => {
    const resolved = metric as ResolvedMetric;
    if (resolved.providerKind === 'prometheus') return measurePrometheus(resolved, { fetch: options.fetch });
    if (resolved.providerKind === 'web')
      return measureWeb(resolved, options.target as string, { fetch: options.fetch });
    return runJobLocally(resolved, options.target as string, { signal: options.signal });
  };

  if (!options.watch) {
    const taken = await Promise.all(runnable.map(async (metric) => ({ metric, ...(await measure(metric)) })));
    const unreachable = taken
      .map((t) => ('unreachable' in t.detail ? t.detail.unreachable : undefined))
      .find(Boolean);
    if (unreachable) throw unreachable;
    const now = new Date();
    const results = new Map(
      taken.map(({ metric, phase, detail }) => [
        metric.name,
        { phase, detail, measurements: [{ phase, detail, startedAt: now, finishedAt: now }] },
      ]),
    );
    let verdict: AnalysisPhase | undefined;
    let message = '';
    for (const { metric, phase, detail } of taken) {
      if (metric.dryRun) continue;
      if (verdict === undefined || worse(verdict, phase) !== verdict) {
        verdict = phase;
        message = `metric ${metric.name}: ${detail.reason}`;
      }
    }
    if (verdict === undefined) {
      verdict = 'Inconclusive';
      message = 'no metric could be measured (all were skipped or dry-run)';
    } else if (verdict === 'Successful') {
      message = 'every measured metric is Successful';
    }
    const reports = metrics.map((metric) => {
      const taken = results.get(metric.name);
      return metricReport(
        metric,
        options,
        taken ? { phase: taken.phase, measurements: taken.measurements } : undefined,
      );
    });
    return {
      template: { name: options.template.name, file: options.template.file },
      args: options.args ?? {},
      mode: 'once',
      phase: verdict,
      exitCode: exitCodeFor(verdict),
      message,
      interrupted: false,
      metrics: reports,
    };
  }

  const build = (
    state: {
      phase: AnalysisPhase;
      results: MetricResult<Detail>[];
      message?: string;
      runSummary?: RunSummary;
      dryRunSummary?: RunSummary;
    },
    interrupted: boolean,
  ) => {
    const byName = new Map(state.results.map((r) => [r.name, r]));
    const phase = state.phase;
    return {
      template: { name: options.template.name, file: options.template.file },
      args: options.args ?? {},
      mode: 'watch' as const,
      phase,
      exitCode: exitCodeFor(phase),
      message:
        state.message ??
        (phase === 'Successful'
          ? 'every metric completed Successful'
          : runnable.length === 0
            ? 'no metric could be measured (all were skipped)'
            : `the run is ${phase}`),
      interrupted,
      metrics: metrics.map((metric) => {
        const result = byName.get(metric.name);
        return metricReport(metric, options, result, result);
      }),
      ...(state.runSummary ? { runSummary: state.runSummary, dryRunSummary: state.dryRunSummary } : {}),
    } satisfies CheckReport;
  };
  if (runnable.length === 0) {
    return { ...build({ phase: 'Inconclusive', results: [] }, false), exitCode: ExitCode.inconclusive };
  }
  const outcome = await runAnalysis<Detail>({
    metrics: runnable,
    // An Error measurement carries its error as Argo's Measurement.message does (metricutil.MarkMeasurementError).
    measure: async (metric) => {
      const taken = await measure(metric);
      return taken.phase === 'Error' ? { ...taken, message: taken.detail.reason } : taken;
    },
    clock: options.clock,
    signal: options.signal,
    onUpdate: (state) => options.onUpdate?.(build(state, false)),
  });
  return build(outcome, outcome.interrupted);
}

function skipReason(metric: ResolvedMetric, options: CheckOptions): string | undefined {
  if (metric.providerKind === 'prometheus') return undefined;
  if (metric.providerKind === 'job') {
    return options.runJobs
      ? undefined
      : 'job metrics run in the cluster; pass --run-jobs --target URL to run it here';
  }
  if (metric.providerKind === 'web') {
    return options.runJobs
      ? undefined
      : 'web metrics call in-cluster URLs; pass --run-jobs --target URL to call it here';
  }
  return `${metric.providerKind} metrics are not evaluated by gitops-lab`;
}

/** Fails fast, with one line, when a Prometheus the metrics need cannot be reached. */
async function ensureReachable(metrics: ResolvedMetric[], options: CheckOptions): Promise<void> {
  const addresses = new Set(
    metrics
      .filter(
        (m) =>
          m.providerKind === 'prometheus' && typeof m.provider.address === 'string' && m.provider.address,
      )
      .map((m) => m.provider.address as string),
  );
  for (const address of addresses) {
    await new PrometheusClient({ url: address, timeoutMs: 10_000, fetch: options.fetch }).query('1');
  }
}

function metricReport(
  metric: ResolvedMetric,
  options: CheckOptions,
  taken:
    | {
        phase: AnalysisPhase;
        measurements: { phase: MeasurementPhase; detail: Detail; finishedAt: Date }[];
        message?: string;
      }
    | undefined,
  counters?: MetricResult<Detail>,
): MetricReport {
  const base: MetricReport = {
    name: metric.name,
    provider: metric.providerKind,
    dryRun: metric.dryRun,
    phase: 'Skipped',
    reason: skipReason(metric, options) ?? 'not measured yet',
    limits: {
      count: metric.count ?? null,
      interval: metric.intervalMs ?? null,
      failureLimit: metric.failureLimit,
      inconclusiveLimit: metric.inconclusiveLimit,
      consecutiveSuccessLimit: metric.consecutiveSuccessLimit,
      consecutiveErrorLimit: metric.consecutiveErrorLimit,
    },
    measurements: [],
  };
  if (metric.providerKind === 'prometheus') {
    base.query = String(metric.provider.query ?? '').trim();
    base.address = String(metric.provider.address ?? '');
    if (metric.successCondition) base.successCondition = { expression: metric.successCondition };
    if (metric.failureCondition) base.failureCondition = { expression: metric.failureCondition };
  }
  if (!taken) return base;
  const last = taken.measurements[taken.measurements.length - 1];
  const report: MetricReport = {
    ...base,
    phase: taken.phase,
    reason: taken.message ?? last?.detail.reason ?? '',
  };
  if (counters) {
    report.counts = {
      count: counters.count,
      successful: counters.successful,
      failed: counters.failed,
      inconclusive: counters.inconclusive,
      error: counters.error,
    };
  }
  report.measurements = taken.measurements.map((m) => ({
    phase: m.phase,
    at: m.finishedAt.toISOString(),
    value: 'value' in m.detail ? m.detail.value : `exit ${m.detail.exitCode ?? '-'}`,
    reason: m.detail.reason,
  }));
  if (last) {
    if ('value' in last.detail) {
      report.value = last.detail.value;
      report.result = last.detail.result;
      if ('url' in last.detail) report.url = last.detail.url;
      if (last.detail.outcome?.successCondition)
        report.successCondition = last.detail.outcome.successCondition;
      if (last.detail.outcome?.failureCondition)
        report.failureCondition = last.detail.outcome.failureCondition;
      report.reason = taken.message ?? last.detail.reason;
      const notes: string[] = [];
      if (last.detail.outcome?.noData)
        notes.push(
          `no data: the query returned an empty vector and the conditions were evaluated on [] (as Argo Rollouts does), giving ${last.detail.outcome.phase}`,
        );
      if (notes.length > 0) report.notes = notes;
    } else {
      report.command = last.detail.command;
      report.exitCode = last.detail.exitCode;
      report.reason = taken.message ?? last.detail.reason;
    }
  }
  return report;
}
