/**
 * The engine on its own thread (engine-host.ts, engine-worker.ts) and the probe port (probe-port.ts), issue 13:
 * the HTTP server's event loop answers /healthz and handles signals while a large corpus is indexed; answers
 * are the same as the in-process engine's; the probe port fails liveness when the event loop is stuck, and
 * only then. Assertions are on order and outcome, never on elapsed time.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEngineThread } from '../../src/service/engine-host.js';
import { createMemoryLogger } from '../../src/service/logger.js';
import { type DocQaServer, ServerStartError } from '../../src/service/server.js';
import { ask, EXAMPLE_QUESTION, fixtureCorpus, readyApp, startTestServer } from './helpers.js';

let server: DocQaServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const start = startTestServer;

const post = (url: string, body: unknown) =>
  fetch(`${url}/v1/ask`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

/** What two answers to the same question must share (ids and timings differ). */
const comparable = (body: unknown) => {
  const { request_id: _id, latency_ms: _ms, ...rest } = body as Record<string, unknown>;
  return rest;
};

const QUESTIONS = [
  EXAMPLE_QUESTION,
  'Which metric counts grounded answers?',
  'How do I pin an image to a digest?',
  'What is the capital of France?',
  'How long does the HPA wait before scaling down?',
];

describe('the engine thread', () => {
  it('answers exactly as the in-process engine does, with and without the wrong-retrieval fault', async () => {
    for (const faults of ['', 'wrong-retrieval']) {
      const inProcess = await readyApp({ faults, answerCacheSize: 0 });
      server = await start({ faults, answerCacheSize: 0 });
      await server.service.ready;
      for (const question of QUESTIONS) {
        for (const top_k of [1, 3]) {
          const threaded = await post(server.url, { question, top_k });
          const local = await ask(inProcess, { question, top_k });
          expect(threaded.status).toBe(200);
          expect(comparable(await threaded.json())).toEqual(comparable(await local.json()));
        }
      }
      const documents = await (await fetch(`${server.url}/v1/documents`)).json();
      expect(documents).toEqual(await (await inProcess.app.request('/v1/documents')).json());
      await server.close();
      server = undefined;
    }
  });

  it('answers many calls made in one turn (over one message of them) each with its own reply, expired or not', async () => {
    const local = await (await readyApp()).engine();
    const thread = startEngineThread({ corpusDir: fixtureCorpus });
    try {
      await thread.ready;
      const questions = Array.from({ length: 40 }, (_, i) => `${QUESTIONS[i % QUESTIONS.length]} ${i}`);
      // All issued synchronously: they travel to the thread in two messages (32, then 8) and come back batched.
      const answers = questions.map((q, i) => thread.answer(q, 1 + (i % 3), false, i === 7 ? -1 : 60_000));
      const retrieved = thread.retrieve(QUESTIONS[1] as string, 2);
      const grounded = thread.isGrounded(QUESTIONS[0] as string, 'no such answer', [{ passage_id: 'nope' }]);
      const replies = await Promise.all(answers);
      for (const [i, reply] of replies.entries()) {
        if (i === 7) {
          expect(reply).toBe('expired');
          continue;
        }
        const question = questions[i] as string;
        expect(reply).not.toBe('expired');
        expect((reply as Exclude<typeof reply, 'expired'>).answer).toEqual(
          local.answer(question, { topK: 1 + (i % 3) }),
        );
      }
      expect((await retrieved).map((p) => p.passage_id)).toEqual(
        local.retrieve(QUESTIONS[1] as string, 2).map((s) => s.passage.passage_id),
      );
      expect(await grounded).toBe(false);
    } finally {
      await thread.close();
    }
  });

  it('reports a corpus that fails to load on /readyz, with the loader message', async () => {
    server = await start({ corpusDir: join(tmpdir(), 'no-such-docqa-corpus') });
    await expect(server.service.ready).rejects.toThrow(/does not exist/);
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(JSON.stringify(await ready.json())).toMatch(/does not exist/);
    // Liveness is about the process, not the corpus: the kubelet must not restart it in a loop for this.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});

/** A synthetic corpus of `passages` passages (50 sections a file), deterministic. */
function writeLargeCorpus(dir: string, passages: number) {
  let seed = 7;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const syllables = ['ka', 'lo', 'mi', 'ren', 'tor', 'va', 'zu', 'pel', 'dan', 'sio', 'qua', 'bex'];
  const word = () =>
    Array.from({ length: 2 + Math.floor(random() * 3) }, () => syllables[Math.floor(random() * 12)]).join('');
  const sentence = () => `${Array.from({ length: 12 }, word).join(' ')}.`;
  for (let d = 0; d * 50 < passages; d++) {
    const lines = [`# Runbook ${d}`, ''];
    for (let s = 0; s < 50; s++)
      lines.push(`## ${word()} ${s}`, '', `${sentence()} ${sentence()} ${sentence()}`, '');
    writeFileSync(join(dir, `runbook-${String(d).padStart(4, '0')}.md`), lines.join('\n'));
  }
}

/** A 10,000-passage corpus in a temporary folder for the tests of the enclosing describe. */
function largeCorpus(): { dir: string } {
  const corpus = { dir: '' };
  beforeAll(() => {
    corpus.dir = mkdtempSync(join(tmpdir(), 'docqa-large-'));
    writeLargeCorpus(corpus.dir, 10_000);
  });
  afterAll(() => rmSync(corpus.dir, { recursive: true, force: true }));
  return corpus;
}

describe('while a large corpus is being indexed', () => {
  const large = largeCorpus();

  it('answers /healthz, says 503 on /readyz and handles a signal before the index is built', async () => {
    const logger = createMemoryLogger();
    let indexing: () => void = () => {};
    const buildStarted = new Promise<void>((resolve) => {
      indexing = resolve;
    });
    const events: string[] = [];
    server = await start({
      corpusDir: large.dir,
      signals: ['SIGUSR2'],
      logger: {
        log(level, msg, fields) {
          logger.log(level, msg, fields);
          if (msg === 'corpus read, building the index') indexing();
        },
      },
    });
    const s = server;
    s.service.ready.then(
      () => events.push('indexed'),
      () => events.push('index abandoned'),
    );
    await buildStarted;
    expect(logger.entries.find((e) => e.msg === 'corpus read, building the index')).toMatchObject({
      passages: 10_000,
    });

    const health = await fetch(`${s.url}/healthz`);
    events.push(`healthz ${health.status}`);
    const ready = await fetch(`${s.url}/readyz`);
    events.push(`readyz ${ready.status}`);
    expect(await ready.json()).toMatchObject({
      error: { code: 'not_ready', message: 'The corpus index is being built.' },
    });

    // SIGTERM's stand-in (the test runner owns SIGTERM): the server stops while the index is still being built.
    process.kill(process.pid, 'SIGUSR2');
    await s.closed;
    events.push('closed');
    await s.service.ready.catch(() => {});
    // Health and readiness answered while the index was being built; the index never finished.
    expect(events.slice(0, 2)).toEqual(['healthz 200', 'readyz 503']);
    expect([...events].sort()).toEqual(['closed', 'healthz 200', 'index abandoned', 'readyz 503']);
  });
});

describe('an engine thread that runs out of memory', () => {
  const large = largeCorpus();

  it('fails readiness and liveness, on both ports, and the process keeps serving them', async () => {
    server = await start({ corpusDir: large.dir, engineMaxHeapMb: 16, probePort: 0 });
    await expect(server.service.ready).rejects.toThrow(/engine thread failed: .*out of memory/);
    expect(server.service.isAlive()).toBe(false);
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ error: { code: 'not_alive' } });
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(JSON.stringify(await ready.json())).toMatch(/The service cannot answer: the engine thread/);
    expect((await post(server.url, { question: EXAMPLE_QUESTION })).status).toBe(503);
    // The probe thread learns it from the next heartbeat.
    let probe = await fetch(`${server.probeUrl}/healthz`);
    while (probe.status === 200) probe = await fetch(`${server.probeUrl}/healthz`);
    expect(probe.status).toBe(503);
    expect(await probe.json()).toMatchObject({
      error: {
        code: 'not_alive',
        message: 'The engine thread has stopped; the process cannot answer questions.',
      },
    });
  });
});

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('the probe port', () => {
  it('answers /healthz 200 and /readyz 503 while loading, and nothing else', async () => {
    server = await start({ engine: new Promise<never>(() => {}), probePort: 0 });
    const probes = server.probeUrl as string;
    expect(probes).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(probes).not.toBe(server.url);
    const health = await fetch(`${probes}/healthz`);
    expect([health.status, await health.json()]).toEqual([200, { status: 'ok' }]);
    expect((await fetch(`${probes}/healthz`, { method: 'HEAD' })).status).toBe(200);
    const ready = await fetch(`${probes}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({
      error: { code: 'not_ready', message: 'The corpus index is being built.' },
    });
    const other = await fetch(`${probes}/v1/ask`, { method: 'POST', body: '{}' });
    expect(other.status).toBe(404);
    const post = await fetch(`${probes}/healthz`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('answers /readyz 200 with the same counts as the service port once ready, and 503 while shutting down', async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let arrived: () => void = () => {};
    const waiting = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    server = await start({
      probePort: 0,
      drainTimeoutMs: 600_000,
      onAsk: async () => {
        arrived();
        await held;
      },
    });
    await server.service.ready;
    const probes = server.probeUrl as string;
    const service = await (await fetch(`${server.url}/readyz`)).json();
    // The probe thread learns readiness from the heartbeat: poll until it has.
    let ready = await fetch(`${probes}/readyz`);
    while (ready.status !== 200) ready = await fetch(`${probes}/readyz`);
    expect(await ready.json()).toEqual(service);

    const inFlight = post(server.url, { question: EXAMPLE_QUESTION });
    await waiting;
    const closing = server.close();
    const draining = await fetch(`${probes}/readyz`);
    expect(draining.status).toBe(503);
    expect(await draining.json()).toMatchObject({ error: { message: 'The service is shutting down.' } });
    release();
    expect((await inFlight).status).toBe(200);
    await closing;
    server = undefined;
  });

  it('fails liveness while the event loop is stuck, and passes again once it turns', async () => {
    server = await start({ probePort: 0, livenessStaleMs: 200 });
    await server.service.ready;
    const probes = server.probeUrl as string;
    expect((await fetch(`${probes}/healthz`)).status).toBe(200);
    // execFileSync blocks this thread's event loop (no heartbeat) while a child polls the probe port until it
    // sees the failure.
    const poll = `
      const poll = async () => {
        for (;;) {
          const r = await fetch(process.argv[1] + '/healthz');
          if (r.status !== 200) return process.stdout.write(JSON.stringify({ status: r.status, body: await r.json() }));
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      };
      poll();`;
    const seen = JSON.parse(execFileSync(process.execPath, ['-e', poll, probes], { encoding: 'utf8' }));
    expect(seen.status).toBe(503);
    expect(seen.body.error.code).toBe('not_alive');
    expect(seen.body.error.message).toMatch(/event loop has not turned for \d+ ms \(limit 200 ms\)/);
    // The loop turns again: the next heartbeat makes liveness pass.
    let health = await fetch(`${probes}/healthz`);
    while (health.status !== 200) health = await fetch(`${probes}/healthz`);
    expect(health.status).toBe(200);
  });

  it('reports a busy probe port clearly and releases the service port', async () => {
    const blocker = createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      const servicePort = await freePort();
      const failure = await start({ port: servicePort, probePort: port }).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(ServerStartError);
      expect((failure as ServerStartError).code).toBe('EADDRINUSE');
      expect((failure as ServerStartError).port).toBe('probe');
      expect((failure as Error).message).toBe(`Probe port ${port} on 127.0.0.1 is already in use.`);
      // The service port was let go: a server can start on it.
      server = await start({ port: servicePort });
      expect(server.port).toBe(servicePort);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
