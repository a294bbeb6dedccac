/**
 * A pod whose ServiceAccount does not exist, on a simulated Kubernetes v1.33 cluster that runs the ServiceAccounts
 * controller (pod-admission.ts, namespace-defaults.ts): the API server refuses it with 403 Forbidden; the ReplicaSet,
 * DaemonSet and StatefulSet controllers record FailedCreate and retry rate-limited (pod-control.ts, workqueue.ts);
 * the ReplicaSet and its Deployment carry ReplicaFailure until the account appears and the pods come.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sleep } from '../../../src/lab/clock.js';
import { type SimCluster, startSimCluster } from '../../../src/lab/sim/api.js';
import { VirtualClock } from '../../../src/lab/sim/clock.js';
import { DaemonSetController, targetNode } from '../../../src/lab/sim/daemonset.js';
import { type ReplicaSet, replicaFailure } from '../../../src/lab/sim/deployment-util.js';
import { Kubelet } from '../../../src/lab/sim/kubelet.js';
import { startNamespaceDefaults } from '../../../src/lab/sim/namespace-defaults.js';
import { nodeObject } from '../../../src/lab/sim/node.js';
import { StatefulSetController } from '../../../src/lab/sim/statefulset.js';
import type { KubeObject } from '../../../src/lab/sim/store.js';
import { deploymentPods } from '../../../src/lab/sim/workloads.js';
import { ControllerRateLimiter } from '../../../src/lab/sim/workqueue.js';
import { readyAfter5s } from '../../support/controller-cluster.js';
import { hasKubectl } from '../../support/kubectl.js';
import { kubectlRunner } from '../../support/kubectl-run.js';

const node = {
  name: 'lab-control-plane',
  ip: '172.18.0.2',
  podCidr: '10.244.0.0/24',
  firstPodIp: '10.244.0.5',
};
const forbidden = (pod: string, sa = 'web', ns = 'default') =>
  `pods "${pod}" is forbidden: error looking up service account ${ns}/${sa}: serviceaccount "${sa}" not found`;

let cluster: SimCluster;
let clock: VirtualClock;
let dir: string;
let stops: Array<() => void> = [];

/** A cluster with the ServiceAccounts controller, one node and its kubelet, and the workload controllers. */
async function start(options: { serviceAccounts?: boolean } = {}): Promise<void> {
  clock = new VirtualClock({ start: Date.parse('2026-01-01T00:00:00Z') });
  dir = await mkdtemp(join(tmpdir(), 'gitops-lab-sa-'));
  cluster = await startSimCluster({ clock, dir });
  const models = clock.background();
  if (options.serviceAccounts !== false) stops.push(startNamespaceDefaults(cluster));
  cluster.seed(nodeObject(node, clock.now()));
  const kubelet = new Kubelet(cluster, { clock: models, node, random: () => 0, runs: () => true }).start();
  stops.push(
    () => kubelet.stop(),
    deploymentPods(cluster, () => true, { clock: models, random: Math.random }),
    new DaemonSetController(cluster, { clock: models, random: Math.random }).start(),
    new StatefulSetController(cluster, { clock: models }).start(),
  );
  await sleep(clock, 1000);
}

afterEach(async () => {
  for (const stop of stops) stop();
  stops = [];
  clock?.stop();
  await cluster?.close();
  await rm(dir, { recursive: true, force: true });
});

const template = () => {
  const t = readyAfter5s('web', 'ghcr.io/x/web:1');
  return { ...t, spec: { ...t.spec, serviceAccountName: 'web' } };
};
const workload = (kind: string, spec: Record<string, unknown> = {}) =>
  cluster.seed({
    apiVersion: 'apps/v1',
    kind,
    metadata: { name: 'web', namespace: 'default' },
    spec: { selector: { matchLabels: { app: 'web' } }, template: template(), ...spec },
  });
const account = () =>
  cluster.seed({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'web', namespace: 'default' } });
const pods = () => cluster.list('v1', 'Pod', 'default');
const events = (reason: string) => cluster.list('v1', 'Event', 'default').filter((e) => e.reason === reason);
const conditionsOf = (o: KubeObject | undefined) =>
  ((o?.status as { conditions?: Array<Record<string, string>> } | undefined)?.conditions ?? []).filter(
    (c) => c.type === 'ReplicaFailure',
  );
const kindOf = (event: KubeObject) => (event.involvedObject as { kind?: string } | undefined)?.kind;
const replicaSet = () => cluster.list('apps/v1', 'ReplicaSet', 'default')[0] as ReplicaSet;

/** A POST of a pod over HTTP, as kubectl or any client sends it. */
async function postPod(
  pod: Record<string, unknown>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${cluster.url}/api/v1/namespaces/default/pods`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', ...pod }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
const podSpec = { serviceAccountName: 'web', containers: [{ name: 'app', image: 'ghcr.io/x/web:1' }] };

describe('ServiceAccount admission', { timeout: 60_000 }, () => {
  it('refuses a pod whose account is missing: 403 Forbidden with the API server message', async () => {
    await start();
    const { status, body } = await postPod({ metadata: { name: 'web-1' }, spec: podSpec });
    expect(status).toBe(403);
    expect(body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: forbidden('web-1'),
      reason: 'Forbidden',
      details: { name: 'web-1', kind: 'pods' },
      code: 403,
    });
    expect(cluster.get('v1', 'Pod', 'web-1', 'default')).toBeUndefined();
    account();
    expect((await postPod({ metadata: { name: 'web-1' }, spec: podSpec })).status).toBe(201);
  });

  it('admits a pod of `default` once the controller has made it, and a mirror pod whatever it names', async () => {
    await start();
    const { containers } = podSpec;
    expect((await postPod({ metadata: { name: 'plain' }, spec: { containers } })).status).toBe(201);
    expect(cluster.get('v1', 'Pod', 'plain', 'default')?.spec).toMatchObject({
      serviceAccountName: 'default',
    });
    // A missing `default` is admitted: the plugin retries it until the controller has made it again.
    cluster.remove('v1', 'ServiceAccount', 'default', 'default');
    expect((await postPod({ metadata: { name: 'again' }, spec: { containers } })).status).toBe(201);
    const mirror = { name: 'etcd-node', annotations: { 'kubernetes.io/config.mirror': 'x' } };
    expect((await postPod({ metadata: mirror, spec: { containers } })).status).toBe(201);
  });

  it('is off on a cluster without the ServiceAccounts controller (no `default` account anywhere)', async () => {
    await start({ serviceAccounts: false });
    expect((await postPod({ metadata: { name: 'web-1' }, spec: podSpec })).status).toBe(201);
    expect(cluster.get('v1', 'ServiceAccount', 'default', 'default')).toBeUndefined();
  });
});

describe('a Deployment whose ServiceAccount is missing', { timeout: 60_000 }, () => {
  it('gets FailedCreate events and ReplicaFailure on its ReplicaSet and itself, no pods', async () => {
    await start();
    workload('Deployment', { replicas: 3 });
    await sleep(clock, 60_000);
    expect(pods()).toEqual([]);
    const rs = replicaSet();
    const rsName = rs.metadata?.name ?? '';
    const message = forbidden(`${rsName}-`);
    // One create a sync (slow start), every retry counted in the one event.
    const failed = events('FailedCreate');
    expect(failed.map((e) => [e.type, e.involvedObject, e.message, e.source])).toEqual([
      [
        'Warning',
        expect.objectContaining({ kind: 'ReplicaSet', name: rsName }),
        `Error creating: ${message}`,
        { component: 'replicaset-controller' },
      ],
    ]);
    expect(failed[0]?.count).toBeGreaterThan(10);
    const [rsCondition] = conditionsOf(rs);
    expect(rsCondition).toEqual({
      type: 'ReplicaFailure',
      status: 'True',
      lastTransitionTime: '2026-01-01T00:00:01Z',
      reason: 'FailedCreate',
      message,
    });
    expect(conditionsOf(cluster.get('apps/v1', 'Deployment', 'web', 'default'))).toEqual([
      {
        type: 'ReplicaFailure',
        status: 'True',
        lastUpdateTime: '2026-01-01T00:00:01Z',
        lastTransitionTime: '2026-01-01T00:00:01Z',
        reason: 'FailedCreate',
        message,
      },
    ]);
  });

  it('gets its pods once the account exists, at the rate-limited retry, and loses ReplicaFailure', async () => {
    await start();
    workload('Deployment', { replicas: 3 });
    await sleep(clock, 60_000);
    const created = clock.now();
    account();
    // Nothing the ReplicaSet controller watches changed: the pods wait for the back-off's next retry.
    await sleep(clock, 1000);
    expect(pods()).toEqual([]);
    await sleep(clock, 60_000);
    expect(pods()).toHaveLength(3);
    const made = events('SuccessfulCreate').filter((e) => kindOf(e) === 'ReplicaSet');
    // The first failure at 00:00:01, the retries 5 ms, 10 ms, 20 ms ... after each: the 14th comes 5 ms x (2^14 - 1)
    // = 81.9 s after it, 21 s after the account was made.
    expect(new Date(created).toISOString()).toBe('2026-01-01T00:01:01.000Z');
    expect(made[0]?.firstTimestamp).toBe('2026-01-01T00:01:22Z');
    await sleep(clock, 10_000);
    expect(conditionsOf(replicaSet())).toEqual([]);
    const deployment = cluster.get('apps/v1', 'Deployment', 'web', 'default');
    expect(conditionsOf(deployment)).toEqual([]);
    expect(deployment?.status).toMatchObject({ readyReplicas: 3, availableReplicas: 3 });
  });
});

describe('DaemonSet and StatefulSet pods whose ServiceAccount is missing', { timeout: 60_000 }, () => {
  it('a DaemonSet records FailedCreate, sets no condition, and makes its pod once the account exists', async () => {
    await start();
    workload('DaemonSet');
    await sleep(clock, 10_000);
    expect(events('FailedCreate').map((e) => [e.type, kindOf(e), e.message])).toEqual([
      ['Warning', 'DaemonSet', `Error creating: ${forbidden('web-')}`],
    ]);
    const ds = cluster.get('apps/v1', 'DaemonSet', 'web', 'default');
    expect(ds?.status).toMatchObject({ desiredNumberScheduled: 1, currentNumberScheduled: 0 });
    expect(conditionsOf(ds)).toEqual([]);
    account();
    await sleep(clock, 30_000);
    expect(pods().map((p) => targetNode(p))).toEqual([node.name]);
  });

  it('a StatefulSet records its own FailedCreate text and creates web-0 once the account exists', async () => {
    await start();
    workload('StatefulSet', { replicas: 2, serviceName: 'web' });
    await sleep(clock, 10_000);
    expect(events('FailedCreate').map((e) => [e.type, e.source, e.message])).toEqual([
      [
        'Warning',
        { component: 'statefulset-controller' },
        `create Pod web-0 in StatefulSet web failed error: ${forbidden('web-0')}`,
      ],
    ]);
    expect(pods()).toEqual([]);
    account();
    await sleep(clock, 60_000);
    expect(pods().map((p) => p.metadata?.name)).toEqual(['web-0', 'web-1']);
  });
});

describe('the controllers rate limiter (DefaultTypedControllerRateLimiter)', () => {
  it('backs off 5 ms doubling per failure, up to 1000 s, and starts again once forgotten', () => {
    const limiter = new ControllerRateLimiter();
    // Far apart, so the bucket is full each time.
    const delays = Array.from({ length: 5 }, (_, i) => limiter.when('a', i * 100_000));
    expect(delays).toEqual([5, 10, 20, 40, 80]);
    expect(limiter.numRequeues('a')).toBe(5);
    expect(limiter.when('b', 600_000)).toBe(5);
    limiter.forget('a');
    expect(limiter.numRequeues('a')).toBe(0);
    expect(limiter.when('a', 700_000)).toBe(5);
    for (let i = 0; i < 30; i++) limiter.when('c', 800_000 + i * 2_000_000);
    expect(limiter.when('c', 900_000_000)).toBe(1_000_000);
  });

  it('lets a burst of 100 through, then 10 a second', () => {
    const limiter = new ControllerRateLimiter();
    const delays = Array.from({ length: 102 }, (_, i) => limiter.when(`k${i}`, 0));
    expect(delays.slice(0, 100)).toEqual(Array(100).fill(5));
    expect(delays.slice(100)).toEqual([100, 200]);
  });
});

describe('getReplicaFailures', () => {
  const rs = (name: string, message?: string): ReplicaSet => ({
    metadata: { name },
    status: message
      ? {
          conditions: [
            {
              type: 'ReplicaFailure',
              status: 'True',
              lastTransitionTime: '2026-01-01T00:00:00Z',
              reason: 'FailedCreate',
              message,
            },
          ],
        }
      : {},
  });

  it("prefers the new ReplicaSet's condition, else takes the first other one's, lastUpdateTime its transition", () => {
    expect(replicaFailure(rs('new', 'quota'), [rs('old', 'sa'), rs('new', 'quota')])?.message).toBe('quota');
    expect(replicaFailure(rs('new'), [rs('a'), rs('b', 'sa'), rs('c', 'other')])).toEqual({
      type: 'ReplicaFailure',
      status: 'True',
      lastUpdateTime: '2026-01-01T00:00:00Z',
      lastTransitionTime: '2026-01-01T00:00:00Z',
      reason: 'FailedCreate',
      message: 'sa',
    });
    expect(replicaFailure(undefined, [rs('a')])).toBeUndefined();
  });
});

const describeKubectl = hasKubectl || process.env.CI === 'true' ? describe : describe.skip;

describeKubectl('kubectl get events', { timeout: 60_000 }, () => {
  const { kubectl } = kubectlRunner(() => ({ kubeconfigPath: cluster.kubeconfigPath, dir }));

  it('shows the Warning FailedCreate of the ReplicaSet with the admission message', async () => {
    await start();
    workload('Deployment', { replicas: 1 });
    await sleep(clock, 10_000);
    const rsName = replicaSet().metadata?.name ?? '';
    const out = await kubectl('get', 'events', '--field-selector', 'reason=FailedCreate');
    expect(out.stderr).toBe('');
    const rows = out.stdout
      .trim()
      .split('\n')
      .map((line) => line.split(/\s{2,}/));
    expect(rows[0]).toEqual(['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']);
    expect(rows.slice(1).map((r) => r.slice(1))).toEqual([
      ['Warning', 'FailedCreate', `replicaset/${rsName}`, `Error creating: ${forbidden(`${rsName}-`)}`],
    ]);
  });

  it('kubectl describe rs shows the ReplicaFailure condition and the event', async () => {
    await start();
    workload('Deployment', { replicas: 1 });
    await sleep(clock, 10_000);
    const rsName = replicaSet().metadata?.name ?? '';
    const out = await kubectl('describe', 'rs', rsName);
    expect(out.stderr).toBe('');
    expect(out.stdout).toMatch(
      /Conditions:\n\s+Type\s+Status\s+Reason\n\s+-+\s+-+\s+-+\n\s+ReplicaFailure\s+True\s+FailedCreate\n/,
    );
    expect(out.stdout).toContain(`Warning  FailedCreate`);
    expect(out.stdout).toContain(`Error creating: ${forbidden(`${rsName}-`)}`);
  });
});
