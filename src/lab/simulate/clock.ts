/**
 * The simulated lab daemon's clock: the wall clock times a speed whose speed can change, continuously. The daemon
 * warms the lab up fast (the minute of simulated time in which pods start and controllers settle passes in about a
 * second of wall time), then switches to the user's `--speed`; from that moment on it reads exactly as
 * `scaledClock(speed, base, anchor)` with the anchor `setSpeed` returns, which is what the state file records so the
 * CLI processes read the same simulated time. Pending timers keep their simulated deadline across a change.
 */
import { type Clock, type ClockAnchor, systemClock } from '../clock.js';

interface Pending {
  due: number;
  fn: () => void;
  cancel: () => void;
}

export class ShiftingClock implements Clock {
  private wall: number;
  private sim: number;
  private readonly pending = new Set<Pending>();
  private stopped = false;

  constructor(
    private speed: number,
    private readonly base: Clock = systemClock,
    start: number = base.now(),
  ) {
    if (!(speed > 0)) throw new RangeError(`speed must be above 0, got ${speed}`);
    this.wall = base.now();
    this.sim = start;
  }

  now(): number {
    return this.sim + (this.base.now() - this.wall) * this.speed;
  }

  setTimer(ms: number, fn: () => void): () => void {
    if (this.stopped) return () => {};
    const timer: Pending = { due: this.now() + Math.max(0, ms), fn, cancel: () => {} };
    this.pending.add(timer);
    this.arm(timer);
    return () => {
      timer.cancel();
      this.pending.delete(timer);
    };
  }

  private arm(timer: Pending): void {
    timer.cancel = this.base.setTimer(Math.max(0, timer.due - this.now()) / this.speed, () => {
      this.pending.delete(timer);
      timer.fn();
    });
  }

  /** Cancels every pending timer and ignores new ones, so a closed lab's process can exit at once. */
  stop(): void {
    this.stopped = true;
    for (const timer of this.pending) timer.cancel();
    this.pending.clear();
  }

  /** From now on simulated time runs `speed` times the base clock; returns the anchor of that new leg. */
  setSpeed(speed: number): ClockAnchor {
    if (!(speed > 0)) throw new RangeError(`speed must be above 0, got ${speed}`);
    const sim = this.now();
    this.wall = this.base.now();
    this.sim = sim;
    this.speed = speed;
    for (const timer of this.pending) {
      timer.cancel();
      this.arm(timer);
    }
    return { wall: this.wall, sim: this.sim };
  }
}
