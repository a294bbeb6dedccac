/**
 * The probe port: `/healthz` and `/readyz` for the kubelet on a port of their own, answered by a small worker
 * thread with its own event loop, so a probe is never queued behind the service's traffic (the kernel's accept
 * queue of the service port, the requests already read, the responses being written).
 *
 * Liveness stays honest: the service's thread writes a heartbeat (a timestamp in shared memory) every
 * HEARTBEAT_MS from a timer on its event loop, together with its readiness. The probe thread answers
 * `/healthz` 503 when the heartbeat is older than `staleMs` (the event loop is stuck: an endless loop, a
 * synchronous step that never ends) or when the engine thread has stopped, so the kubelet restarts a process
 * that cannot serve; under load the loop keeps turning and liveness stays 200. `/readyz` is 200 only when the
 * corpus is indexed, the process is not shutting down and the heartbeat is fresh.
 *
 * The same design as a management port answered off the request path (Envoy's admin listener, Spring Boot's
 * management.server.port). Kubernetes' HTTP prober (kubernetes/kubernetes pkg/probe/http/http.go) opens a new
 * connection for every probe (DisableKeepAlives) and counts a status from 200 to 399 as success, anything else
 * or no answer within timeoutSeconds as a failure.
 */
import { Worker } from 'node:worker_threads';

export const HEARTBEAT_MS = 100;
/** Default age of the heartbeat past which the event loop counts as stuck. */
export const DEFAULT_LIVENESS_STALE_MS = 5000;

/** What the probe thread reports (Int32 slot 0). */
export const PROBE_STATE = { loading: 0, ready: 1, failed: 2, closing: 3, dead: 4 } as const;
export type ProbeState = keyof typeof PROBE_STATE;

export interface ProbeListenerOptions {
  port: number;
  host: string;
  /** Heartbeat age (ms) past which /healthz fails (default 5000). */
  staleMs?: number;
}

export interface ProbeListener {
  url: string;
  port: number;
  /** Called by the service's thread (a timer): the heartbeat, the state and the corpus counts. */
  beat(state: ProbeState, documents: number, passages: number): void;
  close(): Promise<void>;
}

export class ProbePortError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'ProbePortError';
  }
}

/**
 * The probe thread's code (CommonJS, evaluated as the worker's entry: no module file to find from dist/ or from
 * the TypeScript source). Slots: BigInt64 0 = heartbeat (Date.now() ms); Int32 2..4 = state, documents,
 * passages.
 */
const PROBE_THREAD = `
const http = require('node:http');
const { parentPort, workerData } = require('node:worker_threads');
const { shared, port, host, staleMs } = workerData;
const beat = new BigInt64Array(shared, 0, 1);
const slots = new Int32Array(shared, 8, 3);
const send = (res, status, body, method) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(method === 'HEAD' ? undefined : text);
};
const failure = (code, message) => ({ error: { code, message } });
const server = http.createServer(
  { headersTimeout: 5000, requestTimeout: 5000, keepAliveTimeout: 5000 },
  (req, res) => {
    const method = req.method;
    const path = (req.url || '/').split('?')[0];
    if (path !== '/healthz' && path !== '/readyz') {
      return send(res, 404, failure('not_found', 'The probe port serves GET /healthz and GET /readyz only.'), method);
    }
    if (method !== 'GET' && method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return send(res, 405, failure('method_not_allowed', method + ' is not allowed on ' + path + '; use GET, HEAD.'), method);
    }
    const age = Date.now() - Number(Atomics.load(beat, 0));
    const state = Atomics.load(slots, 0);
    if (state === 4) {
      return send(res, 503, failure(path === '/healthz' ? 'not_alive' : 'not_ready', 'The engine thread has stopped; the process cannot answer questions.'), method);
    }
    if (age > staleMs) {
      return send(res, 503, failure(path === '/healthz' ? 'not_alive' : 'not_ready', 'The service event loop has not turned for ' + age + ' ms (limit ' + staleMs + ' ms).'), method);
    }
    if (path === '/healthz') return send(res, 200, { status: 'ok' }, method);
    if (state === 1) return send(res, 200, { status: 'ready', documents: Atomics.load(slots, 1), passages: Atomics.load(slots, 2) }, method);
    const message = state === 2 ? 'The corpus could not be loaded; see the log or GET /readyz on the service port.'
      : state === 3 ? 'The service is shutting down.' : 'The corpus index is being built.';
    return send(res, 503, failure('not_ready', message), method);
  },
);
// Probes open a connection each; a flood of connections here cannot take more than this.
server.maxConnections = 256;
server.on('error', (e) => parentPort.postMessage({ type: 'error', code: e.code, message: e.message }));
server.listen({ port, host }, () => {
  const a = server.address();
  parentPort.postMessage({ type: 'listening', port: a.port, address: a.address, family: a.family });
});
`;

export async function startProbeListener(options: ProbeListenerOptions): Promise<ProbeListener> {
  const shared = new SharedArrayBuffer(24);
  const beatSlot = new BigInt64Array(shared, 0, 1);
  const slots = new Int32Array(shared, 8, 3);
  Atomics.store(beatSlot, 0, BigInt(Date.now()));
  const worker = new Worker(PROBE_THREAD, {
    eval: true,
    workerData: {
      shared,
      port: options.port,
      host: options.host,
      staleMs: options.staleMs ?? DEFAULT_LIVENESS_STALE_MS,
    },
    // A few MiB of heap is all an HTTP server answering two routes needs.
    resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 8 },
  });
  worker.unref();
  const where = `${options.host}:${options.port}`;
  const address = await new Promise<{ port: number; address: string; family: string }>((resolve, reject) => {
    const onExit = (code: number) =>
      reject(new ProbePortError(`The probe thread exited (code ${code}).`, undefined));
    worker.once('exit', onExit);
    worker.once('error', (error) =>
      reject(new ProbePortError(`The probe thread failed: ${error.message}`, undefined)),
    );
    worker.once(
      'message',
      (m: {
        type: string;
        code?: string;
        message?: string;
        port: number;
        address: string;
        family: string;
      }) => {
        worker.off('exit', onExit);
        if (m.type === 'listening') return resolve(m);
        void worker.terminate();
        const message =
          m.code === 'EADDRINUSE'
            ? `Probe port ${options.port} on ${options.host} is already in use.`
            : m.code === 'EACCES'
              ? `Not allowed to listen on ${where} (probe port).`
              : `Cannot listen on ${where} (probe port): ${m.message}`;
        reject(new ProbePortError(message, m.code));
      },
    );
  });
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}`,
    port: address.port,
    beat(state, documents, passages) {
      Atomics.store(slots, 0, PROBE_STATE[state]);
      Atomics.store(slots, 1, documents);
      Atomics.store(slots, 2, passages);
      Atomics.store(beatSlot, 0, BigInt(Date.now()));
    },
    async close() {
      await worker.terminate();
    },
  };
}
