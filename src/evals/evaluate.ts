/**
 * One eval run end to end: load and filter the cases, load the gates, replay against the target, score,
 * summarise, gate and (optionally) compare with a baseline. Returns the result `--json` writes; never prints.
 */
import { UsageError } from '../errors.js';
import { type BaselineComparison, compareWithBaseline, loadBaseline } from './baseline.js';
import { expectedCalibrationError, type ReliabilityBin, reliabilityBins } from './calibration.js';
import { type EvalCase, filterCases, loadCases } from './cases.js';
import { evaluateGates, type GateResult, loadGates } from './gates.js';
import { computeMetrics, type MetricCounts, type Metrics } from './metrics.js';
import { type RunProgress, runCases } from './runner.js';
import type { CaseRun, FailureKind } from './score.js';
import type { Target } from './targets.js';

export const RESULT_FORMAT_VERSION = 1;

export interface CaseSummary {
  id: string;
  file: string;
  question: string;
  tags: string[];
  expected: EvalCase['expect'];
  /** Every run of the case passed. */
  passed: boolean;
  /** The first failing run's reason. */
  reason?: string;
  failure_kind?: FailureKind;
  /** What the service said on the reported run (the first failing one, else the first). */
  status?: 'answered' | 'insufficient_context';
  answer?: string | null;
  cited_docs: string[];
  /** Mean over runs. */
  f1: number;
  /** Median over runs. */
  latency_ms: number;
  runs_passed: number;
  runs: number;
}

export interface EvalResult {
  format_version: number;
  timestamp: string;
  target: string;
  mode: 'extractive' | 'generative';
  cases_path: string;
  corpus?: string;
  filter?: string;
  repeat: number;
  concurrency: number;
  duration_ms: number;
  /** Cases (not runs). */
  total: number;
  passed: number;
  failed: number;
  /** True when every gate holds. */
  ok: boolean;
  metrics: Metrics;
  counts: MetricCounts;
  gates: GateResult[];
  /** Whether the answers' confidence means what it says: confidence bins vs the share of right answers. */
  calibration: CalibrationSummary;
  baseline?: BaselineComparison;
  cases: CaseSummary[];
}

export interface CalibrationSummary {
  /** Answered runs with a confidence. */
  answered: number;
  /** Expected calibration error over 10 equal-width bins (null when nothing was answered). */
  ece: number | null;
  bins: ReliabilityBin[];
}

/**
 * An answered run is right when it should have been answered, holds the expected strings and cites the
 * expected document; an answer to a case that should be abstained on is wrong.
 */
export function calibrationOf(runs: CaseRun[]): CalibrationSummary {
  const outcomes = runs.flatMap((run) =>
    run.status === 'answered' && run.confidence !== undefined
      ? [
          {
            score: run.confidence,
            right:
              run.expected.status === 'answered' &&
              run.answer_correct === true &&
              run.citation_correct !== false,
          },
        ]
      : [],
  );
  const bins = reliabilityBins(outcomes, 10);
  return { answered: outcomes.length, ece: expectedCalibrationError(bins), bins };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return 0;
  if (sorted.length % 2 === 1) return sorted[middle] ?? 0;
  return ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

export function summariseCases(cases: EvalCase[], runs: CaseRun[]): CaseSummary[] {
  const byId = new Map<string, CaseRun[]>();
  for (const run of runs) {
    const list = byId.get(run.id) ?? [];
    list.push(run);
    byId.set(run.id, list);
  }
  return cases.map((evalCase) => {
    const caseRuns = (byId.get(evalCase.id) ?? []).sort((a, b) => a.run - b.run);
    const failing = caseRuns.find((run) => !run.passed);
    const shown = failing ?? caseRuns[0];
    const passedRuns = caseRuns.filter((run) => run.passed).length;
    return {
      id: evalCase.id,
      file: evalCase.file,
      question: evalCase.question,
      tags: evalCase.tags,
      expected: evalCase.expect,
      passed: caseRuns.length > 0 && failing === undefined,
      ...(failing?.failure
        ? {
            reason:
              caseRuns.length > 1
                ? `${failing.failure.reason} (failed ${caseRuns.length - passedRuns} of ${caseRuns.length} runs)`
                : failing.failure.reason,
            failure_kind: failing.failure.kind,
          }
        : {}),
      ...(shown?.status === undefined ? {} : { status: shown.status }),
      ...(shown?.answer === undefined ? {} : { answer: shown.answer }),
      cited_docs: shown?.cited_docs ?? [],
      f1:
        caseRuns.length === 0
          ? 0
          : Math.round((caseRuns.reduce((s, r) => s + r.f1, 0) / caseRuns.length) * 10_000) / 10_000,
      latency_ms: Math.round(median(caseRuns.map((run) => run.latency_ms)) * 100) / 100,
      runs_passed: passedRuns,
      runs: caseRuns.length,
    };
  });
}

export interface EvaluateOptions {
  /** A case file or folder. */
  casesPath: string;
  gatesPath: string;
  /** Creates the target once cases and gates are known to be valid (so bad input fails fast). */
  createTarget: () => Promise<Target>;
  mode: 'extractive' | 'generative';
  corpus?: string;
  filter?: string;
  repeat?: number;
  concurrency?: number;
  baselinePath?: string;
  onWarning?: (message: string) => void;
  onStart?: (info: { cases: number; runs: number; target: string }) => void;
  onProgress?: (progress: RunProgress) => void;
  now?: () => Date;
}

export async function evaluate(options: EvaluateOptions): Promise<EvalResult> {
  const now = options.now ?? (() => new Date());
  const repeat = options.repeat ?? 1;
  const concurrency = options.concurrency ?? 8;
  const loaded = await loadCases(options.casesPath);
  for (const warning of loaded.warnings) options.onWarning?.(warning);
  const cases = filterCases(loaded.cases, options.filter);
  if (cases.length === 0) {
    throw new UsageError(
      options.filter
        ? `--filter "${options.filter}" matches none of the ${loaded.cases.length} cases in ${options.casesPath}.`
        : `No eval cases in ${options.casesPath}.`,
      { hint: 'Check --cases and --filter (it matches case ids, questions and tags).' },
    );
  }
  const gates = await loadGates(options.gatesPath);
  const baseline = options.baselinePath === undefined ? undefined : await loadBaseline(options.baselinePath);

  const started = performance.now();
  const timestamp = now().toISOString();
  const target = await options.createTarget();
  let runs: CaseRun[];
  try {
    options.onStart?.({ cases: cases.length, runs: cases.length * repeat, target: target.description });
    runs = await runCases(cases, target, {
      concurrency,
      repeat,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
  } finally {
    await target.close();
  }
  const { metrics, counts } = computeMetrics(runs);
  const gateResults = evaluateGates(gates, metrics);
  const summaries = summariseCases(cases, runs);
  const passed = summaries.filter((item) => item.passed).length;
  const result: EvalResult = {
    format_version: RESULT_FORMAT_VERSION,
    timestamp,
    target: target.description,
    mode: options.mode,
    cases_path: options.casesPath,
    ...(options.corpus === undefined ? {} : { corpus: options.corpus }),
    ...(options.filter === undefined ? {} : { filter: options.filter }),
    repeat,
    concurrency,
    duration_ms: Math.round(performance.now() - started),
    total: summaries.length,
    passed,
    failed: summaries.length - passed,
    ok: gateResults.every((gate) => gate.ok),
    metrics,
    counts,
    gates: gateResults,
    calibration: calibrationOf(runs),
    cases: summaries,
  };
  if (baseline !== undefined && options.baselinePath !== undefined) {
    result.baseline = compareWithBaseline(baseline, options.baselinePath, result);
  }
  return result;
}
