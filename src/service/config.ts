/**
 * The service's settings from environment variables, validated with zod. A bad value is a ServiceConfigError
 * naming the variable, what it accepts and what it got; the API key is never echoed.
 */
import { z } from 'zod';
import type { DocQaAppOptions } from './app.js';
import { FaultSpecError, parseFaults } from './faults.js';
import { DEFAULT_GEMINI_MODEL, DEFAULT_GEMINI_TIMEOUT_MS } from './generative.js';
import type { ServerLimits } from './server.js';

export class ServiceConfigError extends Error {
  constructor(
    message: string,
    readonly variable: string,
  ) {
    super(message);
    this.name = 'ServiceConfigError';
  }
}

export interface ServiceConfig {
  port: number;
  host: string;
  /** The probe port (/healthz and /readyz on a thread of their own), if DOCQA_PROBE_PORT is set. */
  probePort?: number;
  livenessStaleMs?: number;
  /** The app's options and the HTTP server's limits (startDocQaServer takes both). */
  options: DocQaAppOptions & { limits: ServerLimits };
}

/** A whole number from `min` to `max`, with an error that says what it expects. */
const wholeNumber = (min: number, max: number, what: string) => {
  const error = `expected ${what}, a whole number from ${min} to ${max}`;
  return z
    .string()
    .regex(/^\d+$/, { error })
    .transform(Number)
    .pipe(z.number().int().min(min, { error }).max(max, { error }))
    .optional();
};

const nonEmpty = (s: string | undefined) => (s === undefined || s.trim() === '' ? undefined : s.trim());

const EnvSchema = z.object({
  PORT: z
    .string()
    .regex(/^\d+$/, { error: 'expected a port number from 0 to 65535' })
    .transform(Number)
    .pipe(z.number().int().min(0).max(65535, { error: 'expected a port number from 0 to 65535' }))
    .optional(),
  DOCQA_HOST: z.string().min(1).optional(),
  DOCQA_PROBE_PORT: wholeNumber(0, 65535, 'a port number'),
  DOCQA_LIVENESS_STALE_MS: wholeNumber(100, 600_000, 'milliseconds'),
  DOCQA_ENGINE_MAX_HEAP_MB: wholeNumber(16, 65_536, 'MiB'),
  DOCQA_CORPUS: z.string().min(1).optional(),
  DOCQA_MODE: z
    .enum(['extractive', 'generative'], { error: 'expected "extractive" or "generative"' })
    .optional(),
  DOCQA_FAULTS: z.string().optional(),
  GEMINI_API_KEY: z.string().optional(),
  DOCQA_GEMINI_BASE_URL: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
  DOCQA_GEMINI_MODEL: z
    .string()
    .regex(/^[\w.-]+$/, { error: 'expected a model name such as gemini-2.5-flash' })
    .optional(),
  DOCQA_GEMINI_TIMEOUT_MS: z
    .string()
    .regex(/^\d+$/, { error: 'expected milliseconds, a whole number from 1 to 120000' })
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(1)
        .max(120_000, { error: 'expected milliseconds, a whole number from 1 to 120000' }),
    )
    .optional(),
  DOCQA_ANSWER_CACHE_SIZE: z
    .string()
    .regex(/^\d+$/, { error: 'expected a whole number of answers from 0 (off) to 100000' })
    .transform(Number)
    .pipe(
      z.number().int().max(100_000, { error: 'expected a whole number of answers from 0 (off) to 100000' }),
    )
    .optional(),
  DOCQA_MAX_INFLIGHT_ASKS: wholeNumber(1, 100_000, 'asks'),
  DOCQA_MAX_ASK_WAIT_MS: wholeNumber(1, 600_000, 'milliseconds'),
  DOCQA_MAX_CONNECTIONS: wholeNumber(1, 1_000_000, 'connections'),
  DOCQA_HEADERS_TIMEOUT_MS: wholeNumber(100, 600_000, 'milliseconds'),
  DOCQA_REQUEST_TIMEOUT_MS: wholeNumber(100, 600_000, 'milliseconds'),
  DOCQA_KEEPALIVE_TIMEOUT_MS: wholeNumber(0, 600_000, 'milliseconds'),
  DOCQA_MAX_REQUESTS_PER_SOCKET: wholeNumber(0, 1_000_000_000, 'requests (0: no limit)'),
  DOCQA_CORPUS_MAX_FILE_BYTES: wholeNumber(1, 1024 ** 3, 'bytes'),
  DOCQA_CORPUS_MAX_TOTAL_BYTES: wholeNumber(1, 8 * 1024 ** 3, 'bytes'),
  DOCQA_GEMINI_BREAKER_FAILURES: wholeNumber(1, 1000, 'consecutive failures'),
  DOCQA_GEMINI_BREAKER_OPEN_MS: wholeNumber(1, 3_600_000, 'milliseconds'),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
  LANGSMITH_TRACING: z
    .enum(['true', 'false', '1', '0'], { error: 'expected "true" or "false"' })
    .transform((v) => v === 'true' || v === '1')
    .optional(),
});

const SECRET = new Set(['GEMINI_API_KEY']);

/** Reads the service settings from an environment (default: process.env). */
export function loadServiceConfig(env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  const input: Record<string, string | undefined> = {};
  for (const key of Object.keys(EnvSchema.shape)) input[key] = nonEmpty(env[key]);
  const result = EnvSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    const variable = String(issue?.path[0] ?? 'environment');
    const got = SECRET.has(variable) ? '' : `, got ${JSON.stringify(input[variable])}`;
    throw new ServiceConfigError(`${variable}: ${issue?.message ?? 'invalid value'}${got}.`, variable);
  }
  const e = result.data;
  if (
    e.DOCQA_HEADERS_TIMEOUT_MS !== undefined &&
    e.DOCQA_REQUEST_TIMEOUT_MS !== undefined &&
    e.DOCQA_HEADERS_TIMEOUT_MS > e.DOCQA_REQUEST_TIMEOUT_MS
  ) {
    throw new ServiceConfigError(
      `DOCQA_HEADERS_TIMEOUT_MS: must not be over DOCQA_REQUEST_TIMEOUT_MS (${e.DOCQA_REQUEST_TIMEOUT_MS}), got ${e.DOCQA_HEADERS_TIMEOUT_MS}.`,
      'DOCQA_HEADERS_TIMEOUT_MS',
    );
  }
  const servicePort = e.PORT ?? 8080;
  if (e.DOCQA_PROBE_PORT !== undefined && e.DOCQA_PROBE_PORT !== 0 && e.DOCQA_PROBE_PORT === servicePort) {
    throw new ServiceConfigError(
      `DOCQA_PROBE_PORT: must differ from the service port (PORT, ${servicePort}), got ${e.DOCQA_PROBE_PORT}.`,
      'DOCQA_PROBE_PORT',
    );
  }
  const defined = <T extends Record<string, unknown>>(o: T) =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
  let faults: ReturnType<typeof parseFaults>;
  try {
    faults = parseFaults(e.DOCQA_FAULTS);
  } catch (error) {
    if (error instanceof FaultSpecError) throw new ServiceConfigError(error.message, 'DOCQA_FAULTS');
    throw error;
  }
  return {
    port: servicePort,
    host: e.DOCQA_HOST ?? '0.0.0.0',
    ...defined({ probePort: e.DOCQA_PROBE_PORT, livenessStaleMs: e.DOCQA_LIVENESS_STALE_MS }),
    options: {
      ...(e.DOCQA_CORPUS ? { corpusDir: e.DOCQA_CORPUS } : {}),
      mode: e.DOCQA_MODE ?? 'extractive',
      faults,
      ...(e.DOCQA_ANSWER_CACHE_SIZE === undefined ? {} : { answerCacheSize: e.DOCQA_ANSWER_CACHE_SIZE }),
      gemini: {
        apiKey: e.GEMINI_API_KEY,
        baseUrl: e.DOCQA_GEMINI_BASE_URL,
        model: e.DOCQA_GEMINI_MODEL ?? DEFAULT_GEMINI_MODEL,
        timeoutMs: e.DOCQA_GEMINI_TIMEOUT_MS ?? DEFAULT_GEMINI_TIMEOUT_MS,
        ...defined({
          breakerFailures: e.DOCQA_GEMINI_BREAKER_FAILURES,
          breakerOpenMs: e.DOCQA_GEMINI_BREAKER_OPEN_MS,
        }),
      },
      ...(e.DOCQA_MAX_INFLIGHT_ASKS === undefined ? {} : { maxInFlightAsks: e.DOCQA_MAX_INFLIGHT_ASKS }),
      ...(e.DOCQA_MAX_ASK_WAIT_MS === undefined ? {} : { maxAskWaitMs: e.DOCQA_MAX_ASK_WAIT_MS }),
      ...(e.DOCQA_ENGINE_MAX_HEAP_MB === undefined ? {} : { engineMaxHeapMb: e.DOCQA_ENGINE_MAX_HEAP_MB }),
      corpusLimits: defined({
        maxFileBytes: e.DOCQA_CORPUS_MAX_FILE_BYTES,
        maxTotalBytes: e.DOCQA_CORPUS_MAX_TOTAL_BYTES,
      }),
      limits: defined({
        maxConnections: e.DOCQA_MAX_CONNECTIONS,
        headersTimeoutMs: e.DOCQA_HEADERS_TIMEOUT_MS,
        requestTimeoutMs: e.DOCQA_REQUEST_TIMEOUT_MS,
        keepAliveTimeoutMs: e.DOCQA_KEEPALIVE_TIMEOUT_MS,
        maxRequestsPerSocket: e.DOCQA_MAX_REQUESTS_PER_SOCKET,
      }),
      ...(e.OTEL_EXPORTER_OTLP_ENDPOINT || e.LANGSMITH_TRACING
        ? {
            tracing: { otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT, langsmith: e.LANGSMITH_TRACING ?? false },
          }
        : {}),
    },
  };
}
