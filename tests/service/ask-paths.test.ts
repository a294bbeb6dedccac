/**
 * The server answers POST /v1/ask without the router (app.ts serveAsk); the route stays for in-process callers
 * and for servers that do not take that path. Both must give the client the same thing: status, JSON body,
 * content type, request id and Retry-After headers, and the same request log line. Here the same random
 * requests go over HTTP to the real server and to the route behind @hono/node-server's listener (what the
 * server did for every ask before), and the answers are compared.
 */
import { Agent, createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocQaApp, type DocQaApp } from '../../src/service/app.js';
import { createMemoryLogger } from '../../src/service/logger.js';
import type { DocQaServer } from '../../src/service/server.js';
import { anyAskRequest } from './ask-arbitraries.js';
import { EXAMPLE_QUESTION, fixtureCorpus, metricsText, startTestServer } from './helpers.js';

type MemoryLogger = ReturnType<typeof createMemoryLogger>;

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * One HTTP request: headers as given (a name may repeat; sent as raw pairs, so Host and, unless the body is
 * chunked, Content-Length are added here), the body bytes as given.
 */
function send(
  url: string,
  headers: Array<[string, string]>,
  body: string | Buffer,
  agent?: Agent,
): Promise<Reply> {
  const raw = [['host', new URL(url).host], ...headers];
  if (!headers.some(([name]) => name.toLowerCase() === 'transfer-encoding')) {
    raw.push(['content-length', String(Buffer.byteLength(body))]);
  }
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}/v1/ask`, {
      method: 'POST',
      headers: raw.flat(),
      ...(agent ? { agent } : {}),
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** What must be equal between the two paths: ids and timings differ by design. */
function comparable(reply: Reply) {
  let json: unknown = reply.body;
  try {
    json = JSON.parse(reply.body);
  } catch {
    // Compared as text.
  }
  if (json && typeof json === 'object' && 'request_id' in json) {
    const { request_id: _id, latency_ms: _ms, ...rest } = json as Record<string, unknown>;
    json = rest;
  }
  return {
    status: reply.status,
    json,
    contentType: reply.headers['content-type'],
    retryAfter: reply.headers['retry-after'],
    requestId: typeof reply.headers['x-request-id'] === 'string',
  };
}

/** The request log line of the last request, without its timing and id. */
function lastRequestLine(logger: MemoryLogger) {
  const line = logger.entries.filter((e) => e.msg === 'request').at(-1);
  if (!line) return undefined;
  const { latency_ms: _ms, request_id: _id, ...rest } = line;
  return rest;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

describe('POST /v1/ask: the server direct path answers as the route does', () => {
  let server: DocQaServer;
  let serverLog: MemoryLogger;
  let routed: DocQaApp;
  let routedLog: MemoryLogger;
  let routedServer: Server;
  let routedUrl: string;

  beforeAll(async () => {
    serverLog = createMemoryLogger();
    server = await startTestServer({ logger: serverLog });
    await server.service.ready;
    routedLog = createMemoryLogger();
    routed = createDocQaApp({ corpusDir: fixtureCorpus, logger: routedLog });
    await routed.ready;
    routedServer = createServer(getRequestListener(routed.app.fetch));
    await new Promise<void>((resolve) => routedServer.listen(0, '127.0.0.1', resolve));
    routedUrl = `http://127.0.0.1:${(routedServer.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await server.close();
    await new Promise((resolve) => routedServer.close(resolve));
    await routed.close();
  });

  const both = async (headers: Array<[string, string]>, body: string | Buffer) => {
    const direct = await send(server.url, headers, body);
    const directLine = lastRequestLine(serverLog);
    const route = await send(routedUrl, headers, body);
    const routeLine = lastRequestLine(routedLog);
    return { direct, route, directLine, routeLine };
  };

  it('gives the same status, body, headers and log line for random requests', async () => {
    const statuses = new Set<number>();
    await fc.assert(
      fc.asyncProperty(anyAskRequest, async ({ payload, extraHeaders }) => {
        const headers = Object.entries(extraHeaders).filter(([, v]) => v !== '') as Array<[string, string]>;
        const { direct, route, directLine, routeLine } = await both(headers, payload);
        statuses.add(direct.status);
        expect(comparable(direct)).toEqual(comparable(route));
        expect(directLine).toEqual(routeLine);
        const given = extraHeaders['x-request-id'];
        if (given !== undefined && REQUEST_ID.test(given)) expect(direct.headers['x-request-id']).toBe(given);
      }),
      { numRuns: 150 },
    );
    for (const status of [200, 400, 415]) expect(statuses.has(status)).toBe(true);
  });

  it('joins a repeated Content-Type as fetch does (so it is refused the same way), and reads a chunked body', async () => {
    const body = JSON.stringify({ question: EXAMPLE_QUESTION });
    const repeated = await both(
      [
        ['content-type', 'application/json'],
        ['content-type', 'text/plain'],
      ],
      body,
    );
    expect(repeated.direct.status).toBe(415);
    expect(comparable(repeated.direct)).toEqual(comparable(repeated.route));
    const chunked = await both(
      [
        ['content-type', 'application/json'],
        ['transfer-encoding', 'chunked'],
      ],
      body,
    );
    expect(chunked.direct.status).toBe(200);
    expect(comparable(chunked.direct)).toEqual(comparable(chunked.route));
    expect(chunked.directLine).toEqual(chunked.routeLine);
  });

  it('refuses a body over 64 KiB with 413, counted as the route counts it, and keeps the connection usable', async () => {
    const big = JSON.stringify({ question: 'x'.repeat(70 * 1024) });
    const { direct, route } = await both([['content-type', 'application/json']], big);
    expect(direct.status).toBe(413);
    expect(comparable(direct)).toEqual(comparable(route));
    const rejected = (text: string) =>
      /docqa_rejected_requests_total\{code="payload_too_large"\} (\d+)/.exec(text)?.[1];
    expect(rejected(await metricsText(server.service))).toBe(rejected(await metricsText(routed)));
    const after = await send(
      server.url,
      [['content-type', 'application/json']],
      JSON.stringify({ question: 'hi' }),
    );
    expect(after.status).toBe(200);
  });

  it('closes the connection after its last allowed request when that request is an ask', async () => {
    const limited = await startTestServer({ limits: { maxRequestsPerSocket: 2 } });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      await limited.service.ready;
      const body = JSON.stringify({ question: EXAMPLE_QUESTION });
      const first = await send(limited.url, [['content-type', 'application/json']], body, agent);
      const second = await send(limited.url, [['content-type', 'application/json']], body, agent);
      expect([first.status, second.status]).toEqual([200, 200]);
      expect(first.headers.connection).toBe('keep-alive');
      expect(second.headers.connection).toBe('close');
    } finally {
      agent.destroy();
      await limited.close();
    }
  });
});
