/**
 * The doc-QA service's wire contract (DESIGN.md "Doc-QA service contract") as zod schemas. The same schemas
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
