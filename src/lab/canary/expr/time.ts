/**
 * argo-rollouts v1.8.3 utils/evaluate/evaluate.go EvalTime, which reads a Prometheus rangeQuery's start and
 * end: an expr expression compiled with an environment of only isNaN and isInf, run, and required to yield a
 * time.Time ("expected time.Time, but got T" otherwise). It is the same engine as the conditions, so every
 * expr v1.15.5 builtin works here (now(), duration(), date() with Go layouts and zones, time ± duration, …).
 * `now` is the judge's injected clock.
 */

import { ExprError } from './errors.js';
import { compile } from './evaluate.js';
import { GoTime, parseDuration, timeToDate } from './gotime.js';
import { runtimeTypeName } from './values.js';

/** The environment EvalTime compiles against. */
const evalTimeFunctions = ['isNaN', 'isInf'] as const;

export function evalTime(expression: string, now: Date): Date {
  const compiled = compile(expression, { functions: evalTimeFunctions });
  const value = compiled.run({ result: null, now: () => now });
  if (!(value instanceof GoTime)) {
    throw new ExprError(
      expression,
      `expected time.Time, but got ${runtimeTypeName(value)}`,
      undefined,
      'type',
    );
  }
  return timeToDate(value);
}

/** Go's time.ParseDuration, in milliseconds; null when Go would reject the text. */
export function parseGoDuration(text: string): number | null {
  try {
    return Number(parseDuration(text).ns) / 1e6;
  } catch {
    return null;
  }
}
