/**
 * Finalizers, as a Kubernetes v1.33 API server keeps them (read in an untagged copy of the v1.3x line):
 * - the two the garbage collector acts on, `orphan` and `foregroundDeletion` (apimachinery pkg/apis/meta/v1
 *   FinalizerOrphanDependents, FinalizerDeleteDependents), which a DELETE sets or clears from its propagation policy
 *   (staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go deletionFinalizersForGarbageCollection,
 *   shouldOrphanDependents, shouldDeleteDependents): an explicit orphanDependents wins, then propagationPolicy, then
 *   the object's own finalizers, then the resource's default policy (DefaultGarbageCollectionPolicy);
 * - an object being deleted takes no new finalizer (apimachinery pkg/api/validation ValidateObjectMetaUpdate,
 *   ValidateNoNewFinalizers): removing them is the only change allowed;
 * - an update that leaves an object being deleted with no finalizers, when its deletion grace period is over (0 or
 *   none), deletes it (store.go Update, ShouldDeleteDuringUpdate; a namespace also needs its spec.finalizers empty:
 *   pkg/registry/core/namespace/storage/storage.go ShouldDeleteNamespaceDuringUpdate).
 */
import type { DeleteOptions } from './delete-options.js';
import type { ResourceType } from './resources.js';
import type { KubeObject } from './store.js';

export const ORPHAN_FINALIZER = 'orphan';
export const FOREGROUND_FINALIZER = 'foregroundDeletion';

/**
 * The resource's DefaultGarbageCollectionPolicy when a DELETE names none: the orphaning of the legacy versions kept
 * for backwards compatibility (pkg/registry/core/replicationcontroller/strategy.go for v1, pkg/registry/batch/job/
 * strategy.go for batch/v1, the apps v1beta1/v1beta2 and extensions workloads), deleting the dependents for the rest
 * (apps/v1 Deployments, ReplicaSets, StatefulSets, DaemonSets...). A kind with no such strategy orphans nothing.
 */
export function orphansByDefault(resource: ResourceType): boolean {
  const gv = `${resource.group}/${resource.version}`;
  if (resource.group === '' && resource.kind === 'ReplicationController') return true;
  if (gv === 'batch/v1' && resource.kind === 'Job') return true;
  return ['apps/v1beta1', 'apps/v1beta2', 'extensions/v1beta1'].includes(gv);
}

/** metadata.finalizers (none when absent or not a list). */
export const finalizersOf = (o: KubeObject): string[] =>
  Array.isArray(o.metadata?.finalizers) ? (o.metadata.finalizers as string[]) : [];

/** A copy of `object` with `finalizers` (none: the field dropped, as an empty list is not serialized). */
export function withFinalizers(object: KubeObject, finalizers: string[]): KubeObject {
  const next = structuredClone(object);
  const meta = next.metadata ?? {};
  next.metadata = meta;
  if (finalizers.length > 0) meta.finalizers = [...finalizers];
  else delete meta.finalizers;
  return next;
}

/** shouldOrphanDependents: the dependents are to be orphaned. */
function shouldOrphan(resource: ResourceType, finalizers: string[], options: DeleteOptions): boolean {
  if (options.orphanDependents !== undefined) return options.orphanDependents;
  if (options.propagationPolicy !== undefined) return options.propagationPolicy === 'Orphan';
  for (const f of finalizers) {
    if (f === ORPHAN_FINALIZER) return true;
    if (f === FOREGROUND_FINALIZER) return false;
  }
  return orphansByDefault(resource);
}

/** shouldDeleteDependents: the owner waits for its dependents (foreground). */
function shouldDeleteInForeground(finalizers: string[], options: DeleteOptions): boolean {
  if (options.orphanDependents !== undefined) return false;
  if (options.propagationPolicy !== undefined) return options.propagationPolicy === 'Foreground';
  for (const f of finalizers) {
    if (f === FOREGROUND_FINALIZER) return true;
    if (f === ORPHAN_FINALIZER) return false;
  }
  return false;
}

/**
 * deletionFinalizersForGarbageCollection: the object's finalizers once a DELETE with `options` has set or cleared
 * `orphan` and `foregroundDeletion`, and whether they changed (as a set).
 */
export function deletionFinalizers(
  resource: ResourceType,
  object: KubeObject,
  options: DeleteOptions,
): { changed: boolean; finalizers: string[] } {
  const current = finalizersOf(object);
  const next = current.filter((f) => f !== ORPHAN_FINALIZER && f !== FOREGROUND_FINALIZER);
  if (shouldOrphan(resource, current, options)) next.push(ORPHAN_FINALIZER);
  if (shouldDeleteInForeground(current, options)) next.push(FOREGROUND_FINALIZER);
  const same = new Set(current).size === new Set(next).size && next.every((f) => current.includes(f));
  return same ? { changed: false, finalizers: current } : { changed: true, finalizers: next };
}

/** The group-qualified kind an Invalid error names (`Deployment.apps`, `ConfigMap`). */
const groupKind = (resource: ResourceType) =>
  resource.group ? `${resource.kind}.${resource.group}` : resource.kind;

/**
 * ValidateNoNewFinalizers: the message of the 422 Invalid an update gets when `next` adds finalizers to `current`, an
 * object being deleted; undefined when it adds none.
 */
export function newFinalizersRefusal(
  resource: ResourceType,
  current: KubeObject,
  next: KubeObject,
): string | undefined {
  if (!current.metadata?.deletionTimestamp) return undefined;
  const old = new Set(finalizersOf(current));
  const extra = [...new Set(finalizersOf(next).filter((f) => !old.has(f)))].sort();
  if (extra.length === 0) return undefined;
  const listed = extra.map((f) => JSON.stringify(f)).join(', ');
  return `${groupKind(resource)} "${current.metadata.name ?? ''}" is invalid: metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{${listed}}`;
}

/** ShouldDeleteDuringUpdate (and the namespace's variant): the update that emptied the finalizers deletes it. */
export function shouldDeleteDuringUpdate(
  resource: ResourceType,
  current: KubeObject,
  next: KubeObject,
): boolean {
  if (finalizersOf(next).length > 0) return false;
  if (!current.metadata?.deletionTimestamp) return false;
  if (resource.kind === 'Namespace' && resource.group === '') {
    const spec = next.spec as { finalizers?: string[] } | undefined;
    if ((spec?.finalizers ?? []).length > 0) return false;
  }
  const grace = current.metadata.deletionGracePeriodSeconds;
  return grace === undefined || grace === 0;
}
