/**
 * Which of an Argo Rollouts v1.8.3 Rollout's AnalysisRuns are deleted (github.com/argoproj/argo-rollouts at v1.8.3),
 * for the sim's Rollouts model (rollouts.ts). rollout/analysis.go reconcileAnalysisRuns runs it over the Rollout's
 * other runs (those its controller owns that are not current: utils/analysis/filter.go
 * FilterCurrentRolloutAnalysisRuns), with the limits of utils/defaults/defaults.go
 * GetAnalysisRunSuccessfulHistoryLimitOrDefault and GetAnalysisRunUnsuccessfulHistoryLimitOrDefault
 * (spec.analysis.successfulRunHistoryLimit and unsuccessfulRunHistoryLimit, 5 each when unset).
 */
import type { KubeObject } from './store.js';

/** pkg/apis/rollouts/v1alpha1/types.go DefaultRolloutUniqueLabelKey. */
const HASH_LABEL = 'rollouts-pod-template-hash';

export interface RunHistoryLimits {
  successful: number;
  unsuccessful: number;
}

/** utils/defaults/defaults.go: spec.analysis's history limits, 5 each by default. */
export function runHistoryLimits(
  spec:
    | { analysis?: { successfulRunHistoryLimit?: number; unsuccessfulRunHistoryLimit?: number } }
    | undefined,
): RunHistoryLimits {
  return {
    successful: spec?.analysis?.successfulRunHistoryLimit ?? 5,
    unsuccessful: spec?.analysis?.unsuccessfulRunHistoryLimit ?? 5,
  };
}

const created = (o: KubeObject) => Date.parse(String(o.metadata?.creationTimestamp ?? '')) || 0;

/**
 * utils/analysis/filter.go FilterAnalysisRunsToDelete: the runs, newest created first (ties keep the given order;
 * upstream's is the informer's), of which these go: a run without a pod-template-hash label, one whose hash no
 * ReplicaSet of the Rollout has, one whose ReplicaSet is being deleted; beyond those, the Successful runs past
 * the `successful` newest and the Failed, Error or Inconclusive ones past the `unsuccessful` newest. A run in any
 * other phase (Pending, Running) is never deleted here.
 */
export function analysisRunsToDelete(
  runs: KubeObject[],
  replicaSets: KubeObject[],
  limits: RunHistoryLimits,
): KubeObject[] {
  const deleting = new Map<string, boolean>();
  for (const rs of replicaSets) {
    const hash = rs.metadata?.labels?.[HASH_LABEL];
    if (hash !== undefined) deleting.set(hash, Boolean(rs.metadata?.deletionTimestamp));
  }
  const newestFirst = [...runs].sort((a, b) => created(b) - created(a));
  let successful = 0;
  let unsuccessful = 0;
  return newestFirst.filter((run) => {
    const hash = run.metadata?.labels?.[HASH_LABEL];
    if (hash === undefined || deleting.get(hash) !== false) return true;
    const phase = (run.status as { phase?: string } | undefined)?.phase;
    if (phase === 'Successful') return ++successful > limits.successful;
    if (phase === 'Failed' || phase === 'Error' || phase === 'Inconclusive')
      return ++unsuccessful > limits.unsuccessful;
    return false;
  });
}
