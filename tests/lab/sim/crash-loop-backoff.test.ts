/**
 * The kubelet's crash-loop back-off entry (client-go util/flowcontrol/backoff.go, as pkg/kubelet/kubelet.go sets it up
 * in v1.33: 10 s doubling to 300 s, forgotten after 600 s) and the questions kuberuntime_manager.go doBackOff asks it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CrashLoopBackOff } from '../../../src/lab/sim/crash-loop-backoff.js';

/** A back-off on a clock the test moves. */
function backOff() {
  let now = 0;
  const b = new CrashLoopBackOff(() => now);
  return { b, at: (ms: number) => (now = ms), now: () => now };
}

describe('the crash-loop back-off entry (flowcontrol.Backoff with the kubelet’s settings)', () => {
  it('a container with no entry is never in back-off: its first exit is restarted at once', () => {
    const { b, at } = backOff();
    at(5000);
    expect(b.isInBackOffSince('c', 4999)).toBe(false);
    expect(b.get('c')).toBe(0);
  });

  it('Next records 10 s from the restart; the exit is in back-off for strictly less than the window', () => {
    const { b, at } = backOff();
    at(1000);
    b.next('c', 900);
    expect(b.get('c')).toBe(10_000);
    // The run ends at 2 s: refused until 12 s, not at 12 s.
    at(11_999);
    expect(b.isInBackOffSince('c', 2000)).toBe(true);
    at(12_000);
    expect(b.isInBackOffSince('c', 2000)).toBe(false);
  });

  it('each container has its own entry', () => {
    const { b, at } = backOff();
    at(1000);
    b.next('a', 0);
    b.next('a', 0);
    b.next('b', 0);
    expect([b.get('a'), b.get('b')]).toEqual([20_000, 10_000]);
  });

  it('an entry updated more than 600 s before the exit asked about is expired: not in back-off, and Next starts over', () => {
    const { b, at } = backOff();
    at(0);
    for (let i = 0; i < 5; i++) b.next('c', 0);
    expect(b.get('c')).toBe(160_000);
    at(600_500);
    expect(b.isInBackOffSince('c', 600_000)).toBe(true);
    expect(b.isInBackOffSince('c', 600_001)).toBe(false);
    b.next('c', 600_001);
    expect(b.get('c')).toBe(10_000);
  });

  it('GC drops entries not updated for more than 600 s, and only those', () => {
    const { b, at } = backOff();
    at(0);
    b.next('old', 0);
    at(100_000);
    b.next('new', 100_000);
    at(600_001);
    b.gc();
    expect([b.get('old'), b.get('new')]).toEqual([0, 10_000]);
  });

  it('property: restarts within 600 s of each other double the window from 10 s up to the 300 s cap; a longer gap starts over', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 900_000 }), { minLength: 1, maxLength: 30 }), (gaps) => {
        const { b, at, now } = backOff();
        let expected = 0;
        let lastUpdate = Number.NEGATIVE_INFINITY;
        for (const gap of gaps) {
          at(now() + gap);
          const fresh = now() - lastUpdate > 600_000;
          expected = fresh ? 10_000 : Math.min(expected * 2, 300_000);
          b.next('c', now());
          lastUpdate = now();
          expect(b.get('c')).toBe(expected);
          expect([10_000, 20_000, 40_000, 80_000, 160_000, 300_000]).toContain(b.get('c'));
        }
      }),
    );
  });

  it('property: an exit is refused exactly while less than the window has passed since it, unless the entry expired', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 0, max: 700_000 }),
        fc.integer({ min: 0, max: 400_000 }),
        (restarts, runMs, sinceExitMs) => {
          const { b, at } = backOff();
          at(0);
          for (let i = 0; i < restarts; i++) b.next('c', 0);
          const window = b.get('c');
          const finishedAt = runMs;
          at(finishedAt + sinceExitMs);
          expect(b.isInBackOffSince('c', finishedAt)).toBe(runMs <= 600_000 && sinceExitMs < window);
        },
      ),
    );
  });
});
