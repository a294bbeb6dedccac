/**
 * The expectation vocabulary of `observe.expect`, judged over the samples a probe produced in the window:
 *   holds       the probe passes on every sample
 *   eventually  the probe passes on at least one sample
 *   reaches: V  the probe's value equals V on at least one sample
 *   changes     the value changes at least once, or `{min: N, max: M}` times (`{max: 0}`: it stays put)
 *   flaps       the value switches between low and high at least `times` times; for numbers, a value at or
 *               below the first bound is low and at or above the second is high (values between are ignored)
 * `within: D` counts only the samples taken in the first D of the window.
 */
import { formatDuration, parseDuration } from './duration.js';
import type { ResolvedExpectation } from './load.js';
import { describeProbe } from './probes.js';
import type { Scalar } from './schema.js';
import { sameValue, toNumber } from './tolerance.js';

export interface Sample {
  /** Milliseconds since the observe window opened. */
  t: number;
  ok: boolean;
  value: unknown;
  detail: string;
}

export interface ExpectationVerdict {
  met: boolean;
  detail: string;
}

/**
 * The expectation's verb as a phrase. A pass/fail expectation qualifies the probe's condition ("doc-QA keeps
 * serving, throughout"); a value expectation follows the value it names ("the replica count changes at least 2
 * time(s)").
 */
export function describeExpectation(e: Omit<ResolvedExpectation, 'probe'>): string {
  const within = e.within ? ` within ${e.within}` : '';
  if (e.holds) return e.within ? `throughout the first ${e.within}` : 'throughout';
  if (e.eventually) return e.within ? `at least once in the first ${e.within}` : 'at least once';
  if (e.reaches !== undefined) return `reaches ${JSON.stringify(e.reaches)}${within}`;
  if (e.changes !== undefined) {
    const { min, max } = changeBounds(e.changes);
    if (max === 0) return `stays unchanged${within}`;
    const parts = [min > 0 ? `at least ${min}` : undefined, max !== undefined ? `at most ${max}` : undefined];
    return `changes ${parts.filter(Boolean).join(' and ')} time(s)${within}`;
  }
  if (e.flaps) {
    return `flaps between ${JSON.stringify(e.flaps.between[0])} and ${JSON.stringify(e.flaps.between[1])} at least ${e.flaps.times} times${within}`;
  }
  return 'unknown expectation';
}

/**
 * The expectation as one sentence, for the timeline, the verdict and the report: "the quality analysis: the
 * canary's AnalysisRun fails, at least once" (an expectation's own description labels the probe's condition), or
 * "the replica count flaps between 1 and 2 at least 2 times" (a value expectation's description names the value).
 */
export function expectationStatement(e: ResolvedExpectation): string {
  const phrase = describeExpectation(e);
  if (e.holds || e.eventually)
    return `${e.description ? `${e.description}: ` : ''}${describeProbe(e.probe.probe)}, ${phrase}`;
  return `${e.description ?? describeProbe(e.probe.probe)} ${phrase}`;
}

function changeBounds(changes: true | { min?: number; max?: number }): { min: number; max?: number } {
  if (changes === true) return { min: 1 };
  return { min: changes.min ?? 0, max: changes.max };
}

/** Counts value changes between consecutive samples. */
export function countChanges(samples: Sample[]): number {
  let changes = 0;
  for (let i = 1; i < samples.length; i++) {
    if (!sameValue(samples[i - 1]?.value, samples[i]?.value)) changes++;
  }
  return changes;
}

function side(value: unknown, [low, high]: [Scalar, Scalar]): 'low' | 'high' | undefined {
  const n = toNumber(value);
  const lo = toNumber(low);
  const hi = toNumber(high);
  if (n !== undefined && lo !== undefined && hi !== undefined) {
    if (n <= lo) return 'low';
    if (n >= hi) return 'high';
    return undefined;
  }
  if (sameValue(value, low)) return 'low';
  if (sameValue(value, high)) return 'high';
  return undefined;
}

/** How many times the value switched between the low and the high side. */
export function countFlaps(samples: Sample[], between: [Scalar, Scalar]): number {
  let last: 'low' | 'high' | undefined;
  let flaps = 0;
  for (const s of samples) {
    const current = side(s.value, between);
    if (current === undefined) continue;
    if (last !== undefined && current !== last) flaps++;
    last = current;
  }
  return flaps;
}

/**
 * `all`'s samples judged by `e`. With `sinceFaultMs` (how long after the inject began the observe window opened),
 * the times in the detail say how long after the fault the sample was read ("passed 12s after the inject began"):
 * a window offset alone reads `+0ms` whenever the behaviour was already there when the window opened.
 */
export function evaluateExpectation(
  e: Omit<ResolvedExpectation, 'probe'>,
  all: Sample[],
  sinceFaultMs?: number,
): ExpectationVerdict {
  const at = (s: Sample) =>
    sinceFaultMs === undefined
      ? `at +${formatDuration(s.t)}`
      : `${formatDuration(Math.max(0, s.t + sinceFaultMs))} after the inject began`;
  const limit = e.within ? parseDuration(e.within) : Number.POSITIVE_INFINITY;
  const samples = all.filter((s) => s.t <= limit);
  if (samples.length === 0) return { met: false, detail: 'no samples were taken' };
  if (e.holds) {
    const failed = samples.filter((s) => !s.ok);
    const first = failed[0];
    return first
      ? {
          met: false,
          detail: `broken on ${failed.length} of ${samples.length} samples, first ${at(first)}: ${first.detail}`,
        }
      : { met: true, detail: `held on all ${samples.length} samples` };
  }
  if (e.eventually) {
    const first = samples.find((s) => s.ok);
    return first
      ? { met: true, detail: `first seen ${at(first)}: ${first.detail}` }
      : { met: false, detail: `never seen in ${samples.length} samples; last: ${samples.at(-1)?.detail}` };
  }
  if (e.reaches !== undefined) {
    const target = e.reaches;
    const first = samples.find((s) => sameValue(s.value, target));
    return first
      ? { met: true, detail: `reached ${JSON.stringify(target)} ${at(first)}` }
      : {
          met: false,
          detail: `never reached ${JSON.stringify(target)}; last value ${JSON.stringify(samples.at(-1)?.value)}`,
        };
  }
  if (e.changes !== undefined) {
    const { min, max } = changeBounds(e.changes);
    const changes = countChanges(samples);
    const wanted = [min > 0 ? `≥ ${min}` : undefined, max !== undefined ? `≤ ${max}` : undefined].filter(
      Boolean,
    );
    return {
      met: changes >= min && (max === undefined || changes <= max),
      detail: `changed ${changes} time${changes === 1 ? '' : 's'} (wanted ${wanted.join(' and ')})`,
    };
  }
  if (e.flaps) {
    const flaps = countFlaps(samples, e.flaps.between);
    const values = samples.map((s) => (s.value === undefined ? '-' : String(s.value)));
    const trail = values.length > 24 ? `...${values.slice(-24).join(' ')}` : values.join(' ');
    return {
      met: flaps >= e.flaps.times,
      detail: `switched ${flaps} time${flaps === 1 ? '' : 's'} (wanted ≥ ${e.flaps.times}): ${trail}`,
    };
  }
  return { met: false, detail: 'unknown expectation' };
}

/** True when the window can end early: every expectation met (a `holds` so far unbroken counts as met). */
export function allMet(expectations: ResolvedExpectation[], series: ReadonlyMap<string, Sample[]>): boolean {
  return expectations.every((e) => evaluateExpectation(e, series.get(e.probe.id) ?? []).met);
}
