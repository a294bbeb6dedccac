/**
 * Claims and volumes as a v1.33 cluster protects them (src/lab/sim/storage-admission.ts, volume-protection.ts):
 * the DefaultStorageClass and StorageObjectInUseProtection admission plugins at create, and the PVC and PV
 * protection controllers, on the simulated lab's git-server-data claim, on the virtual clock.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sleep } from '../../../src/lab/clock.js';
import { VirtualClock } from '../../../src/lab/sim/clock.js';
import { type SimLab, startSimLab } from '../../../src/lab/sim/lab.js';

let lab: SimLab | undefined;
afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

async function request(l: SimLab, method: string, path: string, body?: unknown) {
  const res = await fetch(`${l.cluster.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const claim = (l: SimLab) => l.cluster.get('v1', 'PersistentVolumeClaim', 'git-server-data', 'lab-git');

describe('storage protection on the simulated lab', { timeout: 120_000 }, () => {
  it('a claim in use stays Terminating until its pod is gone; then it and its volume go', async () => {
    const clock = new VirtualClock({ start: 0 });
    const l = await startSimLab({ clock });
    lab = l;
    const bound = claim(l);
    expect(bound?.metadata?.finalizers).toEqual(['kubernetes.io/pvc-protection']);
    const volumeName = (bound?.spec as { volumeName?: string } | undefined)?.volumeName ?? '';
    expect(l.cluster.get('v1', 'PersistentVolume', volumeName)?.metadata?.finalizers).toEqual([
      'kubernetes.io/pv-protection',
    ]);

    const deleted = await request(
      l,
      'DELETE',
      '/api/v1/namespaces/lab-git/persistentvolumeclaims/git-server-data',
    );
    expect(deleted.status).toBe(200);
    await sleep(clock, 60_000);
    // The Git server's pod still mounts it.
    expect(claim(l)?.metadata?.deletionTimestamp).toBeDefined();
    expect(claim(l)?.metadata?.finalizers).toEqual(['kubernetes.io/pvc-protection']);

    l.cluster.update('apps/v1', 'Deployment', 'git-server', 'lab-git', (d) => {
      (d.spec as { replicas: number }).replicas = 0;
    });
    await sleep(clock, 10_000);
    expect(l.cluster.list('v1', 'Pod', 'lab-git')).toEqual([]);
    expect(claim(l)).toBeUndefined();
    // Released, then deleted by local-path-provisioner: its finalizer lifted as it is no longer Bound.
    expect(l.cluster.get('v1', 'PersistentVolume', volumeName)).toBeUndefined();
  });

  it('a new claim gets the default class and the finalizer at create; an empty class name stays empty', async () => {
    const clock = new VirtualClock({ start: 0 });
    const l = await startSimLab({ clock });
    lab = l;
    const claimOf = (name: string, spec: Record<string, unknown> = {}) => ({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...spec },
    });
    const path = '/api/v1/namespaces/default/persistentvolumeclaims';
    const created = await request(l, 'POST', path, claimOf('data'));
    expect(created.status).toBe(201);
    expect(created.body.spec).toMatchObject({ storageClassName: 'standard', volumeMode: 'Filesystem' });
    expect((created.body.metadata as { finalizers?: string[] }).finalizers).toEqual([
      'kubernetes.io/pvc-protection',
    ]);
    const none = await request(l, 'POST', path, claimOf('static', { storageClassName: '' }));
    expect(none.body.spec).toMatchObject({ storageClassName: '' });
    // Unused: deleted at once, as the controller finds no pod that mounts it.
    expect((await request(l, 'DELETE', `${path}/data`)).status).toBe(200);
    await sleep(clock, 1000);
    expect(l.cluster.get('v1', 'PersistentVolumeClaim', 'data', 'default')).toBeUndefined();
  });
});
