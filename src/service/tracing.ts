/**
 * Optional tracing: OpenTelemetry spans exported over OTLP/HTTP when an endpoint is set, LangSmith runs when
 * LangSmith tracing is on. Both libraries are imported lazily on first use; when both are off, `trace` just
 * calls the function (no import, no allocation beyond the call).
 */
import type { Logger } from './logger.js';

export type TraceAttributes = Record<string, string | number | boolean>;

export interface TraceSpan {
  setAttributes(attributes: TraceAttributes): void;
}

export interface Tracing {
  readonly enabled: boolean;
  /**
   * Runs `fn` inside a span (and a LangSmith run) named `name`; errors are recorded and rethrown. `inputs` go to
   * LangSmith only (it is a tool for looking at questions and answers); spans carry `attributes` only.
   */
  trace<T>(
    name: string,
    attributes: TraceAttributes,
    fn: (span: TraceSpan) => Promise<T>,
    inputs?: Record<string, unknown>,
  ): Promise<T>;
  /** Flushes pending spans and stops exporting. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** OTEL_EXPORTER_OTLP_ENDPOINT: the collector's base URL; spans go to `<endpoint>/v1/traces`. */
  otlpEndpoint?: string;
  /** LANGSMITH_TRACING=true: wrap answers in LangSmith `traceable` runs. */
  langsmith?: boolean;
  serviceName?: string;
  logger?: Logger;
}

const noopSpan: TraceSpan = { setAttributes() {} };

export const noTracing: Tracing = {
  enabled: false,
  trace: (_name, _attributes, fn) => fn(noopSpan),
  shutdown: async () => {},
};

interface OtelBackend {
  startSpan(
    name: string,
    attributes: TraceAttributes,
  ): {
    setAttributes(a: TraceAttributes): void;
    fail(error: unknown): void;
    end(): void;
  };
  shutdown(): Promise<void>;
}

type Traceable = typeof import('langsmith/traceable').traceable;
type LangSmithClient = InstanceType<typeof import('langsmith').Client>;
interface LangSmithBackend {
  traceable: Traceable;
  client: LangSmithClient;
}

export function createTracing(options: TracingOptions = {}): Tracing {
  const otlpEndpoint = options.otlpEndpoint?.trim();
  if (!otlpEndpoint && !options.langsmith) return noTracing;
  const serviceName = options.serviceName ?? 'docqa';
  let otel: Promise<OtelBackend | undefined> | undefined;
  let langsmith: Promise<LangSmithBackend | undefined> | undefined;

  const loadOtel = () => {
    otel ??= otlpEndpoint
      ? startOtel(otlpEndpoint, serviceName).catch((error) => {
          options.logger?.log('warn', 'OpenTelemetry tracing disabled: it failed to start', {
            error: String(error),
          });
          return undefined;
        })
      : Promise.resolve(undefined);
    return otel;
  };
  const loadLangsmith = () => {
    // The client reads LANGSMITH_API_KEY and LANGSMITH_ENDPOINT itself; its own client lets shutdown() flush.
    langsmith ??= options.langsmith
      ? Promise.all([import('langsmith/traceable'), import('langsmith')])
          .then(([{ traceable }, { Client }]) => ({ traceable, client: new Client() }))
          .catch((error) => {
            options.logger?.log('warn', 'LangSmith tracing disabled: it failed to load', {
              error: String(error),
            });
            return undefined;
          })
      : Promise.resolve(undefined);
    return langsmith;
  };

  return {
    enabled: true,
    async trace(name, attributes, fn, inputs = {}) {
      const [backend, ls] = await Promise.all([loadOtel(), loadLangsmith()]);
      const span = backend?.startSpan(name, attributes);
      const handle: TraceSpan = { setAttributes: (a) => span?.setAttributes(a) };
      const run = ls
        ? ls.traceable((_inputs: Record<string, unknown>) => fn(handle), {
            name,
            run_type: 'chain',
            metadata: attributes,
            client: ls.client,
            tracingEnabled: true,
          })
        : (_inputs: Record<string, unknown>) => fn(handle);
      try {
        return await run(inputs);
      } catch (error) {
        span?.fail(error);
        throw error;
      } finally {
        span?.end();
      }
    },
    async shutdown() {
      const [backend, ls] = await Promise.all([otel, langsmith]);
      await Promise.all([backend?.shutdown(), ls?.client.awaitPendingTraceBatches()]);
    },
  };
}

async function startOtel(endpoint: string, serviceName: string): Promise<OtelBackend> {
  const [
    { BasicTracerProvider, BatchSpanProcessor },
    { OTLPTraceExporter },
    { resourceFromAttributes },
    api,
  ] = await Promise.all([
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/api'),
  ]);
  const url = `${endpoint.replace(/\/+$/, '')}/v1/traces`;
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url }), { scheduledDelayMillis: 1000 })],
  });
  const tracer = provider.getTracer('gitops-lab-docqa');
  return {
    startSpan(name, attributes) {
      const span = tracer.startSpan(name, { attributes, kind: api.SpanKind.SERVER });
      return {
        setAttributes: (a) => span.setAttributes(a),
        fail(error) {
          span.recordException(error instanceof Error ? error : String(error));
          span.setStatus({ code: api.SpanStatusCode.ERROR });
        },
        end: () => span.end(),
      };
    },
    shutdown: () => provider.shutdown(),
  };
}
