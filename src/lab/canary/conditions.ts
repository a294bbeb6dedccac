/**
 * One measurement's phase from a metric's successCondition/failureCondition, with Argo Rollouts' rules:
 * - a condition that cannot be evaluated (syntax, unsupported construct, type error, index out of range,
 *   non-bool result) makes the measurement Error;
 * - neither condition set: Successful;
 * - only successCondition: Failed when it is false;
 * - only failureCondition: Successful when it is false;
 * - both: Failed if failureCondition holds, Successful if only successCondition holds, Inconclusive if neither.
 * One deliberate difference, stated in docs/canary.md: an empty Prometheus vector (no data) is Inconclusive
 * before any condition runs. Argo Rollouts would evaluate the conditions on `[]`, where `result[0]` is an
 * Error and `all(result, # < 0.05)` is vacuously true: a pass on no data, which this judge never gives.
 */
import { ExprError } from './expr/errors.js';
import { compileCondition, type Value } from './expr/evaluate.js';

export type MeasurementPhase = 'Successful' | 'Failed' | 'Inconclusive' | 'Error';

export interface ConditionOutcome {
  phase: MeasurementPhase;
  /** One sentence: why this phase. */
  reason: string;
  successCondition?: { expression: string; value?: boolean };
  failureCondition?: { expression: string; value?: boolean };
}

export interface Conditions {
  successCondition?: string;
  failureCondition?: string;
}

export function evaluateConditions(result: Value, conditions: Conditions): ConditionOutcome {
  const success = conditions.successCondition?.trim() ? conditions.successCondition : undefined;
  const failure = conditions.failureCondition?.trim() ? conditions.failureCondition : undefined;
  const outcome: ConditionOutcome = { phase: 'Successful', reason: '' };
  if (success) outcome.successCondition = { expression: success };
  if (failure) outcome.failureCondition = { expression: failure };

  if (Array.isArray(result) && result.length === 0) {
    return { ...outcome, phase: 'Inconclusive', reason: 'no data: the query returned an empty vector' };
  }

  let successValue = false;
  let failureValue = false;
  try {
    if (success && outcome.successCondition) {
      successValue = compileCondition(success)({ result });
      outcome.successCondition.value = successValue;
    }
    if (failure && outcome.failureCondition) {
      failureValue = compileCondition(failure)({ result });
      outcome.failureCondition.value = failureValue;
    }
  } catch (error) {
    const which =
      outcome.successCondition && outcome.successCondition.value === undefined
        ? 'successCondition'
        : 'failureCondition';
    const message = error instanceof ExprError ? error.message : String(error);
    return { ...outcome, phase: 'Error', reason: `${which}: ${message}` };
  }

  if (!success && !failure)
    return { ...outcome, phase: 'Successful', reason: 'no conditions: always Successful' };
  if (success && !failure) {
    return successValue
      ? { ...outcome, phase: 'Successful', reason: `successCondition ${success} is true` }
      : { ...outcome, phase: 'Failed', reason: `successCondition ${success} is false` };
  }
  if (!success && failure) {
    return failureValue
      ? { ...outcome, phase: 'Failed', reason: `failureCondition ${failure} is true` }
      : { ...outcome, phase: 'Successful', reason: `failureCondition ${failure} is false` };
  }
  if (failureValue) return { ...outcome, phase: 'Failed', reason: `failureCondition ${failure} is true` };
  if (successValue) return { ...outcome, phase: 'Successful', reason: `successCondition ${success} is true` };
  return {
    ...outcome,
    phase: 'Inconclusive',
    reason: `neither successCondition ${success} nor failureCondition ${failure} is true`,
  };
}
