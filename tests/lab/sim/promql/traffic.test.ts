/**
 * The eval replay's requests shared by the doc-QA pods of its hash that run at the time: none lost while a pod runs,
 * none counted twice, whatever pods come and go (property), and what an hour-old window gave stays counted.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ScrapedPod } from '../../../../src/lab/sim/promql/lab-series.js';
import { sharedSeconds, TrafficLedger } from '../../../../src/lab/sim/promql/traffic.js';

const behaviour = { grounded: 1, abstain: 0, errors: 0, p95Seconds: 0.05 };
const pod = (key: string, startMs: number, goneMs?: number): ScrapedPod => ({
  key,
  name: key,
  hash: 'a',
  ip: '10.244.0.5',
  startMs,
  down: [],
  behaviour,
  ...(goneMs === undefined ? {} : { goneMs }),
});

describe('sharedSeconds', () => {
  it('splits a window between the pods running in each stretch of it', () => {
    const pods = [pod('p1', 0), pod('p2', 30_000, 60_000)];
    const w = { hash: 'a', from: 0, to: 90_000 };
    // p1 alone for 30 s, with p2 for 30 s, alone again for 30 s.
    expect(sharedSeconds(w, pods[0] as ScrapedPod, pods, 90_000, 90_000)).toBe(30 + 15 + 30);
    expect(sharedSeconds(w, pods[1] as ScrapedPod, pods, 90_000, 90_000)).toBe(15);
    // Up to 45 s only.
    expect(sharedSeconds(w, pods[1] as ScrapedPod, pods, 45_000, 90_000)).toBe(7.5);
  });

  it('gives out every second in which some pod runs, once (property)', () => {
    const lifetime = fc
      .tuple(
        fc.integer({ min: 0, max: 100 }),
        fc.option(fc.integer({ min: 1, max: 100 }), { nil: undefined }),
      )
      .map(
        ([start, length]) =>
          [start * 1000, length === undefined ? undefined : (start + length) * 1000] as const,
      );
    fc.assert(
      fc.property(
        fc.array(lifetime, { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 0, max: 150 }),
        fc.integer({ min: 1, max: 100 }),
        (lifetimes, from, length) => {
          const pods = lifetimes.map(([start, gone], i) => pod(`p${i}`, start, gone));
          const w = { hash: 'a', from: from * 1000, to: (from + length) * 1000 };
          const now = 300_000;
          const given = pods.reduce((sum, p) => sum + sharedSeconds(w, p, pods, now, now), 0);
          // The seconds of the window in which some pod ran, counted second by second (all times are whole seconds).
          let covered = 0;
          for (let t = w.from; t < w.to; t += 1000)
            if (pods.some((p) => p.startMs <= t && (p.goneMs === undefined || t < p.goneMs))) covered++;
          expect(given).toBeCloseTo(covered, 9);
        },
      ),
    );
  });
});

describe('TrafficLedger', () => {
  it('drops a window an hour after it ended and keeps what it gave each pod', () => {
    const windows = [{ hash: 'a', from: 0, to: 60_000 }];
    const ledger = new TrafficLedger(windows, 3_600_000);
    const pods = [pod('p1', 0), pod('p2', 0)];
    const now = 3_700_000;
    expect(ledger.secondsTo(pods[0] as ScrapedPod, pods, now, now)).toBe(30);
    ledger.trim(pods, now);
    expect(windows).toEqual([]);
    expect(ledger.secondsTo(pods[0] as ScrapedPod, pods, now, now)).toBe(30);
    // A pod no longer listed is forgotten.
    ledger.trim([pods[1] as ScrapedPod], now);
    expect(ledger.secondsTo(pods[0] as ScrapedPod, pods, now, now)).toBe(0);
    expect(ledger.secondsTo(pods[1] as ScrapedPod, pods, now, now)).toBe(30);
  });
});
