/**
 * Graceful deletion of a pod on the simulated cluster, as a Kubernetes v1.33 cluster does it
 * (src/lab/sim/pod-deletion.ts, the kubelet's part in kubelet.ts): the grace period a DELETE gives
 * (pkg/registry/core/pod/strategy.go CheckGracefulDelete; its TestCheckGracefulDelete cases), the DeleteOptions a
 * request carries, what a user then sees over HTTP and through kubectl while the pod is Terminating, and what the
 * controllers make of a pod that lingers. All time is virtual.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { sleep } from '../../../src/lab/clock.js';
import { VirtualClock } from '../../../src/lab/sim/clock.js';
import { EndpointSliceController } from '../../../src/lab/sim/endpointslice.js';
import type { ContainerBehaviour } from '../../../src/lab/sim/kubelet.js';
import { defaultNode } from '../../../src/lab/sim/kubelet.js';
import { registerNode } from '../../../src/lab/sim/node.js';
import {
  deleteOptions,
  deletePodAsController,
  deletionStep,
  podGracePeriod,
} from '../../../src/lab/sim/pod-deletion.js';
import { StatefulSetController } from '../../../src/lab/sim/statefulset.js';
import { Store, StoreError } from '../../../src/lab/sim/store.js';
import { deploymentPods } from '../../../src/lab/sim/workloads.js';
import { type ControllerCluster, controllerCluster, workload } from '../../support/controller-cluster.js';
import {
  type FakeKube,
  type KubeObject,
  type StoredEvent,
  startFakeKube,
} from '../../support/fake-kube/index.js';
import { hasKubectl } from '../../support/kubectl.js';

const run = promisify(execFile);
const start = Date.parse('2026-01-01T00:00:00Z');
const at = (seconds: number) => new Date(start + seconds * 1000).toISOString().replace('.000Z', 'Z');

const pod = (spec: Record<string, unknown>, status: Record<string, unknown> = {}, meta = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'default', uid: 'u1', resourceVersion: '7', ...meta },
  spec,
  status,
});

/** What a StoreError-throwing call answers: its code and message. */
function failure(fn: () => unknown): { code: number; message: string } | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof StoreError) return { code: error.code, message: error.message };
    throw error;
  }
  return undefined;
}

describe('the grace period of a pod DELETE (CheckGracefulDelete, TestCheckGracefulDelete)', () => {
  // strategy_test.go TestCheckGracefulDelete: DeleteOptions with 30 s, and the period the strategy leaves in them.
  it.each([
    ['in pending phase with has node name', pod({ nodeName: 'something' }, { phase: 'Pending' }), 30, 30],
    ['in failed phase with has node name', pod({ nodeName: 'something' }, { phase: 'Failed' }), 30, 0],
    ['not bound, pending', pod({}, { phase: 'Pending' }), 30, 0],
    ['in succeeded phase', pod({}, { phase: 'Succeeded' }), 30, 0],
    ['no phase', pod({}, {}), 30, 0],
    [
      'has negative grace period',
      pod({ nodeName: 'something', terminationGracePeriodSeconds: -1 }),
      undefined,
      1,
    ],
  ])('%s', (_name, input, requested, period) => {
    expect(podGracePeriod(input, requested)).toBe(period);
  });

  it("without a period asked for, the pod's terminationGracePeriodSeconds, else the API server's default 30", () => {
    expect(podGracePeriod(pod({ nodeName: 'n', terminationGracePeriodSeconds: 5 }))).toBe(5);
    expect(podGracePeriod(pod({ nodeName: 'n' }))).toBe(30);
    expect(podGracePeriod(pod({ nodeName: 'n', terminationGracePeriodSeconds: 5 }), 0)).toBe(0);
  });
});

describe('a DELETE of a pod already being deleted (BeforeDelete)', () => {
  const deleting = (grace: number | undefined) =>
    pod(
      { nodeName: 'n' },
      { phase: 'Running' },
      { deletionTimestamp: at(30), ...(grace !== undefined ? { deletionGracePeriodSeconds: grace } : {}) },
    );

  it('may only shorten the grace period: the deletionTimestamp moves back by the difference', () => {
    expect(deletionStep(deleting(30), { gracePeriodSeconds: 5 }, start + 10_000)).toEqual({
      step: 'mark',
      deletionTimestamp: at(5),
      deletionGracePeriodSeconds: 5,
    });
    expect(deletionStep(deleting(30), { gracePeriodSeconds: 60 }, start)).toEqual({ step: 'pending' });
    expect(deletionStep(deleting(30), {}, start)).toEqual({ step: 'pending' });
  });

  it('one marked with no or a 0 grace period is removed at once', () => {
    expect(deletionStep(deleting(0), {}, start)).toEqual({ step: 'remove' });
    expect(deletionStep(deleting(undefined), { gracePeriodSeconds: 10 }, start)).toEqual({ step: 'remove' });
  });

  it('a precondition that does not hold is a 409 Conflict', () => {
    const running = pod({ nodeName: 'n' }, { phase: 'Running' });
    expect(failure(() => deletionStep(running, { preconditions: { uid: 'other' } }, start))).toEqual({
      code: 409,
      message:
        'Operation cannot be fulfilled on Pod "p": the UID in the precondition (other) does not match the UID in record (u1). The object might have been deleted and then recreated',
    });
    expect(failure(() => deletionStep(running, { preconditions: { resourceVersion: '6' } }, start))).toEqual({
      code: 409,
      message:
        'Operation cannot be fulfilled on Pod "p": the ResourceVersion in the precondition (6) does not match the ResourceVersion in record (7). The object might have been modified',
    });
  });
});

describe('the DeleteOptions of a request', () => {
  it('reads gracePeriodSeconds from the query, or from a JSON body, which wins when there is one', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1_000_000, max: 1_000_000 }), fc.integer(), (n, other) => {
        expect(deleteOptions({ gracePeriodSeconds: String(n) }, '')).toEqual({ gracePeriodSeconds: n });
        const body = JSON.stringify({ kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: n });
        expect(deleteOptions({ gracePeriodSeconds: String(other) }, body)).toEqual({ gracePeriodSeconds: n });
      }),
    );
  });

  it('a gracePeriodSeconds that is no integer is a 400 Bad Request', () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => !/^[+-]?\d+$/.test(s)),
        (text) => {
          expect(failure(() => deleteOptions({ gracePeriodSeconds: text }, ''))?.code).toBe(400);
        },
      ),
    );
    expect(failure(() => deleteOptions({}, '{"gracePeriodSeconds":1.5}'))?.code).toBe(400);
  });

  it("reads kubectl's body: propagationPolicy and preconditions; an unknown propagationPolicy is invalid", () => {
    expect(
      deleteOptions(
        {},
        '{"kind":"DeleteOptions","apiVersion":"v1","propagationPolicy":"Background","preconditions":{"uid":"u1"}}',
      ),
    ).toEqual({ propagationPolicy: 'Background', preconditions: { uid: 'u1' } });
    expect(failure(() => deleteOptions({ propagationPolicy: 'Sometimes' }, ''))).toEqual({
      code: 422,
      message:
        'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "Sometimes": supported values: "Foreground", "Background", "Orphan", "nil"',
    });
  });
});

interface ContainerStatus {
  name: string;
  ready: boolean;
  state: { running?: unknown; terminated?: { exitCode: number; reason: string; message?: string } };
  lastState?: { terminated?: { exitCode: number } };
}
interface PodStatus {
  phase?: string;
  conditions?: Array<{ type: string; status: string; reason?: string }>;
  containerStatuses?: ContainerStatus[];
}

/** DELETE over HTTP, as a client sends it; the answer's status code and body. */
async function httpDelete(fake: FakeKube, name: string, options?: Record<string, unknown>, query = '') {
  const response = await fetch(`${fake.url}/api/v1/namespaces/default/pods/${name}${query}`, {
    method: 'DELETE',
    ...(options
      ? {
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ kind: 'DeleteOptions', apiVersion: 'v1', ...options }),
        }
      : {}),
  });
  return { code: response.status, body: (await response.json()) as KubeObject };
}

describe('a pod deleted on the simulated cluster is Terminating for its grace period', {
  timeout: 60_000,
}, () => {
  let lab: ControllerCluster;
  let fake: FakeKube;
  let clock: VirtualClock;
  let seen: StoredEvent[];
  afterEach(() => lab.close());

  /** The kubelet and its node, a Deployment's controllers and the EndpointSlice controller. */
  async function cluster(behaviour: ContainerBehaviour = {}) {
    lab = await controllerCluster((f, models) => {
      const stops = [
        registerNode(f, models, { name: defaultNode.name, ip: defaultNode.ip, podCidr: defaultNode.podCidr }),
        deploymentPods(f, () => true, { clock: models }),
        new EndpointSliceController(f, { clock: models }).start(),
      ];
      return () => {
        for (const stop of stops) stop();
      };
    }, behaviour);
    ({ fake, clock } = lab);
    seen = [];
    lab.onClose(fake.onChange((event) => event.resource.kind === 'Pod' && seen.push(event)));
  }

  const web = workload(
    () => lab,
    'Deployment',
    'web',
    () => ({
      replicas: 1,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            { name: 'web', image: 'ghcr.io/x/web:1', ports: [{ name: 'http', containerPort: 8080 }] },
          ],
        },
      },
    }),
  );
  const pods = () => fake.list('v1', 'Pod', 'default');
  const podNamed = (name: string) => fake.get('v1', 'Pod', name, 'default');
  const statusOf = (p: KubeObject | undefined) => (p?.status ?? {}) as PodStatus;
  /** The Deployment's one pod, Running, `seconds` after the start. */
  async function onePod(replicas = 1): Promise<string> {
    web.create({ replicas });
    await sleep(clock, 2000);
    const [first] = pods();
    expect(statusOf(first).phase).toBe('Running');
    return first?.metadata?.name ?? '';
  }
  const eventsAbout = (name: string) =>
    seen
      .filter((e) => e.object.metadata?.name === name)
      .map((e) => [e.type, e.object.metadata?.deletionTimestamp]);

  it('a DELETE answers 200 with the pod marked; it stays readable until the kubelet has stopped it', async () => {
    await cluster();
    const name = await onePod();
    const before = podNamed(name);
    seen.length = 0;
    const { code, body } = await httpDelete(fake, name, { propagationPolicy: 'Background' });
    expect(code).toBe(200);
    expect(body.kind).toBe('Pod');
    expect(body.metadata).toMatchObject({
      name,
      deletionTimestamp: at(32),
      deletionGracePeriodSeconds: 30,
      generation: (before?.metadata?.generation ?? 1) + 1,
    });
    // The container ignores SIGTERM (a PID 1 without a handler): SIGKILL when the 30 s are over.
    await sleep(clock, 29_000);
    expect(podNamed(name)?.metadata?.deletionTimestamp).toBe(at(32));
    expect(lab.events('default', 'Killing')).toContain('Stopping container web');
    const response = await fetch(`${fake.url}/api/v1/namespaces/default/pods/${name}`);
    expect(response.status).toBe(200);
    let last: PodStatus = {};
    lab.onClose(
      fake.onChange((e) => {
        if (e.type === 'MODIFIED' && e.object.metadata?.name === name) last = statusOf(e.object);
      }),
    );
    await sleep(clock, 1000);
    expect(podNamed(name)).toBeUndefined();
    expect((await fetch(`${fake.url}/api/v1/namespaces/default/pods/${name}`)).status).toBe(404);
    // Its last status before it went: terminal, the container killed (137, reason Error), not Ready.
    expect(last.phase).toBe('Failed');
    expect(last.containerStatuses?.[0]?.state.terminated).toMatchObject({ exitCode: 137, reason: 'Error' });
    expect(last.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'PodFailed',
    });
    // A watch saw it marked, then its status writes, then the kubelet's removal (with grace 0).
    const events = eventsAbout(name);
    expect(events[0]).toEqual(['MODIFIED', at(32)]);
    expect(events.at(-2)).toEqual(['MODIFIED', at(2)]);
    expect(events.at(-1)).toEqual(['DELETED', at(2)]);
  });

  it('a container that ends on SIGTERM ends its pod sooner: removed then, Succeeded for exit code 0', async () => {
    await cluster({ stops: { afterMs: 3000, exitCode: 0 } });
    const name = await onePod();
    let last: PodStatus = {};
    lab.onClose(
      fake.onChange((e) => {
        if (e.type === 'MODIFIED' && e.object.metadata?.name === name) last = statusOf(e.object);
      }),
    );
    await httpDelete(fake, name);
    await sleep(clock, 2900);
    expect(podNamed(name)).toBeDefined();
    await sleep(clock, 200);
    expect(podNamed(name)).toBeUndefined();
    expect(last.phase).toBe('Succeeded');
    expect(last.containerStatuses?.[0]?.state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
  });

  it('gracePeriodSeconds=0 (kubectl delete --grace-period=0 --force) removes it at once', async () => {
    await cluster();
    const name = await onePod();
    seen.length = 0;
    const { code, body } = await httpDelete(fake, name, undefined, '?gracePeriodSeconds=0');
    expect(code).toBe(200);
    expect(body.metadata?.name).toBe(name);
    expect(podNamed(name)).toBeUndefined();
    expect(eventsAbout(name)).toEqual([
      ['MODIFIED', at(2)],
      ['DELETED', at(2)],
    ]);
  });

  it('a second DELETE with a shorter grace period brings the end forward; a longer one changes nothing', async () => {
    await cluster();
    const name = await onePod();
    await httpDelete(fake, name);
    await sleep(clock, 10_000);
    const longer = await httpDelete(fake, name, { gracePeriodSeconds: 60 });
    expect(longer.body.metadata).toMatchObject({ deletionTimestamp: at(32), deletionGracePeriodSeconds: 30 });
    const shorter = await httpDelete(fake, name, { gracePeriodSeconds: 5 });
    // The timestamp moves back by 25 s; the kubelet kills 5 s from now.
    expect(shorter.body.metadata).toMatchObject({ deletionTimestamp: at(7), deletionGracePeriodSeconds: 5 });
    await sleep(clock, 4900);
    expect(podNamed(name)).toBeDefined();
    await sleep(clock, 200);
    expect(podNamed(name)).toBeUndefined();
  });

  it('its ReplicaSet replaces it at once; the old pod is Terminating, no longer counted, and serving', async () => {
    await cluster();
    const name = await onePod(2);
    fake.seed({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'default' },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    });
    await lab.settle();
    await httpDelete(fake, name);
    await sleep(clock, 2000);
    // Three pods for 2 replicas: the replacement and the one being deleted.
    expect(pods()).toHaveLength(3);
    expect(
      pods()
        .filter((p) => p.metadata?.deletionTimestamp)
        .map((p) => p.metadata?.name),
    ).toEqual([name]);
    const rs = fake.list('apps/v1', 'ReplicaSet', 'default')[0];
    expect(rs?.status).toMatchObject({ replicas: 2, readyReplicas: 2 });
    const slice = fake.list('discovery.k8s.io/v1', 'EndpointSlice', 'default')[0] as KubeObject & {
      endpoints: Array<{ targetRef: { name: string }; conditions: Record<string, boolean> }>;
    };
    // It still runs and passes readiness: serving, but no longer ready (EndpointSlice terminating endpoints).
    expect(slice.endpoints.find((e) => e.targetRef.name === name)?.conditions).toEqual({
      ready: false,
      serving: true,
      terminating: true,
    });
    await sleep(clock, 30_000);
    expect(pods()).toHaveLength(2);
    expect(pods().some((p) => p.metadata?.name === name)).toBe(false);
  });
});

describe('a StatefulSet pod a user deletes', { timeout: 60_000 }, () => {
  let lab: ControllerCluster;
  afterEach(() => lab.close());

  it('comes back under its name only once the old one is gone', async () => {
    lab = await controllerCluster((f, models) => new StatefulSetController(f, { clock: models }).start());
    const { fake, clock } = lab;
    fake.seed({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', namespace: 'default' },
      spec: {
        replicas: 1,
        serviceName: 'db',
        selector: { matchLabels: { app: 'db' } },
        template: {
          metadata: { labels: { app: 'db' } },
          spec: { containers: [{ name: 'db', image: 'db:1' }] },
        },
      },
    });
    await sleep(clock, 2000);
    const uidOf = () => fake.get('v1', 'Pod', 'db-0', 'default')?.metadata?.uid;
    const old = uidOf();
    expect(old).toBeDefined();
    await httpDelete(fake, 'db-0');
    await sleep(clock, 29_000);
    expect(uidOf()).toBe(old);
    expect(fake.get('v1', 'Pod', 'db-0', 'default')?.metadata?.deletionTimestamp).toBe(at(32));
    await sleep(clock, 2000);
    expect(uidOf()).toBeDefined();
    expect(uidOf()).not.toBe(old);
  });
});

describe('a pod no kubelet stops', () => {
  let fake: FakeKube | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });
  const seedPod = (name: string, spec: Record<string, unknown>, status?: Record<string, unknown>) =>
    fake?.seed({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default' },
      spec: { containers: [{ name: 'c', image: 'i' }], ...spec },
      ...(status ? { status } : {}),
    });

  it('is removed at once when not bound to a node or already terminal; else it stays Terminating', async () => {
    fake = await startFakeKube({ clock: new VirtualClock({ start }) });
    seedPod('unbound', {});
    seedPod('done', { nodeName: 'n' }, { phase: 'Succeeded' });
    seedPod('running', { nodeName: 'n' }, { phase: 'Running' });
    for (const name of ['unbound', 'done', 'running']) expect((await httpDelete(fake, name)).code).toBe(200);
    expect(fake.list('v1', 'Pod', 'default').map((p) => p.metadata?.name)).toEqual(['running']);
    // An update cannot take the mark away (rest/update.go BeforeUpdate).
    const current = fake.get('v1', 'Pod', 'running', 'default') as KubeObject;
    const { deletionTimestamp: _gone, deletionGracePeriodSeconds: _too, ...meta } = current.metadata ?? {};
    const put = await fetch(`${fake.url}/api/v1/namespaces/default/pods/running`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...current, metadata: { ...meta, labels: { x: 'y' } } }),
    });
    expect(put.status).toBe(200);
    expect(fake.get('v1', 'Pod', 'running', 'default')?.metadata).toMatchObject({
      labels: { x: 'y' },
      deletionTimestamp: at(30),
      deletionGracePeriodSeconds: 30,
    });
  });
});

const describeKubectl = hasKubectl || process.env.CI === 'true' ? describe : describe.skip;

describeKubectl('kubectl delete pod against the simulated cluster', { timeout: 60_000 }, () => {
  let lab: ControllerCluster;
  let cacheDir: string;
  afterEach(async () => {
    await lab.close();
    await rm(cacheDir, { recursive: true, force: true });
  });

  async function kubectl(...extra: string[]) {
    return run('kubectl', ['--kubeconfig', lab.fake.kubeconfigPath, '--cache-dir', cacheDir, ...extra], {
      encoding: 'utf8',
    });
  }
  const rows = (text: string) =>
    text
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => l.trim().split(/\s{2,}/));

  it('shows the pod Terminating until its grace period is over; --grace-period=0 --force removes it', async () => {
    cacheDir = await mkdtemp(join(tmpdir(), 'gitops-lab-kubectl-cache-'));
    lab = await controllerCluster(() => () => {});
    const { fake, clock } = lab;
    for (const name of ['a', 'b'])
      fake.seed({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace: 'default' },
        spec: { containers: [{ name: 'c', image: 'ghcr.io/x/y:1' }] },
      });
    await sleep(clock, 1000);
    // kubectl waits for the deletion by default; the clock stands still while it runs, so it must not wait here.
    const deleted = await kubectl('delete', 'pod', 'a', '--wait=false');
    expect(deleted.stdout.trim()).toBe('pod "a" deleted');
    const [header, ...listed] = rows((await kubectl('get', 'pods')).stdout);
    expect(header?.slice(0, 3)).toEqual(['NAME', 'READY', 'STATUS']);
    expect(listed.map((r) => [r[0], r[2]])).toEqual([
      ['a', 'Terminating'],
      ['b', 'Running'],
    ]);
    const forced = await kubectl('delete', 'pod', 'b', '--grace-period=0', '--force', '--wait=false');
    expect(forced.stderr).toContain('Immediate deletion does not wait for confirmation');
    expect(rows((await kubectl('get', 'pods')).stdout).map((r) => r[0])).toEqual(['NAME', 'a']);
    // 30 s after the delete (and the kubelet's SIGKILL due at that instant) the pod is gone.
    await sleep(clock, 30_000);
    await lab.settle();
    const after = await kubectl('get', 'pods');
    expect([after.stdout, after.stderr]).toEqual(['', 'No resources found in default namespace.\n']);
  });
});

describe('a controller’s pod deletion (RealPodControl.DeletePod)', () => {
  it('marks a bound pod with its own grace period, removes an unbound one, and takes a pod already gone as done', () => {
    const store = new Store(() => start);
    const podType = store.resourceFor('v1', 'Pod');
    store.create(
      podType,
      'default',
      pod({ nodeName: 'n1', terminationGracePeriodSeconds: 45 }, {}, { name: 'bound' }),
    );
    store.create(podType, 'default', pod({}, {}, { name: 'unbound' }));
    expect(deletePodAsController(store, 'default', 'bound', start)).toBe(true);
    expect(store.get(podType, 'default', 'bound')?.metadata).toMatchObject({
      deletionTimestamp: at(45),
      deletionGracePeriodSeconds: 45,
    });
    expect(deletePodAsController(store, 'default', 'unbound', start)).toBe(true);
    expect(store.get(podType, 'default', 'unbound')).toBeUndefined();
    expect(deletePodAsController(store, 'default', 'unbound', start)).toBe(false);
  });
});
