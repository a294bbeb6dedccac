/**
 * The circuit breaker in front of Gemini (issue 13), against the local Gemini stub with the real SDK and an
 * injected clock: opens after N consecutive failures or one 429, honours Retry-After, sends nothing while
 * open (answers are extractive at once, with fallback_reason), lets one trial call through when half-open.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocQaApp } from '../../src/service/app.js';
import { createCircuitBreaker, parseRetryAfter } from '../../src/service/generative.js';
import { createMemoryLogger } from '../../src/service/logger.js';
import { type GeminiStub, startGeminiStub } from '../support/gemini-stub.js';
import { ask, EXAMPLE_QUESTION, fixtureCorpus, metricsText, metricValue } from './helpers.js';

let stub: GeminiStub;
let stubWithRetryAfter: GeminiStub;
beforeAll(async () => {
  stub = await startGeminiStub();
  stubWithRetryAfter = await startGeminiStub({ scenario: 'rate_limited', retryAfter: '120' });
});
afterAll(async () => {
  await stub.close();
  await stubWithRetryAfter.close();
});

async function app(target: GeminiStub, clock: { t: number }) {
  const logger = createMemoryLogger();
  const service = createDocQaApp({
    corpusDir: fixtureCorpus,
    mode: 'generative',
    logger,
    answerCacheSize: 0,
    now: () => clock.t,
    gemini: {
      apiKey: 'k',
      baseUrl: target.baseUrl,
      model: 'stub',
      breakerFailures: 3,
      breakerOpenMs: 10_000,
    },
  });
  await service.ready;
  return { ...service, logger };
}

async function askOnce(service: Awaited<ReturnType<typeof app>>) {
  const response = await ask(service, { question: EXAMPLE_QUESTION });
  expect(response.status).toBe(200);
  return (await response.json()) as { mode: string; fallback: boolean };
}

const breakerState = async (service: Awaited<ReturnType<typeof app>>) =>
  metricValue(await metricsText(service), 'docqa_generative_breaker_state');

describe('generative circuit breaker', () => {
  it('opens after N consecutive failures, calls nothing while open, half-opens after the delay', async () => {
    const clock = { t: 0 };
    const service = await app(stub, clock);
    stub.scenario = 'server_error';
    const before = stub.requests.length;
    for (let i = 0; i < 3; i++)
      expect(await askOnce(service)).toMatchObject({ mode: 'extractive', fallback: true });
    expect(stub.requests.length - before).toBe(3);
    expect(await breakerState(service)).toBe(1);

    // Open: answered from the extractive engine without a call to Gemini.
    stub.scenario = 'good';
    expect(await askOnce(service)).toMatchObject({ mode: 'extractive', fallback: true });
    expect(stub.requests.length - before).toBe(3);
    const metrics = await metricsText(service);
    expect(metricValue(metrics, 'docqa_fallback_total', { reason: 'circuit_open' })).toBe(1);
    expect(metricValue(metrics, 'docqa_fallback_total', { reason: 'http_error' })).toBe(3);

    // Still open just before the delay ends.
    clock.t = 9_999;
    await askOnce(service);
    expect(stub.requests.length - before).toBe(3);

    // Half-open: one trial call; it succeeds, so the breaker closes and answers are generative again.
    clock.t = 10_000;
    expect(await askOnce(service)).toMatchObject({ mode: 'generative', fallback: false });
    expect(stub.requests.length - before).toBe(4);
    expect(await breakerState(service)).toBe(0);
    expect(
      service.logger.entries.filter((e) => e.msg === 'generative circuit breaker').map((e) => e.state),
    ).toEqual(['open', 'half_open', 'closed']);
  });

  it('a failed trial call opens it again for another delay', async () => {
    const clock = { t: 0 };
    const service = await app(stub, clock);
    stub.scenario = 'server_error';
    for (let i = 0; i < 3; i++) await askOnce(service);
    clock.t = 10_000;
    const before = stub.requests.length;
    await askOnce(service); // the trial, fails
    expect(stub.requests.length - before).toBe(1);
    expect(await breakerState(service)).toBe(1);
    clock.t = 19_999;
    await askOnce(service);
    expect(stub.requests.length - before).toBe(1);
  });

  it('opens on a single 429 and honours its Retry-After', async () => {
    const clock = { t: 0 };
    const service = await app(stubWithRetryAfter, clock);
    const before = stubWithRetryAfter.requests.length;
    expect(await askOnce(service)).toMatchObject({ mode: 'extractive', fallback: true });
    expect(await breakerState(service)).toBe(1);
    // breakerOpenMs (10 s) has passed, but Retry-After said 120 s.
    clock.t = 60_000;
    await askOnce(service);
    expect(stubWithRetryAfter.requests.length - before).toBe(1);
    clock.t = 120_000;
    await askOnce(service);
    expect(stubWithRetryAfter.requests.length - before).toBe(2);
    const metrics = await metricsText(service);
    expect(metricValue(metrics, 'docqa_fallback_total', { reason: 'rate_limited' })).toBe(2);
    expect(metricValue(metrics, 'docqa_fallback_total', { reason: 'circuit_open' })).toBe(1);
  });

  it('a 429 without Retry-After opens it for the configured delay', async () => {
    const clock = { t: 0 };
    const service = await app(stub, clock);
    stub.scenario = 'rate_limited';
    const before = stub.requests.length;
    await askOnce(service);
    clock.t = 9_999;
    await askOnce(service);
    expect(stub.requests.length - before).toBe(1);
    clock.t = 10_000;
    await askOnce(service);
    expect(stub.requests.length - before).toBe(2);
  });

  it('lets only one trial call through while half-open', () => {
    let t = 0;
    const breaker = createCircuitBreaker({ failures: 1, openMs: 100, now: () => t });
    breaker.failure();
    expect(breaker.allow()).toBe(false);
    t = 100;
    expect(breaker.allow()).toBe(true);
    expect(breaker.allow()).toBe(false);
    breaker.success();
    expect(breaker.state()).toBe('closed');
    expect(breaker.allow()).toBe(true);
  });

  it('reads Retry-After as seconds or an HTTP date, clamped to 10 minutes', () => {
    expect(parseRetryAfter('30')).toBe(30_000);
    expect(
      parseRetryAfter('Wed, 21 Oct 2015 07:28:30 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')),
    ).toBe(30_000);
    expect(parseRetryAfter('99999')).toBe(600_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});
