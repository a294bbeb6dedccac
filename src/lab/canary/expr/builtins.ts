/**
 * The run-time side of expr v1.15.5's builtins other than the closure ones (builtin/builtin.go, the Func
 * and Fast functions; builtin/func.go; builtin/sort.go), with Go's strings, strconv, encoding and time
 * behaviour. The checker (checker.ts) has already rejected wrong static types; what is left here are the
 * values only known at run time (an interface{} argument holding the wrong type, a bad duration, an index out
 * of range), which are errors with the panic or error text expr reports.
 */
import {
  defaultDateLayouts,
  GoDuration,
  GoTime,
  LOCAL,
  loadLocation,
  parseDuration,
  parseTime,
  timeFromDate,
} from './gotime.js';
import {
  assertionError,
  formatV,
  fromGoJSON,
  GoAnyMap,
  GoLocation,
  GoNamedInt,
  type GoValue,
  goCompare,
  INT64,
  isMapValue,
  isNum,
  kindName,
  runtimeTypeName,
  sliceOf,
  toGoJSON,
} from './values.js';

export interface BuiltinContext {
  /** The judge's clock, read by now(). */
  now?: () => Date;
  /** Raises the run-time error (an ExprError at the call's position). */
  fail(detail: string): never;
}

/** Go's type assertion args[i].(string): a panic naming the dynamic type otherwise. */
function str(ctx: BuiltinContext, v: GoValue | undefined): string {
  if (typeof v !== 'string') return ctx.fail(assertionError(v, 'string'));
  return v;
}

/** expr v1.15.5 vm/runtime/runtime.go ToInt: numbers convert (floats truncate); anything else panics. */
function toInt(ctx: BuiltinContext, v: GoValue | undefined): number {
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number') return Math.trunc(v);
  // A named type (time.Duration) matches none of ToInt's cases.
  return ctx.fail(`invalid operation: int(${runtimeTypeName(v ?? null)})`);
}

const utf8 = (s: string) => Buffer.byteLength(s);

/** Go strings.genSplit (Split, SplitN, SplitAfter, SplitAfterN): n < 0 all, n == 0 none. */
function goSplit(s: string, sep: string, after: boolean, n: number): string[] {
  if (n === 0) return [];
  if (sep === '') {
    const runes = Array.from(s);
    const count = n < 0 || n > runes.length ? runes.length : n;
    const out = runes.slice(0, count - 1);
    if (count > 0) out.push(runes.slice(count - 1).join(''));
    return out;
  }
  let limit = n < 0 ? s.split(sep).length : n;
  if (limit > utf8(s) + 1) limit = utf8(s) + 1;
  const out: string[] = [];
  let rest = s;
  while (out.length < limit - 1) {
    const m = rest.indexOf(sep);
    if (m < 0) break;
    out.push(rest.slice(0, m + (after ? sep.length : 0)));
    rest = rest.slice(m + sep.length);
  }
  out.push(rest);
  return out;
}

/** Go strings.Replace: n < 0 replaces all; an empty `old` matches before each rune and at the end. */
function goReplace(s: string, old: string, replacement: string, n: number): string {
  if (old === replacement || n === 0) return s;
  if (old === '') {
    const runes = Array.from(s);
    let out = '';
    let done = 0;
    for (let i = 0; i <= runes.length; i++) {
      if (n < 0 || done < n) {
        out += replacement;
        done++;
      }
      out += runes[i] ?? '';
    }
    return out;
  }
  const parts = s.split(old);
  if (n < 0 || n >= parts.length - 1) return parts.join(replacement);
  return parts.slice(0, n + 1).join(replacement) + old + parts.slice(n + 1).join(old);
}

// Go unicode.IsSpace (strings.TrimSpace): the Unicode White_Space set, which is not JavaScript's \s.
const goSpace = '\\t\\n\\v\\f\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000';
const leadingSpace = new RegExp(`^[${goSpace}]+`);
const trailingSpace = new RegExp(`[${goSpace}]+$`);

/** Go strings.Trim(s, cutset): strip runes in cutset from both ends. */
function goTrim(s: string, cutset: string): string {
  const set = new Set(Array.from(cutset));
  const runes = Array.from(s);
  let start = 0;
  let end = runes.length;
  while (start < end && set.has(runes[start] as string)) start++;
  while (end > start && set.has(runes[end - 1] as string)) end--;
  return runes.slice(start, end).join('');
}

/**
 * A rune whose simple case mapping (UnicodeData.txt, which Go's unicode.CaseRanges holds) is one rune while
 * JavaScript's full mapping (SpecialCasing.txt) gives several: Go takes the simple one. Lower: "İ" (U+0130) →
 * "i" (JavaScript: "i̇"). Upper: Greek letters with ypogegrammeni ("ᾀ" U+1F80 → "ᾈ" U+1F88, "ᾳ" U+1FB3 → "ᾼ"
 * U+1FBC; JavaScript: "ἈΙ", "ΑΙ").
 */
function simpleCase(code: number, upper: boolean): number | undefined {
  if (!upper) return code === 0x130 ? 0x69 : undefined;
  if (code >= 0x1f80 && code <= 0x1faf && (code & 0xf) < 8) return code + 8;
  if (code === 0x1fb3 || code === 0x1fc3 || code === 0x1ff3) return code + 9;
  return undefined;
}

/**
 * Go strings.ToUpper/ToLower map rune by rune with unicode.ToUpper/ToLower (go/src/unicode/letter.go, the simple
 * mappings of tables.go): no "ß" → "SS" as in JavaScript; a rune with no single-rune mapping stays as it is.
 */
function goCase(s: string, upper: boolean): string {
  let out = '';
  for (const c of s) {
    const simple = simpleCase(c.codePointAt(0) as number, upper);
    if (simple !== undefined) {
      out += String.fromCodePoint(simple);
      continue;
    }
    const mapped = upper ? c.toUpperCase() : c.toLowerCase();
    out += Array.from(mapped).length === 1 ? mapped : c;
  }
  return out;
}

/** Go encoding/base64 StdEncoding.DecodeString: padded standard alphabet, else "illegal base64 data". */
function fromBase64(ctx: BuiltinContext, s: string): string {
  const bytes = Buffer.from(s, 'latin1');
  const bad = (i: number) => ctx.fail(`illegal base64 data at input byte ${i}`);
  const alphabet = /[A-Za-z0-9+/]/;
  let i = 0;
  // Go skips \r and \n anywhere; everything else must be alphabet until the padding.
  const chars: string[] = [];
  const positions: number[] = [];
  for (; i < bytes.length; i++) {
    const c = String.fromCharCode(bytes[i] as number);
    if (c === '\r' || c === '\n') continue;
    chars.push(c);
    positions.push(i);
  }
  const firstPad = chars.indexOf('=');
  const body = firstPad < 0 ? chars : chars.slice(0, firstPad);
  for (const [j, c] of body.entries()) if (!alphabet.test(c)) return bad(positions[j] as number);
  if (firstPad < 0) {
    if (body.length % 4 !== 0) return bad(bytes.length);
  } else {
    const padding = chars.slice(firstPad);
    const expected = (4 - (body.length % 4)) % 4;
    if (
      body.length % 4 === 1 ||
      expected === 0 ||
      padding.length !== expected ||
      padding.some((c) => c !== '=')
    )
      return bad(positions[firstPad] as number);
  }
  return Buffer.from(body.join(''), 'base64').toString('utf8');
}

/** Go strconv.ParseFloat for decimal input, Inf/Infinity and NaN (any case); null when Go rejects it. */
export function goParseFloat(s: string): number | null {
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return Number(s);
  if (/^[+-]?(inf|infinity)$/i.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(s)) return Number.NaN; // strconv: a sign only before Inf
  return null;
}

/** Go's int(float64): truncation; NaN and out-of-range values give math.MinInt64 on amd64. */
export function goTruncate(x: number): bigint {
  if (!Number.isFinite(x) || Math.abs(x) >= 9.223372036854776e18) return -9223372036854775808n;
  return BigInt(Math.trunc(x));
}

/** builtin/func.go Type: the Go kind family, or the named type's package path and name. */
function typeOf(v: GoValue): string {
  if (v === null) return 'nil';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return 'float';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (v instanceof GoTime) return 'time.Time';
  if (v instanceof GoDuration) return 'time.Duration';
  if (v instanceof GoNamedInt) return v.type;
  if (v instanceof GoLocation) return 'time.Location';
  if (Array.isArray(v)) return 'array';
  return 'map';
}

/** builtin/sort.go: sort and sortBy (ints, floats or strings of one type; "asc" or "desc"). */
function sortValues(
  ctx: BuiltinContext,
  array: GoValue,
  field: string | undefined,
  order: GoValue | undefined,
) {
  if (!Array.isArray(array)) return ctx.fail(`cannot sort ${kindName(array)}`);
  let desc = false;
  if (order !== undefined) {
    if (typeof order !== 'string')
      return ctx.fail(`invalid argument for sort (expected string, got ${runtimeTypeName(order)})`);
    if (order !== 'asc' && order !== 'desc')
      return ctx.fail(`invalid argument for sort (expected "asc" or "desc", got ${JSON.stringify(order)})`);
    desc = order === 'desc';
  }
  const keyed = array.map((item) => {
    let key: GoValue | undefined = item;
    if (item instanceof GoAnyMap) key = item.get(field ?? '');
    else if (isMapValue(item)) key = Object.hasOwn(item, field ?? '') ? item[field ?? ''] : undefined;
    if (key === undefined) return ctx.fail('cannot deref <invalid reflect.Value>');
    return { item, key };
  });
  for (let i = 1; i < keyed.length; i++) {
    const a = runtimeTypeName((keyed[i] as { key: GoValue }).key);
    const b = runtimeTypeName((keyed[i - 1] as { key: GoValue }).key);
    if (a !== b) return ctx.fail(`cannot sort array of different types (${a} and ${b})`);
  }
  const first = keyed[0]?.key;
  if (
    first !== undefined &&
    !isNum(first) &&
    typeof first !== 'string' &&
    !(first instanceof GoDuration) &&
    !(first instanceof GoNamedInt)
  )
    return ctx.fail(`sort: unsupported type ${kindName(first)}`);
  // builtin/sort.go Less goes by reflect kind, so durations and months sort as their integers.
  const byKind = (v: GoValue) => (v instanceof GoDuration ? v.ns : v instanceof GoNamedInt ? v.value : v);
  keyed.sort((p, q) => {
    if (goCompare('<', byKind(p.key), byKind(q.key))) return desc ? 1 : -1;
    if (goCompare('>', byKind(p.key), byKind(q.key))) return desc ? -1 : 1;
    return 0;
  });
  return keyed.map((k) => k.item);
}

/** expr v1.15.5 runtime.Fetch wrapped in recover, as get/first/last use it: nil instead of a panic. */
function safeFetch(from: GoValue, key: GoValue): GoValue {
  if (Array.isArray(from) || typeof from === 'string') {
    // A Go string indexes its UTF-8 bytes.
    const items = Array.isArray(from) ? from : [...Buffer.from(from)].map((b) => BigInt(b));
    if (!isNum(key)) return null;
    let index = Number(key);
    if (index < 0) index += items.length;
    if (!Number.isInteger(index) || index < 0 || index >= items.length) return null;
    return items[index] as GoValue;
  }
  if (from instanceof GoAnyMap) return from.get(key) ?? null;
  if (isMapValue(from)) {
    if (typeof key !== 'string') return null;
    return Object.hasOwn(from, key) ? (from[key] as GoValue) : null;
  }
  return null;
}

export function callBuiltin(name: string, args: GoValue[], ctx: BuiltinContext): GoValue {
  const a = args[0] as GoValue;
  switch (name) {
    case 'len':
      if (Array.isArray(a)) return BigInt(a.length);
      if (typeof a === 'string') return BigInt(utf8(a));
      if (a instanceof GoAnyMap) return BigInt(a.size);
      if (isMapValue(a)) return BigInt(Object.keys(a).length);
      return ctx.fail(`invalid argument for len (type ${runtimeTypeName(a)})`);
    case 'type':
      return typeOf(a);
    case 'abs':
      if (typeof a === 'bigint') return a < 0n ? INT64(-a) : a;
      if (typeof a === 'number') return Math.abs(a);
      return ctx.fail(`invalid argument for abs (type ${runtimeTypeName(a)})`);
    case 'ceil':
    case 'floor':
    case 'round': {
      if (!isNum(a)) return ctx.fail(`invalid argument for ${name} (type ${runtimeTypeName(a)})`);
      const x = Number(a);
      if (name === 'ceil') return Math.ceil(x);
      if (name === 'floor') return Math.floor(x);
      return Math.sign(x) * Math.round(Math.abs(x)); // Go math.Round: half away from zero
    }
    // builtin/func.go Int and Float: strings through strconv.Atoi / ParseFloat, the panic names the text.
    case 'int':
      if (typeof a === 'bigint') return a;
      if (typeof a === 'number') return goTruncate(a);
      if (typeof a === 'string') {
        if (!/^[+-]?\d+$/.test(a) || INT64(BigInt(a)) !== BigInt(a))
          return ctx.fail(`invalid operation: int(${a})`);
        return BigInt(a);
      }
      return ctx.fail(`invalid operation: int(${runtimeTypeName(a)})`);
    case 'float': {
      if (isNum(a)) return Number(a);
      if (typeof a === 'string') {
        const f = goParseFloat(a);
        return f === null ? ctx.fail(`invalid operation: float(${a})`) : f;
      }
      return ctx.fail(`invalid operation: float(${runtimeTypeName(a)})`);
    }
    case 'string':
      return formatV(a);
    case 'trim':
      return args.length === 1
        ? str(ctx, a).replace(leadingSpace, '').replace(trailingSpace, '')
        : goTrim(str(ctx, a), str(ctx, args[1]));
    case 'trimPrefix':
    case 'trimSuffix': {
      const s = str(ctx, a);
      const affix = args.length === 2 ? str(ctx, args[1]) : ' ';
      if (name === 'trimPrefix') return s.startsWith(affix) ? s.slice(affix.length) : s;
      return s.endsWith(affix) ? s.slice(0, s.length - affix.length) : s;
    }
    case 'upper':
    case 'lower':
      return goCase(str(ctx, a), name === 'upper');
    case 'split':
    case 'splitAfter':
      return goSplit(
        str(ctx, a),
        str(ctx, args[1]),
        name === 'splitAfter',
        args.length === 3 ? toInt(ctx, args[2]) : -1,
      );
    case 'replace':
      return goReplace(
        str(ctx, a),
        str(ctx, args[1]),
        str(ctx, args[2]),
        args.length === 4 ? toInt(ctx, args[3]) : -1,
      );
    case 'repeat': {
      const s = str(ctx, a);
      const n = toInt(ctx, args[1]);
      if (n > 1e6) return ctx.fail('memory budget exceeded');
      if (n < 0) return ctx.fail('strings: negative Repeat count');
      if (s.length * n > 1 << 28) return ctx.fail('memory budget exceeded');
      return s.repeat(n);
    }
    case 'join': {
      const glue = args.length === 2 ? str(ctx, args[1]) : '';
      // []string and []interface {} join (each element asserted to string); a []float64 does not.
      if (!Array.isArray(a) || (a.length > 0 && runtimeTypeName(a) === '[]float64'))
        return ctx.fail(`invalid argument for join (type ${runtimeTypeName(a)})`);
      return a.map((x) => str(ctx, x)).join(glue);
    }
    case 'indexOf':
    case 'lastIndexOf': {
      // Go's strings.Index counts bytes of UTF-8.
      const s = str(ctx, a);
      const i = name === 'indexOf' ? s.indexOf(str(ctx, args[1])) : s.lastIndexOf(str(ctx, args[1]));
      return i < 0 ? -1n : BigInt(utf8(s.slice(0, i)));
    }
    case 'hasPrefix':
      return str(ctx, a).startsWith(str(ctx, args[1]));
    case 'hasSuffix':
      return str(ctx, a).endsWith(str(ctx, args[1]));
    case 'max':
    case 'min': {
      // builtin/func.go Max/Min: runtime.Less / runtime.More against the best so far.
      let best: GoValue = null;
      for (const arg of args) {
        if (best === null) {
          best = arg;
          continue;
        }
        const better = goCompare(name === 'max' ? '<' : '>', best, arg);
        if (better === undefined)
          return ctx.fail(
            `invalid operation: ${runtimeTypeName(best)} ${name === 'max' ? '<' : '>'} ${runtimeTypeName(arg)}`,
          );
        if (better) best = arg;
      }
      return best;
    }
    case 'sum':
    case 'mean':
    case 'median': {
      if (!Array.isArray(a)) return ctx.fail(`cannot ${name} ${kindName(a)}`);
      // reflect's CanInt/CanFloat go by kind: a time.Duration or time.Month counts as its integer.
      const items = a.map((x) => (x instanceof GoDuration ? x.ns : x instanceof GoNamedInt ? x.value : x));
      const bad = items.find((x) => !isNum(x));
      if (bad !== undefined) return ctx.fail(`cannot ${name} ${kindName(bad)}`);
      if (name === 'sum') {
        // An int sum until the first float, then a float64 sum (builtin.go `goto float`).
        if (items.every((x) => typeof x === 'bigint'))
          return INT64(items.reduce((s: bigint, x) => s + (x as bigint), 0n));
        return items.reduce((s: number, x) => s + Number(x), 0);
      }
      if (items.length === 0) return 0; // mean and median of nothing are 0.0 in v1.15.5
      const xs = items.map(Number);
      if (name === 'mean') return xs.reduce((s, x) => s + x, 0) / xs.length;
      xs.sort((p, q) => p - q);
      const mid = Math.floor(xs.length / 2);
      return xs.length % 2 === 0 ? ((xs[mid - 1] as number) + (xs[mid] as number)) / 2 : (xs[mid] as number);
    }
    case 'toJSON':
      try {
        return toGoJSON(a);
      } catch (error) {
        return ctx.fail((error as Error).message);
      }
    case 'fromJSON':
      try {
        return fromGoJSON(str(ctx, a));
      } catch (error) {
        return ctx.fail((error as Error).message);
      }
    case 'toBase64':
      return Buffer.from(str(ctx, a), 'utf8').toString('base64');
    case 'fromBase64':
      return fromBase64(ctx, str(ctx, a));
    case 'now':
      if (!ctx.now) return ctx.fail('now() needs the judge clock, and none was given');
      return timeFromDate(ctx.now(), LOCAL); // time.Now() is in time.Local (the controller's zone)
    case 'duration':
      try {
        return parseDuration(str(ctx, a));
      } catch (error) {
        return ctx.fail((error as Error).message);
      }
    case 'date': {
      const text = str(ctx, a);
      try {
        if (args.length === 2) return parseTime(str(ctx, args[1]), text);
        if (args.length === 3) return parseTime(str(ctx, args[1]), text, loadLocation(str(ctx, args[2])));
      } catch (error) {
        return ctx.fail((error as Error).message);
      }
      for (const layout of defaultDateLayouts) {
        try {
          return parseTime(layout, text);
        } catch {
          // try the next layout, as builtin.go does
        }
      }
      return ctx.fail(`invalid date ${text}`);
    }
    case 'first':
      return safeFetch(a, 0n);
    case 'last':
      return safeFetch(a, -1n);
    case 'get':
      return safeFetch(a, args[1] as GoValue);
    case 'take': {
      if (!Array.isArray(a)) return ctx.fail(`cannot take from ${kindName(a)}`);
      const n = args[1] as GoValue;
      if (typeof n !== 'bigint') return ctx.fail(`cannot take ${kindName(n)} elements`);
      if (n > BigInt(a.length)) return a;
      if (n < 0n) return ctx.fail('reflect.Value.Slice: slice index out of bounds');
      return sliceOf(a, 0, Number(n));
    }
    case 'keys':
    case 'values': {
      if (a instanceof GoAnyMap) return [...a.entries.values()].map(([k, v]) => (name === 'keys' ? k : v));
      if (!isMapValue(a)) return ctx.fail(`cannot get ${name} from ${kindName(a)}`);
      return name === 'keys' ? Object.keys(a) : Object.values(a);
    }
    case 'toPairs': {
      if (a instanceof GoAnyMap) return [...a.entries.values()].map(([k, v]) => [k, v]);
      if (!isMapValue(a)) return ctx.fail(`cannot transform ${kindName(a)} to pairs`);
      return Object.entries(a).map(([k, v]) => [k, v]);
    }
    case 'fromPairs': {
      if (!Array.isArray(a)) return ctx.fail(`cannot transform ${formatV(a)} from pairs`);
      const out = new GoAnyMap();
      for (const pair of a) {
        if (!Array.isArray(pair)) return ctx.fail(`invalid pair ${formatV(pair)}`);
        if (pair.length !== 2) return ctx.fail(`invalid pair length ${formatV(pair)}`);
        try {
          out.set(pair[0] as GoValue, pair[1] as GoValue);
        } catch (error) {
          return ctx.fail((error as Error).message);
        }
      }
      return out;
    }
    case 'sort':
      return sortValues(ctx, a, undefined, args[1]);
    case 'sortBy':
      if (typeof args[1] !== 'string')
        return ctx.fail(
          `invalid argument for sort (expected string, got ${runtimeTypeName(args[1] ?? null)})`,
        );
      return sortValues(ctx, a, args[1], args[2]);
  }
  return ctx.fail(`unknown builtin ${name}`);
}
