/**
 * The namespace controller of kube-controller-manager, as in Kubernetes v1.33 (pkg/controller/namespace/
 * namespace_controller.go; deletion/namespaced_resources_deleter.go Delete, deleteAllContent, finalizeNamespace;
 * read in an untagged copy of the v1.3x line). A namespace being deleted (deletionTimestamp set, phase Terminating:
 * object-deletion.ts) is emptied: every object in it is deleted through the API server's Delete (object-deletion.ts)
 * with Background propagation, pods gracefully; the controller waits until none is left (one kept by a finalizer
 * keeps the namespace Terminating; its status conditions say what remains: namespace-conditions.ts), then removes its
 * `kubernetes` spec finalizer (the /finalize subresource), and the namespace, with no finalizer left, is deleted by
 * that update (finalizers.ts).
 */
import type { Clock } from '../clock.js';
import type { SimCluster } from './api.js';
import { type NamespaceCondition, namespaceConditions, type Remaining } from './namespace-conditions.js';
import { deleteObject } from './object-deletion.js';
import { type KubeObject, kubeTime, type StoredEvent, StoreError } from './store.js';
import { WorkQueue } from './workqueue.js';

/** The finalizer of the namespace controller, in spec.finalizers (pkg/apis/core FinalizerKubernetes). */
export const KUBERNETES_FINALIZER = 'kubernetes';

const isNamespace = (event: StoredEvent) =>
  event.resource.kind === 'Namespace' && event.resource.group === '';

export class NamespaceController {
  private readonly queue: WorkQueue;

  constructor(
    private readonly cluster: SimCluster,
    private readonly options: { clock: Clock },
  ) {
    this.queue = new WorkQueue(cluster, options.clock, (_ns, name) => this.sync(name));
  }

  /** Starts watching; returns a function that stops it. */
  start(): () => void {
    const stop = this.cluster.onChange((event) => this.observe(event));
    for (const ns of this.cluster.list('v1', 'Namespace'))
      if (ns.metadata?.deletionTimestamp) this.enqueue(ns.metadata.name);
    return () => {
      stop();
      this.queue.stop();
    };
  }

  private enqueue(name: string | undefined): void {
    if (name) this.queue.add({ metadata: { name } });
  }

  private observe(event: StoredEvent): void {
    if (isNamespace(event)) {
      if (event.type !== 'DELETED' && event.object.metadata?.deletionTimestamp)
        this.enqueue(event.object.metadata.name);
      return;
    }
    // An object of a terminating namespace went (the namespace may be empty now) or came (it is to go too).
    const ns = event.object.metadata?.namespace;
    if (!ns || event.type === 'MODIFIED') return;
    if (this.cluster.get('v1', 'Namespace', ns)?.metadata?.deletionTimestamp) this.enqueue(ns);
  }

  /** namespaced_resources_deleter.go Delete. */
  private sync(name: string): void {
    const namespace = this.cluster.get('v1', 'Namespace', name);
    if (!namespace?.metadata?.deletionTimestamp) return;
    const remaining = this.deleteAllContent(name);
    const written = this.writeConditions(namespace, remaining);
    if (remaining.every((r) => r.objects.length === 0)) this.finalize(written);
  }

  /** deleteAllContent: deletes what is not being deleted yet; what is left afterwards, by resource. */
  private deleteAllContent(name: string): Remaining {
    const { store } = this.cluster;
    const namespaced = store.resources.filter((r) => r.namespaced);
    for (const resource of namespaced)
      for (const object of store.list(resource, name)) {
        if (object.metadata?.deletionTimestamp) continue;
        const uid = object.metadata?.uid;
        try {
          deleteObject(
            store,
            resource,
            name,
            object.metadata?.name ?? '',
            { propagationPolicy: 'Background', ...(uid ? { preconditions: { uid } } : {}) },
            this.options.clock.now(),
            'test',
          );
        } catch (error) {
          // Gone meanwhile (or replaced): the next pass sees what is there.
          if (!(error instanceof StoreError)) throw error;
        }
      }
    return namespaced.map((resource) => ({ resource, objects: store.list(resource, name) }));
  }

  /** The deletion conditions in the namespace's status (namespace-conditions.ts); the namespace as it now is. */
  private writeConditions(namespace: KubeObject, remaining: Remaining): KubeObject {
    const status = (namespace.status ?? {}) as { conditions?: NamespaceCondition[] };
    const conditions = namespaceConditions(
      status.conditions ?? [],
      remaining,
      kubeTime(this.options.clock.now()),
    );
    const resource = this.cluster.store.resourceFor('v1', 'Namespace');
    return this.cluster.store.replace(
      resource,
      undefined,
      namespace.metadata?.name ?? '',
      { ...namespace, status: { ...status, conditions } },
      { source: 'test', verb: 'update', subresource: 'status' },
    );
  }

  /** finalizeNamespace: the `kubernetes` finalizer removed through /finalize. */
  private finalize(namespace: KubeObject): void {
    const spec = (namespace.spec ?? {}) as { finalizers?: string[] };
    const next = structuredClone(namespace);
    next.spec = { ...spec, finalizers: (spec.finalizers ?? []).filter((f) => f !== KUBERNETES_FINALIZER) };
    const resource = this.cluster.store.resourceFor('v1', 'Namespace');
    this.cluster.store.replace(
      resource,
      undefined,
      namespace.metadata?.name ?? '',
      next,
      { source: 'test', verb: 'update', subresource: 'finalize' },
      namespace.metadata?.resourceVersion,
    );
  }
}
