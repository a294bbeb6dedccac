/**
 * What the simulated lab holds from the start as every kind v0.29 / Kubernetes v1.33 cluster does
 * (src/lab/sim/kind-baseline.ts): the namespaces, Active; the `kubernetes` and `kube-dns` Services on their fixed
 * addresses, which the service-IP allocator then refuses to give again; and the lab's pods on the kind node.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/lab/sim/clock.js';
import { podReady } from '../../../src/lab/sim/kubelet.js';
import { type SimLab, startSimLab } from '../../../src/lab/sim/lab.js';
import { type KubeObject, StoreError } from '../../../src/lab/sim/store.js';
import { startFakeKube } from '../../support/fake-kube/index.js';
import { hasKubectl } from '../../support/kubectl.js';

const run = promisify(execFile);

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

  it('the docqa pods are bound to the kind node', () => {
    const pods = lab.cluster.list('v1', 'Pod', 'docqa');
    expect(pods.length).toBeGreaterThan(0);
    for (const pod of pods)
      expect((pod.spec as { nodeName?: string }).nodeName).toBe('gitops-lab-control-plane');
  });
});

type Pod = KubeObject & {
  spec: {
    nodeName?: string;
    priorityClassName?: string;
    hostNetwork?: boolean;
    tolerations?: unknown[];
    affinity?: unknown;
    containers: Array<{ image: string; resources?: unknown }>;
  };
  status: { phase?: string; podIP?: string };
};
const node = 'gitops-lab-control-plane';
const pod = (ns: string, prefix: string): Pod =>
  lab.cluster.list('v1', 'Pod', ns).find((p) => p.metadata?.name?.startsWith(prefix)) as Pod;

describe('the kube-system and local-path-storage workloads of a fresh kind cluster', () => {
  it('every pod kind v0.29.0 runs, by name: the control plane’s on the node, the add-ons’ with generated names', () => {
    const names = (ns: string) =>
      lab.cluster
        .list('v1', 'Pod', ns)
        .map((p) => p.metadata?.name ?? '')
        .sort();
    const system = names('kube-system');
    expect(system).toHaveLength(8);
    expect(system.filter((n) => n.endsWith(`-${node}`))).toEqual([
      `etcd-${node}`,
      `kube-apiserver-${node}`,
      `kube-controller-manager-${node}`,
      `kube-scheduler-${node}`,
    ]);
    expect(system.filter((n) => n.startsWith('coredns-'))).toHaveLength(2);
    for (const n of system.filter((n) => n.startsWith('coredns-')))
      expect(n).toMatch(/^coredns-[a-z0-9]+-[a-z0-9]{5}$/);
    expect(system.filter((n) => /^kindnet-[a-z0-9]{5}$/.test(n))).toHaveLength(1);
    expect(system.filter((n) => /^kube-proxy-[a-z0-9]{5}$/.test(n))).toHaveLength(1);
    expect(names('local-path-storage')).toEqual([
      expect.stringMatching(/^local-path-provisioner-[a-z0-9]+-[a-z0-9]{5}$/),
    ]);
  });

  it('every pod’s ServiceAccount exists (admission checks it), and no controller failed to create a pod', () => {
    const missing = lab.cluster
      .list('v1', 'Pod')
      .filter((p) => !p.metadata?.annotations?.['kubernetes.io/config.mirror'])
      .map(
        (p) => `${p.metadata?.namespace}/${(p.spec as { serviceAccountName?: string }).serviceAccountName}`,
      )
      .filter((sa) => {
        const [ns, name] = sa.split('/');
        return !lab.cluster.get('v1', 'ServiceAccount', name ?? '', ns);
      });
    expect(missing).toEqual([]);
    expect(lab.cluster.store.refusesMissingServiceAccount).toBe(true);
    expect(lab.cluster.list('v1', 'Event').filter((e) => e.reason === 'FailedCreate')).toEqual([]);
  });

  it('all Running and Ready on the kind node, at the images kind v0.29.0 / Kubernetes v1.33.1 use', () => {
    const pods = [
      ...lab.cluster.list('v1', 'Pod', 'kube-system'),
      ...lab.cluster.list('v1', 'Pod', 'local-path-storage'),
    ];
    for (const p of pods as Pod[]) {
      expect([p.metadata?.name, p.status.phase, podReady(p), p.spec.nodeName]).toEqual([
        p.metadata?.name,
        'Running',
        true,
        node,
      ]);
    }
    const images = new Set((pods as Pod[]).map((p) => p.spec.containers[0]?.image));
    expect([...images].sort()).toEqual([
      'docker.io/kindest/kindnetd:v20250512-df8de77b',
      'docker.io/kindest/local-path-provisioner:v20250214-acbabc1a',
      'registry.k8s.io/coredns/coredns:v1.12.0',
      'registry.k8s.io/etcd:3.5.21-0',
      'registry.k8s.io/kube-apiserver:v1.33.1',
      'registry.k8s.io/kube-controller-manager:v1.33.1',
      'registry.k8s.io/kube-proxy:v1.33.1',
      'registry.k8s.io/kube-scheduler:v1.33.1',
    ]);
  });

  it('the static pods are the kubelet’s mirror pods: config annotations, owned by the Node, on its address', () => {
    const nodeUid = lab.cluster.get('v1', 'Node', node)?.metadata?.uid;
    for (const component of ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler']) {
      const p = pod('kube-system', `${component}-`);
      const annotations = p.metadata?.annotations ?? {};
      expect(annotations['kubernetes.io/config.source']).toBe('file');
      expect(annotations['kubernetes.io/config.mirror']).toMatch(/^[0-9a-f]{32}$/);
      expect(annotations['kubernetes.io/config.hash']).toBe(annotations['kubernetes.io/config.mirror']);
      expect(annotations['kubernetes.io/config.seen']).toBeDefined();
      expect(p.metadata?.labels).toEqual({ component, tier: 'control-plane' });
      expect(p.metadata?.ownerReferences).toEqual([
        { apiVersion: 'v1', kind: 'Node', name: node, uid: nodeUid, controller: true },
      ]);
      expect(p.spec.priorityClassName).toBe('system-node-critical');
      expect(p.status.podIP).toBe('172.18.0.2');
    }
    const requests = (component: string) =>
      (
        pod('kube-system', `${component}-`).spec.containers[0]?.resources as
          | { requests?: unknown }
          | undefined
      )?.requests;
    expect(requests('kube-apiserver')).toEqual({ cpu: '250m' });
    expect(requests('kube-controller-manager')).toEqual({ cpu: '200m' });
    expect(requests('kube-scheduler')).toEqual({ cpu: '100m' });
    expect(requests('etcd')).toEqual({ cpu: '100m', memory: '100Mi' });
    expect(pod('kube-system', 'kube-apiserver-').metadata?.annotations).toMatchObject({
      'kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint': '172.18.0.2:6443',
    });
  });

  it('kube-proxy and kindnet are daemon pods: pinned to the node by affinity, with the DaemonSet’s labels', () => {
    for (const [ds, labels] of [
      ['kube-proxy', { 'k8s-app': 'kube-proxy' }],
      ['kindnet', { tier: 'node', app: 'kindnet', 'k8s-app': 'kindnet' }],
    ] as const) {
      const p = pod('kube-system', `${ds}-`);
      expect(p.metadata?.labels).toEqual({
        ...labels,
        'controller-revision-hash': expect.stringMatching(/^[a-z0-9]+$/),
        'pod-template-generation': '1',
      });
      expect(p.metadata?.ownerReferences?.[0]).toMatchObject({
        kind: 'DaemonSet',
        name: ds,
        controller: true,
      });
      expect(p.spec.affinity).toEqual({
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] }],
          },
        },
      });
      expect(p.status.podIP).toBe('172.18.0.2');
    }
    expect(pod('kube-system', 'kube-proxy-').spec.priorityClassName).toBe('system-node-critical');
    expect(pod('kube-system', 'kube-proxy-').spec.tolerations).toEqual([
      { key: 'CriticalAddonsOnly', operator: 'Exists' },
      { operator: 'Exists' },
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
      { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' },
    ]);
  });

  it('CoreDNS: system-cluster-critical, kubeadm’s requests; its two pods are kube-dns’s endpoints', () => {
    const dns = lab.cluster
      .list('v1', 'Pod', 'kube-system')
      .filter((p) => p.metadata?.name?.startsWith('coredns-')) as Pod[];
    for (const p of dns) {
      expect(p.spec.priorityClassName).toBe('system-cluster-critical');
      expect(p.spec.containers[0]?.resources).toEqual({
        limits: { memory: '170Mi' },
        requests: { cpu: '100m', memory: '70Mi' },
      });
    }
    const ips = dns.map((p) => p.status.podIP).sort();
    expect(ips.every((ip) => ip?.startsWith('10.244.0.'))).toBe(true);
    const [slice] = lab.cluster.list('discovery.k8s.io/v1', 'EndpointSlice', 'kube-system') as Array<
      KubeObject & { endpoints?: Array<{ addresses: string[]; conditions: { ready: boolean } }> }
    >;
    expect((slice?.endpoints ?? []).flatMap((e) => e.addresses).sort()).toEqual(ips);
    expect(slice?.endpoints?.every((e) => e.conditions.ready)).toBe(true);
    const endpoints = lab.cluster.get('v1', 'Endpoints', 'kube-dns', 'kube-system') as
      | (KubeObject & { subsets?: Array<{ addresses?: Array<{ ip: string }> }> })
      | undefined;
    expect((endpoints?.subsets?.[0]?.addresses ?? []).map((a) => a.ip).sort()).toEqual(ips);
  });

  it('the DaemonSets and Deployments report every pod ready', () => {
    for (const name of ['kindnet', 'kube-proxy'])
      expect(lab.cluster.get('apps/v1', 'DaemonSet', name, 'kube-system')?.status).toEqual({
        currentNumberScheduled: 1,
        numberMisscheduled: 0,
        desiredNumberScheduled: 1,
        numberReady: 1,
        observedGeneration: 1,
        updatedNumberScheduled: 1,
        numberAvailable: 1,
      });
    const ready = (name: string, ns: string) =>
      (lab.cluster.get('apps/v1', 'Deployment', name, ns)?.status as { readyReplicas?: number } | undefined)
        ?.readyReplicas;
    expect(ready('coredns', 'kube-system')).toBe(2);
    expect(ready('local-path-provisioner', 'local-path-storage')).toBe(1);
  });
});

const describeKubectl = hasKubectl || process.env.CI === 'true' ? describe : describe.skip;

describeKubectl('kubectl against the simulated lab', { timeout: 60_000 }, () => {
  let cacheDir = '';
  afterAll(async () => {
    if (cacheDir) await rm(cacheDir, { recursive: true, force: true });
  });

  const kubectl = async (...extra: string[]) => {
    cacheDir ||= await mkdtemp(join(tmpdir(), 'gitops-lab-kubectl-cache-'));
    const { stdout } = await run(
      'kubectl',
      ['--kubeconfig', lab.cluster.kubeconfigPath, '--cache-dir', cacheDir, ...extra],
      {
        encoding: 'utf8',
      },
    );
    return stdout
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => l.trim().split(/\s{2,}/));
  };

  it('`get pods -n kube-system` lists the eight pods of a fresh kind node, Running, none restarted', async () => {
    const rows = await kubectl('get', 'pods', '-n', 'kube-system');
    expect(rows[0]).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    const names = rows
      .slice(1)
      .map((r) => r[0] ?? '')
      .map((n) =>
        n.endsWith(`-${node}`)
          ? n
          : n.replace(/-[a-z0-9]{5}$/, '-xxxxx').replace(/^coredns-[a-z0-9]+-/, 'coredns-'),
      );
    expect(names).toEqual([
      'coredns-xxxxx',
      'coredns-xxxxx',
      `etcd-${node}`,
      'kindnet-xxxxx',
      `kube-apiserver-${node}`,
      `kube-controller-manager-${node}`,
      'kube-proxy-xxxxx',
      `kube-scheduler-${node}`,
    ]);
    expect(rows.slice(1).map((r) => r.slice(1, 4))).toEqual(Array(8).fill(['1/1', 'Running', '0']));
  });

  it('`get ds -A` shows each DaemonSet 1 desired, current, ready, up-to-date and available, with its node selector', async () => {
    const rows = await kubectl('get', 'ds', '-A');
    expect(rows).toEqual([
      ['NAMESPACE', 'NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE'],
      ['kube-system', 'kindnet', '1', '1', '1', '1', '1', 'kubernetes.io/os=linux', '60s'],
      ['kube-system', 'kube-proxy', '1', '1', '1', '1', '1', 'kubernetes.io/os=linux', '60s'],
    ]);
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
