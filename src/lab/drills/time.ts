/** Sleeping that an AbortSignal can cut short, on an injected clock (src/lab/clock.ts). */
import { type Clock, sleep, systemClock } from '../clock.js';

export class AbortedError extends Error {
  constructor() {
    super('aborted');
  }
}

/** Resolves after `ms` on `clock`, or rejects with AbortedError as soon as the signal aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal, clock: Clock = systemClock): Promise<void> {
  return sleep(clock, ms, signal, () => new AbortedError());
}
