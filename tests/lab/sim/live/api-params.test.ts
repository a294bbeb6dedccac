/**
 * The range query parameters of the simulated Prometheus' HTTP facade, as Prometheus 2.42.0 (Debian 12's) reads them.
 * Cases from prometheus/prometheus v2.42.0 web/api/v1/api_test.go: TestParseTime, TestParseDuration and the
 * queryRange cases of TestEndpoints (time() from 0 to 2 at step 1; missing start, end or step; step 0; start after
 * end); the 11,000-point limit and its words from web/api/v1/api.go queryRange.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BadDataError,
  MAX_POINTS,
  parseDuration,
  parseTime,
  rangeSteps,
} from '../../../../src/lab/sim/live/api-params.js';

const ns = (ms: number) => BigInt(ms) * 1_000_000n;
const form = (values: Record<string, string>) => new URLSearchParams(values);

describe('parseTime (TestParseTime)', () => {
  it('reads unix seconds (rounded to the millisecond) and RFC 3339, and refuses the rest', () => {
    const ts = ns(Date.parse('2015-06-03T13:21:58.555Z'));
    expect(parseTime('123')).toBe(123_000_000_000n);
    expect(parseTime('123.123')).toBe(123_123_000_000n);
    expect(parseTime('2015-06-03T13:21:58.555Z')).toBe(ts);
    expect(parseTime('2015-06-03T14:21:58.555+01:00')).toBe(ts);
    expect(parseTime('1543578564.705')).toBe(1_543_578_564_705_000_000n);
    expect(parseTime('2015-06-03T13:21:58.123456789Z')).toBe(
      ns(Date.parse('2015-06-03T13:21:58Z')) + 123_456_789n,
    );
    for (const bad of ['', 'abc', '30s', '2015-02-30T00:00:00Z', '2015-06-03T24:00:00Z'])
      expect(() => parseTime(bad), bad).toThrow(`cannot parse ${JSON.stringify(bad)} to a valid timestamp`);
  });

  it('reads back any instant written as RFC 3339 or as unix seconds with milliseconds (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -62_135_596_800_000, max: 253_402_300_799_999 }), (ms) => {
        expect(parseTime(new Date(ms).toISOString())).toBe(ns(ms));
        expect(parseTime((ms / 1000).toFixed(3))).toBe(ns(ms));
      }),
    );
  });
});

describe('parseDuration (TestParseDuration)', () => {
  it('reads seconds and Prometheus durations; refuses the rest, and an int64 overflow in its own words', () => {
    expect(parseDuration('123')).toBe(123_000_000_000n);
    expect(parseDuration('123.333')).toBe(123_333_000_000n);
    expect(parseDuration('15s')).toBe(15_000_000_000n);
    expect(parseDuration('5m')).toBe(300_000_000_000n);
    for (const bad of ['', 'abc', '2015-06-03T13:21:58.555Z'])
      expect(() => parseDuration(bad)).toThrow(`cannot parse ${JSON.stringify(bad)} to a valid duration`);
    for (const big of ['-148966367200.372', '148966367200.372'])
      expect(() => parseDuration(big)).toThrow(
        `cannot parse ${JSON.stringify(big)} to a valid duration. It overflows int64`,
      );
  });
});

describe('rangeSteps (queryRange)', () => {
  it('evaluates from start to end inclusive, a step apart', () => {
    expect(rangeSteps(form({ start: '0', end: '2', step: '1' }))).toEqual([0, 1000, 2000]);
    expect(
      rangeSteps(form({ start: '1970-01-01T00:00:00Z', end: '1970-01-01T00:01:00Z', step: '30s' })),
    ).toEqual([0, 30_000, 60_000]);
    expect(rangeSteps(form({ start: '0', end: '0', step: '15' }))).toEqual([0]);
  });

  it('refuses a missing start, end or step, a step of 0 and an end before the start, in Prometheus words', () => {
    const error = (values: Record<string, string>) => {
      try {
        rangeSteps(form(values));
      } catch (e) {
        expect(e).toBeInstanceOf(BadDataError);
        return (e as Error).message;
      }
      throw new Error('no error');
    };
    expect(error({ end: '2', step: '1' })).toBe(
      'invalid parameter "start": cannot parse "" to a valid timestamp',
    );
    expect(error({ start: '0', step: '1' })).toBe(
      'invalid parameter "end": cannot parse "" to a valid timestamp',
    );
    expect(error({ start: '0', end: '2' })).toBe(
      'invalid parameter "step": cannot parse "" to a valid duration',
    );
    expect(error({ start: '1', end: '2', step: '0' })).toBe(
      'invalid parameter "step": zero or negative query resolution step widths are not accepted. Try a positive integer',
    );
    expect(error({ start: '2', end: '1', step: '1' })).toBe(
      'invalid parameter "end": end timestamp must not be before start time',
    );
    expect(error({ start: '148966367200.372', end: '1489667272.372', step: '1' })).toBe(
      'invalid parameter "end": end timestamp must not be before start time',
    );
    expect(error({ start: '0', end: '1', step: '1', timeout: 'soon' })).toBe(
      'invalid parameter "timeout": cannot parse "soon" to a valid duration',
    );
  });

  it('allows 11,000 steps per series and refuses more, with Prometheus error', () => {
    expect(rangeSteps(form({ start: '0', end: String(MAX_POINTS), step: '1' }))).toHaveLength(MAX_POINTS + 1);
    // Go's integer division of durations: 11,000 and a half steps still pass.
    expect(rangeSteps(form({ start: '0', end: '11000.5', step: '1' }))).toHaveLength(MAX_POINTS + 1);
    expect(() => rangeSteps(form({ start: '0', end: '11001', step: '1' }))).toThrow(
      'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)',
    );
    expect(() => rangeSteps(form({ start: '0', end: '7d', step: '60' }))).toThrow(/valid timestamp/);
    // A week at 60 s is within the limit (the comment in api.go), a week at 30 s is not.
    expect(rangeSteps(form({ start: '0', end: String(7 * 86_400), step: '1m' }))).toHaveLength(10_081);
    expect(() => rangeSteps(form({ start: '0', end: String(7 * 86_400), step: '30s' }))).toThrow(/11,000/);
  });

  it('gives floor((end - start) / step) + 1 times, step apart, none after the end (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2_000_000_000_000 }),
        fc.integer({ min: 0, max: 3_600_000 }),
        fc.integer({ min: 1, max: 600_000 }),
        (startMs, spanMs, stepMs) => {
          fc.pre(Math.floor(spanMs / stepMs) <= MAX_POINTS);
          const times = rangeSteps(
            form({
              start: (startMs / 1000).toFixed(3),
              end: ((startMs + spanMs) / 1000).toFixed(3),
              step: `${stepMs}ms`,
            }),
          );
          expect(times).toHaveLength(Math.floor(spanMs / stepMs) + 1);
          expect(times[0]).toBe(startMs);
          expect(times.every((t, i) => i === 0 || t - (times[i - 1] as number) === stepMs)).toBe(true);
          expect(times.at(-1) as number).toBeLessThanOrEqual(startMs + spanMs);
        },
      ),
    );
  });
});
