/**
 * A DELETE of any kind, as a Kubernetes v1.33 API server's registries answer it (read in an untagged copy of the
 * v1.3x line: staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go Delete,
 * updateForGracefulDeletionAndFinalizers, markAsDeleting, finalizeDelete; rest/delete.go BeforeDelete):
 * - the preconditions are checked (a 409 Conflict when the uid or resourceVersion differ);
 * - a pod is deleted gracefully (pod-grace-period.ts deletionStep): a pod already being deleted with a longer or no
 *   new grace period is left as it is ("pending"), with no change to its finalizers;
 * - the DeleteOptions set or clear the garbage collector's finalizers, `orphan` and `foregroundDeletion`
 *   (finalizers.ts deletionFinalizers);
 * - an object left with finalizers is not removed: a kind without graceful deletion is marked (markAsDeleting:
 *   deletionTimestamp now, or kept when earlier; deletionGracePeriodSeconds 0; the generation bumped on the first
 *   mark), a pod keeps its graceful mark; the answer is the object as written;
 * - otherwise it is removed, unless it is a pod whose grace period has not run out.
 * A Namespace has its own registry Delete (pkg/registry/core/namespace/storage/storage.go Delete): the first DELETE
 * sets deletionTimestamp and status.phase Terminating and keeps it (the namespace controller empties it,
 * namespace-controller.ts); a later one is a 409 Conflict while the `kubernetes` spec finalizer is there, and is the
 * generic Delete once it has gone.
 */
import { checkPreconditions, type DeleteOptions } from './delete-options.js';
import { deletionFinalizers, finalizersOf, withFinalizers } from './finalizers.js';
import { deletionStep } from './pod-grace-period.js';
import type { ResourceType } from './resources.js';
import { type KubeObject, kubeTime, type Mutation, type Store, StoreError } from './store.js';

/** What a DELETE did: the object as the registry answers with it, and whether it is gone from storage. */
export interface Deletion {
  object: KubeObject;
  removed: boolean;
}

const isCore = (resource: ResourceType, kind: string) => resource.group === '' && resource.kind === kind;

/**
 * Registries that answer a completed DELETE with the deleted object (ReturnDeletedObject: pods, namespaces) rather
 * than a Status naming it (finalizeDelete).
 */
export const returnsDeletedObject = (resource: ResourceType) =>
  isCore(resource, 'Pod') || isCore(resource, 'Namespace');

/** The HTTP status of a DELETE's answer: 202 only for an unfinished one asked with orphanDependents=false (delete.go). */
export const deleteStatusCode = (deletion: Deletion, options: DeleteOptions) =>
  !deletion.removed && options.orphanDependents === false ? 202 : 200;

/**
 * DELETE of `name` with `options` at `nowMs`: the object as the API server answers and whether it is gone. Throws
 * the StoreError the server would answer with.
 */
export function deleteObject(
  store: Store,
  resource: ResourceType,
  namespace: string | undefined,
  name: string,
  options: DeleteOptions,
  nowMs: number,
  source: Mutation['source'],
): Deletion {
  const current = store.get(resource, namespace, name);
  if (!current) throw store.notFound(resource, name);
  const request = { store, resource, options, nowMs, source };
  if (isCore(resource, 'Namespace')) return deleteNamespace(request, current);
  return registryDelete(request, current);
}

/**
 * deleteObject as a controller issues it: an object already gone is not an error (its client's IsNotFound), so the
 * answer is undefined; any other refusal is thrown.
 */
export function deleteUnlessGone(...args: Parameters<typeof deleteObject>): Deletion | undefined {
  const [store, resource, namespace, name] = args;
  return store.get(resource, namespace, name) ? deleteObject(...args) : undefined;
}

/** A DELETE's context: where, with which options, when and from whom. */
interface DeleteRequest {
  store: Store;
  resource: ResourceType;
  options: DeleteOptions;
  nowMs: number;
  source: Mutation['source'];
}

/** The generic registry's Delete of `current` (see above). */
function registryDelete(request: DeleteRequest, current: KubeObject): Deletion {
  const { store, resource, options, nowMs, source } = request;
  const { name = '', namespace } = current.metadata ?? {};
  const remove = (): Deletion => ({
    object: store.delete(resource, namespace, name, { source }),
    removed: true,
  });
  checkPreconditions(resource, current, options);
  const step = isCore(resource, 'Pod') ? deletionStep(current, options, nowMs) : undefined;
  if (step?.step === 'pending') return { object: structuredClone(current), removed: false };
  const graceful = step?.step === 'mark' ? step : undefined;
  const gc = deletionFinalizers(resource, current, options);
  const hadFinalizers = finalizersOf(current).length > 0;
  if (!graceful && !hadFinalizers && !gc.changed) return remove();
  const next = withFinalizers(current, gc.finalizers);
  const meta = next.metadata ?? {};
  next.metadata = meta;
  const pending = gc.finalizers.length > 0;
  const first = !current.metadata?.deletionTimestamp;
  let bumpGeneration = false;
  if (graceful) {
    // BeforeDelete marked it; it bumps the generation only when it first marks the object.
    meta.deletionTimestamp = graceful.deletionTimestamp;
    meta.deletionGracePeriodSeconds = graceful.deletionGracePeriodSeconds;
    bumpGeneration = first;
  } else {
    // errDeleteNow: nothing left to wait for.
    if (!pending) return remove();
    // markAsDeleting.
    bumpGeneration = first && (current.metadata?.generation ?? 0) > 0;
    const now = kubeTime(nowMs);
    if (first || Date.parse(meta.deletionTimestamp ?? now) > nowMs) meta.deletionTimestamp = now;
    meta.deletionGracePeriodSeconds = 0;
  }
  const written = store.replace(resource, namespace, name, next, { source, verb: 'delete' }, undefined, {
    bumpGeneration,
  });
  if (pending || (graceful?.deletionGracePeriodSeconds ?? 0) > 0) return { object: written, removed: false };
  return remove();
}

/** The namespace registry's Delete (storage.go Delete; see above). */
function deleteNamespace(request: DeleteRequest, current: KubeObject): Deletion {
  const { store, resource, options, nowMs, source } = request;
  const name = current.metadata?.name ?? '';
  const uid = options.preconditions?.uid;
  if (uid !== undefined && uid !== current.metadata?.uid)
    throw new StoreError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on namespaces "${name}": Precondition failed: UID in precondition: ${uid}, UID in object meta: ${current.metadata?.uid}`,
      { name, kind: 'namespaces', group: '' },
    );
  if (!current.metadata?.deletionTimestamp) {
    // The orphan and foregroundDeletion finalizers follow the options (shouldHaveOrphanFinalizer,
    // shouldHaveDeleteDependentsFinalizer).
    const next = withFinalizers(current, deletionFinalizers(resource, current, options).finalizers);
    next.metadata = { ...next.metadata, deletionTimestamp: kubeTime(nowMs) };
    next.status = { ...(next.status as object | undefined), phase: 'Terminating' };
    const written = store.replace(resource, undefined, name, next, { source, verb: 'delete' });
    return { object: written, removed: false };
  }
  if (((current.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []).length > 0)
    throw new StoreError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on namespaces "${name}": The system is ensuring all content is removed from this namespace.  Upon completion, this namespace will automatically be purged by the system.`,
      { name, kind: 'namespaces', group: '' },
    );
  return registryDelete(request, current);
}
