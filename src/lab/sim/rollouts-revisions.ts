/**
 * The revisions of an Argo Rollouts v1.8.3 Rollout's ReplicaSets (github.com/argoproj/argo-rollouts at v1.8.3), for
 * the sim's Rollouts model (rollouts.ts):
 * - the new ReplicaSet (the one of the Rollout's pod template) has the highest revision: the highest of the other
 *   ReplicaSets plus one, raised on every reconcile where it is lower (rollout/sync.go syncReplicaSetRevision and
 *   createDesiredReplicaSet, utils/replicaset/replicaset.go MaxRevision). Going back to a template whose
 *   ReplicaSet still exists re-uses that ReplicaSet (utils/replicaset/replicaset.go FindNewReplicaSet finds it by
 *   its hash label) at a new revision, the revisions it served before kept in `rollout.argoproj.io/revision-history`
 *   (utils/annotations/annotations.go SetNewReplicaSetAnnotations);
 * - the Rollout's own annotations are copied to its new ReplicaSet, but for those annotationsToSkip names
 *   (utils/annotations/annotations.go copyRolloutAnnotationsToReplicaSet);
 * - old ReplicaSets beyond spec.revisionHistoryLimit (default 10) are deleted, oldest created first, once at 0
 *   replicas (rollout/sync.go reconcileRevisionHistoryLimit, utils/defaults/defaults.go).
 */
import {
  appendRevisionHistory,
  beyondRevisionHistory,
  byCreationTimestamp,
  copyAnnotations,
  maxRevision,
  type ReplicaSet,
} from './deployment-util.js';

/** utils/annotations/annotations.go RevisionAnnotation, RevisionHistoryAnnotation, DesiredReplicasAnnotation. */
export const REVISION = 'rollout.argoproj.io/revision';
export const REVISION_HISTORY = 'rollout.argoproj.io/revision-history';
export const DESIRED_REPLICAS = 'rollout.argoproj.io/desired-replicas';

/** utils/annotations/annotations.go annotationsToSkip: the Rollout's annotations never copied to a ReplicaSet. */
const notCopied = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION,
  REVISION_HISTORY,
  DESIRED_REPLICAS,
  'notified.notifications.argoproj.io',
]);

/**
 * The revision the new ReplicaSet is to have (rollout/sync.go syncReplicaSetRevision, createDesiredReplicaSet): one
 * more than the highest of the others' (utils/replicaset/replicaset.go MaxRevision; a revision that is not a number
 * counts for none).
 */
export function nextRevision(olderRSs: ReplicaSet[]): number {
  return maxRevision(olderRSs, REVISION) + 1;
}

/**
 * utils/annotations/annotations.go SetNewReplicaSetAnnotations, for the new ReplicaSet's annotations (`current`;
 * empty for one about to be created): the Rollout's annotations copied (copyRolloutAnnotationsToReplicaSet); the
 * revision set to `newRevision` when it is lower (a revision that is not a number: nothing changes); and when the
 * ReplicaSet had a revision and anything changed, that revision is appended to the revision-history annotation
 * (comma-separated, no limit on its length). Returns the annotations and whether they changed.
 */
export function newReplicaSetAnnotations(
  rollout: Record<string, string> | undefined,
  current: Record<string, string> | undefined,
  newRevision: number,
): { annotations: Record<string, string>; changed: boolean } {
  const annotations = { ...current };
  let changed = copyAnnotations(rollout, annotations, notCopied);
  const old = annotations[REVISION];
  if (old !== undefined && old !== '' && !/^[+-]?\d+$/.test(old))
    return { annotations: { ...current }, changed: false };
  if (Number(old ?? 0) < newRevision) {
    annotations[REVISION] = String(newRevision);
    changed = true;
  }
  if (old !== undefined && changed)
    appendRevisionHistory(annotations, old, REVISION_HISTORY, Number.POSITIVE_INFINITY);
  return { annotations, changed };
}

/** utils/defaults/defaults.go GetRevisionHistoryLimitOrDefault: spec.revisionHistoryLimit, else 10. */
export function revisionHistoryLimit(spec: { revisionHistoryLimit?: number } | undefined): number {
  return spec?.revisionHistoryLimit ?? 10;
}

/**
 * rollout/sync.go reconcileRevisionHistoryLimit: of the Rollout's other ReplicaSets (neither the new nor the stable
 * one, utils/replicaset/canary.go GetOtherRSs), those beyond the limit, oldest created first
 * (controller.ReplicaSetsByCreationTimestamp, then by name), each only once it is at 0 replicas with no pods and
 * observed so (deployment-util.ts beyondRevisionHistory). The revision does not order them, and a scale-down
 * deadline annotation is not looked at (a ReplicaSet waiting on one still has replicas).
 */
export function replicaSetsToDelete(otherRSs: ReplicaSet[], limit: number): ReplicaSet[] {
  return beyondRevisionHistory(otherRSs, limit, byCreationTimestamp);
}

/**
 * The Rollout's own revision annotation: rollout/sync.go setRolloutRevision sets it (utils/annotations/annotations.go
 * SetRolloutRevision) to the new ReplicaSet's revision, right after creating that ReplicaSet
 * (createDesiredReplicaSet), or on a reconcile that finds the new ReplicaSet's annotations already in step
 * (syncReplicaSetRevision: one that had to update them leaves the Rollout to the next reconcile). When the annotation
 * changes, the controller records `RolloutUpdated` "Rollout updated to revision N" (utils/conditions/conditions.go
 * RolloutUpdatedReason, RolloutUpdatedMessage). Returns that event's message, or undefined when nothing changes.
 */
export function rolloutRevisionUpdate(
  rollout: Record<string, string> | undefined,
  revision: string,
): string | undefined {
  return rollout?.[REVISION] === revision ? undefined : `Rollout updated to revision ${revision}`;
}
