import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvalCase } from '../../src/evals/cases.js';
import { runCases } from '../../src/evals/runner.js';
import { askUrlFor, checkReachable, fetchTarget, httpTarget } from '../../src/evals/targets.js';
import { abstained, answered, type FakeServer, fakeHandler, startFakeServer } from './fake-service.js';

function cases(n: number): EvalCase[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `case-${i}`,
    question: `question ${i}`,
    expect: { status: 'answered' as const, answer_contains: [`word${i}`] },
    tags: [],
    file: 'x.yaml',
  }));
}

describe('HTTP target', () => {
  let server: FakeServer;
  beforeAll(async () => {
    server = await startFakeServer((question) => {
      if (question === 'slow') return { body: answered('late'), delayMs: 2000 };
      if (question === 'broken')
        return { status: 500, body: { error: { code: 'internal_error', message: 'kaput' } } };
      const n = question.split(' ')[1];
      return { body: answered(`answer word${n}`), delayMs: 200 };
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it('overlaps requests up to --concurrency, and no further', async () => {
    const target = httpTarget(server.url, { timeoutMs: 5000 });
    const before = server.requests();
    const runs = await runCases(cases(12), target, { concurrency: 4 });
    expect(server.requests() - before).toBe(12);
    expect(server.maxInFlight()).toBe(4);
    expect(runs.every((run) => run.passed)).toBe(true);
    // results keep case order whatever the completion order
    expect(runs.map((run) => run.id)).toEqual(cases(12).map((c) => c.id));
  });

  it('times a slow request out without waiting for it', async () => {
    const target = httpTarget(server.url, { timeoutMs: 150 });
    const outcome = await target.ask('slow');
    expect(outcome.kind).toBe('timeout');
  });

  it('returns HTTP error responses for scoring', async () => {
    const outcome = await httpTarget(server.url, { timeoutMs: 2000 }).ask('broken');
    expect(outcome).toMatchObject({
      kind: 'response',
      httpStatus: 500,
      body: { error: { message: 'kaput' } },
    });
  });

  it('reports a closed port as a network error, and checkReachable says so', async () => {
    const closed = await startFakeServer(() => ({ body: {} }));
    const url = closed.url;
    await closed.close();
    const outcome = await httpTarget(url, { timeoutMs: 2000 }).ask('q');
    expect(outcome.kind).toBe('network-error');
    await expect(checkReachable(url, 2000)).rejects.toMatchObject({ exitCode: 3 });
    await expect(checkReachable(server.url, 2000)).resolves.toBeUndefined();
  });
});

describe('targets and the runner', () => {
  it('builds the /v1/ask URL from a base URL and rejects non-HTTP URLs', () => {
    expect(askUrlFor('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080/v1/ask');
    expect(askUrlFor('http://host/docqa/')).toBe('http://host/docqa/v1/ask');
    expect(askUrlFor('https://host/v1/ask')).toBe('https://host/v1/ask');
    expect(() => askUrlFor('ftp://host')).toThrow(/must be an http/);
    expect(() => askUrlFor('not a url')).toThrow(/is not a URL/);
  });

  it('times out an in-process handler that never answers', async () => {
    const target = fetchTarget(() => new Promise<Response>(() => {}), 'http://in-process/v1/ask', {
      timeoutMs: 50,
      description: 'stuck',
    });
    expect((await target.ask('q')).kind).toBe('timeout');
  });

  it('repeats every case and reports progress for each run', async () => {
    const target = fetchTarget(
      fakeHandler((q) => ({ body: q.endsWith('0') ? answered('answer word0') : abstained() })),
      'http://in-process/v1/ask',
      { timeoutMs: 1000, description: 'fake' },
    );
    const seen: number[] = [];
    const runs = await runCases(cases(3), target, {
      repeat: 2,
      concurrency: 2,
      onProgress: (p) => seen.push(p.done),
    });
    expect(runs.map((r) => `${r.id}/${r.run}`)).toEqual([
      'case-0/0',
      'case-1/0',
      'case-2/0',
      'case-0/1',
      'case-1/1',
      'case-2/1',
    ]);
    expect(seen).toEqual([1, 2, 3, 4, 5, 6]);
    expect(runs.filter((r) => r.passed)).toHaveLength(2);
  });
});
