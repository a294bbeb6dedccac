/**
 * One measurement's phase from a metric's successCondition/failureCondition, exactly as Argo Rollouts v1.8.3
 * utils/evaluate/evaluate.go EvaluateResult:
 * - a condition that fails to compile (syntax, type check) or to run, or that yields a non-bool, is Error;
 * - neither condition set: Successful;
 * - only successCondition: Failed when it is false;
 * - only failureCondition: Successful when it is false;
 * - both: Failed if failureCondition holds (even when successCondition holds too), Successful if only
 *   successCondition holds, Inconclusive if neither.
 * An empty vector is evaluated like any other result, as Argo does (metricproviders/prometheus/prometheus.go
 * passes `[]float64{}`): `result[0]` is an Error there, `all(result, # < 0.05)` is true. The outcome says
 * when a verdict was reached on no data, and `gitops-lab lint` warns about conditions that pass on it.
 */
import { ExprError } from './expr/errors.js';
import { evaluateCondition, type GoValue, typeOfValue, type Value } from './expr/evaluate.js';

export type MeasurementPhase = 'Successful' | 'Failed' | 'Inconclusive' | 'Error';

export interface ConditionOutcome {
  phase: MeasurementPhase;
  /** One sentence: why this phase. */
  reason: string;
  successCondition?: { expression: string; value?: boolean };
  failureCondition?: { expression: string; value?: boolean };
  /** Set when the result was an empty vector: the verdict was reached on no data. */
  noData?: boolean;
}

export interface Conditions {
  successCondition?: string;
  failureCondition?: string;
}

export function evaluateConditions(
  result: Value | GoValue,
  conditions: Conditions,
  options: { json?: boolean; now?: () => Date } = {},
): ConditionOutcome {
  const success = conditions.successCondition?.trim() ? conditions.successCondition : undefined;
  const failure = conditions.failureCondition?.trim() ? conditions.failureCondition : undefined;
  const outcome: ConditionOutcome = { phase: 'Successful', reason: '' };
  if (success) outcome.successCondition = { expression: success };
  if (failure) outcome.failureCondition = { expression: failure };

  if (Array.isArray(result) && result.length === 0) outcome.noData = true;
  const scope = {
    result,
    resultType: options.json ? typeOfValue(result, true) : undefined,
    now: options.now,
  };

  let successValue = false;
  let failureValue = false;
  try {
    if (success && outcome.successCondition) {
      successValue = evaluateCondition(success, scope);
      outcome.successCondition.value = successValue;
    }
    if (failure && outcome.failureCondition) {
      failureValue = evaluateCondition(failure, scope);
      outcome.failureCondition.value = failureValue;
    }
  } catch (error) {
    const which =
      outcome.successCondition && outcome.successCondition.value === undefined
        ? 'successCondition'
        : 'failureCondition';
    const message = error instanceof ExprError ? error.message : String(error);
    const errored: ConditionOutcome = { ...outcome, phase: 'Error', reason: `${which}: ${message}` };
    return errored;
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
