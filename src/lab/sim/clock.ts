/**
 * A virtual clock for the simulation: time does not flow, it jumps from one timer to the next, and only when every
 * party is waiting. Tests run a drill's real 1x minutes in milliseconds, with the same result on an idle and on an
 * overloaded machine, because no rule depends on how fast the machine is.
 *
 * When may time jump? The parties are the code under test (the drill engine, `up`) talking HTTP to the in-memory
 * API server, and the controller models, which run synchronously inside timer callbacks. Time jumps to the next timer
 * only when
 *   - nothing holds the clock: no API request is being served (the server holds it from request to response), and
 *     no `hold()` is open (a test or wiring wraps other real work in it, e.g. a `git push` to a real repository);
 *   - the event loop has gone round `quietTurns` times with no activity (no timer set, no hold taken or released):
 *     a response written on loopback is read by the client in the next poll phase, and the code that gets it then
 *     either sends the next request (a hold) or sleeps (a timer), so a few quiet turns mean everyone is waiting.
 * Timers due at the same instant fire in the order they were set.
 *
 * Time also needs a reason to move: someone waiting on it. The simulation's models run on `background()`, whose
 * timers fire in turn but never make time move on their own; the code under test (a drill's sleeps and time
 * limits, `up`'s waits, a test's `sleep`) sets foreground timers. Between two drills, or while a test reads a file,
 * the lab stands still instead of racing ahead by however many model ticks the real pause allowed.
 */
import type { Clock } from '../clock.js';

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
  foreground: boolean;
}

export interface VirtualClockOptions {
  /** The virtual time at start, ms since the epoch (default 2026-01-01T00:00:00Z). */
  start?: number;
  /** Event-loop turns with no activity before time may jump (default 3). */
  quietTurns?: number;
  /** Stand still while the process has a connect, DNS lookup, file operation or child process under way (default true). */
  waitForIo?: boolean;
}

/** Libuv handles and requests that mean real work is under way (process.getActiveResourcesInfo). */
const realWork = new Set([
  'ConnectWrap',
  'GetAddrInfoReqWrap',
  'FSReqCallback',
  'FSReqPromise',
  'ProcessWrap',
]);
const ioUnderWay = () => process.getActiveResourcesInfo().some((r) => realWork.has(r));

export class VirtualClock implements Clock {
  private t: number;
  private seq = 0;
  private timers: Timer[] = [];
  private holds = 0;
  private busySources: Array<() => boolean> = [];
  private activity = 0;
  private seenActivity = -1;
  private quiet = 0;
  private scheduled = false;
  private stopped = false;
  private readonly quietTurns: number;

  constructor(options: VirtualClockOptions = {}) {
    this.t = options.start ?? Date.UTC(2026, 0, 1);
    this.quietTurns = options.quietTurns ?? 3;
    if (options.waitForIo ?? true) this.busySources.push(ioUnderWay);
  }

  now(): number {
    return this.t;
  }

  setTimer(ms: number, fn: () => void): () => void {
    return this.add(ms, fn, true);
  }

  /** The same clock for the simulation's models: their timers fire in order but are no reason for time to move. */
  background(): Clock {
    return { now: () => this.now(), setTimer: (ms, fn) => this.add(ms, fn, false) };
  }

  private add(ms: number, fn: () => void, foreground: boolean): () => void {
    const timer: Timer = { at: this.t + Math.max(0, ms), seq: this.seq++, fn, foreground };
    this.timers.push(timer);
    this.touch();
    return () => {
      const i = this.timers.indexOf(timer);
      if (i >= 0) this.timers.splice(i, 1);
    };
  }

  /** Holds time still until `work` settles (real work the clock cannot see, such as a child process). */
  async hold<T>(work: Promise<T> | (() => Promise<T>)): Promise<T> {
    this.holds++;
    this.touch();
    try {
      return await (typeof work === 'function' ? work() : work);
    } finally {
      this.holds--;
      this.touch();
    }
  }

  /** Time stands still while `busy()` is true (the API server registers its in-flight requests here). */
  addBusySource(busy: () => boolean): () => void {
    this.busySources.push(busy);
    return () => {
      this.busySources = this.busySources.filter((b) => b !== busy);
    };
  }

  /** Something happened: the quiet count starts again. */
  touch(): void {
    this.activity++;
    this.schedule();
  }

  /** Moves time forward by `ms` at once, firing every timer due on the way (for tests that drive time by hand). */
  advance(ms: number): void {
    const until = this.t + ms;
    for (let next = this.nextTimer(); next && next.at <= until; next = this.nextTimer()) this.fire(next);
    this.t = until;
  }

  /** Stops the clock: no timer fires any more (call it when the simulation ends). */
  stop(): void {
    this.stopped = true;
    this.timers = [];
  }

  /** Timers waiting, for tests. */
  get pending(): number {
    return this.timers.length;
  }

  private nextTimer(): Timer | undefined {
    let best: Timer | undefined;
    for (const timer of this.timers)
      if (!best || timer.at < best.at || (timer.at === best.at && timer.seq < best.seq)) best = timer;
    return best;
  }

  private fire(timer: Timer): void {
    this.timers.splice(this.timers.indexOf(timer), 1);
    if (timer.at > this.t) this.t = timer.at;
    timer.fn();
  }

  private schedule(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => this.tick());
  }

  private tick(): void {
    this.scheduled = false;
    if (this.stopped || !this.timers.some((t) => t.foreground)) return;
    if (this.holds > 0 || this.busySources.some((busy) => busy())) {
      // Whoever holds the clock touches it on release; the busy sources are polled.
      this.quiet = 0;
      this.seenActivity = this.activity;
      setTimeout(() => this.schedule(), 1);
      return;
    }
    if (this.activity !== this.seenActivity) {
      this.seenActivity = this.activity;
      this.quiet = 0;
      this.schedule();
      return;
    }
    if (++this.quiet < this.quietTurns) {
      this.schedule();
      return;
    }
    this.quiet = 0;
    const next = this.nextTimer();
    if (next) this.fire(next);
    this.touch();
  }
}
