/**
 * The garbage collector of kube-controller-manager, as in Kubernetes v1.33 (pkg/controller/garbagecollector/
 * garbagecollector.go attemptToDeleteItem, classifyReferences, processDeletingDependentsItem, orphanDependents;
 * graph_builder.go processGraphChanges; read in an untagged copy of the v1.3x line). It watches every object's
 * ownerReferences, keyed by uid as its dependency graph is:
 * - a dependent whose owners are all gone (no object of that kind and name with that uid: deleted, or never there)
 *   is deleted, with the propagation its own finalizers ask for (`orphan`, `foregroundDeletion`) or Background; one
 *   whose owner waits for its dependents (foreground) is deleted in the foreground itself when it has dependents;
 * - a dependent with a live owner besides gone or waiting ones loses only the references to those;
 * - an owner being deleted with the `orphan` finalizer: the references to it are removed from its dependents, then
 *   the finalizer;
 * - an owner being deleted with the `foregroundDeletion` finalizer: its dependents are deleted, and once none with
 *   blockOwnerDeletion=true is left the finalizer is removed (the owner then goes, finalizers.ts).
 * Deletions go through the API server's Delete (object-deletion.ts) with the dependent's uid as precondition: pods
 * gracefully (Terminating until the kubelet stops them), finalizers honoured. It acts soon after a change (upstream
 * after its informers see it), on the work queue the other controllers use.
 */
import type { Clock } from '../clock.js';
import type { SimCluster } from './api.js';
import type { PropagationPolicy } from './delete-options.js';
import { FOREGROUND_FINALIZER, finalizersOf, ORPHAN_FINALIZER, withFinalizers } from './finalizers.js';
import { deleteObject } from './object-deletion.js';
import type { ResourceType } from './resources.js';
import { type KubeObject, type StoredEvent, StoreError } from './store.js';
import { handOverToGarbageCollector, WorkQueue } from './workqueue.js';

type OwnerReference = NonNullable<NonNullable<KubeObject['metadata']>['ownerReferences']>[number];

const refsOf = (o: KubeObject): OwnerReference[] => o.metadata?.ownerReferences ?? [];
const beingDeleted = (o: KubeObject) => Boolean(o.metadata?.deletionTimestamp);
const waitsForDependents = (o: KubeObject) =>
  beingDeleted(o) && finalizersOf(o).includes(FOREGROUND_FINALIZER);

export class GarbageCollector {
  private readonly queue: WorkQueue;

  constructor(
    private readonly cluster: SimCluster,
    private readonly options: { clock: Clock },
  ) {
    // The queue keys items by namespace/name; the GC's items are uids (one per object of any kind).
    this.queue = new WorkQueue(cluster, options.clock, (_ns, uid) => this.process(uid));
  }

  /** Starts watching; returns a function that stops it. */
  start(): () => void {
    const handedOver = handOverToGarbageCollector(this.cluster);
    const stop = this.cluster.onChange((event) => this.observe(event));
    for (const o of this.cluster.store.objects.values())
      if (refsOf(o).length > 0 || beingDeleted(o)) this.enqueue(o.metadata?.uid);
    return () => {
      stop();
      handedOver();
      this.queue.stop();
    };
  }

  private enqueue(uid: string | undefined): void {
    if (uid) this.queue.add({ metadata: { name: uid } });
  }

  private observe(event: StoredEvent): void {
    const o = event.object;
    if (event.type === 'DELETED') {
      // Its dependents may now have no owner left; an owner waiting for it may be done.
      for (const dependent of this.dependentsOf(o.metadata?.uid)) this.enqueue(dependent.metadata?.uid);
      for (const ref of refsOf(o)) this.enqueue(ref.uid);
      return;
    }
    if (refsOf(o).length > 0 || beingDeleted(o)) this.enqueue(o.metadata?.uid);
  }

  /** The object of `uid`, wherever it is (the graph's node). */
  private find(uid: string): { object: KubeObject; resource: ResourceType } | undefined {
    for (const object of this.cluster.store.objects.values()) {
      if (object.metadata?.uid !== uid) continue;
      const resource = this.resourceOf(object);
      return resource ? { object, resource } : undefined;
    }
    return undefined;
  }

  private resourceOf(o: KubeObject): ResourceType | undefined {
    try {
      return this.cluster.store.resourceFor(o.apiVersion ?? '', o.kind ?? '');
    } catch (error) {
      if (error instanceof StoreError) return undefined;
      throw error;
    }
  }

  /** Objects with an ownerReference to `uid`. */
  private dependentsOf(uid: string | undefined): KubeObject[] {
    if (!uid) return [];
    return [...this.cluster.store.objects.values()].filter((o) => refsOf(o).some((r) => r.uid === uid));
  }

  private process(uid: string): void {
    const found = this.find(uid);
    if (!found) return;
    const { object } = found;
    if (beingDeleted(object)) {
      const finalizers = finalizersOf(object);
      if (finalizers.includes(ORPHAN_FINALIZER)) this.orphanDependents(found.resource, object);
      else if (finalizers.includes(FOREGROUND_FINALIZER)) this.deleteDependentsFirst(found.resource, object);
      return;
    }
    if (refsOf(object).length > 0) this.attemptToDelete(found.resource, object);
  }

  /** classifyReferences: each owner reference is to a live owner, a gone one, or one waiting for its dependents. */
  private classify(dependent: KubeObject): { solid: number; gone: string[]; waiting: string[] } {
    const out = { solid: 0, gone: [] as string[], waiting: [] as string[] };
    for (const ref of refsOf(dependent)) {
      const resource = this.ownerResource(ref);
      // A kind the server does not serve: upstream retries the lookup; the sim leaves the dependent alone.
      if (!resource) {
        out.solid++;
        continue;
      }
      const namespace = resource.namespaced ? dependent.metadata?.namespace : undefined;
      const owner = this.cluster.store.get(resource, namespace, ref.name);
      if (!owner || owner.metadata?.uid !== ref.uid) out.gone.push(ref.uid ?? '');
      else if (waitsForDependents(owner)) out.waiting.push(ref.uid ?? '');
      else out.solid++;
    }
    return out;
  }

  private ownerResource(ref: OwnerReference): ResourceType | undefined {
    return this.resourceOf({ apiVersion: ref.apiVersion, kind: ref.kind });
  }

  /** attemptToDeleteItem. */
  private attemptToDelete(resource: ResourceType, dependent: KubeObject): void {
    const { solid, gone, waiting } = this.classify(dependent);
    if (solid > 0) {
      if (gone.length + waiting.length > 0) this.dropReferences(resource, dependent, [...gone, ...waiting]);
      return;
    }
    const finalizers = finalizersOf(dependent);
    const policy: PropagationPolicy =
      waiting.length > 0 && this.dependentsOf(dependent.metadata?.uid).length > 0
        ? 'Foreground'
        : finalizers.includes(ORPHAN_FINALIZER)
          ? 'Orphan'
          : finalizers.includes(FOREGROUND_FINALIZER)
            ? 'Foreground'
            : 'Background';
    this.delete(resource, dependent, policy);
  }

  /** processDeletingDependentsItem: delete the dependents; the finalizer goes once no blocking one is left. */
  private deleteDependentsFirst(resource: ResourceType, owner: KubeObject): void {
    const uid = owner.metadata?.uid;
    const dependents = this.dependentsOf(uid);
    const blocking = dependents.filter((d) =>
      refsOf(d).some((r) => r.uid === uid && r.blockOwnerDeletion === true),
    );
    if (blocking.length === 0) {
      this.removeFinalizer(resource, owner, FOREGROUND_FINALIZER);
      return;
    }
    for (const dependent of dependents)
      if (!beingDeleted(dependent)) {
        const dependentResource = this.resourceOf(dependent);
        if (dependentResource) this.attemptToDelete(dependentResource, dependent);
      }
  }

  /** orphanDependents: the references to the owner removed from its dependents, then the `orphan` finalizer. */
  private orphanDependents(resource: ResourceType, owner: KubeObject): void {
    const uid = owner.metadata?.uid ?? '';
    for (const dependent of this.dependentsOf(uid)) {
      const dependentResource = this.resourceOf(dependent);
      if (dependentResource) this.dropReferences(dependentResource, dependent, [uid]);
    }
    this.removeFinalizer(resource, owner, ORPHAN_FINALIZER);
  }

  private dropReferences(resource: ResourceType, dependent: KubeObject, uids: string[]): void {
    const next = structuredClone(dependent);
    const meta = next.metadata ?? {};
    next.metadata = meta;
    const kept = refsOf(dependent).filter((r) => !uids.includes(r.uid ?? ''));
    if (kept.length > 0) meta.ownerReferences = kept;
    else delete meta.ownerReferences;
    this.write(resource, dependent, next);
  }

  private removeFinalizer(resource: ResourceType, object: KubeObject, finalizer: string): void {
    const kept = finalizersOf(object).filter((f) => f !== finalizer);
    this.write(resource, object, withFinalizers(object, kept));
  }

  /** An update as the GC's patches are: to the object it read, or nothing when it changed or went meanwhile. */
  private write(resource: ResourceType, current: KubeObject, next: KubeObject): void {
    const { name = '', namespace } = current.metadata ?? {};
    try {
      this.cluster.store.replace(
        resource,
        namespace,
        name,
        next,
        { source: 'test', verb: 'patch' },
        current.metadata?.resourceVersion,
      );
    } catch (error) {
      if (!(error instanceof StoreError)) throw error;
      this.enqueue(current.metadata?.uid);
    }
  }

  private delete(resource: ResourceType, object: KubeObject, policy: PropagationPolicy): void {
    const { name = '', namespace, uid } = object.metadata ?? {};
    try {
      deleteObject(
        this.cluster.store,
        resource,
        namespace,
        name,
        { propagationPolicy: policy, ...(uid ? { preconditions: { uid } } : {}) },
        this.options.clock.now(),
        'test',
      );
    } catch (error) {
      // Gone already, or another object of that name now: nothing to delete.
      if (!(error instanceof StoreError)) throw error;
    }
  }
}
