/**
 * The daemon's clock: fast during the warm-up, then the user's speed, continuous across the change, and from then on
 * the same time as `scaledClock(speed, base, anchor)` (what the CLI processes compute from the state file).
 */
import { describe, expect, it } from 'vitest';
import { type Clock, scaledClock } from '../../../src/lab/clock.js';
import { ShiftingClock } from '../../../src/lab/simulate/clock.js';
import { WARM_UP_SPEED, warmUpStart } from '../../../src/lab/simulate/daemon.js';

/** A base clock that moves only when told to, firing due timers in order. */
class ManualClock implements Clock {
  private timers: Array<{ at: number; fn: () => void; live: boolean }> = [];
  constructor(private t: number) {}
  now(): number {
    return this.t;
  }
  setTimer(ms: number, fn: () => void): () => void {
    const timer = { at: this.t + ms, fn, live: true };
    this.timers.push(timer);
    return () => {
      timer.live = false;
    };
  }
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const next = this.timers.filter((x) => x.live && x.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.t = Math.max(this.t, next.at);
      next.live = false;
      next.fn();
    }
    this.t = end;
  }
}

describe('ShiftingClock', () => {
  it('runs at one speed, then another, without a jump, and reads as scaledClock from the anchor on', () => {
    const base = new ManualClock(1_000_000);
    const clock = new ShiftingClock(60, base, 5_000_000);
    expect(clock.now()).toBe(5_000_000);
    base.advance(1_000);
    expect(clock.now()).toBe(5_060_000);
    const anchor = clock.setSpeed(20);
    expect(anchor).toEqual({ wall: 1_001_000, sim: 5_060_000 });
    expect(clock.now()).toBe(5_060_000);
    const cli = scaledClock(20, base, anchor);
    base.advance(3_000);
    expect(clock.now()).toBe(5_120_000);
    expect(cli.now()).toBe(clock.now());
  });

  it('a pending timer keeps its simulated deadline when the speed changes', () => {
    const base = new ManualClock(0);
    const clock = new ShiftingClock(60, base, 0);
    const fired: number[] = [];
    clock.setTimer(120_000, () => fired.push(clock.now()));
    base.advance(1_000); // 60 s of simulated time
    expect(fired).toEqual([]);
    clock.setSpeed(1);
    base.advance(59_000);
    expect(fired).toEqual([]);
    base.advance(1_000);
    expect(fired).toEqual([120_000]);
  });

  it('a cancelled timer never fires, and a speed must be above 0', () => {
    const base = new ManualClock(0);
    const clock = new ShiftingClock(10, base, 0);
    let fired = false;
    const cancel = clock.setTimer(1_000, () => {
      fired = true;
    });
    cancel();
    clock.setSpeed(5);
    base.advance(10_000);
    expect(fired).toBe(false);
    expect(() => clock.setSpeed(0)).toThrow(RangeError);
    // Stopped: pending timers are dropped and new ones never fire.
    let late = 0;
    clock.setTimer(1_000, () => late++);
    clock.stop();
    clock.setTimer(1_000, () => late++);
    base.advance(10_000);
    expect(late).toBe(0);
    expect(() => new ShiftingClock(-1, base)).toThrow(RangeError);
  });
});

describe('the daemon warm-up in the simulated past (warmUpStart)', () => {
  it('at --speed 1 the lab is at the wall clock when its warm-up minute ends, and stays there', () => {
    const base = new ManualClock(1_000_000);
    const clock = new ShiftingClock(1, base, warmUpStart(base.now(), 60_000, WARM_UP_SPEED));
    // Objects made at the start are stamped a minute (less the warm-up's one wall second) before `up` ran.
    expect(clock.now()).toBe(1_000_000 - 59_000);
    // The set-up (API server, manifests) takes wall time at the user's speed.
    base.advance(2500);
    clock.setSpeed(WARM_UP_SPEED);
    let warmedUp = false;
    clock.setTimer(60_000, () => {
      warmedUp = true;
    });
    base.advance(1000);
    expect(warmedUp).toBe(true);
    expect(clock.now()).toBe(base.now());
    clock.setSpeed(1);
    // A wall-time wait after the switch (Prometheus's first probe) is wall time on the lab's clock too.
    base.advance(15_000);
    expect(clock.now()).toBe(base.now());
  });

  it('at a speed above the warm-up speed the warm-up still ends at the wall clock', () => {
    const base = new ManualClock(2_000_000);
    const clock = new ShiftingClock(100, base, warmUpStart(base.now(), 60_000, 100));
    // The warm-up minute takes 600 ms of wall time at 100x.
    base.advance(600);
    expect(clock.now()).toBe(base.now());
  });
});
