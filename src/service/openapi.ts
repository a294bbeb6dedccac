/**
 * GET /openapi.json, generated from the zod schemas in schemas.ts. The routes are implemented by hand in
 * app.ts (for precise 413/415/400 handling); here they are only described.
 */
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { Env } from 'hono';
import {
  AskRequestSchema,
  AskResponseSchema,
  DocumentsResponseSchema,
  ErrorResponseSchema,
  HealthResponseSchema,
  ReadyResponseSchema,
} from './schemas.js';

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
const error = (description: string) => json(ErrorResponseSchema, description);

const routes = [
  createRoute({
    method: 'post',
    path: '/v1/ask',
    summary: 'Answer a question from the corpus, with citations',
    request: { body: { required: true, content: { 'application/json': { schema: AskRequestSchema } } } },
    responses: {
      200: json(AskResponseSchema, 'An answer, or status insufficient_context with answer null'),
      400: error('Malformed JSON, wrong types, empty or over-long question, or unknown fields'),
      413: error('Request body over 64 KiB'),
      415: error('Content-Type is not JSON'),
      500: error('A bug in the service (logged and counted)'),
      503: error('The corpus could not be loaded'),
    },
  }),
  createRoute({
    method: 'get',
    path: '/healthz',
    summary: 'Liveness: the process is serving',
    responses: {
      200: json(HealthResponseSchema, 'Alive'),
      503: error('The engine thread has stopped (or, on the probe port, the event loop is stalled)'),
    },
  }),
  createRoute({
    method: 'get',
    path: '/readyz',
    summary: 'Readiness: the corpus index is built',
    responses: {
      200: json(ReadyResponseSchema, 'Ready'),
      503: error('Still indexing, or the corpus failed to load'),
    },
  }),
  createRoute({
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics',
    responses: {
      200: {
        description: 'Prometheus text exposition format',
        content: { 'text/plain': { schema: z.string() } },
      },
    },
  }),
  createRoute({
    method: 'get',
    path: '/v1/documents',
    summary: 'The documents of the corpus',
    responses: {
      200: json(DocumentsResponseSchema, 'Documents and passage counts'),
      503: error('Corpus unavailable'),
    },
  }),
];

export function registerOpenApi<E extends Env>(app: OpenAPIHono<E>): void {
  for (const route of routes) app.openAPIRegistry.registerPath(route);
  let document: unknown;
  app.get('/openapi.json', (c) => {
    document ??= app.getOpenAPI31Document({
      openapi: '3.1.0',
      info: {
        title: 'gitops-lab doc-QA service',
        version: '1',
        description:
          'Answers questions from a Markdown corpus with citations; see docs/service.md "API" in the gitops-lab package.',
      },
    });
    return c.json(document as object, 200);
  });
}
