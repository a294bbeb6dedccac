/**
 * Go's time.Time and time.Duration as expr v1.15.5 hands them to an expression (builtin/builtin.go `now`,
 * `duration`, `date`): a Duration is an int64 count of nanoseconds, a Time an instant with a location. The
 * rules follow Go's time package (time/format.go Parse, ParseInLocation and the layout elements of
 * nextStdChunk; time/time.go Duration.String; time/format.go ParseDuration). Nanoseconds are bigints here.
 */

/** A Go time.Duration: nanoseconds, int64. */
export class GoDuration {
  constructor(readonly ns: bigint) {}
  toString(): string {
    return formatDuration(this.ns);
  }
}

/** A Go time.Time: an instant (Unix nanoseconds) and the location it is shown in. */
export class GoTime {
  constructor(
    readonly ns: bigint,
    readonly zone: GoZone,
  ) {}
  /** Go's Time.String(): "2006-01-02 15:04:05.999999999 -0700 MST". */
  toString(): string {
    return formatTime(this, '2006-01-02 15:04:05.999999999 -0700 MST');
  }
}

/**
 * A location: UTC, the controller's local zone, a fixed offset (from a parsed offset), or an IANA zone
 * (time.LoadLocation).
 */
export type GoZone =
  | { kind: 'utc' }
  | { kind: 'local' }
  | { kind: 'fixed'; name: string; offsetSeconds: number }
  | { kind: 'iana'; name: string };

export const UTC: GoZone = { kind: 'utc' };
/**
 * Go's time.Local in the Argo Rollouts controller, where time.Now() (expr's now()) and Time.Local() put a
 * time. Its container (argo-rollouts v1.8.3 Dockerfile: distroless static) sets no TZ, so
 * time/zoneinfo_unix.go initLocal gives it UTC's rules, named "UTC" (its fallback when the image has no
 * /etc/localtime; an image with one pointing at UTC would name it "Local"). It reads like UTC but is another
 * *Location: Time.GoString prints `time.Local` and Time.MarshalBinary writes offset 0 where UTC writes -1
 * (time/time.go).
 */
export const LOCAL: GoZone = { kind: 'local' };

const NS_PER_MS = 1_000_000n;
const NS_PER_S = 1_000_000_000n;
const INT64_MAX = (1n << 63n) - 1n;
/** Go's ParseDuration accumulates in a uint64 up to 1<<63, so -2562047h47m16.854775808s (MinInt64) fits. */
const DURATION_LIMIT = 1n << 63n;

export function timeFromDate(date: Date, zone: GoZone = UTC): GoTime {
  return new GoTime(BigInt(date.getTime()) * NS_PER_MS, zone);
}

export function timeToDate(t: GoTime): Date {
  return new Date(Number(floorDiv(t.ns, NS_PER_MS)));
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

// Go time/format.go ParseDuration: the unit table, in nanoseconds.
const durationUnits: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n,
  μs: 1_000n,
  ms: 1_000_000n,
  s: NS_PER_S,
  m: 60n * NS_PER_S,
  h: 3600n * NS_PER_S,
};

/** Go's time.ParseDuration; throws Error with Go's message ("time: invalid duration \"x\""). */
export function parseDuration(text: string): GoDuration {
  const quoted = JSON.stringify(text);
  const invalid = () => new Error(`time: invalid duration ${quoted}`);
  let s = text;
  let negative = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    negative = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return new GoDuration(0n);
  if (s === '') throw invalid();
  let total = 0n;
  while (s !== '') {
    const number = /^(\d*)(?:\.(\d*))?/.exec(s) as RegExpExecArray;
    const whole = number[1] as string;
    const fraction = number[2];
    if (whole === '' && (fraction === undefined || fraction === '')) throw invalid();
    s = s.slice(number[0].length);
    const unitMatch = /^[^\d.]*/.exec(s) as RegExpExecArray;
    const unitText = unitMatch[0];
    if (unitText === '') throw new Error(`time: missing unit in duration ${quoted}`);
    const unit = durationUnits[unitText];
    if (unit === undefined)
      throw new Error(`time: unknown unit ${JSON.stringify(unitText)} in duration ${quoted}`);
    s = s.slice(unitText.length);
    let v = BigInt(whole === '' ? '0' : whole);
    if (v > DURATION_LIMIT / unit) throw invalid();
    v *= unit;
    if (fraction) {
      // Go leadingFraction: f the leading digits that fit in an int64, scale 10^(their count); then
      // v += int64(float64(f) * (float64(unit) / scale)).
      let f = 0n;
      let scale = 1;
      for (const digit of fraction) {
        if (f > INT64_MAX / 10n) break;
        f = f * 10n + BigInt(digit);
        scale *= 10;
      }
      v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
      if (v > DURATION_LIMIT) throw invalid();
    }
    total += v;
    if (total > DURATION_LIMIT) throw invalid();
  }
  if (negative) return new GoDuration(-total);
  if (total > INT64_MAX) throw invalid();
  return new GoDuration(total);
}

/** Go's Duration.String(): "1h0m0s", "1.5s", "2ms", "0s". */
export function formatDuration(ns: bigint): string {
  if (ns === 0n) return '0s';
  const negative = ns < 0n;
  let u = negative ? -ns : ns;
  const frac = (v: bigint, prec: number): [string, bigint] => {
    const scale = 10n ** BigInt(prec);
    const digits = (v % scale).toString().padStart(prec, '0').replace(/0+$/, '');
    return [digits ? `.${digits}` : '', v / scale];
  };
  let out: string;
  if (u < NS_PER_S) {
    if (u < 1_000n) out = `${u}ns`;
    else if (u < 1_000_000n) {
      const [f, whole] = frac(u, 3);
      out = `${whole}${f}µs`;
    } else {
      const [f, whole] = frac(u, 6);
      out = `${whole}${f}ms`;
    }
  } else {
    const [f, seconds] = frac(u, 9);
    u = seconds;
    out = `${u % 60n}${f}s`;
    u /= 60n;
    if (u > 0n) {
      out = `${u % 60n}m${out}`;
      u /= 60n;
      if (u > 0n) out = `${u}h${out}`;
    }
  }
  return negative ? `-${out}` : out;
}

/**
 * Go's time.LoadLocation: "" and "UTC" are UTC, else an IANA name. "Local" is the Argo Rollouts
 * controller's zone, UTC in its container image (docs/canary.md), not this machine's.
 */
export function loadLocation(name: string): GoZone {
  if (name === '' || name === 'UTC') return UTC;
  if (name === 'Local') return LOCAL;
  const iana = name;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: iana });
  } catch {
    throw new Error(`unknown time zone ${name}`);
  }
  return { kind: 'iana', name: iana };
}

/** The zone's offset from UTC in seconds at an instant, and its abbreviation as Go prints it. */
function zoneAt(zone: GoZone, ns: bigint): { offset: number; abbrev: string } {
  if (zone.kind === 'utc' || zone.kind === 'local') return { offset: 0, abbrev: 'UTC' };
  if (zone.kind === 'fixed') return { offset: zone.offsetSeconds, abbrev: zone.name };
  const ms = Number(floorDiv(ns, NS_PER_MS));
  const parts = wallClockFormat(zone.name).formatToParts(
    new Date(ms - (ms % 1000 < 0 ? 1000 + (ms % 1000) : ms % 1000)),
  );
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  let year = Number(get('year'));
  if (get('era') === 'BC' || get('era') === 'B') year = 1 - year;
  const local =
    daysFromCivil(year, Number(get('month')), Number(get('day'))) * 86400 +
    Number(get('hour')) * 3600 +
    Number(get('minute')) * 60 +
    Number(get('second'));
  const offset = local - Math.floor(ms / 1000);
  // Go prints tzdata's abbreviation ("CEST"), or a numeric one ("+02") for zones that have none. Intl
  // knows the abbreviations per locale (en-US has the American ones, en-GB the European ones).
  const names = [get('timeZoneName'), shortZoneName(zone.name, ms, 'en-GB')];
  const abbrev = names.find((n) => /^[A-Z]{3,5}$/.test(n)) ?? numericAbbrev(offset);
  return { offset, abbrev };
}

function shortZoneName(zone: string, ms: number, locale: string): string {
  const parts = cachedFormat(
    `${locale} ${zone}`,
    () => new Intl.DateTimeFormat(locale, { timeZone: zone, timeZoneName: 'short' }),
  ).formatToParts(new Date(ms));
  return parts.find((p) => p.type === 'timeZoneName')?.value ?? '';
}

/** A zone's wall clock, era and abbreviation, as zoneAt reads them. */
function wallClockFormat(zone: string): Intl.DateTimeFormat {
  return cachedFormat(
    zone,
    () =>
      new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
        era: 'short',
        timeZoneName: 'short',
      }),
  );
}

/** Intl formatters by zone: making one costs far more than using it. */
const formats = new Map<string, Intl.DateTimeFormat>();
function cachedFormat(key: string, make: () => Intl.DateTimeFormat): Intl.DateTimeFormat {
  let format = formats.get(key);
  if (!format) {
    format = make();
    formats.set(key, format);
  }
  return format;
}

function numericAbbrev(offset: number): string {
  const sign = offset < 0 ? '-' : '+';
  const a = Math.abs(offset);
  const h = String(Math.floor(a / 3600)).padStart(2, '0');
  const m = Math.floor((a % 3600) / 60);
  return m ? `${sign}${h}${String(m).padStart(2, '0')}` : `${sign}${h}`;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp + (mp < 10 ? 3 : -9);
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

const longMonths = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const longDays = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** One element of a Go layout (time/format.go nextStdChunk), or literal text. */
type Chunk = { std: string } | { lit: string };

// Go time/format.go nextStdChunk, longest element first at each letter.
const stdElements = [
  'January',
  'Jan',
  'Monday',
  'Mon',
  'MST',
  '2006',
  '002',
  '__2',
  '_2',
  '01',
  '02',
  '03',
  '04',
  '05',
  '06',
  '15',
  '1',
  '2',
  '3',
  '4',
  '5',
  'PM',
  'pm',
  'Z070000',
  'Z07:00:00',
  'Z0700',
  'Z07:00',
  'Z07',
  '-070000',
  '-07:00:00',
  '-0700',
  '-07:00',
  '-07',
];

function layoutChunks(layout: string): Chunk[] {
  const chunks: Chunk[] = [];
  let literal = '';
  let i = 0;
  while (i < layout.length) {
    const c = layout[i] as string;
    // Fractional seconds: "." or "," then a run of 0s or 9s not followed by a digit.
    if ((c === '.' || c === ',') && (layout[i + 1] === '0' || layout[i + 1] === '9')) {
      const digit = layout[i + 1] as string;
      let j = i + 1;
      while (layout[j] === digit) j++;
      if (!/[0-9]/.test(layout[j] ?? '')) {
        if (literal) chunks.push({ lit: literal });
        literal = '';
        chunks.push({ std: layout.slice(i, j) });
        i = j;
        continue;
      }
    }
    // "Mon" only when not followed by a lower-case letter ("Monday" or "Month" spelled out are literal).
    const std = stdElements.find((e) => {
      if (!layout.startsWith(e, i)) return false;
      if ((e === 'Jan' || e === 'Mon') && /[a-z]/.test(layout[i + 3] ?? '')) return false;
      if (e === '_2' && layout.startsWith('_2006', i)) return false;
      return true;
    });
    if (std) {
      if (literal) chunks.push({ lit: literal });
      literal = '';
      chunks.push({ std });
      i += std.length;
      continue;
    }
    literal += c;
    i++;
  }
  if (literal) chunks.push({ lit: literal });
  return chunks;
}

/** Go's Time.Format for the layout elements of time/format.go. */
/** The wall-clock fields of a time in its location (Go's Time.Date, Clock, Weekday, YearDay, Zone). */
export function civil(t: GoTime) {
  const { offset, abbrev } = zoneAt(t.zone, t.ns);
  const localSeconds = Number(floorDiv(t.ns, NS_PER_S)) + offset;
  const nanos = Number(t.ns - floorDiv(t.ns, NS_PER_S) * NS_PER_S);
  const days = Math.floor(localSeconds / 86400);
  const secs = localSeconds - days * 86400;
  const { year, month, day } = civilFromDays(days);
  return {
    year,
    month,
    day,
    hour: Math.floor(secs / 3600),
    minute: Math.floor((secs % 3600) / 60),
    second: secs % 60,
    nanos,
    weekday: (((days + 4) % 7) + 7) % 7,
    yday: days - daysFromCivil(year, 1, 1) + 1,
    offset,
    abbrev,
  };
}

/** Go's time.Date in a location: fields may overflow (month 13 is January of the next year). */
export function dateIn(
  zone: GoZone,
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  nanos: number,
): GoTime {
  const m0 = month - 1;
  const y = year + Math.floor(m0 / 12);
  const m = (((m0 % 12) + 12) % 12) + 1;
  const days = daysFromCivil(y, m, 1) + day - 1;
  const wall =
    (BigInt(days) * 86400n + BigInt(hour * 3600 + minute * 60 + second)) * NS_PER_S + BigInt(nanos);
  return new GoTime(inZone(zone, wall), zone);
}

export const monthNames = longMonths;
export const weekdayNames = longDays;

/** Go's Time.Format for the layout elements of time/format.go. */
export function formatTime(t: GoTime, layout: string): string {
  const { offset, abbrev, year, month, day, hour, minute, second, nanos, weekday, yday } = civil(t);
  const pad = (n: number, w: number) => String(n).padStart(w, '0');
  const zoneText = (std: string): string => {
    if (std.startsWith('Z') && offset === 0) return 'Z';
    const sign = offset < 0 ? '-' : '+';
    const a = Math.abs(offset);
    const hh = pad(Math.floor(a / 3600), 2);
    const mm = pad(Math.floor((a % 3600) / 60), 2);
    const ss = pad(a % 60, 2);
    const body = std.slice(1);
    if (body === '07') return `${sign}${hh}`;
    if (body === '0700') return `${sign}${hh}${mm}`;
    if (body === '07:00') return `${sign}${hh}:${mm}`;
    if (body === '070000') return `${sign}${hh}${mm}${ss}`;
    return `${sign}${hh}:${mm}:${ss}`;
  };
  let out = '';
  for (const chunk of layoutChunks(layout)) {
    if ('lit' in chunk) {
      out += chunk.lit;
      continue;
    }
    const std = chunk.std;
    switch (std) {
      case '2006':
        out += year < 0 ? `-${pad(-year, 4)}` : pad(year, 4);
        break;
      case '06':
        out += pad(((year % 100) + 100) % 100, 2);
        break;
      case 'January':
        out += longMonths[month - 1];
        break;
      case 'Jan':
        out += (longMonths[month - 1] as string).slice(0, 3);
        break;
      case '01':
        out += pad(month, 2);
        break;
      case '1':
        out += month;
        break;
      case 'Monday':
        out += longDays[weekday];
        break;
      case 'Mon':
        out += (longDays[weekday] as string).slice(0, 3);
        break;
      case '02':
        out += pad(day, 2);
        break;
      case '2':
        out += day;
        break;
      case '_2':
        out += String(day).padStart(2, ' ');
        break;
      case '002':
        out += pad(yday, 3);
        break;
      case '__2':
        out += String(yday).padStart(3, ' ');
        break;
      case '15':
        out += pad(hour, 2);
        break;
      case '03':
        out += pad(hour % 12 === 0 ? 12 : hour % 12, 2);
        break;
      case '3':
        out += hour % 12 === 0 ? 12 : hour % 12;
        break;
      case '04':
        out += pad(minute, 2);
        break;
      case '4':
        out += minute;
        break;
      case '05':
        out += pad(second, 2);
        break;
      case '5':
        out += second;
        break;
      case 'PM':
        out += hour >= 12 ? 'PM' : 'AM';
        break;
      case 'pm':
        out += hour >= 12 ? 'pm' : 'am';
        break;
      case 'MST':
        out += abbrev || zoneText('-0700');
        break;
      default:
        if (std.startsWith('Z') || std.startsWith('-')) {
          out += zoneText(std);
        } else {
          // Fractional seconds: .000 keeps the width, .999 trims trailing zeros (and the dot).
          const width = std.length - 1;
          const digits = pad(nanos, 9).slice(0, Math.min(width, 9));
          if (std[1] === '0') out += `${std[0]}${digits}`;
          else {
            const trimmed = digits.replace(/0+$/, '');
            if (trimmed) out += `${std[0]}${trimmed}`;
          }
        }
    }
  }
  return out;
}

/**
 * Go's time.Parse (zone: UTC) and time.ParseInLocation (zone: the given location) for the layout elements
 * of time/format.go. Errors carry Go's message: `parsing time "x" as "layout": cannot parse "rest" as "elem"`.
 */
export function parseTime(layout: string, value: string, zone: GoZone = UTC): GoTime {
  const quotedValue = JSON.stringify(value);
  const quotedLayout = JSON.stringify(layout);
  const cannot = (rest: string, elem: string) =>
    new Error(
      `parsing time ${quotedValue} as ${quotedLayout}: cannot parse ${JSON.stringify(rest)} as ${JSON.stringify(elem)}`,
    );
  const outOfRange = (what: string) => new Error(`parsing time ${quotedValue}: ${what} out of range`);
  let year = 0;
  let month = 1;
  let day = 1;
  let yday = -1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let nanos = 0;
  let pm: boolean | undefined;
  let offset: number | undefined;
  let abbrev: string | undefined;
  let rest = value;
  const num = (min: number, max: number, elem: string, fixed: boolean): number => {
    const m = (fixed ? new RegExp(`^\\d{${min}}`) : new RegExp(`^\\d{${min},${max}}`)).exec(rest);
    if (!m) throw cannot(rest, elem);
    rest = rest.slice(m[0].length);
    return Number(m[0]);
  };
  const chunks = layoutChunks(layout);
  for (const [index, chunk] of chunks.entries()) {
    if ('lit' in chunk) {
      if (!rest.startsWith(chunk.lit)) throw cannot(rest, chunk.lit);
      rest = rest.slice(chunk.lit.length);
      continue;
    }
    const std = chunk.std;
    const before = rest;
    switch (std) {
      case '2006': {
        const m = /^\d{4}/.exec(rest);
        if (!m) throw cannot(rest, std);
        year = Number(m[0]);
        rest = rest.slice(4);
        break;
      }
      case '06': {
        const y = num(2, 2, std, true);
        year = y >= 69 ? 1900 + y : 2000 + y;
        break;
      }
      case 'January':
      case 'Jan': {
        const names = std === 'January' ? longMonths : longMonths.map((n) => n.slice(0, 3));
        const i = names.findIndex((n) => rest.toLowerCase().startsWith(n.toLowerCase()));
        if (i < 0) throw cannot(rest, std);
        month = i + 1;
        rest = rest.slice((names[i] as string).length);
        break;
      }
      case 'Monday':
      case 'Mon': {
        const names = std === 'Monday' ? longDays : longDays.map((n) => n.slice(0, 3));
        const i = names.findIndex((n) => rest.toLowerCase().startsWith(n.toLowerCase()));
        if (i < 0) throw cannot(rest, std);
        rest = rest.slice((names[i] as string).length);
        break;
      }
      case '01':
      case '1':
        month = num(std === '01' ? 2 : 1, 2, std, std === '01');
        if (month < 1 || month > 12) throw outOfRange('month');
        break;
      case '02':
      case '2':
      case '_2':
        if (std === '_2' && rest.startsWith(' ')) rest = rest.slice(1);
        day = num(std === '02' ? 2 : 1, 2, std, std === '02');
        break;
      case '002':
      case '__2':
        if (std === '__2') rest = rest.replace(/^ {1,2}/, '');
        yday = num(std === '002' ? 3 : 1, 3, std, std === '002');
        if (yday < 1 || yday > 366) throw outOfRange('day-of-year');
        break;
      case '15':
        hour = num(1, 2, std, false);
        if (hour > 23) throw outOfRange('hour');
        break;
      case '03':
      case '3':
        hour = num(std === '03' ? 2 : 1, 2, std, std === '03');
        if (hour > 12) throw outOfRange('hour');
        break;
      case '04':
      case '4':
        minute = num(std === '04' ? 2 : 1, 2, std, std === '04');
        if (minute > 59) throw outOfRange('minute');
        break;
      case '05':
      case '5': {
        second = num(std === '05' ? 2 : 1, 2, std, std === '05');
        if (second > 59) throw outOfRange('second');
        // Go accepts fractional seconds after a seconds field even when the layout has none.
        const next = chunks[index + 1];
        const fractionInLayout = next && 'std' in next && /^[.,]/.test(next.std);
        const m = /^[.,](\d+)/.exec(rest);
        if (m && !fractionInLayout) {
          nanos = Number((m[1] as string).slice(0, 9).padEnd(9, '0'));
          rest = rest.slice(m[0].length);
        }
        break;
      }
      case 'PM':
      case 'pm': {
        const m = /^(AM|PM)/i.exec(rest);
        if (!m) throw cannot(rest, std);
        pm = (m[1] as string).toUpperCase() === 'PM';
        rest = rest.slice(2);
        break;
      }
      case 'MST': {
        const m = /^(UTC|[A-Z]{3,5}|[+-]\d{2,4})/.exec(rest);
        if (!m) throw cannot(rest, std);
        abbrev = m[0];
        rest = rest.slice(m[0].length);
        break;
      }
      default:
        if (std.startsWith('Z') || std.startsWith('-')) {
          if (std.startsWith('Z') && rest.startsWith('Z')) {
            rest = rest.slice(1);
            offset = 0;
            break;
          }
          const body = std.slice(1);
          const patterns: Record<string, RegExp> = {
            '07': /^([+-])(\d{2})/,
            '0700': /^([+-])(\d{2})(\d{2})/,
            '07:00': /^([+-])(\d{2}):(\d{2})/,
            '070000': /^([+-])(\d{2})(\d{2})(\d{2})/,
            '07:00:00': /^([+-])(\d{2}):(\d{2}):(\d{2})/,
          };
          const m = (patterns[body] as RegExp).exec(rest);
          if (!m) throw cannot(rest, std);
          const seconds = Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
          offset = m[1] === '-' ? -seconds : seconds;
          rest = rest.slice(m[0].length);
        } else {
          // A fractional-second element: its width when written with 0s, any width with 9s.
          const m = /^[.,](\d+)/.exec(rest);
          const width = std.length - 1;
          if (!m && std[1] === '9') break; // a fraction written with 9s may be left out
          if (!m || (std[1] === '0' && (m[1] as string).length !== width)) throw cannot(before, std);
          nanos = Number((m[1] as string).slice(0, 9).padEnd(9, '0'));
          rest = rest.slice(m[0].length);
        }
    }
  }
  if (rest !== '') throw new Error(`parsing time ${quotedValue}: extra text: ${JSON.stringify(rest)}`);
  if (pm !== undefined) {
    if (pm && hour < 12) hour += 12;
    else if (!pm && hour === 12) hour = 0;
  }
  if (yday >= 0) {
    const start = daysFromCivil(year, 1, 1);
    const date = civilFromDays(start + yday - 1);
    if (date.year !== year) throw outOfRange('day-of-year');
    month = date.month;
    day = date.day;
  }
  const daysIn = [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] as number;
  if (day < 1 || day > daysIn) throw outOfRange('day');
  const wall = BigInt(daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second);
  const wallNs = wall * NS_PER_S + BigInt(nanos);
  if (offset !== undefined) {
    const z: GoZone = offset === 0 && zone.kind === 'utc' ? UTC : fixedOrLocal(zone, wallNs, offset);
    return new GoTime(wallNs - BigInt(offset) * NS_PER_S, z);
  }
  if (abbrev !== undefined) {
    // Go: "UTC" is UTC; an abbreviation the location knows takes its offset; any other is a fabricated
    // location with that name and offset zero.
    if (abbrev === 'UTC') return new GoTime(wallNs, UTC);
    const guess = inZone(zone, wallNs);
    if (zoneAt(zone, guess).abbrev === abbrev) return new GoTime(guess, zone);
    return new GoTime(wallNs, { kind: 'fixed', name: abbrev, offsetSeconds: 0 });
  }
  return new GoTime(inZone(zone, wallNs), zone);
}

function fixedOrLocal(zone: GoZone, wallNs: bigint, offset: number): GoZone {
  if (zone.kind !== 'utc') {
    const at = wallNs - BigInt(offset) * NS_PER_S;
    if (zoneAt(zone, at).offset === offset) return zone;
  }
  return { kind: 'fixed', name: '', offsetSeconds: offset };
}

/** The instant whose wall clock in `zone` reads `wallNs` (the earlier one around a transition). */
function inZone(zone: GoZone, wallNs: bigint): bigint {
  if (zone.kind === 'utc') return wallNs;
  let guess = wallNs - BigInt(zoneAt(zone, wallNs).offset) * NS_PER_S;
  guess = wallNs - BigInt(zoneAt(zone, guess).offset) * NS_PER_S;
  return guess;
}

function isLeap(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

/** Go's time.RFC3339Nano, how encoding/json writes a time.Time. */
export const RFC3339Nano = '2006-01-02T15:04:05.999999999Z07:00';

/**
 * Go 1.23 time/format_rfc3339.go appendStrictRFC3339, behind Time.MarshalText, MarshalJSON and
 * encoding/json: RFC 3339 with nanoseconds, or an error when the text would not be valid RFC 3339 (a year
 * outside [0,9999], a zone offset of 24 hours or more).
 */
export function strictRFC3339(t: GoTime): string | Error {
  const text = formatTime(t, RFC3339Nano);
  if (text[4] !== '-') return new Error('year outside of range [0,9999]');
  if (!text.endsWith('Z')) {
    const sign = text[text.length - 6] as string;
    if (/[0-9]/.test(sign) || Number(text.slice(-5, -3)) >= 24)
      return new Error('timezone hour outside of range [0,23]');
  }
  return text;
}

/** Seconds from Go's zero Time (January 1, year 1, 00:00:00 UTC) to the Unix epoch. */
export const ZERO_TO_UNIX = 62135596800n;
const ZERO_TIME_NS = -ZERO_TO_UNIX * NS_PER_S;
/** How far back a zone period is looked for: tzdata's first transitions (out of local mean time) are later. */
const EARLIEST_TRANSITION_SECONDS = -5364662400n; // 1800-01-01T00:00:00Z
const WEEK_SECONDS = 7n * 86400n;

/** 2038-01-01T00:00:00Z. Debian's tzdata (in the controller's image) is built fat: its zone files list
 * every transition up to 2037, and Go computes later ones from the file's TZ rule (time/zoneinfo.go tzset). */
const LISTED_TRANSITIONS_END = 2145916800n;

/**
 * The first result of Go's Time.ZoneBounds (time/time.go; expr keeps the first of two results): the instant
 * the zone period containing t began, in t's location, or the zero Time when the location has no
 * transitions before t (UTC, the controller's Local, a fixed offset, a zone still on its first rules).
 * Up to 2037 the periods are those the zone file lists; Intl gives the same offsets and abbreviations, so a
 * period starts where they change (searched a week at a time back from t, then to the second: no period
 * is shorter than a week). After 2037 Go's tzset bounds a daylight-saving zone's periods by the UTC year:
 * a time before the year's first transition gets the year's start (time_test.go TestZoneBounds: Los
 * Angeles, 2038-03-14 09:59:59 UTC → 2038-01-01 00:00:00 UTC).
 */
export function zoneStart(t: GoTime): GoTime {
  const zone = t.zone;
  if (zone.kind !== 'iana') return new GoTime(ZERO_TIME_NS, UTC);
  const seconds = floorDiv(t.ns, NS_PER_S);
  const start = listedPeriodStart(zone.name, seconds);
  if (start === undefined) return new GoTime(ZERO_TIME_NS, UTC);
  if (seconds >= LISTED_TRANSITIONS_END) {
    const year = civilFromDays(Number(floorDiv(seconds, 86400n))).year;
    const yearStart = BigInt(daysFromCivil(year, 1, 1)) * 86400n;
    const offsetAt = (s: bigint) => zoneAt(zone, s * NS_PER_S).offset;
    const daylightSaving = offsetAt(yearStart) !== offsetAt(yearStart + 182n * 86400n);
    if (daylightSaving && start < yearStart) return new GoTime(yearStart * NS_PER_S, zone);
  }
  return new GoTime(start * NS_PER_S, zone);
}

/**
 * The second the zone's offset or abbreviation last changed at or before `seconds`, if after 1800.
 * Abbreviations count only where Intl has letters for both sides: ICU has them only from 1970, so
 * 1969's PST would otherwise differ from 1970's.
 */
function listedPeriodStart(name: string, seconds: bigint): bigint | undefined {
  const zone: GoZone = { kind: 'iana', name };
  const here = zoneAt(zone, seconds * NS_PER_S);
  const lettered = (abbrev: string) => /^[A-Z]/.test(abbrev);
  const same = (s: bigint) => {
    const there = zoneAt(zone, s * NS_PER_S);
    if (there.offset !== here.offset) return false;
    return there.abbrev === here.abbrev || !lettered(there.abbrev) || !lettered(here.abbrev);
  };
  let inside = seconds;
  let before = inside - WEEK_SECONDS;
  while (same(before)) {
    if (before < EARLIEST_TRANSITION_SECONDS) return undefined;
    inside = before;
    before -= WEEK_SECONDS;
  }
  while (inside - before > 1n) {
    const mid = before + (inside - before) / 2n;
    if (same(mid)) inside = mid;
    else before = mid;
  }
  return inside;
}

/** expr v1.15.5 builtin/builtin.go `date` with one argument: these layouts, in this order. */
export const defaultDateLayouts = [
  '2006-01-02',
  '15:04:05',
  '2006-01-02 15:04:05',
  '2006-01-02T15:04:05Z07:00', // time.RFC3339
  '02 Jan 06 15:04 MST', // time.RFC822
  'Monday, 02-Jan-06 15:04:05 MST', // time.RFC850
  'Mon, 02 Jan 2006 15:04:05 MST', // time.RFC1123
];
