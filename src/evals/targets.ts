/**
 * Where the eval cases are replayed: the doc-QA service in-process (Hono's fetch handler, no port) or a
 * running service over HTTP. Both answer the same question the same way: POST /v1/ask, then report what came
 * back (status code, parsed body, wall time) or why nothing usable did (network error, timeout).
 */
import { LabError, UsageError } from '../errors.js';

/** What one POST /v1/ask produced, before any scoring. */
export type AskOutcome =
  | { kind: 'response'; httpStatus: number; body: unknown; bodyText: string; latencyMs: number }
  | { kind: 'timeout'; latencyMs: number; timeoutMs: number }
  | { kind: 'network-error'; latencyMs: number; message: string };

export interface Target {
  /** For reports: `in-process` or the URL. */
  readonly description: string;
  ask(question: string): Promise<AskOutcome>;
  close(): Promise<void>;
}

type FetchHandler = (request: Request) => Response | Promise<Response>;

export interface FetchTargetOptions {
  /** Per-request timeout. */
  timeoutMs: number;
  description: string;
  close?: () => Promise<void>;
}

const TIMED_OUT = Symbol('timed out');

/**
 * A target over any fetch-shaped handler. The timeout both aborts the request (real fetch honours the signal)
 * and stops waiting for handlers that ignore it (an in-process app).
 */
export function fetchTarget(handler: FetchHandler, askUrl: string, options: FetchTargetOptions): Target {
  return {
    description: options.description,
    async ask(question: string): Promise<AskOutcome> {
      const controller = new AbortController();
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<typeof TIMED_OUT>((resolve) => {
        timer = setTimeout(() => {
          controller.abort();
          resolve(TIMED_OUT);
        }, options.timeoutMs);
      });
      const started = performance.now();
      const elapsed = () => Math.round((performance.now() - started) * 100) / 100;
      try {
        const exchange = (async () => {
          const response = await handler(
            new Request(askUrl, {
              method: 'POST',
              headers: { 'content-type': 'application/json', accept: 'application/json' },
              body: JSON.stringify({ question }),
              signal: controller.signal,
            }),
          );
          const bodyText = await response.text();
          return { response, bodyText };
        })();
        // The losing branch of the race must not surface as an unhandled rejection.
        exchange.catch(() => {});
        const result = await Promise.race([exchange, timedOut]);
        if (result === TIMED_OUT)
          return { kind: 'timeout', latencyMs: elapsed(), timeoutMs: options.timeoutMs };
        const latencyMs = elapsed();
        let body: unknown;
        try {
          body = JSON.parse(result.bodyText);
        } catch {
          body = undefined;
        }
        return {
          kind: 'response',
          httpStatus: result.response.status,
          body,
          bodyText: result.bodyText,
          latencyMs,
        };
      } catch (error) {
        if (controller.signal.aborted) {
          return { kind: 'timeout', latencyMs: elapsed(), timeoutMs: options.timeoutMs };
        }
        return { kind: 'network-error', latencyMs: elapsed(), message: describeNetworkError(error) };
      } finally {
        clearTimeout(timer);
      }
    },
    close: options.close ?? (async () => {}),
  };
}

function describeNetworkError(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    if (cause instanceof Error && cause.message) return cause.message;
    return error.message;
  }
  return String(error);
}

/** The /v1/ask URL under a service base URL (`http://host:8080`, `http://host/docqa/`). */
export function askUrlFor(base: string): string {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new UsageError(`--target "${base}" is not a URL.`, {
      hint: 'Give the service base URL, for example --target http://127.0.0.1:8080.',
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--target "${base}" must be an http:// or https:// URL.`, {
      hint: 'Give the service base URL, for example --target http://127.0.0.1:8080.',
    });
  }
  const path = url.pathname.replace(/\/+$/, '');
  url.pathname = path.endsWith('/v1/ask') ? path : `${path}/v1/ask`;
  url.search = '';
  url.hash = '';
  return url.toString();
}

export interface HttpTargetOptions {
  timeoutMs: number;
}

/** A running service over HTTP, using the platform's fetch (connections are pooled and requests overlap). */
export function httpTarget(base: string, options: HttpTargetOptions): Target {
  const askUrl = askUrlFor(base);
  return fetchTarget((request) => fetch(request), askUrl, {
    timeoutMs: options.timeoutMs,
    description: base,
  });
}

/**
 * Checks that a target answers at all before replaying every case against it, so an unreachable URL is one
 * clear error rather than a wall of identical failures. Any HTTP answer counts as reachable.
 */
export async function checkReachable(base: string, timeoutMs: number): Promise<void> {
  const readyz = new URL(askUrlFor(base).replace(/\/v1\/ask$/, '/readyz'));
  try {
    const response = await fetch(readyz, { signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
  } catch (error) {
    throw new LabError(`Cannot reach the eval target ${base}: ${describeNetworkError(error)}.`, 3, {
      hint: 'Start the service (gitops-lab serve) or fix --target, then run the eval again.',
      cause: error,
    });
  }
}

export interface InProcessTargetOptions {
  /** Folder of Markdown documents; the service's bundled handbook when omitted. */
  corpusDir?: string;
  mode?: 'extractive' | 'generative';
  /** A DOCQA_FAULTS spec, e.g. `wrong-retrieval`. */
  faults?: string;
  /** Gemini settings for generative mode (API key, DOCQA_GEMINI_BASE_URL). */
  gemini?: { apiKey?: string; baseUrl?: string };
  timeoutMs: number;
}

/** The doc-QA service inside this process: no port, no network, the same HTTP contract. */
export async function inProcessTarget(options: InProcessTargetOptions): Promise<Target> {
  const [{ createDocQaApp }, { silentLogger }] = await Promise.all([
    import('../service/app.js'),
    import('../service/logger.js'),
  ]);
  let service: ReturnType<typeof createDocQaApp>;
  try {
    service = createDocQaApp({
      logger: silentLogger,
      ...(options.corpusDir === undefined ? {} : { corpusDir: options.corpusDir }),
      ...(options.mode === undefined ? {} : { mode: options.mode }),
      ...(options.faults === undefined ? {} : { faults: options.faults }),
      ...(options.gemini === undefined ? {} : { gemini: options.gemini }),
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(`Cannot start the in-process doc-QA service: ${message.replace(/\.$/, '')}.`, {
      hint: 'Check DOCQA_FAULTS, --corpus and --mode.',
      cause: error,
    });
  }
  try {
    await service.ready;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(
      `Cannot load the corpus ${options.corpusDir ?? service.corpusDir}: ${message.replace(/\.$/, '')}.`,
      { hint: 'Point --corpus at a folder of Markdown (.md) documents.', cause: error },
    );
  }
  const description = options.mode === 'generative' ? 'in-process (generative)' : 'in-process';
  return fetchTarget((request) => service.app.fetch(request), 'http://in-process/v1/ask', {
    timeoutMs: options.timeoutMs,
    description,
    close: async () => {
      await service.close();
    },
  });
}
