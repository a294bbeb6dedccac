/**
 * Conformance with Argo Rollouts v1.8.3 utils/evaluate/evaluate_test.go: each case names the upstream test
 * function it comes from; the inputs and the asserted outcomes are upstream's, the tests are written here.
 * Go ints are bigints in the engine (1n), float64s are numbers.
 */
import { describe, expect, it } from 'vitest';
import { evaluateConditions } from '../../../../src/lab/canary/conditions.js';
import { ExprError } from '../../../../src/lab/canary/expr/errors.js';
import { evaluateCondition, type GoValue } from '../../../../src/lab/canary/expr/evaluate.js';

const UPSTREAM = 'argo-rollouts v1.8.3 utils/evaluate/evaluate_test.go';

function evalError(result: GoValue, condition: string): ExprError {
  try {
    evaluateCondition(condition, { result });
  } catch (error) {
    expect(error).toBeInstanceOf(ExprError);
    return error as ExprError;
  }
  throw new Error(`${condition} did not fail`);
}

describe(`EvaluateResult (${UPSTREAM})`, () => {
  it.each([
    ['TestEvaluateResultWithSuccess', 'true', 'false', 'Successful'],
    ['TestEvaluateResultWithFailure', 'true', 'true', 'Failed'],
    ['TestEvaluateResultInconclusive', 'false', 'false', 'Inconclusive'],
    ['TestEvaluateResultNoSuccessConditionAndNotFailing', '', 'false', 'Successful'],
    ['TestEvaluateResultNoFailureConditionAndNotSuccessful', 'false', '', 'Failed'],
    ['TestEvaluateResultNoFailureConditionAndNoSuccessCondition', '', '', 'Successful'],
    ['TestEvaluateResultWithErrorOnSuccessCondition', 'a == true', 'true', 'Error'],
    ['TestEvaluateResultWithErrorOnFailureCondition', 'true', 'a == true', 'Error'],
  ])('%s: success %j, failure %j over true is %s', (_name, successCondition, failureCondition, phase) => {
    expect(evaluateConditions(true, { successCondition, failureCondition }).phase).toBe(phase);
  });
});

describe(`EvalCondition (${UPSTREAM})`, () => {
  it('TestEvaluateConditionWithSuccess / WithFailure', () => {
    expect(evaluateCondition('result == true', { result: true })).toBe(true);
    expect(evaluateCondition('result == false', { result: true })).toBe(false);
  });

  it('TestErrorWithNonBoolReturn: "expected bool, but got int"', () => {
    expect(evalError(true, '1').detail).toBe('expected bool, but got int');
  });

  it('TestErrorWithInvalidReference: "unknown name invalidVariable"', () => {
    expect(evalError(true, 'invalidVariable').detail).toBe('unknown name invalidVariable');
  });

  it('TestEvaluateArray: member access into a JSON map result', () => {
    const result = { service_apdex: { label: null, values: { values: [2, 2] } } };
    expect(evaluateCondition('all(result.service_apdex.values.values, {# > 1})', { result })).toBe(true);
  });

  it('TestEvaluateInOperator: 2 in [2, 2]', () => {
    expect(evaluateCondition('2 in result', { result: [2, 2] })).toBe(true);
  });

  it('TestEvaluateFloat64: 5.0 > 1', () => {
    expect(evaluateCondition('result > 1', { result: 5 })).toBe(true);
  });

  it('TestEvaluateInvalidStruct: a method call on a bool is an error', () => {
    expect(evalError(true, "result.Name() == 'hi'")).toBeInstanceOf(ExprError);
  });

  it('TestEvaluateAsIntPanic: asInt("1.1") is an error', () => {
    expect(evalError('1.1', 'asInt(result) == 1.1')).toBeInstanceOf(ExprError);
  });

  it.each([
    ['1', true],
    [1n, true],
    [1.123, true],
  ] as [GoValue, boolean][])('TestEvaluateAsInt: asInt(%s) == 1 is %s', (input, expected) => {
    expect(evaluateCondition('asInt(result) == 1', { result: input })).toBe(expected);
  });

  it.each([
    ['NotANum', 'asFloat(result) == 1.1', 'strconv.ParseFloat: parsing "NotANum": invalid syntax'],
    ['1.1', 'asFloat(result) == "1.1"', 'invalid operation: == (mismatched types float64 and string)'],
  ])('TestEvaluateAsFloatError: %j with %s fails with %s', (input, expression, message) => {
    expect(evalError(input, expression).detail).toContain(message);
  });

  it.each([
    ['1.1', 'asFloat(result) == 1.1'],
    ['1.1', 'asFloat(result) >= 1.1'],
    ['1.1', 'asFloat(result) <= 1.1'],
    [1.1, 'asFloat(result) == 1.1'],
    [1n, 'asFloat(result) == 1'],
    [1n, 'asFloat(result) >= 1'],
  ] as [GoValue, string][])('TestEvaluateAsFloat: %s with %s is true', (input, expression) => {
    expect(evaluateCondition(expression, { result: input })).toBe(true);
  });

  it.each([
    ['1', false],
    ['notint', true],
    ['1.1', true],
  ])('TestAsInt: asInt(%j) panics: %s', (input, panics) => {
    const run = () => evaluateCondition('asInt(result) == 1', { result: input });
    if (panics) expect(run).toThrow(ExprError);
    else expect(run()).toBe(true);
  });

  it.each([
    ['1', 1, false],
    ['notfloat', 0, true],
    ['1.1', 1.1, false],
  ] as const)('TestAsFloat: asFloat(%j)', (input, output, panics) => {
    const run = () => evaluateCondition(`asFloat(result) == ${output}`, { result: input });
    if (panics) expect(run).toThrow(ExprError);
    else expect(run()).toBe(true);
  });

  it('TestIsInf', () => {
    expect(evaluateCondition('isInf(result)', { result: Number.POSITIVE_INFINITY })).toBe(true);
    expect(evaluateCondition('isInf(result)', { result: 0 })).toBe(false);
  });

  it('TestDefaultFunc: default() returns the default when result is nil, else the whole result', () => {
    expect(evaluateCondition('default(result, 0) == 0', { result: null })).toBe(true);
    expect(evaluateCondition('default(result, 1) == 1', { result: null })).toBe(true);
    expect(evaluateCondition('default(result, 2) == 2', { result: null })).toBe(true);
    expect(evaluateCondition('default(result, 0) == 1', { result: 1 })).toBe(true);
    // The argument is ignored: default(x, d) looks at result, not at x.
    expect(evaluateCondition('default(123, 0) == 1', { result: 1 })).toBe(true);
  });

  it('TestIsNilFunc / TestIsNil: isNil() looks at the whole result, whatever its argument', () => {
    expect(evaluateCondition('isNil(result)', { result: null })).toBe(true);
    expect(evaluateCondition('isNil(result)', { result: 1 })).toBe(false);
    expect(evaluateCondition('isNil(result)', { result: ['hi', 'hello'] })).toBe(false);
    expect(evaluateCondition('isNil(1)', { result: 1n })).toBe(false);
    expect(evaluateCondition('isNil(false)', { result: false })).toBe(false);
    expect(evaluateCondition('isNil(1)', { result: null })).toBe(true);
  });
});
