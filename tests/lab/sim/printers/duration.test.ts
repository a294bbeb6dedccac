/**
 * src/lab/sim/printers/duration.ts against the rules of apimachinery pkg/util/duration HumanDuration (Kubernetes
 * v1.33): the boundaries where the format changes unit, clock skew, and order.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { humanDuration, since } from '../../../../src/lab/sim/printers/duration.js';

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;
const y = 365 * d;

describe('humanDuration', () => {
  it.each([
    [0, '0s'],
    [1 * s, '1s'],
    [119 * s, '119s'],
    [2 * m, '2m'],
    [2 * m + 30 * s, '2m30s'],
    [9 * m + 59 * s, '9m59s'],
    [10 * m, '10m'],
    [10 * m + 59 * s, '10m'],
    [179 * m, '179m'],
    [3 * h, '3h'],
    [3 * h + 30 * m, '3h30m'],
    [7 * h + 59 * m, '7h59m'],
    [8 * h, '8h'],
    [47 * h + 59 * m, '47h'],
    [48 * h, '2d'],
    [2 * d + 12 * h, '2d12h'],
    [7 * d + 23 * h, '7d23h'],
    [8 * d, '8d'],
    [729 * d, '729d'],
    [2 * y, '2y'],
    [2 * y + 1 * d, '2y1d'],
    [7 * y + 364 * d, '7y364d'],
    [8 * y, '8y'],
    [9 * y + 100 * d, '9y'],
  ])('%i ms reads %s', (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });

  it('tolerates up to a second of clock skew ("0s"), then says "<invalid>"', () => {
    expect(humanDuration(-999)).toBe('0s');
    expect(humanDuration(-1999)).toBe('0s');
    expect(humanDuration(-2000)).toBe('<invalid>');
  });

  it('never goes backwards as time passes, and is never negative or <invalid> from zero on (property)', () => {
    // The order of the text: which unit, then its numbers. A longer duration never reads as a shorter one.
    const rank = (text: string) => {
      const units = ['s', 'm', 'h', 'd', 'y'];
      const parts = [...text.matchAll(/(\d+)([smhdy])/g)].map(([, n, u]) => [
        Number(n),
        units.indexOf(u ?? ''),
      ]);
      const [[first = 0, unit = 0] = [], [second = 0, smaller = 0] = []] = parts;
      const scale = [1, 60, 3600, 86400, 31536000];
      return first * (scale[unit] ?? 0) + second * (scale[smaller] ?? 0);
    };
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20 * y }), fc.integer({ min: 0, max: 5 * y }), (a, delta) => {
        const early = humanDuration(a);
        const late = humanDuration(a + delta);
        expect(early).toMatch(/^(\d+[smhdy]){1,2}$/);
        expect(late).not.toBe('<invalid>');
        expect(rank(late)).toBeGreaterThanOrEqual(rank(early));
      }),
      { numRuns: 500 },
    );
  });
});

describe('since', () => {
  it('is "<unknown>" without a timestamp, the age at the given clock otherwise', () => {
    const now = Date.UTC(2026, 0, 1, 0, 10);
    expect(since(undefined, now)).toBe('<unknown>');
    expect(since('', now)).toBe('<unknown>');
    expect(since('2026-01-01T00:07:30Z', now)).toBe('2m30s');
  });
});
