/**
 * The DaemonSet controller of Kubernetes v1.33 (pkg/controller/daemon/daemon_controller.go, update.go,
 * util/daemonset_util.go): one pod of each DaemonSet on every node that should run it. A sync (syncDaemonSet):
 * - the template's revision: the hash of history.HashControllerRevision (statefulset.ts controllerRevisionHash, the
 *   same form, not Go's value), and the template generation, which the API server's strategy sets to 1 at create and
 *   counts up at each template change (pkg/registry/apps/daemonset/strategy.go; the sim's API server does not, so the
 *   controller counts the template changes it sees, from the `deprecated.daemonset.template.generation` annotation or
 *   1). The revisions live in the controller's memory (no ControllerRevision objects);
 * - the pods it controls, by node (getNodesToDaemonPods: `spec.nodeName`, or before binding the node the pod's
 *   required affinity names, GetTargetNodeName);
 * - for each node (manage, podsShouldBeOnNode): the node should run the pod when the template's nodeSelector, required
 *   node affinity and tolerations (plus the daemon tolerations below) let it (node-eligibility.ts). A node that
 *   should and has no pod gets one; a Failed pod is deleted (Warning `FailedDaemonPod` "Found failed daemon pod
 *   <ns>/<pod> on node <node>, will try to kill it"; the failed-pod back-off is not modelled), a Succeeded one too,
 *   and either is replaced at the next sync; of several pods the oldest is kept; on a node that should not run it, every pod is deleted. Pods on nodes
 *   that no longer exist are deleted too;
 * - a created pod (syncNodes, CreatePodTemplate, ReplaceDaemonSetPodNodeNameNodeAffinity): generateName `<ds>-` (5
 *   random characters), the template's labels plus `controller-revision-hash` (the hash) and `pod-template-generation`,
 *   the daemon tolerations added (node.kubernetes.io/not-ready and unreachable NoExecute, disk-pressure,
 *   memory-pressure, pid-pressure, unschedulable NoSchedule, network-unavailable NoSchedule for a hostNetwork pod;
 *   AddOrUpdateDaemonPodTolerations), `spec.affinity.nodeAffinity` required to the node by a matchFields term on
 *   metadata.name, no nodeName (the scheduler binds it), the DaemonSet as controller owner; event Normal
 *   `SuccessfulCreate` "Created pod: <pod>", and `SuccessfulDelete` "Deleted pod: <pod>" for a deletion
 *   (controller_utils.go RealPodControl), which is graceful (pod-deletion.ts): the pod is Terminating until its kubelet
 *   has stopped it, and its node gets a new one only then. The creates come after the deletions, in slow-start
 *   batches (syncNodes); a refused one is a Warning `FailedCreate` "Error creating: <error>" (pod-control.ts), skips
 *   the rolling update of that sync (updateDaemonSet returns the error), and the DaemonSet is queued again
 *   rate-limited (processNextWorkItem: AddRateLimited; workqueue.ts). The DaemonSet controller sets no condition;
 * - a RollingUpdate (the default; update.go rollingUpdate, maxSurge 0): old pods (IsPodUpdated: neither the hash nor
 *   the generation label is the current one) that are not available are deleted at once; old available ones are
 *   deleted while fewer than maxUnavailable (default 1; a percentage of the desired number, rounded up) of the nodes'
 *   new pods are unavailable (a node without a pod is the manage loop's and not counted); the next sync creates the new pods. OnDelete leaves old pods alone;
 * - the status (updateDaemonSetStatus, storeDaemonSetStatus): desiredNumberScheduled, currentNumberScheduled and
 *   numberMisscheduled (nodes that should / should not run it and have a pod), numberReady and numberAvailable
 *   (Ready, Ready for minReadySeconds) and updatedNumberScheduled of each eligible node's oldest pod,
 *   numberUnavailable (desired minus available), observedGeneration; written when any changed. With minReadySeconds,
 *   it syncs again when the first Ready pod becomes available.
 * Pods, nodes and DaemonSets set a sync off (the informers' handlers); the garbage collector's part is played here: a
 * deleted DaemonSet takes its pods with it. The rules were read in daemonset_util.go at kubernetes commit 05c351a9
 * (a copy of the v1.2x/v1.3x line, not tagged) and taken for daemon_controller.go and update.go from their v1.33
 * behaviour; `kubectl get ds` prints the status (printers/workloads.ts).
 */
import { isDeepStrictEqual } from 'node:util';
import type { Clock } from '../clock.js';
import type { SimCluster } from './api.js';
import { canonicalJson, type PodTemplate, scaledValue } from './deployment-util.js';
import { type EventRecorder, eventRecorder } from './events.js';
import { podReady } from './kubelet.js';
import { nodeShouldRunPod, type SchedulingSpec, type Toleration } from './node-eligibility.js';
import { createPodFromTemplate, slowStartBatch } from './pod-control.js';
import { deletePodAsController } from './pod-deletion.js';
import { controllerRef, podAvailable } from './replicaset.js';
import { controllerRevisionHash } from './statefulset.js';
import type { KubeObject, StoredEvent, StoreError } from './store.js';
import { collectDependents, controllerUid, type SyncResult, WorkQueue } from './workqueue.js';

export const revisionHashLabel = 'controller-revision-hash';
export const templateGenerationLabel = 'pod-template-generation';
const templateGenerationAnnotation = 'deprecated.daemonset.template.generation';

export interface DaemonSetSpec {
  selector?: unknown;
  template?: PodTemplate & { spec?: SchedulingSpec & { hostNetwork?: boolean } };
  updateStrategy?: {
    type?: 'RollingUpdate' | 'OnDelete';
    rollingUpdate?: { maxUnavailable?: number | string };
  };
  minReadySeconds?: number;
}

export interface DaemonSetStatus {
  currentNumberScheduled: number;
  numberMisscheduled: number;
  desiredNumberScheduled: number;
  numberReady: number;
  observedGeneration?: number;
  updatedNumberScheduled?: number;
  numberAvailable?: number;
  numberUnavailable?: number;
}

type DaemonSet = KubeObject & { spec?: DaemonSetSpec; status?: DaemonSetStatus };

/** AddOrUpdateDaemonPodTolerations: the tolerations every daemon pod gets, in the order they are added. */
export function withDaemonTolerations(spec: SchedulingSpec & { hostNetwork?: boolean }): Toleration[] {
  const node = (key: string, effect: string): Toleration => ({
    key: `node.kubernetes.io/${key}`,
    operator: 'Exists',
    effect,
  });
  const adds = [
    node('not-ready', 'NoExecute'),
    node('unreachable', 'NoExecute'),
    node('disk-pressure', 'NoSchedule'),
    node('memory-pressure', 'NoSchedule'),
    node('pid-pressure', 'NoSchedule'),
    node('unschedulable', 'NoSchedule'),
    ...(spec.hostNetwork ? [node('network-unavailable', 'NoSchedule')] : []),
  ];
  const tolerations = [...(spec.tolerations ?? [])];
  // AddOrUpdateTolerationInPodSpec: an equal toleration (key, operator, value, effect) is replaced, else appended.
  for (const add of adds) {
    const same = tolerations.findIndex(
      (t) =>
        t.key === add.key && (t.operator ?? 'Equal') === add.operator && !t.value && t.effect === add.effect,
    );
    if (same >= 0) tolerations[same] = add;
    else tolerations.push(add);
  }
  return tolerations;
}

/** UnavailableCount: maxUnavailable (default 1) of `desired`, a percentage rounded up. */
export function maxUnavailable(ds: DaemonSet, desired: number): number {
  const value = ds.spec?.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1;
  try {
    return scaledValue(value, desired, true);
  } catch {
    // Not an int or a percentage: read as a number (upstream's UnavailableCount returns an error instead).
    return Number.parseInt(String(value), 10) || 0;
  }
}

/** GetTargetNodeName: the pod's node, or the node its required affinity names before the scheduler binds it. */
export function targetNode(pod: KubeObject): string | undefined {
  const spec = pod.spec as (SchedulingSpec & { nodeName?: string }) | undefined;
  if (spec?.nodeName) return spec.nodeName;
  for (const term of spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
    ?.nodeSelectorTerms ?? [])
    for (const field of term.matchFields ?? [])
      if (field.key === 'metadata.name' && field.operator === 'In' && field.values?.length === 1)
        return field.values[0];
  return undefined;
}

const phaseOf = (pod: KubeObject) => (pod.status as { phase?: string } | undefined)?.phase ?? '';
const createdAt = (pod: KubeObject) => Date.parse(pod.metadata?.creationTimestamp ?? '') || 0;
const oldestFirst = (a: KubeObject, b: KubeObject) =>
  createdAt(a) - createdAt(b) || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');

interface Revision {
  hash: string;
  generation: number;
}

export interface DaemonSetControllerOptions {
  clock: Clock;
  /** Randomness for generated pod names (default Math.random). */
  random?: () => number;
}

export class DaemonSetController {
  private readonly events: EventRecorder;
  private readonly queue: WorkQueue;
  /** Each DaemonSet's template (canonical JSON) and template generation, by uid. */
  private readonly templates = new Map<string, { template: string; generation: number }>();

  constructor(
    private readonly cluster: SimCluster,
    private readonly options: DaemonSetControllerOptions,
  ) {
    this.events = eventRecorder(cluster, options.clock, 'daemonset-controller');
    this.queue = new WorkQueue(cluster, options.clock, (ns, name) => this.sync(ns, name));
  }

  /** Starts watching; returns a function that stops it. */
  start(): () => void {
    const stop = this.cluster.onChange((event) => this.observe(event));
    this.addAll();
    return () => {
      stop();
      this.queue.stop();
    };
  }

  private addAll(): void {
    for (const ds of this.cluster.list('apps/v1', 'DaemonSet')) this.queue.add(ds);
  }

  private observe(event: StoredEvent): void {
    const { kind } = event.resource;
    if (kind === 'DaemonSet' && event.type === 'DELETED') {
      this.templates.delete(event.object.metadata?.uid ?? '');
      collectDependents(this.cluster, event.object, 'v1', 'Pod');
    } else if (kind === 'DaemonSet') this.queue.add(event.object);
    else if (kind === 'Node') this.addAll();
    else if (kind === 'Pod') {
      const uid = controllerUid(event.object);
      if (uid === undefined) return;
      const ds = this.cluster
        .list('apps/v1', 'DaemonSet', event.object.metadata?.namespace)
        .find((d) => d.metadata?.uid === uid);
      if (ds) this.queue.add(ds);
    }
  }

  /** The template's hash and generation (strategy.go's count of template changes, kept here). */
  private revision(ds: DaemonSet): Revision {
    const uid = ds.metadata?.uid ?? '';
    const template = canonicalJson(ds.spec?.template ?? {});
    const known = this.templates.get(uid);
    const start = Number(ds.metadata?.annotations?.[templateGenerationAnnotation] ?? 1) || 1;
    const generation = !known ? start : known.template === template ? known.generation : known.generation + 1;
    this.templates.set(uid, { template, generation });
    return { hash: controllerRevisionHash(ds.spec?.template), generation };
  }

  /** syncDaemonSet: manage's error, which queues the DaemonSet again rate-limited. */
  private sync(ns: string, name: string): SyncResult {
    const ds = this.cluster.get('apps/v1', 'DaemonSet', name, ns) as DaemonSet | undefined;
    if (!ds || ds.metadata?.deletionTimestamp) return;
    const revision = this.revision(ds);
    const nodes = this.cluster.list('v1', 'Node');
    const eligible = this.eligibility(ds, nodes);
    const error = this.manage(ds, nodes, eligible, revision);
    // updateDaemonSet returns manage's error before the rolling update; the status is written either way.
    if (!error && ds.spec?.updateStrategy?.type !== 'OnDelete') this.rollingUpdate(ds, eligible, revision);
    this.writeStatus(ds, nodes, eligible, revision);
    return error;
  }

  /** NodeShouldRunDaemonPod of every node, for the pod NewPod would make (template plus daemon tolerations). */
  private eligibility(ds: DaemonSet, nodes: KubeObject[]): Map<string, boolean> {
    const spec = ds.spec?.template?.spec ?? {};
    const pod = { ...spec, tolerations: withDaemonTolerations(spec) };
    return new Map(nodes.map((n) => [n.metadata?.name ?? '', nodeShouldRunPod(pod, n)]));
  }

  /**
   * getNodesToDaemonPods (includeDeletedTerminal false): the pods it controls, by the node they are (or are to be)
   * on; a pod both being deleted and terminal is left out, a Terminating pod still running is counted (so a node's
   * replacement pod is made only once it is gone).
   */
  private podsByNode(ds: DaemonSet): Map<string, KubeObject[]> {
    const byNode = new Map<string, KubeObject[]>();
    for (const pod of this.cluster.list('v1', 'Pod', ds.metadata?.namespace)) {
      if (controllerUid(pod) !== ds.metadata?.uid) continue;
      if (pod.metadata?.deletionTimestamp && ['Failed', 'Succeeded'].includes(phaseOf(pod))) continue;
      const node = targetNode(pod) ?? '';
      byNode.set(node, [...(byNode.get(node) ?? []), pod].sort(oldestFirst));
    }
    return byNode;
  }

  /**
   * manage and podsShouldBeOnNode: delete failed, surplus and misplaced pods, create the missing ones (syncNodes: in
   * slow-start batches, the first refusal ending them); that refusal.
   */
  private manage(
    ds: DaemonSet,
    nodes: KubeObject[],
    eligible: Map<string, boolean>,
    revision: Revision,
  ): StoreError | undefined {
    const byNode = this.podsByNode(ds);
    const needing: string[] = [];
    for (const node of nodes) {
      const nodeName = node.metadata?.name ?? '';
      const pods = byNode.get(nodeName) ?? [];
      byNode.delete(nodeName);
      // podsShouldBeOnNode: a pod already being deleted is neither deleted again nor replaced while it is there.
      if (!eligible.get(nodeName)) {
        for (const pod of pods) if (!pod.metadata?.deletionTimestamp) this.deletePod(ds, pod);
        continue;
      }
      const running: KubeObject[] = [];
      for (const pod of pods) {
        if (pod.metadata?.deletionTimestamp) continue;
        const phase = phaseOf(pod);
        if (phase === 'Failed')
          this.events.record(
            ds,
            'Warning',
            'FailedDaemonPod',
            `Found failed daemon pod ${pod.metadata?.namespace}/${pod.metadata?.name} on node ${nodeName}, will try to kill it`,
          );
        if (phase === 'Failed' || phase === 'Succeeded') this.deletePod(ds, pod);
        else running.push(pod);
      }
      if (pods.length === 0) needing.push(nodeName);
      for (const extra of running.slice(1)) this.deletePod(ds, extra);
    }
    // Pods bound to (or meant for) nodes that are gone.
    for (const pods of byNode.values())
      for (const pod of pods) if (!pod.metadata?.deletionTimestamp) this.deletePod(ds, pod);
    let next = 0;
    return slowStartBatch(needing.length, () => this.createPod(ds, needing[next++] ?? '', revision)).error;
  }

  /** update.go rollingUpdate (maxSurge 0): delete old pods, unavailable ones first, within maxUnavailable. */
  private rollingUpdate(ds: DaemonSet, eligible: Map<string, boolean>, revision: Revision): void {
    const now = this.options.clock.now();
    const minReady = ds.spec?.minReadySeconds ?? 0;
    const byNode = this.podsByNode(ds);
    const desired = [...eligible.values()].filter(Boolean).length;
    const budget = maxUnavailable(ds, desired);
    let unavailable = 0;
    const candidates: KubeObject[] = [];
    for (const [nodeName, shouldRun] of eligible) {
      if (!shouldRun) continue;
      // Nodes without a pod are the manage loop's (not counted); an unavailable old pod is replaced at once. A node
      // whose only pods are being deleted counts as unavailable (update.go findUpdatedPodsOnNode skips them).
      const pods = byNode.get(nodeName) ?? [];
      if (pods.length === 0) continue;
      const pod = pods.find((p) => !p.metadata?.deletionTimestamp);
      if (!pod) {
        unavailable++;
        continue;
      }
      const available = podAvailable(pod, minReady, now);
      if (this.isUpdated(pod, revision)) {
        if (!available) unavailable++;
      } else if (!available) this.deletePod(ds, pod);
      else candidates.push(pod);
    }
    for (const pod of candidates) {
      if (unavailable >= budget) break;
      unavailable++;
      this.deletePod(ds, pod);
    }
  }

  /** IsPodUpdated: the pod carries the current hash or template generation. */
  private isUpdated(pod: KubeObject, revision: Revision): boolean {
    const labels = pod.metadata?.labels ?? {};
    return (
      labels[revisionHashLabel] === revision.hash ||
      labels[templateGenerationLabel] === String(revision.generation)
    );
  }

  private createPod(ds: DaemonSet, nodeName: string, revision: Revision): StoreError | undefined {
    const template = ds.spec?.template ?? {};
    const spec = structuredClone(template.spec ?? {}) as SchedulingSpec & Record<string, unknown>;
    const annotations = template.metadata?.annotations;
    const matchFields = [{ key: 'metadata.name', operator: 'In' as const, values: [nodeName] }];
    const pod: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        generateName: `${ds.metadata?.name}-`,
        labels: {
          ...template.metadata?.labels,
          [revisionHashLabel]: revision.hash,
          [templateGenerationLabel]: String(revision.generation),
        },
        ...(annotations ? { annotations: { ...annotations } } : {}),
        ownerReferences: [controllerRef(ds)],
      },
      spec: {
        ...spec,
        tolerations: withDaemonTolerations(spec),
        affinity: {
          ...spec.affinity,
          nodeAffinity: {
            ...spec.affinity?.nodeAffinity,
            requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields }] },
          },
        },
      },
    };
    return createPodFromTemplate(this.cluster, this.events, ds, pod, this.options.random);
  }

  /** podControl.DeletePod: a graceful DELETE (pod-deletion.ts); the event only when the API server accepted it. */
  private deletePod(ds: DaemonSet, pod: KubeObject): void {
    const name = pod.metadata?.name ?? '';
    const ns = ds.metadata?.namespace ?? 'default';
    if (deletePodAsController(this.cluster.store, ns, name, this.options.clock.now()))
      this.events.record(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
  }

  /** updateDaemonSetStatus over the pods as they are after this sync's changes. */
  private writeStatus(
    ds: DaemonSet,
    nodes: KubeObject[],
    eligible: Map<string, boolean>,
    revision: Revision,
  ): void {
    const now = this.options.clock.now();
    const minReady = ds.spec?.minReadySeconds ?? 0;
    const byNode = this.podsByNode(ds);
    const counts = { desired: 0, current: 0, misscheduled: 0, ready: 0, available: 0, updated: 0 };
    for (const node of nodes) {
      const nodeName = node.metadata?.name ?? '';
      const pod = byNode.get(nodeName)?.[0];
      if (!eligible.get(nodeName)) {
        if (pod) counts.misscheduled++;
        continue;
      }
      counts.desired++;
      if (!pod) continue;
      counts.current++;
      if (podReady(pod)) counts.ready++;
      if (podAvailable(pod, minReady, now)) counts.available++;
      if (this.isUpdated(pod, revision)) counts.updated++;
    }
    const status: DaemonSetStatus = {
      currentNumberScheduled: counts.current,
      numberMisscheduled: counts.misscheduled,
      desiredNumberScheduled: counts.desired,
      numberReady: counts.ready,
      observedGeneration: ds.metadata?.generation,
      // omitempty in apps/v1: left out at 0.
      ...(counts.updated ? { updatedNumberScheduled: counts.updated } : {}),
      ...(counts.available ? { numberAvailable: counts.available } : {}),
      ...(counts.desired - counts.available ? { numberUnavailable: counts.desired - counts.available } : {}),
    };
    if (!isDeepStrictEqual(status, ds.status))
      this.cluster.update('apps/v1', 'DaemonSet', ds.metadata?.name ?? '', ds.metadata?.namespace, (o) => {
        o.status = status;
      });
    // syncDaemonSet: Ready pods not yet available are looked at again once minReadySeconds have passed.
    if (minReady > 0 && counts.ready > counts.available) this.queue.addAfter(ds, minReady * 1000 + 1);
  }
}
