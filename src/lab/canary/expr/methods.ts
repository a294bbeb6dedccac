/**
 * Methods of time.Time and time.Duration, which expr v1.15.5 lets an expression call on the values now(),
 * date() and duration() return (checker/checker.go MemberNode finds them with reflect's MethodByName,
 * vm/runtime/runtime.go Fetch returns the bound method; docs/Language-Definition.md shows
 * `duration("1h").Seconds() == 3600`, builtin/builtin_test.go `now().Format(...)`). The set and the
 * semantics are Go's time package (time/time.go, time/format.go); methods with more than one result (Zone,
 * Date, Clock, ISOWeek) or that take a *Location are not exposed here.
 */
import type { Type } from './checker.js';
import {
  civil,
  dateIn,
  formatDuration,
  formatTime,
  GoDuration,
  GoTime,
  loadLocation,
  monthNames,
  strictRFC3339,
  UTC,
  weekdayNames,
  ZERO_TO_UNIX,
  zoneStart,
} from './gotime.js';
import { GoBytes, GoLocation, GoNamedInt, type GoValue, runtimeTypeName } from './values.js';

const NS_PER_S = 1_000_000_000n;

export interface MethodSignature {
  params: Type[];
  out: Type;
}

const time: Type = { k: 'time' };
const location: Type = { k: 'location' };
const duration: Type = { k: 'int', go: 'time.Duration' };
const int: Type = { k: 'int' };
const int64: Type = { k: 'int', go: 'int64' };
const float: Type = { k: 'float' };
const bool: Type = { k: 'bool' };
const string: Type = { k: 'string' };
const bytes: Type = { k: 'array', elem: { k: 'int', go: 'uint8' } };
const m = (out: Type, ...params: Type[]): MethodSignature => ({ params, out });

/** time.Time's methods (time/time.go, time/format.go). */
export const timeMethods: Record<string, MethodSignature> = {
  Add: m(time, duration),
  AddDate: m(time, int, int, int),
  After: m(bool, time),
  Before: m(bool, time),
  Compare: m(int, time),
  Day: m(int),
  Equal: m(bool, time),
  Format: m(string, string),
  Hour: m(int),
  IsZero: m(bool),
  Local: m(time),
  Minute: m(int),
  Month: m({ k: 'int', go: 'time.Month' }),
  Nanosecond: m(int),
  Round: m(time, duration),
  Second: m(int),
  String: m(string),
  Sub: m(duration, time),
  Truncate: m(time, duration),
  UTC: m(time),
  Unix: m(int64),
  UnixMicro: m(int64),
  UnixMilli: m(int64),
  UnixNano: m(int64),
  Weekday: m({ k: 'int', go: 'time.Weekday' }),
  Year: m(int),
  YearDay: m(int),
  // Two results: expr keeps the first (vm/vm.go OpCall pushes out[0]).
  Zone: m(string),
  ISOWeek: m(int),
  ZoneBounds: m(time),
  Location: m(location),
  In: m(time, location),
  GoString: m(string),
  // []byte results, with an error second that the VM raises (vm/vm.go OpCall).
  AppendFormat: m(bytes, bytes, string),
  GobEncode: m(bytes),
  MarshalBinary: m(bytes),
  MarshalJSON: m(bytes),
  MarshalText: m(bytes),
};

/**
 * time.Time's other exported value methods: Date and Clock have three results, which the checker rejects
 * ("func Date returns more then two values"). Go 1.23 (argo-rollouts v1.8.3 go.mod) has no AppendText or
 * AppendBinary yet.
 */
export const threeResultMethods = new Set(['Date', 'Clock']);

/** The one method of time.Month, time.Weekday and *time.Location (time/time.go, time/zoneinfo.go). */
export const stringerMethods: Record<string, MethodSignature> = { String: m(string) };

/** time.Duration's methods (time/time.go). */
export const durationMethods: Record<string, MethodSignature> = {
  Abs: m(duration),
  Hours: m(float),
  Microseconds: m(int64),
  Milliseconds: m(int64),
  Minutes: m(float),
  Nanoseconds: m(int64),
  Round: m(duration, duration),
  Seconds: m(float),
  String: m(string),
  Truncate: m(duration, duration),
};

const floorDiv = (a: bigint, b: bigint) => {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
};

/** A duration as float64 of a unit: whole units plus the remainder's fraction (Duration.Hours etc.). */
function inUnits(ns: bigint, unit: bigint): number {
  return Number(ns / unit) + Number(ns % unit) / Number(unit);
}

/** Duration.Round / Duration.Truncate (time/time.go). */
function roundDuration(d: bigint, by: bigint, round: boolean): bigint {
  if (by <= 0n) return d;
  const r = d % by;
  if (!round) return d - r;
  if (d < 0n) {
    const neg = -r;
    return neg + neg < by ? d + neg : d + neg - by;
  }
  return r + r < by ? d - r : d + by - r;
}

export function callTimeMethod(
  t: GoTime,
  name: string,
  args: GoValue[],
  fail: (m: string) => never,
): GoValue {
  const arg = args[0];
  // A value of another type reaching a typed parameter makes reflect's Call panic (vm/vm.go OpCall).
  // A nil argument reaches Call as a nil interface {} (OpCall's "nil value and nil type" case).
  const wrong = (v: GoValue | undefined, type: string): never =>
    fail(`reflect: Call using ${v == null ? 'interface {}' : runtimeTypeName(v)} as type ${type}`);
  const asTime = (v: GoValue | undefined): GoTime => (v instanceof GoTime ? v : wrong(v, 'time.Time'));
  const asDuration = (v: GoValue | undefined): bigint =>
    v instanceof GoDuration ? v.ns : wrong(v, 'time.Duration');
  const asInt = (v: GoValue | undefined): number => (typeof v === 'bigint' ? Number(v) : wrong(v, 'int'));
  const c = civil(t);
  switch (name) {
    case 'Add':
      return new GoTime(t.ns + asDuration(arg), t.zone);
    case 'AddDate':
      return dateIn(
        t.zone,
        c.year + asInt(arg),
        c.month + asInt(args[1]),
        c.day + asInt(args[2]),
        c.hour,
        c.minute,
        c.second,
        c.nanos,
      );
    case 'After':
      return t.ns > asTime(arg).ns;
    case 'Before':
      return t.ns < asTime(arg).ns;
    case 'Compare': {
      const u = asTime(arg).ns;
      return t.ns < u ? -1n : t.ns > u ? 1n : 0n;
    }
    case 'Equal':
      return t.ns === asTime(arg).ns;
    case 'Sub':
      return new GoDuration(BigInt.asIntN(64, t.ns - asTime(arg).ns));
    case 'Day':
      return BigInt(c.day);
    case 'Hour':
      return BigInt(c.hour);
    case 'Minute':
      return BigInt(c.minute);
    case 'Second':
      return BigInt(c.second);
    case 'Nanosecond':
      return BigInt(c.nanos);
    case 'Year':
      return BigInt(c.year);
    case 'YearDay':
      return BigInt(c.yday);
    case 'Month':
      return new GoNamedInt('time.Month', BigInt(c.month), monthNames[c.month - 1] as string);
    case 'Weekday':
      return new GoNamedInt('time.Weekday', BigInt(c.weekday), weekdayNames[c.weekday] as string);
    case 'Format':
      return typeof arg === 'string' ? formatTime(t, arg) : wrong(arg, 'string');
    case 'String':
      return t.toString();
    case 'Zone':
      return c.abbrev;
    case 'Location':
      return new GoLocation(t.zone);
    case 'ZoneBounds':
      return zoneStart(t);
    case 'AppendFormat': {
      const prefix = arg instanceof GoBytes ? arg.toBytes() : wrong(arg, '[]uint8');
      const layout = typeof args[1] === 'string' ? args[1] : wrong(args[1], 'string');
      return GoBytes.fromBytes(Buffer.concat([prefix, Buffer.from(formatTime(t, layout))]));
    }
    case 'MarshalText':
    case 'MarshalJSON': {
      const text = strictRFC3339(t);
      if (text instanceof Error) return fail(`Time.${name}: ${text.message}`);
      return GoBytes.fromBytes(Buffer.from(name === 'MarshalJSON' ? `"${text}"` : text));
    }
    case 'GobEncode':
    case 'MarshalBinary':
      return marshalBinary(t, fail);
    case 'In':
      return arg instanceof GoLocation ? new GoTime(t.ns, arg.zone) : wrong(arg, '*time.Location');
    case 'GoString': {
      // time/time.go GoString: Go syntax for the same time in the same location.
      const zone =
        t.zone.kind === 'utc'
          ? 'time.UTC'
          : t.zone.kind === 'local'
            ? 'time.Local'
            : `time.Location(${JSON.stringify(t.zone.name)})`;
      return `time.Date(${c.year}, time.${monthNames[c.month - 1]}, ${c.day}, ${c.hour}, ${c.minute}, ${c.second}, ${c.nanos}, ${zone})`;
    }
    case 'ISOWeek': {
      // The ISO year is the year of the Thursday in the same Monday-to-Sunday week.
      const thursday = dateIn(UTC, c.year, c.month, c.day + 3 - ((c.weekday + 6) % 7), 0, 0, 0, 0);
      return BigInt(civil(thursday).year);
    }
    case 'IsZero':
      return t.ns === -ZERO_TO_UNIX * NS_PER_S;
    case 'UTC':
      return new GoTime(t.ns, UTC);
    case 'Local':
      return new GoTime(t.ns, loadLocation('Local')); // the controller's zone: UTC
    case 'Unix':
      return floorDiv(t.ns, NS_PER_S);
    case 'UnixMilli':
      return floorDiv(t.ns, 1_000_000n);
    case 'UnixMicro':
      return floorDiv(t.ns, 1_000n);
    case 'UnixNano':
      return t.ns;
    case 'Round':
    case 'Truncate': {
      // Time.Round/Truncate work on the time since Go's zero time, not since the Unix epoch.
      const d = asDuration(arg);
      if (d <= 0n) return t;
      const absolute = t.ns + ZERO_TO_UNIX * NS_PER_S;
      const r = ((absolute % d) + d) % d;
      if (name === 'Truncate' || r + r < d) return new GoTime(t.ns - r, t.zone);
      return new GoTime(t.ns + d - r, t.zone);
    }
  }
  return fail(`type time.Time has no method ${name}`);
}

/**
 * Go 1.23 time/time.go MarshalBinary (GobEncode is the same): version 1, seconds since Go's zero time
 * (int64, big-endian), nanoseconds (int32), the zone's offset in minutes (int16; -1 for UTC itself), and
 * version 2 when the offset has seconds (local mean time), which adds them as a last byte.
 */
function marshalBinary(t: GoTime, fail: (m: string) => never): GoBytes {
  const out = Buffer.alloc(16);
  let version = 1;
  let minutes = -1;
  if (t.zone.kind !== 'utc') {
    const { offset } = civil(t);
    if (offset % 60 !== 0) {
      version = 2;
      out.writeInt8(offset % 60, 15);
    }
    minutes = Math.trunc(offset / 60);
    if (minutes < -32768 || minutes === -1 || minutes > 32767)
      return fail('Time.MarshalBinary: unexpected zone offset');
  }
  const seconds = floorDiv(t.ns, NS_PER_S);
  out.writeUInt8(version, 0);
  out.writeBigInt64BE(BigInt.asIntN(64, seconds + ZERO_TO_UNIX), 1);
  out.writeInt32BE(Number(t.ns - seconds * NS_PER_S), 9);
  out.writeInt16BE(minutes, 13);
  return GoBytes.fromBytes(out.subarray(0, version === 2 ? 16 : 15));
}

export function callDurationMethod(
  d: GoDuration,
  name: string,
  args: GoValue[],
  fail: (m: string) => never,
): GoValue {
  const by = (): bigint =>
    args[0] instanceof GoDuration
      ? args[0].ns
      : fail(`reflect: Call using ${runtimeTypeName(args[0] ?? null)} as type time.Duration`);
  switch (name) {
    case 'Abs':
      return new GoDuration(d.ns < 0n ? BigInt.asIntN(64, -d.ns) : d.ns);
    case 'Hours':
      return inUnits(d.ns, 3600n * NS_PER_S);
    case 'Minutes':
      return inUnits(d.ns, 60n * NS_PER_S);
    case 'Seconds':
      return inUnits(d.ns, NS_PER_S);
    case 'Milliseconds':
      return d.ns / 1_000_000n;
    case 'Microseconds':
      return d.ns / 1_000n;
    case 'Nanoseconds':
      return d.ns;
    case 'String':
      return formatDuration(d.ns);
    case 'Round':
      return new GoDuration(roundDuration(d.ns, by(), true));
    case 'Truncate':
      return new GoDuration(roundDuration(d.ns, by(), false));
  }
  return fail(`type time.Duration has no method ${name}`);
}
