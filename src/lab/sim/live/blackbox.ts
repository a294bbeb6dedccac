/**
 * The lab's black-box probe of the doc-QA service (manifests/workloads/observability/probe-docqa.yaml: job
 * blackbox-docqa, module http_2xx, target http://docqa-stable.docqa.svc:8080/readyz every 15 s) for the live
 * simulated lab, which runs no blackbox exporter. It answers the exporter's `/probe?target=&module=http_2xx` as
 * prometheus/blackbox_exporter's http prober does for that module (prober/http.go: probe_success 1 for a 2xx
 * answer, probe_http_status_code, probe_duration_seconds), with the Service name resolved to the live doc-QA
 * process of the Rollout's stable (or canary) hash. A Service with no ready process fails the probe, as a
 * Service without endpoints does.
 */
import { createServer, type Server } from 'node:http';
import { listenOnLoopback } from './loopback.js';
import type { DocqaEndpoint } from './processes.js';

export const BLACKBOX_TARGET = 'http://docqa-stable.docqa.svc:8080/readyz';

export interface Blackbox {
  /** host:port */
  address: string;
  close(): Promise<void>;
}

async function probe(
  target: string,
  endpoints: () => DocqaEndpoint[],
): Promise<{ ok: boolean; code: number }> {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return { ok: false, code: 0 };
  }
  const service = url.hostname.split('.')[0];
  const role = service === 'docqa-canary' ? 'canary' : service === 'docqa-stable' ? 'stable' : undefined;
  const endpoint = role ? endpoints().find((e) => e.role === role) : undefined;
  if (!endpoint) return { ok: false, code: 0 };
  try {
    const response = await fetch(`${endpoint.url}${url.pathname}${url.search}`, {
      signal: AbortSignal.timeout(5000),
    });
    await response.arrayBuffer();
    return { ok: response.status >= 200 && response.status < 300, code: response.status };
  } catch {
    return { ok: false, code: 0 };
  }
}

export async function startBlackbox(endpoints: () => DocqaEndpoint[]): Promise<Blackbox> {
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://blackbox');
    if (url.pathname !== '/probe') {
      response.writeHead(404).end();
      return;
    }
    const started = performance.now();
    void probe(url.searchParams.get('target') ?? '', endpoints).then(({ ok, code }) => {
      const seconds = (performance.now() - started) / 1000;
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      response.end(
        [
          '# HELP probe_success Displays whether or not the probe was a success',
          '# TYPE probe_success gauge',
          `probe_success ${ok ? 1 : 0}`,
          '# HELP probe_http_status_code Response HTTP status code',
          '# TYPE probe_http_status_code gauge',
          `probe_http_status_code ${code}`,
          '# HELP probe_duration_seconds Returns how long the probe took to complete in seconds',
          '# TYPE probe_duration_seconds gauge',
          `probe_duration_seconds ${seconds}`,
          '',
        ].join('\n'),
      );
    });
  });
  return listenOnLoopback(server);
}
