/**
 * Runs the doc-QA app on a real HTTP server (@hono/node-server). `startDocQaServer` resolves once the port is
 * bound (the corpus may still be indexing: /readyz tells) and rejects with ServerStartError if it cannot be.
 * SIGTERM/SIGINT close it gracefully: stop accepting, let requests in flight finish, then exit.
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createDocQaApp, type DocQaApp, type DocQaAppOptions } from './app.js';

export interface DocQaServerOptions extends DocQaAppOptions {
  /** 0 picks a free port. Default 8080. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Close gracefully on these signals (default SIGTERM and SIGINT); [] to leave signals alone. */
  signals?: NodeJS.Signals[];
  /** How long requests in flight get to finish on close before their connections are cut (default 10 s). */
  drainTimeoutMs?: number;
}

export interface DocQaServer {
  url: string;
  port: number;
  host: string;
  service: DocQaApp;
  /** Resolves when the server has stopped (after close() or a signal). */
  closed: Promise<void>;
  close(): Promise<void>;
}

export class ServerStartError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
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
  const service = createDocQaApp(options);
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
  const server = serve({ fetch, port, hostname: host });

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
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      if ('closeIdleConnections' in server) server.closeIdleConnections();
      const timer = setTimeout(() => {
        if ('closeAllConnections' in server) server.closeAllConnections();
      }, drainTimeoutMs);
      timer.unref();
      await stopped;
      clearTimeout(timer);
      await service.close();
      resolveClosed();
    })();
    return closing;
  }

  return { url, port: address.port, host: address.address, service, closed, close };
}
