/**
 * The EndpointSlice and Endpoints controllers of the simulation (src/lab/sim/endpointslice.ts, endpoints.ts) as a
 * user sees them on a Kubernetes v1.33 cluster: a Deployment's pods behind a Service, on a virtual clock, through
 * scaling and readiness changes; and `kubectl get endpointslices,endpoints` against the simulated API server.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { sleep } from '../../../src/lab/clock.js';
import { VirtualClock } from '../../../src/lab/sim/clock.js';
import { apiServerEndpoints, EndpointsController } from '../../../src/lab/sim/endpoints.js';
import { EndpointSliceController } from '../../../src/lab/sim/endpointslice.js';
import { kindBaseline } from '../../../src/lab/sim/kind-baseline.js';
import { defaultNode } from '../../../src/lab/sim/kubelet.js';
import { type SimLab, startSimLab } from '../../../src/lab/sim/lab.js';
import { registerNode } from '../../../src/lab/sim/node.js';
import { deploymentPods } from '../../../src/lab/sim/workloads.js';
import {
  type ControllerCluster,
  controllerCluster,
  readyAfter5s,
  workload,
} from '../../support/controller-cluster.js';
import type { FakeKube, KubeObject } from '../../support/fake-kube/index.js';
import { hasKubectl } from '../../support/kubectl.js';
import { release, until } from '../../support/sim-releases.js';

const run = promisify(execFile);
const safe = '[bcdfghjklmnpqrstvwxz2456789]';

interface Slice extends KubeObject {
  addressType: string;
  ports: Array<{ name: string; port: number; protocol: string }> | null;
  endpoints: Array<{
    addresses: string[];
    conditions: { ready: boolean; serving: boolean; terminating: boolean };
    nodeName?: string;
    targetRef: { kind: string; name: string; namespace: string; uid?: string };
    zone?: string;
  }> | null;
}

/** The Deployment and ReplicaSet controllers, the kubelet and its node, and the two controllers under test. */
function endpointsCluster(nodeLabels: Record<string, string> = {}): Promise<ControllerCluster> {
  return controllerCluster((f, models) => {
    const stops = [
      registerNode(f, models, { name: defaultNode.name, ip: defaultNode.ip, podCidr: defaultNode.podCidr }),
      deploymentPods(f, () => true, { clock: models }),
      new EndpointSliceController(f, { clock: models }).start(),
      new EndpointsController(f, { clock: models }).start(),
    ];
    if (Object.keys(nodeLabels).length > 0)
      f.update('v1', 'Node', defaultNode.name, undefined, (n) => {
        n.metadata = { ...n.metadata, labels: { ...n.metadata?.labels, ...nodeLabels } };
      });
    return () => {
      for (const stop of stops) stop();
    };
  });
}

/** The Deployment `web` in default: 3 pods Ready 5 s after they start, a container port named http (8080). */
const webOf = (lab: () => ControllerCluster) =>
  workload(lab, 'Deployment', 'web', () => ({
    replicas: 3,
    selector: { matchLabels: { app: 'web' } },
    template: readyAfter5s('web', 'ghcr.io/x/web:1'),
  }));

describe('EndpointSlices and Endpoints of a Service on the simulated cluster', { timeout: 60_000 }, () => {
  let lab: ControllerCluster;
  let fake: FakeKube;
  let clock: VirtualClock;
  afterEach(() => lab.close());

  async function cluster(nodeLabels: Record<string, string> = {}) {
    lab = await endpointsCluster(nodeLabels);
    ({ fake, clock } = lab);
  }

  const web = webOf(() => lab);
  const service = (spec: Record<string, unknown> = {}) =>
    fake.seed({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'default', labels: { tier: 'front' } },
      spec: {
        clusterIP: '10.96.20.30',
        selector: { app: 'web' },
        ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'http' }],
        ...spec,
      },
    });
  const slices = (name = 'web') =>
    fake
      .list('discovery.k8s.io/v1', 'EndpointSlice', 'default')
      .filter((s) => s.metadata?.labels?.['kubernetes.io/service-name'] === name) as Slice[];
  const theSlice = () => {
    expect(slices()).toHaveLength(1);
    return slices()[0] as Slice;
  };
  const endpoints = (name = 'web') => fake.get('v1', 'Endpoints', name, 'default');
  type Subset = {
    addresses?: Array<{ ip: string }>;
    notReadyAddresses?: Array<{ ip: string }>;
    ports?: unknown;
  };
  const subsets = () => (endpoints()?.subsets ?? []) as Subset[];
  const pods = () => fake.list('v1', 'Pod', 'default').filter((p) => p.metadata?.labels?.app === 'web');
  const ipOf = (pod: KubeObject) => (pod.status as { podIP: string }).podIP;
  /** A Service over one Ready pod, whose pod `change` then edits (as another controller or the kubelet would). */
  async function onePodThen(change: (pod: KubeObject) => void): Promise<KubeObject> {
    await cluster();
    service();
    web.create({ replicas: 1 });
    await sleep(clock, 6000);
    const [pod] = pods() as [KubeObject];
    fake.update('v1', 'Pod', pod.metadata?.name ?? '', 'default', change);
    await lab.settle();
    return pod;
  }
  const readyIps = () =>
    (theSlice()?.endpoints ?? [])
      .filter((e) => e.conditions.ready)
      .flatMap((e) => e.addresses)
      .sort();

  it('names, labels and owns one slice per Service; its endpoints follow the pods turning Ready', async () => {
    await cluster({ 'topology.kubernetes.io/zone': 'zone-a' });
    const svc = service()[0] as KubeObject;
    web.create();
    await sleep(clock, 1000);
    const slice = theSlice();
    expect(slices()).toHaveLength(1);
    expect(slice.metadata?.name).toMatch(new RegExp(`^web-${safe}{5}$`));
    expect(slice.metadata?.generateName).toBe('web-');
    expect(slice.metadata?.labels).toEqual({
      tier: 'front',
      'kubernetes.io/service-name': 'web',
      'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
    });
    expect(slice.metadata?.ownerReferences).toEqual([
      {
        apiVersion: 'v1',
        kind: 'Service',
        name: 'web',
        uid: svc.metadata?.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    expect(slice.addressType).toBe('IPv4');
    // The named targetPort `http` is the container's port 8080.
    expect(slice.ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
    expect(slice.endpoints).toHaveLength(3);
    const first = pods()[0] as KubeObject;
    expect(slice.endpoints?.find((e) => e.targetRef.name === first.metadata?.name)).toEqual({
      addresses: [ipOf(first)],
      conditions: { ready: false, serving: false, terminating: false },
      targetRef: { kind: 'Pod', namespace: 'default', name: first.metadata?.name, uid: first.metadata?.uid },
      nodeName: defaultNode.name,
      zone: 'zone-a',
    });
    // Not Ready yet: the Endpoints list the pods as not ready.
    expect(endpoints()?.metadata?.labels).toEqual({ tier: 'front' });
    expect(subsets()).toHaveLength(1);
    expect(subsets()[0]?.addresses).toBeUndefined();
    expect(subsets()[0]?.notReadyAddresses?.map((a) => a.ip)).toEqual(pods().map(ipOf).sort());

    await sleep(clock, 6000);
    expect(readyIps()).toEqual(pods().map(ipOf).sort());
    expect(theSlice().metadata?.name).toBe(slice.metadata?.name);
    expect(subsets()).toEqual([
      {
        addresses: pods()
          .map((p) => ({
            ip: ipOf(p),
            nodeName: defaultNode.name,
            targetRef: { kind: 'Pod', namespace: 'default', name: p.metadata?.name, uid: p.metadata?.uid },
          }))
          .sort((a, b) => (a.ip < b.ip ? -1 : 1)),
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      },
    ]);
    // The trigger time: the latest Ready transition the sync saw move.
    const readySince = (
      (pods()[0] as KubeObject).status as { conditions: Array<{ type: string; lastTransitionTime: string }> }
    ).conditions.find((c) => c.type === 'Ready')?.lastTransitionTime;
    expect(endpoints()?.metadata?.annotations?.['endpoints.kubernetes.io/last-change-trigger-time']).toBe(
      readySince,
    );
    expect(theSlice().metadata?.annotations?.['endpoints.kubernetes.io/last-change-trigger-time']).toBe(
      readySince,
    );
  });

  it('follows the Deployment scaling down to zero (a placeholder slice of the same name) and up again', async () => {
    await cluster();
    service();
    web.create();
    await sleep(clock, 6000);
    const name = theSlice().metadata?.name;
    web.edit((spec) => {
      spec.replicas = 1;
    });
    await sleep(clock, 1000);
    // The two pods scaled away are Terminating (30 s of grace: their container ignores SIGTERM), in the slice as
    // serving and terminating, not ready.
    const live = () => pods().filter((p) => !p.metadata?.deletionTimestamp);
    expect(theSlice().endpoints?.filter((e) => e.conditions.terminating)).toHaveLength(2);
    expect(readyIps()).toEqual(live().map(ipOf));
    await sleep(clock, 30_000);
    expect(theSlice().endpoints).toHaveLength(1);
    expect(readyIps()).toEqual(pods().map(ipOf));
    web.edit((spec) => {
      spec.replicas = 0;
    });
    await sleep(clock, 1000);
    // The pod is Terminating (its container ignores SIGTERM: 30 s of grace): still serving, not ready; the
    // Endpoints leave it out.
    expect(theSlice().endpoints?.map((e) => e.conditions)).toEqual([
      { ready: false, serving: true, terminating: true },
    ]);
    expect(endpoints()?.subsets).toBeUndefined();
    await sleep(clock, 30_000);
    expect(slices()).toHaveLength(1);
    expect(theSlice()).toMatchObject({ metadata: { name }, endpoints: null, ports: null });
    expect(endpoints()?.subsets).toBeUndefined();
    web.edit((spec) => {
      spec.replicas = 2;
    });
    await sleep(clock, 6000);
    expect(slices().map((s) => s.metadata?.name)).toEqual([name]);
    expect(theSlice().ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
    expect(readyIps()).toEqual(pods().map(ipOf).sort());
  });

  it('a pod turning NotReady stays in the slice as not ready and moves to notReadyAddresses', async () => {
    await cluster();
    service();
    web.create({ replicas: 2 });
    await sleep(clock, 6000);
    const [a, b] = pods() as [KubeObject, KubeObject];
    fake.update('v1', 'Pod', a.metadata?.name ?? '', 'default', (p) => {
      const status = p.status as { conditions: Array<{ type: string; status: string }> };
      for (const c of status.conditions) if (c.type === 'Ready') c.status = 'False';
    });
    await lab.settle();
    const endpoint = theSlice().endpoints?.find((e) => e.targetRef.name === a.metadata?.name);
    expect(endpoint?.conditions).toEqual({ ready: false, serving: false, terminating: false });
    expect(readyIps()).toEqual([ipOf(b)]);
    expect(subsets()[0]?.addresses?.map((x) => x.ip)).toEqual([ipOf(b)]);
    expect(subsets()[0]?.notReadyAddresses?.map((x) => x.ip)).toEqual([ipOf(a)]);
  });

  it('a terminating pod is serving and terminating but not ready in the slice, and leaves the Endpoints', async () => {
    // What graceful deletion sets (the API server's deletionTimestamp); the pod's controller is not told here.
    const pod = await onePodThen((p) => {
      p.metadata = { ...p.metadata, deletionTimestamp: '2026-01-01T00:00:30Z' };
    });
    // (The ReplicaSet controller no longer counts it and starts a replacement, not Ready yet.)
    const endpoint = theSlice().endpoints?.find((e) => e.targetRef.name === pod.metadata?.name);
    expect(endpoint?.conditions).toEqual({ ready: false, serving: true, terminating: true });
    expect(readyIps()).toEqual([]);
    expect(JSON.stringify(endpoints()?.subsets ?? [])).not.toContain(`"${ipOf(pod)}"`);
  });

  it('publishNotReadyAddresses: not-ready pods are ready endpoints and addresses', async () => {
    await cluster();
    service({ publishNotReadyAddresses: true });
    web.create({ replicas: 1 });
    await sleep(clock, 1000);
    expect(theSlice().endpoints?.map((e) => e.conditions)).toEqual([
      { ready: true, serving: false, terminating: false },
    ]);
    expect(subsets()[0]?.addresses).toHaveLength(1);
  });

  it('a named targetPort no container has leaves the port out; a Service without a selector gets nothing', async () => {
    await cluster();
    service({ ports: [{ name: 'grpc', port: 9090, protocol: 'TCP', targetPort: 'grpc' }] });
    fake.seed({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'external', namespace: 'default' },
      spec: { clusterIP: '10.96.20.31', ports: [{ port: 443, protocol: 'TCP', targetPort: 443 }] },
    });
    web.create({ replicas: 1 });
    await sleep(clock, 6000);
    expect(theSlice().ports).toBeNull();
    expect(theSlice().endpoints).toHaveLength(1);
    expect(endpoints()?.subsets).toBeUndefined();
    expect(slices('external')).toEqual([]);
    expect(endpoints('external')).toBeUndefined();
  });

  it("a deleted Service's slices and Endpoints go with it", async () => {
    await cluster();
    service();
    web.create({ replicas: 1 });
    await sleep(clock, 1000);
    expect(slices()).toHaveLength(1);
    fake.remove('v1', 'Service', 'web', 'default');
    await lab.settle();
    expect(slices()).toEqual([]);
    expect(endpoints()).toBeUndefined();
  });

  it('a Service selecting pods whose labels change follows them out', async () => {
    await onePodThen((p) => {
      p.metadata = { ...p.metadata, labels: { app: 'elsewhere' } };
    });
    expect(theSlice().endpoints).toBeNull();
    expect(endpoints()?.subsets).toBeUndefined();
  });
});

const describeKubectl = hasKubectl || process.env.CI === 'true' ? describe : describe.skip;

describeKubectl('kubectl get endpointslices,endpoints on the simulated cluster', { timeout: 60_000 }, () => {
  let lab: ControllerCluster | undefined;
  let cacheDir = '';
  afterEach(async () => {
    await lab?.close();
    if (cacheDir) await rm(cacheDir, { recursive: true, force: true });
  });

  it("shows the kubernetes and kube-dns Services' endpoints and a Service's pods", async () => {
    lab = await endpointsCluster();
    const { fake, clock } = lab;
    fake.seed(...kindBaseline(), ...apiServerEndpoints(defaultNode.ip));
    fake.seed({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'default' },
      spec: { clusterIP: '10.96.20.30', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' }] },
    });
    webOf(() => lab as ControllerCluster).create({ replicas: 4 });
    await sleep(clock, 120_000);
    cacheDir = await mkdtemp(join(tmpdir(), 'gitops-lab-kubectl-cache-'));
    const kubectl = async (...extra: string[]) =>
      (
        await run('kubectl', ['--kubeconfig', fake.kubeconfigPath, '--cache-dir', cacheDir, ...extra], {
          encoding: 'utf8',
        })
      ).stdout
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => l.trim().split(/\s{2,}/));
    const ips = fake
      .list('v1', 'Pod', 'default')
      .map((p) => (p.status as { podIP: string }).podIP)
      .sort();
    const slice = (fake.list('discovery.k8s.io/v1', 'EndpointSlice', 'default') as Slice[]).find(
      (s) => s.metadata?.labels?.['kubernetes.io/service-name'] === 'web',
    ) as Slice;
    const sliceIps = (slice.endpoints ?? []).flatMap((e) => e.addresses);
    const dns = fake.list('discovery.k8s.io/v1', 'EndpointSlice', 'kube-system')[0] as KubeObject;
    expect(await kubectl('get', 'endpointslices', '-A')).toEqual([
      ['NAMESPACE', 'NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE'],
      ['default', 'kubernetes', 'IPv4', '6443', defaultNode.ip, '2m'],
      [
        'default',
        slice.metadata?.name,
        'IPv4',
        '8080',
        `${sliceIps.slice(0, 3).join(',')} + 1 more...`,
        '2m',
      ],
      ['kube-system', dns.metadata?.name, 'IPv4', '<unset>', '<unset>', '2m'],
    ]);
    expect(dns.metadata?.name).toMatch(new RegExp(`^kube-dns-${safe}{5}$`));
    const [header, ...rows] = await kubectl('get', 'endpoints', '-A');
    expect(header).toEqual(['NAMESPACE', 'NAME', 'ENDPOINTS', 'AGE']);
    expect(rows).toEqual([
      ['default', 'kubernetes', `${defaultNode.ip}:6443`, '2m'],
      [
        'default',
        'web',
        `${ips
          .slice(0, 3)
          .map((ip) => `${ip}:8080`)
          .join(',')} + 1 more...`,
        '2m',
      ],
      ['kube-system', 'kube-dns', '<none>', '2m'],
    ]);
  });
});

describe("the simulated lab's docqa Services", { timeout: 120_000 }, () => {
  let lab: SimLab | undefined;
  afterEach(async () => {
    await lab?.close();
    lab = undefined;
  });

  const HASH = 'rollouts-pod-template-hash';
  /** The pod-template hashes of the pods behind the Service's slices, ready ones only, one per pod. */
  const readyHashes = (lab: SimLab, service: string) => {
    const pods = new Map(lab.cluster.list('v1', 'Pod', 'docqa').map((p) => [p.metadata?.name, p]));
    return (lab.cluster.list('discovery.k8s.io/v1', 'EndpointSlice', 'docqa') as Slice[])
      .filter((s) => s.metadata?.labels?.['kubernetes.io/service-name'] === service)
      .flatMap((s) => s.endpoints ?? [])
      .filter((e) => e.conditions.ready)
      .map((e) => pods.get(e.targetRef.name)?.metadata?.labels?.[HASH])
      .sort();
  };
  const selectorHash = (lab: SimLab, service: string) =>
    (
      lab.cluster.get('v1', 'Service', service, 'docqa')?.spec as
        | { selector?: Record<string, string> }
        | undefined
    )?.selector?.[HASH];

  it("follow the Rollout's selector switch: the canary Service's slice holds the new pods, the stable one the old", async () => {
    const clock = new VirtualClock({ start: 0 });
    lab = await startSimLab({ clock });
    const live = lab;
    const stable = selectorHash(live, 'docqa-stable');
    expect(stable).toBeDefined();
    // At rest both Services select the stable ReplicaSet's two pods.
    expect(readyHashes(live, 'docqa-stable')).toEqual([stable, stable]);
    expect(readyHashes(live, 'docqa-canary')).toEqual([stable, stable]);
    expect(live.cluster.get('v1', 'Endpoints', 'docqa-stable', 'docqa')?.subsets).toHaveLength(1);
    await release(live, { 'spec.template.metadata.annotations': { release: 'one' } }, 'test: release one');
    await until(
      clock,
      () => selectorHash(live, 'docqa-canary') !== stable && readyHashes(live, 'docqa-canary').length > 0,
      180_000,
    );
    const canary = selectorHash(live, 'docqa-canary');
    expect(canary).not.toBe(stable);
    expect(new Set(readyHashes(live, 'docqa-canary'))).toEqual(new Set([canary]));
    expect(new Set(readyHashes(live, 'docqa-stable'))).toEqual(new Set([stable]));
    // The API server's own endpoints and the DNS Service's, kind's two CoreDNS pods, are there too.
    expect(live.cluster.get('v1', 'Endpoints', 'kubernetes', 'default')?.subsets).toEqual([
      { addresses: [{ ip: defaultNode.ip }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] },
    ]);
    const dns = live.cluster.list('discovery.k8s.io/v1', 'EndpointSlice', 'kube-system') as Array<
      KubeObject & { endpoints?: Array<{ targetRef?: { name?: string }; conditions?: { ready?: boolean } }> }
    >;
    expect(dns).toHaveLength(1);
    expect(
      dns[0]?.endpoints?.map((e) => [
        e.targetRef?.name?.replace(/-[a-z0-9]+-[a-z0-9]{5}$/, ''),
        e.conditions?.ready,
      ]),
    ).toEqual([
      ['coredns', true],
      ['coredns', true],
    ]);
  });
});
