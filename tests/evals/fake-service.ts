/**
 * A small stand-in for the doc-QA service in eval tests: a fetch handler whose answers are scripted per
 * question, and an HTTP server on 127.0.0.1:0 that can be slowed down and counts requests in flight.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Script = (question: string) => { status?: number; body: unknown; delayMs?: number };

export function answered(answer: string, docs: string[] = ['argo-cd-and-hpa.md']) {
  return {
    status: 'answered',
    answer,
    citations: docs.map((doc, i) => ({ doc_id: doc, passage_id: `${doc}#${i}`, text: 'passage text' })),
    confidence: 0.8,
    mode: 'extractive',
    fallback: false,
    request_id: 'req-1',
    latency_ms: 1,
  };
}

export function abstained() {
  return {
    status: 'insufficient_context',
    answer: null,
    citations: [],
    confidence: 0.1,
    mode: 'extractive',
    fallback: false,
    request_id: 'req-2',
    latency_ms: 1,
  };
}

export function fakeHandler(script: Script): (request: Request) => Promise<Response> {
  return async (request) => {
    const { question } = (await request.json()) as { question: string };
    const reply = script(question);
    if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    return new Response(JSON.stringify(reply.body), {
      status: reply.status ?? 200,
      headers: { 'content-type': 'application/json' },
    });
  };
}

export interface FakeServer {
  url: string;
  maxInFlight: () => number;
  requests: () => number;
  close: () => Promise<void>;
}

/** An HTTP doc-QA stand-in; every /v1/ask is answered by the script after its delay. */
export async function startFakeServer(script: Script): Promise<FakeServer> {
  let inFlight = 0;
  let maxInFlight = 0;
  let requests = 0;
  const server: Server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/readyz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ready"}');
      return;
    }
    // The contract document `eval --target` checks before replaying (a doc-QA service describes POST /v1/ask).
    if (req.method === 'GET' && req.url === '/openapi.json') {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end('{"openapi":"3.1.0","paths":{"/v1/ask":{"post":{}}}}');
      return;
    }
    if (req.method !== 'POST' || req.url !== '/v1/ask') {
      res.writeHead(404).end();
      return;
    }
    requests += 1;
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const { question } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { question: string };
      const reply = script(question);
      setTimeout(() => {
        inFlight -= 1;
        if (res.destroyed) return;
        res
          .writeHead(reply.status ?? 200, { 'content-type': 'application/json' })
          .end(JSON.stringify(reply.body));
      }, reply.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    maxInFlight: () => maxInFlight,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
