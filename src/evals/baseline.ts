/**
 * Comparing a run with a previous one (`--baseline`, a file written by `--json`): which cases regressed
 * (passed before, fail now), which improved, which are new or gone, and how every metric moved.
 */
import { z } from 'zod';
import { UsageError } from '../errors.js';
import { readInputFile } from './input-file.js';
import { METRIC_NAMES, type MetricName, type Metrics, metricValue } from './metrics.js';

const nullableNumber = z.number().nullable().optional();

/** Only what the comparison needs, so baselines from older or newer versions still load. */
export const BaselineSchema = z.object({
  timestamp: z.string().optional(),
  metrics: z.object({
    answer_accuracy: nullableNumber,
    citation_accuracy: nullableNumber,
    abstain_precision: nullableNumber,
    abstain_recall: nullableNumber,
    f1: nullableNumber,
    exact_match: nullableNumber,
    answer_length_words: nullableNumber,
    schema_validity: nullableNumber,
    workflow_completion_ratio: nullableNumber,
    latency_ms: z
      .object({ p50: nullableNumber, p95: nullableNumber, p99: nullableNumber })
      .partial()
      .optional(),
  }),
  cases: z.array(z.object({ id: z.string(), passed: z.boolean(), reason: z.string().optional() })),
});

export type Baseline = z.infer<typeof BaselineSchema>;

export interface CaseChange {
  id: string;
  /** The failure reason now (regressed) or before (improved). */
  reason?: string;
}

export interface MetricDelta {
  metric: MetricName;
  before: number | null;
  after: number | null;
  /** after - before, when both were measured. */
  delta: number | null;
}

export interface BaselineComparison {
  file: string;
  timestamp?: string;
  regressed: CaseChange[];
  improved: CaseChange[];
  added: string[];
  removed: string[];
  metrics: MetricDelta[];
}

export async function loadBaseline(file: string): Promise<Baseline> {
  const text = await readInputFile(
    file,
    'baseline file',
    'Pass --baseline with a file written earlier by `gitops-lab eval --json FILE`.',
  );
  return parseBaseline(text, file);
}

/** Parses the text of a previous `--json` result; `file` is used in messages. */
export function parseBaseline(text: string, file: string): Baseline {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new UsageError(`Baseline ${file} is not JSON.`, {
      hint: 'Pass --baseline with a file written earlier by `gitops-lab eval --json FILE`.',
    });
  }
  const parsed = BaselineSchema.safeParse(document);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.map(String).join('.') || 'top level';
    throw new UsageError(
      `Baseline ${file} is not an eval result (${where}: ${issue?.message ?? 'invalid'}).`,
      {
        hint: 'Pass --baseline with a file written earlier by `gitops-lab eval --json FILE`.',
      },
    );
  }
  return parsed.data;
}

function baselineMetric(metrics: Baseline['metrics'], name: MetricName): number | null {
  switch (name) {
    case 'latency_ms.p50':
      return metrics.latency_ms?.p50 ?? null;
    case 'latency_ms.p95':
      return metrics.latency_ms?.p95 ?? null;
    case 'latency_ms.p99':
      return metrics.latency_ms?.p99 ?? null;
    default:
      return metrics[name] ?? null;
  }
}

export function compareWithBaseline(
  baseline: Baseline,
  file: string,
  current: { metrics: Metrics; cases: { id: string; passed: boolean; reason?: string }[] },
): BaselineComparison {
  const before = new Map(baseline.cases.map((item) => [item.id, item]));
  const now = new Map(current.cases.map((item) => [item.id, item]));
  const regressed: CaseChange[] = [];
  const improved: CaseChange[] = [];
  const added: string[] = [];
  for (const item of current.cases) {
    const previous = before.get(item.id);
    if (previous === undefined) {
      added.push(item.id);
    } else if (previous.passed && !item.passed) {
      regressed.push({ id: item.id, ...(item.reason === undefined ? {} : { reason: item.reason }) });
    } else if (!previous.passed && item.passed) {
      improved.push({ id: item.id, ...(previous.reason === undefined ? {} : { reason: previous.reason }) });
    }
  }
  const removed = baseline.cases.filter((item) => !now.has(item.id)).map((item) => item.id);
  const metrics = METRIC_NAMES.map((metric) => {
    const b = baselineMetric(baseline.metrics, metric);
    const a = metricValue(current.metrics, metric);
    const delta = a === null || b === null ? null : Math.round((a - b) * 10_000) / 10_000;
    return { metric, before: b, after: a, delta };
  });
  return {
    file,
    ...(baseline.timestamp === undefined ? {} : { timestamp: baseline.timestamp }),
    regressed,
    improved,
    added,
    removed,
    metrics,
  };
}
