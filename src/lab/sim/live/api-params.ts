/**
 * The parameters of Prometheus' range query API as Prometheus 2.42.0 reads them (the version Debian 12 ships,
 * `prometheus --version`), for the HTTP facade over the simulated Prometheus (facade.ts). Rules from
 * prometheus/prometheus v2.42.0 web/api/v1/api.go (queryRange, parseTime, parseDuration, invalidParamError) and the
 * range loop of promql/engine.go; times are kept as BigInt nanoseconds so the integer arithmetic is Go's.
 *
 * Not modelled: Go's ParseFloat spellings other than decimal (hex floats, "Inf", "NaN" are refused here) and the
 * two boundary strings client_golang sends for an open range (minTimeFormatted / maxTimeFormatted).
 */
import { promDurationMs } from './windows.js';

/** A bad parameter: Prometheus answers HTTP 400 `{"status":"error","errorType":"bad_data","error":message}`. */
export class BadDataError extends Error {}

const NS_PER_S = 1_000_000_000n;
const NS_PER_MS = 1_000_000n;
const MAX_INT64 = 2n ** 63n - 1n;
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
// time.RFC3339Nano as time.Parse accepts it: optional fraction of 1 to 9 digits, Z or ±hh:mm.
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;

/** math.Round: half away from zero. */
const roundHalfAway = (x: number) => Math.sign(x) * Math.round(Math.abs(x));

/**
 * parseTime: unix seconds as a decimal (fractions rounded to the millisecond, as Go's math.Modf then Round(ns*1000)/1000
 * does), else RFC 3339 with an optional nanosecond fraction. Nanoseconds since the epoch.
 */
export function parseTime(text: string): bigint {
  if (DECIMAL.test(text)) {
    const t = Number(text);
    if (Number.isFinite(t)) {
      const whole = Math.trunc(t);
      return BigInt(whole) * NS_PER_S + BigInt(roundHalfAway((t - whole) * 1000)) * NS_PER_MS;
    }
  }
  const m = RFC3339.exec(text);
  if (m) {
    const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as number[];
    const date = new Date(0);
    date.setUTCFullYear(year as number, (month as number) - 1, day);
    date.setUTCHours(hour as number, minute, second);
    const ms = date.getTime();
    // time.Parse refuses a month, day, hour, minute or second out of range (no rolling over).
    const valid =
      date.getUTCFullYear() === year &&
      date.getUTCMonth() === (month as number) - 1 &&
      date.getUTCDate() === day &&
      (hour as number) < 24 &&
      (minute as number) < 60 &&
      (second as number) < 60;
    const offsetHours = Number(m[10] ?? 0);
    const offsetMinutes = Number(m[11] ?? 0);
    if (valid && offsetHours < 24 && offsetMinutes < 60) {
      const fraction = BigInt((m[7] ?? '').padEnd(9, '0'));
      const offset = BigInt((offsetHours * 60 + offsetMinutes) * 60) * NS_PER_S * (m[9] === '-' ? -1n : 1n);
      return BigInt(ms) * NS_PER_MS + fraction - offset;
    }
  }
  throw new BadDataError(`cannot parse ${JSON.stringify(text)} to a valid timestamp`);
}

/** parseDuration: seconds as a decimal (truncated to the nanosecond), else a Prometheus duration (`30s`, `1m30s`). */
export function parseDuration(text: string): bigint {
  if (DECIMAL.test(text)) {
    const seconds = Number(text);
    if (Number.isFinite(seconds)) {
      const ns = seconds * 1e9;
      if (ns > Number(MAX_INT64) || ns < -Number(MAX_INT64) - 1)
        throw new BadDataError(
          `cannot parse ${JSON.stringify(text)} to a valid duration. It overflows int64`,
        );
      return BigInt(Math.trunc(ns));
    }
  }
  const ms = promDurationMs(text);
  if (ms !== undefined) return BigInt(ms) * NS_PER_MS;
  throw new BadDataError(`cannot parse ${JSON.stringify(text)} to a valid duration`);
}

/** invalidParamError: the error of one parameter, `invalid parameter "step": ...`. */
function param<T>(name: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof BadDataError)
      throw new BadDataError(`invalid parameter ${JSON.stringify(name)}: ${error.message}`);
    throw error;
  }
}

/** At most this many points per series: "sufficient for 60s resolution for a week or 1h resolution for a year". */
export const MAX_POINTS = 11_000;

/**
 * The evaluation times of a range query, in milliseconds since the epoch, from its `start`, `end` and `step`
 * parameters, checked in queryRange's order; a BadDataError with Prometheus' words otherwise. The times run from
 * start to end inclusive, `step` apart (timestamp.FromTime and durationMilliseconds: whole milliseconds).
 */
export function rangeSteps(form: { get(name: string): string | null }): number[] {
  const start = param('start', () => parseTime(form.get('start') ?? ''));
  const end = param('end', () => parseTime(form.get('end') ?? ''));
  if (end < start)
    throw new BadDataError('invalid parameter "end": end timestamp must not be before start time');
  const step = param('step', () => parseDuration(form.get('step') ?? ''));
  if (step <= 0n)
    throw new BadDataError(
      'invalid parameter "step": zero or negative query resolution step widths are not accepted. Try a positive integer',
    );
  // Go's Duration division truncates: 11,000 whole steps and a part of one more still pass.
  if ((end - start) / step > BigInt(MAX_POINTS))
    throw new BadDataError(
      'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)',
    );
  const timeout = form.get('timeout');
  if (timeout) param('timeout', () => parseDuration(timeout));
  const floorMs = (ns: bigint) => ns / NS_PER_MS - (ns % NS_PER_MS < 0n ? 1n : 0n);
  const from = Number(floorMs(start));
  const to = Number(floorMs(end));
  // A step under a millisecond is 0 ms in the engine; the sim takes the start alone rather than loop for ever.
  const interval = Number(step / NS_PER_MS);
  if (interval === 0) return [from];
  const times: number[] = [];
  for (let t = from; t <= to; t += interval) times.push(t);
  return times;
}
