/**
 * The doc-QA HTTP app (Hono). `createDocQaApp` builds the app and starts loading the corpus; `ready` resolves
 * once the index is built. The app runs in-process (`app.request()`: tests, the eval runner) or behind
 * @hono/node-server (server.ts). Bad input never produces a 5xx; a bug becomes a logged, counted 500.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Registry } from 'prom-client';
import { type CorpusLimits, loadCorpus } from './corpus.js';
import { defaultCorpusDir } from './corpus-dir.js';
import { type CorpusSummary, type EngineThread, startEngineThread } from './engine-host.js';
import { describeFaults, type Faults, resolveFaults } from './faults.js';
import { createGenerativeAnswerer, type FallbackReason, type GeminiOptions } from './generative.js';
import { createJsonLogger, type Logger } from './logger.js';
import { createMetrics, type DocQaMetrics, type RequestOutcome } from './metrics.js';
import { registerOpenApi } from './openapi.js';
import { type AskGate, createAskGate, DEFAULT_MAX_WAIT_MS } from './overload.js';
import type { ExtractiveAnswer, Passage, QaEngine } from './qa/types.js';
import {
  type AnswerMode,
  AskRequestSchema,
  type AskResponse,
  AskResponseSchema,
  type ErrorCode,
  isAskResponseFast,
  MAX_BODY_BYTES,
  parseAskRequestFast,
} from './schemas.js';
import { createTracing, noTracing, type Tracing, type TracingOptions } from './tracing.js';

export interface DocQaAppOptions {
  /** Folder of Markdown documents (default: the bundled handbook). */
  corpusDir?: string;
  /** Answering mode (default extractive). */
  mode?: AnswerMode;
  /** Injected faults: a DOCQA_FAULTS string (`wrong-retrieval,latency=200ms`) or a Faults object. */
  faults?: string | Partial<Faults>;
  gemini?: GeminiOptions;
  logger?: Logger;
  /** Where the metrics go (default: a new Registry per app). */
  registry?: Registry;
  /** Tracing settings, or a ready Tracing (default: off). */
  tracing?: TracingOptions | Tracing;
  /** A ready engine (or its promise) instead of loading corpusDir: for embedding and tests. */
  engine?: QaEngine | Promise<QaEngine>;
  /**
   * Load the corpus, build the index and answer on a worker thread (engine-host.ts), so the event loop only
   * does I/O. Default false here (in-process callers: evals, tests); startDocQaServer turns it on unless an
   * engine is injected. Ignored when `engine` is given.
   */
  engineThread?: boolean;
  /** Cap of the engine thread's heap in MiB (default: V8's); past it the thread stops and liveness fails. */
  engineMaxHeapMb?: number;
  /** How many extractive answers to memoise (default 1000; 0 turns the cache off). */
  answerCacheSize?: number;
  /** Asks admitted at once; beyond it POST /v1/ask is 503 + Retry-After (default 256). */
  maxInFlightAsks?: number;
  /** Longest wait of an admitted ask for its turn; then 503 + Retry-After (default 2000 ms). */
  maxAskWaitMs?: number;
  /** Size caps of the corpus loader (defaults in corpus.ts). */
  corpusLimits?: CorpusLimits;
  /**
   * Awaited by every admitted ask after its body is read and before it is answered: a hook for embedding and
   * tests (hold asks in flight deterministically). Default: none.
   */
  onAsk?: () => Promise<void>;
  /** Injected clock in ms (the generative circuit breaker); default performance.now. */
  now?: () => number;
}

export const DEFAULT_ANSWER_CACHE_SIZE = 1000;
export const DEFAULT_MAX_INFLIGHT_ASKS = 256;
/** Seconds a shed client is told to wait (Retry-After). */
export const SHED_RETRY_AFTER_S = 1;

interface CachedAnswer {
  answer: ExtractiveAnswer;
  grounded: boolean | undefined;
}

/** What an ask has decided so far, for the request log and the error metric if it then fails. */
interface AskState {
  answerMode?: AnswerMode;
}

/** What POST /v1/ask adds to its request log line. */
interface AskLog {
  answer_status: AskResponse['status'];
  top_k: number;
  citations: number;
  confidence: number;
  grounded?: boolean;
  fallback_reason?: FallbackReason;
}

type Env = {
  Variables: { requestId: string; answerMode?: AnswerMode; askLog?: AskLog };
  /** Set by @hono/node-server; absent for in-process `app.request()`. */
  Bindings: { incoming?: IncomingMessage } | undefined;
};

export interface DocQaApp {
  app: OpenAPIHono<Env>;
  /** Resolves when the corpus is indexed; rejects if it cannot be loaded. */
  ready: Promise<void>;
  registry: Registry;
  metrics: DocQaMetrics;
  mode: AnswerMode;
  faults: Faults;
  corpusDir: string;
  logger: Logger;
  isReady(): boolean;
  /**
   * False once the engine thread has stopped (crashed, out of memory): the process can no longer answer and
   * liveness fails, so the kubelet restarts it.
   */
  isAlive(): boolean;
  /** The engine once ready (rejects like `ready`, and always with `engineThread`: it lives on its thread). */
  engine(): Promise<QaEngine>;
  /** The corpus's documents and passage count once ready (rejects like `ready`). */
  corpus(): Promise<CorpusSummary>;
  /** Flushes tracing; the app stays usable for requests already in flight. */
  close(): Promise<void>;
  /** The in-flight bound of POST /v1/ask. */
  gate: AskGate;
  /**
   * Admission ahead of the app, for the HTTP server: takes an in-flight place for this request (released
   * when `outgoing` closes) or returns false, counted as shed, when the bound is reached.
   */
  admit(incoming: IncomingMessage, outgoing: ServerResponse): boolean;
  /**
   * Answers an admitted POST /v1/ask without the router, as the route would (response, headers, request log,
   * metrics); `closing()` true adds Connection: close.
   */
  serveAsk(incoming: IncomingMessage, outgoing: ServerResponse, closing: () => boolean): void;
  /** What /readyz answers, without going through the router. */
  readiness(): { status: 200 | 503; body: unknown };
  /** What /healthz answers, without going through the router. */
  liveness(): { status: 200 | 503; body: unknown };
}

/** The shed answer, as JSON text (the server writes it without going through the router). */
export const SHED_BODY = JSON.stringify({
  error: {
    code: 'overloaded',
    message: `Too many questions in flight; retry after ${SHED_RETRY_AFTER_S} s.`,
  },
});

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const JSON_TYPE = /^application\/(?:[\w.-]+\+)?json\s*(?:;.*)?$/i;
const DIGITS = /^\d+$/;
/** Reused: decode() without `stream` starts fresh on every call, and a failed decode resets it. */
const utf8 = new TextDecoder('utf-8', { fatal: true });

export class HttpError extends Error {
  constructor(
    readonly status: 400 | 404 | 405 | 413 | 415 | 503,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export function createDocQaApp(options: DocQaAppOptions = {}): DocQaApp {
  const mode: AnswerMode = options.mode ?? 'extractive';
  const faults = resolveFaults(options.faults);
  const logger = options.logger ?? createJsonLogger();
  const metrics = createMetrics({ registry: options.registry });
  const corpusDir = options.corpusDir ?? defaultCorpusDir();
  const tracing: Tracing =
    options.tracing && 'trace' in options.tracing
      ? options.tracing
      : options.tracing
        ? createTracing({ ...options.tracing, logger })
        : noTracing;
  const breakerCodes = { closed: 0, open: 1, half_open: 2 } as const;
  const generative =
    mode === 'generative'
      ? createGenerativeAnswerer({
          ...options.gemini,
          now: options.gemini?.now ?? options.now,
          onBreakerState: (state) => {
            metrics.breakerState.set(breakerCodes[state]);
            logger.log(state === 'closed' ? 'info' : 'warn', 'generative circuit breaker', { state });
          },
        })
      : undefined;
  const cacheSize = options.answerCacheSize ?? DEFAULT_ANSWER_CACHE_SIZE;
  const cache = new Map<string, CachedAnswer>();
  const counters = labelledSeries(metrics);
  const gate = createAskGate({
    maxInFlight: options.maxInFlightAsks ?? DEFAULT_MAX_INFLIGHT_ASKS,
    ...(options.maxAskWaitMs === undefined ? {} : { maxWaitMs: options.maxAskWaitMs }),
    ...(options.now ? { now: options.now } : {}),
  });
  const inFlightGauge = metrics.inFlight;
  const enter = (): boolean => {
    if (!gate.tryEnter()) {
      metrics.shed.inc();
      return false;
    }
    inFlightGauge.inc();
    return true;
  };
  const leave = (): void => {
    gate.leave();
    inFlightGauge.dec();
  };
  /** Requests the server admitted before handing them to the router. */
  const admitted = new WeakSet<IncomingMessage>();

  let readyState: 'loading' | 'ready' | 'failed' = 'loading';
  let readyCounts: { documents: number; passages: number } | undefined;
  let loadError = '';
  /** Why the engine thread stopped while serving, if it did. */
  let engineStopped: string | undefined;
  const started = performance.now();
  const corpusOptions = {
    ...options.corpusLimits,
    onSkip: (skip: { file: string; reason: 'outside_root' | 'not_regular' | 'binary'; detail: string }) => {
      metrics.corpusSkipped.inc({ reason: skip.reason });
      logger.log('warn', 'corpus file skipped', {
        file: skip.file,
        reason: skip.reason,
        detail: skip.detail,
      });
    },
  };
  const thread: EngineThread | undefined =
    options.engineThread && !options.engine
      ? startEngineThread({
          corpusDir,
          limits: options.corpusLimits,
          ...(options.engineMaxHeapMb === undefined ? {} : { maxHeapMb: options.engineMaxHeapMb }),
          onSkip: corpusOptions.onSkip,
          onIndexing: (counts) => logger.log('info', 'corpus read, building the index', { ...counts }),
          onExit: (reason) => {
            engineStopped = reason;
            readyState = 'failed';
            loadError = reason;
            logger.log('error', 'engine thread stopped', { error: reason });
          },
        })
      : undefined;
  const enginePromise: Promise<QaEngine> = thread
    ? Promise.reject(new Error('The engine runs on its own thread (engineThread: true); use corpus().'))
    : options.engine
      ? Promise.resolve(options.engine)
      : // Imported here: with the engine on its thread this process never loads it (nor its word lists).
        Promise.all([loadCorpus(corpusDir, corpusOptions), import('./qa/index.js')]).then(([corpus, qa]) =>
          qa.buildQaEngine(corpus),
        );
  if (thread) enginePromise.catch(() => {});
  const summaryPromise: Promise<CorpusSummary> = (
    thread
      ? thread.ready
      : enginePromise.then((engine) => ({
          documents: engine.corpus.documents,
          passages: engine.corpus.passages.length,
        }))
  ).then(
    (summary) => {
      readyState = 'ready';
      readyCounts = { documents: summary.documents.length, passages: summary.passages };
      logger.log('info', 'corpus indexed', {
        corpus: options.engine ? '(injected engine)' : corpusDir,
        documents: summary.documents.length,
        passages: summary.passages,
        index_ms: Math.round(performance.now() - started),
        mode,
        faults: describeFaults(faults),
        ...(thread ? { engine_thread: true } : {}),
      });
      return summary;
    },
    (error: unknown) => {
      readyState = 'failed';
      loadError = error instanceof Error ? error.message : String(error);
      logger.log('error', 'corpus failed to load', { corpus: corpusDir, error: loadError });
      throw error;
    },
  );
  const ready = summaryPromise.then(() => undefined);
  // Callers may never await `ready`; a load failure is reported by /readyz and the log, not as a crash.
  ready.catch(() => {});
  const notReady = () => {
    throw new HttpError(503, 'not_ready', `The corpus could not be loaded: ${loadError}`);
  };
  const maxWaitMs = options.maxAskWaitMs ?? DEFAULT_MAX_WAIT_MS;

  /** The engine's calls, in-process (synchronous, inside an ask's turn) or on the engine thread. */
  const access = thread
    ? {
        compute: (question: string, topK: number) =>
          thread.answer(question, topK, faults.wrongRetrieval, maxWaitMs),
        retrieve: (question: string, topK: number) => thread.retrieve(question, topK),
        cited: (answer: ExtractiveAnswer) => thread.passages(answer.citations.map((x) => x.passage_id)),
        grounder: { isGrounded: thread.isGrounded },
      }
    : undefined;

  const app = new OpenAPIHono<Env>();

  /** The request log line, the same for the router's requests and the server's direct asks. */
  function logRequest(
    requestId: string,
    method: string,
    path: string,
    status: number,
    answerMode: AnswerMode | undefined,
    t0: number,
    askLog: AskLog | undefined,
  ): void {
    // The fields in the same order as always: request_id, method, path, status, [mode], latency_ms, [ask].
    const fields: Record<string, unknown> = { request_id: requestId, method, path, status };
    if (answerMode) fields.mode = answerMode;
    fields.latency_ms = round(performance.now() - t0);
    if (askLog) {
      fields.answer_status = askLog.answer_status;
      fields.top_k = askLog.top_k;
      fields.citations = askLog.citations;
      fields.confidence = askLog.confidence;
      if (askLog.grounded !== undefined) fields.grounded = askLog.grounded;
      if (askLog.fallback_reason) fields.fallback_reason = askLog.fallback_reason;
    }
    logger.log(status >= 500 ? 'error' : 'info', 'request', fields);
  }

  /** A failed request's answer: 4xx for bad input (HttpError), else a counted, logged 500. */
  function failure(
    error: unknown,
    requestId: string,
    path: string,
    answerMode: AnswerMode | undefined,
  ): { status: HttpError['status'] | 500; code: ErrorCode; message: string } {
    if (error instanceof HttpError) {
      metrics.rejected.inc({ code: error.code });
      return { status: error.status, code: error.code, message: error.message };
    }
    metrics.requests.inc({ mode: answerMode ?? mode, status: 'error' });
    logger.log('error', 'unhandled error', {
      request_id: requestId,
      path,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      stack: error instanceof Error ? error.stack : undefined,
    });
    return {
      status: 500,
      code: 'internal_error',
      message: 'The service failed to handle this request; it has been logged.',
    };
  }

  // Request id, and one log line per request.
  app.use('*', async (c, next) => {
    const incoming = c.req.header('x-request-id');
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    c.set('requestId', requestId);
    // Set before the handler runs, so it is part of the response as built (cheaper than editing it after).
    c.header('x-request-id', requestId);
    const t0 = performance.now();
    await next();
    logRequest(requestId, c.req.method, c.req.path, c.res.status, c.get('answerMode'), t0, c.get('askLog'));
  });

  app.onError((error, c) => {
    const { status, code, message } = failure(error, c.get('requestId'), c.req.path, c.get('answerMode'));
    return errorResponse(c, status, code, message);
  });

  app.notFound((c) =>
    errorResponse(c, 404, 'not_found', `No route ${c.req.method} ${c.req.path}; see GET /openapi.json.`),
  );

  app.post('/v1/ask', async (c) => {
    const incoming = c.env?.incoming;
    if (incoming && admitted.has(incoming)) return routedAsk(c);
    // In-process (app.request) or a server that did not admit it: the same bound, here.
    if (!enter()) return shedResponse(c);
    try {
      return await routedAsk(c);
    } finally {
      leave();
    }
  });

  async function routedAsk(c: Context<Env>) {
    const raw = c.req.raw;
    const incoming = c.env?.incoming;
    const state: AskState = {};
    try {
      const outcome = await answerAsk(
        c.get('requestId'),
        raw.headers.get('content-length'),
        raw.headers.get('content-type'),
        () =>
          incoming && !incoming.readableEnded && incoming.readableFlowing === null
            ? readIncomingLimited(incoming, MAX_BODY_BYTES)
            : readBodyLimited(raw, MAX_BODY_BYTES),
        state,
      );
      if (outcome === 'shed') return shedResponse(c);
      c.set('askLog', outcome.askLog);
      return c.body(outcome.json, 200, { 'content-type': 'application/json' });
    } finally {
      if (state.answerMode) c.set('answerMode', state.answerMode);
    }
  }

  /**
   * POST /v1/ask from the request's id and headers to the response's JSON text (or 'shed': 503 + Retry-After);
   * throws HttpError on bad input. Shared by the router's route and the server's direct path (serveAsk).
   */
  async function answerAsk(
    requestId: string,
    contentLength: string | null | undefined,
    contentType: string | null | undefined,
    readBody: () => Promise<Uint8Array>,
    state: AskState,
  ): Promise<{ json: string; askLog: AskLog } | 'shed'> {
    const t0 = performance.now();
    const request = await parseAskRequest(contentLength, contentType, readBody);
    const engine = thread ? undefined : await enginePromise.catch(notReady);
    // Once ready, no await: each one is a turn of the microtask queue on every ask.
    if (thread && readyState !== 'ready') await summaryPromise.catch(notReady);
    if (engineStopped) throw new HttpError(503, 'not_ready', `The service cannot answer: ${engineStopped}.`);
    if (faults.latencyMs > 0) await sleep(faults.latencyMs);
    if (options.onAsk) await options.onAsk();
    // In-process, the CPU-bound part runs in a turn: never in the poll phase, never more than a slice per
    // loop iteration. On the engine thread, the thread is the queue (an ask that waited too long comes back
    // 'expired').
    if (engine && !(await gate.turn())) {
      // Waited too long for a turn: the process is starved; shed now rather than answer after a client timeout.
      metrics.shed.inc();
      return 'shed';
    }

    // With tracing off (the default) the answer is computed directly: no span attributes, no closures.
    const outcome = !tracing.enabled
      ? await answerQuestion(engine, request.question, request.top_k)
      : await tracing.trace(
          'docqa.ask',
          { 'docqa.mode': mode, 'docqa.top_k': request.top_k },
          async (span) => {
            const result = await answerQuestion(engine, request.question, request.top_k);
            if (result === 'expired') return result;
            span.setAttributes({
              'docqa.status': result.answer.status,
              'docqa.answer_mode': result.mode,
              'docqa.fallback': result.fallbackReason !== undefined,
              'docqa.confidence': result.answer.confidence,
            });
            return result;
          },
          { question: request.question, top_k: request.top_k },
        );
    if (outcome === 'expired') {
      // Waited too long for the engine thread: shed now rather than answer after a client timeout.
      metrics.shed.inc();
      return 'shed';
    }
    const { answer, mode: answerMode, fallbackReason } = outcome;
    state.answerMode = answerMode;

    const body: AskResponse = {
      status: answer.status,
      answer: answer.status === 'answered' ? answer.answer : null,
      citations: answer.citations.map((x) => ({ doc_id: x.doc_id, passage_id: x.passage_id, text: x.text })),
      confidence: answer.confidence,
      mode: answerMode,
      fallback: fallbackReason !== undefined,
      request_id: requestId,
      latency_ms: round(performance.now() - t0),
    };
    // The hand-written check says yes only when the schema would; otherwise the schema decides.
    const valid = isAskResponseFast(body) || AskResponseSchema.safeParse(body).success;
    (valid ? counters.schemaValid : counters.schemaInvalid).inc();
    if (!valid)
      logger.log('warn', 'response does not match AskResponse schema', { request_id: body.request_id });

    let grounded: boolean | undefined;
    if (body.status === 'answered' && body.answer !== null) {
      grounded =
        outcome.grounded ??
        (engine
          ? engine.isGrounded(request.question, body.answer, body.citations)
          : await (access as NonNullable<typeof access>).grounder.isGrounded(
              request.question,
              body.answer,
              body.citations,
            ));
      (grounded ? counters.grounded : counters.notGrounded).inc();
    }
    const series = counters.outcome(answerMode, body.status);
    series.requests.inc();
    series.duration.observe((performance.now() - t0) / 1000);
    series.confidence.observe(body.confidence);
    return {
      json: JSON.stringify(body),
      askLog: {
        answer_status: body.status,
        top_k: request.top_k,
        citations: body.citations.length,
        confidence: round(body.confidence, 3),
        grounded,
        fallback_reason: fallbackReason,
      },
    };
  }

  /**
   * POST /v1/ask straight on the Node request, for the HTTP server once it has admitted it (`admit`): the
   * response, headers, request log line and metrics are the route's, without building a web Request, a Hono
   * context and a Response for every ask. `closing()` says the server is shutting down (Connection: close).
   */
  function serveAsk(incoming: IncomingMessage, outgoing: ServerResponse, closing: () => boolean): void {
    const t0 = performance.now();
    const given = incoming.headers['x-request-id'];
    const requestId = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    const send = (status: number, json: string, retryAfter: boolean) => {
      const headers: OutgoingHttpHeaders = {
        'content-type': 'application/json',
        'x-request-id': requestId,
        'content-length': Buffer.byteLength(json),
      };
      if (retryAfter) headers['retry-after'] = String(SHED_RETRY_AFTER_S);
      if (closing()) headers.connection = 'close';
      outgoing.writeHead(status, headers);
      outgoing.end(json);
    };
    // After the response, a body left unread (refused by size or type) is drained, at most DRAIN_BYTES.
    outgoing.once('finish', () => {
      if (!incoming.readableEnded) drainIncoming(incoming);
    });
    const state: AskState = {};
    answerAsk(
      requestId,
      incoming.headers['content-length'],
      joinedHeader(incoming, 'content-type'),
      () => readIncomingLimited(incoming, MAX_BODY_BYTES),
      state,
    )
      .then(
        (outcome) => {
          if (outcome === 'shed') {
            send(503, SHED_BODY, true);
            logRequest(requestId, 'POST', '/v1/ask', 503, undefined, t0, undefined);
            return;
          }
          send(200, outcome.json, false);
          logRequest(requestId, 'POST', '/v1/ask', 200, state.answerMode, t0, outcome.askLog);
        },
        (error: unknown) => {
          const { status, code, message } = failure(error, requestId, '/v1/ask', state.answerMode);
          send(status, JSON.stringify({ error: { code, message } }), false);
          logRequest(requestId, 'POST', '/v1/ask', status, state.answerMode, t0, undefined);
        },
      )
      // Writing the response itself failed (nothing the client sent can cause it): logged, the connection cut,
      // never an unhandled rejection that would stop the process.
      .catch((error: unknown) => {
        logger.log('error', 'unhandled error', {
          request_id: requestId,
          path: '/v1/ask',
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        });
        outgoing.destroy();
      });
  }

  async function answerQuestion(
    engine: QaEngine | undefined,
    question: string,
    topK: number,
  ): Promise<
    | {
        answer: ExtractiveAnswer;
        mode: AnswerMode;
        fallbackReason?: FallbackReason;
        grounded?: boolean;
      }
    | 'expired'
  > {
    const extractive = () => extractiveAnswer(engine, question, topK);
    if (!generative) {
      const result = await extractive();
      return result === 'expired' ? result : { ...result, mode: 'extractive' };
    }

    let passages: Passage[];
    if (engine) {
      passages = faults.wrongRetrieval
        ? citedPassages(engine, (extractive() as CachedAnswer).answer)
        : engine.retrieve(question, topK).map((s) => s.passage);
    } else {
      const threadAccess = access as NonNullable<typeof access>;
      if (faults.wrongRetrieval) {
        const wrong = await extractive();
        if (wrong === 'expired') return wrong;
        passages = await threadAccess.cited(wrong.answer);
      } else {
        passages = await threadAccess.retrieve(question, topK);
      }
    }
    if (passages.length === 0) {
      return {
        answer: { status: 'insufficient_context', answer: null, citations: [], confidence: 0 },
        mode: 'generative',
      };
    }
    const grounder = engine ?? (access as NonNullable<typeof access>).grounder;
    const result = await tracing.trace(
      'docqa.generate',
      { 'gen_ai.request.model': generative.model },
      () => generative.answer(question, passages, grounder),
      { question, passages: passages.map((p) => p.passage_id) },
    );
    if (result.ok) return { answer: result.answer, mode: 'generative', grounded: true };
    metrics.fallback.inc({ reason: result.reason });
    // While the breaker is open every ask falls back: its state changes are logged, not each ask.
    if (result.reason !== 'circuit_open') {
      logger.log('warn', 'generative answer replaced by extractive', {
        reason: result.reason,
        detail: result.detail,
      });
    }
    const fallback = await extractive();
    return fallback === 'expired'
      ? fallback
      : { ...fallback, mode: 'extractive', fallbackReason: result.reason };
  }

  /**
   * The extractive answer and its groundedness. The engine is pure and deterministic and the faults are fixed
   * for the app's life, so answers are memoised in a small LRU cache (repeated questions: probes, evals).
   */
  function extractiveAnswer(
    engine: QaEngine | undefined,
    question: string,
    topK: number,
  ): CachedAnswer | Promise<CachedAnswer | 'expired'> {
    const key = `${topK}\u0000${question}`;
    const hit = cache.get(key);
    if (hit) {
      cache.delete(key);
      cache.set(key, hit);
      counters.cacheHit.inc();
      return hit;
    }
    if (!engine) {
      return (access as NonNullable<typeof access>).compute(question, topK).then((entry) => {
        if (entry !== 'expired') remember(key, entry);
        return entry;
      });
    }
    const answer = engine.answer(question, { topK, wrongRetrieval: faults.wrongRetrieval });
    const grounded =
      answer.status === 'answered' && answer.answer !== null
        ? engine.isGrounded(question, answer.answer, answer.citations)
        : undefined;
    const entry: CachedAnswer = { answer, grounded };
    remember(key, entry);
    return entry;
  }

  function remember(key: string, entry: CachedAnswer): void {
    if (cacheSize > 0) {
      counters.cacheMiss.inc();
      cache.set(key, entry);
      if (cache.size > cacheSize) cache.delete(cache.keys().next().value as string);
    }
  }

  function liveness(): { status: 200 | 503; body: unknown } {
    if (engineStopped === undefined) return { status: 200, body: { status: 'ok' } };
    return {
      status: 503,
      body: { error: { code: 'not_alive', message: `The service cannot answer: ${engineStopped}.` } },
    };
  }

  app.get('/healthz', (c) => {
    const { status, body } = liveness();
    return c.json(body, status);
  });

  function readiness(): { status: 200 | 503; body: unknown } {
    if (readyState === 'ready' && readyCounts) {
      return { status: 200, body: { status: 'ready', ...readyCounts } };
    }
    const message = engineStopped
      ? `The service cannot answer: ${engineStopped}.`
      : readyState === 'failed'
        ? `The corpus could not be loaded: ${loadError}`
        : 'The corpus index is being built.';
    return { status: 503, body: { error: { code: 'not_ready', message } } };
  }

  app.get('/readyz', (c) => {
    const { status, body } = readiness();
    return c.json(body, status);
  });

  app.get('/metrics', async (c) =>
    c.body(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType }),
  );

  app.get('/v1/documents', async (c) => {
    const { documents, passages } = await summaryPromise.catch(notReady);
    return c.json({ documents: documents.map((d) => ({ ...d })), passages }, 200);
  });

  registerOpenApi(app);

  for (const [path, allow] of [
    ['/v1/ask', 'POST'],
    ['/healthz', 'GET, HEAD'],
    ['/readyz', 'GET, HEAD'],
    ['/metrics', 'GET, HEAD'],
    ['/v1/documents', 'GET, HEAD'],
    ['/openapi.json', 'GET, HEAD'],
  ] as const) {
    app.all(path, (c) => {
      c.header('allow', allow);
      return errorResponse(
        c,
        405,
        'method_not_allowed',
        `${c.req.method} is not allowed on ${path}; use ${allow}.`,
      );
    });
  }

  return {
    app,
    ready,
    registry: metrics.registry,
    metrics,
    mode,
    faults,
    corpusDir,
    logger,
    isReady: () => readyState === 'ready',
    isAlive: () => engineStopped === undefined,
    engine: () => enginePromise,
    corpus: () => summaryPromise,
    async close() {
      await thread?.close();
      await tracing.shutdown();
    },
    gate,
    admit(incoming, outgoing) {
      if (!enter()) return false;
      admitted.add(incoming);
      outgoing.once('close', leave);
      return true;
    },
    serveAsk,
    readiness,
    liveness,
  };
}

/** Content type, size, JSON and schema checks, in that order; throws HttpError (4xx) on bad input. */
async function parseAskRequest(
  declared: string | null | undefined,
  contentType: string | null | undefined,
  readBody: () => Promise<Uint8Array>,
): Promise<{ question: string; top_k: number }> {
  if (declared != null && DIGITS.test(declared) && Number(declared) > MAX_BODY_BYTES) {
    throw tooLarge();
  }
  if (!contentType || !JSON_TYPE.test(contentType)) {
    throw new HttpError(
      415,
      'unsupported_media_type',
      `Content-Type must be application/json, got ${contentType ? JSON.stringify(contentType.slice(0, 100)) : 'none'}.`,
    );
  }
  const bytes = await readBody();
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new HttpError(400, 'invalid_json', 'The request body is not valid UTF-8.');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'invalid_json', 'The request body is not valid JSON.');
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new HttpError(400, 'invalid_request', 'The request body must be a JSON object with a "question".');
  }
  const fast = parseAskRequestFast(json);
  if (fast) return fast;
  const result = AskRequestSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    let message = issue?.message ?? 'invalid request';
    if (issue?.code === 'unrecognized_keys') {
      message = `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}; allowed: "question", "top_k"`;
    } else if (issue?.path.length) {
      message = `${issue.path.map(String).join('.')}: ${message}`;
    }
    if (issue?.code === 'invalid_type' && issue.path[0] === 'question' && !('question' in json)) {
      message = 'question: is required';
    }
    throw new HttpError(400, 'invalid_request', `Invalid request: ${message}.`);
  }
  return result.data;
}

/** Reads a request body, counting the bytes actually received (Content-Length may be absent or chunked). */
async function readBodyLimited(request: Request, maxBytes: number): Promise<Uint8Array> {
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) throw tooLarge();
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof HttpError) throw error;
    throw new HttpError(400, 'invalid_request', 'The request body could not be read.');
  }
  return Buffer.concat(chunks);
}

/**
 * The same for the Node request behind @hono/node-server, read directly: much cheaper than the web stream the
 * adapter would build. On overflow it stops listening without destroying the socket, so the 413 still reaches
 * the client (the adapter drains the rest of the upload after the response).
 */
function readIncomingLimited(incoming: IncomingMessage, maxBytes: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
      incoming.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        cleanup();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      // A body that came in one chunk (most asks) is used as it is, not copied.
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
    };
    const onError = () => {
      cleanup();
      reject(new HttpError(400, 'invalid_request', 'The request body could not be read.'));
    };
    const onClose = () => {
      if (!incoming.readableEnded) onError();
    };
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onError);
    incoming.on('close', onClose);
  });
}

/** Most bytes, and longest time, spent draining an unread body after its response; then the connection closes. */
const DRAIN_BYTES = 64 * 1024 * 1024;
const DRAIN_MS = 500;

/**
 * Reads and drops what is left of a request body after its response, so the connection can carry the next
 * request; past DRAIN_BYTES or DRAIN_MS it is closed instead (the response has been written by then). The
 * same limits as @hono/node-server's, which drains the router's requests.
 */
function drainIncoming(incoming: IncomingMessage): void {
  let drained = 0;
  const stop = () => {
    clearTimeout(timer);
    incoming.socket?.destroySoon();
  };
  const timer = setTimeout(stop, DRAIN_MS);
  timer.unref();
  incoming.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > DRAIN_BYTES) stop();
  });
  incoming.once('end', () => clearTimeout(timer));
  incoming.once('error', () => clearTimeout(timer));
  incoming.resume();
}

/** A request header as fetch's Headers.get gives it: repeated fields joined with ", " (Node keeps one). */
function joinedHeader(incoming: IncomingMessage, name: string): string | undefined {
  let value: string | undefined;
  const raw = incoming.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const key = raw[i] as string;
    if (key.length === name.length && key.toLowerCase() === name) {
      value = value === undefined ? (raw[i + 1] as string) : `${value}, ${raw[i + 1]}`;
    }
  }
  return value;
}

function tooLarge(): HttpError {
  return new HttpError(
    413,
    'payload_too_large',
    `The request body is over the ${MAX_BODY_BYTES / 1024} KiB limit.`,
  );
}

function shedResponse(c: Context) {
  c.header('retry-after', String(SHED_RETRY_AFTER_S));
  return c.body(SHED_BODY, 503, { 'content-type': 'application/json' });
}

function errorResponse(
  c: Context,
  status: 400 | 404 | 405 | 413 | 415 | 500 | 503,
  code: ErrorCode,
  message: string,
) {
  return c.json({ error: { code, message } }, status);
}

function citedPassages(engine: QaEngine, answer: ExtractiveAnswer): Passage[] {
  const ids = new Set(answer.citations.map((x) => x.passage_id));
  return engine.corpus.passages.filter((p) => ids.has(p.passage_id));
}

function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/**
 * The label children the ask path uses, looked up once (prom-client hashes a label object on every
 * `inc(labels)`); the series are the same ones `inc(labels)` would update.
 */
function labelledSeries(metrics: DocQaMetrics) {
  const outcomes = new Map<
    string,
    {
      requests: { inc(value?: number): void };
      duration: { observe(value: number): void };
      confidence: { observe(value: number): void };
    }
  >();
  return {
    schemaValid: metrics.schemaValid.labels({ valid: 'true' }),
    schemaInvalid: metrics.schemaValid.labels({ valid: 'false' }),
    grounded: metrics.grounded.labels({ grounded: 'true' }),
    notGrounded: metrics.grounded.labels({ grounded: 'false' }),
    cacheHit: metrics.cache.labels({ result: 'hit' }),
    cacheMiss: metrics.cache.labels({ result: 'miss' }),
    outcome(mode: AnswerMode, status: RequestOutcome) {
      const key = `${mode} ${status}`;
      let series = outcomes.get(key);
      if (!series) {
        series = {
          requests: metrics.requests.labels({ mode, status }),
          duration: metrics.duration.labels({ mode, status }),
          confidence: metrics.confidence.labels({ mode }),
        };
        outcomes.set(key, series);
      }
      return series;
    },
  };
}
