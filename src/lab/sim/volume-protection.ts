/**
 * kube-controller-manager's two storage protection controllers (Kubernetes v1.33), which lift the finalizers the
 * StorageObjectInUseProtection admission plugin puts on claims and volumes (storage-admission.ts) once the object
 * is no longer in use, so `kubectl delete pvc` of a claim a pod still mounts leaves it Terminating until that pod
 * is gone:
 * - PVC protection (pkg/controller/volume/pvcprotection/pvc_protection_controller.go, processPVC): a claim being
 *   deleted with the finalizer keeps it while a pod of its namespace that is scheduled (spec.nodeName set) names it
 *   in a persistentVolumeClaim volume (podUsesPVC: whatever the pod's phase; a pod counts until it is removed); else
 *   the finalizer goes. A claim not being deleted that lacks the finalizer gets it. Claims are looked at when they
 *   change, and again for each claim a pod names when that pod is removed, has finished, or is not scheduled
 *   (enqueuePVCs).
 * - PV protection (pkg/controller/volume/pvprotection/pv_protection_controller.go): a volume being deleted keeps its
 *   finalizer while it is Bound, else the finalizer goes; one not being deleted that lacks it gets it.
 * Not modelled: generic ephemeral volumes (podIsShutDown matters only for them), the controllers' work-queue delays
 * (they act as soon as the change is seen).
 */
import type { SimCluster } from './api.js';
import { finalizersOf, withFinalizers } from './finalizers.js';
import { PV_PROTECTION_FINALIZER, PVC_PROTECTION_FINALIZER } from './storage-admission.js';
import type { KubeObject, StoredEvent } from './store.js';

interface PodVolumes {
  spec?: { nodeName?: string; volumes?: Array<{ persistentVolumeClaim?: { claimName?: string } }> };
  status?: { phase?: string };
}

const claimNames = (pod: KubeObject): string[] =>
  ((pod as PodVolumes).spec?.volumes ?? []).flatMap((v) =>
    v.persistentVolumeClaim?.claimName ? [v.persistentVolumeClaim.claimName] : [],
  );

/** podUsesPVC: the pod is scheduled and mounts the claim. */
const podUsesClaim = (pod: KubeObject, claim: string) =>
  Boolean((pod as PodVolumes).spec?.nodeName) && claimNames(pod).includes(claim);

/** Starts both controllers on `cluster`; returns the function that stops them. */
export function startVolumeProtection(cluster: SimCluster): () => void {
  const setFinalizers = (apiVersion: string, kind: string, o: KubeObject, next: string[]) =>
    cluster.update(apiVersion, kind, o.metadata?.name ?? '', o.metadata?.namespace, (c) => {
      c.metadata = withFinalizers(c, next).metadata;
    });

  function processClaim(namespace: string | undefined, name: string): void {
    const claim = cluster.get('v1', 'PersistentVolumeClaim', name, namespace);
    if (!claim) return;
    const finalizers = finalizersOf(claim);
    const has = finalizers.includes(PVC_PROTECTION_FINALIZER);
    if (claim.metadata?.deletionTimestamp) {
      if (!has) return;
      const used = cluster.list('v1', 'Pod', namespace).some((pod) => podUsesClaim(pod, name));
      if (!used)
        setFinalizers(
          'v1',
          'PersistentVolumeClaim',
          claim,
          finalizers.filter((f) => f !== PVC_PROTECTION_FINALIZER),
        );
    } else if (!has)
      setFinalizers('v1', 'PersistentVolumeClaim', claim, [...finalizers, PVC_PROTECTION_FINALIZER]);
  }

  function processVolume(name: string): void {
    const pv = cluster.get('v1', 'PersistentVolume', name);
    if (!pv) return;
    const finalizers = finalizersOf(pv);
    const has = finalizers.includes(PV_PROTECTION_FINALIZER);
    if (pv.metadata?.deletionTimestamp) {
      const bound = (pv.status as { phase?: string } | undefined)?.phase === 'Bound';
      if (has && !bound)
        setFinalizers(
          'v1',
          'PersistentVolume',
          pv,
          finalizers.filter((f) => f !== PV_PROTECTION_FINALIZER),
        );
    } else if (!has) setFinalizers('v1', 'PersistentVolume', pv, [...finalizers, PV_PROTECTION_FINALIZER]);
  }

  return cluster.addController((event: StoredEvent) => {
    if (event.resource.group !== '') return;
    const o = event.object;
    const ns = o.metadata?.namespace;
    if (event.resource.kind === 'PersistentVolumeClaim' && event.type !== 'DELETED')
      processClaim(ns, o.metadata?.name ?? '');
    else if (event.resource.kind === 'PersistentVolume' && event.type !== 'DELETED')
      processVolume(o.metadata?.name ?? '');
    else if (event.resource.kind === 'Pod') {
      // enqueuePVCs: only a pod that can no longer hold a claim: removed, finished, or not scheduled.
      const phase = (o as PodVolumes).status?.phase;
      const done = event.type === 'DELETED' || phase === 'Succeeded' || phase === 'Failed';
      if (!done && (o as PodVolumes).spec?.nodeName) return;
      for (const claim of claimNames(o)) processClaim(ns, claim);
    }
  });
}
