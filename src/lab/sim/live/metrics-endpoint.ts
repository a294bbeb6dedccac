/**
 * A controller's `/metrics` endpoint for the live simulated lab: the registry's metrics in Prometheus' text format
 * on 127.0.0.1, for the real Prometheus to scrape as the lab's ServiceMonitors say
 * (manifests/workloads/observability/servicemonitors-argo.yaml; the metrics: ../controller-metrics.ts).
 */
import { createServer } from 'node:http';
import type { Registry } from 'prom-client';
import { type Loopback, listenOnLoopback } from './loopback.js';

export type MetricsEndpoint = Loopback;

export async function serveMetrics(registry: Registry): Promise<MetricsEndpoint> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://metrics').pathname;
    if (request.method !== 'GET' || path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found\n');
      return;
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(error)}\n`),
    );
  });
  return listenOnLoopback(server);
}
