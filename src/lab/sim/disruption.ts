/**
 * The disruption controller's status of a PodDisruptionBudget (Kubernetes v1.33, pkg/controller/disruption/
 * disruption.go trySync, getExpectedPodCount, getExpectedScale, countHealthyPods, updatePdbStatus; the condition from
 * k8s.io/component-helpers/apps/poddisruptionbudget UpdateDisruptionAllowedCondition). Argo CD rates a PDB by that
 * condition (argo-health.ts), so without this model the lab's docqa app would wait for it forever.
 *
 * - The pods are those the selector matches in the PDB's namespace.
 * - An integer minAvailable: desiredHealthy is that number and expectedPods the number of pods. A percentage, or a
 *   maxUnavailable, is scaled (rounding up) against the sum of the scales of the pods' controllers: a ReplicaSet's own
 *   replicas, or its Deployment's when a Deployment controls it; a StatefulSet's. A pod without a controller is
 *   unmanaged (a Warning event, as upstream) and adds nothing; a controller that cannot be found fails the sync: the
 *   fail-safe status (0 disruptions allowed, condition reason SyncFailed with the error).
 * - currentHealthy counts Ready pods that are not being deleted; disruptionsAllowed = currentHealthy - desiredHealthy,
 *   and 0 when negative or when no pod is expected. The eviction API is not simulated, so `disruptedPods` stays empty.
 * - DisruptionAllowed is True (SufficientPods) when a disruption is allowed, else False (InsufficientPods); its
 *   lastTransitionTime moves when its status does (apimachinery meta.SetStatusCondition).
 */

import type { Clock } from '../clock.js';
import type { SimCluster } from './api.js';
import { setCondition } from './conditions.js';
import { type IntOrPercent, scaledValue, specReplicas } from './deployment-util.js';
import { type EventRecorder, eventRecorder } from './events.js';
import { podReady } from './kubelet.js';
import { type LabelSelector, labelSelectorMatcher, labelSelectorString } from './selectors.js';
import { type KubeObject, kubeTime, type StoredEvent } from './store.js';
import { controllerOf, WorkQueue } from './workqueue.js';

interface PdbSpec {
  minAvailable?: IntOrPercent;
  maxUnavailable?: IntOrPercent;
  selector?: LabelSelector;
}

class SyncError extends Error {}

/** intstr.GetScaledValueFromIntOrPercent rounding up; a value it rejects fails the sync with its error. */
function scaled(value: IntOrPercent, total: number): number {
  try {
    return scaledValue(value, total, true);
  } catch (error) {
    throw new SyncError((error as Error).message);
  }
}

/** getExpectedScale's finders: the scale of the controller of `pod`, keyed by the controller. */
function controllerScale(
  cluster: SimCluster,
  pod: KubeObject,
  ref: NonNullable<ReturnType<typeof controllerOf>>,
  ns: string,
): [string, number] {
  const missing = () => new SyncError(`found no controllers for pod "${pod.metadata?.name}"`);
  if (ref.kind === 'ReplicaSet' && ref.apiVersion === 'apps/v1') {
    const rs = cluster.get('apps/v1', 'ReplicaSet', ref.name ?? '', ns);
    if (!rs) throw missing();
    const owner = controllerOf(rs);
    if (owner?.kind === 'Deployment' && owner.apiVersion === 'apps/v1') {
      const deployment = cluster.get('apps/v1', 'Deployment', owner.name ?? '', ns);
      if (!deployment) throw missing();
      return [`Deployment/${owner.name}`, specReplicas(deployment)];
    }
    return [`ReplicaSet/${ref.name}`, specReplicas(rs)];
  }
  if (ref.kind === 'StatefulSet' && ref.apiVersion === 'apps/v1') {
    const sts = cluster.get('apps/v1', 'StatefulSet', ref.name ?? '', ns);
    if (!sts) throw missing();
    return [`StatefulSet/${ref.name}`, specReplicas(sts)];
  }
  throw missing();
}

interface Counts {
  expectedPods: number;
  desiredHealthy: number;
  unmanaged: string[];
}

function expectedCounts(cluster: SimCluster, spec: PdbSpec, pods: KubeObject[], ns: string): Counts {
  const expectedScale = () => {
    const scales = new Map<string, number>();
    const unmanaged: string[] = [];
    for (const pod of pods) {
      const ref = controllerOf(pod);
      if (!ref) {
        unmanaged.push(pod.metadata?.name ?? '');
        continue;
      }
      const [key, scale] = controllerScale(cluster, pod, ref, ns);
      scales.set(key, scale);
    }
    return { expected: [...scales.values()].reduce((a, b) => a + b, 0), unmanaged };
  };
  if (spec.maxUnavailable !== undefined) {
    const { expected, unmanaged } = expectedScale();
    const desired = Math.max(0, expected - scaled(spec.maxUnavailable, expected));
    return { expectedPods: expected, desiredHealthy: desired, unmanaged };
  }
  if (typeof spec.minAvailable === 'number')
    return { expectedPods: pods.length, desiredHealthy: spec.minAvailable, unmanaged: [] };
  if (typeof spec.minAvailable === 'string') {
    const { expected, unmanaged } = expectedScale();
    return { expectedPods: expected, desiredHealthy: scaled(spec.minAvailable, expected), unmanaged };
  }
  return { expectedPods: 0, desiredHealthy: 0, unmanaged: [] };
}

interface Condition {
  type: string;
  status: 'True' | 'False';
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime: string;
}

/** meta.SetStatusCondition for the one condition: lastTransitionTime moves only when the status changes. */
function allowedCondition(
  previous: Condition[] | undefined,
  next: Omit<Condition, 'type' | 'lastTransitionTime'>,
  now: number,
): Condition[] {
  return setCondition(previous ?? [], { type: 'DisruptionAllowed', ...next }, kubeTime(now));
}

export class DisruptionController {
  private readonly events: EventRecorder;
  /** A PDB waits once however many changes set it off (client-go's work queue). */
  private readonly queue: WorkQueue;
  private stopListening?: () => void;

  constructor(
    private readonly cluster: SimCluster,
    private readonly clock: Clock,
  ) {
    this.events = eventRecorder(cluster, clock, 'controllermanager');
    this.queue = new WorkQueue(cluster, clock, (namespace, name) => {
      const live = cluster.get('policy/v1', 'PodDisruptionBudget', name, namespace);
      if (live) this.sync(live);
    });
  }

  start(): this {
    this.stopListening = this.cluster.onChange((event) => this.observe(event));
    for (const pdb of this.cluster.list('policy/v1', 'PodDisruptionBudget')) this.queue.add(pdb);
    return this;
  }

  stop(): void {
    this.stopListening?.();
  }

  /** A PDB is synced when it changes, and when a pod, ReplicaSet, Deployment or StatefulSet in its namespace does. */
  private observe(event: StoredEvent): void {
    const kind = event.resource.kind;
    if (kind === 'PodDisruptionBudget') {
      if (event.type !== 'DELETED') this.queue.add(event.object);
      return;
    }
    if (!['Pod', 'ReplicaSet', 'Deployment', 'StatefulSet'].includes(kind)) return;
    for (const pdb of this.cluster.list('policy/v1', 'PodDisruptionBudget', event.object.metadata?.namespace))
      this.queue.add(pdb);
  }

  private sync(pdb: KubeObject): void {
    const ns = pdb.metadata?.namespace ?? 'default';
    const spec = (pdb.spec ?? {}) as PdbSpec;
    const matches = labelSelectorMatcher(labelSelectorString(spec.selector));
    const pods = this.cluster.list('v1', 'Pod', ns).filter((p) => matches(p.metadata?.labels ?? {}));
    if (pods.length === 0) this.events.record(pdb, 'Normal', 'NoPods', 'No matching pods found');
    let counts: Counts;
    try {
      counts = expectedCounts(this.cluster, spec, pods, ns);
    } catch (error) {
      if (!(error instanceof SyncError)) throw error;
      this.events.record(
        pdb,
        'Warning',
        'CalculateExpectedPodCountFailed',
        `Failed to calculate the number of expected pods: ${error.message}`,
      );
      this.write(pdb, (status) => ({
        ...status,
        disruptionsAllowed: 0,
        conditions: allowedCondition(
          status.conditions,
          {
            status: 'False',
            reason: 'SyncFailed',
            message: error.message,
            observedGeneration: status.observedGeneration,
          },
          this.clock.now(),
        ),
      }));
      return;
    }
    if (counts.unmanaged.length > 0)
      this.events.record(
        pdb,
        'Warning',
        'UnmanagedPods',
        `Pods selected by this PodDisruptionBudget (selector: ${labelSelectorString(spec.selector)}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.`,
      );
    const currentHealthy = pods.filter((p) => !p.metadata?.deletionTimestamp && podReady(p)).length;
    const allowed = currentHealthy - counts.desiredHealthy;
    const disruptionsAllowed = counts.expectedPods <= 0 || allowed <= 0 ? 0 : allowed;
    const generation = pdb.metadata?.generation;
    this.write(pdb, (status) => ({
      currentHealthy,
      desiredHealthy: counts.desiredHealthy,
      expectedPods: counts.expectedPods,
      disruptionsAllowed,
      ...(generation === undefined ? {} : { observedGeneration: generation }),
      conditions: allowedCondition(
        status.conditions,
        disruptionsAllowed > 0
          ? { status: 'True', reason: 'SufficientPods', message: '', observedGeneration: generation }
          : { status: 'False', reason: 'InsufficientPods', message: '', observedGeneration: generation },
        this.clock.now(),
      ),
    }));
  }

  private write(
    pdb: KubeObject,
    next: (status: { conditions?: Condition[]; observedGeneration?: number }) => Record<string, unknown>,
  ): void {
    const status = next((pdb.status ?? {}) as { conditions?: Condition[]; observedGeneration?: number });
    // updatePdbStatus writes only when something changed.
    if (JSON.stringify(status) === JSON.stringify(pdb.status)) return;
    this.cluster.update(
      'policy/v1',
      'PodDisruptionBudget',
      pdb.metadata?.name ?? '',
      pdb.metadata?.namespace,
      (o) => {
        o.status = status;
      },
    );
  }
}

/** Starts the disruption controller; returns a function that stops it. */
export function startDisruptionController(cluster: SimCluster, clock: Clock): () => void {
  const controller = new DisruptionController(cluster, clock).start();
  return () => controller.stop();
}
