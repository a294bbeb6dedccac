/**
 * The scheduler's VolumeBinding plugin for the one node of the lab (pkg/scheduler/framework/plugins/volumebinding:
 * volume_binding.go PreFilter/Filter/PreBind, binder.go FindPodVolumes/BindPodVolumes; read in an untagged copy of
 * the v1.3x line). Before a pod that uses PersistentVolumeClaims is bound to the node:
 * - a claim that does not exist, or is being deleted, makes the pod unschedulable: `persistentvolumeclaim "x" not
 *   found` / `persistentvolumeclaim "x" is being deleted` (PreFilter, UnschedulableAndUnresolvable);
 * - a claim bound to a volume that does not exist: `pvc(s) bound to non-existent pv(s)`;
 * - an unbound claim whose class binds Immediate (or that has no class): `pod has unbound immediate
 *   PersistentVolumeClaims` (PreFilter);
 * - an unbound claim whose class binds WaitForFirstConsumer is provisioned for this node: PreBind writes the
 *   annotation volume.kubernetes.io/selected-node on the claim (the PersistentVolume controller and the provisioner
 *   take it from there, persistent-volumes.ts) and then checks every second until the claim is bound
 *   (BindPodVolumes' poll; its 10-minute bind timeout is not modelled); only then is the pod bound and `Scheduled`.
 * The pod's other volumes, ephemeral volumes' claims, static volumes' node affinity and CSI limits are not read.
 * An unschedulable pod gets the scheduler's FailedScheduling event and PodScheduled False/Unschedulable with the
 * message of a one-node cluster's FitError (schedule_one.go): `0/1 nodes are available: <reason>. preemption: 0/1
 * nodes are available: 1 Preemption is not helpful for scheduling.`; the kubelet model (kubelet.ts) tries again
 * when a claim, volume or class changes, after the scheduler's back-off.
 */
import type { SimCluster } from './api.js';
import { type ClaimSpec, SELECTED_NODE } from './persistent-volumes.js';
import { storageClassOf } from './storage-classes.js';
import type { KubeObject } from './store.js';

export type VolumeBinding =
  | { state: 'ready' }
  | { state: 'unschedulable'; reason: string }
  | { state: 'waiting'; claims: string[] };

interface PodVolumes {
  volumes?: Array<{ persistentVolumeClaim?: { claimName?: string } }>;
}

/** The claims a pod's volumes name, in order, each once. */
export function podClaims(pod: KubeObject): string[] {
  const names = ((pod.spec ?? {}) as PodVolumes).volumes
    ?.map((v) => v.persistentVolumeClaim?.claimName)
    .filter((n): n is string => Boolean(n));
  return [...new Set(names ?? [])];
}

/** FitError's message on a one-node cluster when a PreFilter plugin rejects the pod. */
export function unschedulableMessage(reason: string): string {
  return `0/1 nodes are available: ${reason}. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.`;
}

/**
 * Where the pod's claims stand for `node`. Writes the selected-node annotation on the WaitForFirstConsumer claims
 * that lack it (PreBind's claim update), so it is to be called when the scheduler would bind the pod.
 */
export function bindPodVolumes(cluster: SimCluster, pod: KubeObject, node: string): VolumeBinding {
  const ns = pod.metadata?.namespace ?? 'default';
  const unbound: KubeObject[] = [];
  for (const name of podClaims(pod)) {
    const claim = cluster.get('v1', 'PersistentVolumeClaim', name, ns);
    if (!claim) return { state: 'unschedulable', reason: `persistentvolumeclaim "${name}" not found` };
    if (claim.metadata?.deletionTimestamp)
      return { state: 'unschedulable', reason: `persistentvolumeclaim "${name}" is being deleted` };
    const spec = (claim.spec ?? {}) as ClaimSpec;
    if (spec.volumeName) {
      if (!cluster.get('v1', 'PersistentVolume', spec.volumeName))
        return { state: 'unschedulable', reason: 'pvc(s) bound to non-existent pv(s)' };
      continue;
    }
    if (storageClassOf(cluster, spec.storageClassName)?.volumeBindingMode !== 'WaitForFirstConsumer')
      return { state: 'unschedulable', reason: 'pod has unbound immediate PersistentVolumeClaims' };
    unbound.push(claim);
  }
  if (unbound.length === 0) return { state: 'ready' };
  for (const claim of unbound)
    if (claim.metadata?.annotations?.[SELECTED_NODE] !== node)
      cluster.update('v1', 'PersistentVolumeClaim', claim.metadata?.name ?? '', ns, (c) => {
        if (c.metadata) c.metadata.annotations = { ...c.metadata.annotations, [SELECTED_NODE]: node };
      });
  return { state: 'waiting', claims: unbound.map((c) => c.metadata?.name ?? '') };
}
