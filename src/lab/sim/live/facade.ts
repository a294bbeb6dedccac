/**
 * Prometheus' HTTP query API over a PrometheusQuery (the simulated Prometheus), so a separate process (the drill or
 * canary CLI talking to `up --simulate`) can query it like a real one when Debian's prometheus is not installed.
 * It answers what the project's clients ask (https://prometheus.io/docs/prometheus/latest/querying/api/):
 * - GET or POST `/api/v1/query` with `query` (form or URL parameter; `time` is accepted and ignored: the simulated
 *   Prometheus answers at the lab's now): `{"status":"success","data":{"resultType":"vector","result":[...]}}`, one
 *   sample without labels, or an empty vector when the query has no data. Values are strings ("0.05", "NaN").
 * - GET or POST `/api/v1/query_range` with `query`, `start`, `end`, `step` (and `timeout`), read and checked as
 *   Prometheus 2.42.0 does (api-params.ts: RFC 3339 or unix seconds; step as seconds or a duration; at most 11,000
 *   points per series, with Prometheus' own error words): `{"resultType":"matrix","result":[{"metric":{...},
 *   "values":[[t,"v"],...]},...]}`, every series the query gives at some step, with its labels, holding a point at
 *   each step where it has a value (a scalar query: one series without labels), in Prometheus' label order; an empty
 *   matrix when no step has a value. A query of a range vector or a string is refused as Prometheus refuses it. Times are wall-clock times, as a client of a real Prometheus sends them; each step is
 *   evaluated at the lab's simulated time of that wall instant (`range.toSimMs`), and a step after now at now (a real
 *   Prometheus answers it from the last scrape, within its five-minute lookback).
 * - A number literal (`1`) is answered as a scalar, `"resultType":"scalar","result":[t,"1"]`, as Prometheus does.
 * - With an InstantEvaluator (the simulated Prometheus' PromQL evaluator, as `up --simulate` serves it), an instant
 *   query is answered with its whole value: a scalar, or every sample of the vector with its labels.
 * - A query the simulated Prometheus does not know or does not support: HTTP 400 `{"status":"error","errorType":"bad_data",...}`.
 * - GET `/-/ready` and `/-/healthy`: 200.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { renderNumber } from '../../canary/measure.js';
import { type Clock, systemClock } from '../../clock.js';
import type { PrometheusQuery } from '../../drills/access.js';
import { promqlConstant } from '../prometheus.js';
import { compareLabels, type Labels, signature, type Value } from '../promql/values.js';
import { BadDataError, rangeSteps } from './api-params.js';
import { listenOnLoopback } from './loopback.js';

export interface PrometheusApi {
  url: string;
  close(): Promise<void>;
}

const MAX_BODY = 1 << 20;

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

async function params(request: IncomingMessage, url: URL): Promise<URLSearchParams> {
  const merged = new URLSearchParams(url.search);
  if (request.method !== 'POST') return merged;
  let body = '';
  for await (const chunk of request) {
    body += String(chunk);
    if (body.length > MAX_BODY) throw new Error('request body too large');
  }
  for (const [key, value] of new URLSearchParams(body)) merged.set(key, value);
  return merged;
}

/** How the facade answers range queries: the value of a query at a simulated time, and how wall time maps to it. */
export interface RangeSource {
  valueAt(promql: string, simMs: number): Promise<Value>;
  /** The lab's simulated time at wall-clock time `wallMs`. */
  toSimMs(wallMs: number): number;
  /** The wall clock (default: the system's). */
  wall?: Clock;
}

/** A RangeSource for a lab whose `clock` runs `speed` times the wall clock. */
export function scaledRangeSource(
  valueAt: RangeSource['valueAt'],
  clock: Clock,
  speed: number,
  wall: Clock = systemClock,
): RangeSource {
  return { valueAt, wall, toSimMs: (wallMs) => clock.now() - (wall.now() - wallMs) * speed };
}

/**
 * A range query's matrix from its value at each step (wall seconds), as Prometheus' range evaluation builds it
 * (prometheus/prometheus v2.42.0 promql/engine.go rangeEval and exec: one series per label set, a point at each step
 * it has a value; a scalar is one series without labels; the result sorted by labels.Compare). A range vector or a
 * string is refused as NewRangeQuery refuses it (api.go queryRange: `invalid parameter "query": ...`).
 */
export function rangeMatrix(
  steps: Array<[number, Value]>,
): Array<{ metric: Labels; values: Array<[number, string]> }> {
  const series = new Map<string, { metric: Labels; values: Array<[number, string]> }>();
  const add = (metric: Labels, t: number, value: number) => {
    const key = signature(metric);
    const s = series.get(key) ?? { metric, values: [] };
    s.values.push([t, renderNumber(value)]);
    series.set(key, s);
  };
  for (const [t, value] of steps) {
    if (value.kind === 'scalar') add({}, t, value.value);
    else if (value.kind === 'vector') for (const sample of value.samples) add(sample.labels, t, sample.value);
    else
      throw new BadDataError(
        `invalid parameter "query": invalid expression type "${value.kind === 'matrix' ? 'range vector' : 'string'}" for range query, must be Scalar or instant Vector`,
      );
  }
  return [...series.values()].sort((a, b) => compareLabels(a.metric, b.metric));
}

const paths = new Set(['/api/v1/query', '/api/v1/query_range']);

/** An instant query's whole PromQL value (the simulated Prometheus' evaluator), rendered with its labels. */
export type InstantEvaluator = (promql: string) => Promise<Value>;

/** The HTTP API's `data` of an instant query's value at wall time `at` (seconds). */
function instantData(value: Value, at: number): unknown {
  switch (value.kind) {
    case 'scalar':
      return { resultType: 'scalar', result: [at, renderNumber(value.value)] };
    case 'vector':
      return {
        resultType: 'vector',
        result: value.samples.map((s) => ({ metric: s.labels, value: [at, renderNumber(s.value)] })),
      };
    default:
      throw new Error(
        `the simulated Prometheus answers an instant query with a scalar or an instant vector, not a ${value.kind}`,
      );
  }
}

export async function servePrometheusApi(
  query: PrometheusQuery,
  range?: RangeSource,
  evaluate?: InstantEvaluator,
): Promise<PrometheusApi> {
  const wall = range?.wall ?? systemClock;
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://prometheus');
    if (request.method === 'GET' && (url.pathname === '/-/ready' || url.pathname === '/-/healthy')) {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('Prometheus is Ready.\n');
      return;
    }
    if (
      !paths.has(url.pathname) ||
      (url.pathname === '/api/v1/query_range' && !range) ||
      (request.method !== 'GET' && request.method !== 'POST')
    ) {
      send(response, 404, { status: 'error', errorType: 'not_found', error: `no route ${url.pathname}` });
      return;
    }
    void (async () => {
      const form = await params(request, url);
      if (url.pathname === '/api/v1/query_range' && range) {
        // queryRange checks start, end and step before it parses the query.
        const times = rangeSteps(form);
        const promql = form.get('query');
        if (!promql) throw new BadDataError('missing query parameter');
        const now = wall.now();
        const steps: Array<[number, Value]> = [];
        for (const t of times)
          steps.push([t / 1000, await range.valueAt(promql, range.toSimMs(Math.min(t, now)))]);
        send(response, 200, {
          status: 'success',
          data: { resultType: 'matrix', result: rangeMatrix(steps) },
        });
        return;
      }
      const promql = form.get('query');
      if (!promql) {
        send(response, 400, { status: 'error', errorType: 'bad_data', error: 'missing query parameter' });
        return;
      }
      const at = wall.now() / 1000;
      if (evaluate) {
        send(response, 200, { status: 'success', data: instantData(await evaluate(promql), at) });
        return;
      }
      const value = await query.query('', promql);
      // A number literal is a scalar in Prometheus' answer: `"result": [t, "v"]`.
      const data =
        promqlConstant(promql)?.kind === 'scalar' && value !== undefined
          ? { resultType: 'scalar', result: [at, renderNumber(value)] }
          : {
              resultType: 'vector',
              result: value === undefined ? [] : [{ metric: {}, value: [at, renderNumber(value)] }],
            };
      send(response, 200, { status: 'success', data });
    })().catch((error: unknown) => {
      if (response.headersSent) return;
      send(response, 400, {
        status: 'error',
        errorType: 'bad_data',
        error: error instanceof Error ? error.message : String(error),
      });
    });
  });
  const { address, close } = await listenOnLoopback(server);
  return { url: `http://${address}`, close };
}
