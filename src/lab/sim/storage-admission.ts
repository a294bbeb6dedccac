/**
 * What two admission plugins of a Kubernetes v1.33 API server write into the storage objects it creates, in their
 * order in the default plugin chain:
 * - DefaultStorageClass (plugin/pkg/admission/storage/storageclass/setdefault/admission.go): a claim that names no
 *   class (storageClassName absent; an empty name asks for none and is left so, as is a claim with the beta
 *   `volume.beta.kubernetes.io/storage-class` annotation) gets the default class, the newest of those annotated
 *   default (storage-classes.ts newestDefaultClass, util.GetDefaultClass); with no default class it stays without;
 * - StorageObjectInUseProtection (plugin/pkg/admission/storage/storageobjectinuseprotection/admission.go): a claim
 *   gets the finalizer `kubernetes.io/pvc-protection` and a volume `kubernetes.io/pv-protection`, so neither is
 *   removed while in use (volume-protection.ts removes them once it is not).
 */
import { finalizersOf } from './finalizers.js';
import { newestDefaultClass } from './storage-classes.js';
import type { KubeObject } from './store.js';

export const PVC_PROTECTION_FINALIZER = 'kubernetes.io/pvc-protection';
export const PV_PROTECTION_FINALIZER = 'kubernetes.io/pv-protection';
const BETA_CLASS_ANNOTATION = 'volume.beta.kubernetes.io/storage-class';

function addFinalizer(obj: KubeObject, finalizer: string): void {
  const finalizers = finalizersOf(obj);
  if (!finalizers.includes(finalizer))
    obj.metadata = { ...obj.metadata, finalizers: [...finalizers, finalizer] };
}

/** Admits a new claim or volume in place; `classes` lists the cluster's StorageClasses. */
export function admitStorageObject(kind: string, obj: KubeObject, classes: () => KubeObject[]): void {
  if (kind === 'PersistentVolumeClaim') {
    const o = obj as { spec?: { storageClassName?: string | null } };
    o.spec ??= {};
    const spec = o.spec;
    const named = spec.storageClassName !== undefined && spec.storageClassName !== null;
    if (!named && !obj.metadata?.annotations?.[BETA_CLASS_ANNOTATION]) {
      const name = newestDefaultClass(classes())?.metadata?.name;
      if (name) spec.storageClassName = name;
    }
    addFinalizer(obj, PVC_PROTECTION_FINALIZER);
  } else if (kind === 'PersistentVolume') addFinalizer(obj, PV_PROTECTION_FINALIZER);
}
