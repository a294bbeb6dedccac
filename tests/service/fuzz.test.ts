import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { AskResponseSchema, ErrorResponseSchema } from '../../src/service/schemas.js';
import { anyAskRequest } from './ask-arbitraries.js';
import { metricsText, metricValue, readyApp } from './helpers.js';

type Ready = Awaited<ReturnType<typeof readyApp>>;

describe('POST /v1/ask under random input', () => {
  let service: Ready;
  beforeAll(async () => {
    service = await readyApp();
  });

  it('never answers 5xx: every response is a valid answer (200) or a valid error (4xx)', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(anyAskRequest, async ({ payload, extraHeaders }) => {
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
