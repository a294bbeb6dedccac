import { fileURLToPath } from 'node:url';
import { createDocQaApp, type DocQaApp, type DocQaAppOptions } from '../../src/service/app.js';
import { createMemoryLogger } from '../../src/service/logger.js';
import { type DocQaServerOptions, startDocQaServer } from '../../src/service/server.js';

export const fixtureCorpus = fileURLToPath(new URL('./fixtures/corpus', import.meta.url));

export const EXAMPLE_QUESTION = 'How do I stop Argo CD from fighting my HPA?';

/** An app on the fixture corpus with an in-memory logger, ready to answer. */
export async function readyApp(options: DocQaAppOptions = {}) {
  const logger = createMemoryLogger();
  const service = createDocQaApp({ corpusDir: fixtureCorpus, logger, ...options });
  await service.ready;
  return { ...service, logger };
}

/** A real server on a free loopback port, on the fixture corpus, leaving signals alone; not awaited ready. */
export function startTestServer(options: DocQaServerOptions = {}) {
  return startDocQaServer({
    port: 0,
    host: '127.0.0.1',
    corpusDir: fixtureCorpus,
    logger: createMemoryLogger(),
    signals: [],
    drainTimeoutMs: 100,
    ...options,
  });
}

export function ask(service: Pick<DocQaApp, 'app'>, body: unknown, headers: Record<string, string> = {}) {
  return service.app.request('/v1/ask', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** The sum of the series of `name` whose labels include `labels`, in Prometheus text format; undefined if none. */
export function metricValue(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  let sum: number | undefined;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum = (sum ?? 0) + Number(m[3]);
  }
  return sum;
}

export async function metricsText(service: Pick<DocQaApp, 'app'>): Promise<string> {
  return (await service.app.request('/metrics')).text();
}
