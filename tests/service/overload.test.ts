/**
 * Overload protection (issue 13): the in-flight bound with 503 + Retry-After, health answered while asks are
 * held, request/header timeouts, the connection cap and keep-alive limits. Asks are held by the `onAsk` hook,
 * released by the test: no sleeps, no wall-time assertions.
 */
import { Agent, request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../../src/service/logger.js';
import { createAskGate } from '../../src/service/overload.js';
import { type DocQaServer, type DocQaServerOptions, startDocQaServer } from '../../src/service/server.js';
import { ask, EXAMPLE_QUESTION, metricsText, metricValue, readyApp, startTestServer } from './helpers.js';

/** A gate the test opens: asks wait in `onAsk` until release(); `arrived` resolves once `n` asks wait. */
function holdAsks() {
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let waiting = 0;
  const arrivals: Array<{ n: number; resolve: () => void }> = [];
  return {
    onAsk: async () => {
      waiting++;
      for (const a of arrivals.filter((x) => x.n <= waiting)) a.resolve();
      await released;
    },
    arrived: (n: number) =>
      new Promise<void>((resolve) => {
        if (waiting >= n) resolve();
        else arrivals.push({ n, resolve });
      }),
    release: () => release(),
  };
}

const post = (url: string) =>
  fetch(`${url}/v1/ask`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ question: EXAMPLE_QUESTION }),
  });

let server: DocQaServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(options: DocQaServerOptions = {}) {
  server = await startTestServer(options);
  await server.service.ready;
  return server;
}

describe('load shedding', () => {
  it('answers a third ask 503 + Retry-After at once while two are held, and /healthz and /readyz 200', async () => {
    const hold = holdAsks();
    const s = await start({ maxInFlightAsks: 2, onAsk: hold.onAsk });
    const first = post(s.url);
    const second = post(s.url);
    await hold.arrived(2);
    expect(s.service.gate.inFlight()).toBe(2);

    const third = await post(s.url);
    expect(third.status).toBe(503);
    expect(third.headers.get('retry-after')).toBe('1');
    expect(await third.json()).toMatchObject({ error: { code: 'overloaded' } });
    const health = await fetch(`${s.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${s.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready' });
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    expect(metricValue(metrics, 'docqa_requests_shed_total')).toBe(1);
    expect(metricValue(metrics, 'docqa_asks_in_flight')).toBe(2);

    hold.release();
    expect((await first).status).toBe(200);
    expect((await second).status).toBe(200);
    // The places are given back: the next ask is answered.
    expect((await post(s.url)).status).toBe(200);
    expect(s.service.gate.inFlight()).toBe(0);
  });

  it('sheds in-process asks (app.request) the same way', async () => {
    const hold = holdAsks();
    const service = await readyApp({ maxInFlightAsks: 1, onAsk: hold.onAsk });
    const first = ask(service, { question: EXAMPLE_QUESTION });
    await hold.arrived(1);
    const second = await ask(service, { question: EXAMPLE_QUESTION });
    expect(second.status).toBe(503);
    expect(second.headers.get('retry-after')).toBe('1');
    expect((await service.app.request('/healthz')).status).toBe(200);
    hold.release();
    expect((await first).status).toBe(200);
    expect(metricValue(await metricsText(service), 'docqa_requests_shed_total')).toBe(1);
    expect(metricValue(await metricsText(service), 'docqa_asks_in_flight')).toBe(0);
  });

  it('answers /readyz 503 from the listener while the corpus is loading, and /healthz 200', async () => {
    // An engine that never arrives: the corpus is "loading" for the whole test.
    const engine = new Promise<never>(() => {});
    server = await startDocQaServer({
      port: 0,
      host: '127.0.0.1',
      engine,
      logger: createMemoryLogger(),
      signals: [],
      drainTimeoutMs: 100,
    });
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ error: { code: 'not_ready' } });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${server.url}/healthz`, { method: 'HEAD' })).status).toBe(200);
  });
});

/** Opens a raw connection and resolves with everything the server sent once it closes the connection. */
function rawExchange(url: string, send: string): Promise<string> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(Number(port), '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      received += d;
    });
    socket.on('error', () => resolve(received));
    socket.on('close', () => resolve(received));
    socket.on('connect', () => socket.write(send));
    socket.on('timeout', () => reject(new Error('no close')));
  });
}

describe('timeouts and connection limits', () => {
  it('cuts a request whose body never finishes (408) and gives its in-flight place back', async () => {
    const s = await start({ limits: { requestTimeoutMs: 300, headersTimeoutMs: 200 } });
    const reply = await rawExchange(
      s.url,
      'POST /v1/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"question":',
    );
    expect(reply).toMatch(/^HTTP\/1\.1 408/);
    expect(s.service.gate.inFlight()).toBe(0);
    expect((await post(s.url)).status).toBe(200);
  });

  it('cuts a connection whose headers never finish', async () => {
    const s = await start({ limits: { requestTimeoutMs: 300, headersTimeoutMs: 200 } });
    const reply = await rawExchange(s.url, 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    expect(reply).toMatch(/^HTTP\/1\.1 408/);
  });

  it('beyond maxConnections closes the oldest connection, and serves the new one (a probe gets in)', async () => {
    const s = await start({ limits: { maxConnections: 2 } });
    const { port } = new URL(s.url);
    const idle = (): Promise<{ socket: Socket; closed: Promise<void> }> =>
      new Promise((resolve) => {
        const socket = connect(Number(port), '127.0.0.1');
        const closed = new Promise<void>((done) => socket.once('close', () => done()));
        socket.on('error', () => {});
        // Served once, so the server has accepted it, then left open (keep-alive).
        socket.once('data', () => resolve({ socket, closed }));
        socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
      });
    const first = await idle();
    const second = await idle();
    const reply = await rawExchange(s.url, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(reply).toMatch(/^HTTP\/1\.1 200/);
    await first.closed; // the oldest was closed to make room
    expect(second.socket.destroyed).toBe(false);
    second.socket.destroy();
  });

  it('closes a keep-alive connection after maxRequestsPerSocket requests', async () => {
    const s = await start({ limits: { maxRequestsPerSocket: 2 } });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const get = () =>
      new Promise<string | undefined>((resolve, reject) => {
        httpRequest(`${s.url}/healthz`, { agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.headers.connection));
        })
          .on('error', reject)
          .end();
      });
    expect(await get()).toBe('keep-alive');
    expect(await get()).toBe('close');
    agent.destroy();
  });

  it('closes the connection after the last allowed request, so a client that ignores Connection: close gets no 503s', async () => {
    const s = await start({ limits: { maxRequestsPerSocket: 2 } });
    // Four requests pipelined on one connection, as a client that ignores `Connection: close` would send them.
    const request = 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n';
    const reply = await rawExchange(s.url, request.repeat(4));
    const statuses = [...reply.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]);
    expect(statuses).toEqual(['200', '200']);
    expect([...reply.matchAll(/^connection: (\S+)/gim)].map((m) => m[1]?.toLowerCase())).toEqual([
      'keep-alive',
      'close',
    ]);
  });
});

describe('ask turns (CPU slices between socket polls)', () => {
  const nextIteration = () => new Promise<void>((resolve) => setImmediate(resolve));

  it('runs cheap asks back to back in one slice', async () => {
    const gate = createAskGate({ maxInFlight: 10, sliceMs: 5, maxSliceMs: 5, now: () => 0 });
    const ran: number[] = [];
    const all = [1, 2, 3].map(async (i) => {
      await gate.turn();
      ran.push(i);
    });
    await nextIteration();
    expect(ran).toEqual([1, 2, 3]);
    await Promise.all(all);
  });

  it('yields to the event loop once a slice has used its budget', async () => {
    let t = 0;
    const gate = createAskGate({ maxInFlight: 10, sliceMs: 5, maxSliceMs: 5, now: () => t });
    const ran: number[] = [];
    const all = [1, 2, 3].map(async (i) => {
      await gate.turn();
      ran.push(i);
      t += 10; // each ask "uses" 10 ms of CPU
    });
    await nextIteration();
    expect(ran).toEqual([1]);
    await nextIteration();
    expect(ran).toEqual([1, 2]);
    await Promise.all(all);
    expect(ran).toEqual([1, 2, 3]);
  });

  it('refuses the turn of an ask that waited longer than maxWaitMs (a starved process sheds)', async () => {
    let t = 0;
    const gate = createAskGate({ maxInFlight: 10, maxWaitMs: 2000, now: () => t });
    const late = gate.turn();
    const fresh = (async () => {
      t = 2500; // the loop was starved for 2.5 s before the turn came
      return gate.turn();
    })();
    expect(await late).toBe(false);
    expect(await fresh).toBe(true);
  });

  it('counts places and refuses beyond the bound', () => {
    const gate = createAskGate({ maxInFlight: 2 });
    expect([gate.tryEnter(), gate.tryEnter(), gate.tryEnter()]).toEqual([true, true, false]);
    gate.leave();
    expect(gate.inFlight()).toBe(1);
    expect(gate.tryEnter()).toBe(true);
  });
});
