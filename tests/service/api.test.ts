import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocQaApp } from '../../src/service/app.js';
import { FaultSpecError } from '../../src/service/faults.js';
import { createMemoryLogger } from '../../src/service/logger.js';
import type { QaEngine } from '../../src/service/qa/types.js';
import { AskResponseSchema, ErrorResponseSchema } from '../../src/service/schemas.js';
import { ask, EXAMPLE_QUESTION, fixtureCorpus, metricsText, metricValue, readyApp } from './helpers.js';

type Ready = Awaited<ReturnType<typeof readyApp>>;

async function expectError(response: Response, status: number, code: string): Promise<string> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const body = ErrorResponseSchema.parse(await response.json());
  expect(body.error.code).toBe(code);
  return body.error.message;
}

describe('POST /v1/ask', () => {
  let service: Ready;
  beforeAll(async () => {
    service = await readyApp();
  });

  it('answers the DESIGN example question with a cited answer in the response schema', async () => {
    const response = await ask(service, { question: EXAMPLE_QUESTION });
    expect(response.status).toBe(200);
    const body = AskResponseSchema.parse(await response.json());
    expect(body.status).toBe('answered');
    expect(body.answer).toEqual(expect.any(String));
    expect(body.citations.length).toBeGreaterThan(0);
    expect(body.citations[0]?.doc_id).toBe('argo-cd-and-hpa.md');
    expect(body.mode).toBe('extractive');
    expect(body.fallback).toBe(false);
    expect(body.confidence).toBeGreaterThan(0);
    expect(body.request_id).toBe(response.headers.get('x-request-id'));
  });

  it('abstains with answer null when the corpus does not hold the answer', async () => {
    const response = await ask(service, {
      question: 'Which port does the billing team Postgres database use?',
    });
    expect(response.status).toBe(200);
    const body = AskResponseSchema.parse(await response.json());
    expect(body.status).toBe('insufficient_context');
    expect(body.answer).toBeNull();
  });

  it('accepts a 2000-character question, top_k from 1 to 10 and JSON content types with parameters', async () => {
    const long = `${EXAMPLE_QUESTION} ${'x'.repeat(2000)}`.slice(0, 2000);
    expect((await ask(service, { question: long })).status).toBe(200);
    expect((await ask(service, { question: EXAMPLE_QUESTION, top_k: 1 })).status).toBe(200);
    expect((await ask(service, { question: EXAMPLE_QUESTION, top_k: 10 })).status).toBe(200);
    for (const type of ['application/json; charset=utf-8', 'APPLICATION/JSON', 'application/vnd.api+json']) {
      const response = await ask(service, { question: EXAMPLE_QUESTION }, { 'content-type': type });
      expect(response.status, type).toBe(200);
    }
  });

  it('honours a well-formed x-request-id and replaces a malformed one', async () => {
    const kept = await ask(service, { question: EXAMPLE_QUESTION }, { 'x-request-id': 'drill-42.a:b' });
    expect(kept.headers.get('x-request-id')).toBe('drill-42.a:b');
    expect(((await kept.json()) as { request_id: string }).request_id).toBe('drill-42.a:b');
    const replaced = await ask(
      service,
      { question: EXAMPLE_QUESTION },
      { 'x-request-id': 'has spaces; and=more' },
    );
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each([
    ['text/plain', 'text/plain'],
    ['form data', 'application/x-www-form-urlencoded'],
    ['json look-alike', 'application/jsonp'],
  ])('rejects a %s content type with 415', async (_name, type) => {
    const message = await expectError(
      await ask(service, { question: EXAMPLE_QUESTION }, { 'content-type': type }),
      415,
      'unsupported_media_type',
    );
    expect(message).toContain('application/json');
  });

  it('rejects a body without a content type with 415', async () => {
    const response = await service.app.request('/v1/ask', { method: 'POST', body: '{"question":"hi"}' });
    await expectError(response, 415, 'unsupported_media_type');
  });

  it('rejects bodies over 64 KiB with 413, by Content-Length and by the bytes actually streamed', async () => {
    const big = JSON.stringify({ question: 'x'.repeat(70 * 1024) });
    await expectError(await ask(service, big), 413, 'payload_too_large');
    const declared = await service.app.request('/v1/ask', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(10 * 1024 * 1024) },
      body: '{}',
    });
    await expectError(declared, 413, 'payload_too_large');
    const chunk = new TextEncoder().encode('x'.repeat(16 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 10) controller.close();
        else {
          sent++;
          controller.enqueue(chunk);
        }
      },
    });
    const streamed = await service.app.request('/v1/ask', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    await expectError(streamed, 413, 'payload_too_large');
    expect(sent).toBeLessThan(10);
  });

  it('treats a body of exactly 64 KiB as within the limit', async () => {
    const prefix = '{"question":"';
    const body = `${prefix}${'y'.repeat(64 * 1024 - prefix.length - 2)}"}`;
    expect(Buffer.byteLength(body)).toBe(64 * 1024);
    const message = await expectError(await ask(service, body), 400, 'invalid_request');
    expect(message).toContain('question');
  });

  it.each([
    ['an empty body', ''],
    ['truncated JSON', '{"question": "How'],
    ['a trailing comma', '{"question": "How?",}'],
    ['single quotes', "{'question': 'How?'}"],
  ])('rejects %s with 400 invalid_json', async (_name, body) => {
    await expectError(await ask(service, body), 400, 'invalid_json');
  });

  it('rejects a body that is not UTF-8 with 400 invalid_json', async () => {
    const response = await service.app.request('/v1/ask', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
    });
    await expectError(response, 400, 'invalid_json');
  });

  it.each([
    ['null', null, 'JSON object'],
    ['an array', [{ question: 'How?' }], 'JSON object'],
    ['a string', 'How?', 'JSON object'],
    ['a missing question', {}, 'question: is required'],
    ['an empty question', { question: '' }, 'question: must not be empty'],
    ['a blank question', { question: ' \n\t ' }, 'question: must not be empty'],
    ['an over-long question', { question: 'q'.repeat(2001) }, 'question: must be at most 2000 characters'],
    ['a numeric question', { question: 42 }, 'question: must be a string'],
    ['top_k 0', { question: 'How?', top_k: 0 }, 'top_k: must be from 1 to 10'],
    ['top_k 11', { question: 'How?', top_k: 11 }, 'top_k: must be from 1 to 10'],
    ['a fractional top_k', { question: 'How?', top_k: 2.5 }, 'top_k: must be an integer'],
    ['a string top_k', { question: 'How?', top_k: '3' }, 'top_k: must be a number'],
    ['an unknown field', { question: 'How?', verbose: true }, 'unknown field "verbose"'],
    ['a prototype key', JSON.parse('{"question":"How?","__proto__":{"x":1}}'), 'unknown field "__proto__"'],
  ])('rejects %s with 400 invalid_request naming the problem', async (_name, body, expected) => {
    const raw = typeof body === 'string' ? JSON.stringify(body) : JSON.stringify(body);
    const message = await expectError(await ask(service, raw), 400, 'invalid_request');
    expect(message).toContain(expected);
  });

  it('answers a wrong method with 405 and an Allow header', async () => {
    const response = await service.app.request('/v1/ask');
    expect(response.headers.get('allow')).toBe('POST');
    await expectError(response, 405, 'method_not_allowed');
  });
});

describe('the other routes', () => {
  let service: Ready;
  beforeAll(async () => {
    service = await readyApp();
  });

  it('GET /healthz and HEAD /healthz are 200', async () => {
    const response = await service.app.request('/healthz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
    expect((await service.app.request('/healthz', { method: 'HEAD' })).status).toBe(200);
  });

  it('GET /readyz reports the indexed corpus', async () => {
    const response = await service.app.request('/readyz');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      status: 'ready',
      documents: 3,
      passages: expect.any(Number),
    });
  });

  it('GET /v1/documents lists the corpus documents', async () => {
    const response = await service.app.request('/v1/documents');
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      documents: Array<{ doc_id: string; title: string }>;
      passages: number;
    };
    expect(body.documents.map((d) => d.doc_id).sort()).toEqual([
      'argo-cd-and-hpa.md',
      'doc-qa-metrics.md',
      'image-pinning.md',
    ]);
    expect(body.documents.find((d) => d.doc_id === 'argo-cd-and-hpa.md')?.title).toBe('Argo CD and the HPA');
    expect(body.passages).toBeGreaterThan(3);
  });

  it('GET /openapi.json describes the routes from the zod schemas', async () => {
    const response = await service.app.request('/openapi.json');
    expect(response.status).toBe(200);
    const doc = (await response.json()) as {
      openapi: string;
      paths: Record<string, Record<string, { requestBody?: unknown; responses: Record<string, unknown> }>>;
      components: { schemas: Record<string, { required?: string[]; additionalProperties?: unknown }> };
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/healthz',
      '/metrics',
      '/readyz',
      '/v1/ask',
      '/v1/documents',
    ]);
    expect(Object.keys(doc.paths['/v1/ask']?.post?.responses ?? {}).sort()).toEqual(
      ['200', '400', '413', '415', '500', '503'].sort(),
    );
    expect(doc.components.schemas.AskRequest?.required).toEqual(['question']);
    expect(doc.components.schemas.AskRequest?.additionalProperties).toBe(false);
    expect(doc.components.schemas.AskResponse?.required).toEqual(
      expect.arrayContaining([
        'status',
        'answer',
        'citations',
        'confidence',
        'mode',
        'fallback',
        'request_id',
      ]),
    );
  });

  it('answers unknown routes with 404 JSON and wrong methods with 405 JSON', async () => {
    const missing = await service.app.request('/v2/ask', {
      method: 'POST',
      headers: { 'x-request-id': 'r-404' },
    });
    expect(missing.headers.get('x-request-id')).toBe('r-404');
    await expectError(missing, 404, 'not_found');
    await expectError(await service.app.request('/'), 404, 'not_found');
    const post = await service.app.request('/healthz', { method: 'POST' });
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    await expectError(post, 405, 'method_not_allowed');
    await expectError(await service.app.request('/metrics', { method: 'DELETE' }), 405, 'method_not_allowed');
  });
});

describe('metrics', () => {
  it('exposes the contract metric names and default process metrics', async () => {
    const service = await readyApp();
    await ask(service, { question: EXAMPLE_QUESTION });
    const response = await service.app.request('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    for (const name of [
      'docqa_requests_total',
      'docqa_answers_grounded_total',
      'docqa_output_schema_valid_total',
      'docqa_fallback_total',
      'docqa_request_duration_seconds',
      'docqa_answer_confidence',
      'process_cpu_user_seconds_total',
      'nodejs_heap_size_used_bytes',
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    expect(text).toContain('# TYPE docqa_request_duration_seconds histogram');
    expect(text).toContain('# TYPE docqa_answer_confidence histogram');
  });

  it('has every contract series at zero before the first request, histograms included', async () => {
    // A series that appears with its first observation gives rate() nothing to compare with, so the first
    // scrape interval of a new canary would be invisible to its analysis (the latency quantile would be NaN).
    const service = await readyApp();
    const text = await (await service.app.request('/metrics')).text();
    for (const status of ['answered', 'insufficient_context', 'error']) {
      expect(text).toMatch(
        new RegExp(`^docqa_request_duration_seconds_count\\{mode="extractive",status="${status}"\\} 0$`, 'm'),
      );
      expect(text).toMatch(
        new RegExp(`^docqa_requests_total\\{mode="extractive",status="${status}"\\} 0$`, 'm'),
      );
    }
    expect(text).toMatch(/^docqa_answer_confidence_count\{mode="extractive"\} 0$/m);
    expect(text).toMatch(/^docqa_answers_grounded_total\{grounded="false"\} 0$/m);
  });

  it('counts outcomes, schema validity, groundedness and bad input', async () => {
    const service = await readyApp();
    await ask(service, { question: EXAMPLE_QUESTION });
    await ask(service, { question: 'Which port does the billing team Postgres database use?' });
    await ask(service, '{oops');
    const text = await metricsText(service);
    expect(metricValue(text, 'docqa_requests_total', { mode: 'extractive', status: 'answered' })).toBe(1);
    expect(
      metricValue(text, 'docqa_requests_total', { mode: 'extractive', status: 'insufficient_context' }),
    ).toBe(1);
    expect(metricValue(text, 'docqa_requests_total', { status: 'error' })).toBe(0);
    expect(metricValue(text, 'docqa_output_schema_valid_total', { valid: 'true' })).toBe(2);
    expect(metricValue(text, 'docqa_output_schema_valid_total', { valid: 'false' })).toBe(0);
    expect(metricValue(text, 'docqa_answers_grounded_total', { grounded: 'true' })).toBe(1);
    expect(metricValue(text, 'docqa_rejected_requests_total', { code: 'invalid_json' })).toBe(1);
    expect(metricValue(text, 'docqa_request_duration_seconds_count')).toBe(2);
    expect(metricValue(text, 'docqa_answer_confidence_count')).toBe(2);
  });

  it('serves a repeated question from the answer cache with the same answer and the same counting', async () => {
    const service = await readyApp();
    const first = AskResponseSchema.parse(await (await ask(service, { question: EXAMPLE_QUESTION })).json());
    const second = AskResponseSchema.parse(await (await ask(service, { question: EXAMPLE_QUESTION })).json());
    expect({ ...second, request_id: '', latency_ms: 0 }).toEqual({ ...first, request_id: '', latency_ms: 0 });
    await ask(service, { question: EXAMPLE_QUESTION, top_k: 5 });
    const text = await metricsText(service);
    expect(metricValue(text, 'docqa_answer_cache_total', { result: 'hit' })).toBe(1);
    expect(metricValue(text, 'docqa_answer_cache_total', { result: 'miss' })).toBe(2);
    expect(metricValue(text, 'docqa_requests_total', { status: 'answered' })).toBe(3);
    expect(metricValue(text, 'docqa_answers_grounded_total')).toBe(3);
    const uncached = await readyApp({ answerCacheSize: 0 });
    await ask(uncached, { question: EXAMPLE_QUESTION });
    await ask(uncached, { question: EXAMPLE_QUESTION });
    expect(metricValue(await metricsText(uncached), 'docqa_answer_cache_total')).toBeUndefined();
  });

  it('keeps a separate registry per app', async () => {
    const a = await readyApp();
    const b = await readyApp();
    await ask(a, { question: EXAMPLE_QUESTION });
    expect(metricValue(await metricsText(b), 'docqa_requests_total', { status: 'answered' })).toBe(0);
  });
});

describe('logs', () => {
  it('writes one line per request with id, method, path, status, mode and latency, never the question', async () => {
    const service = await readyApp();
    const secretQuestion = 'How do I stop Argo CD from fighting my HPA in namespace zebra-omega-7?';
    await ask(service, { question: secretQuestion }, { 'x-request-id': 'log-check-1' });
    await service.app.request('/healthz');
    const requests = service.logger.entries.filter((e) => e.msg === 'request');
    expect(requests).toHaveLength(2);
    expect(requests[0]).toMatchObject({
      level: 'info',
      request_id: 'log-check-1',
      method: 'POST',
      path: '/v1/ask',
      status: 200,
      mode: 'extractive',
      answer_status: expect.stringMatching(/^(answered|insufficient_context)$/),
      latency_ms: expect.any(Number),
    });
    expect(requests[1]).toMatchObject({ method: 'GET', path: '/healthz', status: 200 });
    expect(JSON.stringify(service.logger.entries)).not.toContain('zebra-omega-7');
  });
});

describe('readiness and failures', () => {
  it('answers /readyz 503 until the index is built, while /healthz stays 200', async () => {
    const real = await readyApp();
    const engine = await real.engine();
    let release: (engine: QaEngine) => void = () => {};
    const pending = new Promise<QaEngine>((resolve) => {
      release = resolve;
    });
    const service = createDocQaApp({ engine: pending, logger: createMemoryLogger() });
    await expectError(await service.app.request('/readyz'), 503, 'not_ready');
    expect((await service.app.request('/healthz')).status).toBe(200);
    const early = ask(service, { question: EXAMPLE_QUESTION });
    release(engine);
    await service.ready;
    expect((await service.app.request('/readyz')).status).toBe(200);
    expect((await early).status).toBe(200);
  });

  it('reports a corpus that cannot be loaded on /readyz and /v1/ask without dying', async () => {
    const service = createDocQaApp({
      corpusDir: join(fixtureCorpus, 'no-such-folder'),
      logger: createMemoryLogger(),
    });
    await expect(service.ready).rejects.toThrow();
    const message = await expectError(await service.app.request('/readyz'), 503, 'not_ready');
    expect(message).toContain('no-such-folder');
    await expectError(await ask(service, { question: EXAMPLE_QUESTION }), 503, 'not_ready');
    expect((await service.app.request('/healthz')).status).toBe(200);
  });

  it('turns a bug that throws into a logged, counted 500 and keeps serving', async () => {
    const real = await readyApp();
    const engine = await real.engine();
    const broken: QaEngine = {
      corpus: engine.corpus,
      retrieve: (q, k) => engine.retrieve(q, k),
      isGrounded: (...args) => engine.isGrounded(...args),
      answer: () => {
        throw new TypeError('boom in the engine');
      },
    };
    const logger = createMemoryLogger();
    const service = createDocQaApp({ engine: broken, logger });
    await service.ready;
    const message = await expectError(
      await ask(service, { question: EXAMPLE_QUESTION }),
      500,
      'internal_error',
    );
    expect(message).not.toContain('boom');
    expect(logger.entries.find((e) => e.msg === 'unhandled error')).toMatchObject({
      level: 'error',
      error: 'TypeError: boom in the engine',
    });
    const text = await metricsText(service);
    expect(metricValue(text, 'docqa_requests_total', { mode: 'extractive', status: 'error' })).toBe(1);
    expect((await service.app.request('/healthz')).status).toBe(200);
  });
});

describe('faults', () => {
  const questions = [
    EXAMPLE_QUESTION,
    'Why do Argo CD and the HPA keep overwriting each other?',
    'What does docqa_answers_grounded_total count?',
    'What does the docqa_fallback_total metric count?',
    'Why are images pinned by digest instead of by tag?',
  ];

  async function groundedRatio(faults: string) {
    const service = await readyApp({ faults });
    for (const question of questions) {
      const response = await ask(service, { question });
      expect(response.status).toBe(200);
      expect(AskResponseSchema.safeParse(await response.json()).success).toBe(true);
    }
    expect((await service.app.request('/healthz')).status).toBe(200);
    const text = await metricsText(service);
    const yes = metricValue(text, 'docqa_answers_grounded_total', { grounded: 'true' }) ?? 0;
    const no = metricValue(text, 'docqa_answers_grounded_total', { grounded: 'false' }) ?? 0;
    return { ratio: yes / Math.max(1, yes + no), answered: yes + no };
  }

  it('wrong-retrieval keeps HTTP and schema green but lowers the grounded ratio', async () => {
    const healthy = await groundedRatio('');
    const faulty = await groundedRatio('wrong-retrieval');
    expect(healthy.answered).toBeGreaterThanOrEqual(4);
    expect(healthy.ratio).toBeGreaterThanOrEqual(0.75);
    expect(faulty.answered).toBeGreaterThan(0);
    expect(faulty.ratio).toBeLessThan(healthy.ratio);
    expect(faulty.ratio).toBeLessThanOrEqual(0.25);
  });

  it('latency=<ms> delays /v1/ask by at least that long, not /healthz', async () => {
    const service = await readyApp({ faults: 'latency=120ms' });
    const order: string[] = [];
    const t0 = performance.now();
    const asked = Promise.resolve(ask(service, { question: EXAMPLE_QUESTION })).then((r) => {
      order.push('ask');
      return r;
    });
    // /healthz, asked while the delayed ask is pending, answers first: the fault does not reach it.
    const health = Promise.resolve(service.app.request('/healthz')).then((r) => {
      order.push('healthz');
      return r;
    });
    const [response, healthz] = await Promise.all([asked, health]);
    const elapsed = performance.now() - t0;
    expect(response.status).toBe(200);
    expect(healthz.status).toBe(200);
    expect(order).toEqual(['healthz', 'ask']);
    // A lower bound only: the delay is at least the fault's, however busy the machine.
    expect(elapsed).toBeGreaterThanOrEqual(115);
    expect(((await response.json()) as { latency_ms: number }).latency_ms).toBeGreaterThanOrEqual(115);
  });

  it('refuses an unknown fault at start-up, naming it', () => {
    expect(() => createDocQaApp({ corpusDir: fixtureCorpus, faults: 'wrong-retrieval,disk-full' })).toThrow(
      FaultSpecError,
    );
    expect(() => createDocQaApp({ corpusDir: fixtureCorpus, faults: 'disk-full' })).toThrow(/"disk-full"/);
  });
});

describe('the default corpus', () => {
  const handbook = join(fixtureCorpus, '..', '..', '..', '..', 'handbook');
  let service: ReturnType<typeof createDocQaApp>;
  beforeAll(() => {
    service = createDocQaApp({ logger: createMemoryLogger() });
  });
  afterAll(() => service.close());

  it('is the bundled handbook, resolved from the package root', async () => {
    expect(service.corpusDir).toBe(handbook);
    expect(existsSync(handbook)).toBe(true);
    await service.ready;
    const body = AskResponseSchema.parse(await (await ask(service, { question: EXAMPLE_QUESTION })).json());
    expect(body.status).toBe('answered');
    expect(body.citations.length).toBeGreaterThan(0);
  });
});
