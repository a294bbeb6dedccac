/**
 * The grace period of a pod's deletion and what a DELETE does to a pod (pod-deletion.ts tells the whole rule): the pod
 * registry's graceful-delete strategy (pkg/registry/core/pod/strategy.go CheckGracefulDelete) and the generic
 * BeforeDelete (staging/src/k8s.io/apiserver/pkg/registry/rest/delete.go), as pure functions of the pod.
 */
import { checkPreconditions, type DeleteOptions } from './delete-options.js';
import { type KubeObject, kubeTime } from './store.js';

/** The API server's default spec.terminationGracePeriodSeconds (pkg/apis/core/v1/defaults.go; types.go). */
export const DEFAULT_TERMINATION_GRACE_SECONDS = 30;

interface PodFields {
  spec?: { nodeName?: string; terminationGracePeriodSeconds?: number };
  status?: { phase?: string };
}

/** CheckGracefulDelete: the grace period a deletion of `pod` gets when `requested` (or nothing) was asked for. */
export function podGracePeriod(pod: KubeObject, requested?: number): number {
  const { spec, status } = pod as PodFields;
  let period = requested ?? spec?.terminationGracePeriodSeconds ?? DEFAULT_TERMINATION_GRACE_SECONDS;
  if (!spec?.nodeName) period = 0;
  if (status?.phase === 'Failed' || status?.phase === 'Succeeded') period = 0;
  if (period < 0) period = 1;
  return period;
}

/** What a DELETE does to a pod (BeforeDelete): remove it now, mark it, or leave it as it is. */
export type DeletionStep =
  | { step: 'remove' }
  | { step: 'pending' }
  | { step: 'mark'; deletionTimestamp: string; deletionGracePeriodSeconds: number };

export function deletionStep(pod: KubeObject, options: DeleteOptions, nowMs: number): DeletionStep {
  const meta = pod.metadata ?? {};
  checkPreconditions({ kind: 'Pod', group: '' }, pod, options);
  // BeforeDelete: a negative period asked for is 1 s.
  const requested =
    options.gracePeriodSeconds !== undefined && options.gracePeriodSeconds < 0
      ? 1
      : options.gracePeriodSeconds;
  if (meta.deletionTimestamp) {
    const current = meta.deletionGracePeriodSeconds as number | undefined;
    if (current === undefined || current === 0) return { step: 'remove' };
    if (requested === undefined || requested >= current) return { step: 'pending' };
    const at = Date.parse(meta.deletionTimestamp) - current * 1000 + requested * 1000;
    return { step: 'mark', deletionTimestamp: kubeTime(at), deletionGracePeriodSeconds: requested };
  }
  const period = podGracePeriod(pod, requested);
  return {
    step: 'mark',
    deletionTimestamp: kubeTime(nowMs + period * 1000),
    deletionGracePeriodSeconds: period,
  };
}
