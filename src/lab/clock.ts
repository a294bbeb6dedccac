/**
 * Time, injected. Everything in the lab that waits, samples, times out or stamps a time takes a Clock, so the same
 * code runs on the wall clock (a real lab), on the wall clock times a speed (`up --simulate --speed N`) and on a
 * virtual clock (tests: src/lab/sim/clock.ts), where a drill's real minutes pass in milliseconds.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `fn` once after `ms`; returns a function that cancels it. */
  setTimer(ms: number, fn: () => void): () => void;
}

/** Thrown by `sleep` when its signal aborts. */
export class SleepAbortedError extends Error {
  constructor() {
    super('aborted');
  }
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    const timer = setTimeout(fn, Math.max(0, ms));
    return () => clearTimeout(timer);
  },
};

/** Where a scaled clock's time starts: at `base` time `wall` it reads `sim` (both default to the moment it is made). */
export interface ClockAnchor {
  wall: number;
  sim: number;
}

/**
 * The wall clock run `speed` times faster: `now()` advances `speed` ms per real ms, and a timer of `ms` fires after
 * `ms / speed` real ms (for `up --simulate --speed N`). Two processes that share an `anchor` (the simulated lab's
 * daemon and the CLI talking to it) read the same simulated time.
 */
export function scaledClock(speed: number, base: Clock = systemClock, anchor?: ClockAnchor): Clock {
  if (!(speed > 0)) throw new RangeError(`speed must be above 0, got ${speed}`);
  const wall = anchor?.wall ?? base.now();
  const sim = anchor?.sim ?? wall;
  return {
    now: () => sim + (base.now() - wall) * speed,
    setTimer: (ms, fn) => base.setTimer(ms / speed, fn),
  };
}

/** Resolves after `ms` on `clock`, or rejects with `onAbort()` (SleepAbortedError by default) when `signal` aborts. */
export function sleep(
  clock: Clock,
  ms: number,
  signal?: AbortSignal,
  onAbort: () => Error = () => new SleepAbortedError(),
): Promise<void> {
  if (signal?.aborted) return Promise.reject(onAbort());
  return new Promise((resolve, reject) => {
    const abort = () => {
      cancel();
      reject(onAbort());
    };
    const cancel = clock.setTimer(Math.max(0, ms), () => {
      signal?.removeEventListener('abort', abort);
      resolve();
    });
    signal?.addEventListener('abort', abort, { once: true });
  });
}

/** An AbortSignal that aborts after `ms` on `clock` (AbortSignal.timeout, for any clock), and a cancel for its timer. */
export function timeoutSignal(clock: Clock, ms: number): { signal: AbortSignal; cancel: () => void } {
  if (clock === systemClock) return { signal: AbortSignal.timeout(ms), cancel: () => {} };
  const controller = new AbortController();
  const cancel = clock.setTimer(ms, () =>
    controller.abort(new DOMException('The operation timed out.', 'TimeoutError')),
  );
  return { signal: controller.signal, cancel };
}
