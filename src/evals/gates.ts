/**
 * Quality gates: thresholds on the summary metrics (evals/gates.yaml). The eval passes when every gate
 * holds.
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { UsageError } from '../errors.js';
import { readInputFile } from './input-file.js';
import { METRIC_NAMES, type MetricName, type Metrics, metricValue } from './metrics.js';

export const GATE_OPS = ['>=', '<=', '>', '<'] as const;
export type GateOp = (typeof GATE_OPS)[number];

export const GateSchema = z.strictObject(
  {
    metric: z.enum(METRIC_NAMES, { error: `metric must be one of ${METRIC_NAMES.join(', ')}` }),
    op: z.enum(GATE_OPS, { error: `op must be one of ${GATE_OPS.join(' ')} (quote it in YAML)` }),
    threshold: z
      .number({ error: 'threshold must be a number' })
      .refine(Number.isFinite, 'threshold must be finite'),
  },
  { error: 'a gate must be a mapping with metric, op and threshold' },
);

export type Gate = z.infer<typeof GateSchema>;

export const GatesFileSchema = z.strictObject(
  { gates: z.array(GateSchema, { error: 'gates must be a list' }) },
  { error: 'the file must be a mapping with a "gates" list' },
);

export interface GateResult extends Gate {
  /** The metric's value; null when nothing could be measured (e.g. the service never abstained). */
  value: number | null;
  ok: boolean;
  /** False when the metric had nothing to measure; such a gate is reported but does not fail the run. */
  measured: boolean;
}

/** Parses the text of a gates file; `file` is used in messages. */
export function parseGates(text: string, file: string): Gate[] {
  let document: unknown;
  try {
    document = parseYaml(text, { uniqueKeys: true, maxAliasCount: 100, logLevel: 'error' });
  } catch (error) {
    const detail = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    throw new UsageError(`Invalid gates file ${file}: ${detail}.`, {
      hint: 'Fix the YAML syntax; see evals/gates.yaml for the format.',
      cause: error,
    });
  }
  const parsed = GatesFileSchema.safeParse(document);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path ?? [];
    const index = path[0] === 'gates' && typeof path[1] === 'number' ? ` gate #${path[1] + 1}` : '';
    const field = path.length > 2 ? ` (${path.slice(2).map(String).join('.')})` : '';
    throw new UsageError(
      `Invalid gates file ${file},${index || ' top level'}${field}: ${issue?.message ?? 'invalid'}.`,
      {
        hint: 'Each gate needs metric, op (>=, <=, >, <) and a numeric threshold; see docs/evals.md.',
      },
    );
  }
  return parsed.data.gates;
}

export async function loadGates(file: string): Promise<Gate[]> {
  const text = await readInputFile(
    file,
    'gates file',
    'Pass --gates with a YAML file of gates (default: the bundled evals/gates.yaml).',
  );
  return parseGates(text, file);
}

export function compare(value: number, op: GateOp, threshold: number): boolean {
  switch (op) {
    case '>=':
      return value >= threshold;
    case '<=':
      return value <= threshold;
    case '>':
      return value > threshold;
    case '<':
      return value < threshold;
  }
}

export function evaluateGates(gates: Gate[], metrics: Metrics): GateResult[] {
  return gates.map((gate) => {
    const value = metricValue(metrics, gate.metric as MetricName);
    if (value === null) return { ...gate, value, ok: true, measured: false };
    return { ...gate, value, ok: compare(value, gate.op, gate.threshold), measured: true };
  });
}
