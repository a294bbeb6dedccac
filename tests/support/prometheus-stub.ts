/**
 * A stand-in for Prometheus' query API (GET or POST /api/v1/query and /api/v1/query_range): an instant query
 * containing one of `values`' keys gets that value as a one-sample vector, any other an empty vector; a range query
 * gets an empty matrix. It records the queries it was asked.
 * Tests that need Prometheus' real behaviour start the real one (tests/support/prometheus.ts).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PrometheusStub {
  url: string;
  queries: string[];
  close(): Promise<void>;
}

export async function startPrometheusStub(values: Record<string, string> = {}): Promise<PrometheusStub> {
  const queries: string[] = [];
  const server = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    const query =
      new URL(req.url ?? '/', 'http://x').searchParams.get('query') ??
      new URLSearchParams(body).get('query') ??
      '';
    queries.push(query);
    const key = Object.keys(values).find((k) => query.includes(k));
    const data = req.url?.startsWith('/api/v1/query_range')
      ? { resultType: 'matrix', result: [] }
      : { resultType: 'vector', result: key ? [{ metric: {}, value: [1_700_000_000, values[key]] }] : [] };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'success', data }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    queries,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
