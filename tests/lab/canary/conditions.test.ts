import { describe, expect, it } from 'vitest';
import { evaluateConditions } from '../../../src/lab/canary/conditions.js';

// Argo Rollouts' EvaluateResult rules, case by case.
describe('evaluateConditions (Argo Rollouts semantics)', () => {
  it.each([
    // [successCondition, failureCondition, result, phase]
    [undefined, undefined, [0.1], 'Successful'],
    ['result[0] >= 0.9', undefined, [0.95], 'Successful'],
    ['result[0] >= 0.9', undefined, [0.5], 'Failed'],
    [undefined, 'result[0] < 0.9', [0.5], 'Failed'],
    [undefined, 'result[0] < 0.9', [0.95], 'Successful'],
    ['result[0] >= 0.9', 'result[0] < 0.5', [0.95], 'Successful'],
    ['result[0] >= 0.9', 'result[0] < 0.5', [0.3], 'Failed'],
    ['result[0] >= 0.9', 'result[0] < 0.5', [0.7], 'Inconclusive'],
    // failure wins when both hold
    ['result[0] > 0', 'result[0] > 0', [1], 'Failed'],
    // NaN: comparisons are false; with both conditions that is Inconclusive, with one it is Failed
    ['result >= 0.9', 'result < 0.9', Number.NaN, 'Inconclusive'],
    ['result >= 0.9', undefined, Number.NaN, 'Failed'],
    ['isNaN(result) || result >= 0.9', undefined, Number.NaN, 'Successful'],
  ] as const)(
    'success %s / failure %s over %j is %s',
    (successCondition, failureCondition, result, phase) => {
      const outcome = evaluateConditions(result as never, { successCondition, failureCondition });
      expect(outcome.phase).toBe(phase);
    },
  );

  it('evaluates an empty vector as Argo does: a vacuous all() passes, result[0] is an Error, and says no data', () => {
    // argo-rollouts v1.8.3 metricproviders/prometheus/prometheus.go passes []float64{} for an empty vector.
    const vacuous = evaluateConditions([], { successCondition: 'all(result, # < 0.05)' });
    expect(vacuous.phase).toBe('Successful');
    expect(vacuous.noData).toBe(true);
    const indexed = evaluateConditions([], { successCondition: 'result[0] >= 0.95' });
    expect(indexed.phase).toBe('Error');
    const lenient = evaluateConditions([], { successCondition: 'len(result) == 0 || result[0] >= 0.95' });
    expect(lenient.phase).toBe('Successful');
  });

  it('is Error, naming the condition and the problem, when a condition cannot be evaluated', () => {
    const outcome = evaluateConditions([0.5, 0.6], {
      successCondition: 'result[0] > 0.1',
      failureCondition: 'result > 1',
    });
    expect(outcome.phase).toBe('Error');
    expect(outcome.reason).toContain('failureCondition');
    expect(outcome.reason).toContain('mismatched types []float64 and int');
  });

  it('is Error for result == 0 on a vector (a type error in expr), never a quiet pass', () => {
    const outcome = evaluateConditions([0], { failureCondition: 'result == 0' });
    expect(outcome.phase).toBe('Error');
  });

  it('evaluates every time.Time method Argo Rollouts has, the []byte ones included', () => {
    const clock = () => new Date('2030-01-01T00:00:00Z');
    const condition = { successCondition: 'string(now().MarshalJSON()[1:5]) == "[50 48 51 48]"' };
    expect(evaluateConditions([0.5], condition, { now: clock }).phase).toBe('Successful');
  });

  it('reads now() from the injected clock, not the system clock', () => {
    const clock = () => new Date('2030-01-01T00:00:00Z');
    const condition = { successCondition: 'now() > date("2029-12-31") && now() < date("2030-01-02")' };
    expect(evaluateConditions([0.5], condition, { now: clock }).phase).toBe('Successful');
    expect(evaluateConditions([0.5], condition, { now: () => new Date('2031-01-01T00:00:00Z') }).phase).toBe(
      'Failed',
    );
  });

  it('records the value of each condition', () => {
    const outcome = evaluateConditions([0.7], {
      successCondition: 'result[0] >= 0.9',
      failureCondition: 'result[0] < 0.5',
    });
    expect(outcome.successCondition).toEqual({ expression: 'result[0] >= 0.9', value: false });
    expect(outcome.failureCondition).toEqual({ expression: 'result[0] < 0.5', value: false });
  });
});
