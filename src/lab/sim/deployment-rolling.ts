/**
 * How the Kubernetes v1.33 Deployment controller sizes its ReplicaSets, without the API calls (deployment.ts makes
 * them through `ScaleReplicaSet`):
 * - a rolling update (pkg/controller/deployment/rolling.go): the new ReplicaSet grows while all pods stay within
 *   replicas + maxSurge (reconcileNewReplicaSet, NewRSNewReplicas); old ReplicaSets shrink while the available pods
 *   stay at replicas - maxUnavailable or more, counting the new ReplicaSet's unavailable pods as lost
 *   (reconcileOldReplicaSets), their not-available pods first (cleanupUnhealthyReplicas), oldest ReplicaSet first;
 * - a scaling event or a paused Deployment (sync.go scale): one active ReplicaSet takes the new size; a saturated
 *   new one leaves the old ones at 0; otherwise a RollingUpdate Deployment spreads the change over the active
 *   ReplicaSets in proportion to their size (GetProportion), the leftover to the largest.
 */
import {
  activeReplicaSets,
  availableReplicaCount,
  byCreationTimestamp,
  bySizeNewer,
  bySizeOlder,
  type DefaultedSpec,
  findActiveOrLatest,
  isSaturated,
  maxSurge,
  maxUnavailable,
  newRSNewReplicas,
  proportion,
  type ReplicaSet,
  replicaCount,
  specReplicas,
} from './deployment-util.js';

/** scaleReplicaSet: writes the size (and the replicas annotations); whether the size changed, and the result. */
export type ScaleReplicaSet = (rs: ReplicaSet, newScale: number) => { scaled: boolean; rs: ReplicaSet };

/** scaleReplicaSetAndRecordEvent: nothing to do at the same size. */
export function scaleIfResized(
  scale: ScaleReplicaSet,
  rs: ReplicaSet,
  newScale: number,
): { scaled: boolean; rs: ReplicaSet } {
  return specReplicas(rs) === newScale ? { scaled: false, rs } : scale(rs, newScale);
}

/** reconcileNewReplicaSet: the new ReplicaSet down to the Deployment's replicas, or up as far as maxSurge allows. */
export function reconcileNewReplicaSet(
  spec: DefaultedSpec,
  allRSs: ReplicaSet[],
  newRS: ReplicaSet,
  scale: ScaleReplicaSet,
): boolean {
  if (specReplicas(newRS) === spec.replicas) return false;
  const target = specReplicas(newRS) > spec.replicas ? spec.replicas : newRSNewReplicas(spec, allRSs, newRS);
  return scaleIfResized(scale, newRS, target).scaled;
}

/**
 * reconcileOldReplicaSets: how far the old ReplicaSets may shrink is all pods - minAvailable - the new
 * ReplicaSet's unavailable pods; their unhealthy replicas go first, then available ones down to minAvailable.
 */
export function reconcileOldReplicaSets(
  spec: DefaultedSpec,
  allRSs: ReplicaSet[],
  oldRSs: ReplicaSet[],
  newRS: ReplicaSet,
  scale: ScaleReplicaSet,
): boolean {
  if (replicaCount(oldRSs) === 0) return false;
  const minAvailable = spec.replicas - maxUnavailable(spec);
  const newUnavailable = specReplicas(newRS) - (newRS.status?.availableReplicas ?? 0);
  const maxScaledDown = replicaCount(allRSs) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return false;
  const cleaned = cleanupUnhealthyReplicas(oldRSs, maxScaledDown, scale);
  const scaledDown = scaleDownOldReplicaSetsForRollingUpdate(
    spec,
    [...cleaned.oldRSs, newRS],
    cleaned.oldRSs,
    scale,
  );
  return cleaned.count + scaledDown > 0;
}

/** cleanupUnhealthyReplicas: up to `maxCleanup` replicas that are not available, oldest ReplicaSet first. */
export function cleanupUnhealthyReplicas(
  oldRSs: ReplicaSet[],
  maxCleanup: number,
  scale: ScaleReplicaSet,
): { oldRSs: ReplicaSet[]; count: number } {
  const sorted = [...oldRSs].sort(byCreationTimestamp);
  let total = 0;
  for (const [i, rs] of sorted.entries()) {
    if (total >= maxCleanup) break;
    const available = rs.status?.availableReplicas ?? 0;
    if (specReplicas(rs) === 0 || specReplicas(rs) === available) continue;
    const count = Math.min(maxCleanup - total, specReplicas(rs) - available);
    sorted[i] = scaleIfResized(scale, rs, specReplicas(rs) - count).rs;
    total += count;
  }
  return { oldRSs: sorted, count: total };
}

/** scaleDownOldReplicaSetsForRollingUpdate: available pods above minAvailable, taken from the oldest first. */
export function scaleDownOldReplicaSetsForRollingUpdate(
  spec: DefaultedSpec,
  allRSs: ReplicaSet[],
  oldRSs: ReplicaSet[],
  scale: ScaleReplicaSet,
): number {
  const minAvailable = spec.replicas - maxUnavailable(spec);
  const available = availableReplicaCount(allRSs);
  if (available <= minAvailable) return 0;
  const toScaleDown = available - minAvailable;
  let total = 0;
  for (const rs of [...oldRSs].sort(byCreationTimestamp)) {
    if (total >= toScaleDown) break;
    if (specReplicas(rs) === 0) continue;
    const count = Math.min(specReplicas(rs), toScaleDown - total);
    scaleIfResized(scale, rs, specReplicas(rs) - count);
    total += count;
  }
  return total;
}

/**
 * sync.go scale. `statusReplicas` is the Deployment's status.replicas, which getReplicaSetFraction falls back on for
 * a ReplicaSet without a usable max-replicas annotation.
 */
export function scaleReplicaSets(
  spec: DefaultedSpec,
  statusReplicas: number,
  newRS: ReplicaSet | undefined,
  oldRSs: ReplicaSet[],
  scale: ScaleReplicaSet,
): void {
  const activeOrLatest = findActiveOrLatest(newRS, oldRSs);
  if (activeOrLatest) {
    scaleIfResized(scale, activeOrLatest, spec.replicas);
    return;
  }
  if (isSaturated(spec, newRS)) {
    for (const old of activeReplicaSets(oldRSs)) scaleIfResized(scale, old, 0);
    return;
  }
  if (spec.strategy.type !== 'RollingUpdate') return;
  const active = activeReplicaSets([...oldRSs, newRS]);
  const allowed = spec.replicas > 0 ? spec.replicas + maxSurge(spec) : 0;
  const toAdd = allowed - replicaCount(active);
  if (toAdd > 0) active.sort(bySizeNewer);
  if (toAdd < 0) active.sort(bySizeOlder);
  const sizes = proportionalSizes(spec, statusReplicas, active, toAdd);
  for (const [i, rs] of active.entries()) scale(rs, sizes[i] ?? specReplicas(rs));
}

/** Each active ReplicaSet's new size: its proportion of `toAdd`; the leftover goes to the first (the largest). */
function proportionalSizes(
  spec: DefaultedSpec,
  statusReplicas: number,
  active: ReplicaSet[],
  toAdd: number,
): number[] {
  let added = 0;
  const sizes = active.map((rs) => {
    if (toAdd === 0) return specReplicas(rs);
    const share = proportion(rs, spec, statusReplicas, toAdd, added);
    added += share;
    return specReplicas(rs) + share;
  });
  if (toAdd !== 0 && sizes.length > 0) sizes[0] = Math.max(0, (sizes[0] ?? 0) + toAdd - added);
  return sizes;
}
