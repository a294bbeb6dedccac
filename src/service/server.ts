/**
 * Runs the doc-QA app on a real HTTP server (node:http with @hono/node-server's request listener).
 * `startDocQaServer` resolves once the port is bound (the corpus may still be indexing: /readyz tells) and
 * rejects with ServerStartError if it cannot be. SIGTERM/SIGINT close it gracefully: stop accepting, let
 * requests in flight finish, then exit.
 *
 * Overload protection (issue 13): /healthz and /readyz are answered in the request listener, ahead of the
 * router and of every ask; POST /v1/ask is admitted against the in-flight bound (503 + Retry-After beyond it)
 * and then answered without the router (app.ts serveAsk); header, whole-request (body) and keep-alive
 * timeouts, a cap on requests per connection and on connections bound what slow or idle clients can hold.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { createDocQaApp, type DocQaApp, type DocQaAppOptions, SHED_BODY, SHED_RETRY_AFTER_S } from './app.js';
import {
  HEARTBEAT_MS,
  type ProbeListener,
  ProbePortError,
  type ProbeState,
  startProbeListener,
} from './probe-port.js';

/** Connection and timeout limits of the HTTP server; defaults sized for a 384 Mi pod (docs/service.md). */
export interface ServerLimits {
  /**
   * Connections open at once (default 4096). A new connection beyond it closes the oldest one rather than
   * being refused: under a flood of slow or idle connections a new client (a kubelet probe) still gets in.
   */
  maxConnections?: number;
  /** Time to receive a request's headers (default 10 s). */
  headersTimeoutMs?: number;
  /** Time to receive a whole request, body included; then 408 and the connection closes (default 15 s). */
  requestTimeoutMs?: number;
  /** Idle time of a keep-alive connection between requests (default 5 s). */
  keepAliveTimeoutMs?: number;
  /**
   * Requests served on one connection (default 1000; 0 = no limit): the last one is answered with
   * `Connection: close` and the connection is closed after it, as nginx's keepalive_requests does. Not Node's
   * server.maxRequestsPerSocket: Node 20 sends `Connection: close` at the limit but keeps the socket open and
   * answers every further request on it with a bare 503 (lib/_http_server.js, parserOnIncoming), which a client
   * that ignores the header (a load generator, a pipelining client) sees as a stream of errors.
   */
  maxRequestsPerSocket?: number;
}

export const DEFAULT_SERVER_LIMITS: Required<ServerLimits> = {
  maxConnections: 4096,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 15_000,
  keepAliveTimeoutMs: 5_000,
  maxRequestsPerSocket: 1000,
};

export interface DocQaServerOptions extends DocQaAppOptions {
  /** 0 picks a free port. Default 8080. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Close gracefully on these signals (default SIGTERM and SIGINT); [] to leave signals alone. */
  signals?: NodeJS.Signals[];
  /** How long requests in flight get to finish on close before their connections are cut (default 10 s). */
  drainTimeoutMs?: number;
  limits?: ServerLimits;
  /**
   * A port of its own for /healthz and /readyz, answered by a worker thread that checks the event loop's
   * heartbeat (probe-port.ts). Default: none. 0 picks a free port.
   */
  probePort?: number;
  /** Heartbeat age past which the probe port's /healthz fails (default 5000 ms). */
  livenessStaleMs?: number;
}

export interface DocQaServer {
  url: string;
  port: number;
  host: string;
  service: DocQaApp;
  /** The probe port's URL, when there is one. */
  probeUrl?: string;
  /** Resolves when the server has stopped (after close() or a signal). */
  closed: Promise<void>;
  close(): Promise<void>;
}

export class ServerStartError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    /** Which port could not be opened. */
    readonly port: 'service' | 'probe' = 'service',
  ) {
    super(message);
    this.name = 'ServerStartError';
  }
}

export async function startDocQaServer(options: DocQaServerOptions = {}): Promise<DocQaServer> {
  const {
    port = 8080,
    host = '127.0.0.1',
    signals = ['SIGTERM', 'SIGINT'],
    drainTimeoutMs = 10_000,
  } = options;
  // The engine runs on its own thread unless one is injected: the event loop only does I/O.
  const service = createDocQaApp({ ...options, engineThread: options.engineThread ?? !options.engine });
  let closing: Promise<void> | undefined;
  // While closing, ask clients to drop keep-alive connections so the server can stop promptly.
  const fetch = async (request: Request, env: Parameters<typeof service.app.fetch>[1]) => {
    const response = await service.app.fetch(request, env);
    if (closing) {
      try {
        response.headers.set('connection', 'close');
      } catch {
        // Immutable headers: the connection closes when the drain timeout cuts it.
      }
    }
    return response;
  };
  const isClosing = () => closing !== undefined;
  const limits = { ...DEFAULT_SERVER_LIMITS, ...options.limits };
  const router = getRequestListener(fetch, { hostname: host });
  const perSocket = limits.maxRequestsPerSocket;
  const served = new WeakMap<Socket, number>();
  const server = createServer(
    {
      // Node refuses a header timeout over the request timeout.
      headersTimeout:
        limits.requestTimeoutMs > 0
          ? Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs)
          : limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // How often Node checks the header and request timeouts (its default, 30 s, would let a slow client
      // hold its connection up to 30 s past them).
      connectionsCheckingInterval: Math.max(100, Math.min(1000, limits.headersTimeoutMs / 4)),
    },
    (incoming: IncomingMessage, outgoing: ServerResponse) => {
      if (perSocket > 0) {
        const n = (served.get(incoming.socket) ?? 0) + 1;
        served.set(incoming.socket, n);
        // Node closes the connection once a response sent with this header is finished.
        if (n >= perSocket) outgoing.setHeader('connection', 'close');
      }
      const method = incoming.method;
      const url = incoming.url ?? '/';
      const q = url.indexOf('?');
      const path = q >= 0 ? url.slice(0, q) : url;
      if (method === 'GET' || method === 'HEAD') {
        if (path === '/healthz') {
          if (service.isAlive()) return sendJson(outgoing, 200, HEALTHY, method, closing !== undefined);
          const { status, body } = service.liveness();
          return sendJson(outgoing, status, JSON.stringify(body), method, closing !== undefined);
        }
        if (path === '/readyz') {
          const { status, body } = service.readiness();
          return sendJson(outgoing, status, JSON.stringify(body), method, closing !== undefined);
        }
      } else if (method === 'POST' && path === '/v1/ask') {
        if (!service.admit(incoming, outgoing)) {
          outgoing.setHeader('retry-after', String(SHED_RETRY_AFTER_S));
          return sendJson(outgoing, 503, SHED_BODY, method, closing !== undefined);
        }
        // The ask without the router: the route's response and log line, without a web Request, a Hono
        // context and a Response object per ask (app.ts serveAsk).
        return service.serveAsk(incoming, outgoing, isClosing);
      }
      void router(incoming, outgoing);
    },
  );
  // The connection cap, oldest first out (server.maxConnections would refuse the newest: the probes).
  const open = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    if (open.size >= limits.maxConnections) {
      const oldest = open.values().next().value as Socket;
      open.delete(oldest);
      oldest.destroy();
    }
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  });
  // A burst of new connections (a load balancer opening its pool) must not overflow the accept queue: with
  // Node's default backlog (511) the kernel drops the handshakes beyond it, and those clients, a kubelet probe
  // among them, wait for SYN retransmits (1 s, 3 s, ...). The kernel caps it at net.core.somaxconn.
  server.listen({ port, host, backlog: Math.max(511, Math.min(limits.maxConnections, 4096)) });

  try {
    await new Promise<void>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        server.off('listening', onListening);
        reject(error);
      };
      const onListening = () => {
        server.off('error', onError);
        resolve();
      };
      server.once('error', onError);
      server.once('listening', onListening);
    });
  } catch (error) {
    await service.close();
    const e = error as NodeJS.ErrnoException;
    const where = `${host}:${port}`;
    const message =
      e.code === 'EADDRINUSE'
        ? `Port ${port} on ${host} is already in use.`
        : e.code === 'EACCES'
          ? `Not allowed to listen on ${where}.`
          : e.code === 'EADDRNOTAVAIL'
            ? `Address ${host} is not available on this machine.`
            : `Cannot listen on ${where}: ${e.message}`;
    throw new ServerStartError(message, e.code);
  }

  let probe: ProbeListener | undefined;
  if (options.probePort !== undefined) {
    try {
      probe = await startProbeListener({ port: options.probePort, host, staleMs: options.livenessStaleMs });
    } catch (error) {
      await new Promise((resolve) => server.close(resolve));
      await service.close();
      if (error instanceof ProbePortError) throw new ServerStartError(error.message, error.code, 'probe');
      throw error;
    }
  }
  // The heartbeat: a timer on this event loop; if the loop stops turning, the probe port's /healthz fails.
  let loadFailed = false;
  let counts = { documents: 0, passages: 0 };
  service.corpus().then(
    (summary) => {
      counts = { documents: summary.documents.length, passages: summary.passages };
    },
    () => {
      loadFailed = true;
    },
  );
  let shuttingDown = false;
  const probeState = (): ProbeState =>
    shuttingDown
      ? 'closing'
      : !service.isAlive()
        ? 'dead'
        : service.isReady()
          ? 'ready'
          : loadFailed
            ? 'failed'
            : 'loading';
  const beat = () => probe?.beat(probeState(), counts.documents, counts.passages);
  const heartbeat = probe ? setInterval(beat, HEARTBEAT_MS) : undefined;
  heartbeat?.unref();

  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${shownHost}:${address.port}`;

  let resolveClosed: () => void = () => {};
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve;
  });
  const onSignal = (signal: NodeJS.Signals) => {
    service.logger.log('info', 'shutting down', { signal });
    void close();
  };
  for (const signal of signals) process.on(signal, onSignal);

  function close(): Promise<void> {
    closing ??= (async () => {
      for (const signal of signals) process.off(signal, onSignal);
      // Not ready from now on, on the probe port too (the endpoint is taken out while requests drain).
      shuttingDown = true;
      beat();
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      if ('closeIdleConnections' in server) server.closeIdleConnections();
      const timer = setTimeout(() => {
        if ('closeAllConnections' in server) server.closeAllConnections();
      }, drainTimeoutMs);
      timer.unref();
      await stopped;
      clearTimeout(timer);
      clearInterval(heartbeat);
      await probe?.close();
      await service.close();
      resolveClosed();
    })();
    return closing;
  }

  return {
    url,
    port: address.port,
    host: address.address,
    service,
    ...(probe ? { probeUrl: probe.url } : {}),
    closed,
    close,
  };
}

const HEALTHY = JSON.stringify({ status: 'ok' });

/** Answers without the router: no request log line, no request id (probes would flood the log). */
function sendJson(outgoing: ServerResponse, status: number, body: string, method: string, close: boolean) {
  outgoing.statusCode = status;
  outgoing.setHeader('content-type', 'application/json');
  outgoing.setHeader('content-length', Buffer.byteLength(body));
  if (close) outgoing.setHeader('connection', 'close');
  outgoing.end(method === 'HEAD' ? undefined : body);
}
