/**
 * The parts of client-go and kube-controller-manager the simulated controllers share:
 * - a work queue (k8s.io/client-go/util/workqueue): an object added while it waits is not added twice, it is
 *   processed soon after (outside the write that set it off), and AddAfter keeps the earlier time of an object that
 *   already waits;
 * - the garbage collector's part (pkg/controller/garbagecollector, background propagation): when an owner goes, the
 *   objects it controls go too.
 */
import type { Clock } from '../clock.js';
import type { SimCluster } from './api.js';
import type { KubeObject } from './store.js';

/** The object's controller reference (metav1.GetControllerOf). */
export const controllerOf = (o: KubeObject) => o.metadata?.ownerReferences?.find((r) => r.controller);

/** The uid of the object's controller. */
export const controllerUid = (o: KubeObject) => controllerOf(o)?.uid;

const keyOf = (o: KubeObject) => `${o.metadata?.namespace}/${o.metadata?.name}`;

export class WorkQueue {
  private readonly queued = new Set<string>();
  private readonly waiting = new Map<string, { at: number; cancel: () => void }>();

  constructor(
    private readonly cluster: SimCluster,
    private readonly clock: Clock,
    private readonly process: (namespace: string, name: string) => void,
  ) {}

  add(o: KubeObject): void {
    const key = keyOf(o);
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.cluster.defer(() => {
      this.queued.delete(key);
      this.process(o.metadata?.namespace ?? 'default', o.metadata?.name ?? '');
    });
  }

  addAfter(o: KubeObject, ms: number): void {
    const key = keyOf(o);
    const at = this.clock.now() + ms;
    const waiting = this.waiting.get(key);
    if (waiting && waiting.at <= at) return;
    waiting?.cancel();
    const cancel = this.clock.setTimer(ms, () => {
      this.waiting.delete(key);
      this.add(o);
    });
    this.waiting.set(key, { at, cancel });
  }

  stop(): void {
    for (const { cancel } of this.waiting.values()) cancel();
    this.waiting.clear();
  }
}

/** Clusters whose dependents the garbage collector (garbage-collector.ts) deletes, as a real cluster's does. */
const collectedByGarbageCollector = new WeakSet<SimCluster>();

/** The garbage collector runs on `cluster`: collectDependents leaves the dependents to it. Returns the undo. */
export function handOverToGarbageCollector(cluster: SimCluster): () => void {
  collectedByGarbageCollector.add(cluster);
  return () => collectedByGarbageCollector.delete(cluster);
}

/**
 * Removes, soon after, the objects of `kind` that `owner` controlled: the stand-in for the garbage collector where
 * none runs (a cluster with a GarbageCollector deletes them through it, gracefully for pods).
 */
export function collectDependents(
  cluster: SimCluster,
  owner: KubeObject,
  apiVersion: string,
  kind: string,
): void {
  if (collectedByGarbageCollector.has(cluster)) return;
  const ns = owner.metadata?.namespace;
  cluster.defer(() => {
    for (const o of cluster.list(apiVersion, kind, ns))
      if (controllerUid(o) === owner.metadata?.uid)
        cluster.remove(apiVersion, kind, o.metadata?.name ?? '', ns);
  });
}
