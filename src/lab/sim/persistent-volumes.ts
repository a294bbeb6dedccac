/**
 * Persistent volumes on a kind cluster: kube-controller-manager's PersistentVolume controller (the binder) and kind's
 * local-path-provisioner, which provisions claims of the `standard` StorageClass (kind-baseline.ts). With the
 * scheduler's volume binding (volume-binding.ts) they give what a user of kind sees for the lab's git-server-data
 * claim: `Pending` with WaitForFirstConsumer until a pod using it is scheduled, then ExternalProvisioning,
 * Provisioning, ProvisioningSucceeded, and `Bound` to a `pvc-<claim uid>` volume; the pod is scheduled only then.
 *
 * PersistentVolume controller (pkg/controller/volume/persistentvolume/pv_controller.go, read in an untagged copy of
 * the v1.3x line):
 * - every claim and volume is synced on each change and every 15 s (--pvclaimbinder-sync-period), so its waiting
 *   events repeat (counted by the event recorder, `x4 over 40s`);
 * - a claim with no storageClassName gets the default class (the newest of those annotated default; the
 *   RetroactiveDefaultStorageClass assignment in syncUnboundClaim, for a claim created while there was none);
 * - an unbound claim (syncUnboundClaim): a volume whose claimRef names it (by uid) is bound to it; else an Available
 *   volume of its class with the access modes and at least the size asked is bound (findBestMatch: the smallest);
 *   else, if its class binds WaitForFirstConsumer and no node was selected (annotation
 *   volume.kubernetes.io/selected-node, written by the scheduler), event WaitForFirstConsumer; else, for a class
 *   whose provisioner is external, the claim is annotated with the provisioner (volume.kubernetes.io/storage-provisioner
 *   and the beta key) and event ExternalProvisioning; a class that does not exist is a Warning ProvisioningFailed;
 *   no class at all is FailedBinding. The claim stays Pending;
 * - binding (bind): the volume's claimRef and phase Bound; the claim's volumeName, the annotations
 *   pv.kubernetes.io/bind-completed and pv.kubernetes.io/bound-by-controller, phase Bound, its access modes and the
 *   volume's capacity;
 * - a volume whose claim is gone (or was recreated with another uid) is Released; with reclaim policy Delete and an
 *   external provisioner, that provisioner deletes it; with Retain it stays Released.
 * local-path-provisioner (github.com/rancher/local-path-provisioner provisioner.go, on
 * sigs.k8s.io/sig-storage-lib-external-provisioner controller.go), as kind v0.29.0 configures it (const_storage.go:
 * path /var/local-path-provisioner, helper image kindest/local-path-helper):
 * - it works only while its pod (local-path-storage, app=local-path-provisioner) is Running and Ready;
 * - a claim annotated with its provisioner name and a selected node gets event Provisioning from
 *   `rancher.io/local-path_<pod>_<uuid>`; a helper pod makes the directory (not shown here: its run is a 2 s delay,
 *   as observed on kind); then the volume `pvc-<claim uid>`: hostPath
 *   /var/local-path-provisioner/pvc-<uid>_<namespace>_<name> (DirectoryOrCreate), node affinity to the selected node,
 *   the class's reclaim policy, the claim's access modes, size and volume mode, claimRef to the claim, annotations
 *   pv.kubernetes.io/provisioned-by and local.path.provisioner/selected-node; event ProvisioningSucceeded;
 * - a Released volume it provisioned, with policy Delete, is deleted after its helper pod has removed the
 *   directory (2 s).
 * Claims and volumes carry the protection finalizers of the StorageObjectInUseProtection admission plugin
 * (storage-admission.ts), lifted by the protection controllers started here (volume-protection.ts); the
 * DefaultStorageClass admission plugin gives a new claim its class, so the binder's retroactive assignment only
 * concerns claims created while no class was default.
 * Not modelled: volume expansion, access-mode conflicts between pods, static volumes' node affinity in scheduling.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { SimCluster } from './api.js';
import { eventRecorder } from './events.js';
import { podReady } from './kubelet.js';
import { deleteObject } from './object-deletion.js';
import { milliValue } from './quantity.js';
import { defaultStorageClass, storageClassOf } from './storage-classes.js';
import type { KubeObject, StoredEvent } from './store.js';
import { startVolumeProtection } from './volume-protection.js';

/** pv_controller.go annotations. */
export const SELECTED_NODE = 'volume.kubernetes.io/selected-node';
export const STORAGE_PROVISIONER = 'volume.kubernetes.io/storage-provisioner';
const BETA_STORAGE_PROVISIONER = 'volume.beta.kubernetes.io/storage-provisioner';
const BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
const BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
const PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';
/** The provisioner kind's `standard` class names, and where kind's configuration puts its volumes. */
export const LOCAL_PATH_PROVISIONER = 'rancher.io/local-path';
const LOCAL_PATH_ROOT = '/var/local-path-provisioner';
/** --pvclaimbinder-sync-period. */
export const PV_SYNC_PERIOD_MS = 15_000;
/** The helper pod's run, create or delete (observed 2-3 s on kind). */
export const LOCAL_PATH_HELPER_MS = 2000;

export interface ClaimSpec {
  storageClassName?: string;
  volumeName?: string;
  accessModes?: string[];
  volumeMode?: string;
  resources?: { requests?: { storage?: string | number } };
}
interface VolumeSpec {
  storageClassName?: string;
  accessModes?: string[];
  capacity?: { storage?: string | number };
  claimRef?: { name?: string; namespace?: string; uid?: string };
  persistentVolumeReclaimPolicy?: string;
}

/** a - b of two storage sizes (an unreadable size as 0). */
const compareQuantities = (a: string | number, b: string | number) =>
  (milliValue(a) ?? 0) - (milliValue(b) ?? 0);
const claimSpec = (claim: KubeObject) => (claim.spec ?? {}) as ClaimSpec;
const volumeSpec = (pv: KubeObject) => (pv.spec ?? {}) as VolumeSpec;
const phaseOf = (o: KubeObject | undefined) => (o?.status as { phase?: string } | undefined)?.phase;
const annotation = (o: KubeObject, key: string) => o.metadata?.annotations?.[key];
/** Whether a claim waits for its first consumer: its class binds WaitForFirstConsumer and no node is selected. */
export function delaysBinding(cluster: SimCluster, claim: KubeObject): boolean {
  const sc = storageClassOf(cluster, claimSpec(claim).storageClassName);
  return sc?.volumeBindingMode === 'WaitForFirstConsumer';
}

export interface VolumeControllersOptions {
  clock: Clock;
}

/** The PersistentVolume controller and kind's local-path-provisioner; returns a function that stops both. */
export function startVolumeControllers(cluster: SimCluster, options: VolumeControllersOptions): () => void {
  const { clock } = options;
  const binder = eventRecorder(cluster, clock, 'persistentvolume-controller');
  const provisioner = localPathProvisioner(cluster, clock);
  let stopped = false;

  function bind(pv: KubeObject, claim: KubeObject): void {
    const ns = claim.metadata?.namespace;
    const name = claim.metadata?.name ?? '';
    const pvName = pv.metadata?.name ?? '';
    cluster.update('v1', 'PersistentVolume', pvName, undefined, (v) => {
      const spec = volumeSpec(v);
      v.spec = {
        ...spec,
        claimRef: {
          kind: 'PersistentVolumeClaim',
          namespace: ns,
          name,
          uid: claim.metadata?.uid,
          apiVersion: 'v1',
          resourceVersion: claim.metadata?.resourceVersion,
        },
      };
      v.status = { ...(v.status as object), phase: 'Bound' };
    });
    cluster.update('v1', 'PersistentVolumeClaim', name, ns, (c) => {
      c.spec = { ...claimSpec(c), volumeName: pvName };
      if (c.metadata)
        c.metadata.annotations = {
          ...c.metadata.annotations,
          [BIND_COMPLETED]: 'yes',
          [BOUND_BY_CONTROLLER]: 'yes',
        };
      const v = volumeSpec(pv);
      c.status = {
        ...(c.status as object),
        phase: 'Bound',
        accessModes: v.accessModes ?? [],
        capacity: { ...(v.capacity ?? {}) },
      };
    });
  }

  /** findBestMatch: a volume pre-bound to the claim, else the smallest Available one that fits. */
  function matchingVolume(claim: KubeObject): KubeObject | undefined {
    const spec = claimSpec(claim);
    const volumes = cluster.list('v1', 'PersistentVolume');
    const prebound = volumes.find((v) => volumeSpec(v).claimRef?.uid === claim.metadata?.uid);
    if (prebound) return prebound;
    if (delaysBinding(cluster, claim) && !annotation(claim, SELECTED_NODE)) return undefined;
    const wanted = spec.resources?.requests?.storage ?? 0;
    return volumes
      .filter((v) => {
        const vs = volumeSpec(v);
        return (
          !vs.claimRef &&
          phaseOf(v) === 'Available' &&
          (vs.storageClassName ?? '') === (spec.storageClassName ?? '') &&
          (spec.accessModes ?? []).every((m) => (vs.accessModes ?? []).includes(m)) &&
          compareQuantities(vs.capacity?.storage ?? 0, wanted) >= 0
        );
      })
      .sort((a, b) =>
        compareQuantities(volumeSpec(a).capacity?.storage ?? 0, volumeSpec(b).capacity?.storage ?? 0),
      )[0];
  }

  function syncClaim(claim: KubeObject): void {
    if (claim.metadata?.deletionTimestamp) return;
    const ns = claim.metadata?.namespace;
    const name = claim.metadata?.name ?? '';
    const spec = claimSpec(claim);
    if (spec.storageClassName === undefined) {
      const fallback = defaultStorageClass(cluster);
      if (fallback)
        cluster.update('v1', 'PersistentVolumeClaim', name, ns, (c) => {
          c.spec = { ...claimSpec(c), storageClassName: fallback.metadata?.name };
        });
      return;
    }
    // A claim's phase is Pending from its creation upstream (SetDefaults_PersistentVolumeClaim); a claim the sim
    // stored without one gets it here, and is synced again on that change.
    if (phaseOf(claim) === undefined) {
      cluster.update('v1', 'PersistentVolumeClaim', name, ns, (c) => {
        c.status = { ...(c.status as object), phase: 'Pending' };
      });
      return;
    }
    if (spec.volumeName) {
      const pv = cluster.get('v1', 'PersistentVolume', spec.volumeName);
      if (!pv && phaseOf(claim) === 'Bound') {
        cluster.update('v1', 'PersistentVolumeClaim', name, ns, (c) => {
          c.status = { ...(c.status as object), phase: 'Lost' };
        });
        binder.record(
          claim,
          'Warning',
          'ClaimLost',
          'Bound claim has lost its PersistentVolume. Data on the volume is lost!',
        );
      }
      return;
    }
    const pv = matchingVolume(claim);
    if (pv) {
      bind(pv, claim);
      return;
    }
    const current = cluster.get('v1', 'PersistentVolumeClaim', name, ns) ?? claim;
    if (spec.storageClassName === '') {
      binder.record(
        current,
        'Normal',
        'FailedBinding',
        'no persistent volumes available for this claim and no storage class is set',
      );
      return;
    }
    const sc = storageClassOf(cluster, spec.storageClassName);
    if (!sc) {
      binder.record(
        current,
        'Warning',
        'ProvisioningFailed',
        `storageclass.storage.k8s.io "${spec.storageClassName}" not found`,
      );
      return;
    }
    if (sc.volumeBindingMode === 'WaitForFirstConsumer' && !annotation(current, SELECTED_NODE)) {
      binder.record(
        current,
        'Normal',
        'WaitForFirstConsumer',
        'waiting for first consumer to be created before binding',
      );
      return;
    }
    const provisionerName = sc.provisioner ?? '';
    if (annotation(current, STORAGE_PROVISIONER) !== provisionerName)
      cluster.update('v1', 'PersistentVolumeClaim', name, ns, (c) => {
        if (c.metadata)
          c.metadata.annotations = {
            ...c.metadata.annotations,
            [STORAGE_PROVISIONER]: provisionerName,
            [BETA_STORAGE_PROVISIONER]: provisionerName,
          };
      });
    binder.record(
      current,
      'Normal',
      'ExternalProvisioning',
      `Waiting for a volume to be created either by the external provisioner '${provisionerName}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`,
    );
  }

  function syncVolume(pv: KubeObject): void {
    const spec = volumeSpec(pv);
    const name = pv.metadata?.name ?? '';
    if (!spec.claimRef) {
      if (phaseOf(pv) !== 'Available')
        cluster.update('v1', 'PersistentVolume', name, undefined, (v) => {
          v.status = { ...(v.status as object), phase: 'Available' };
        });
      return;
    }
    const claim = cluster.get(
      'v1',
      'PersistentVolumeClaim',
      spec.claimRef.name ?? '',
      spec.claimRef.namespace,
    );
    const gone = !claim || (spec.claimRef.uid !== undefined && claim.metadata?.uid !== spec.claimRef.uid);
    if (gone) {
      if (phaseOf(pv) === 'Bound')
        cluster.update('v1', 'PersistentVolume', name, undefined, (v) => {
          v.status = { ...(v.status as object), phase: 'Released' };
        });
      return;
    }
    if (claim && !claimSpec(claim).volumeName && spec.claimRef.uid === claim.metadata?.uid) bind(pv, claim);
  }

  const onEvent = (event: StoredEvent) => {
    if (stopped || event.resource.group !== '') return;
    if (event.resource.kind === 'PersistentVolumeClaim') {
      if (event.type === 'DELETED') {
        // The claim's volume is released (syncVolume of the volume whose claimRef names it).
        for (const pv of cluster.list('v1', 'PersistentVolume'))
          if (volumeSpec(pv).claimRef?.uid === event.object.metadata?.uid) syncVolume(pv);
        return;
      }
      const claim = cluster.get(
        'v1',
        'PersistentVolumeClaim',
        event.object.metadata?.name ?? '',
        event.object.metadata?.namespace,
      );
      if (claim) syncClaim(claim);
    }
    if (event.resource.kind === 'PersistentVolume' && event.type !== 'DELETED') {
      const pv = cluster.get('v1', 'PersistentVolume', event.object.metadata?.name ?? '');
      if (pv) syncVolume(pv);
    }
  };
  const detach = cluster.addController(onEvent);
  let cancelResync = () => {};
  const resync = () => {
    cancelResync = clock.setTimer(PV_SYNC_PERIOD_MS, () => {
      if (stopped) return;
      for (const claim of cluster.list('v1', 'PersistentVolumeClaim')) syncClaim(claim);
      for (const pv of cluster.list('v1', 'PersistentVolume')) syncVolume(pv);
      resync();
    });
  };
  resync();
  const stopProvisioner = provisioner.start();
  // The PVC and PV protection controllers run beside the binder in kube-controller-manager (volume-protection.ts).
  const stopProtection = startVolumeProtection(cluster);
  return () => {
    stopped = true;
    detach();
    cancelResync();
    stopProvisioner();
    stopProtection();
  };
}

/** kind's local-path-provisioner: provisions and deletes the `rancher.io/local-path` volumes. */
function localPathProvisioner(cluster: SimCluster, clock: Clock) {
  const inFlight = new Set<string>();
  const cancels = new Set<() => void>();
  const identity = randomUUID();
  let stopped = false;

  /** Its pod, when Running and Ready: the provisioner's name in events is `<provisioner>_<pod>_<uuid>`. */
  function runningPod(): KubeObject | undefined {
    return cluster
      .list('v1', 'Pod', 'local-path-storage')
      .find(
        (p) =>
          p.metadata?.labels?.app === 'local-path-provisioner' &&
          !p.metadata?.deletionTimestamp &&
          phaseOf(p) === 'Running' &&
          podReady(p),
      );
  }

  const later = (ms: number, fn: () => void) => {
    const cancel = clock.setTimer(ms, () => {
      cancels.delete(cancel);
      if (!stopped) fn();
    });
    cancels.add(cancel);
  };

  function provision(claim: KubeObject, pod: KubeObject): void {
    const uid = claim.metadata?.uid ?? '';
    const ns = claim.metadata?.namespace ?? 'default';
    const name = claim.metadata?.name ?? '';
    const pvName = `pvc-${uid}`;
    if (inFlight.has(uid) || cluster.get('v1', 'PersistentVolume', pvName)) return;
    inFlight.add(uid);
    const events = eventRecorder(
      cluster,
      clock,
      `${LOCAL_PATH_PROVISIONER}_${pod.metadata?.name}_${identity}`,
    );
    events.record(
      claim,
      'Normal',
      'Provisioning',
      `External provisioner is provisioning volume for claim "${ns}/${name}"`,
    );
    later(LOCAL_PATH_HELPER_MS, () => {
      inFlight.delete(uid);
      const current = cluster.get('v1', 'PersistentVolumeClaim', name, ns);
      if (!current || current.metadata?.uid !== uid || claimSpec(current).volumeName) return;
      const spec = claimSpec(current);
      const node = annotation(current, SELECTED_NODE) ?? '';
      const sc = storageClassOf(cluster, spec.storageClassName);
      cluster.seed({
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: {
          name: pvName,
          annotations: {
            'local.path.provisioner/selected-node': node,
            [PROVISIONED_BY]: LOCAL_PATH_PROVISIONER,
          },
        },
        spec: {
          accessModes: spec.accessModes ?? [],
          capacity: { storage: spec.resources?.requests?.storage ?? '0' },
          claimRef: {
            apiVersion: 'v1',
            kind: 'PersistentVolumeClaim',
            name,
            namespace: ns,
            resourceVersion: current.metadata?.resourceVersion,
            uid,
          },
          hostPath: { path: `${LOCAL_PATH_ROOT}/${pvName}_${ns}_${name}`, type: 'DirectoryOrCreate' },
          nodeAffinity: {
            required: {
              nodeSelectorTerms: [
                { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] },
              ],
            },
          },
          persistentVolumeReclaimPolicy: sc?.reclaimPolicy ?? 'Delete',
          storageClassName: spec.storageClassName,
          volumeMode: spec.volumeMode ?? 'Filesystem',
        },
        status: { phase: 'Pending' },
      });
      events.record(current, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${pvName}`);
    });
  }

  function release(pv: KubeObject): void {
    const name = pv.metadata?.name ?? '';
    if (inFlight.has(name)) return;
    inFlight.add(name);
    later(LOCAL_PATH_HELPER_MS, () => {
      inFlight.delete(name);
      const current = cluster.get('v1', 'PersistentVolume', name);
      // A DELETE: the volume's pv-protection finalizer holds it until that controller lifts it.
      if (current && phaseOf(current) === 'Released' && !current.metadata?.deletionTimestamp)
        deleteObject(
          cluster.store,
          cluster.store.resourceFor('v1', 'PersistentVolume'),
          undefined,
          name,
          {},
          clock.now(),
          'test',
        );
    });
  }

  function sync(): void {
    const pod = runningPod();
    if (!pod) return;
    for (const claim of cluster.list('v1', 'PersistentVolumeClaim'))
      if (
        annotation(claim, STORAGE_PROVISIONER) === LOCAL_PATH_PROVISIONER &&
        annotation(claim, SELECTED_NODE) &&
        !claimSpec(claim).volumeName &&
        !claim.metadata?.deletionTimestamp
      )
        provision(claim, pod);
    for (const pv of cluster.list('v1', 'PersistentVolume'))
      if (
        annotation(pv, PROVISIONED_BY) === LOCAL_PATH_PROVISIONER &&
        phaseOf(pv) === 'Released' &&
        volumeSpec(pv).persistentVolumeReclaimPolicy === 'Delete'
      )
        release(pv);
  }

  return {
    start(): () => void {
      const detach = cluster.addController((event) => {
        if (stopped || event.resource.group !== '') return;
        if (['PersistentVolumeClaim', 'PersistentVolume', 'Pod'].includes(event.resource.kind)) sync();
      });
      return () => {
        stopped = true;
        detach();
        for (const cancel of cancels) cancel();
      };
    },
  };
}
