/**
 * Values inside the expr engine, with Go's runtime behaviour (expr v1.15.5 vm/runtime/runtime.go and
 * generated.go; Go's fmt %v and encoding/json for `string()` and `toJSON()`). Go ints are bigints, float64s
 * are numbers, time.Time and time.Duration are GoTime and GoDuration, and a map[interface {}]… (what
 * groupBy and fromPairs return) is a GoAnyMap, whose keys keep their Go type (1 and "1" are different keys).
 */
import { GoDuration, GoTime, type GoZone, strictRFC3339 } from './gotime.js';

export { GoDuration, GoTime };

/** A map whose keys are any comparable Go value (map[interface {}]V). */
export class GoAnyMap {
  readonly entries = new Map<string, [GoValue, GoValue]>();
  /**
   * goType: its Go type, as messages print it (groupBy's is map[interface {}][]interface {}). nil: a nil
   * map, as groupBy of an empty array leaves it (vm.go OpGroupBy never ran), which equals nil.
   */
  constructor(
    readonly goType = 'map[interface {}]interface {}',
    readonly nil = false,
  ) {}
  set(key: GoValue, value: GoValue): void {
    this.entries.set(mapKey(key), [key, value]);
  }
  get(key: GoValue): GoValue | undefined {
    return this.entries.get(mapKey(key))?.[1];
  }
  has(key: GoValue): boolean {
    return this.entries.has(mapKey(key));
  }
  get size(): number {
    return this.entries.size;
  }
}

/**
 * A named integer type from Go's time package (time.Month, time.Weekday), as Time.Month() and
 * Time.Weekday() return it. expr v1.15.5's runtime has no case for named types, so one equals only the same
 * type and value (reflect.DeepEqual), and arithmetic or ordering on it is an error; fmt prints its name.
 */
export class GoNamedInt {
  constructor(
    readonly type: 'time.Month' | 'time.Weekday',
    readonly value: bigint,
    readonly name: string,
  ) {}
  toString(): string {
    return this.name;
  }
}

/** A *time.Location, as Time.Location() returns it: the zone, printed by its name. */
export class GoLocation {
  constructor(readonly zone: GoZone) {}
  toString(): string {
    return this.zone.kind === 'utc' || this.zone.kind === 'local' ? 'UTC' : this.zone.name;
  }
}

/**
 * A Go []byte ([]uint8), what time.Time's AppendFormat, GobEncode, MarshalBinary, MarshalJSON and
 * MarshalText return. It is an array of its bytes, so indexing, len(), `in`, slicing and the closure
 * builtins treat it as the slice it is, with its own Go type: fmt's %v prints the numbers (`[34 50]`),
 * encoding/json writes base64 text, reflect.DeepEqual equals it only to another []uint8, and slicing or
 * take() keep the type (vm/runtime/runtime.go Slice, builtin.go take: reflect's Slice). A byte read out of
 * it is a Go int here: expr's runtime turns every uint8 operand of arithmetic into int (generated.go). The two
 * places Go still sees a uint8, type() ("uint") and negation (it wraps), read the checker's static type
 * (evaluate.ts), so a byte that lost its static type (put in an []interface {} first) says "int" there.
 */
export class GoBytes extends Array<bigint> {
  /** map(), filter() and slice() of a []uint8 give plain arrays, as expr's builtins give []interface {}. */
  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }
  static fromBytes(bytes: Uint8Array): GoBytes {
    const out = new GoBytes();
    for (const byte of bytes) out.push(BigInt(byte));
    return out;
  }
  toBytes(): Uint8Array {
    return Uint8Array.from(this, Number);
  }
  /** The bytes as base64 text, as encoding/json writes a []byte. */
  base64(): string {
    return Buffer.from(this.toBytes()).toString('base64');
  }
}

/** items[from:to] as reflect's Slice cuts it: a []uint8 stays one (runtime.go Slice, builtin.go take). */
export function sliceOf(items: GoValue[], from: number, to: number): GoValue[] {
  const part = items.slice(from, to);
  return items instanceof GoBytes ? GoBytes.from(part as bigint[]) : part;
}

/** A value inside the engine: bigint is Go's int/int64. */
export type GoValue =
  | bigint
  | number
  | string
  | boolean
  | null
  | GoTime
  | GoDuration
  | GoAnyMap
  | GoNamedInt
  | GoLocation
  | GoValue[]
  | { [key: string]: GoValue };

/** An identity for a Go interface{} map key: its dynamic type and value; slices and maps cannot be keys. */
function mapKey(key: GoValue): string {
  if (key === null) return 'nil';
  if (typeof key === 'bigint') return `int:${key}`;
  if (typeof key === 'number') return `float64:${key}`;
  if (typeof key === 'string') return `string:${key}`;
  if (typeof key === 'boolean') return `bool:${key}`;
  if (key instanceof GoDuration) return `duration:${key.ns}`;
  if (key instanceof GoNamedInt) return `${key.type}:${key.value}`;
  if (key instanceof GoLocation) return `location:${key.toString()}`;
  if (key instanceof GoTime) return `time:${key.ns}:${JSON.stringify(key.zone)}`;
  throw new Error(`runtime error: hash of unhashable type ${runtimeTypeName(key)}`);
}

/** A string-keyed map (Go map[string]interface {}): a plain object, not one of the classes above. */
export const isMapValue = (v: GoValue | undefined): v is { [key: string]: GoValue } =>
  v !== null &&
  typeof v === 'object' &&
  !Array.isArray(v) &&
  !(v instanceof GoTime) &&
  !(v instanceof GoDuration) &&
  !(v instanceof GoAnyMap) &&
  !(v instanceof GoNamedInt) &&
  !(v instanceof GoLocation);

export const isNum = (v: GoValue | undefined): v is number | bigint =>
  typeof v === 'number' || typeof v === 'bigint';

export const INT64 = (v: bigint) => BigInt.asIntN(64, v);

/** Go's %T of a runtime value. */
export function runtimeTypeName(value: GoValue | undefined): string {
  if (value === null || value === undefined) return '<nil>';
  if (typeof value === 'bigint') return 'int';
  if (typeof value === 'number') return 'float64';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  if (value instanceof GoTime) return 'time.Time';
  if (value instanceof GoDuration) return 'time.Duration';
  if (value instanceof GoAnyMap) return value.goType;
  if (value instanceof GoNamedInt) return value.type;
  if (value instanceof GoLocation) return '*time.Location';
  if (value instanceof GoBytes) return '[]uint8';
  if (Array.isArray(value)) return value.every((v) => typeof v === 'number') ? '[]float64' : '[]interface {}';
  return 'map[string]interface {}';
}

/** Go's TypeAssertionError text for x.(T) on an interface {} holding `value` ("… is nil, not T" for nil). */
export function assertionError(value: GoValue | undefined, want: string): string {
  const held = value === null || value === undefined ? 'nil' : runtimeTypeName(value);
  return `interface conversion: interface {} is ${held}, not ${want}`;
}

/** Go's reflect.Kind name of a runtime value, as builtin messages print it ("cannot sum map"). */
export function kindName(value: GoValue | undefined): string {
  if (value === null || value === undefined) return 'invalid';
  if (value instanceof GoDuration) return 'int64';
  if (value instanceof GoNamedInt) return 'int';
  if (value instanceof GoLocation) return 'ptr';
  if (value instanceof GoTime) return 'struct';
  if (value instanceof GoAnyMap || isMapValue(value)) return 'map';
  if (Array.isArray(value)) return 'slice';
  return runtimeTypeName(value);
}

/**
 * expr v1.15.5 vm/runtime/generated.go Equal: numbers of any kind compare by value, strings and bools by
 * value, times with Time.Equal, durations by value, two nils are equal, anything else by
 * reflect.DeepEqual (so mismatched kinds are just unequal).
 */
export function goEqual(a: GoValue, b: GoValue): boolean {
  // generated.go Equal ends with IsNil(a) && IsNil(b): a nil map equals nil.
  if ((a instanceof GoAnyMap && a.nil && b === null) || (b instanceof GoAnyMap && b.nil && a === null))
    return true;
  if (isNum(a) && isNum(b)) return typeof a === typeof b ? a === b : Number(a) === Number(b);
  if (a instanceof GoTime && b instanceof GoTime) return a.ns === b.ns;
  if (a instanceof GoDuration && b instanceof GoDuration) return a.ns === b.ns;
  if (a instanceof GoNamedInt && b instanceof GoNamedInt) return a.type === b.type && a.value === b.value;
  if (a instanceof GoLocation && b instanceof GoLocation) return a.toString() === b.toString();
  if (Array.isArray(a) && Array.isArray(b)) {
    // reflect.DeepEqual: a []uint8 and a []interface {} are different types, whatever they hold.
    if (a instanceof GoBytes !== b instanceof GoBytes) return false;
    return a.length === b.length && a.every((item, i) => deepEqual(item, b[i] as GoValue));
  }
  if (isMapValue(a) && isMapValue(b)) return deepEqual(a, b);
  if (a instanceof GoAnyMap && b instanceof GoAnyMap) return deepEqual(a, b);
  return a === b;
}

function deepEqual(a: GoValue, b: GoValue): boolean {
  if (typeof a !== typeof b) return false;
  if (Array.isArray(a) || Array.isArray(b)) return goEqual(a, b);
  if (a instanceof GoTime || a instanceof GoDuration || a instanceof GoNamedInt || a instanceof GoLocation)
    return b instanceof a.constructor && goEqual(a, b);
  if (a instanceof GoAnyMap && b instanceof GoAnyMap) {
    return (
      a.size === b.size &&
      [...a.entries.values()].every(([k, v]) => b.has(k) && deepEqual(v, b.get(k) as GoValue))
    );
  }
  if (isMapValue(a) && isMapValue(b)) {
    const ka = Object.keys(a);
    return (
      ka.length === Object.keys(b).length &&
      ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k] as GoValue, b[k] as GoValue))
    );
  }
  return a === b;
}

/**
 * expr v1.15.5 vm/runtime/generated.go Less/More/LessOrEqual/MoreOrEqual: numbers, strings, times
 * (Before/After) and durations; anything else panics "invalid operation: T < U".
 */
export function goCompare(op: '<' | '>' | '<=' | '>=', l: GoValue, r: GoValue): boolean | undefined {
  let a: number | bigint | string;
  let b: number | bigint | string;
  if (isNum(l) && isNum(r)) {
    a = typeof l === typeof r ? l : Number(l);
    b = typeof l === typeof r ? r : Number(r);
  } else if (typeof l === 'string' && typeof r === 'string') {
    a = l;
    b = r;
  } else if (
    (l instanceof GoTime && r instanceof GoTime) ||
    (l instanceof GoDuration && r instanceof GoDuration)
  ) {
    a = l.ns;
    b = r.ns;
  } else return undefined;
  if (op === '<') return a < b;
  if (op === '>') return a > b;
  if (op === '<=') return a <= b;
  return a >= b;
}

/** Go's strconv.FormatFloat(x, 'g', -1, 64), which fmt's %v uses for a float64. */
export function formatGoFloat(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Number.POSITIVE_INFINITY) return '+Inf';
  if (x === Number.NEGATIVE_INFINITY) return '-Inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const [mantissa, exponent] = x.toExponential().split('e') as [string, string];
  const exp = Number(exponent);
  // strconv/ftoa.go %g with the shortest digits: exponent form when exp < -4 || exp >= 6.
  const eprec = 6;
  if (exp < -4 || exp >= eprec) {
    const e = Math.abs(exp) < 10 ? `0${Math.abs(exp)}` : String(Math.abs(exp));
    return `${mantissa}e${exp < 0 ? '-' : '+'}${e}`;
  }
  return String(x);
}

/** Go's fmt.Sprintf("%v", v), what expr's `string()` returns. */
export function formatV(value: GoValue, nested = false): string {
  if (value === null) return nested ? '<nil>' : '<nil>';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') return formatGoFloat(value);
  if (typeof value === 'string' || typeof value === 'boolean') return String(value);
  if (
    value instanceof GoTime ||
    value instanceof GoDuration ||
    value instanceof GoNamedInt ||
    value instanceof GoLocation
  )
    return value.toString();
  if (Array.isArray(value)) return `[${value.map((v) => formatV(v, true)).join(' ')}]`;
  // fmt prints maps sorted by key (internal/fmtsort).
  const pairs: [GoValue, GoValue][] =
    value instanceof GoAnyMap ? [...value.entries.values()] : Object.entries(value);
  pairs.sort(([a], [b]) => compareKeys(a, b));
  return `map[${pairs.map(([k, v]) => `${formatV(k, true)}:${formatV(v, true)}`).join(' ')}]`;
}

function compareKeys(a: GoValue, b: GoValue): number {
  const ta = runtimeTypeName(a);
  const tb = runtimeTypeName(b);
  if (ta !== tb) return ta < tb ? -1 : 1;
  const less = goCompare('<', a, b);
  if (less) return -1;
  return goCompare('>', a, b) ? 1 : 0;
}

/**
 * Go's json.MarshalIndent(v, "", "  "), what expr's `toJSON()` returns: map keys sorted, <, > and &
 * escaped, a time as RFC 3339 text, a duration as its nanoseconds; NaN and ±Inf and maps with
 * non-string keys are errors, with encoding/json's messages.
 */
export function toGoJSON(value: GoValue, indent = ''): string {
  const inner = `${indent}  `;
  if (value === null) return 'null';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`json: unsupported value: ${formatGoFloat(value)}`);
    return Object.is(value, -0) ? '-0' : JSON.stringify(value);
  }
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return goJSONString(value);
  if (value instanceof GoDuration) return value.ns.toString();
  if (value instanceof GoNamedInt) return value.value.toString();
  if (value instanceof GoLocation) return '{}'; // a struct with unexported fields only
  if (value instanceof GoTime) {
    const text = strictRFC3339(value);
    if (text instanceof Error)
      throw new Error(
        `json: error calling MarshalJSON for type time.Time: Time.MarshalJSON: ${text.message}`,
      );
    return goJSONString(text);
  }
  if (value instanceof GoAnyMap) throw new Error(`json: unsupported type: ${value.goType}`);
  // encoding/json encodes a []byte as a base64 string (encode.go encodeByteSlice).
  if (value instanceof GoBytes) return goJSONString(value.base64());
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((v) => inner + toGoJSON(v, inner)).join(',\n')}\n${indent}]`;
  }
  const keys = Object.keys(value).sort();
  if (keys.length === 0) return '{}';
  return `{\n${keys.map((k) => `${inner}${goJSONString(k)}: ${toGoJSON(value[k] as GoValue, inner)}`).join(',\n')}\n${indent}}`;
}

function goJSONString(s: string): string {
  return JSON.stringify(s).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Decoded JSON as Go's json.Unmarshal into interface{} gives it: every number a float64. */
export function fromGoJSON(text: string): GoValue {
  try {
    return JSON.parse(text) as GoValue;
  } catch (error) {
    // encoding/json's two shapes: the input ends early, or a character is wrong where it stands.
    const message = (error as Error).message;
    const token = /Unexpected token '(.+?)'/.exec(message)?.[1];
    const at = /position (\d+)/.exec(message);
    const character = token ?? (at ? text[Number(at[1])] : undefined);
    if (character === undefined || /end of (JSON )?input/i.test(message))
      throw new Error('unexpected end of JSON input');
    throw new Error(`invalid character '${character}' in JSON`);
  }
}
