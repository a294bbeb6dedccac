/**
 * Conformance with expr v1.15.5's builtins (github.com/antonmedv/expr, the version Argo Rollouts v1.8.3 pins
 * in its go.mod). Inputs and asserted outputs are upstream's facts; the tables are written here. Argo's
 * environment has only `result`, so upstream's mock variables (ArrayOfString, ArrayOfInt, …) are given as
 * `result` with the same Go type. Go ints are bigints and float64s numbers, so `5` and `5.0` differ as in Go.
 */
import { describe, expect, it } from 'vitest';
import { T, type Type } from '../../../../src/lab/canary/expr/checker.js';
import { ExprError } from '../../../../src/lab/canary/expr/errors.js';
import { compile } from '../../../../src/lab/canary/expr/evaluate.js';
import { GoDuration, GoTime } from '../../../../src/lab/canary/expr/gotime.js';
import { builtinNames, predicateBuiltins } from '../../../../src/lab/canary/expr/parser.js';
import { GoAnyMap, type GoValue, goEqual } from '../../../../src/lab/canary/expr/values.js';

const fixedNow = new Date('2024-05-06T07:08:09.123Z');

interface Env {
  result: GoValue;
  type: Type;
}
const none: Env = { result: null, type: T.float };
const arrayOfString: Env = { result: ['foo', 'bar', 'baz'], type: T.array(T.string) };
const arrayOfInt: Env = { result: [1n, 2n, 3n], type: T.array(T.int) };
const arrayOfAny: Env = { result: [1n, '2', true], type: T.array(T.any) };

function run(expression: string, env: Env = none): GoValue {
  return compile(expression, { result: env.type }).run({ result: env.result, now: () => fixedNow });
}

function failure(expression: string, env: Env = none): ExprError {
  try {
    run(expression, env);
  } catch (error) {
    if (error instanceof ExprError) return error;
    throw error;
  }
  throw new Error(`${expression} did not fail`);
}

const hour = 3_600_000_000_000n;
const utcTime = (iso: string) => BigInt(Date.parse(iso)) * 1_000_000n;

// builtin/builtin_test.go TestBuiltin: [input, environment, want].
const builtinCases: [string, Env, GoValue][] = [
  ['len(1..10)', none, 10n],
  ['len({foo: 1, bar: 2})', none, 2n],
  ['len("hello")', none, 5n],
  ['abs(-5)', none, 5n],
  ['abs(.5)', none, 0.5],
  ['abs(-.5)', none, 0.5],
  ['ceil(5.5)', none, 6],
  ['ceil(5)', none, 5],
  ['floor(5.5)', none, 5],
  ['floor(5)', none, 5],
  ['round(5.5)', none, 6],
  ['round(5)', none, 5],
  ['round(5.49)', none, 5],
  ['int(5.5)', none, 5n],
  ['int(5)', none, 5n],
  ['int("5")', none, 5n],
  ['float(5)', none, 5],
  ['float(5.5)', none, 5.5],
  ['float("5.5")', none, 5.5],
  ['string(5)', none, '5'],
  ['string(5.5)', none, '5.5'],
  ['string("5.5")', none, '5.5'],
  ['trim("  foo  ")', none, 'foo'],
  ['trim("__foo___", "_")', none, 'foo'],
  ['trimPrefix("prefix_foo", "prefix_")', none, 'foo'],
  ['trimSuffix("foo_suffix", "_suffix")', none, 'foo'],
  ['upper("foo")', none, 'FOO'],
  ['lower("FOO")', none, 'foo'],
  ['split("foo,bar,baz", ",")', none, ['foo', 'bar', 'baz']],
  ['split("foo,bar,baz", ",", 2)', none, ['foo', 'bar,baz']],
  ['splitAfter("foo,bar,baz", ",")', none, ['foo,', 'bar,', 'baz']],
  ['splitAfter("foo,bar,baz", ",", 2)', none, ['foo,', 'bar,baz']],
  ['replace("foo,bar,baz", ",", ";")', none, 'foo;bar;baz'],
  ['replace("foo,bar,baz,goo", ",", ";", 2)', none, 'foo;bar;baz,goo'],
  ['repeat("foo", 3)', none, 'foofoofoo'],
  ['join(result, ",")', arrayOfString, 'foo,bar,baz'],
  ['join(result)', arrayOfString, 'foobarbaz'],
  ['join(["foo", "bar", "baz"], ",")', none, 'foo,bar,baz'],
  ['join(["foo", "bar", "baz"])', none, 'foobarbaz'],
  ['indexOf("foo,bar,baz", ",")', none, 3n],
  ['lastIndexOf("foo,bar,baz", ",")', none, 7n],
  ['hasPrefix("foo,bar,baz", "foo")', none, true],
  ['hasSuffix("foo,bar,baz", "baz")', none, true],
  ['max(1, 2, 3)', none, 3n],
  ['max(1.5, 2.5, 3.5)', none, 3.5],
  ['min(1, 2, 3)', none, 1n],
  ['min(1.5, 2.5, 3.5)', none, 1.5],
  ['sum(1..9)', none, 45n],
  ['sum([.5, 1.5, 2.5])', none, 4.5],
  ['sum([])', none, 0n],
  ['sum([1, 2, 3.0, 4])', none, 10],
  ['mean(1..9)', none, 5],
  ['mean([.5, 1.5, 2.5])', none, 1.5],
  ['mean([])', none, 0],
  ['mean([1, 2, 3.0, 4])', none, 2.5],
  ['median(1..9)', none, 5],
  ['median([.5, 1.5, 2.5])', none, 1.5],
  ['median([])', none, 0],
  ['median([1, 2, 3])', none, 2],
  ['median([1, 2, 3, 4])', none, 2.5],
  ['toJSON({foo: 1, bar: 2})', none, '{\n  "bar": 2,\n  "foo": 1\n}'],
  ['fromJSON("[1, 2, 3]")', none, [1, 2, 3]],
  ['toBase64("hello")', none, 'aGVsbG8='],
  ['fromBase64("aGVsbG8=")', none, 'hello'],
  ['first(result)', arrayOfString, 'foo'],
  ['first(result)', arrayOfInt, 1n],
  ['first(result)', arrayOfAny, 1n],
  ['first([])', none, null],
  ['last(result)', arrayOfString, 'baz'],
  ['last(result)', arrayOfInt, 3n],
  ['last(result)', arrayOfAny, true],
  ['last([])', none, null],
  ['get(result, 1)', arrayOfString, 'bar'],
  ['get(result, 99)', arrayOfString, null],
  ['get(result, 1)', arrayOfInt, 2n],
  ['get(result, -1)', arrayOfInt, 3n],
  ['get(result, 1)', arrayOfAny, '2'],
  ['get({foo: 1, bar: 2}, "foo")', none, 1n],
  ['get({foo: 1, bar: 2}, "unknown")', none, null],
  ['take(result, 2)', arrayOfString, ['foo', 'bar']],
  ['take(result, 99)', arrayOfString, ['foo', 'bar', 'baz']],
  ['"foo" in keys({foo: 1, bar: 2})', none, true],
  ['1 in values({foo: 1, bar: 2})', none, true],
  ['len(toPairs({foo: 1, bar: 2}))', none, 2n],
  ['len(toPairs({}))', none, 0n],
  ['groupBy(1..9, # % 2)[0]', none, [2n, 4n, 6n, 8n]],
  ['groupBy(1..3, # > 1)[true]', none, [2n, 3n]],
  ['groupBy(1..3, # > 1 ? nil : "")[nil]', none, [2n, 3n]],
  ['groupBy([{Value: "a"}, {Value: "b"}], .Value).a', none, [{ Value: 'a' }]],
  ['reduce(1..9, # + #acc, 0)', none, 45n],
  ['reduce(1..9, # + #acc)', none, 45n],
  ['reduce([.5, 1.5, 2.5], # + #acc, 0)', none, 4.5],
  ['reduce([], 5, 0)', none, 0n],
];

describe('expr v1.15.5 builtin/builtin_test.go TestBuiltin', () => {
  it.each(builtinCases)('%s', (expression, env, want) => {
    expect(run(expression, env)).toEqual(want);
  });

  it('fromPairs builds a map[interface {}]interface {} (fromPairs and toPairs round-trip)', () => {
    const want = new GoAnyMap();
    want.set('foo', 1n);
    want.set('bar', 2n);
    const a = run('fromPairs([["foo", 1], ["bar", 2]])');
    const b = run('fromPairs(toPairs({foo: 1, bar: 2}))');
    expect(a).toBeInstanceOf(GoAnyMap);
    expect(goEqual(a, want)).toBe(true);
    expect(goEqual(b, want)).toBe(true);
  });

  it('groupBy(1..9, # % 2) is map[interface {}][]interface {} with int keys 0 and 1', () => {
    const groups = run('groupBy(1..9, # % 2)') as GoAnyMap;
    expect(groups.get(0n)).toEqual([2n, 4n, 6n, 8n]);
    expect(groups.get(1n)).toEqual([1n, 3n, 5n, 7n, 9n]);
    // Go map keys keep their type: the string "1" is another key.
    expect(groups.has('1')).toBe(false);
    expect(run('groupBy(1..9, # % 2)["1"]')).toBeNull();
    // vm/vm.go: OpGroupBy never runs on [], so the map stays nil (runtime.Equal: IsNil(a) && IsNil(b)).
    expect(run('groupBy([], #) == nil && len(groupBy([], #)) == 0')).toBe(true);
    expect(run('groupBy([1], #) == nil')).toBe(false);
  });

  it('duration("1h") is time.Hour', () => {
    expect(run('duration("1h")')).toEqual(new GoDuration(hour));
  });

  it('date("2006-01-02T15:04:05Z") and date("2006.01.02", "2006.01.02") are UTC times', () => {
    const a = run('date("2006-01-02T15:04:05Z")') as GoTime;
    expect(a).toBeInstanceOf(GoTime);
    expect(a.ns).toBe(utcTime('2006-01-02T15:04:05Z'));
    expect(a.zone.kind).toBe('utc');
    const b = run('date("2006.01.02", "2006.01.02")') as GoTime;
    expect(b.ns).toBe(utcTime('2006-01-02T00:00:00Z'));
  });
});

// builtin/builtin_test.go TestBuiltin_errors: [input, message part].
const errorCases: [string, string][] = [
  ['len()', 'invalid number of arguments (expected 1, got 0)'],
  ['len(1)', 'invalid argument for len (type int)'],
  ['abs()', 'invalid number of arguments (expected 1, got 0)'],
  ['abs(1, 2)', 'invalid number of arguments (expected 1, got 2)'],
  ['abs("foo")', 'invalid argument for abs (type string)'],
  ['int()', 'invalid number of arguments (expected 1, got 0)'],
  ['int(1, 2)', 'invalid number of arguments (expected 1, got 2)'],
  ['float()', 'invalid number of arguments (expected 1, got 0)'],
  ['float(1, 2)', 'invalid number of arguments (expected 1, got 2)'],
  ['string(1, 2)', 'too many arguments to call string'],
  ['trim()', 'not enough arguments to call trim'],
  ['max()', 'not enough arguments to call max'],
  ['max(1, "2")', 'invalid argument for max (type string)'],
  ['min()', 'not enough arguments to call min'],
  ['min(1, "2")', 'invalid argument for min (type string)'],
  ['duration("error")', 'invalid duration'],
  ['date("error")', 'invalid date'],
  ['get()', 'invalid number of arguments (expected 2, got 0)'],
  ['get(1, 2)', 'type int does not support indexing'],
];

describe('expr v1.15.5 builtin/builtin_test.go TestBuiltin_errors', () => {
  it.each(errorCases)('%s: %s', (expression, message) => {
    expect(failure(expression).detail).toContain(message);
  });

  it('TestBuiltin_memory_limits: repeat("\\xc4<\\xc4\\xc4\\xc4",10009999990)', () => {
    expect(failure('repeat("\\xc4<\\xc4\\xc4\\xc4",10009999990)').detail).toContain('memory budget exceeded');
  });
});

// builtin/builtin_test.go TestBuiltin_types: the checker's static type of the result.
describe('expr v1.15.5 builtin/builtin_test.go TestBuiltin_types', () => {
  const cases: [string, Env, Type][] = [
    ['get(result, 0)', arrayOfString, T.string],
    ['get(result, 0)', arrayOfInt, T.int],
    ['first(result)', arrayOfString, T.string],
    ['first(result)', arrayOfInt, T.int],
    ['last(result)', arrayOfString, T.string],
    ['last(result)', arrayOfInt, T.int],
  ];
  it.each(cases)('%s', (expression, env, type) => {
    expect(compile(expression, { result: env.type }).type).toEqual(type);
  });
});

// builtin/builtin_test.go TestBuiltin_type: type(obj) for each Go kind.
describe('expr v1.15.5 builtin/builtin_test.go TestBuiltin_type', () => {
  const cases: [GoValue, Type, string][] = [
    [null, T.nil, 'nil'],
    [true, T.bool, 'bool'],
    [1n, T.int, 'int'],
    [1, T.float, 'float'],
    ['string', T.string, 'string'],
    [['foo', 'bar'], T.array(T.string), 'array'],
    [{ foo: 'bar' }, T.map(T.any), 'map'],
    [new GoTime(0n, { kind: 'utc' }), T.time, 'time.Time'],
    [new GoDuration(1_000_000_000n), T.duration, 'time.Duration'],
  ];
  it.each(cases)('type(%o) is %s', (value, type, want) => {
    expect(run('type(result)', { result: value, type })).toBe(want);
  });
  it('type(now()) is time.Time (docs/Language-Definition.md)', () => {
    expect(run('type(now())')).toBe('time.Time');
  });
});

// builtin/builtin_test.go TestBuiltin_sort.
describe('expr v1.15.5 builtin/builtin_test.go TestBuiltin_sort', () => {
  const cases: [string, Env, GoValue][] = [
    ['sort([])', none, []],
    ['sort(result)', { result: [3n, 2n, 1n], type: T.array(T.int) }, [1n, 2n, 3n]],
    ['sort(result)', { result: [3, 2, 1], type: T.array(T.float) }, [1, 2, 3]],
    ["sort(result, 'desc')", { result: [3n, 2n, 1n], type: T.array(T.int) }, [3n, 2n, 1n]],
    [
      "sortBy(result, 'Value')",
      { result: [{ Value: 'c' }, { Value: 'a' }, { Value: 'b' }], type: T.array(T.any) },
      [{ Value: 'a' }, { Value: 'b' }, { Value: 'c' }],
    ],
    ['sortBy([{id: "a"}, {id: "b"}], "id", "desc")', none, [{ id: 'b' }, { id: 'a' }]],
  ];
  it.each(cases)('%s', (expression, env, want) => {
    expect(run(expression, env)).toEqual(want);
  });
  it('rejects an order other than asc/desc and mixed element types (builtin/sort.go)', () => {
    expect(failure('sort([1, 2], "up")').detail).toBe(
      'invalid argument for sort (expected "asc" or "desc", got "up")',
    );
    expect(failure('sort([1, "a"])').detail).toBe('cannot sort array of different types (string and int)');
  });
});

// expr_test.go TestExpr: the cases about durations, times and the closure builtins that need no mock
// struct (Time and TimePlusDay are made with date()).
describe('expr v1.15.5 expr_test.go TestExpr (durations, times, closures)', () => {
  const cases: [string, GoValue][] = [
    ['duration("1h") == duration("1h")', true],
    ['date("2024-01-02") - date("2024-01-01") >= duration("24h")', true],
    ['duration("1h") > duration("1m")', true],
    ['duration("1h") < duration("1m")', false],
    ['duration("1h") >= duration("1m")', true],
    ['duration("1h") <= duration("1m")', false],
    ['duration("1h") + duration("1m")', new GoDuration(hour + 60_000_000_000n)],
    ['7 * duration("1h")', new GoDuration(7n * hour)],
    ['duration("1h") * 7', new GoDuration(7n * hour)],
    ['duration("1s") * .5', 5e8],
    ['len(filter(1..99, # % 7 == 0))', 14n],
    ['findIndex([{Value: "foo"}, {Value: "bar"}, {Value: "baz"}], .Value == "baz")', 2n],
    ['first(filter(1..9, false))', null],
    ['findLast(1..9, # % 2 == 0)', 8n],
    ['findLastIndex(1..9, # % 2 == 0)', 7n],
    ['filter(1..9, # % 2 == 0)[-1]', 8n],
    ['last(filter(1..9, # % 2 == 0))', 8n],
    ['map(filter(1..9, # % 2 == 0), # * 2)', [4n, 8n, 12n, 16n]],
    ['map(1..3, let x = #; let y = x * x; y * y)', [1n, 16n, 81n]],
    [
      'map(1..2, let x = #; map(2..3, let y = #; x + y))',
      [
        [3n, 4n],
        [4n, 5n],
      ],
    ],
    ['"abc" matches "s.+"', false],
    ['"str" matches "s.+"', true],
    ['"str" matches ("^" + "str" + "$")', true],
  ];
  it.each(cases)('%s', (expression, want) => {
    expect(run(expression)).toEqual(want);
  });

  it('TestExpr_error: filter(1..9, # > 9)[0] is "reflect: slice index out of range"', () => {
    expect(failure('filter(1..9, # > 9)[0]').detail).toBe('reflect: slice index out of range');
  });

  it('time == time compares instants; time - duration is a time (Time == Time + Duration is false)', () => {
    expect(run('date("2024-01-01") == date("2024-01-01") + duration("1s")')).toBe(false);
    expect(run('date("2024-01-01") <= date("2024-01-01")')).toBe(true);
    const t = run('date("2024-01-02") - duration("24h")') as GoTime;
    expect(t.ns).toBe(utcTime('2024-01-01T00:00:00Z'));
  });
});

// docs/Language-Definition.md at v1.15.5: the documented examples.
describe('expr v1.15.5 docs/Language-Definition.md examples', () => {
  const cases: [string, GoValue][] = [
    ['trim("  Hello  ") == "Hello"', true],
    ['trim("__Hello__", "_") == "Hello"', true],
    ['trimPrefix("HelloWorld", "Hello") == "World"', true],
    ['trimSuffix("HelloWorld", "World") == "Hello"', true],
    ['split("apple,orange,grape", ",", 2) == ["apple", "orange,grape"]', true],
    ['splitAfter("apple,orange,grape", ",") == ["apple,", "orange,", "grape"]', true],
    ['replace("Hello World", "World", "Universe") == "Hello Universe"', true],
    ['repeat("Hi", 3) == "HiHiHi"', true],
    ['indexOf("apple pie", "pie") == 6', true],
    ['lastIndexOf("apple pie apple", "apple") == 10', true],
    ['date("2023-08-14") - date("2023-08-13") == duration("24h")', true],
    ['find([1, 2, 3, 4], # > 2) == 3', true],
    ['findIndex([1, 2, 3, 4], # > 2) == 2', true],
    ['findLastIndex([1, 2, 3, 4], # > 2) == 3', true],
    ['reduce(1..9, #acc + #)', 45n],
    ['take([1, 2, 3, 4], 2) == [1, 2]', true],
    ['sort([3, 1, 4]) == [1, 3, 4]', true],
    ['sort([3, 1, 4], "desc") == [4, 3, 1]', true],
    ['toBase64("Hello World") == "SGVsbG8gV29ybGQ="', true],
    ['fromBase64("SGVsbG8gV29ybGQ=") == "Hello World"', true],
    ['string(123) == "123"', true],
    ['int("123") == 123', true],
    ['type(42) == "int"', true],
    ['type("hello") == "string"', true],
    ['get([1, 2, 3], 1) == 2', true],
    ['get({"name": "John", "age": 30}, "name") == "John"', true],
    ['round(1.5) == 2.0', true],
    ['first([1, 2, 3]) == 1', true],
    ['last([1, 2, 3]) == 3', true],
  ];
  it.each(cases)('%s', (expression, want) => {
    expect(run(expression)).toEqual(want);
  });

  it('date("2023-08-14 00:00:00", "2006-01-02 15:04:05", "Europe/Zurich") is midnight in Zurich (UTC+2)', () => {
    const t = run('date("2023-08-14 00:00:00", "2006-01-02 15:04:05", "Europe/Zurich")') as GoTime;
    expect(t.ns).toBe(utcTime('2023-08-13T22:00:00Z'));
    expect(run('string(date("2023-08-14 00:00:00", "2006-01-02 15:04:05", "Europe/Zurich"))')).toBe(
      '2023-08-14 00:00:00 +0200 CEST',
    );
  });
});

// Methods of the values now(), date() and duration() return: expr v1.15.5 docs/Language-Definition.md and
// builtin/builtin_test.go, and Go's own examples of them (go/src/time/example_test.go), since expr calls Go.
describe('time.Time and time.Duration methods', () => {
  it('duration("1h").Seconds() == 3600 (docs/Language-Definition.md)', () => {
    expect(run('duration("1h").Seconds() == 3600')).toBe(true);
  });

  it('now().Format("2006-01-02T15:04Z") is the clock formatted (builtin_test.go TestBuiltin)', () => {
    expect(run('now().Format("2006-01-02T15:04Z")')).toBe('2024-05-06T07:08Z');
  });

  const d = 'duration("1h15m30.918273645s")';
  // time/example_test.go ExampleDuration_Round and ExampleDuration_Truncate.
  const durationCases: [string, string, string][] = [
    ['1ns', '1h15m30.918273645s', '1h15m30.918273645s'],
    ['1us', '1h15m30.918274s', '1h15m30.918273s'],
    ['1ms', '1h15m30.918s', '1h15m30.918s'],
    ['1s', '1h15m31s', '1h15m30s'],
    ['2s', '1h15m30s', '1h15m30s'],
    ['1m', '1h16m0s', '1h15m0s'],
    ['10m', '1h20m0s', '1h10m0s'],
    ['1h', '1h0m0s', '1h0m0s'],
  ];
  it.each(durationCases)('Duration.Round/Truncate(%s): %s, %s', (by, rounded, truncated) => {
    expect(run(`${d}.Round(duration("${by}")).String()`)).toBe(rounded);
    expect(run(`${d}.Truncate(duration("${by}")).String()`)).toBe(truncated);
  });

  // time/example_test.go ExampleTime_Round.
  const roundCases: [string, string][] = [
    ['1ns', '12:15:30.918273645'],
    ['1us', '12:15:30.918274'],
    ['1ms', '12:15:30.918'],
    ['1s', '12:15:31'],
    ['2s', '12:15:30'],
    ['1m', '12:16:00'],
    ['10m', '12:20:00'],
    ['1h', '12:00:00'],
  ];
  it.each(roundCases)('Time.Round(%s) is %s', (by, want) => {
    const t = 'date("12:15:30.918273645", "15:04:05.999999999")';
    expect(run(`${t}.Round(duration("${by}")).Format("15:04:05.999999999")`)).toBe(want);
  });

  // time/example_test.go ExampleTime_Truncate (Parse accepts the fraction after the seconds field).
  const truncateCases: [string, string][] = [
    ['1ns', '2012-12-07 12:15:30.918273645 +0000 UTC'],
    ['1us', '2012-12-07 12:15:30.918273 +0000 UTC'],
    ['1ms', '2012-12-07 12:15:30.918 +0000 UTC'],
    ['1s', '2012-12-07 12:15:30 +0000 UTC'],
    ['2s', '2012-12-07 12:15:30 +0000 UTC'],
    ['1m', '2012-12-07 12:15:00 +0000 UTC'],
    ['10m', '2012-12-07 12:10:00 +0000 UTC'],
  ];
  it.each(truncateCases)('Time.Truncate(%s) is %s', (by, want) => {
    const t = 'date("2012 Dec 07 12:15:30.918273645", "2006 Jan 02 15:04:05")';
    expect(run(`string(${t}.Truncate(duration("${by}")))`)).toBe(want);
  });

  it('Month() and Weekday() are named types: equal only to their own type, printed by name', () => {
    expect(run('date("2024-05-06").Month() == 5')).toBe(false);
    expect(run('date("2024-05-06").Month() == date("2024-05-31").Month()')).toBe(true);
    expect(run('string(date("2024-05-06").Month()) + " " + date("2024-05-06").Weekday().String()')).toBe(
      'May Monday',
    );
  });

  it('Sub, Add, AddDate, Before/After, Unix (time/time.go)', () => {
    expect(run('date("2024-01-31").AddDate(0, 1, 0).Format("2006-01-02")')).toBe('2024-03-02');
    expect(run('now().Add(duration("-1h")).Before(now()) && now().After(now().Add(duration("-1ns")))')).toBe(
      true,
    );
    expect(run('now().Sub(date("2024-05-06")).String()')).toBe('7h8m9.123s');
    expect(run('now().Unix()')).toBe(BigInt(Math.floor(fixedNow.getTime() / 1000)));
    expect(run('now().UnixMilli()')).toBe(BigInt(fixedNow.getTime()));
    // vm/runtime/runtime.go Negate has no case for time.Duration.
    expect(failure('-duration("1h")').detail).toBe('invalid operation: - time.Duration');
  });

  it('an integer constant passed for a time.Duration is one (checker.go traverseAndReplaceIntegerNodesWithIntegerNodes)', () => {
    expect(run('now().Add(1).Sub(now())')).toEqual(new GoDuration(1n));
    expect(run('now().Add(2 * 3).Sub(now())')).toEqual(new GoDuration(6n));
    // Not a constant: reflect's Call gets an int where a time.Duration is wanted.
    expect(failure('now().Add(len("ab"))').detail).toBe('reflect: Call using int as type time.Duration');
  });

  // checker.go checkArguments lets an integer of another kind through (retyping only its constants); reflect's
  // Call then wants the parameter's exact type (vm/vm.go OpCall); one of the same kind must be assignable.
  it('an int parameter takes an int: a constant or arithmetic, not an int64, a byte or a time.Month', () => {
    expect(run('now().AddDate(0, 0, 1).Day()')).toBe(7n);
    expect(run('now().AddDate(now().Unix() - now().Unix(), 0, 1).Day()')).toBe(7n);
    expect(run('now().AddDate(len("ab") - 3, 0, 0).Year()')).toBe(2023n);
    expect(failure('now().AddDate(now().Unix(), 0, 0)').detail).toBe('reflect: Call using int64 as type int');
    expect(failure('now().AddDate(-now().UnixMilli(), 0, 0)').detail).toBe(
      'reflect: Call using int64 as type int',
    );
    expect(failure('now().AddDate(now().MarshalText()[0], 0, 0)').detail).toBe(
      'reflect: Call using uint8 as type int',
    );
    const month = failure('now().AddDate(0, now().Month(), 0)');
    expect([month.kind, month.detail]).toEqual([
      'type',
      'cannot use time.Month as argument (type int) to call AddDate ',
    ]);
  });

  it('Date() and Clock() have three results, which expr rejects; unknown methods are type errors', () => {
    expect(failure('now().Date()').detail).toBe('func Date returns more then two values');
    expect(failure('now().Clock()').detail).toBe('func Clock returns more then two values');
    expect(failure('now().Bogus()').detail).toBe('type time.Time has no method Bogus');
    expect(failure('duration("1s").Bogus()').detail).toBe('type time.Duration has no method Bogus');
    expect(failure('now().AppendText(nil)').detail).toBe('type time.Time has no method AppendText'); // Go 1.24
  });

  it('GoString, Location and In (example_test.go ExampleTime_GoString, time/zoneinfo.go)', () => {
    const t = 'date("2009-11-10 23:00:00")';
    expect(run(`${t}.GoString()`)).toBe('time.Date(2009, time.November, 10, 23, 0, 0, 0, time.UTC)');
    expect(run(`${t}.Add(duration("1m")).GoString()`)).toBe(
      'time.Date(2009, time.November, 10, 23, 1, 0, 0, time.UTC)',
    );
    expect(run(`${t}.Add(duration("1m")).AddDate(0, 1, 0).GoString()`)).toBe(
      'time.Date(2009, time.December, 10, 23, 1, 0, 0, time.UTC)',
    );
    expect(run('string(now().Location())')).toBe('UTC');
    const zurich = 'date("2024-01-01", "2006-01-02", "Europe/Zurich").Location()';
    expect(run(`${zurich}.String()`)).toBe('Europe/Zurich');
    expect(run(`now().In(${zurich}).Format("15:04 MST")`)).toBe('09:08 CEST');
    // time.Now() is in time.Local, which GoString names as such (time/time.go GoString).
    expect(run('now().GoString()')).toBe('time.Date(2024, time.May, 6, 7, 8, 9, 123000000, time.Local)');
    expect(run('now().UTC().GoString()')).toBe('time.Date(2024, time.May, 6, 7, 8, 9, 123000000, time.UTC)');
  });
});

// The methods that return []byte and ZoneBounds (Go 1.23, the toolchain of argo-rollouts v1.8.3): facts
// from Go's time/time_test.go (jsonTests, notJSONEncodableTimes, TestMarshalBinaryVersion2,
// TestZoneBounds) and the byte layout of time/time.go MarshalBinary.
describe('time.Time methods that return []byte, and ZoneBounds', () => {
  const text = (expression: string) => Buffer.from((run(expression) as bigint[]).map(Number)).toString();
  const inZone = (iso: string, zone: string) =>
    `date("${iso}").In(date("2000-01-01", "2006-01-02", "${zone}").Location())`;

  it('MarshalJSON and MarshalText write RFC 3339 with nanoseconds (time_test.go jsonTests)', () => {
    expect(text('date("9999-04-12T23:20:50.52Z").MarshalJSON()')).toBe('"9999-04-12T23:20:50.52Z"');
    expect(text('date("0000-01-01T00:00:00.000000001+00:01").MarshalJSON()')).toBe(
      '"0000-01-01T00:00:00.000000001+00:01"',
    );
    expect(text('date("2020-01-01T00:00:00+23:59").MarshalText()')).toBe('2020-01-01T00:00:00+23:59');
    expect(text('now().MarshalText()')).toBe('2024-05-06T07:08:09.123Z');
  });

  it('MarshalJSON and MarshalText fail where RFC 3339 cannot say the time (notJSONEncodableTimes)', () => {
    expect(failure('date("9999-12-31").AddDate(1, 0, 0).MarshalJSON()').detail).toBe(
      'Time.MarshalJSON: year outside of range [0,9999]',
    );
    expect(failure('date("0000-01-01").AddDate(-1, 0, 0).MarshalText()').detail).toBe(
      'Time.MarshalText: year outside of range [0,9999]',
    );
    expect(failure('date("2020-01-01T00:00:00+24:00").MarshalJSON()').detail).toBe(
      'Time.MarshalJSON: timezone hour outside of range [0,23]',
    );
    // encoding/json calls MarshalJSON, so toJSON of such a time fails the same way.
    expect(failure('toJSON(date("9999-12-31").AddDate(1, 0, 0))').detail).toContain(
      'year outside of range [0,9999]',
    );
  });

  it('MarshalBinary and GobEncode: version, seconds since year 1, nanoseconds, zone minutes (-1 for UTC)', () => {
    expect(run('string(date("0001-01-01").MarshalBinary())')).toBe('[1 0 0 0 0 0 0 0 0 0 0 0 0 255 255]');
    // 2024-05-06T07:08:09.123Z: 63850576089 s since year 1 (0x0E_DD_CA_78_D9), 123000000 ns (0x07_54_D4_C0).
    expect(run('string(now().UTC().GobEncode())')).toBe('[1 0 0 0 14 221 202 120 217 7 84 212 192 255 255]');
    // time.Now() is in time.Local, not UTC itself: offset 0 minutes, not -1.
    expect(run('string(now().MarshalBinary())')).toBe('[1 0 0 0 14 221 202 120 217 7 84 212 192 0 0]');
    expect(run(`string(${inZone('2024-01-01T00:00:00Z', 'Asia/Kolkata')}.MarshalBinary())`)).toBe(
      '[1 0 0 0 14 221 35 247 128 0 0 0 0 1 74]',
    );
  });

  it('MarshalBinary writes version 2 for local mean time, whose offset has seconds (TestMarshalBinaryVersion2)', () => {
    // US/Eastern on 1880-01-01 is LMT -4:56:02: -296 minutes (0xFED8) and -2 seconds (0xFE).
    expect(run(`string(${inZone('1880-01-01T00:00:00Z', 'US/Eastern')}.MarshalBinary())`)).toBe(
      '[2 0 0 0 13 206 72 219 0 0 0 0 0 254 216 254]',
    );
  });

  it('AppendFormat appends the formatted time to a []byte; nil is not a []byte to reflect', () => {
    expect(text('now().AppendFormat(now().MarshalText(), " 2006")')).toBe('2024-05-06T07:08:09.123Z 2024');
    expect(text('now().AppendFormat(now().MarshalText()[0:0], "Jan 2")')).toBe('May 6');
    expect(failure('now().AppendFormat(nil, "2006")').detail).toBe(
      'reflect: Call using interface {} as type []uint8',
    );
    expect(failure('now().AppendFormat([1, 2], "2006")').detail).toBe(
      'cannot use []interface {} as argument (type []uint8) to call AppendFormat ',
    );
  });

  it('a []byte prints as numbers, encodes as base64, and slices and takes as a []uint8', () => {
    expect(run('string(date("2024-01-02").MarshalText()[0:4])')).toBe('[50 48 50 52]');
    expect(run('toJSON(date("2024-01-02").MarshalText())')).toBe('"MjAyNC0wMS0wMlQwMDowMDowMFo="');
    expect(run('len(now().MarshalBinary()) == 15 && now().MarshalBinary()[0] == 1')).toBe(true);
    expect(run('50 in now().MarshalText() && now().MarshalText()[0] + 1 == 51')).toBe(true);
    expect(run('now().MarshalText() == now().MarshalText()')).toBe(true);
    // reflect.DeepEqual: a []uint8 never equals a []interface {}, whatever they hold.
    expect(run('now().MarshalText()[0:1] == [50]')).toBe(false);
    expect(run('take(now().MarshalText(), 4) == now().MarshalText()[0:4]')).toBe(true);
    expect(run('string(map(now().MarshalText()[0:2], # + 1))')).toBe('[51 49]');
    expect(failure('take([1, 2], now().MarshalText()[0])').detail).toBe('cannot take uint8 elements');
    expect(failure('now().MarshalText() + "x"').detail).toContain('invalid operation');
  });

  it('ZoneBounds is the zero Time where the location has no transitions (UTC, Local, a fixed offset)', () => {
    expect(run('now().UTC().ZoneBounds().IsZero() && now().ZoneBounds().IsZero()')).toBe(true);
    expect(run('date("2020-01-01T00:00:00+05:00").ZoneBounds().IsZero()')).toBe(true);
    expect(run(`${inZone('2024-01-01T00:00:00Z', 'Etc/GMT+5')}.ZoneBounds().IsZero()`)).toBe(true);
  });

  it('ZoneBounds starts the zone period a time is in (TestZoneBounds: Asia/Shanghai 1990–91)', () => {
    const shanghai = (wall: string) => `date("${wall}", "2006-01-02 15:04", "Asia/Shanghai").ZoneBounds()`;
    const boundOne = '"1990-09-16 01:00"';
    const boundTwo = '"1991-04-14 03:00"';
    const boundThree = '"1991-09-15 01:00"';
    expect(run(`${shanghai('1991-04-13 17:50')}.Format("2006-01-02 15:04") == ${boundOne}`)).toBe(true);
    expect(run(`${shanghai('1991-04-14 01:50')}.Format("2006-01-02 15:04") == ${boundOne}`)).toBe(true);
    expect(run(`${shanghai('1991-04-14 03:00')}.Format("2006-01-02 15:04") == ${boundTwo}`)).toBe(true);
    expect(run(`${shanghai('1991-09-15 00:50')}.Format("2006-01-02 15:04") == ${boundTwo}`)).toBe(true);
    expect(run(`${shanghai('1991-09-15 01:00')}.Format("2006-01-02 15:04") == ${boundThree}`)).toBe(true);
    expect(run(`${shanghai('1991-09-15 01:00')}.Location().String()`)).toBe('Asia/Shanghai');
  });

  it('ZoneBounds in Los Angeles, from the listed transitions and, after 2037, from the TZ rule (TestZoneBounds)', () => {
    const start = (iso: string) => run(`${inZone(iso, 'America/Los_Angeles')}.ZoneBounds().Unix()`);
    expect(start('1970-01-01T00:00:00Z')).toBe(-5756400n);
    expect(start('2008-09-17T20:04:26Z')).toBe(1205056800n);
    // Go's tzset bounds periods by the UTC year once the listed transitions end.
    expect(start('2038-03-14T09:59:59Z')).toBe(2145916800n);
    expect(start('2038-03-14T10:00:00Z')).toBe(2152173600n);
    expect(start('2038-03-14T10:00:01Z')).toBe(2152173600n);
    expect(start('2038-06-04T18:00:00Z')).toBe(2152173600n);
    expect(start('2038-11-07T08:59:59Z')).toBe(2152173600n);
    expect(start('2038-11-07T09:00:00Z')).toBe(2172733200n);
  });
});

// builtin/builtin_test.go TestBuiltin_works_with_any: every builtin but the closures type-checks on
// interface {} arguments, as many as its first Types overload takes (get, take and sortBy: 2; else 1).
describe('expr v1.15.5 builtin/builtin_test.go TestBuiltin_works_with_any', () => {
  const arity: Record<string, number> = {
    get: 2,
    take: 2,
    sortBy: 2,
    trimPrefix: 2,
    trimSuffix: 2,
    split: 2,
    splitAfter: 2,
    replace: 4,
    repeat: 2,
    join: 2,
    indexOf: 2,
    lastIndexOf: 2,
    hasPrefix: 2,
    hasSuffix: 2,
    now: 0,
  };
  const names = [...builtinNames].filter((name) => !predicateBuiltins.has(name));
  it('covers the 45 non-closure builtins of v1.15.5', () => {
    expect(names).toHaveLength(45);
  });
  it.each(names)('%s(result, …) with result interface {}', (name) => {
    const args = Array.from({ length: arity[name] ?? 1 }, () => 'result').join(', ');
    expect(() => compile(`${name}(${args})`, { result: T.any })).not.toThrow();
  });
});
