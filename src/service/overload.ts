/**
 * Overload protection for POST /v1/ask.
 *
 * - A bound on asks in flight: beyond it an ask is refused at once with 503 + Retry-After (load shedding),
 *   so a burst costs a few microseconds per refused request instead of a growing queue.
 * - Turns: the CPU-bound part of an ask (retrieval and answer extraction) runs in the event loop's check
 *   phase, a slice of at most `sliceMs` per loop iteration, never inside the poll phase. Between slices the
 *   loop polls sockets, so /healthz and /readyz (answered as soon as they are parsed, see server.ts) and
 *   signals are never queued behind a pile of asks.
 */

export interface AskGateOptions {
  /** Asks admitted at once (reading the body, waiting for a turn, answering). */
  maxInFlight: number;
  /**
   * CPU time the asks get per event-loop iteration before the loop polls sockets again: as long as the loop
   * spent elsewhere since the last slice (half the CPU each way under load), at least `sliceMs` (default
   * 5 ms) and at most `maxSliceMs` (default 50 ms), which bounds how long a health probe can wait for it.
   */
  sliceMs?: number;
  maxSliceMs?: number;
  /**
   * Longest wait for a turn (default 2 s): an ask that waited longer is shed then (503) rather than answered
   * late, so a starved process (CPU throttled, a noisy neighbour) sheds instead of letting clients time out.
   */
  maxWaitMs?: number;
  /** Injected clock (ms); default performance.now. */
  now?: () => number;
}

export interface AskGate {
  readonly maxInFlight: number;
  inFlight(): number;
  /** Takes a place if one is free; false means shed the ask. Every true must be matched by one leave(). */
  tryEnter(): boolean;
  leave(): void;
  /**
   * Resolves when this ask may compute: true, or false when it waited over maxWaitMs (shed it). The code
   * after `await gate.turn()` runs synchronously before the next turn is granted, so it should do its CPU
   * work before its next await.
   */
  turn(): Promise<boolean>;
}

export const DEFAULT_SLICE_MS = 5;
export const DEFAULT_MAX_SLICE_MS = 50;
export const DEFAULT_MAX_WAIT_MS = 2000;

export function createAskGate(options: AskGateOptions): AskGate {
  const { maxInFlight } = options;
  const sliceMs = options.sliceMs ?? DEFAULT_SLICE_MS;
  const maxSliceMs = Math.max(sliceMs, options.maxSliceMs ?? DEFAULT_MAX_SLICE_MS);
  const now = options.now ?? (() => performance.now());
  let inFlight = 0;
  const maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
  const waiting: Array<{ since: number; resolve: (granted: boolean) => void }> = [];
  let scheduled = false;
  let sliceStart = 0;
  let sliceEnd = 0;
  let budget = sliceMs;

  // Grants one waiting turn; its continuation (a microtask queued by resolve) runs before the microtask this
  // queues, so the time check below sees the CPU the previous ask used.
  const grant = (): void => {
    const next = waiting.shift();
    if (!next) {
      scheduled = false;
      sliceEnd = now();
      return;
    }
    next.resolve(now() - next.since <= maxWaitMs);
    queueMicrotask(() => {
      if (waiting.length === 0) {
        scheduled = false;
        sliceEnd = now();
      } else if (now() - sliceStart < budget) {
        grant();
      } else {
        // Budget spent: let the loop poll sockets (health probes) before the next slice.
        sliceEnd = now();
        setImmediate(startSlice);
      }
    });
  };
  const startSlice = (): void => {
    sliceStart = now();
    budget = Math.min(maxSliceMs, Math.max(sliceMs, sliceStart - sliceEnd));
    grant();
  };

  return {
    maxInFlight,
    inFlight: () => inFlight,
    tryEnter() {
      if (inFlight >= maxInFlight) return false;
      inFlight++;
      return true;
    },
    leave() {
      if (inFlight > 0) inFlight--;
    },
    turn() {
      return new Promise<boolean>((resolve) => {
        waiting.push({ since: now(), resolve });
        if (!scheduled) {
          scheduled = true;
          setImmediate(startSlice);
        }
      });
    },
  };
}
