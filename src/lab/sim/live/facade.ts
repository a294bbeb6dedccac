/**
 * Prometheus' HTTP query API over a PrometheusQuery (the simulated Prometheus), so a separate process (the drill or
 * canary CLI talking to `up --simulate`) can query it like a real one when Debian's prometheus is not installed.
 * It answers what the project's clients ask (https://prometheus.io/docs/prometheus/latest/querying/api/):
 * - GET or POST `/api/v1/query` with `query` (form or URL parameter; `time` is accepted and ignored: the simulated
 *   Prometheus answers at the lab's now): `{"status":"success","data":{"resultType":"vector","result":[...]}}`, one
 *   sample without labels, or an empty vector when the query has no data. Values are strings ("0.05", "NaN").
 * - A query the simulated Prometheus does not know: HTTP 400 `{"status":"error","errorType":"bad_data",...}`.
 * - GET `/-/ready` and `/-/healthy`: 200.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { renderNumber } from '../../canary/measure.js';
import type { PrometheusQuery } from '../../drills/access.js';

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

export async function servePrometheusApi(query: PrometheusQuery): Promise<PrometheusApi> {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://prometheus');
    if (request.method === 'GET' && (url.pathname === '/-/ready' || url.pathname === '/-/healthy')) {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('Prometheus is Ready.\n');
      return;
    }
    if (url.pathname !== '/api/v1/query' || (request.method !== 'GET' && request.method !== 'POST')) {
      send(response, 404, { status: 'error', errorType: 'not_found', error: `no route ${url.pathname}` });
      return;
    }
    void (async () => {
      const form = await params(request, url);
      const promql = form.get('query');
      if (!promql) {
        send(response, 400, { status: 'error', errorType: 'bad_data', error: 'missing query parameter' });
        return;
      }
      const value = await query.query('', promql);
      const at = Date.now() / 1000;
      send(response, 200, {
        status: 'success',
        data: {
          resultType: 'vector',
          result: value === undefined ? [] : [{ metric: {}, value: [at, renderNumber(value)] }],
        },
      });
    })().catch((error: unknown) => {
      if (response.headersSent) return;
      send(response, 400, {
        status: 'error',
        errorType: 'bad_data',
        error: error instanceof Error ? error.message : String(error),
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
