/**
 * Setting one condition in a status's list, as Kubernetes v1.33 does it for pods
 * (pkg/api/v1/pod/util.go UpdatePodCondition) and for the metav1.Condition lists of other kinds
 * (staging/src/k8s.io/apimachinery/pkg/api/meta/conditions.go SetStatusCondition; read in untagged copies of the
 * v1.3x line): the condition of the same type is replaced where it stands, or appended when there is none; its
 * lastTransitionTime moves to `at` only when the status changes, else it keeps the old one.
 */

/** What every condition carries: a type, a status and when that status began. */
export interface StatusCondition {
  type: string;
  status: string;
  lastTransitionTime?: string;
}

/** A pod's condition (core/v1 PodCondition), as the binding and the kubelet write them. */
export interface PodCondition extends StatusCondition {
  lastProbeTime?: string | null;
  reason?: string;
  message?: string;
}

/** When a condition with `status` began, given the condition of its type it replaces (if any). */
export function transitionTime(old: StatusCondition | undefined, status: string, at: string): string {
  return old?.status === status ? (old.lastTransitionTime ?? at) : at;
}

/** `conditions` with `next` set at `at` (a Kubernetes timestamp); the input list is not changed. */
export function setCondition<C extends StatusCondition>(
  conditions: readonly C[],
  next: Omit<C, 'lastTransitionTime'>,
  at: string,
): C[] {
  const old = conditions.find((c) => c.type === next.type);
  const condition = { ...next, lastTransitionTime: transitionTime(old, next.status, at) } as C;
  return old ? conditions.map((c) => (c === old ? condition : c)) : [...conditions, condition];
}
