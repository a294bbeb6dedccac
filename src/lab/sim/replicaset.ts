/**
 * The ReplicaSet controller of Kubernetes v1.33 (pkg/controller/replicaset/replica_set.go, replica_set_utils.go,
 * with the pod helpers of pkg/controller/controller_utils.go), for the ReplicaSets the simulation's Deployments own.
 * A sync (syncReplicaSet, manageReplicas):
 * - counts the ReplicaSet's active pods (controlled by it, not Succeeded or Failed, not being deleted);
 * - creates the missing ones from the template (GetPodFromTemplate: the template's labels and annotations, a
 *   controller ownerReference with uid, generateName `<rs>-`, to which the API server adds 5 characters of
 *   "bcdfghjklmnpqrstvwxz2456789", names.SimpleNameGenerator), an event `SuccessfulCreate` "Created pod: <name>" each,
 *   in slow-start batches; a refused create is a Warning `FailedCreate` "Error creating: <error>" and ends the
 *   creates of this sync (pod-control.ts: RealPodControl, slowStartBatch);
 * - deletes the surplus, in the order of ActivePodsWithRanks: unscheduled before scheduled; Pending, Unknown, then
 *   Running; not Ready before Ready; lower controller.kubernetes.io/pod-deletion-cost first (PodDeletionCost, on by
 *   default); Ready for less time first and then created later first, both compared in powers of two of their age
 *   (LogarithmicScaleDown, on by default; ties broken by uid); more container restarts first. Each deletion is an
 *   event `SuccessfulDelete` "Deleted pod: <name>". The simulation has no scheduler and one node, so the rank of
 *   pods doubled up on a node is the same for all;
 * - writes status.replicas (the active pods counted before creating or deleting, as upstream does),
 *   fullyLabeledReplicas, readyReplicas, availableReplicas (Ready for more than minReadySeconds,
 *   podutil.IsPodAvailable) and observedGeneration, only when one of them changed (updateReplicaSetStatus); zero
 *   counts are left out as the API serializes them (omitempty), status.replicas always shown;
 * - the ReplicaFailure condition (replica_set_utils.go calculateStatus): when creating or deleting failed and the
 *   ReplicaSet has none, status True, reason FailedCreate (too few pods) or FailedDelete (too many), the error's
 *   message, lastTransitionTime now (NewReplicaSetCondition); a sync that fails again leaves it as it is, and the
 *   first sync without an error removes it. It is compared with the other fields before a write;
 * - a failed sync (manageReplicas' error) is queued again rate-limited (replica_set.go processNextWorkItem:
 *   AddRateLimited, workqueue.ts), a good one forgotten, so the pods come once the cause is gone (the missing
 *   ServiceAccount made, say) with no other change needed; the minReadySeconds resync is only for a sync without
 *   error;
 * - with minReadySeconds, syncs again minReadySeconds later while Ready pods wait to count as available (and
 *   minReadySeconds + 1 s after a pod turned Ready; the work queue keeps the earlier of the two).
 * A pod is deleted as the controller's pod control does it: gracefully (pod-deletion.ts deletePodAsController), so it
 * stays Terminating, no longer counted, until its kubelet has stopped it. Where no garbage collector runs, its part
 * is played here: a deleted ReplicaSet takes its pods with it (background propagation, workqueue.ts).
 * Source: replica_set_utils.go read at a v1.33/v1.34-era copy (terminatingReplicas, alpha and off in v1.33, left out).
 */
import { isDeepStrictEqual } from 'node:util';
import type { Clock } from '../clock.js';
import type { SimCluster } from './api.js';
import { compareStrings } from './compare.js';
import {
  type PodTemplate,
  type ReplicaSet,
  type ReplicaSetCondition,
  type ReplicaSetStatus,
  safeAlphabet,
  specReplicas,
} from './deployment-util.js';
import { type EventRecorder, eventRecorder } from './events.js';
import { podReady } from './kubelet.js';
import { createPodFromTemplate, slowStartBatch } from './pod-control.js';
import { deletePodAsController } from './pod-deletion.js';
import { type LabelSelector, matchesLabelSet } from './selectors.js';
import { type KubeObject, kubeTime, type StoredEvent, type StoreError } from './store.js';
import { collectDependents, controllerUid, type SyncResult, WorkQueue } from './workqueue.js';

export interface ReplicaSetControllerOptions {
  clock: Clock;
  /** The ReplicaSets this controller runs. */
  manages: (rs: ReplicaSet) => boolean;
  /** Randomness for generated pod names (default Math.random). */
  random?: () => number;
}

/** names.SimpleNameGenerator: the base cut to 58 characters, then 5 random characters of the safe alphabet. */
export function generateName(base: string, random: () => number = Math.random): string {
  const suffix = Array.from({ length: 5 }, () => safeAlphabet[Math.floor(random() * safeAlphabet.length)]);
  return `${base.slice(0, 58)}${suffix.join('')}`;
}

/** metav1.NewControllerRef. */
export function controllerRef(
  owner: KubeObject,
): NonNullable<NonNullable<KubeObject['metadata']>['ownerReferences']>[number] {
  return {
    apiVersion: owner.apiVersion ?? '',
    kind: owner.kind ?? '',
    name: owner.metadata?.name ?? '',
    uid: owner.metadata?.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/**
 * The ReplicaSet a workload controller makes for one pod template, as the Deployment controller (sync.go
 * getNewReplicaSet) and Argo Rollouts (rollout/sync.go, which follows it) do: named `<owner>-<hash>`, the hash under
 * `hashLabel` added to the template's labels (the ReplicaSet's own labels too) and to the owner's selector, the
 * owner its controller, minReadySeconds copied when set.
 */
export function replicaSetFor(options: {
  owner: KubeObject;
  namespace: string;
  hashLabel: string;
  hash: string;
  template: PodTemplate;
  selector?: LabelSelector;
  minReadySeconds?: number;
  replicas: number;
  annotations?: Record<string, string>;
  /** Extra labels on the pod template only. */
  podLabels?: Record<string, string>;
}): ReplicaSet {
  const { owner, hashLabel, hash, template, selector, minReadySeconds } = options;
  const labels = { ...template.metadata?.labels, [hashLabel]: hash };
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${owner.metadata?.name}-${hash}`,
      namespace: options.namespace,
      labels,
      ...(options.annotations ? { annotations: options.annotations } : {}),
      ownerReferences: [controllerRef(owner)],
    },
    spec: {
      replicas: options.replicas,
      ...(minReadySeconds ? { minReadySeconds } : {}),
      selector: { ...selector, matchLabels: { ...selector?.matchLabels, [hashLabel]: hash } },
      template: {
        ...template,
        metadata: { ...template.metadata, labels: { ...labels, ...options.podLabels } },
        spec: structuredClone(template.spec ?? {}),
      },
    },
  };
}

interface PodStatusView {
  phase?: string;
  conditions?: Array<{ type: string; status: string; lastTransitionTime?: string }>;
  containerStatuses?: Array<{ restartCount?: number }>;
}
const statusOf = (pod: KubeObject) => (pod.status ?? {}) as PodStatusView;

/** controller.IsPodActive. */
export const podActive = (pod: KubeObject) =>
  !['Succeeded', 'Failed'].includes(statusOf(pod).phase ?? '') && !pod.metadata?.deletionTimestamp;

const readySince = (pod: KubeObject) =>
  Date.parse(
    statusOf(pod).conditions?.find((c) => c.type === 'Ready' && c.status === 'True')?.lastTransitionTime ??
      '',
  );

/** podutil.IsPodAvailable: Ready, for more than minReadySeconds. */
export function podAvailable(pod: KubeObject, minReadySeconds: number, now: number): boolean {
  if (!podReady(pod)) return false;
  if (minReadySeconds === 0) return true;
  const since = readySince(pod);
  return Number.isFinite(since) && since + minReadySeconds * 1000 < now;
}

const phaseOrdinal: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };
const deletionCost = (pod: KubeObject) => {
  const text = pod.metadata?.annotations?.['controller.kubernetes.io/pod-deletion-cost'] ?? '';
  return /^[+-]?\d+$/.test(text) ? Number(text) : 0;
};
const maxRestarts = (pod: KubeObject) =>
  Math.max(0, ...(statusOf(pod).containerStatuses ?? []).map((c) => c.restartCount ?? 0));
const createdAt = (pod: KubeObject) => Date.parse(pod.metadata?.creationTimestamp ?? '');

/** logarithmicRankDiff: the difference of the floor of log2 of the two ages in nanoseconds (-1 for no age). */
function logarithmicRankDiff(t1: number, t2: number, now: number): number {
  const rank = (t: number) => (now - t > 0 ? Math.floor(Math.log2((now - t) * 1e6)) : -1);
  return rank(t1) - rank(t2);
}

/** Earlier in the order: the younger of two times (a missing time counts as the youngest), by log2 buckets. */
function youngerFirst(a: KubeObject, b: KubeObject, t1: number, t2: number, now: number): number {
  if (!Number.isFinite(t1) || !Number.isFinite(t2)) return Number.isFinite(t1) ? 1 : -1;
  const diff = logarithmicRankDiff(t1, t2, now);
  if (diff !== 0) return diff;
  return compareStrings(a.metadata?.uid ?? '', b.metadata?.uid ?? '');
}

/** controller.ActivePodsWithRanks' Less as a comparator: the pod to delete first sorts first. */
export function deletionOrder(now: number): (a: KubeObject, b: KubeObject) => number {
  return (a, b) => {
    const nodeA = (a.spec as { nodeName?: string } | undefined)?.nodeName ?? '';
    const nodeB = (b.spec as { nodeName?: string } | undefined)?.nodeName ?? '';
    if (nodeA !== nodeB && (nodeA === '' || nodeB === '')) return nodeA === '' ? -1 : 1;
    const phase = (p: KubeObject) => phaseOrdinal[statusOf(p).phase ?? ''] ?? 0;
    if (phase(a) !== phase(b)) return phase(a) - phase(b);
    if (podReady(a) !== podReady(b)) return podReady(a) ? 1 : -1;
    if (deletionCost(a) !== deletionCost(b)) return deletionCost(a) - deletionCost(b);
    if (podReady(a) && podReady(b) && readySince(a) !== readySince(b))
      return youngerFirst(a, b, readySince(a), readySince(b), now);
    if (maxRestarts(a) !== maxRestarts(b)) return maxRestarts(b) - maxRestarts(a);
    if (createdAt(a) !== createdAt(b)) return youngerFirst(a, b, createdAt(a), createdAt(b), now);
    return 0;
  };
}

/** getPodsToDelete: the first `count` pods in deletion order (all of them without sorting when that is all). */
export function podsToDelete(pods: KubeObject[], count: number, now: number): KubeObject[] {
  return count < pods.length ? [...pods].sort(deletionOrder(now)).slice(0, count) : pods.slice(0, count);
}

/** calculateStatus: the counts over the active pods, zero counts left out (omitempty) but replicas. */
export function replicaSetStatus(rs: ReplicaSet, pods: KubeObject[], now: number): ReplicaSetStatus {
  const templateLabels = rs.spec?.template?.metadata?.labels ?? {};
  const minReadySeconds = rs.spec?.minReadySeconds ?? 0;
  const counts = {
    fullyLabeledReplicas: pods.filter((p) => matchesLabelSet(templateLabels, p.metadata?.labels)).length,
    readyReplicas: pods.filter(podReady).length,
    availableReplicas: pods.filter((p) => podAvailable(p, minReadySeconds, now)).length,
  };
  const nonZero = Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));
  return { replicas: pods.length, ...nonZero };
}

/**
 * calculateStatus's ReplicaFailure: added when manageReplicas failed and there is none (FailedCreate with too few
 * pods, FailedDelete with too many), kept while it fails, removed once it does not. Returns the new list.
 */
export function replicaFailureConditions(
  rs: ReplicaSet,
  activePods: number,
  error: Error | undefined,
  now: number,
): ReplicaSetCondition[] | undefined {
  const conditions = rs.status?.conditions;
  const failure = conditions?.find((c) => c.type === 'ReplicaFailure');
  if (error && !failure) {
    const diff = activePods - specReplicas(rs);
    const reason = diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : '';
    const condition: ReplicaSetCondition = {
      type: 'ReplicaFailure',
      status: 'True',
      lastTransitionTime: kubeTime(now),
      reason,
      message: error.message,
    };
    return [...(conditions ?? []), condition];
  }
  if (!error && failure) {
    const kept = (conditions ?? []).filter((c) => c !== failure);
    return kept.length > 0 ? kept : undefined;
  }
  return conditions;
}

const burstReplicas = 500;

export class ReplicaSetController {
  private readonly events: EventRecorder;
  private readonly queue: WorkQueue;
  private readonly readyPods = new Set<string>();

  constructor(
    private readonly cluster: SimCluster,
    private readonly options: ReplicaSetControllerOptions,
  ) {
    this.events = eventRecorder(cluster, options.clock, 'replicaset-controller');
    this.queue = new WorkQueue(cluster, options.clock, (ns, name) => this.sync(ns, name));
  }

  /** Starts watching; returns a function that stops it. */
  start(): () => void {
    const stop = this.cluster.onChange((event) => this.observe(event));
    for (const rs of this.cluster.list('apps/v1', 'ReplicaSet'))
      if (this.options.manages(rs)) this.queue.add(rs);
    return () => {
      stop();
      this.queue.stop();
    };
  }

  private observe(event: StoredEvent): void {
    const { kind } = event.resource;
    if (kind === 'ReplicaSet' && event.type === 'DELETED')
      collectDependents(this.cluster, event.object, 'v1', 'Pod');
    else if (kind === 'ReplicaSet' && this.options.manages(event.object)) this.queue.add(event.object);
    else if (kind === 'Pod') this.podChanged(event);
  }

  /** A pod of a ReplicaSet changed: sync it; a pod that turned Ready counts as available minReadySeconds later. */
  private podChanged(event: StoredEvent): void {
    const uid = controllerUid(event.object);
    if (!uid) return;
    const rs = this.cluster
      .list('apps/v1', 'ReplicaSet', event.object.metadata?.namespace)
      .find((r) => r.metadata?.uid === uid) as ReplicaSet | undefined;
    if (!rs || !this.options.manages(rs)) return;
    this.queue.add(rs);
    const key = `${event.object.metadata?.namespace}/${event.object.metadata?.name}`;
    const ready = event.type !== 'DELETED' && podReady(event.object);
    const minReadySeconds = rs.spec?.minReadySeconds ?? 0;
    if (ready && !this.readyPods.has(key) && minReadySeconds > 0)
      this.queue.addAfter(rs, minReadySeconds * 1000 + 1000);
    if (ready) this.readyPods.add(key);
    else this.readyPods.delete(key);
  }

  /** syncReplicaSet: manageReplicas' error, which queues the ReplicaSet again rate-limited. */
  private sync(ns: string, name: string): SyncResult {
    const rs = this.cluster.get('apps/v1', 'ReplicaSet', name, ns) as ReplicaSet | undefined;
    if (!rs || !this.options.manages(rs)) return;
    const pods = this.cluster
      .list('v1', 'Pod', ns)
      .filter((p) => controllerUid(p) === rs.metadata?.uid && podActive(p));
    // A ReplicaSet being deleted makes or removes no pod (replica_set.go syncReplicaSet: DeletionTimestamp == nil).
    const error = rs.metadata?.deletionTimestamp ? undefined : this.manageReplicas(rs, pods);
    this.updateStatus(rs, pods, error);
    return error;
  }

  /** manageReplicas: create or delete the difference (at most burstReplicas a sync); the first refusal. */
  private manageReplicas(rs: ReplicaSet, pods: KubeObject[]): StoreError | undefined {
    const diff = pods.length - specReplicas(rs);
    if (diff < 0) return slowStartBatch(Math.min(-diff, burstReplicas), () => this.createPod(rs)).error;
    if (diff > 0) {
      const now = this.options.clock.now();
      for (const pod of podsToDelete(pods, Math.min(diff, burstReplicas), now)) this.deletePod(rs, pod);
    }
    return undefined;
  }

  private createPod(rs: ReplicaSet): StoreError | undefined {
    const template = rs.spec?.template ?? {};
    const annotations = template.metadata?.annotations;
    return createPodFromTemplate(
      this.cluster,
      this.events,
      rs,
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          generateName: `${rs.metadata?.name}-`,
          labels: { ...template.metadata?.labels },
          ...(annotations ? { annotations: { ...annotations } } : {}),
          ownerReferences: [controllerRef(rs)],
        },
        spec: structuredClone(template.spec ?? {}),
      },
      this.options.random,
    );
  }

  /** podControl.DeletePod: a graceful DELETE (pod-deletion.ts); the event only when the API server accepted it. */
  private deletePod(rs: ReplicaSet, pod: KubeObject): void {
    const name = pod.metadata?.name ?? '';
    const ns = rs.metadata?.namespace ?? 'default';
    if (deletePodAsController(this.cluster.store, ns, name, this.options.clock.now()))
      this.events.record(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
  }

  /** updateReplicaSetStatus, and the minReadySeconds resync. */
  private updateStatus(rs: ReplicaSet, pods: KubeObject[], error: Error | undefined): void {
    const now = this.options.clock.now();
    const conditions = replicaFailureConditions(rs, pods.length, error, now);
    const status: ReplicaSetStatus = {
      ...replicaSetStatus(rs, pods, now),
      observedGeneration: rs.metadata?.generation,
      ...(conditions ? { conditions } : {}),
    };
    const { observedGeneration: _was, ...before } = rs.status ?? {};
    const { observedGeneration: _now, ...after } = status;
    const unchanged = isDeepStrictEqual(before, after) && _was === rs.metadata?.generation;
    if (!unchanged)
      this.cluster.update('apps/v1', 'ReplicaSet', rs.metadata?.name ?? '', rs.metadata?.namespace, (o) => {
        o.status = status;
      });
    const minReadySeconds = rs.spec?.minReadySeconds ?? 0;
    const waiting =
      (status.readyReplicas ?? 0) === specReplicas(rs) &&
      (status.availableReplicas ?? 0) !== specReplicas(rs);
    // Availability needs readiness strictly longer than minReadySeconds; the model's times fall on whole seconds
    // where a real controller's clock is past them by a fraction, so the resync comes 1 ms after the mark.
    if (minReadySeconds > 0 && waiting && !error) this.queue.addAfter(rs, minReadySeconds * 1000 + 1);
  }
}
