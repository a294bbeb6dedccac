import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExprError } from '../../../src/lab/canary/expr/errors.js';
import { evalTime, parseGoDuration } from '../../../src/lab/canary/expr/time.js';
import { measurePrometheus } from '../../../src/lab/canary/measure.js';
import { PrometheusClient, PrometheusError, parseSampleValue } from '../../../src/lab/canary/prometheus.js';
import type { ResolvedMetric } from '../../../src/lab/canary/template.js';

// A stub that answers like Prometheus' HTTP API; the real Prometheus is exercised in tests/cli/canary.test.ts.
let server: Server;
let base: string;
const seen: { path: string; body: string }[] = [];

function reply(res: ServerResponse, status: number, body: unknown, type = 'application/json') {
  res.writeHead(status, { 'content-type': type });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0] ?? '';
      seen.push({ path, body });
      const query = new URLSearchParams(body).get('query') ?? '';
      if (path === '/slow/api/v1/query') return; // never answers
      if (path === '/html/api/v1/query') return reply(res, 200, '<html>grafana</html>', 'text/html');
      if (path === '/api/v1/query_range') {
        return reply(res, 200, {
          status: 'success',
          data: {
            resultType: 'matrix',
            result: [
              {
                metric: { a: '1' },
                values: [
                  [1, '0.5'],
                  [2, 'NaN'],
                ],
              },
            ],
          },
        });
      }
      if (query === 'bad(') {
        return reply(res, 400, {
          status: 'error',
          errorType: 'bad_data',
          error: 'parse error: unexpected end of input',
        });
      }
      if (query === 'scalar')
        return reply(res, 200, { status: 'success', data: { resultType: 'scalar', result: [1, '+Inf'] } });
      return reply(res, 200, {
        status: 'success',
        data: {
          resultType: 'vector',
          result: [
            { metric: { job: 'x' }, value: [1700000000.5, '0.93'] },
            { metric: {}, value: [1700000000.5, 'NaN'] },
          ],
        },
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('PrometheusClient', () => {
  it('runs an instant query by POST and decodes the vector, NaN included', async () => {
    const result = await new PrometheusClient({ url: `${base}/` }).query('up{job="x"}');
    expect(result.resultType).toBe('vector');
    if (result.resultType !== 'vector') return;
    expect(result.vector[0]).toEqual({ metric: { job: 'x' }, timestamp: 1700000000.5, value: 0.93 });
    expect(Number.isNaN(result.vector[1]?.value)).toBe(true);
    expect(seen.at(-1)?.body).toContain('query=up%7Bjob%3D%22x%22%7D');
  });

  it('decodes scalars and +Inf', async () => {
    const result = await new PrometheusClient({ url: base }).query('scalar');
    expect(result).toEqual({ resultType: 'scalar', timestamp: 1, value: Number.POSITIVE_INFINITY });
  });

  it('runs a range query with start, end and step', async () => {
    const series = await new PrometheusClient({ url: base }).queryRange('up', {
      start: new Date(1_000_000),
      end: new Date(1_060_000),
      stepSeconds: 15,
    });
    expect(series[0]?.points[0]).toEqual({ timestamp: 1, value: 0.5 });
    const params = new URLSearchParams(seen.at(-1)?.body);
    expect([params.get('start'), params.get('end'), params.get('step')]).toEqual([
      '1000.000',
      '1060.000',
      '15',
    ]);
  });

  it("reports a rejected query with Prometheus' own message", async () => {
    const error = await new PrometheusClient({ url: base }).query('bad(').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PrometheusError);
    expect((error as PrometheusError).message).toContain('rejected the query "bad(": bad_data: parse error');
    expect((error as PrometheusError).unreachable).toBe(false);
    expect((error as PrometheusError).exitCode).toBe(2);
  });

  it('reports an unreachable Prometheus in one line, exit code 2', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = (await new PrometheusClient({ url: `http://127.0.0.1:${port}` })
      .query('up')
      .catch((e: unknown) => e)) as PrometheusError;
    expect(error).toBeInstanceOf(PrometheusError);
    expect(error.unreachable).toBe(true);
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe(`Prometheus at http://127.0.0.1:${port} is unreachable (ECONNREFUSED).`);
  });

  it('times out', async () => {
    const error = (await new PrometheusClient({ url: `${base}/slow`, timeoutMs: 200 })
      .query('up')
      .catch((e: unknown) => e)) as PrometheusError;
    expect(error.message).toBe(`Prometheus at ${base}/slow did not answer within 200 ms.`);
    expect(error.unreachable).toBe(true);
  });

  it('says when the URL is not Prometheus', async () => {
    const error = (await new PrometheusClient({ url: `${base}/html` })
      .query('up')
      .catch((e: unknown) => e)) as PrometheusError;
    expect(error.message).toContain('did not return Prometheus API JSON');
  });

  it('rejects a URL without http(s)', () => {
    expect(() => new PrometheusClient({ url: 'localhost:9090' })).toThrow(
      /must use http or https|not a valid URL/,
    );
  });

  it('parses sample values as Prometheus writes them', () => {
    expect(parseSampleValue('1e-3')).toBe(0.001);
    expect(parseSampleValue('-Inf')).toBe(Number.NEGATIVE_INFINITY);
    expect(() => parseSampleValue('abc')).toThrow(TypeError);
  });
});

describe('rangeQuery (argo-rollouts v1.8.3 metricproviders/prometheus/prometheus.go)', () => {
  const now = new Date('2026-01-01T12:00:00Z');
  const metric = (rangeQuery: Record<string, unknown>, successCondition = 'len(result) == 2') =>
    ({
      name: 'm',
      providerKind: 'prometheus',
      provider: { address: base, query: 'up', rangeQuery },
      successCondition,
      failureLimit: 0,
      inconclusiveLimit: 0,
      consecutiveErrorLimit: 4,
      consecutiveSuccessLimit: 0,
      dryRun: false,
      measurementLimit: 10,
    }) as ResolvedMetric;

  it('runs a range query from expr time expressions and flattens the matrix into result', async () => {
    const { phase, detail } = await measurePrometheus(
      metric({ start: 'now() - duration("5m")', end: 'now()', step: '1m' }),
      { now: () => now },
    );
    expect(phase).toBe('Successful');
    expect(detail.resultType).toBe('matrix');
    expect(detail.value).toBe('[0.5,NaN]');
    const params = new URLSearchParams(seen.at(-1)?.body);
    expect([params.get('start'), params.get('end'), params.get('step')]).toEqual([
      ((now.getTime() - 300_000) / 1000).toFixed(3),
      (now.getTime() / 1000).toFixed(3),
      '60',
    ]);
  });

  it.each([
    [{ start: 'hello', end: 'now()', step: '1m' }, 'failed to parse rangeQuery.start as time'],
    [{ start: 'now()', end: '1', step: '1m' }, 'failed to parse rangeQuery.end as time'],
    [{ start: 'now()', end: 'now()', step: 'often' }, 'failed to parse rangeQuery.step as duration'],
  ])('%j is a measurement Error: %s', async (rangeQuery, message) => {
    const { phase, detail } = await measurePrometheus(metric(rangeQuery), { now: () => now });
    expect(phase).toBe('Error');
    expect(detail.reason).toContain(message);
  });
});

describe('EvalTime (argo-rollouts v1.8.3 utils/evaluate/evaluate_test.go)', () => {
  it('TestEvalTimeWithSuccessExpr: date(...) - duration("1h")', () => {
    expect(
      evalTime('date("2023-08-14 00:00:00", "2006-01-02 15:04:05", "UTC") - duration("1h")', new Date(0)),
    ).toEqual(new Date('2023-08-13T23:00:00Z'));
  });
  it('TestEvalTimeWithNotTimeResult / TestEvalTimeWithInvalidExpression', () => {
    expect(() => evalTime('hello', new Date(0))).toThrow(ExprError);
    expect(() => evalTime('now() -- ?', new Date(0))).toThrow(ExprError);
  });
  it('reads Go durations', () => {
    expect(parseGoDuration('1h30m')).toBe(5_400_000);
    expect(parseGoDuration('-1.5s')).toBe(-1500);
    expect(parseGoDuration('300ms')).toBe(300);
    expect(parseGoDuration('1d')).toBeNull();
  });
});
