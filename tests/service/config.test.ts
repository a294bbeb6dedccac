import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadServiceConfig, ServiceConfigError } from '../../src/service/config.js';
import { FaultSpecError, parseFaults } from '../../src/service/faults.js';

describe('loadServiceConfig', () => {
  it('has defaults for an empty environment', () => {
    const config = loadServiceConfig({});
    expect(config.port).toBe(8080);
    expect(config.host).toBe('0.0.0.0');
    expect(config.options.mode).toBe('extractive');
    expect(config.options.corpusDir).toBeUndefined();
    expect(config.options.faults).toEqual({ wrongRetrieval: false, latencyMs: 0 });
    expect(config.options.gemini).toMatchObject({ timeoutMs: 3000, model: expect.any(String) });
    expect(config.options.limits).toEqual({});
    expect(config.options.maxInFlightAsks).toBeUndefined();
    expect(config.options.tracing).toBeUndefined();
    expect(config.probePort).toBeUndefined();
    expect(config.livenessStaleMs).toBeUndefined();
  });

  it('reads every documented variable', () => {
    const config = loadServiceConfig({
      PORT: '9090',
      DOCQA_CORPUS: '/srv/docs',
      DOCQA_MODE: 'generative',
      DOCQA_FAULTS: 'wrong-retrieval, latency=250ms',
      GEMINI_API_KEY: 'k',
      DOCQA_GEMINI_BASE_URL: 'http://127.0.0.1:9999',
      DOCQA_GEMINI_MODEL: 'gemini-2.5-pro',
      DOCQA_GEMINI_TIMEOUT_MS: '1500',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      LANGSMITH_TRACING: 'true',
      DOCQA_ANSWER_CACHE_SIZE: '0',
      DOCQA_MAX_INFLIGHT_ASKS: '8',
      DOCQA_MAX_ASK_WAIT_MS: '500',
      DOCQA_MAX_CONNECTIONS: '500',
      DOCQA_HEADERS_TIMEOUT_MS: '2000',
      DOCQA_REQUEST_TIMEOUT_MS: '3000',
      DOCQA_KEEPALIVE_TIMEOUT_MS: '1000',
      DOCQA_MAX_REQUESTS_PER_SOCKET: '50',
      DOCQA_CORPUS_MAX_FILE_BYTES: '1024',
      DOCQA_CORPUS_MAX_TOTAL_BYTES: '4096',
      DOCQA_GEMINI_BREAKER_FAILURES: '3',
      DOCQA_GEMINI_BREAKER_OPEN_MS: '5000',
      DOCQA_PROBE_PORT: '9091',
      DOCQA_LIVENESS_STALE_MS: '3000',
      DOCQA_ENGINE_MAX_HEAP_MB: '192',
    });
    expect(config.options.engineMaxHeapMb).toBe(192);
    expect(config.port).toBe(9090);
    expect(config.probePort).toBe(9091);
    expect(config.livenessStaleMs).toBe(3000);
    expect(config.options).toMatchObject({
      corpusDir: '/srv/docs',
      mode: 'generative',
      faults: { wrongRetrieval: true, latencyMs: 250 },
      gemini: { apiKey: 'k', baseUrl: 'http://127.0.0.1:9999', model: 'gemini-2.5-pro', timeoutMs: 1500 },
      tracing: { otlpEndpoint: 'http://collector:4318', langsmith: true },
      answerCacheSize: 0,
      maxInFlightAsks: 8,
      maxAskWaitMs: 500,
      limits: {
        maxConnections: 500,
        headersTimeoutMs: 2000,
        requestTimeoutMs: 3000,
        keepAliveTimeoutMs: 1000,
        maxRequestsPerSocket: 50,
      },
      corpusLimits: { maxFileBytes: 1024, maxTotalBytes: 4096 },
    });
    expect(config.options.gemini).toMatchObject({ breakerFailures: 3, breakerOpenMs: 5000 });
  });

  it.each([
    ['PORT', 'eighty', 'PORT: expected a port number from 0 to 65535, got "eighty".'],
    ['PORT', '70000', 'PORT: expected a port number from 0 to 65535, got "70000".'],
    ['DOCQA_MODE', 'creative', 'DOCQA_MODE: expected "extractive" or "generative", got "creative".'],
    ['DOCQA_GEMINI_TIMEOUT_MS', '8s', 'DOCQA_GEMINI_TIMEOUT_MS: expected milliseconds'],
    ['DOCQA_GEMINI_BASE_URL', 'not a url', 'DOCQA_GEMINI_BASE_URL: expected an http(s) URL'],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'ftp://x', 'OTEL_EXPORTER_OTLP_ENDPOINT: expected an http(s) URL'],
    ['LANGSMITH_TRACING', 'yes', 'LANGSMITH_TRACING: expected "true" or "false"'],
    ['DOCQA_ANSWER_CACHE_SIZE', '-1', 'DOCQA_ANSWER_CACHE_SIZE: expected a whole number'],
    ['DOCQA_FAULTS', 'disk-full', 'DOCQA_FAULTS: unknown fault "disk-full"'],
    ['DOCQA_MAX_INFLIGHT_ASKS', '0', 'DOCQA_MAX_INFLIGHT_ASKS: expected asks, a whole number from 1'],
    ['DOCQA_MAX_CONNECTIONS', 'lots', 'DOCQA_MAX_CONNECTIONS: expected connections'],
    [
      'DOCQA_REQUEST_TIMEOUT_MS',
      '5',
      'DOCQA_REQUEST_TIMEOUT_MS: expected milliseconds, a whole number from 100',
    ],
    ['DOCQA_CORPUS_MAX_FILE_BYTES', '2MB', 'DOCQA_CORPUS_MAX_FILE_BYTES: expected bytes'],
    ['DOCQA_GEMINI_BREAKER_FAILURES', '0', 'DOCQA_GEMINI_BREAKER_FAILURES: expected consecutive failures'],
    ['DOCQA_PROBE_PORT', '8081x', 'DOCQA_PROBE_PORT: expected a port number, a whole number from 0 to 65535'],
    [
      'DOCQA_PROBE_PORT',
      '8080',
      'DOCQA_PROBE_PORT: must differ from the service port (PORT, 8080), got 8080.',
    ],
    [
      'DOCQA_LIVENESS_STALE_MS',
      '50',
      'DOCQA_LIVENESS_STALE_MS: expected milliseconds, a whole number from 100',
    ],
  ])('names %s when its value is bad', (variable, value, message) => {
    let error: unknown;
    try {
      loadServiceConfig({ [variable]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ServiceConfigError);
    expect((error as ServiceConfigError).variable).toBe(variable);
    expect((error as Error).message).toContain(message);
  });

  it('refuses a header timeout longer than the whole-request timeout', () => {
    expect(() =>
      loadServiceConfig({ DOCQA_HEADERS_TIMEOUT_MS: '9000', DOCQA_REQUEST_TIMEOUT_MS: '3000' }),
    ).toThrow(/DOCQA_HEADERS_TIMEOUT_MS: must not be over DOCQA_REQUEST_TIMEOUT_MS \(3000\), got 9000/);
  });

  it('treats empty variables as unset', () => {
    expect(loadServiceConfig({ PORT: '', DOCQA_MODE: ' ', DOCQA_FAULTS: '' }).port).toBe(8080);
  });
});

describe('parseFaults', () => {
  it.each([
    ['', { wrongRetrieval: false, latencyMs: 0 }],
    ['wrong-retrieval', { wrongRetrieval: true, latencyMs: 0 }],
    ['latency=800', { wrongRetrieval: false, latencyMs: 800 }],
    ['latency=800ms', { wrongRetrieval: false, latencyMs: 800 }],
    ['latency=1.5s', { wrongRetrieval: false, latencyMs: 1500 }],
    [' latency=5ms , wrong-retrieval ,', { wrongRetrieval: true, latencyMs: 5 }],
  ])('parses %j', (spec, expected) => {
    expect(parseFaults(spec)).toEqual(expected);
  });

  it.each(['latency', 'latency=', 'latency=fast', 'latency=-5', 'latency=61s', 'wrong_retrieval', 'chaos'])(
    'rejects %j with a message naming it',
    (spec) => {
      expect(() => parseFaults(spec)).toThrow(FaultSpecError);
      expect(() => parseFaults(spec)).toThrow(/DOCQA_FAULTS/);
    },
  );

  it('either parses or throws FaultSpecError for any input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (spec) => {
        try {
          const faults = parseFaults(spec);
          expect(faults.latencyMs).toBeGreaterThanOrEqual(0);
          expect(faults.latencyMs).toBeLessThanOrEqual(60_000);
        } catch (error) {
          expect(error).toBeInstanceOf(FaultSpecError);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
