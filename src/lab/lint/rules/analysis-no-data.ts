/**
 * Rule `analysis-no-data`: what a metric's conditions decide when its Prometheus query returns nothing.
 * Argo Rollouts v1.8.3 evaluates the conditions on the empty vector (metricproviders/prometheus/prometheus.go
 * passes `[]float64{}`; utils/evaluate/evaluate.go EvaluateResult), so `all(result, # < 0.05)` passes and a
 * lone `result[0] < 0.05` failureCondition is an Error. A metric that passes on no data lets a canary with no
 * traffic, or a renamed series, through; one that fails on no data stops a rollout for want of traffic. Both
 * are warnings; Inconclusive (the rollout pauses) and Error (retried) are not reported.
 */
import { evaluateConditions } from '../../canary/conditions.js';
import { asArray, asRecord, asString, findingAt, type LintContext } from '../context.js';
import type { Finding } from '../types.js';

export function analysisNoDataRule(ctx: LintContext): Finding[] {
  const findings: Finding[] = [];
  for (const r of ctx.repo.resources) {
    if (!['AnalysisTemplate', 'ClusterAnalysisTemplate', 'AnalysisRun'].includes(r.kind)) continue;
    if (!r.apiVersion.startsWith('argoproj.io/')) continue;
    asArray(asRecord(r.object.spec)?.metrics).forEach((m, i) => {
      const metric = asRecord(m) ?? {};
      if (!asRecord(asRecord(metric.provider)?.prometheus)) return;
      const successCondition = asString(metric.successCondition);
      const failureCondition = asString(metric.failureCondition);
      if (!successCondition && !failureCondition) return; // analysis-condition reports this
      if (`${successCondition ?? ''}${failureCondition ?? ''}`.includes('{{')) return;
      const { phase } = evaluateConditions([], { successCondition, failureCondition });
      if (phase !== 'Successful' && phase !== 'Failed') return;
      const name = asString(metric.name) ?? `#${i + 1}`;
      findings.push(
        findingAt(
          ctx,
          r,
          ['spec', 'metrics', i, successCondition ? 'successCondition' : 'failureCondition'],
          {
            rule: 'analysis-no-data',
            severity: 'warning',
            message:
              phase === 'Successful'
                ? `metric ${name} passes on no data: when the query returns an empty vector, Argo Rollouts evaluates the conditions on [] and they give Successful, so a canary without traffic (or a renamed series) passes`
                : `metric ${name} fails on no data: when the query returns an empty vector the conditions give Failed, so a canary without traffic yet is rolled back`,
            fix:
              phase === 'Successful'
                ? 'Require data in the successCondition, e.g. len(result) > 0 && all(result, # < 0.05), and mirror it in a failureCondition so no data is Inconclusive.'
                : 'Guard both conditions with len(result) > 0 && ... so no data is Inconclusive (the rollout pauses) instead of Failed.',
          },
        ),
      );
    });
  }
  return findings;
}
