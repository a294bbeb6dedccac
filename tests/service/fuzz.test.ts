import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { AskResponseSchema, ErrorResponseSchema } from '../../src/service/schemas.js';
import { metricsText, metricValue, readyApp } from './helpers.js';

type Ready = Awaited<ReturnType<typeof readyApp>>;

const contentType = fc.oneof(
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'application/problem+json',
    'text/plain',
    'text/html',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/xml',
    '',
  ),
  fc.stringMatching(/^[a-z]{1,12}\/[a-z+.-]{1,16}(; ?[a-z]{1,8}=[a-z0-9-]{1,8})?$/),
);

const jsonish = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string(),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 12 }), tie('value'), { maxKeys: 4 }),
  ),
}));

/** Bodies near the contract (mostly-valid objects), far from it (any JSON) and not JSON at all. */
const body = fc.oneof(
  fc
    .record(
      {
        question: fc.oneof(
          fc.string({ maxLength: 300 }),
          fc.string({ unit: 'grapheme', maxLength: 60 }),
          fc.string({ minLength: 1990, maxLength: 2010 }),
          jsonish.value,
        ),
        top_k: fc.oneof(
          fc.integer({ min: -5, max: 15 }),
          fc.double(),
          fc.string({ maxLength: 3 }),
          fc.constant(null),
        ),
        extra: jsonish.value,
      },
      { requiredKeys: [] },
    )
    .map((o) => JSON.stringify(o)),
  jsonish.value.map((v) => JSON.stringify(v) ?? ''),
  fc.string({ maxLength: 200 }),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
  fc.string({ maxLength: 50 }).map((s) => `{"question": "${s}`),
);

const headers = fc.record(
  {
    'content-type': contentType,
    'x-request-id': fc.stringMatching(/^[ -~]{0,140}$/),
    accept: fc.constantFrom('*/*', 'text/html', 'application/xml'),
    'content-encoding': fc.constantFrom('gzip', 'identity', 'br'),
    'transfer-encoding': fc.constant('chunked'),
  },
  { requiredKeys: [] },
);

/** A well-formed request, mixed in so every outcome class (200, 400, 413/415) is reached in each run. */
const validRequest = fc.record({
  payload: fc
    .record(
      {
        question: fc.string({ minLength: 1, maxLength: 200 }).filter((q) => q.trim().length > 0),
        top_k: fc.integer({ min: 1, max: 10 }),
      },
      { requiredKeys: ['question'] },
    )
    .map((o) => JSON.stringify(o) as string | Buffer),
  extraHeaders: fc.record({
    'content-type': fc.constantFrom('application/json', 'application/json; charset=utf-8'),
  }) as fc.Arbitrary<Record<string, string>>,
});

const anyRequest = fc.oneof(
  {
    arbitrary: fc.record({ payload: body, extraHeaders: headers as fc.Arbitrary<Record<string, string>> }),
    weight: 4,
  },
  { arbitrary: validRequest, weight: 1 },
);

describe('POST /v1/ask under random input', () => {
  let service: Ready;
  beforeAll(async () => {
    service = await readyApp();
  });

  it('never answers 5xx: every response is a valid answer (200) or a valid error (4xx)', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(anyRequest, async ({ payload, extraHeaders }) => {
        const hs: Record<string, string> = {};
        for (const [k, v] of Object.entries(extraHeaders)) if (v !== '') hs[k] = v;
        const response = await service.app.request('/v1/ask', { method: 'POST', headers: hs, body: payload });
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        expect(response.status).toBeLessThan(500);
        const json = await response.json();
        if (response.status === 200) {
          expect(AskResponseSchema.safeParse(json).success).toBe(true);
        } else {
          expect([400, 413, 415]).toContain(response.status);
          expect(ErrorResponseSchema.safeParse(json).success).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
    // The generators reach every outcome class, so the property is not vacuous.
    for (const status of [200, 400, 415]) expect(statuses.get(status) ?? 0).toBeGreaterThan(0);
    const text = await metricsText(service);
    expect(metricValue(text, 'docqa_requests_total', { status: 'error' })).toBe(0);
    expect(metricValue(text, 'docqa_output_schema_valid_total', { valid: 'false' })).toBe(0);
  });

  it('answers every valid question with a valid response', async () => {
    const question = fc
      .string({ unit: 'grapheme', minLength: 1, maxLength: 400 })
      .filter((q) => q.trim().length > 0);
    await fc.assert(
      fc.asyncProperty(question, fc.integer({ min: 1, max: 10 }), async (q, topK) => {
        const response = await service.app.request('/v1/ask', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ question: q, top_k: topK }),
        });
        expect(response.status).toBe(200);
        const parsed = AskResponseSchema.parse(await response.json());
        expect(parsed.citations.length).toBeLessThanOrEqual(10);
      }),
      { numRuns: 500 },
    );
  });
});
