/** fast-check arbitraries for POST /v1/ask: request bodies and headers, valid and not (fuzz and equivalence tests). */
import fc from 'fast-check';

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

/** Any JSON value, small. */
export const jsonish = fc.letrec((tie) => ({
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

/** Random POST /v1/ask requests: body bytes and headers, mostly near the contract, some valid. */
export const anyAskRequest = fc.oneof(
  {
    arbitrary: fc.record({ payload: body, extraHeaders: headers as fc.Arbitrary<Record<string, string>> }),
    weight: 4,
  },
  { arbitrary: validRequest, weight: 1 },
);
