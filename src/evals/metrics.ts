/**
 * Summary metrics over every replayed case run. The names are a contract (`--json` `metrics`, gates,
 * dashboards). A ratio whose denominator is empty is `null` ("nothing to measure"), never a made-up 0 or 1;
 * see docs/evals.md for each definition.
 */
import type { CaseRun } from './score.js';

export interface LatencySummary {
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface Metrics {
  /** Answerable runs answered with every expected string / answerable runs. */
  answer_accuracy: number | null;
  /** Answerable runs (with an expected doc) that cite that doc / such runs. */
  citation_accuracy: number | null;
  /** Runs that abstained and should have / runs that abstained. */
  abstain_precision: number | null;
  /** Runs that should abstain and did / runs that should abstain. */
  abstain_recall: number | null;
  /** Mean token-F1 over all runs against the gold answer (SQuAD v2 convention for abstentions). */
  f1: number | null;
  /** Mean exact match over all runs (SQuAD v2 convention for abstentions). */
  exact_match: number | null;
  /** Mean number of words of the answers given (answered runs). */
  answer_length_words: number | null;
  /** 2xx responses matching the response schema / 2xx responses. */
  schema_validity: number | null;
  /** Runs ending in a valid answer or abstention (not an error or timeout) / all runs. */
  workflow_completion_ratio: number | null;
  latency_ms: LatencySummary;
}

/** The denominators behind each ratio, so a report can say "12 of 14" and not just 0.857. */
export interface MetricCounts {
  runs: number;
  answerable: number;
  answered_correctly: number;
  with_expected_doc: number;
  cited_expected_doc: number;
  should_abstain: number;
  abstained: number;
  abstained_correctly: number;
  responses_2xx: number;
  schema_valid: number;
  completed: number;
  /** Responses that reported `fallback: true` (generative mode served the extractive answer). */
  fallbacks: number;
}

export const METRIC_NAMES = [
  'answer_accuracy',
  'citation_accuracy',
  'abstain_precision',
  'abstain_recall',
  'f1',
  'exact_match',
  'answer_length_words',
  'schema_validity',
  'workflow_completion_ratio',
  'latency_ms.p50',
  'latency_ms.p95',
  'latency_ms.p99',
] as const;

export type MetricName = (typeof METRIC_NAMES)[number];

function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : round(numerator / denominator);
}

function round(value: number, digits = 4): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Nearest-rank percentile (the smallest value with at least p% of the values at or below it). */
export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? null;
}

export function countRuns(runs: CaseRun[]): MetricCounts {
  const answerable = runs.filter((run) => run.expected.status === 'answered');
  const withDoc = answerable.filter((run) => run.expected.doc !== undefined);
  const shouldAbstain = runs.filter((run) => run.expected.status === 'insufficient_context');
  const abstained = runs.filter((run) => run.status === 'insufficient_context');
  return {
    runs: runs.length,
    answerable: answerable.length,
    answered_correctly: answerable.filter((run) => run.answer_correct === true).length,
    with_expected_doc: withDoc.length,
    cited_expected_doc: withDoc.filter((run) => run.citation_correct === true).length,
    should_abstain: shouldAbstain.length,
    abstained: abstained.length,
    abstained_correctly: abstained.filter((run) => run.expected.status === 'insufficient_context').length,
    responses_2xx: runs.filter((run) => run.schema_valid !== undefined).length,
    schema_valid: runs.filter((run) => run.schema_valid === true).length,
    completed: runs.filter((run) => run.completed).length,
    fallbacks: runs.filter((run) => run.fallback === true).length,
  };
}

function mean(values: number[]): number | null {
  return values.length === 0 ? null : round(values.reduce((sum, v) => sum + v, 0) / values.length);
}

export function computeMetrics(runs: CaseRun[]): { metrics: Metrics; counts: MetricCounts } {
  const counts = countRuns(runs);
  const latencies = runs.map((run) => run.latency_ms);
  const latency = (p: number) => {
    const value = percentile(latencies, p);
    return value === null ? null : round(value, 2);
  };
  return {
    counts,
    metrics: {
      answer_accuracy: ratio(counts.answered_correctly, counts.answerable),
      citation_accuracy: ratio(counts.cited_expected_doc, counts.with_expected_doc),
      abstain_precision: ratio(counts.abstained_correctly, counts.abstained),
      abstain_recall: ratio(counts.abstained_correctly, counts.should_abstain),
      f1: mean(runs.map((run) => run.f1)),
      exact_match: mean(runs.map((run) => run.exact_match)),
      answer_length_words: mean(
        runs.flatMap((run) => (run.answer_words === undefined ? [] : [run.answer_words])),
      ),
      schema_validity: ratio(counts.schema_valid, counts.responses_2xx),
      workflow_completion_ratio: ratio(counts.completed, counts.runs),
      latency_ms: { p50: latency(50), p95: latency(95), p99: latency(99) },
    },
  };
}

/** Reads a metric by its gate name (`f1`, `latency_ms.p95`). */
export function metricValue(metrics: Metrics, name: MetricName): number | null {
  switch (name) {
    case 'latency_ms.p50':
      return metrics.latency_ms.p50;
    case 'latency_ms.p95':
      return metrics.latency_ms.p95;
    case 'latency_ms.p99':
      return metrics.latency_ms.p99;
    default:
      return metrics[name];
  }
}
