import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../../src/service/logger.js';
import { AskResponseSchema } from '../../src/service/schemas.js';
import { type DocQaServer, ServerStartError, startDocQaServer } from '../../src/service/server.js';
import { createTracing } from '../../src/service/tracing.js';
import { EXAMPLE_QUESTION, fixtureCorpus } from './helpers.js';

function post(url: string, body: unknown) {
  return fetch(`${url}/v1/ask`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** Streams `total` bytes in chunks with Transfer-Encoding: chunked (no Content-Length) and reads the reply. */
function streamBody(url: string, total: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}/v1/ask`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
    });
    req.on('response', (res: IncomingMessage) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => {
        body += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    const chunk = Buffer.alloc(8 * 1024, 'a');
    let sent = 0;
    const write = () => {
      while (sent < total) {
        sent += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', write);
          return;
        }
      }
      req.end();
    };
    req.write('{"question":"');
    write();
  });
}

describe('startDocQaServer', () => {
  let server: DocQaServer;
  beforeAll(async () => {
    server = await startDocQaServer({
      port: 0,
      host: '127.0.0.1',
      corpusDir: fixtureCorpus,
      logger: createMemoryLogger(),
      signals: [],
    });
    await server.service.ready;
  });
  afterAll(() => server.close());

  it('listens on the port it was given (0: a free one) and answers over HTTP', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.port).toBeGreaterThan(0);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    const response = await post(server.url, { question: EXAMPLE_QUESTION });
    expect(response.status).toBe(200);
    const body = AskResponseSchema.parse(await response.json());
    expect(body.status).toBe('answered');
    expect(response.headers.get('x-request-id')).toBe(body.request_id);
  });

  it('answers 413 to a chunked body streamed past 64 KiB, and keeps serving', async () => {
    const result = await streamBody(server.url, 1024 * 1024);
    expect(result.status).toBe(413);
    expect(JSON.parse(result.body)).toMatchObject({ error: { code: 'payload_too_large' } });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('answers 413 by Content-Length for a large fetch body', async () => {
    const response = await post(server.url, { question: 'x'.repeat(100 * 1024) });
    expect(response.status).toBe(413);
  });

  it('reports a busy port clearly', async () => {
    const error = await startDocQaServer({
      port: server.port,
      host: '127.0.0.1',
      corpusDir: fixtureCorpus,
      logger: createMemoryLogger(),
      signals: [],
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerStartError);
    expect((error as ServerStartError).code).toBe('EADDRINUSE');
    expect((error as Error).message).toBe(`Port ${server.port} on 127.0.0.1 is already in use.`);
  });
});

describe('graceful close', () => {
  it('lets a request in flight finish, then stops listening', async () => {
    const server = await startDocQaServer({
      port: 0,
      corpusDir: fixtureCorpus,
      logger: createMemoryLogger(),
      signals: [],
      faults: 'latency=300ms',
    });
    await server.service.ready;
    const inFlight = post(server.url, { question: EXAMPLE_QUESTION });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closing = server.close();
    const response = await inFlight;
    expect(response.status).toBe(200);
    await closing;
    await server.closed;
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });
});

describe('OpenTelemetry tracing', () => {
  let receiver: Server;
  let endpoint: string;
  const received: Array<{ url: string; body: string; type: string }> = [];
  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({
          url: req.url ?? '',
          body: Buffer.concat(chunks).toString('utf8'),
          type: req.headers['content-type'] ?? '',
        });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

  it('exports a docqa.ask span over OTLP/HTTP to <endpoint>/v1/traces', async () => {
    const server = await startDocQaServer({
      port: 0,
      corpusDir: fixtureCorpus,
      logger: createMemoryLogger(),
      signals: [],
      tracing: { otlpEndpoint: endpoint, serviceName: 'docqa-test' },
    });
    await server.service.ready;
    expect((await post(server.url, { question: EXAMPLE_QUESTION })).status).toBe(200);
    await server.close();
    const traces = received.filter((r) => r.url === '/v1/traces');
    expect(traces.length).toBeGreaterThan(0);
    const all = traces.map((t) => t.body).join('\n');
    expect(all).toContain('docqa.ask');
    expect(all).toContain('docqa-test');
    expect(all).toContain('docqa.status');
  });

  it('costs nothing when off: no endpoint and no LangSmith means no tracer', () => {
    expect(createTracing({}).enabled).toBe(false);
    expect(createTracing({ otlpEndpoint: '  ', langsmith: false }).enabled).toBe(false);
  });
});
