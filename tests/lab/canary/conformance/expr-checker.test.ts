/**
 * Conformance with expr v1.15.5 (github.com/antonmedv/expr, the version Argo Rollouts v1.8.3 pins):
 * checker/checker_test.go TestCheck_error, the cases that need no mock environment (literals, builtins,
 * unknown names, let). The expression and the message are upstream's; positions are left out.
 */
import { describe, expect, it } from 'vitest';
import { T } from '../../../../src/lab/canary/expr/checker.js';
import { ExprError } from '../../../../src/lab/canary/expr/errors.js';
import { compile } from '../../../../src/lab/canary/expr/evaluate.js';

const cases: [string, string][] = [
  ['Noo', 'unknown name Noo'],
  ['!Not', 'unknown name Not'],
  ['[Not]', 'unknown name Not'],
  ['{id: Not}', 'unknown name Not'],
  ['(nil).Foo', 'type <nil> has no field Foo'],
  ["(nil)['Foo']", 'type <nil> has no field Foo'],
  ['1 and false', 'invalid operation: and (mismatched types int and bool)'],
  ['true or 0', 'invalid operation: or (mismatched types bool and int)'],
  ['len(Not)', 'unknown name Not'],
  ["1 + ''", 'invalid operation: + (mismatched types int and string)'],
  ['count(1, {#})', 'builtin count takes only array (got int)'],
  ['map(1, {2})', 'builtin map takes only array (got int)'],
  ['len(42)', 'invalid argument for len (type int)'],
  ['any(42, {#})', 'builtin any takes only array (got int)'],
  ['filter(42, {#})', 'builtin filter takes only array (got int)'],
  ['1 /* one */ + "2"', 'invalid operation: + (mismatched types int and string)'],
  ['let map = 42; map', 'cannot redeclare builtin map'],
  ['let len = 42; len', 'cannot redeclare builtin len'],
  ['let foo = 1; let foo = 2; foo', 'cannot redeclare variable foo'],
  ['map(1..9, #unknown)', 'unknown pointer #unknown'],
  // The builtin cases of the same table; ArrayOfInt is a range (a []int), mock maps are map literals.
  ["'str' in 'String'", 'invalid operation: in (mismatched types string and string)'],
  ['count(1..2, {#})', 'predicate should return boolean (got int)'],
  ['all(1..2, {# + 1})', 'predicate should return boolean (got int)'],
  ['repeat("0", 1/0)', 'cannot use float64 as argument (type int) to call repeat '],
  ['.0 in {a: 1}', 'cannot use float64 as type string in map key'],
  ['{a: 1}[0]', 'cannot use int to get an element from map[string]interface {}'],
  ['"a" matches 1', 'invalid operation: matches (mismatched types string and int)'],
  ['1 matches "a"', 'invalid operation: matches (mismatched types int and string)'],
];

describe('expr v1.15.5 checker/checker_test.go TestCheck_error', () => {
  it.each(cases)('%s: %s', (expression, message) => {
    let caught: unknown;
    try {
      compile(expression, { result: T.float });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ExprError);
    expect((caught as ExprError).detail).toBe(message);
  });
});

describe('expr v1.15.5 checker: `in` against an array literal keeps its element type', () => {
  it('42 in ["a"] is a type error; 42 in [1, 2] is not', () => {
    expect(() => compile('42 in ["a"]', { result: T.float })).toThrow(
      /cannot use int as type string in array/,
    );
    expect(compile('42 in [1, 2]', { result: T.float }).type).toEqual(T.bool);
  });
});

describe('expr v1.15.5 checker/checker_test.go TestCheck (valid expressions with builtins)', () => {
  it.each([
    'count(1..30, {# % 3 == 0}) > 0',
    'map(1..3, {#}) == [1,2,3]',
    'map(1..3, #index) == [0,1,2]',
    'now() == now()',
    'result == now()',
  ])('%s type-checks', (expression) => {
    expect(() => compile(expression, { result: T.any })).not.toThrow();
  });

  it('map(result, {0})[0] + "str" is an int plus a string (map over interface {})', () => {
    expect(() => compile('map(result, {0})[0] + "str"', { result: T.any })).toThrow(
      'invalid operation: + (mismatched types int and string)',
    );
  });
});
