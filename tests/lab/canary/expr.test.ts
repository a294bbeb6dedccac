import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExprError } from '../../../src/lab/canary/expr/errors.js';
import { evaluateCondition, evaluateExpression, type Value } from '../../../src/lab/canary/expr/evaluate.js';
import { parse } from '../../../src/lab/canary/expr/parser.js';

const vector = [0.93, 0.02, 0.5];

// [expression, result, expected] — expected values follow expr-lang's semantics as Argo Rollouts uses them.
const conditions: [string, Value, boolean][] = [
  ['result[0] >= 0.9', [0.93], true],
  ['result[0] >= 0.9', [0.89], false],
  ['result >= 0.9', 0.95, true],
  ['result[0] < 0.05', [0.05], false],
  ['result[0] <= 0.05', [0.05], true],
  ['result[0] == 0.5', [0.5], true],
  ['result[0] != 0.5', [0.5], false],
  ['result[1] > 0.01 && result[1] < 0.03', vector, true],
  ['result[1] > 0.5 || result[2] == 0.5', vector, true],
  ['result[1] > 0.5 and result[2] == 0.5', vector, false],
  ['result[1] > 0.5 or result[2] == 0.5', vector, true],
  ['!(result[0] > 0.5)', vector, false],
  ['not (result[0] > 0.5)', vector, false],
  ['not false', 0, true],
  ['result[-1] == 0.5', vector, true],
  ['len(result) == 3', vector, true],
  ['len(result) > 0 && result[0] > 0.9', vector, true],
  ['len(result) == 0 || result[0] >= 0.95', [], true],
  ['isNaN(result)', Number.NaN, true],
  ['isNaN(result[0])', [Number.NaN], true],
  ['isNaN(result) || result >= 0.95', Number.NaN, true],
  ['result >= 0.95', Number.NaN, false],
  ['result < 0.95', Number.NaN, false],
  ['isInf(result[0])', [Number.POSITIVE_INFINITY], true],
  ['isInf(result)', -1 / 0, true],
  ['all(result, # < 1)', vector, true],
  ['all(result, # < 0.9)', vector, false],
  ['all(result, {# < 1})', vector, true],
  ['any(result, # > 0.9)', vector, true],
  ['none(result, # > 0.99)', vector, true],
  ['one(result, # > 0.9)', vector, true],
  ['count(result, # > 0.4) == 2', vector, true],
  ['len(filter(result, # > 0.4)) == 2', vector, true],
  ['map(result, # * 2)[2] == 1', vector, true],
  ['all(result, not isNaN(#))', vector, true],
  ['result[0] * 100 >= 93', vector, true],
  ['(result[0] + result[1]) / 2 < 0.5', vector, true],
  ['result[0] - result[1] > 0.9', vector, true],
  ['2 ** 3 == 8', 0, true],
  ['2 ^ 3 ^ 2 == 512', 0, true],
  ['-2 ** 2 == -4', 0, true],
  ['7 % 3 == 1', 0, true],
  ['1 + 2 * 3 == 7', 0, true],
  ['(1 + 2) * 3 == 9', 0, true],
  ['10 / 4 == 2.5', 0, true],
  ['1e-3 < 0.01', 0, true],
  ['1_000 == 1000', 0, true],
  ['0x10 == 16', 0, true],
  ['sum(result) > 1.4', vector, true],
  ['mean(result) < 0.5', vector, true],
  ['median(result) == 0.5', vector, true],
  ['max(result[0], result[1]) == 0.93 && min(result[1], result[2]) == 0.02', vector, true],
  // expr v1.15.5 syntax Argo accepts: pipes, let, ??, ranges, #index, map literals, member access on maps.
  ['result | filter(# > 0.4) | len() == 2', vector, true],
  ['let x = result[0]; x > 0.9 && x < 1', vector, true],
  ['(result ?? 0) == 0', null, true],
  ['1..3 == [1, 2, 3]', 0, true],
  ['map(result, #index) == [0, 1, 2]', vector, true],
  // expr v1.15.5 builtins beyond the numeric ones: closures with #acc, strings, time, RE2.
  ['reduce(result, #acc + #) > 1.4', vector, true],
  ['len(groupBy(result, # > 0.4)[true]) == 2', vector, true],
  ['findIndex(result, # > 5) == nil', vector, true],
  ['duration("1h").Seconds() == 3600 && duration("1h30m").Minutes() == 90', 0, true],
  ['date("2024-05-06").Weekday().String() == "Monday"', 0, true],
  [
    'hasPrefix(result.status, "ok") && trim(result.detail) == "fine"',
    { status: 'ok-1', detail: ' fine ' },
    true,
  ],
  ['result.status matches "^ok-[0-9]+$"', { status: 'ok-12' }, true],
  ['result.id matches "(?P<kind>[a-z]+)-\\\\d+"', { id: 'pod-7' }, true],
  ['{a: 1}.a == 1', 0, true],
  ['result.ok == true && result.rate < 0.1', { ok: true, rate: 0.05 }, true],
  ['result?.missing == nil', { ok: true }, true],
  ['result[0] > 0.9 ? true : false', vector, true],
  ['7 / 2 == 3.5', 0, true],
  ['len(result) == 0', [], true],
  ['all(result, # < 0.05)', [], true],
  ['mean(result) == 0', [], true],
  ['max(1, 2, 3) == 3', 0, true],
  ['abs(-0.5) == 0.5', 0, true],
  ['ceil(0.2) == 1 && floor(0.8) == 0 && round(2.5) == 3', 0, true],
  ['first(result) == 0.93 && last(result) == 0.5', vector, true],
  ['result[0] in [0.93, 1]', vector, true],
  ['result[0] not in [0.93, 1]', vector, false],
  ['result[0:2] == [0.93, 0.02]', vector, true],
  ['len(result[1:]) == 2', vector, true],
  ['result[0] > 0.9 ? true : false', vector, true],
  ['asFloat("0.5") == 0.5 && asInt("3") == 3', 0, true],
  ['default(result, 0) == 0.5', 0.5, true],
  ['isNil(result)', 0.5, false],
  ['"a" + "b" == "ab"', 0, true],
  ['true && !false', 0, true],
];

describe('expr-lang condition evaluator', () => {
  it.each(conditions)('%s over %j is %s', (expression, result, expected) => {
    expect(evaluateCondition(expression, { result })).toBe(expected);
  });

  it('short-circuits && and || as expr-lang does', () => {
    expect(evaluateCondition('len(result) > 0 && result[0] > 1', { result: [] })).toBe(false);
    expect(evaluateCondition('len(result) == 0 || result[0] > 1', { result: [] })).toBe(true);
  });

  it('gives ** and ^ right associativity and unary minus a lower precedence than **', () => {
    expect(evaluateExpression('2 ** 3 ** 2', { result: 0 })).toBe(512);
    expect(evaluateExpression('-2 ** 2', { result: 0 })).toBe(-4);
  });

  // [expression, result, kind, text the message must contain]
  // [expression, result, kind, text the message must contain]; messages are expr v1.15.5's (the version
  // Argo Rollouts v1.8.3 pins): checker/checker.go for type errors, vm/runtime for runtime ones.
  const errors: [string, Value, string, string][] = [
    ['result[0] > 0.9', [], 'runtime', 'reflect: slice index out of range'],
    ['result[3] > 0.9', vector, 'runtime', 'reflect: slice index out of range'],
    ['result > 0.9', vector, 'type', 'invalid operation: > (mismatched types []float64 and float64)'],
    ['result == 0', vector, 'type', 'invalid operation: == (mismatched types []float64 and int)'],
    ['isNaN(result)', vector, 'type', 'cannot use []float64 as argument (type float64) to call isNaN'],
    ['result[0]', vector, 'type', 'expected bool, but got float64'],
    ['result[0] + 1', vector, 'type', 'expected bool, but got float64'],
    ['1 && true', 0, 'type', 'invalid operation: && (mismatched types int and bool)'],
    ['!1', 0, 'type', 'invalid operation: ! (mismatched type int)'],
    ['foo > 1', 0, 'type', 'unknown name foo'],
    ['0.5 % 2 == 0', 0, 'type', 'invalid operation: % (mismatched types float64 and int)'],
    ['result % 2 == 0', 1, 'type', 'invalid operation: % (mismatched types float64 and int)'],
    ['1 % 0 == 0', 0, 'runtime', 'integer divide by zero'],
    ['result[0.5] > 0', vector, 'type', 'array elements can only be selected using an integer (got float64)'],
    ['result.value > 1', 0, 'type', 'type float64[string] is undefined'],
    ['result.value > 1', vector, 'type', 'array elements can only be selected using an integer (got string)'],
    ['0.9 <= result[0] <= 1', vector, 'type', 'invalid operation: <= (mismatched types bool and int)'],
    ['max(result) < 1', vector, 'type', 'invalid argument for max (type []float64)'],
    ['sum(result, # > 0) > 1', vector, 'syntax', 'cannot use pointer accessor outside closure'],
    ['sum(result, 1) > 1', vector, 'type', 'invalid number of arguments (expected 1, got 2)'],
    ['result ?? 0 > 1', 0, 'syntax', 'cannot be mixed'],
    ['upper(1) == "A"', 0, 'type', 'cannot use int as argument (type string) to call upper'],
    ['all(result, #index < 3)', vector, 'type', 'unknown pointer #index'],
    [
      'result.name matches "^a"',
      { name: 1 },
      'runtime',
      'interface conversion: interface {} is float64, not string',
    ],
    [
      'result.name contains "a"',
      { other: 'a' },
      'runtime',
      'interface conversion: interface {} is nil, not string',
    ],
    [
      'date("9999-12-31").AddDate(1, 0, 0).MarshalJSON() != nil',
      0,
      'runtime',
      'Time.MarshalJSON: year outside of range [0,9999]',
    ],
    ['now().Date() == 1', 0, 'type', 'func Date returns more then two values'],
    ['# > 1', 0, 'syntax', 'cannot use pointer accessor outside closure'],
    ['result[0] >', vector, 'syntax', 'unexpected end of expression'],
    ['result[0] > 0.9)', vector, 'syntax', 'unexpected token ")"'],
    ['(result[0] > 0.9', vector, 'syntax', 'unexpected token EOF'],
    ['', 0, 'syntax', 'the expression is empty'],
    ['result @ 1', 0, 'syntax', 'unexpected character "@"'],
    ['"abc', 0, 'syntax', 'unterminated string'],
    ['1abc > 0', 0, 'syntax', 'invalid number'],
    ['len() > 0', 0, 'type', 'invalid number of arguments (expected 1, got 0)'],
    ['asInt("1.1") == 1', 0, 'runtime', 'strconv.ParseInt: parsing "1.1": invalid syntax'],
  ];

  it.each(errors)('%s over %j is a %s error naming the problem', (expression, result, kind, text) => {
    let caught: unknown;
    try {
      evaluateCondition(expression, { result });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ExprError);
    const error = caught as ExprError;
    expect(error.kind).toBe(kind);
    expect(error.message).toContain(text);
    expect(error.expression).toBe(expression);
    expect(error.message).toContain(`"${expression}"`);
  });

  it('names the column of a syntax error', () => {
    expect(() => parse('result[0] >= 0.9 &&& true')).toThrow(/unexpected character "&" at column 20/);
  });

  it('never crashes on random input: it parses, or raises an ExprError', () => {
    const alphabet = fc.constantFrom(
      ...'result[]()0123456789.,<>=!&|+-*/%^#{}?: "\'abcnotandorinlenallanyisNaN_ \t'.split(''),
      'result',
      'len(',
      'all(',
      '#',
      ' && ',
      ' || ',
      ' not ',
      ' in ',
      '**',
      '..',
    );
    fc.assert(
      fc.property(
        fc.array(alphabet, { maxLength: 40 }),
        fc.array(fc.double(), { maxLength: 4 }),
        (parts, numbers) => {
          const expression = parts.join('');
          try {
            const value = evaluateCondition(expression, { result: numbers });
            expect(typeof value).toBe('boolean');
          } catch (error) {
            expect(error).toBeInstanceOf(ExprError);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('never crashes on arbitrary unicode strings either', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (expression) => {
        try {
          parse(expression);
        } catch (error) {
          expect(error).toBeInstanceOf(ExprError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
