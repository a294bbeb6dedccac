/**
 * The StatefulSet controller of Kubernetes v1.33 (pkg/controller/statefulset), for the StatefulSets the simulation
 * runs pods for (the lab's Argo CD application controller). A sync (stateful_set_control.go UpdateStatefulSet,
 * performUpdate, updateStatefulSet), the spec read with the apps/v1 defaults (replicas 1, podManagementPolicy
 * OrderedReady, updateStrategy RollingUpdate with partition 0, revisionHistoryLimit 10, minReadySeconds 0):
 * - takes the pods it controls whose name is `<set>-<ordinal>` (stateful_set.go getPodsForStatefulSet with
 *   isMemberOf; adoption of orphans is not modelled);
 * - the revision (getStatefulSetRevisions, newRevision, history.NewControllerRevision): `<set>-<hash>`, the hash
 *   FNV-1 32 of the patch that restores the pod template ({"spec":{"template":{..., "$patch":"replace"}}}) followed
 *   by the decimal collisionCount, SafeEncodeString'd (history.HashControllerRevision). The patch is hashed as
 *   the sim's canonical JSON, not as Go encodes the defaulted object, so the hash has the form of a real one but
 *   not its value. The revisions are kept in the controller's memory: no ControllerRevision object is written
 *   (the simulated API server does not serve them), so no name collides and collisionCount stays 0;
 * - the pods of ordinals [0, replicas) are processed in order (processReplica): a Failed or Succeeded pod is
 *   deleted; a missing one is created (newVersionedStatefulSetPod: the template's labels and annotations, a
 *   controller ownerReference, the labels controller-revision-hash (the revision's name),
 *   statefulset.kubernetes.io/pod-name and apps.kubernetes.io/pod-index (PodIndexLabel, GA in v1.32),
 *   spec.hostname and spec.subdomain = serviceName (stateful_set_utils.go initIdentity, updateIdentity,
 *   setPodRevision), with an event Normal `SuccessfulCreate` "create Pod <pod> in StatefulSet <set> successful"
 *   (stateful_pod_control.go recordPodEvent)); under OrderedReady the sync ends after a creation and at the first pod
 *   that is terminating, not Running and Ready, or not available (Ready for minReadySeconds), so pods come one at a
 *   time; under Parallel all are created at once. A refused create is a Warning `FailedCreate` "create Pod <pod> in
 *   StatefulSet <set> failed error: <error>" (recordPodEvent) and ends the sync under either policy (processReplica's
 *   error; the sim stops at the first refusal where upstream's Parallel slow start tries the rest of its batch): the status is still written (performUpdate), and the set is queued
 *   again rate-limited (stateful_set.go processNextWorkItem: AddRateLimited; workqueue.ts);
 * - then the condemned pods (ordinal >= replicas), highest ordinal first (processCondemned): under OrderedReady one
 *   deletion a sync, and none while a lower pod is unhealthy, unless the condemned pod is itself the first
 *   unavailable one; each deletion is an event Normal `SuccessfulDelete` "delete Pod <pod> in StatefulSet <set>
 *   successful";
 * - a RollingUpdate deletes the highest-ordinal pod (at or above the partition) whose revision is not the update
 *   revision, one at a time, waiting while that pod is unavailable; it is created again at the new revision.
 *   OnDelete leaves pods alone. The MaxUnavailableStatefulSet gate (alpha, off in v1.33) is not modelled;
 * - status (updateStatus, computeReplicaStatus, completeRollingUpdate, inconsistentStatus): replicas (created pods),
 *   readyReplicas (Running and Ready), availableReplicas, currentReplicas and updatedReplicas (not terminating,
 *   at the current / update revision), currentRevision, updateRevision, collisionCount, observedGeneration; once all
 *   replicas are updated and Ready the current revision becomes the update revision. Written only when one of the
 *   compared fields changed; readyReplicas, currentReplicas and updatedReplicas are left out at 0 (omitempty),
 *   replicas and availableReplicas always shown;
 * - with minReadySeconds, syncs again minReadySeconds later while pods wait to count as available (stateful_set.go
 *   sync).
 * isUnavailable (a pod not Running-and-available, or terminating) is not in the stateful_set_utils.go copy read; it
 * is taken as its name and uses in stateful_set_control.go say. A pod a client deletes is Terminating for its grace
 * period (pod-deletion.ts) and is replaced only once it is gone, and so is one the controller deletes itself
 * (stateful_pod_control.go DeleteStatefulPod: a DELETE with empty options). PersistentVolumeClaims of volumeClaimTemplates are named
 * in the pod's volumes but not created, and the garbage collector's part is played here: a deleted StatefulSet takes
 * its pods with it.
 * Sources (kubernetes/kubernetes, copies of the development line, not tagged v1.33; the tool that served them names
 * no tag): stateful_set_control.go at commit 0004b149 (carries the MaxUnavailableStatefulSet gate and minReadySeconds
 * checks of v1.3x), stateful_set_utils.go at a v1.2x/v1.3x-era copy (PodIndexLabel gate, initIdentity),
 * stateful_pod_control.go recordPodEvent and stateful_set.go's recorder component `statefulset-controller`.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Clock } from '../clock.js';
import type { SimCluster } from './api.js';
import { canonicalJson, fnv32, type PodTemplate, safeEncodeString } from './deployment-util.js';
import { type EventRecorder, eventRecorder } from './events.js';
import { podReady } from './kubelet.js';
import { tryCreate } from './pod-control.js';
import { deletePodAsController } from './pod-deletion.js';
import { controllerRef, podAvailable } from './replicaset.js';
import type { KubeObject, StoredEvent, StoreError } from './store.js';
import { collectDependents, controllerUid, type SyncResult, WorkQueue } from './workqueue.js';

export const revisionLabel = 'controller-revision-hash';
export const podNameLabel = 'statefulset.kubernetes.io/pod-name';
export const podIndexLabel = 'apps.kubernetes.io/pod-index';

export interface StatefulSetSpec {
  replicas?: number;
  serviceName?: string;
  podManagementPolicy?: 'OrderedReady' | 'Parallel';
  updateStrategy?: { type?: 'RollingUpdate' | 'OnDelete'; rollingUpdate?: { partition?: number } };
  minReadySeconds?: number;
  template?: PodTemplate;
  volumeClaimTemplates?: Array<{ metadata?: { name?: string } }>;
}

export interface StatefulSetStatus {
  observedGeneration?: number;
  replicas: number;
  readyReplicas?: number;
  currentReplicas?: number;
  updatedReplicas?: number;
  currentRevision?: string;
  updateRevision?: string;
  collisionCount?: number;
  availableReplicas: number;
}

type StatefulSet = KubeObject & { spec?: StatefulSetSpec; status?: StatefulSetStatus };

/** getParentNameAndOrdinal: `<parent>-<ordinal>`; ordinal -1 for a name without one (or beyond int32). */
export function parentAndOrdinal(name: string): { parent: string; ordinal: number } {
  const match = /^(.*)-([0-9]+)$/.exec(name);
  if (!match) return { parent: '', ordinal: -1 };
  const ordinal = Number(match[2]);
  return { parent: match[1] ?? '', ordinal: ordinal <= 2 ** 31 - 1 ? ordinal : -1 };
}

const ordinalOf = (pod: KubeObject) => parentAndOrdinal(pod.metadata?.name ?? '').ordinal;

/**
 * history.HashControllerRevision of the revision a StatefulSet or DaemonSet keeps for `template` (getPatch's
 * {"spec":{"template":{..., "$patch":"replace"}}}, then the collision count), SafeEncodeString'd.
 */
export function controllerRevisionHash(template: PodTemplate | undefined, collisionCount = 0): string {
  const patch = canonicalJson({ spec: { template: { ...template, $patch: 'replace' } } });
  return safeEncodeString(String(fnv32(new TextEncoder().encode(`${patch}${collisionCount}`))));
}

/** The revision's name for the set's template: ControllerRevisionName(set, HashControllerRevision). */
export function revisionName(name: string, template: PodTemplate | undefined, collisionCount = 0): string {
  return `${name.slice(0, 223)}-${controllerRevisionHash(template, collisionCount)}`;
}

/** The apps/v1 defaults the API server gives a StatefulSet's spec. */
function withDefaults(spec: StatefulSetSpec = {}) {
  return {
    replicas: spec.replicas ?? 1,
    serviceName: spec.serviceName ?? '',
    monotonic: spec.podManagementPolicy !== 'Parallel',
    onDelete: spec.updateStrategy?.type === 'OnDelete',
    partition: spec.updateStrategy?.rollingUpdate?.partition ?? 0,
    minReadySeconds: spec.minReadySeconds ?? 0,
  };
}

/** newStatefulSetPod with setPodRevision: the pod of `ordinal` at `revision` (template), not yet created. */
export function statefulSetPod(set: StatefulSet, ordinal: number, revision: string, template: PodTemplate) {
  const name = `${set.metadata?.name}-${ordinal}`;
  const spec = structuredClone(template.spec ?? {}) as Record<string, unknown>;
  const claims = (set.spec?.volumeClaimTemplates ?? []).map((c) => c.metadata?.name ?? '');
  const volumes = ((spec.volumes as Array<{ name: string }> | undefined) ?? []).filter(
    (v) => !claims.includes(v.name),
  );
  // updateStorage: one volume per claim template, on the claim `<template>-<set>-<ordinal>`.
  const claimVolumes = claims.map((c) => ({
    name: c,
    persistentVolumeClaim: { claimName: `${c}-${set.metadata?.name}-${ordinal}` },
  }));
  if (claims.length || spec.volumes) spec.volumes = [...claimVolumes, ...volumes];
  const serviceName = set.spec?.serviceName;
  const annotations = template.metadata?.annotations;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: set.metadata?.namespace,
      labels: {
        ...template.metadata?.labels,
        [podNameLabel]: name,
        [podIndexLabel]: String(ordinal),
        [revisionLabel]: revision,
      },
      ...(annotations ? { annotations: { ...annotations } } : {}),
      ownerReferences: [controllerRef(set)],
    },
    spec: { ...spec, hostname: name, ...(serviceName ? { subdomain: serviceName } : {}) },
  } satisfies KubeObject;
}

const phaseOf = (pod: KubeObject) => (pod.status as { phase?: string } | undefined)?.phase ?? '';
const isCreated = (pod: KubeObject) => phaseOf(pod) !== '';
const isTerminating = (pod: KubeObject) => Boolean(pod.metadata?.deletionTimestamp);
const isRunningAndReady = (pod: KubeObject) => phaseOf(pod) === 'Running' && podReady(pod);
const revisionOf = (pod: KubeObject) => pod.metadata?.labels?.[revisionLabel] ?? '';

/** computeReplicaStatus over the pods, zero counts left out but replicas and availableReplicas. */
export function replicaCounts(
  pods: KubeObject[],
  minReadySeconds: number,
  current: string,
  update: string,
  now: number,
): Pick<
  StatefulSetStatus,
  'replicas' | 'readyReplicas' | 'availableReplicas' | 'currentReplicas' | 'updatedReplicas'
> {
  const live = pods.filter((p) => isCreated(p) && !isTerminating(p));
  const ready = pods.filter(isRunningAndReady);
  const counts = {
    readyReplicas: ready.length,
    currentReplicas: live.filter((p) => revisionOf(p) === current).length,
    updatedReplicas: live.filter((p) => revisionOf(p) === update).length,
  };
  return {
    replicas: pods.filter(isCreated).length,
    ...Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0)),
    availableReplicas: ready.filter((p) => podAvailable(p, minReadySeconds, now)).length,
  };
}

interface Revision {
  name: string;
  revision: number;
  template: PodTemplate;
}

export interface StatefulSetControllerOptions {
  clock: Clock;
  /** The StatefulSets this controller runs (default: all). */
  manages?: (set: KubeObject) => boolean;
}

export class StatefulSetController {
  private readonly events: EventRecorder;
  private readonly queue: WorkQueue;
  /** Each set's revision history, oldest first (what its ControllerRevisions would hold). */
  private readonly history = new Map<string, Revision[]>();

  constructor(
    private readonly cluster: SimCluster,
    private readonly options: StatefulSetControllerOptions,
  ) {
    this.events = eventRecorder(cluster, options.clock, 'statefulset-controller');
    this.queue = new WorkQueue(cluster, options.clock, (ns, name) => this.sync(ns, name));
  }

  private manages(set: KubeObject): boolean {
    return this.options.manages?.(set) ?? true;
  }

  /** Starts watching; returns a function that stops it. */
  start(): () => void {
    const stop = this.cluster.onChange((event) => this.observe(event));
    for (const set of this.cluster.list('apps/v1', 'StatefulSet')) if (this.manages(set)) this.queue.add(set);
    return () => {
      stop();
      this.queue.stop();
    };
  }

  private observe(event: StoredEvent): void {
    const { kind } = event.resource;
    if (kind === 'StatefulSet' && event.type === 'DELETED') {
      this.history.delete(event.object.metadata?.uid ?? '');
      collectDependents(this.cluster, event.object, 'v1', 'Pod');
    } else if (kind === 'StatefulSet' && this.manages(event.object)) this.queue.add(event.object);
    else if (kind === 'Pod') {
      const uid = controllerUid(event.object);
      const set = this.cluster
        .list('apps/v1', 'StatefulSet', event.object.metadata?.namespace)
        .find((s) => uid !== undefined && s.metadata?.uid === uid);
      if (set && this.manages(set)) this.queue.add(set);
    }
  }

  /** getPodsForStatefulSet: the pods it controls that are members of it by name (isMemberOf). */
  private podsOf(set: StatefulSet): KubeObject[] {
    const name = set.metadata?.name ?? '';
    return this.cluster
      .list('v1', 'Pod', set.metadata?.namespace)
      .filter(
        (p) =>
          controllerUid(p) === set.metadata?.uid && parentAndOrdinal(p.metadata?.name ?? '').parent === name,
      );
  }

  /** getStatefulSetRevisions: the update revision (a new one, or an equal one moved to the top) and the current. */
  private revisions(set: StatefulSet): { current: Revision; update: Revision } {
    const uid = set.metadata?.uid ?? '';
    const history = this.history.get(uid) ?? [];
    const template = structuredClone(set.spec?.template ?? {});
    const name = revisionName(set.metadata?.name ?? '', template, set.status?.collisionCount ?? 0);
    const next = (history.at(-1)?.revision ?? 0) + 1;
    let update = history.find((r) => r.name === name);
    if (!update) {
      update = { name, revision: next, template };
      history.push(update);
    } else if (update !== history.at(-1)) {
      // A rollback: the equal revision is renumbered to the top (UpdateControllerRevision).
      history.splice(history.indexOf(update), 1);
      history.push({ ...update, revision: next });
      update = history.at(-1) as Revision;
    }
    this.history.set(uid, history);
    const current = history.find((r) => r.name === set.status?.currentRevision) ?? update;
    return { current, update };
  }

  /** updateStatefulSet and updateStatefulSetStatus for one set: a refused create, which queues it again rate-limited. */
  private sync(ns: string, name: string): SyncResult {
    const set = this.cluster.get('apps/v1', 'StatefulSet', name, ns) as StatefulSet | undefined;
    if (!set || !this.manages(set)) return;
    const spec = withDefaults(set.spec);
    const now = this.options.clock.now();
    const { current, update } = this.revisions(set);
    const pods = this.podsOf(set);
    const replicas: KubeObject[] = [];
    const condemned: KubeObject[] = [];
    for (const pod of pods) {
      const ordinal = ordinalOf(pod);
      if (ordinal >= 0 && ordinal < spec.replicas) replicas[ordinal] = pod;
      else if (ordinal >= 0) condemned.push(pod);
    }
    for (let ordinal = 0; ordinal < spec.replicas; ordinal++) {
      // newVersionedStatefulSetPod: below the partition at the current revision, else at the update revision.
      const atCurrent = ordinal < spec.partition && !spec.onDelete;
      const revision = atCurrent ? current : update;
      replicas[ordinal] ??= statefulSetPod(set, ordinal, revision.name, revision.template);
    }
    condemned.sort((a, b) => ordinalOf(b) - ordinalOf(a));
    const unavailable = (p: KubeObject) => !podAvailable(p, spec.minReadySeconds, now) || isTerminating(p);
    const firstUnavailable = [...replicas, ...[...condemned].reverse()].find(unavailable);
    // A StatefulSet being deleted only has its status updated (stateful_set_control.go updateStatefulSet): its pods
    // are the garbage collector's.
    const error = set.metadata?.deletionTimestamp
      ? undefined
      : this.manage(set, spec, replicas, condemned, firstUnavailable, update.name);
    this.writeStatus(set, spec, current, update);
    return error;
  }

  /** processReplica over the replicas, processCondemned over the condemned, then the rolling update. */
  private manage(
    set: StatefulSet,
    spec: ReturnType<typeof withDefaults>,
    replicas: KubeObject[],
    condemned: KubeObject[],
    firstUnavailable: KubeObject | undefined,
    updateRevision: string,
  ): StoreError | undefined {
    const now = this.options.clock.now();
    const available = (p: KubeObject) => podAvailable(p, spec.minReadySeconds, now);
    for (const pod of replicas) {
      if (['Failed', 'Succeeded'].includes(phaseOf(pod))) {
        if (!isTerminating(pod)) this.remove(set, pod);
        if (spec.monotonic) return;
        continue;
      }
      if (!isCreated(pod)) {
        const error = this.create(set, pod);
        if (error || spec.monotonic) return error;
        continue;
      }
      if (spec.monotonic && (isTerminating(pod) || !isRunningAndReady(pod) || !available(pod))) return;
      if (pod.metadata?.labels?.[podNameLabel] !== pod.metadata?.name) this.relabel(pod);
    }
    for (const pod of condemned) {
      if (isTerminating(pod)) {
        if (spec.monotonic) return;
        continue;
      }
      const healthy = isRunningAndReady(pod) && available(pod);
      if (spec.monotonic && !healthy && pod !== firstUnavailable) return;
      this.remove(set, pod);
      if (spec.monotonic) return;
    }
    if (spec.onDelete) return;
    for (let target = replicas.length - 1; target >= spec.partition; target--) {
      const pod = replicas[target] as KubeObject;
      if (revisionOf(pod) !== updateRevision && !isTerminating(pod)) {
        this.remove(set, pod);
        return;
      }
      if (!available(pod) || isTerminating(pod)) return;
    }
  }

  /** CreateStatefulPod and recordPodEvent("create"): the pod, or the API server's refusal. */
  private create(set: StatefulSet, pod: KubeObject): StoreError | undefined {
    const error = tryCreate(() => this.cluster.seed(pod));
    const subject = `create Pod ${pod.metadata?.name} in StatefulSet ${set.metadata?.name}`;
    if (error)
      this.events.record(set, 'Warning', 'FailedCreate', `${subject} failed error: ${error.message}`);
    else this.events.record(set, 'Normal', 'SuccessfulCreate', `${subject} successful`);
    return error;
  }

  private remove(set: StatefulSet, pod: KubeObject): void {
    // DeleteStatefulPod: a graceful DELETE (pod-deletion.ts); the pod stays Terminating until its kubelet stops it.
    const ns = set.metadata?.namespace ?? 'default';
    if (!deletePodAsController(this.cluster.store, ns, pod.metadata?.name ?? '', this.options.clock.now()))
      return;
    this.events.record(
      set,
      'Normal',
      'SuccessfulDelete',
      `delete Pod ${pod.metadata?.name} in StatefulSet ${set.metadata?.name} successful`,
    );
  }

  /** updateIdentity on a pod whose pod-name label was changed (UpdateStatefulPod). */
  private relabel(pod: KubeObject): void {
    const name = pod.metadata?.name ?? '';
    this.cluster.update('v1', 'Pod', name, pod.metadata?.namespace, (o) => {
      o.metadata = {
        ...o.metadata,
        labels: { ...o.metadata?.labels, [podNameLabel]: name, [podIndexLabel]: String(ordinalOf(o)) },
      };
    });
  }

  /** updateStatus over the pods as they are now, completeRollingUpdate, and the write when inconsistentStatus. */
  private writeStatus(
    set: StatefulSet,
    spec: ReturnType<typeof withDefaults>,
    current: Revision,
    update: Revision,
  ): void {
    const name = set.metadata?.name ?? '';
    const ns = set.metadata?.namespace;
    const now = this.options.clock.now();
    const pods = this.podsOf(set);
    const counts = replicaCounts(pods, spec.minReadySeconds, current.name, update.name, now);
    let currentRevision = current.name;
    let currentReplicas = counts.currentReplicas;
    const complete =
      !spec.onDelete &&
      (counts.updatedReplicas ?? 0) === spec.replicas &&
      (counts.readyReplicas ?? 0) === spec.replicas &&
      counts.replicas === spec.replicas;
    if (complete) {
      currentRevision = update.name;
      currentReplicas = counts.updatedReplicas;
    }
    const status: StatefulSetStatus = {
      observedGeneration: set.metadata?.generation,
      ...counts,
      ...(currentReplicas ? { currentReplicas } : { currentReplicas: undefined }),
      currentRevision,
      updateRevision: update.name,
      collisionCount: set.status?.collisionCount ?? 0,
    };
    const compared = (s: Partial<StatefulSetStatus> | undefined) => [
      s?.replicas ?? 0,
      s?.readyReplicas ?? 0,
      s?.currentReplicas ?? 0,
      s?.updatedReplicas ?? 0,
      s?.availableReplicas ?? 0,
      s?.currentRevision ?? '',
      s?.updateRevision ?? '',
    ];
    const newer = (status.observedGeneration ?? 0) > (set.status?.observedGeneration ?? 0);
    if (newer || !isDeepStrictEqual(compared(status), compared(set.status)))
      this.cluster.update('apps/v1', 'StatefulSet', name, ns, (o) => {
        o.status = JSON.parse(JSON.stringify(status));
      });
    // stateful_set.go sync: pods Ready but not yet available are looked at again minReadySeconds later.
    if (spec.minReadySeconds > 0 && counts.availableReplicas !== spec.replicas)
      this.queue.addAfter(set, spec.minReadySeconds * 1000 + 1);
  }
}
