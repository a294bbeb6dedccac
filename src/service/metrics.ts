/**
 * The service's Prometheus metrics. Names are a contract (docs/service.md "Metrics"): the AnalysisTemplate, the Grafana
 * dashboard and the canary judge query them. Every app has its own Registry so tests can create many apps.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { AnswerMode } from './schemas.js';

export type RequestOutcome = 'answered' | 'insufficient_context' | 'error';

export interface DocQaMetrics {
  registry: Registry;
  requests: Counter<'mode' | 'status'>;
  grounded: Counter<'grounded'>;
  schemaValid: Counter<'valid'>;
  fallback: Counter<'reason'>;
  rejected: Counter<'code'>;
  cache: Counter<'result'>;
  duration: Histogram<'mode' | 'status'>;
  confidence: Histogram<'mode'>;
  /** Asks refused with 503 + Retry-After because the in-flight bound was reached. */
  shed: Counter<string>;
  /** Asks admitted and not yet answered. */
  inFlight: Gauge<string>;
  /** The generative circuit breaker: 0 closed, 1 open, 2 half-open. */
  breakerState: Gauge<string>;
  /** Corpus files left out while loading, by reason. */
  corpusSkipped: Counter<'reason'>;
}

export interface CreateMetricsOptions {
  registry?: Registry;
  /** Default process metrics (CPU, memory, event loop, GC). On by default. */
  defaultMetrics?: boolean;
}

export function createMetrics(options: CreateMetricsOptions = {}): DocQaMetrics {
  const registry = options.registry ?? new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const metrics: DocQaMetrics = {
    registry,
    requests: new Counter({
      name: 'docqa_requests_total',
      help: 'POST /v1/ask requests that reached the answering stage, by answering mode and outcome (error = the service failed).',
      labelNames: ['mode', 'status'],
      registers,
    }),
    grounded: new Counter({
      name: 'docqa_answers_grounded_total',
      help: 'Answered responses by whether the cited passages support the answer and are relevant to the question.',
      labelNames: ['grounded'],
      registers,
    }),
    schemaValid: new Counter({
      name: 'docqa_output_schema_valid_total',
      help: 'POST /v1/ask responses checked against the AskResponse schema before sending.',
      labelNames: ['valid'],
      registers,
    }),
    fallback: new Counter({
      name: 'docqa_fallback_total',
      help: 'Generative answers replaced by the extractive answer, by reason.',
      labelNames: ['reason'],
      registers,
    }),
    rejected: new Counter({
      name: 'docqa_rejected_requests_total',
      help: 'Requests rejected as bad input (4xx), by error code.',
      labelNames: ['code'],
      registers,
    }),
    cache: new Counter({
      name: 'docqa_answer_cache_total',
      help: 'Extractive answers served from the answer cache (hit) or computed (miss).',
      labelNames: ['result'],
      registers,
    }),
    duration: new Histogram({
      name: 'docqa_request_duration_seconds',
      help: 'POST /v1/ask latency in seconds, by answering mode and outcome.',
      labelNames: ['mode', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    confidence: new Histogram({
      name: 'docqa_answer_confidence',
      help: 'Confidence (0..1) of POST /v1/ask responses.',
      labelNames: ['mode'],
      buckets: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1],
      registers,
    }),
    shed: new Counter({
      name: 'docqa_requests_shed_total',
      help: 'POST /v1/ask requests refused with 503 and Retry-After because too many asks were in flight (load shedding).',
      registers,
    }),
    inFlight: new Gauge({
      name: 'docqa_asks_in_flight',
      help: 'POST /v1/ask requests admitted and not yet answered.',
      registers,
    }),
    breakerState: new Gauge({
      name: 'docqa_generative_breaker_state',
      help: 'Circuit breaker in front of Gemini: 0 closed (calls go out), 1 open (answers are extractive at once), 2 half-open (one trial call).',
      registers,
    }),
    corpusSkipped: new Counter({
      name: 'docqa_corpus_files_skipped_total',
      help: 'Corpus files left out of the index, by reason (outside_root, not_regular, binary).',
      labelNames: ['reason'],
      registers,
    }),
  };
  // Zero-initialise the contract's series so dashboards and ratios have data before the first request.
  for (const mode of ['extractive', 'generative'] satisfies AnswerMode[]) {
    for (const status of ['answered', 'insufficient_context', 'error'] satisfies RequestOutcome[]) {
      metrics.requests.inc({ mode, status }, 0);
      // Histograms too: a series born with its first observation has no earlier sample, so rate() (and the
      // canary's latency quantile) would not see the requests of the first scrape interval.
      metrics.duration.zero({ mode, status });
    }
    metrics.confidence.zero({ mode });
  }
  for (const grounded of ['true', 'false']) metrics.grounded.inc({ grounded }, 0);
  for (const valid of ['true', 'false']) metrics.schemaValid.inc({ valid }, 0);
  return metrics;
}
