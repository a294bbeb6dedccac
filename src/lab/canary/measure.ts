/**
 * Takes one measurement of a Prometheus metric as Argo Rollouts' Prometheus provider does: run the query,
 * turn the answer into `result` (a scalar becomes a number; a vector, or a matrix flattened, becomes the
 * array of its sample values), then apply the metric's conditions. A rejected query or an unreadable answer
 * is phase Error with Prometheus' message; an unreachable Prometheus is also Error here, and the caller
 * decides whether that aborts the command. With `rangeQuery: {start, end, step}` it runs a range query
 * (argo-rollouts v1.8.3 metricproviders/prometheus/prometheus.go executeQuery): start and end are expr time
 * expressions (EvalTime), step an Argo duration, and every point of every series becomes one element of
 * `result`, series after series (processResponse, model.Matrix).
 */
import { type ConditionOutcome, evaluateConditions, type MeasurementPhase } from './conditions.js';
import { parseDuration } from './duration.js';
import type { Value } from './expr/evaluate.js';
import { evalTime } from './expr/time.js';
import { PrometheusClient, PrometheusError } from './prometheus.js';
import type { ResolvedMetric } from './template.js';

export interface PrometheusMeasurement {
  address: string;
  query: string;
  resultType?: string;
  /** What the conditions saw as `result`. */
  result?: Value;
  /** Argo-style rendering of the value, e.g. `[0.93]` (NaN and Inf spelled out). */
  value: string;
  outcome?: ConditionOutcome;
  reason: string;
  /** Set when Prometheus itself could not be reached (not when it rejected the query). */
  unreachable?: PrometheusError;
}

export interface MeasureOptions {
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** The clock for now() in rangeQuery and in the conditions (default: the system clock). */
  now?: () => Date;
}

interface RangeQuery {
  start: Date;
  end: Date;
  stepSeconds: number;
}

/** Resolves rangeQuery's start, end and step, with Argo's error messages; null when there is none. */
export function resolveRangeQuery(provider: Record<string, unknown>, now: Date): RangeQuery | null {
  const range = provider.rangeQuery as { start?: unknown; end?: unknown; step?: unknown } | undefined;
  if (range === undefined || range === null) return null;
  const time = (field: 'start' | 'end'): Date => {
    try {
      return evalTime(String(range[field] ?? ''), now);
    } catch (error) {
      throw new Error(`failed to parse rangeQuery.${field} as time: ${(error as Error).message}`);
    }
  };
  const start = time('start');
  const end = time('end');
  const stepMs = typeof range.step === 'string' ? parseDuration(range.step) : null;
  if (stepMs === null || stepMs <= 0) {
    throw new Error(`failed to parse rangeQuery.step as duration: ${JSON.stringify(range.step)}`);
  }
  return { start, end, stepSeconds: stepMs / 1000 };
}

export async function measurePrometheus(
  metric: ResolvedMetric,
  options: MeasureOptions = {},
): Promise<{ phase: MeasurementPhase; detail: PrometheusMeasurement }> {
  const address = typeof metric.provider.address === 'string' ? metric.provider.address : '';
  const query = String(metric.provider.query ?? '');
  if (!address) {
    return {
      phase: 'Error',
      detail: {
        address,
        query,
        value: '',
        reason: 'the metric has no provider.prometheus.address (pass --prometheus)',
      },
    };
  }
  const clock = options.now ?? (() => new Date());
  const timeoutSeconds =
    typeof metric.provider.timeout === 'number' ? metric.provider.timeout * 1000 : undefined;
  let result: Value;
  let resultType: string;
  try {
    const client = new PrometheusClient({
      url: address,
      timeoutMs: options.timeoutMs ?? timeoutSeconds ?? 30_000,
      fetch: options.fetch,
    });
    const range = resolveRangeQuery(metric.provider, clock());
    const answer = range
      ? ({ resultType: 'matrix', matrix: await client.queryRange(query, range) } as const)
      : await client.query(query);
    resultType = answer.resultType;
    switch (answer.resultType) {
      case 'scalar':
        result = answer.value;
        break;
      case 'vector':
        result = answer.vector.map((s) => s.value);
        break;
      case 'matrix':
        result = answer.matrix.flatMap((s) => s.points.map((p) => p.value));
        break;
      default:
        return {
          phase: 'Error',
          detail: {
            address,
            query,
            resultType,
            value: answer.value,
            reason: 'Prometheus metric type string is not supported',
          },
        };
    }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const unreachable = error instanceof PrometheusError && error.unreachable ? error : undefined;
    return { phase: 'Error', detail: { address, query, value: '', reason, unreachable } };
  }
  const outcome = evaluateConditions(result, metric, { now: clock });
  return {
    phase: outcome.phase,
    detail: {
      address,
      query,
      resultType,
      result,
      value: renderValue(result),
      outcome,
      reason: outcome.reason,
    },
  };
}

export function renderNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

export function renderValue(value: Value): string {
  if (Array.isArray(value)) return `[${value.map((v) => renderValue(v)).join(',')}]`;
  if (typeof value === 'number') return renderNumber(value);
  return JSON.stringify(value);
}
