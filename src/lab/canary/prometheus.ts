/**
 * A small client for Prometheus' HTTP API (https://prometheus.io/docs/prometheus/latest/querying/api/):
 * instant queries, range queries, readiness and targets, each with a timeout. Sample values arrive as
 * strings ("0.93", "NaN", "+Inf") and leave as numbers. Every failure is a PrometheusError (exit code 2)
 * saying which Prometheus, which query and what went wrong: unreachable, timed out, HTTP status, the
 * query rejected (with Prometheus' own message), or a response that is not the API's JSON.
 */
import { ExitCode, LabError } from '../../errors.js';

export type Labels = Record<string, string>;

export interface InstantSample {
  metric: Labels;
  /** Seconds since the epoch. */
  timestamp: number;
  value: number;
}

export interface RangeSeries {
  metric: Labels;
  points: { timestamp: number; value: number }[];
}

export type InstantResult =
  | { resultType: 'vector'; vector: InstantSample[] }
  | { resultType: 'scalar'; timestamp: number; value: number }
  | { resultType: 'string'; timestamp: number; value: string }
  | { resultType: 'matrix'; matrix: RangeSeries[] };

export interface PrometheusClientOptions {
  /** Base URL, e.g. http://127.0.0.1:9090 (a path prefix such as /prometheus is kept). */
  url: string;
  /** Per-request timeout in milliseconds. Default 10 s. */
  timeoutMs?: number;
  /** For tests: another fetch implementation. */
  fetch?: typeof fetch;
}

export class PrometheusError extends LabError {
  /** True when Prometheus could not be reached at all (connection refused, DNS, timeout). */
  readonly unreachable: boolean;

  constructor(message: string, hint?: string, cause?: unknown, unreachable = false) {
    super(message, ExitCode.inconclusive, { hint, cause });
    this.unreachable = unreachable;
  }
}

export function parseSampleValue(text: unknown): number {
  if (typeof text === 'number') return text;
  if (text === '+Inf' || text === 'Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  if (text === 'NaN') return Number.NaN;
  const value = typeof text === 'string' && text.trim() !== '' ? Number(text) : Number.NaN;
  if (Number.isNaN(value)) throw new TypeError(`not a sample value: ${JSON.stringify(text)}`);
  return value;
}

export class PrometheusClient {
  readonly url: string;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(options: PrometheusClientOptions) {
    let parsed: URL;
    try {
      parsed = new URL(options.url);
    } catch {
      throw new PrometheusError(
        `Prometheus URL ${JSON.stringify(options.url)} is not a valid URL.`,
        'Pass it with its scheme, e.g. --prometheus http://127.0.0.1:9090.',
      );
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new PrometheusError(
        `Prometheus URL ${options.url} must use http or https.`,
        'Pass it like --prometheus http://127.0.0.1:9090.',
      );
    }
    this.url = parsed.toString().replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.fetchImpl = options.fetch ?? fetch;
  }

  /** Instant query at `time` (default: now). */
  async query(expression: string, options: { time?: Date } = {}): Promise<InstantResult> {
    const params: Record<string, string> = { query: expression };
    if (options.time) params.time = seconds(options.time);
    const data = await this.api('/api/v1/query', params, expression);
    return decodeInstant(data, expression, this.url);
  }

  /** Range query over [start, end] every `stepSeconds`. */
  async queryRange(
    expression: string,
    options: { start: Date; end: Date; stepSeconds: number },
  ): Promise<RangeSeries[]> {
    const data = await this.api(
      '/api/v1/query_range',
      {
        query: expression,
        start: seconds(options.start),
        end: seconds(options.end),
        step: String(options.stepSeconds),
      },
      expression,
    );
    const body = data as { resultType?: string; result?: unknown };
    if (body.resultType !== 'matrix' || !Array.isArray(body.result)) {
      throw this.badResponse(
        `a range query returned ${String(body.resultType)} instead of a matrix`,
        expression,
      );
    }
    return decodeMatrix(body.result, expression, this.url);
  }

  /** True when /-/ready answers 200. Never throws. */
  async ready(): Promise<boolean> {
    try {
      const response = await this.fetchImpl(`${this.url}/-/ready`, {
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      await response.arrayBuffer();
      return response.ok;
    } catch {
      return false;
    }
  }

  /** Active scrape targets with their health, as /api/v1/targets reports them. */
  async targets(): Promise<{ labels: Labels; health: string; lastError: string }[]> {
    const data = (await this.api('/api/v1/targets', { state: 'active' }, undefined, 'GET')) as {
      activeTargets?: { labels?: Labels; health?: string; lastError?: string }[];
    };
    return (data.activeTargets ?? []).map((t) => ({
      labels: t.labels ?? {},
      health: t.health ?? 'unknown',
      lastError: t.lastError ?? '',
    }));
  }

  private async api(
    path: string,
    params: Record<string, string>,
    expression: string | undefined,
    method: 'GET' | 'POST' = 'POST',
  ): Promise<unknown> {
    const body = new URLSearchParams(params);
    const target = method === 'GET' ? `${this.url}${path}?${body}` : `${this.url}${path}`;
    let response: Response;
    try {
      response = await this.fetchImpl(target, {
        method,
        headers: method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : undefined,
        body: method === 'POST' ? body : undefined,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const timedOut =
        error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      const cause = error instanceof Error ? describeCause(error) : String(error);
      throw new PrometheusError(
        timedOut
          ? `Prometheus at ${this.url} did not answer within ${this.timeoutMs} ms.`
          : `Prometheus at ${this.url} is unreachable (${cause}).`,
        'Check the --prometheus URL and that Prometheus is running (for the lab: `gitops-lab status`).',
        error,
        true,
      );
    }
    const text = await response.text();
    let json: { status?: string; data?: unknown; errorType?: string; error?: string } | undefined;
    try {
      json = JSON.parse(text) as typeof json;
    } catch {
      json = undefined;
    }
    if (json?.status === 'error') {
      const what =
        expression === undefined ? 'the request' : `the query ${JSON.stringify(oneLine(expression))}`;
      throw new PrometheusError(
        `Prometheus at ${this.url} rejected ${what}: ${json.errorType ?? 'error'}: ${json.error ?? 'no message'}.`,
        'Fix the PromQL (try it in the Prometheus UI), or the template arguments that filled it.',
      );
    }
    if (!response.ok) {
      throw new PrometheusError(
        `Prometheus at ${this.url} answered HTTP ${response.status} to ${path}.`,
        'Check that the URL points at Prometheus itself (its /api/v1 endpoints), not at another service.',
      );
    }
    if (json?.status !== 'success') {
      throw this.badResponse(`${path} did not return Prometheus API JSON`, expression);
    }
    return json.data;
  }

  private badResponse(detail: string, expression: string | undefined): PrometheusError {
    return new PrometheusError(
      `Prometheus at ${this.url}: ${detail}${expression ? ` (query ${JSON.stringify(oneLine(expression))})` : ''}.`,
      'Check that the URL points at Prometheus itself.',
    );
  }
}

function decodeInstant(data: unknown, expression: string, url: string): InstantResult {
  const body = data as { resultType?: string; result?: unknown };
  try {
    switch (body.resultType) {
      case 'vector':
        return {
          resultType: 'vector',
          vector: (body.result as { metric?: Labels; value: [number, string] }[]).map((s) => ({
            metric: s.metric ?? {},
            timestamp: Number(s.value[0]),
            value: parseSampleValue(s.value[1]),
          })),
        };
      case 'scalar': {
        const [timestamp, value] = body.result as [number, string];
        return { resultType: 'scalar', timestamp: Number(timestamp), value: parseSampleValue(value) };
      }
      case 'string': {
        const [timestamp, value] = body.result as [number, string];
        return { resultType: 'string', timestamp: Number(timestamp), value: String(value) };
      }
      case 'matrix':
        return { resultType: 'matrix', matrix: decodeMatrix(body.result as unknown[], expression, url) };
    }
  } catch (error) {
    throw new PrometheusError(
      `Prometheus at ${url} returned a result that cannot be read for ${JSON.stringify(oneLine(expression))}: ${String(error)}.`,
      undefined,
      error,
    );
  }
  throw new PrometheusError(
    `Prometheus at ${url} returned an unknown result type ${JSON.stringify(body.resultType)} for ${JSON.stringify(oneLine(expression))}.`,
  );
}

function decodeMatrix(result: unknown[], expression: string, url: string): RangeSeries[] {
  try {
    return (result as { metric?: Labels; values: [number, string][] }[]).map((s) => ({
      metric: s.metric ?? {},
      points: s.values.map(([timestamp, value]) => ({
        timestamp: Number(timestamp),
        value: parseSampleValue(value),
      })),
    }));
  } catch (error) {
    throw new PrometheusError(
      `Prometheus at ${url} returned a matrix that cannot be read for ${JSON.stringify(oneLine(expression))}: ${String(error)}.`,
      undefined,
      error,
    );
  }
}

function seconds(date: Date): string {
  return (date.getTime() / 1000).toFixed(3);
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 160 ? `${flat.slice(0, 157)}...` : flat;
}

function describeCause(error: Error): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return cause.code;
  if (cause?.message) return cause.message;
  return error.message;
}
