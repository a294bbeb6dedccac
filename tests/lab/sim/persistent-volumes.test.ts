/**
 * Claims of kind's `standard` StorageClass as a kind cluster handles them (persistent-volumes.ts, volume-binding.ts):
 * Pending with WaitForFirstConsumer until a pod uses the claim; then the scheduler selects the node, the
 * PersistentVolume controller hands the claim to local-path-provisioner, which makes `pvc-<uid>` 2 s later; the claim
 * is Bound and only then is the pod scheduled. Static volumes bind by class, modes and size; a released volume of
 * policy Delete goes; a pod whose claim is missing is unschedulable until it exists. All on the virtual clock.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sleep } from '../../../src/lab/clock.js';
import { type SimCluster, startSimCluster } from '../../../src/lab/sim/api.js';
import { VirtualClock } from '../../../src/lab/sim/clock.js';
import { standardStorageClass } from '../../../src/lab/sim/kind-baseline.js';
import { Kubelet } from '../../../src/lab/sim/kubelet.js';
import { startVolumeControllers } from '../../../src/lab/sim/persistent-volumes.js';
import { persistentVolumePrinter, storageClassPrinter } from '../../../src/lab/sim/printers/core.js';
import type { KubeObject } from '../../../src/lab/sim/store.js';

const NODE = 'gitops-lab-control-plane';
let cluster: SimCluster | undefined;
let clock: VirtualClock;
const stops: Array<() => void> = [];

afterEach(async () => {
  for (const stop of stops.splice(0)) stop();
  clock?.stop();
  await cluster?.close();
  cluster = undefined;
});

async function start(options: { provisioner?: boolean } = {}): Promise<SimCluster> {
  clock = new VirtualClock({ start: Date.parse('2026-01-01T00:00:00Z') });
  const c = await startSimCluster({ clock });
  cluster = c;
  c.seed(
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'local-path-storage' } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'lab-git' } },
    standardStorageClass(),
  );
  const kubelet = new Kubelet(c, { clock }).start();
  stops.push(() => kubelet.stop(), startVolumeControllers(c, { clock }));
  if (options.provisioner !== false)
    c.seed({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'local-path-provisioner-7dc846544d-abcde',
        namespace: 'local-path-storage',
        labels: { app: 'local-path-provisioner' },
      },
      spec: {
        containers: [
          {
            name: 'local-path-provisioner',
            image: 'docker.io/kindest/local-path-provisioner:v20250214-acbabc1a',
          },
        ],
      },
    });
  await sleep(clock, 5000);
  return c;
}

const claim = (spec: Record<string, unknown> = {}) =>
  cluster?.seed({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'git-server-data', namespace: 'lab-git' },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '256Mi' } }, ...spec },
  })[0] as KubeObject;

const gitPod = () =>
  cluster?.seed({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'git-server', namespace: 'lab-git' },
    spec: {
      containers: [{ name: 'git', image: 'git-server:dev' }],
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'git-server-data' } }],
    },
  });

const get = (kind: string, name: string, ns?: string) => cluster?.get('v1', kind, name, ns);
const nodeOf = (pod: string) =>
  (get('Pod', pod, 'lab-git')?.spec as { nodeName?: string } | undefined)?.nodeName;
const phase = (o: KubeObject | undefined) => (o?.status as { phase?: string } | undefined)?.phase;
const events = (name: string) =>
  (cluster?.list('v1', 'Event', 'lab-git') ?? [])
    .filter((e) => (e.involvedObject as { name?: string }).name === name)
    .map((e) => ({
      reason: e.reason as string,
      from: (e.source as { component?: string }).component,
      count: e.count as number,
      message: e.message as string,
    }));

describe('a claim of the standard class (WaitForFirstConsumer)', () => {
  it('gets the default class and waits for its first consumer, the event counted at each 15 s sync', async () => {
    const c = await start();
    claim();
    await sleep(clock, 46_000);
    const pvc = get('PersistentVolumeClaim', 'git-server-data', 'lab-git');
    expect(pvc?.spec).toMatchObject({ storageClassName: 'standard' });
    expect(phase(pvc)).toBe('Pending');
    expect(c.list('v1', 'PersistentVolume')).toEqual([]);
    const waiting = events('git-server-data').filter((e) => e.reason === 'WaitForFirstConsumer');
    expect(waiting).toEqual([
      {
        reason: 'WaitForFirstConsumer',
        from: 'persistentvolume-controller',
        count: 4,
        message: 'waiting for first consumer to be created before binding',
      },
    ]);
  });

  it('a pod using it is scheduled only once local-path-provisioner has made and bound its volume', async () => {
    const c = await start();
    const pvc = claim();
    await sleep(clock, 1000);
    gitPod();
    await sleep(clock, 1000);
    // Provisioning has begun: the node is selected, the pod is not yet bound.
    const waiting = get('PersistentVolumeClaim', 'git-server-data', 'lab-git');
    expect(waiting?.metadata?.annotations).toMatchObject({
      'volume.kubernetes.io/selected-node': NODE,
      'volume.kubernetes.io/storage-provisioner': 'rancher.io/local-path',
      'volume.beta.kubernetes.io/storage-provisioner': 'rancher.io/local-path',
    });
    expect(nodeOf('git-server')).toBeUndefined();
    await sleep(clock, 4000);
    const pvName = `pvc-${pvc.metadata?.uid}`;
    const pv = get('PersistentVolume', pvName);
    expect(pv).toMatchObject({
      metadata: {
        annotations: {
          'local.path.provisioner/selected-node': NODE,
          'pv.kubernetes.io/provisioned-by': 'rancher.io/local-path',
        },
      },
      spec: {
        accessModes: ['ReadWriteOnce'],
        capacity: { storage: '256Mi' },
        claimRef: {
          kind: 'PersistentVolumeClaim',
          namespace: 'lab-git',
          name: 'git-server-data',
          uid: pvc.metadata?.uid,
        },
        hostPath: {
          path: `/var/local-path-provisioner/${pvName}_lab-git_git-server-data`,
          type: 'DirectoryOrCreate',
        },
        nodeAffinity: {
          required: {
            nodeSelectorTerms: [
              { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [NODE] }] },
            ],
          },
        },
        persistentVolumeReclaimPolicy: 'Delete',
        storageClassName: 'standard',
        volumeMode: 'Filesystem',
      },
      status: { phase: 'Bound' },
    });
    const bound = get('PersistentVolumeClaim', 'git-server-data', 'lab-git');
    expect(bound?.spec).toMatchObject({ volumeName: pvName });
    expect(bound?.status).toEqual({
      phase: 'Bound',
      accessModes: ['ReadWriteOnce'],
      capacity: { storage: '256Mi' },
    });
    expect(bound?.metadata?.annotations).toMatchObject({
      'pv.kubernetes.io/bind-completed': 'yes',
      'pv.kubernetes.io/bound-by-controller': 'yes',
    });
    expect(nodeOf('git-server')).toBe(NODE);
    const reasons = events('git-server-data').map((e) => e.reason);
    expect(reasons).toEqual([
      'WaitForFirstConsumer',
      'ExternalProvisioning',
      'Provisioning',
      'ProvisioningSucceeded',
    ]);
    const provisioning = events('git-server-data').find((e) => e.reason === 'Provisioning');
    expect(provisioning?.from).toMatch(
      /^rancher\.io\/local-path_local-path-provisioner-7dc846544d-abcde_[0-9a-f-]{36}$/,
    );
    expect(provisioning?.message).toBe(
      'External provisioner is provisioning volume for claim "lab-git/git-server-data"',
    );
    expect(events('git-server-data').find((e) => e.reason === 'ExternalProvisioning')?.message).toBe(
      "Waiting for a volume to be created either by the external provisioner 'rancher.io/local-path' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.",
    );
    // The pod's Scheduled event comes after the volume was provisioned.
    const scheduled = events('git-server').find((e) => e.reason === 'Scheduled');
    expect(scheduled?.message).toBe(`Successfully assigned lab-git/git-server to ${NODE}`);
    expect(c.list('v1', 'PersistentVolume')).toHaveLength(1);
  });

  it('without a running provisioner the claim waits (ExternalProvisioning) and the pod stays unscheduled', async () => {
    await start({ provisioner: false });
    claim();
    gitPod();
    await sleep(clock, 31_000);
    expect(phase(get('PersistentVolumeClaim', 'git-server-data', 'lab-git'))).toBe('Pending');
    expect(nodeOf('git-server')).toBeUndefined();
    const external = events('git-server-data').find((e) => e.reason === 'ExternalProvisioning');
    expect(external?.count).toBeGreaterThanOrEqual(2);
  });

  it('deleting the claim releases its volume, which local-path-provisioner deletes (reclaim policy Delete)', async () => {
    const c = await start();
    const pvc = claim();
    gitPod();
    await sleep(clock, 6000);
    const pvName = `pvc-${pvc.metadata?.uid}`;
    expect(phase(get('PersistentVolume', pvName))).toBe('Bound');
    c.remove('v1', 'Pod', 'git-server', 'lab-git');
    c.remove('v1', 'PersistentVolumeClaim', 'git-server-data', 'lab-git');
    await sleep(clock, 1000);
    expect(phase(get('PersistentVolume', pvName))).toBe('Released');
    await sleep(clock, 3000);
    expect(get('PersistentVolume', pvName)).toBeUndefined();
  });
});

describe('the scheduler and claims it cannot use', () => {
  it('a pod whose claim does not exist is unschedulable, and is scheduled once the claim is made', async () => {
    await start();
    gitPod();
    await sleep(clock, 1000);
    const message =
      '0/1 nodes are available: persistentvolumeclaim "git-server-data" not found. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.';
    expect(events('git-server')).toEqual([
      { reason: 'FailedScheduling', from: 'default-scheduler', count: 1, message },
    ]);
    const conditions = (get('Pod', 'git-server', 'lab-git')?.status as { conditions?: unknown[] } | undefined)
      ?.conditions;
    expect(conditions).toContainEqual(
      expect.objectContaining({ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message }),
    );
    claim();
    await sleep(clock, 8000);
    expect(nodeOf('git-server')).toBe(NODE);
  });

  it('a claim of an Immediate class binds the smallest Available static volume that fits', async () => {
    const c = await start();
    c.seed(
      {
        apiVersion: 'storage.k8s.io/v1',
        kind: 'StorageClass',
        metadata: { name: 'manual' },
        provisioner: 'kubernetes.io/no-provisioner',
      } as KubeObject,
      ...['1Gi', '300Mi', '100Mi'].map((size, i) => ({
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: { name: `static-${i}` },
        spec: {
          storageClassName: 'manual',
          accessModes: ['ReadWriteOnce'],
          capacity: { storage: size },
          hostPath: { path: `/data/${i}` },
        },
      })),
    );
    await sleep(clock, 1000);
    claim({ storageClassName: 'manual' });
    await sleep(clock, 1000);
    expect(get('PersistentVolumeClaim', 'git-server-data', 'lab-git')?.spec).toMatchObject({
      volumeName: 'static-1',
    });
    expect(phase(get('PersistentVolume', 'static-1'))).toBe('Bound');
    expect(phase(get('PersistentVolume', 'static-0'))).toBe('Available');
    expect(phase(get('PersistentVolume', 'static-2'))).toBe('Available');
  });
});

describe('printers', () => {
  it('kubectl get sc: `standard (default)`, its provisioner, Delete, WaitForFirstConsumer, false', () => {
    const row = storageClassPrinter.row(standardStorageClass(), Date.now());
    expect(row.cells.slice(0, 5)).toEqual([
      'standard (default)',
      'rancher.io/local-path',
      'Delete',
      'WaitForFirstConsumer',
      false,
    ]);
  });

  it('kubectl get pv: capacity, modes, policy, status, claim, class, <unset> attributes class', () => {
    const row = persistentVolumePrinter.row(
      {
        metadata: { name: 'pvc-1' },
        spec: {
          capacity: { storage: '256Mi' },
          accessModes: ['ReadWriteOnce'],
          persistentVolumeReclaimPolicy: 'Delete',
          claimRef: { namespace: 'lab-git', name: 'git-server-data' },
          storageClassName: 'standard',
        },
        status: { phase: 'Bound' },
      },
      Date.now(),
    );
    expect(row.cells.slice(0, 9)).toEqual([
      'pvc-1',
      '256Mi',
      'RWO',
      'Delete',
      'Bound',
      'lab-git/git-server-data',
      'standard',
      '<unset>',
      '',
    ]);
  });
});
