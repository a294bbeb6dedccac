/**
 * What the simulated lab holds from the start as every kind v0.29 / Kubernetes v1.33 cluster does
 * (src/lab/sim/kind-baseline.ts): the namespaces, Active; the `kubernetes` and `kube-dns` Services on their fixed
 * addresses, which the service-IP allocator then refuses to give again; and the lab's pods on the kind node.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/lab/sim/clock.js';
import { type SimLab, startSimLab } from '../../../src/lab/sim/lab.js';
import { StoreError } from '../../../src/lab/sim/store.js';
import { startFakeKube } from '../../support/fake-kube/index.js';

let lab: SimLab;

beforeAll(async () => {
  lab = await startSimLab({ clock: new VirtualClock({ start: Date.parse('2026-01-01T00:00:00Z') }) });
}, 60_000);

afterAll(async () => {
  await lab?.close();
});

describe('a kind cluster’s baseline in the simulated lab', () => {
  it('the system namespaces and kind’s local-path-storage, Active', () => {
    const namespaces = lab.cluster.list('v1', 'Namespace');
    const phase = (name: string) =>
      (namespaces.find((n) => n.metadata?.name === name)?.status as { phase?: string } | undefined)?.phase;
    for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage'])
      expect([name, phase(name)]).toEqual([name, 'Active']);
  });

  it('the `kubernetes` Service: 10.96.0.1, https 443 to 6443, the API server’s labels, no selector', () => {
    const svc = lab.cluster.get('v1', 'Service', 'kubernetes', 'default');
    expect(svc?.metadata?.labels).toEqual({ component: 'apiserver', provider: 'kubernetes' });
    expect(svc?.spec).toEqual({
      type: 'ClusterIP',
      clusterIP: '10.96.0.1',
      clusterIPs: ['10.96.0.1'],
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      internalTrafficPolicy: 'Cluster',
      sessionAffinity: 'None',
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }],
    });
  });

  it('`kube-dns` in kube-system: 10.96.0.10, dns 53/UDP, dns-tcp 53/TCP, metrics 9153/TCP', () => {
    const svc = lab.cluster.get('v1', 'Service', 'kube-dns', 'kube-system');
    const spec = svc?.spec as { clusterIP?: string; selector?: unknown; ports?: unknown[] } | undefined;
    expect(spec?.clusterIP).toBe('10.96.0.10');
    expect(spec?.selector).toEqual({ 'k8s-app': 'kube-dns' });
    expect(spec?.ports).toEqual([
      { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
      { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
      { name: 'metrics', port: 9153, protocol: 'TCP', targetPort: 9153 },
    ]);
  });

  it('the allocator holds both addresses: a Service asking for either is refused with the API server’s 422', () => {
    for (const ip of ['10.96.0.1', '10.96.0.10']) {
      let error: unknown;
      try {
        lab.cluster.seed({
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: `wants-${ip.replaceAll('.', '-')}`, namespace: 'default' },
          spec: { clusterIP: ip, ports: [{ port: 80 }] },
        });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).code).toBe(422);
      expect((error as StoreError).message).toContain(
        `failed to allocate IP ${ip}: provided IP is already allocated`,
      );
    }
  });

  it('the docqa pods are bound to the kind node; no pod runs in kube-system', () => {
    const pods = lab.cluster.list('v1', 'Pod', 'docqa');
    expect(pods.length).toBeGreaterThan(0);
    for (const pod of pods)
      expect((pod.spec as { nodeName?: string }).nodeName).toBe('gitops-lab-control-plane');
    expect(lab.cluster.list('v1', 'Pod', 'kube-system')).toEqual([]);
  });
});

describe('a namespace as the API server creates it', () => {
  it('is Active, carries the kubernetes finalizer and its name label', async () => {
    const fake = await startFakeKube();
    try {
      const [created] = fake.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'docqa' } });
      expect(created?.status).toEqual({ phase: 'Active' });
      expect(created?.spec).toEqual({ finalizers: ['kubernetes'] });
      expect(created?.metadata?.labels).toEqual({ 'kubernetes.io/metadata.name': 'docqa' });
    } finally {
      await fake.close();
    }
  });
});
