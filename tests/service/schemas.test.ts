/**
 * The hand-written fast paths of schemas.ts against the zod schemas they stand in for: the ask path tries the
 * fast path first and falls back to the schema (which words the error), so a fast path must never accept what
 * the schema refuses, nor give a different result for what it accepts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AskRequestSchema,
  AskResponseSchema,
  CitationSchema,
  isAskResponseFast,
  MAX_QUESTION_LENGTH,
  parseAskRequestFast,
} from '../../src/service/schemas.js';
import { jsonish } from './ask-arbitraries.js';

/**
 * Request-shaped objects: the two fields with values at and around their limits, sometimes an extra own key
 * (defined as JSON.parse defines it, so `__proto__` is a key, not the prototype).
 */
const askRequestLike = fc
  .tuple(
    fc.record(
      {
        question: fc.oneof(
          { arbitrary: fc.string({ maxLength: 40 }), weight: 4 },
          fc.constantFrom('', ' ', '\t\n', ' a ', '\u00a0x\u2028'),
          fc.string({ minLength: MAX_QUESTION_LENGTH - 3, maxLength: MAX_QUESTION_LENGTH + 3 }),
          jsonish.value,
        ),
        top_k: fc.oneof(
          { arbitrary: fc.integer({ min: -2, max: 12 }), weight: 4 },
          fc.constantFrom(0, 1, 10, 11, 1.5, -0, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, 1e21),
          fc.double(),
          jsonish.value,
        ),
      },
      { requiredKeys: [] },
    ),
    fc.option(fc.constantFrom('toString', '__proto__', 'Question', 'top_K', 'constructor'), { freq: 4 }),
  )
  .map(([fields, extra]) => {
    const value: Record<string, unknown> = { ...fields };
    if (extra !== null) Object.defineProperty(value, extra, { value: 1, enumerable: true, writable: true });
    return value;
  });

const validCitation = fc.record({
  doc_id: fc.string({ minLength: 1, maxLength: 6 }),
  passage_id: fc.string({ minLength: 1, maxLength: 6 }),
  text: fc.string({ maxLength: 20 }),
});

/** Well-formed responses of both statuses. */
const validResponse = fc
  .oneof(
    fc.record({
      status: fc.constant('answered'),
      answer: fc.string({ minLength: 1, maxLength: 10 }),
      citations: fc.array(validCitation, { minLength: 1, maxLength: 3 }),
    }),
    fc.record({
      status: fc.constant('insufficient_context'),
      answer: fc.constant(null),
      citations: fc.array(validCitation, { maxLength: 2 }),
    }),
  )
  .chain((head) =>
    fc.record({
      status: fc.constant(head.status),
      answer: fc.constant(head.answer),
      citations: fc.constant(head.citations),
      confidence: fc.double({ min: 0, max: 1, noNaN: true }),
      mode: fc.constantFrom('extractive', 'generative'),
      fallback: fc.boolean(),
      request_id: fc.string({ minLength: 1, maxLength: 8 }),
      latency_ms: fc.double({ min: 0, max: 100, noNaN: true }),
    }),
  );

const oddValue = fc.oneof(
  jsonish.value,
  fc.constantFrom('', 'answered', 'error', -0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, null),
);

/** Responses with none, one or two fields changed, removed or added (in the response or a citation). */
const askResponseLike = fc
  .tuple(
    validResponse,
    fc.array(
      fc.tuple(
        fc.constantFrom(
          ...Object.keys(AskResponseSchema.shape),
          'extra',
          ...Object.keys(CitationSchema.shape).map((key) => `citation.${key}`),
          'citation.score',
        ),
        fc.option(oddValue, { freq: 5 }),
      ),
      { maxLength: 2 },
    ),
  )
  .map(([response, changes]) => {
    const value: Record<string, unknown> = {
      ...response,
      citations: response.citations.map((c) => ({ ...c })),
    };
    for (const [path, replacement] of changes) {
      const [head, field] = path.split('.') as [string, string | undefined];
      const citations = value.citations;
      const target =
        field === undefined
          ? value
          : Array.isArray(citations) && typeof citations[0] === 'object' && citations[0] !== null
            ? (citations[0] as Record<string, unknown>)
            : undefined;
      const key = field ?? head;
      if (!target) continue;
      if (replacement === null) delete target[key];
      else target[key] = replacement;
    }
    return value;
  });

describe('schemas.ts fast paths agree with the zod schemas', () => {
  it('parseAskRequestFast: the schema accepts what it accepts, with the same data', () => {
    let accepted = 0;
    fc.assert(
      fc.property(fc.oneof(askRequestLike, jsonish.value), (value) => {
        if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
        const fast = parseAskRequestFast(value);
        const zod = AskRequestSchema.safeParse(value);
        if (fast === undefined) return;
        accepted++;
        expect(zod.success).toBe(true);
        expect(fast).toEqual(zod.data);
      }),
      { numRuns: 5000 },
    );
    expect(accepted).toBeGreaterThan(100);
  });

  it('parseAskRequestFast takes every plain valid request (only odd ones go to the schema)', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 300 }).filter((q) => q.trim().length > 0),
        fc.option(fc.integer({ min: 1, max: 10 }), { nil: undefined }),
        (question, topK) => {
          const value = topK === undefined ? { question } : { question, top_k: topK };
          expect(parseAskRequestFast(value)).toEqual(AskRequestSchema.parse(value));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('isAskResponseFast says yes only when the schema does, and says yes to well-formed answers', () => {
    let yes = 0;
    let no = 0;
    fc.assert(
      fc.property(askResponseLike, (value) => {
        if (!isAskResponseFast(value)) {
          no++;
          return;
        }
        yes++;
        expect(AskResponseSchema.safeParse(value).success).toBe(true);
      }),
      { numRuns: 5000 },
    );
    // Both answers are reached, so neither half of the property is vacuous.
    expect(yes).toBeGreaterThan(500);
    expect(no).toBeGreaterThan(500);
    fc.assert(
      fc.property(validResponse, (value) => {
        expect(isAskResponseFast(value)).toBe(true);
      }),
      { numRuns: 1000 },
    );
    const answered = {
      status: 'answered',
      answer: 'a',
      citations: [{ doc_id: 'd', passage_id: 'd#1', text: 't' }],
      confidence: 0.5,
      mode: 'extractive',
      fallback: false,
      request_id: 'r',
      latency_ms: 0,
    };
    expect(isAskResponseFast(answered)).toBe(true);
    expect(
      isAskResponseFast({ ...answered, status: 'insufficient_context', answer: null, citations: [] }),
    ).toBe(true);
  });
});
