/**
 * How Argo Rollouts v1.8.3 points a canary's stable and canary Services at its ReplicaSets (github.com/argoproj/
 * argo-rollouts at v1.8.3, rollout/service.go ensureSVCTargets and switchServiceSelector): the Service's selector
 * gets `rollouts-pod-template-hash: <hash>` of the ReplicaSet it should serve, and the Service the annotation
 * `argo-rollouts.argoproj.io/managed-by-rollouts: <rollout>` the first time (generatePatch), with a `SwitchService`
 * event "Switched selector for service '<svc>' from '<old hash>' to '<new hash>'" on the Rollout.
 * - A Service not yet managed (no annotation: an adoption) waits for the ReplicaSet to be fully available
 *   (utils/replicaset/replicaset.go IsReplicaSetAvailable: spec.replicas not 0 and at most its available replicas).
 * - Any switch waits for at least one available pod (IsReplicaSetPartiallyAvailable).
 * - A missing Service or ReplicaSet changes nothing (upstream reports a missing Service as an error).
 */
import type { SimCluster } from './api.js';
import type { ReplicaSet } from './deployment-util.js';
import type { KubeObject } from './store.js';

/** pkg/apis/rollouts/v1alpha1/types.go ManagedByRolloutsKey. */
export const MANAGED_BY = 'argo-rollouts.argoproj.io/managed-by-rollouts';

/** IsReplicaSetAvailable: scaled up and every replica available. */
export function replicaSetAvailable(rs: ReplicaSet): boolean {
  const replicas = rs.spec?.replicas ?? 1;
  const available = rs.status?.availableReplicas ?? 0;
  return replicas !== 0 && available !== 0 && replicas <= available;
}

const partiallyAvailable = (rs: ReplicaSet) => (rs.status?.availableReplicas ?? 0) > 0;

/**
 * ensureSVCTargets: points the Service `name` at `rs` (its `hashLabel` label) when the rules above allow it; calls
 * `switched` with the SwitchService event's message when it switches.
 */
export function ensureServiceTarget(
  cluster: SimCluster,
  rollout: KubeObject,
  name: string | undefined,
  rs: ReplicaSet | undefined,
  hashLabel: string,
  switched: (message: string) => void,
): void {
  const namespace = rollout.metadata?.namespace ?? '';
  const svc = name ? cluster.get('v1', 'Service', name, namespace) : undefined;
  if (!rs || !svc || !name) return;
  const selector = (svc.spec as { selector?: Record<string, string> } | undefined)?.selector ?? {};
  const current = selector[hashLabel];
  const desired = rs.metadata?.labels?.[hashLabel] ?? '';
  if (current === desired) return;
  const managed = svc.metadata?.annotations?.[MANAGED_BY] !== undefined;
  if (!managed && !replicaSetAvailable(rs)) return;
  if (!partiallyAvailable(rs)) return;
  cluster.update('v1', 'Service', name, namespace, (o) => {
    const spec = (o.spec ?? {}) as { selector?: Record<string, string> };
    o.spec = { ...spec, selector: { ...spec.selector, [hashLabel]: desired } };
    if (!managed)
      o.metadata = {
        ...o.metadata,
        annotations: { ...o.metadata?.annotations, [MANAGED_BY]: rollout.metadata?.name ?? '' },
      };
  });
  switched(`Switched selector for service '${name}' from '${current ?? ''}' to '${desired}'`);
}
