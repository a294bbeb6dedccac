/**
 * Properties of the expr v1.15.5 builtins (src/lab/canary/expr/builtins.ts, gotime.ts, regexp.ts), for any
 * input fast-check makes: each is a law of Go's strings, strconv, encoding and time packages that the
 * builtin inherits (strings.Join(strings.Split(s, sep), sep) == s, ParseDuration(d.String()) == d, …).
 * Strings reach the expression as Go string literals: JSON.stringify's escapes are all Go escapes too.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { T } from '../../../../src/lab/canary/expr/checker.js';
import { ExprError } from '../../../../src/lab/canary/expr/errors.js';
import { compile } from '../../../../src/lab/canary/expr/evaluate.js';
import {
  formatDuration,
  formatTime,
  GoDuration,
  GoTime,
  parseDuration,
  parseTime,
  UTC,
} from '../../../../src/lab/canary/expr/gotime.js';
import type { GoValue } from '../../../../src/lab/canary/expr/values.js';

const lit = (s: string) => JSON.stringify(s);
const run = (expression: string, result: GoValue = null, now = new Date(0)): GoValue =>
  compile(expression, { result: T.any }).run({ result, now: () => now });

// Text without lone surrogates (a Go string literal holds valid UTF-8 here).
const text = fc.string({ unit: 'grapheme', maxLength: 20 });

describe('string builtins: laws of Go strings', () => {
  it('join(split(s, sep), sep) == s (strings.Split / strings.Join)', () => {
    fc.assert(
      fc.property(text, fc.string({ unit: 'grapheme', minLength: 1, maxLength: 3 }), (s, sep) => {
        expect(run(`join(split(${lit(s)}, ${lit(sep)}), ${lit(sep)})`)).toBe(s);
        expect(run(`join(splitAfter(${lit(s)}, ${lit(sep)}))`)).toBe(s);
      }),
    );
  });

  it('split(s, sep, n) has at most n parts and joins back to s', () => {
    fc.assert(
      fc.property(text, fc.constantFrom(',', '-', 'ab'), fc.integer({ min: 1, max: 5 }), (s, sep, n) => {
        const parts = run(`split(${lit(s)}, ${lit(sep)}, ${n})`) as string[];
        expect(parts.length).toBeLessThanOrEqual(n);
        expect(parts.join(sep)).toBe(s);
      }),
    );
  });

  it('trim is idempotent and leaves no Go white space at either end', () => {
    const spacey = fc.string({
      unit: fc.constantFrom(' ', '\t', '\n', 'a', 'b', '\u00a0', '\u3000'),
      maxLength: 12,
    });
    fc.assert(
      fc.property(spacey, (s) => {
        const once = run(`trim(${lit(s)})`) as string;
        expect(run(`trim(${lit(once)})`)).toBe(once);
        expect(once).not.toMatch(/^[\s\u00a0\u3000]|[\s\u00a0\u3000]$/);
        expect(run(`trim(${lit(s)}, " a")`)).toBe(run(`trim(trim(${lit(s)}, " a"), " a")`));
      }),
    );
  });

  it('trimPrefix(p + s, p) == s and trimSuffix(s + p, p) == s', () => {
    fc.assert(
      fc.property(text, text, (p, s) => {
        expect(run(`trimPrefix(${lit(p + s)}, ${lit(p)})`)).toBe(s);
        expect(run(`trimSuffix(${lit(s + p)}, ${lit(p)})`)).toBe(s);
      }),
    );
  });

  it('replace(s, old, new) leaves no old behind when new does not contain it; repeat has n copies', () => {
    fc.assert(
      fc.property(text, fc.integer({ min: 0, max: 5 }), (s, n) => {
        expect(run(`replace(${lit(s)}, "x", "y")`)).not.toContain('x');
        expect(run(`len(repeat(${lit(s)}, ${n}))`)).toBe(BigInt(Buffer.byteLength(s) * n));
      }),
    );
  });

  it('indexOf counts UTF-8 bytes (strings.Index), and hasPrefix agrees with indexOf == 0', () => {
    fc.assert(
      fc.property(text, text, (a, b) => {
        const i = run(`indexOf(${lit(a + b)}, ${lit(b)})`) as bigint;
        expect(i).toBe(BigInt(Buffer.from(a + b).indexOf(Buffer.from(b))));
        expect(run(`hasPrefix(${lit(a + b)}, ${lit(a)})`)).toBe(true);
      }),
    );
  });

  it('fromBase64(toBase64(s)) == s; fromJSON(toJSON(x)) == x for strings and float arrays', () => {
    fc.assert(
      fc.property(
        text,
        fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { maxLength: 5 }),
        (s, xs) => {
          expect(run(`fromBase64(toBase64(${lit(s)}))`)).toBe(s);
          expect(run(`fromJSON(toJSON(${lit(s)}))`)).toBe(s);
          expect(run('fromJSON(toJSON(result))', xs)).toEqual(xs);
        },
      ),
    );
  });

  it('upper and lower map rune by rune with the simple case mappings (unicode.ToUpper / ToLower)', () => {
    // UnicodeData.txt's one-rune mappings, which Go's tables hold; JavaScript's full mappings differ here.
    expect(run(`lower(${lit('İSTANBUL')})`)).toBe('istanbul');
    expect(run(`upper(${lit('straße ᾀ ᾳ ῃ ῳ ﬁ')})`)).toBe('STRAßE ᾈ ᾼ ῌ ῼ ﬁ');
    expect(run(`upper(${lit('ᾈ')})`)).toBe('ᾈ');
    // strings.ToUpper writes one rune for each rune it reads.
    const runes = fc.string({ unit: 'binary', maxLength: 20 });
    fc.assert(
      fc.property(runes, (s) => {
        for (const f of ['upper', 'lower']) {
          expect(Array.from(run(`${f}(${lit(s)})`) as string)).toHaveLength(Array.from(s).length);
        }
      }),
    );
  });

  it('string literals read back exactly (parser/lexer/utils.go unescape)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 20 }), (s) => {
        const value = s.replace(/[\ud800-\udfff]/g, 'x');
        expect(run(lit(value))).toBe(value);
      }),
    );
  });
});

describe('closure builtins', () => {
  const ints = fc.array(fc.integer({ min: -50, max: 50 }), { maxLength: 12 });
  it('reduce(xs, #acc + #, 0) == sum(xs); groupBy partitions xs', () => {
    fc.assert(
      fc.property(ints, (xs) => {
        const result = xs.map(BigInt);
        expect(run('reduce(result, #acc + #, 0)', result)).toBe(run('sum(result)', result));
        expect(run('sum(map(values(groupBy(result, # % 3)), len(#)))', result)).toBe(BigInt(xs.length));
      }),
    );
  });

  it('findIndex is nil exactly when no element matches, else the first match', () => {
    fc.assert(
      fc.property(ints, (xs) => {
        const result = xs.map(BigInt);
        const i = xs.findIndex((x) => x > 10);
        expect(run('findIndex(result, # > 10)', result)).toBe(i < 0 ? null : BigInt(i));
      }),
    );
  });

  it('sort orders like Go and keeps the elements; desc is the reverse', () => {
    fc.assert(
      fc.property(ints, (xs) => {
        const result = xs.map(BigInt);
        const sorted = [...xs].sort((a, b) => a - b).map(BigInt);
        expect(run('sort(result)', result)).toEqual(sorted);
        expect(run('sort(result, "desc")', result)).toEqual([...sorted].reverse());
      }),
    );
  });
});

describe('time builtins: laws of Go time', () => {
  const nanos = fc.bigInt({ min: -(1n << 62n), max: 1n << 62n });
  it('ParseDuration(d.String()) == d (time.Duration String round-trip)', () => {
    fc.assert(
      fc.property(nanos, (ns) => {
        expect(parseDuration(formatDuration(ns)).ns).toBe(ns);
        expect(run(`duration(${lit(formatDuration(ns))})`)).toEqual(new GoDuration(ns));
      }),
    );
  });

  it('a time written as RFC 3339 with nanoseconds parses back to the same instant', () => {
    const instants = fc.bigInt({ min: -62135596800n * 1_000_000_000n, max: 253402300799n * 1_000_000_000n });
    fc.assert(
      fc.property(instants, (ns) => {
        const t = new GoTime(ns, UTC);
        const textual = formatTime(t, '2006-01-02T15:04:05.999999999Z07:00');
        expect(parseTime('2006-01-02T15:04:05.999999999Z07:00', textual).ns).toBe(ns);
        expect(
          formatTime(
            parseTime('2006-01-02 15:04:05', formatTime(t, '2006-01-02 15:04:05')),
            'Mon Jan _2 2006',
          ),
        ).toBe(formatTime(t, 'Mon Jan _2 2006'));
      }),
    );
  });

  it('now() is the injected clock; now() - duration(d) + duration(d) == now()', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1970-01-01'), max: new Date('2200-01-01'), noInvalidDate: true }),
        (d) => {
          const now = run('now()', null, d) as GoTime;
          expect(now.ns).toBe(BigInt(d.getTime()) * 1_000_000n);
          expect(run('now() - duration("90m") + duration("90m") == now()', null, d)).toBe(true);
          expect(run('now() - (now() - duration("1h")) == duration("1h")', null, d)).toBe(true);
        },
      ),
    );
  });

  it('rejects what Go rejects, with Go messages', () => {
    const cases: [string, string][] = [
      ['duration("1")', 'time: missing unit in duration "1"'],
      ['duration("1d")', 'time: unknown unit "d" in duration "1d"'],
      ['duration("")', 'time: invalid duration ""'],
      ['duration("9999999999999h")', 'time: invalid duration "9999999999999h"'],
      ['date("2024-01-01", "2006-01-02", "Nowhere/City")', 'unknown time zone Nowhere/City'],
      [
        'date("2024-1-01", "2006-01-02")',
        'parsing time "2024-1-01" as "2006-01-02": cannot parse "1-01" as "01"',
      ],
      ['date("2024-01-01x", "2006-01-02")', 'parsing time "2024-01-01x": extra text: "x"'],
      ['date("2023-02-29", "2006-01-02")', 'parsing time "2023-02-29": day out of range'],
    ];
    for (const [expression, message] of cases) {
      let caught: unknown;
      try {
        run(expression);
      } catch (error) {
        caught = error;
      }
      expect(caught, expression).toBeInstanceOf(ExprError);
      expect((caught as ExprError).detail).toBe(message);
    }
  });
});

describe('matches: Go RE2 syntax and semantics', () => {
  it('an escaped literal always matches itself (regexp.QuoteMeta)', () => {
    fc.assert(
      fc.property(text, (s) => {
        const quoted = s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
        expect(run(`${lit(s)} matches ${lit(`^${quoted}$`)}`)).toBe(true);
      }),
    );
  });

  it('accepts RE2-only syntax and rejects what RE2 rejects, with Go messages, at compile and at run time', () => {
    expect(run('"abc" matches "(?P<first>a)bc"')).toBe(true);
    expect(run('"x\\ny" matches "(?s)x.y"')).toBe(true);
    expect(run('"x\\ny" matches "x.y"')).toBe(false);
    expect(run('"ab" matches "\\\\Ab\\\\z"')).toBe(false);
    expect(() => run('"a" matches "(?<=a)b"')).toThrow(ExprError);
    expect(() => run('"a" matches "a(b"')).toThrow('error parsing regexp: missing closing ): `a(b`');
    expect(() => run('"a" matches "a" + "**"')).toThrow(
      'error parsing regexp: invalid nested repetition operator: `**`',
    );
    expect(() => run('"a" matches "\\\\1"')).toThrow('error parsing regexp: invalid escape sequence: `\\1`');
  });
});

describe('builtins that parse text: any input gives a value or an ExprError in the Go shape', () => {
  const outcome = (expression: string): GoValue | ExprError => {
    try {
      return run(expression);
    } catch (error) {
      if (error instanceof ExprError) return error;
      throw error;
    }
  };
  const anyText = fc.oneof(
    fc.string({ maxLength: 16 }),
    fc.stringMatching(/^[-+]?[0-9.]{0,6}(ns|us|µs|ms|s|m|h|d|x)?[0-9.]{0,3}(ns|ms|s|m|h)?$/),
    fc.stringMatching(/^[0-9]{1,4}[-:. T][0-9]{1,2}[-:. T][0-9]{1,2}( [0-9:]{0,8})?(Z|[+-][0-9:]{0,5})?$/),
  );
  const clean = (s: string) => s.replace(/[\ud800-\udfff]/g, 'x');

  it('duration(s): a time.Duration or "time: …"', () => {
    fc.assert(
      fc.property(anyText, (raw) => {
        const out = outcome(`duration(${lit(clean(raw))})`);
        if (out instanceof ExprError)
          expect(out.detail).toMatch(/^time: (invalid duration|missing unit|unknown unit) /);
        else expect(out).toBeInstanceOf(GoDuration);
      }),
    );
  });

  it('date(s) and date(s, layout): a time.Time, "invalid date s" or Go\'s "parsing time …"', () => {
    const layouts = fc.constantFrom(
      '2006-01-02',
      '2006-01-02 15:04:05',
      '02 Jan 06 15:04 MST',
      '15:04:05.000',
      'Z07:00',
    );
    fc.assert(
      fc.property(anyText, layouts, (raw, layout) => {
        const s = clean(raw);
        const one = outcome(`date(${lit(s)})`);
        if (one instanceof ExprError) expect(one.detail).toBe(`invalid date ${s}`);
        else expect(one).toBeInstanceOf(GoTime);
        const two = outcome(`date(${lit(s)}, ${lit(layout)})`);
        if (two instanceof ExprError) expect(two.detail).toMatch(/^parsing time "/);
        else expect(two).toBeInstanceOf(GoTime);
      }),
    );
  });

  it('s matches p: a bool or "error parsing regexp: …"; fromJSON and fromBase64 fail in their Go shapes', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 8 }), fc.string({ maxLength: 12 }), (rawText, rawPattern) => {
        const matched = outcome(`${lit(clean(rawText))} matches ${lit(clean(rawPattern))}`);
        if (matched instanceof ExprError) expect(matched.detail).toMatch(/^error parsing regexp: /);
        else expect(typeof matched).toBe('boolean');
        const json = outcome(`fromJSON(${lit(clean(rawPattern))})`);
        if (json instanceof ExprError)
          expect(json.detail).toMatch(/^(unexpected end of JSON input|invalid character '.+' in JSON)$/);
        const decoded = outcome(`fromBase64(${lit(clean(rawPattern))})`);
        if (decoded instanceof ExprError)
          expect(decoded.detail).toMatch(/^illegal base64 data at input byte \d+$/);
        else expect(typeof decoded).toBe('string');
      }),
    );
  });
});

describe('time.Time []byte methods: laws of Go encoding', () => {
  // Instants from year 0 to 9999 with nanoseconds, shown in UTC or in a zone (local mean time included).
  const instant = fc
    .record({
      year: fc.integer({ min: 0, max: 9999 }),
      month: fc.integer({ min: 1, max: 12 }),
      day: fc.integer({ min: 1, max: 28 }),
      second: fc.integer({ min: 0, max: 86399 }),
      nanos: fc.integer({ min: 0, max: 999_999_999 }),
    })
    .map(({ year, month, day, second, nanos }) => {
      const pad = (n: number, w = 2) => String(n).padStart(w, '0');
      const clock = `${pad(Math.floor(second / 3600))}:${pad(Math.floor(second / 60) % 60)}:${pad(second % 60)}`;
      return `${pad(year, 4)}-${pad(month)}-${pad(day)}T${clock}.${pad(nanos, 9)}Z`;
    });
  const zone = fc.constantFrom('UTC', 'Europe/Zurich', 'America/St_Johns', 'Asia/Kolkata', 'Pacific/Chatham');
  const timeIn = (iso: string, name: string) =>
    `date("${iso}").In(date("2000-01-01", "2006-01-02", "${name}").Location())`;
  const bytesOf = (v: GoValue) => Buffer.from((v as bigint[]).map(Number));
  /** The offset east of UTC in seconds, from Go's "-07:00:00" layout element. */
  const offsetOf = (t: string) => {
    const zone = /^([+-])(\d\d):(\d\d):(\d\d)$/.exec(run(`${t}.Format("-07:00:00")`) as string);
    if (!zone) throw new Error(`no offset in ${t}`);
    const [, sign, h, m, sec] = zone;
    return (sign === '-' ? -1 : 1) * (Number(h) * 3600 + Number(m) * 60 + Number(sec));
  };

  it('MarshalText is Format(RFC3339Nano), MarshalJSON the same in quotes, toJSON the time itself', () => {
    fc.assert(
      fc.property(instant, zone, (iso, name) => {
        const t = timeIn(iso, name);
        const formatted = run(`${t}.Format("2006-01-02T15:04:05.999999999Z07:00")`) as string;
        expect(bytesOf(run(`${t}.MarshalText()`)).toString()).toBe(formatted);
        expect(bytesOf(run(`${t}.MarshalJSON()`)).toString()).toBe(JSON.stringify(formatted));
        expect(run(`toJSON(${t})`)).toBe(JSON.stringify(formatted));
      }),
      { numRuns: 60 },
    );
  });

  it('type() of a byte of a []uint8 is "uint" (builtin/func.go Type: the Uint kinds); arithmetic on it gives an int, negation a byte', () => {
    const bytes = 'now().MarshalJSON()';
    expect(run(`type(${bytes})`)).toBe('array');
    expect(run(`type(${bytes}[0])`)).toBe('uint');
    expect(run(`let b = ${bytes}[1]; type(b)`)).toBe('uint');
    expect(run(`map(${bytes}, type(#))[2]`)).toBe('uint');
    expect(run(`type(${bytes}[0] + 1)`)).toBe('int');
    // Negate (vm/runtime/runtime.go) keeps the byte a uint8: it wraps around instead of going below zero.
    expect(run(`type(-${bytes}[0])`)).toBe('uint');
    expect(run(`-${bytes}[0]`)).toBe(256n - 34n);
    expect(run(`-(${bytes}[0] + 0)`)).toBe(-34n);
    expect(run('type(len("ab"))')).toBe('int');
  });

  it('MarshalBinary holds the instant and the zone offset (time.go UnmarshalBinary reads it back)', () => {
    fc.assert(
      fc.property(instant, zone, (iso, name) => {
        const t = timeIn(iso, name);
        const b = bytesOf(run(`${t}.MarshalBinary()`));
        const offset = offsetOf(t);
        expect(b.length).toBe(offset % 60 === 0 ? 15 : 16);
        expect(b[0]).toBe(offset % 60 === 0 ? 1 : 2);
        expect(b.readBigInt64BE(1) - 62135596800n).toBe(run(`${t}.Unix()`));
        expect(BigInt(b.readInt32BE(9))).toBe(run(`${t}.Nanosecond()`));
        expect(b.readInt16BE(13)).toBe(name === 'UTC' ? -1 : Math.trunc(offset / 60));
        if (b.length === 16) expect(b.readInt8(15)).toBe(offset % 60);
        expect(bytesOf(run(`${t}.GobEncode()`)).equals(b)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });
});
