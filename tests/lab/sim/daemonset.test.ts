/**
 * The DaemonSet controller of the simulation (src/lab/sim/daemonset.ts) on a virtual clock, with one kubelet model per
 * node: one pod per eligible node, what `kubectl get ds` then shows, a deleted daemon pod made again, nodes that come
 * to match or stop matching, and a rolling update of maxUnavailable 1. Also the node predicates it asks
 * (node-eligibility.ts) and the parsing of maxUnavailable.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { sleep } from '../../../src/lab/clock.js';
import { VirtualClock } from '../../../src/lab/sim/clock.js';
import { DaemonSetController, maxUnavailable, targetNode } from '../../../src/lab/sim/daemonset.js';
import { type ContainerBehaviour, Kubelet, podReady } from '../../../src/lab/sim/kubelet.js';
import { nodeObject } from '../../../src/lab/sim/node.js';
import { nodeAffinityMatches, nodeShouldRunPod, tolerates } from '../../../src/lab/sim/node-eligibility.js';
import { daemonSetPrinter } from '../../../src/lab/sim/printers/workloads.js';
import { readyAfter5s } from '../../support/controller-cluster.js';
import { type FakeKube, type KubeObject, startFakeKube } from '../../support/fake-kube/index.js';

const nodes = [
  { name: 'lab-control-plane', ip: '172.18.0.2', podCidr: '10.244.0.0/24', firstPodIp: '10.244.0.5' },
  { name: 'lab-worker', ip: '172.18.0.3', podCidr: '10.244.1.0/24', firstPodIp: '10.244.1.2' },
];

let fake: FakeKube;
let clock: VirtualClock;
let stops: Array<() => void> = [];

/** Two nodes (`lab-worker` labelled disk=ssd), each with its kubelet model running the pods meant for it. */
async function cluster(behaviour: ContainerBehaviour = {}): Promise<void> {
  clock = new VirtualClock({ start: Date.parse('2026-01-01T00:00:00Z') });
  fake = await startFakeKube({ clock });
  const models = clock.background();
  for (const node of nodes) {
    const object = nodeObject(node, clock.now());
    if (node.name === 'lab-worker')
      object.metadata = { ...object.metadata, labels: { ...object.metadata?.labels, disk: 'ssd' } };
    fake.seed(object);
    const kubelet = new Kubelet(fake, {
      clock: models,
      node,
      random: () => 0,
      behaviour: () => behaviour,
      runs: (pod) => targetNode(pod) === node.name,
    }).start();
    stops.push(() => kubelet.stop());
  }
  stops.push(new DaemonSetController(fake, { clock: models, random: Math.random }).start());
}

afterEach(async () => {
  for (const stop of stops) stop();
  stops = [];
  clock.stop();
  await fake.close();
});

const daemonSet = (spec: Record<string, unknown> = {}) =>
  fake.seed({
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent', namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      template: readyAfter5s('agent', 'ghcr.io/x/agent:1'),
      ...spec,
    },
  });
const ds = () => fake.get('apps/v1', 'DaemonSet', 'agent', 'default') as KubeObject;
const pods = () => fake.list('v1', 'Pod', 'default');
const podsByNode = () =>
  Object.fromEntries(pods().map((p) => [(p.spec as { nodeName?: string }).nodeName, p.metadata?.name]));
const events = (reason: string) =>
  fake
    .list('v1', 'Event', 'default')
    .filter((e) => e.reason === reason)
    .map((e) => e.message as string);
/** `kubectl get ds`: DESIRED CURRENT READY UP-TO-DATE AVAILABLE NODE SELECTOR. */
const row = () => daemonSetPrinter.row(ds(), clock.now()).cells.slice(1, 7);

describe('a DaemonSet on a simulated cluster of two nodes', { timeout: 60_000 }, () => {
  it('runs one pod on each node, bound there by the scheduler, Ready after its probe; kubectl get ds counts them', async () => {
    await cluster();
    daemonSet();
    await sleep(clock, 1);
    expect(pods()).toHaveLength(2);
    expect(row()).toEqual([2, 2, 0, 2, 0, '<none>']);
    await sleep(clock, 10_000);
    expect(Object.keys(podsByNode()).sort()).toEqual(['lab-control-plane', 'lab-worker']);
    expect(pods().every(podReady)).toBe(true);
    expect(row()).toEqual([2, 2, 2, 2, 2, '<none>']);
    const [pod] = pods();
    expect(pod?.metadata?.name).toMatch(/^agent-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(pod?.metadata?.labels).toEqual({
      app: 'agent',
      'controller-revision-hash': expect.stringMatching(/^[a-z0-9]+$/),
      'pod-template-generation': '1',
    });
    expect(pod?.metadata?.ownerReferences?.[0]).toMatchObject({
      kind: 'DaemonSet',
      name: 'agent',
      controller: true,
    });
    expect(events('SuccessfulCreate').sort()).toEqual(
      pods()
        .map((p) => `Created pod: ${p.metadata?.name}`)
        .sort(),
    );
    expect(ds().status).toEqual({
      currentNumberScheduled: 2,
      numberMisscheduled: 0,
      desiredNumberScheduled: 2,
      numberReady: 2,
      observedGeneration: 1,
      updatedNumberScheduled: 2,
      numberAvailable: 2,
    });
  });

  it('with a nodeSelector no node matches: no pod, 0 desired', async () => {
    await cluster();
    daemonSet({
      template: {
        ...readyAfter5s('agent', 'ghcr.io/x/agent:1'),
        spec: { ...readyAfter5s('agent', 'x').spec, nodeSelector: { disk: 'nvme' } },
      },
    });
    await sleep(clock, 10_000);
    expect(pods()).toEqual([]);
    expect(row()).toEqual([0, 0, 0, 0, 0, 'disk=nvme']);
    expect(ds().status).toEqual({
      currentNumberScheduled: 0,
      numberMisscheduled: 0,
      desiredNumberScheduled: 0,
      numberReady: 0,
      observedGeneration: 1,
    });
  });

  it('follows node labels: a pod where the selector matches, removed when the node stops matching', async () => {
    await cluster();
    const template = readyAfter5s('agent', 'ghcr.io/x/agent:1');
    daemonSet({ template: { ...template, spec: { ...template.spec, nodeSelector: { disk: 'ssd' } } } });
    await sleep(clock, 10_000);
    expect(Object.keys(podsByNode())).toEqual(['lab-worker']);
    fake.update('v1', 'Node', 'lab-control-plane', undefined, (n) => {
      n.metadata = { ...n.metadata, labels: { ...n.metadata?.labels, disk: 'ssd' } };
    });
    await sleep(clock, 10_000);
    expect(Object.keys(podsByNode()).sort()).toEqual(['lab-control-plane', 'lab-worker']);
    fake.update('v1', 'Node', 'lab-worker', undefined, (n) => {
      const { disk: _disk, ...labels } = n.metadata?.labels ?? {};
      n.metadata = { ...n.metadata, labels };
    });
    await sleep(clock, 1);
    // Deleted gracefully: Terminating on lab-worker (misscheduled) until its 30 s grace period is over (the
    // container ignores SIGTERM).
    expect(events('SuccessfulDelete')).toHaveLength(1);
    const worker = pods().find((p) => (p.spec as { nodeName?: string }).nodeName === 'lab-worker');
    expect(worker?.metadata?.deletionTimestamp).toBeDefined();
    await sleep(clock, 31_000);
    expect(Object.keys(podsByNode())).toEqual(['lab-control-plane']);
    expect(events('SuccessfulDelete')).toHaveLength(1);
    expect(row()).toEqual([1, 1, 1, 1, 1, 'disk=ssd']);
  });

  it('makes a deleted daemon pod again, under a new name, on the same node', async () => {
    await cluster();
    daemonSet();
    await sleep(clock, 10_000);
    const before = podsByNode();
    fake.remove('v1', 'Pod', before['lab-worker'] ?? '', 'default');
    await sleep(clock, 1);
    const after = podsByNode();
    expect(after['lab-control-plane']).toBe(before['lab-control-plane']);
    expect(after['lab-worker']).toBeDefined();
    expect(after['lab-worker']).not.toBe(before['lab-worker']);
    expect(row()).toEqual([2, 2, 1, 2, 1, '<none>']);
    await sleep(clock, 10_000);
    expect(row()).toEqual([2, 2, 2, 2, 2, '<none>']);
  });

  it('rolls a template change one node at a time (maxUnavailable 1): never both nodes without an available pod', async () => {
    await cluster();
    daemonSet();
    await sleep(clock, 10_000);
    const old = new Set(pods().map((p) => p.metadata?.name));
    fake.update('apps/v1', 'DaemonSet', 'agent', 'default', (o) => {
      const spec = o.spec as { template: { spec: { containers: Array<{ image: string }> } } };
      (spec.template.spec.containers[0] as { image: string }).image = 'ghcr.io/x/agent:2';
    });
    // Each old pod is Terminating for its 30 s grace period (the container ignores SIGTERM) and its node gets the
    // new pod only once it is gone: about 35 s a node.
    const unavailable: number[] = [];
    const serving = (p: KubeObject) => podReady(p) && !p.metadata?.deletionTimestamp;
    for (let t = 0; t < 90; t++) {
      await sleep(clock, 1000);
      unavailable.push(2 - pods().filter(serving).length);
      if (t === 20) expect(pods().filter((p) => p.metadata?.deletionTimestamp)).toHaveLength(1);
    }
    expect(Math.max(...unavailable)).toBe(1);
    expect(pods().some((p) => old.has(p.metadata?.name))).toBe(false);
    expect(pods().map((p) => p.metadata?.labels?.['pod-template-generation'])).toEqual(['2', '2']);
    expect(row()).toEqual([2, 2, 2, 2, 2, '<none>']);
    expect((ds().status as { observedGeneration?: number }).observedGeneration).toBe(2);
  });

  it('OnDelete: a template change leaves the pods; a deleted one comes back at the new template', async () => {
    await cluster();
    daemonSet({ updateStrategy: { type: 'OnDelete' } });
    await sleep(clock, 10_000);
    fake.update('apps/v1', 'DaemonSet', 'agent', 'default', (o) => {
      const spec = o.spec as { template: { spec: { containers: Array<{ image: string }> } } };
      (spec.template.spec.containers[0] as { image: string }).image = 'ghcr.io/x/agent:2';
    });
    await sleep(clock, 10_000);
    expect(row()).toEqual([2, 2, 2, 0, 2, '<none>']);
    fake.remove('v1', 'Pod', podsByNode()['lab-worker'] ?? '', 'default');
    await sleep(clock, 10_000);
    expect(row()).toEqual([2, 2, 2, 1, 2, '<none>']);
  });

  it('deletes a Failed daemon pod, says so, and makes a new one on its node', async () => {
    await cluster({ exits: { afterMs: 3000, exitCode: 1, log: ['boom'] } });
    const template = readyAfter5s('agent', 'ghcr.io/x/agent:1');
    daemonSet({ template: { ...template, spec: { ...template.spec, restartPolicy: 'Never' } } });
    await sleep(clock, 1);
    const first = podsByNode()['lab-worker'];
    await sleep(clock, 4500);
    expect(events('FailedDaemonPod')).toContain(
      `Found failed daemon pod default/${first} on node lab-worker, will try to kill it`,
    );
    expect(events('SuccessfulDelete')).toContain(`Deleted pod: ${first}`);
    expect(podsByNode()['lab-worker']).toBeDefined();
    expect(podsByNode()['lab-worker']).not.toBe(first);
  });

  it('a deleted DaemonSet takes its pods with it', async () => {
    await cluster();
    daemonSet();
    await sleep(clock, 10_000);
    fake.remove('apps/v1', 'DaemonSet', 'agent', 'default');
    await sleep(clock, 1);
    expect(pods()).toEqual([]);
  });
});

describe('which nodes should run a daemon pod', () => {
  const node = (labels: Record<string, string>, taints?: unknown[]): KubeObject => ({
    metadata: { name: 'n1', labels },
    ...(taints ? { spec: { taints } } : {}),
  });

  it('nodeSelector and required affinity: labels by expression, the name by matchFields', () => {
    const n = node({ 'kubernetes.io/os': 'linux', zone: 'a', cores: '8' });
    expect(nodeAffinityMatches({ nodeSelector: { 'kubernetes.io/os': 'linux' } }, n)).toBe(true);
    expect(nodeAffinityMatches({ nodeSelector: { 'kubernetes.io/os': 'windows' } }, n)).toBe(false);
    const affinity = (term: Record<string, unknown>) => ({
      affinity: {
        nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [term] } },
      },
    });
    expect(
      nodeAffinityMatches(
        affinity({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }),
        n,
      ),
    ).toBe(true);
    expect(
      nodeAffinityMatches(
        affinity({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n2'] }] }),
        n,
      ),
    ).toBe(false);
    expect(
      nodeAffinityMatches(
        affinity({ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['b'] }] }),
        n,
      ),
    ).toBe(true);
    expect(nodeAffinityMatches(affinity({ matchExpressions: [{ key: 'gpu', operator: 'Exists' }] }), n)).toBe(
      false,
    );
    expect(
      nodeAffinityMatches(
        affinity({ matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['4'] }] }),
        n,
      ),
    ).toBe(true);
    expect(nodeAffinityMatches(affinity({}), n)).toBe(false);
  });

  it('taints: NoSchedule and NoExecute need a toleration, PreferNoSchedule does not', () => {
    const cp = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' };
    expect(nodeShouldRunPod({}, node({}, [cp]))).toBe(false);
    expect(nodeShouldRunPod({ tolerations: [{ operator: 'Exists' }] }, node({}, [cp]))).toBe(true);
    expect(nodeShouldRunPod({ tolerations: [{ key: cp.key, effect: 'NoSchedule' }] }, node({}, [cp]))).toBe(
      true,
    );
    expect(nodeShouldRunPod({ tolerations: [{ key: cp.key, effect: 'NoExecute' }] }, node({}, [cp]))).toBe(
      false,
    );
    expect(nodeShouldRunPod({}, node({}, [{ key: 'x', effect: 'PreferNoSchedule' }]))).toBe(true);
    expect(
      tolerates({ key: 'k', operator: 'Equal', value: 'v' }, { key: 'k', value: 'w', effect: 'NoSchedule' }),
    ).toBe(false);
  });

  it('maxUnavailable: a count as given, a percentage of the desired pods rounded up, 1 by default', () => {
    const of = (value?: number | string) => ({
      spec: value === undefined ? {} : { updateStrategy: { rollingUpdate: { maxUnavailable: value } } },
    });
    expect(maxUnavailable(of(), 10)).toBe(1);
    expect(maxUnavailable(of(3), 10)).toBe(3);
    expect(maxUnavailable(of('25%'), 10)).toBe(3);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 5000 }), (percent, desired) => {
        const n = maxUnavailable(of(`${percent}%`), desired);
        return n * 100 >= percent * desired && (n - 1) * 100 < percent * desired;
      }),
    );
  });
});
