/**
 * An Argo CD v3.1.12 sync operation's retry strategy (pkg/apis/application/v1alpha1/types.go RetryStrategy,
 * NextRetryAt, parseStringToDuration; defaults in application_defaults.go): after a failed attempt the next one is
 * due `duration × factor^retries` later (5 s, factor 2 by default), at most `maxDuration` (3 m by default). A
 * duration is a number of seconds or a Go duration ("30s", "2m", "1h30m").
 */

import { parseGoDuration } from '../canary/expr/time.js';

export interface RetryStrategy {
  /** Retries after the first attempt; 0: none, negative: no limit. The auto-sync's operation has 5 unless the app says. */
  limit?: number;
  backoff?: { duration?: string; factor?: number; maxDuration?: string };
}

const defaultDurationMs = 5_000;
const defaultMaxDurationMs = 180_000;
const defaultFactor = 2;

/** parseStringToDuration: a whole number is seconds, else a Go duration. */
function parseBackoffDuration(text: string): number | undefined {
  if (/^[+-]?\d+$/.test(text)) return Number(text) * 1_000;
  return parseGoDuration(text) ?? undefined;
}

/** NextRetryAt: when the retry after `retries` earlier retries of an attempt that ended at `lastAttempt` is due. */
export function nextRetryAt(
  strategy: RetryStrategy | undefined,
  lastAttempt: number,
  retries: number,
): { at: number } | { error: string } {
  let duration = defaultDurationMs;
  let maxDuration = defaultMaxDurationMs;
  let factor = defaultFactor;
  const backoff = strategy?.backoff;
  if (backoff?.duration) {
    const parsed = parseBackoffDuration(backoff.duration);
    if (parsed === undefined) return { error: `unable to parse ${backoff.duration} as a duration` };
    duration = parsed;
  }
  if (backoff?.maxDuration) {
    const parsed = parseBackoffDuration(backoff.maxDuration);
    if (parsed === undefined) return { error: `unable to parse ${backoff.maxDuration} as a duration` };
    maxDuration = parsed;
  }
  if (typeof backoff?.factor === 'number') factor = backoff.factor;
  let wait = duration * factor ** retries;
  if (maxDuration > 0) wait = Math.min(maxDuration, wait);
  return { at: lastAttempt + wait };
}

/** Go's time.Kitchen layout ("3:04PM"), in UTC (the controller's time zone in its image). */
export function kitchen(at: number): string {
  const d = new Date(at);
  const hours = d.getUTCHours();
  const minutes = String(d.getUTCMinutes()).padStart(2, '0');
  return `${hours % 12 === 0 ? 12 : hours % 12}:${minutes}${hours < 12 ? 'AM' : 'PM'}`;
}
