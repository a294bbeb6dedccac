/**
 * What kube-controller-manager puts in every namespace (namespace-defaults.ts): the `default` ServiceAccount
 * (serviceaccounts_controller.go) and the `kube-root-ca.crt` ConfigMap (rootcacertpublisher/publisher.go), kept
 * there when a user deletes or edits them, and nothing new in a namespace that is not Active.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sleep } from '../../../src/lab/clock.js';
import { type SimCluster, startSimCluster } from '../../../src/lab/sim/api.js';
import { VirtualClock } from '../../../src/lab/sim/clock.js';
import {
  ROOT_CA_CONFIGMAP,
  ROOT_CA_DESCRIPTION,
  ROOT_CA_DESCRIPTION_ANNOTATION,
  startNamespaceDefaults,
} from '../../../src/lab/sim/namespace-defaults.js';

const CA = '-----BEGIN CERTIFICATE-----\nMIIB-test-ca\n-----END CERTIFICATE-----\n';

let cluster: SimCluster | undefined;
let clock: VirtualClock;
let stop: (() => void) | undefined;

afterEach(async () => {
  stop?.();
  clock?.stop();
  await cluster?.close();
  cluster = undefined;
});

async function start(options: { rootCa?: string } = { rootCa: CA }): Promise<SimCluster> {
  clock = new VirtualClock({ start: Date.parse('2026-01-01T00:00:00Z') });
  cluster = await startSimCluster({ clock });
  stop = startNamespaceDefaults(cluster, options);
  return cluster;
}

const settle = () => sleep(clock, 1000);
const namespace = (c: SimCluster, name: string) =>
  c.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });

describe('the default ServiceAccount', () => {
  it('is created in every namespace, those that existed at start and new ones', async () => {
    const c = await start();
    namespace(c, 'docqa');
    await settle();
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease', 'docqa'])
      expect(c.get('v1', 'ServiceAccount', 'default', ns), ns).toMatchObject({
        metadata: { name: 'default', namespace: ns },
      });
    // Only the name and namespace: no secrets, no automount setting (DefaultServiceAccountsControllerOptions).
    const sa = c.get('v1', 'ServiceAccount', 'default', 'docqa');
    expect(Object.keys(sa ?? {}).sort()).toEqual(['apiVersion', 'kind', 'metadata']);
  });

  it('comes back when a user deletes it', async () => {
    const c = await start();
    namespace(c, 'docqa');
    await settle();
    const before = c.get('v1', 'ServiceAccount', 'default', 'docqa')?.metadata?.uid;
    c.remove('v1', 'ServiceAccount', 'default', 'docqa');
    await settle();
    const after = c.get('v1', 'ServiceAccount', 'default', 'docqa');
    expect(after).toBeDefined();
    expect(after?.metadata?.uid).not.toBe(before);
  });

  it('other ServiceAccounts are left alone, and a deleted one stays deleted', async () => {
    const c = await start();
    namespace(c, 'docqa');
    c.seed({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'docqa', namespace: 'docqa' } });
    await settle();
    c.remove('v1', 'ServiceAccount', 'docqa', 'docqa');
    await settle();
    expect(c.list('v1', 'ServiceAccount', 'docqa').map((s) => s.metadata?.name)).toEqual(['default']);
  });

  it('is not created in a namespace that is not Active', async () => {
    const c = await start();
    namespace(c, 'going');
    await settle();
    c.update('v1', 'Namespace', 'going', undefined, (ns) => {
      ns.status = { phase: 'Terminating' };
    });
    c.remove('v1', 'ServiceAccount', 'default', 'going');
    await settle();
    expect(c.get('v1', 'ServiceAccount', 'default', 'going')).toBeUndefined();
  });
});

describe('pod admission of ServiceAccounts', () => {
  it('checks a pod’s account while the controller runs, and stops when it is stopped', async () => {
    const c = await start();
    expect(c.store.refusesMissingServiceAccount).toBe(true);
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' } };
    const spec = { serviceAccountName: 'app', containers: [{ name: 'c', image: 'x' }] };
    expect(() => c.seed({ ...pod, spec })).toThrow(
      'pods "p" is forbidden: error looking up service account default/app: serviceaccount "app" not found',
    );
    stop?.();
    stop = undefined;
    expect(c.store.refusesMissingServiceAccount).toBe(false);
    expect(c.seed({ ...pod, spec })).toHaveLength(1);
  });
});

describe('kube-root-ca.crt', () => {
  it('holds the cluster CA and the description annotation in every namespace', async () => {
    const c = await start();
    namespace(c, 'docqa');
    await settle();
    for (const ns of ['default', 'kube-system', 'docqa'])
      expect(c.get('v1', 'ConfigMap', ROOT_CA_CONFIGMAP, ns), ns).toMatchObject({
        metadata: { annotations: { [ROOT_CA_DESCRIPTION_ANNOTATION]: ROOT_CA_DESCRIPTION } },
        data: { 'ca.crt': CA },
      });
  });

  it('an edit of its data is put back; what else a user added stays', async () => {
    const c = await start();
    namespace(c, 'docqa');
    await settle();
    c.update('v1', 'ConfigMap', ROOT_CA_CONFIGMAP, 'docqa', (cm) => {
      cm.data = { 'ca.crt': 'tampered', extra: 'x' };
      if (cm.metadata) cm.metadata.labels = { team: 'lab' };
    });
    await settle();
    const cm = c.get('v1', 'ConfigMap', ROOT_CA_CONFIGMAP, 'docqa');
    expect(cm?.data).toEqual({ 'ca.crt': CA });
    expect(cm?.metadata?.labels).toEqual({ team: 'lab' });
  });

  it('an emptied description is written back, and a deleted ConfigMap comes back', async () => {
    const c = await start();
    namespace(c, 'docqa');
    await settle();
    c.update('v1', 'ConfigMap', ROOT_CA_CONFIGMAP, 'docqa', (cm) => {
      if (cm.metadata) cm.metadata.annotations = { [ROOT_CA_DESCRIPTION_ANNOTATION]: '', other: 'kept' };
    });
    await settle();
    expect(c.get('v1', 'ConfigMap', ROOT_CA_CONFIGMAP, 'docqa')?.metadata?.annotations).toEqual({
      [ROOT_CA_DESCRIPTION_ANNOTATION]: ROOT_CA_DESCRIPTION,
      other: 'kept',
    });
    c.remove('v1', 'ConfigMap', ROOT_CA_CONFIGMAP, 'docqa');
    await settle();
    expect(c.get('v1', 'ConfigMap', ROOT_CA_CONFIGMAP, 'docqa')?.data).toEqual({ 'ca.crt': CA });
  });

  it('is not published when the API server has no CA (plain HTTP)', async () => {
    const c = await start({});
    namespace(c, 'docqa');
    await settle();
    expect(c.list('v1', 'ConfigMap').map((cm) => cm.metadata?.name)).not.toContain(ROOT_CA_CONFIGMAP);
    expect(c.get('v1', 'ServiceAccount', 'default', 'docqa')).toBeDefined();
  });
});
