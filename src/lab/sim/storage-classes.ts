/**
 * StorageClasses as Kubernetes v1.33 reads them (pkg/volume/util/storageclass and storage/util helpers, read in an
 * untagged copy of the v1.3x line): which class is the default, and a claim's class.
 */
import type { SimCluster } from './api.js';
import type { KubeObject } from './store.js';

export interface StorageClass extends KubeObject {
  provisioner?: string;
  volumeBindingMode?: string;
  reclaimPolicy?: string;
  allowVolumeExpansion?: boolean;
}

/** storageutil.IsDefaultAnnotation: the GA or the beta is-default-class annotation set to "true". */
export function isDefaultStorageClass(obj: KubeObject): boolean {
  const annotations = obj.metadata?.annotations ?? {};
  return (
    annotations['storageclass.kubernetes.io/is-default-class'] === 'true' ||
    annotations['storageclass.beta.kubernetes.io/is-default-class'] === 'true'
  );
}

const newest = (a: KubeObject, b: KubeObject) =>
  (a.metadata?.creationTimestamp ?? '') >= (b.metadata?.creationTimestamp ?? '') ? a : b;

/** GetDefaultClass over `classes`: the newest class annotated default, or none. */
export function newestDefaultClass(classes: KubeObject[]): StorageClass | undefined {
  const defaults = classes.filter(isDefaultStorageClass);
  return defaults.length ? (defaults.reduce(newest) as StorageClass) : undefined;
}

/** GetDefaultClass: the cluster's newest class annotated default, or none. */
export function defaultStorageClass(cluster: SimCluster): StorageClass | undefined {
  return newestDefaultClass(cluster.list('storage.k8s.io/v1', 'StorageClass'));
}

/** The class of this name, if there is one. */
export function storageClassOf(cluster: SimCluster, name: string | undefined): StorageClass | undefined {
  return name
    ? (cluster.get('storage.k8s.io/v1', 'StorageClass', name) as StorageClass | undefined)
    : undefined;
}
