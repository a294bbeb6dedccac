import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocQaApp } from '../../src/service/app.js';
import { createMemoryLogger } from '../../src/service/logger.js';
import { ask, EXAMPLE_QUESTION, fixtureCorpus } from './helpers.js';

// A stand-in for the LangSmith API: records what the SDK uploads. This file runs in its own process, so
// the environment variables set here do not leak into other tests.
describe('LangSmith tracing', () => {
  let receiver: Server;
  const received: Array<{ method: string; url: string; body: string }> = [];
  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({
          method: req.method ?? '',
          url: req.url ?? '',
          body: Buffer.concat(chunks).toString('utf8'),
        });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          req.url?.startsWith('/info') ? JSON.stringify({ version: '0.0.0', batch_ingest_config: {} }) : '{}',
        );
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    process.env.LANGSMITH_ENDPOINT = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    process.env.LANGSMITH_API_KEY = 'lsv2-test-key';
  });
  afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

  it('records a docqa.ask run with the question when LangSmith tracing is on', async () => {
    const service = createDocQaApp({
      corpusDir: fixtureCorpus,
      logger: createMemoryLogger(),
      tracing: { langsmith: true },
    });
    await service.ready;
    expect((await ask(service, { question: EXAMPLE_QUESTION })).status).toBe(200);
    await service.close();
    const uploads = received.filter((r) => r.method === 'POST' && /\/runs/.test(r.url));
    expect(uploads.length).toBeGreaterThan(0);
    const all = uploads.map((u) => u.body).join('\n');
    expect(all).toContain('docqa.ask');
    expect(all).toContain('fighting my HPA');
  });
});
