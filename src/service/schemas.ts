/**
 * The doc-QA service's wire contract (docs/service.md "API") as zod schemas. The same schemas
 * validate requests, check every response the service sends, validate Gemini's JSON and generate
 * /openapi.json. The eval runner imports AskResponseSchema to measure schema validity.
 */
import { z } from '@hono/zod-openapi';

export const MAX_QUESTION_LENGTH = 2000;
export const MAX_TOP_K = 10;
export const DEFAULT_TOP_K = 3;
/** Request bodies above this size get 413. */
export const MAX_BODY_BYTES = 64 * 1024;

export const AskRequestSchema = z
  .strictObject({
    question: z
      .string({ error: 'must be a string' })
      .trim()
      .min(1, { error: 'must not be empty' })
      .max(MAX_QUESTION_LENGTH, { error: `must be at most ${MAX_QUESTION_LENGTH} characters` })
      .openapi({ example: 'How do I stop Argo CD from fighting my HPA?' }),
    top_k: z
      .number({ error: 'must be a number' })
      .int({ error: 'must be an integer' })
      .min(1, { error: `must be from 1 to ${MAX_TOP_K}` })
      .max(MAX_TOP_K, { error: `must be from 1 to ${MAX_TOP_K}` })
      .default(DEFAULT_TOP_K)
      .openapi({ description: 'How many passages to retrieve and consider.' }),
  })
  .openapi('AskRequest');

export type AskRequest = z.output<typeof AskRequestSchema>;

export const CitationSchema = z
  .strictObject({
    doc_id: z.string().min(1),
    passage_id: z.string().min(1),
    text: z.string(),
  })
  .openapi('Citation');

export const AnswerStatusSchema = z.enum(['answered', 'insufficient_context']);
export const AnswerModeSchema = z.enum(['extractive', 'generative']);
export type AnswerMode = z.infer<typeof AnswerModeSchema>;

export const AskResponseSchema = z
  .strictObject({
    status: AnswerStatusSchema,
    answer: z.string().min(1).nullable(),
    citations: z.array(CitationSchema),
    confidence: z.number().min(0).max(1),
    mode: AnswerModeSchema.openapi({ description: 'The mode that produced this answer.' }),
    fallback: z
      .boolean()
      .openapi({ description: 'True when generative mode failed and the extractive answer was served.' }),
    request_id: z.string().min(1),
    latency_ms: z.number().nonnegative(),
  })
  .refine((r) => (r.status === 'answered') === (r.answer !== null), {
    error: 'answer must be a string exactly when status is answered, null otherwise',
    path: ['answer'],
  })
  .refine((r) => r.status !== 'answered' || r.citations.length > 0, {
    error: 'an answered response must cite at least one passage',
    path: ['citations'],
  })
  .openapi('AskResponse');

export type AskResponse = z.infer<typeof AskResponseSchema>;

export const ErrorCodeSchema = z.enum([
  'invalid_json',
  'invalid_request',
  'payload_too_large',
  'unsupported_media_type',
  'not_found',
  'method_not_allowed',
  'not_ready',
  'not_alive',
  'overloaded',
  'internal_error',
]);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

export const ErrorResponseSchema = z
  .strictObject({
    error: z.strictObject({
      code: ErrorCodeSchema,
      message: z.string().min(1),
    }),
  })
  .openapi('ErrorResponse');

export type ErrorResponse = z.infer<typeof ErrorResponseSchema>;

export const HealthResponseSchema = z.object({ status: z.literal('ok') }).openapi('Health');

export const ReadyResponseSchema = z
  .object({ status: z.literal('ready'), documents: z.number().int(), passages: z.number().int() })
  .openapi('Ready');

export const DocumentsResponseSchema = z
  .object({
    documents: z.array(
      z.object({ doc_id: z.string(), title: z.string(), passages: z.number().int().nonnegative() }),
    ),
    passages: z.number().int().nonnegative(),
  })
  .openapi('Documents');

// Fast paths. Each accepts a subset of what its schema accepts and gives the same result for it, so a caller
// can try the fast path first and fall back to the schema (which also words the error) when it says no.

const ASK_REQUEST_KEYS = new Set(['question', 'top_k']);

/** AskRequestSchema.safeParse(json).data for the common well-formed request, or undefined: use the schema. */
export function parseAskRequestFast(json: object): AskRequest | undefined {
  for (const key of Object.keys(json)) if (!ASK_REQUEST_KEYS.has(key)) return undefined;
  const { question, top_k: topK } = json as { question?: unknown; top_k?: unknown };
  if (typeof question !== 'string') return undefined;
  const trimmed = question.trim();
  if (trimmed.length < 1 || trimmed.length > MAX_QUESTION_LENGTH) return undefined;
  if (topK === undefined && !('top_k' in json)) return { question: trimmed, top_k: DEFAULT_TOP_K };
  if (typeof topK !== 'number' || !Number.isSafeInteger(topK) || topK < 1 || topK > MAX_TOP_K) {
    return undefined;
  }
  return { question: trimmed, top_k: topK };
}

const ASK_RESPONSE_KEYS = new Set([
  'status',
  'answer',
  'citations',
  'confidence',
  'mode',
  'fallback',
  'request_id',
  'latency_ms',
]);
const CITATION_KEYS = new Set(['doc_id', 'passage_id', 'text']);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isFiniteNumber = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value);
const isNonEmptyString = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

/**
 * True only when AskResponseSchema.safeParse(value).success is true (a hand-written check of the same rules);
 * false means "ask the schema", not "invalid".
 */
export function isAskResponseFast(value: unknown): boolean {
  if (!isRecord(value)) return false;
  for (const key of Object.keys(value)) if (!ASK_RESPONSE_KEYS.has(key)) return false;
  const r = value;
  const status = r.status;
  if (status !== 'answered' && status !== 'insufficient_context') return false;
  const answer = r.answer;
  if (status === 'answered' ? !isNonEmptyString(answer) : answer !== null) return false;
  const citations = r.citations;
  if (!Array.isArray(citations)) return false;
  if (status === 'answered' && citations.length === 0) return false;
  for (const citation of citations) {
    if (!isRecord(citation)) return false;
    for (const key of Object.keys(citation)) if (!CITATION_KEYS.has(key)) return false;
    if (!isNonEmptyString(citation.doc_id) || !isNonEmptyString(citation.passage_id)) return false;
    if (typeof citation.text !== 'string') return false;
  }
  const confidence = r.confidence;
  if (!isFiniteNumber(confidence) || confidence < 0 || confidence > 1) return false;
  if (r.mode !== 'extractive' && r.mode !== 'generative') return false;
  if (typeof r.fallback !== 'boolean') return false;
  if (!isNonEmptyString(r.request_id)) return false;
  const latency = r.latency_ms;
  return isFiniteNumber(latency) && latency >= 0;
}
