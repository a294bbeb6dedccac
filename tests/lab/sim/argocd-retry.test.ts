/**
 * The retry strategy of a simulated Argo CD sync operation (src/lab/sim/argocd-retry.ts), with the cases of Argo CD
 * v3.1.12's own tests (pkg/apis/application/v1alpha1/types_test.go TestRetryStrategy_NextRetryAtDefaultBackoff,
 * TestRetryStrategy_NextRetryAtCustomBackoff) and the time layout of its retry message (Go's time.Kitchen).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kitchen, nextRetryAt } from '../../../src/lab/sim/argocd-retry.js';

const now = Date.UTC(2026, 11, 5, 13, 0, 0);
const waitFor = (strategy: Parameters<typeof nextRetryAt>[0], retries: number) => {
  const next = nextRetryAt(strategy, now, retries);
  if ('error' in next) throw new Error(next.error);
  return next.at - now;
};

describe('RetryStrategy.NextRetryAt', () => {
  it('defaults: 5 s doubling, at most 3 minutes (TestRetryStrategy_NextRetryAtDefaultBackoff)', () => {
    const expected: Array<[number, number]> = [
      [0, 5_000],
      [1, 10_000],
      [2, 20_000],
      [3, 40_000],
      [4, 80_000],
      [80, 180_000],
      [100, 180_000],
    ];
    for (const [retries, ms] of expected) expect(waitFor({}, retries)).toBe(ms);
    expect(waitFor(undefined, 0)).toBe(5_000);
  });

  it('a custom backoff: 2 s, factor 3, at most 1 m (TestRetryStrategy_NextRetryAtCustomBackoff)', () => {
    const strategy = { backoff: { duration: '2s', factor: 3, maxDuration: '1m' } };
    expect([0, 1, 2, 3, 4].map((n) => waitFor(strategy, n))).toEqual([2_000, 6_000, 18_000, 54_000, 60_000]);
  });

  it('a bare number is seconds; Go durations are read whole; anything else is an error naming it', () => {
    expect(waitFor({ backoff: { duration: '10', factor: 1 } }, 3)).toBe(10_000);
    expect(waitFor({ backoff: { duration: '1m30s', factor: 1 } }, 0)).toBe(90_000);
    expect(waitFor({ backoff: { duration: '10s', factor: 2, maxDuration: '2m' } }, 4)).toBe(120_000);
    expect(nextRetryAt({ backoff: { duration: 'soon' } }, now, 0)).toEqual({
      error: 'unable to parse soon as a duration',
    });
    expect(nextRetryAt({ backoff: { maxDuration: '5 minutes' } }, now, 0)).toEqual({
      error: 'unable to parse 5 minutes as a duration',
    });
  });

  it('never waits less for a later retry, nor longer than maxDuration (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 600 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 3600 }),
        fc.integer({ min: 0, max: 60 }),
        (duration, factor, max, retries) => {
          const strategy = { backoff: { duration: String(duration), factor, maxDuration: `${max}s` } };
          const wait = waitFor(strategy, retries);
          expect(wait).toBeLessThanOrEqual(max * 1000);
          expect(waitFor(strategy, retries + 1)).toBeGreaterThanOrEqual(wait);
        },
      ),
    );
  });
});

describe("time.Kitchen, as the retry message shows the time ('3:04PM')", () => {
  it('12-hour clock without a leading zero, minutes with one, AM/PM, in UTC', () => {
    expect(kitchen(Date.UTC(2026, 0, 1, 15, 4))).toBe('3:04PM');
    expect(kitchen(Date.UTC(2026, 0, 1, 0, 0))).toBe('12:00AM');
    expect(kitchen(Date.UTC(2026, 0, 1, 12, 30))).toBe('12:30PM');
    expect(kitchen(Date.UTC(2026, 0, 1, 9, 59, 59))).toBe('9:59AM');
  });
});
