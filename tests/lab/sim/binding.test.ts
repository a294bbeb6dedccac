/**
 * The pods/binding subresource as a v1.33 API server serves it (pkg/registry/core/pod/storage/storage.go
 * BindingREST), over HTTP: the pod gets its node and PodScheduled, a second binding is a 409 Conflict, and the
 * scheduler model binds the pods it sees with the `Scheduled` event at the same instant. All time is virtual.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sleep } from '../../../src/lab/clock.js';
import { VirtualClock } from '../../../src/lab/sim/clock.js';
import { Kubelet } from '../../../src/lab/sim/kubelet.js';
import { type FakeKube, type KubeObject, startFakeKube } from '../../support/fake-kube/index.js';

const start = Date.parse('2026-01-01T00:00:00Z');
let fake: FakeKube;
let clock: VirtualClock;

afterEach(async () => {
  clock.stop();
  await fake.close();
});

async function cluster() {
  clock = new VirtualClock({ start });
  fake = await startFakeKube({ clock });
  fake.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'docqa' } });
}

const pod = (name: string, spec: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'docqa' },
  spec: { containers: [{ name: 'docqa', image: 'docqa:1' }], ...spec },
});

async function bind(name: string, body: Record<string, unknown>) {
  const res = await fetch(`${fake.url}/api/v1/namespaces/docqa/pods/${name}/binding`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return {
    code: res.status,
    body: (await res.json()) as { status?: string; message?: string; reason?: string },
  };
}

const nodeOf = (o: KubeObject | undefined) => (o?.spec as { nodeName?: string } | undefined)?.nodeName;
const statusOf = (o: KubeObject | undefined) =>
  (o?.status ?? {}) as { phase?: string; conditions?: Array<{ type: string; lastTransitionTime?: string }> };

const binding = (name: string, node = 'gitops-lab-control-plane') => ({
  apiVersion: 'v1',
  kind: 'Binding',
  metadata: { name, namespace: 'docqa' },
  target: { apiVersion: 'v1', kind: 'Node', name: node },
});

describe('POST pods/<name>/binding', () => {
  it('sets spec.nodeName and PodScheduled True at the bind, answers Status Success, keeps the generation', async () => {
    await cluster();
    fake.seed(pod('p'));
    clock.advance(90_000);
    const answer = await bind('p', {
      ...binding('p'),
      metadata: { name: 'p', annotations: { 'example.com/by': 'test' } },
    });
    expect(answer).toEqual({
      code: 201,
      body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' },
    });
    const bound = fake.get('v1', 'Pod', 'p', 'docqa');
    expect(nodeOf(bound)).toBe('gitops-lab-control-plane');
    expect(bound?.metadata?.annotations).toEqual({ 'example.com/by': 'test' });
    expect(bound?.metadata?.generation).toBe(1);
    expect(statusOf(bound).conditions).toEqual([
      {
        type: 'PodScheduled',
        status: 'True',
        lastProbeTime: null,
        lastTransitionTime: '2026-01-01T00:01:30Z',
      },
    ]);
    expect(fake.clientMutations().at(-1)).toMatchObject({
      verb: 'create',
      subresource: 'binding',
      name: 'p',
    });
  });

  it('a pod already bound is a 409 Conflict naming its node; a missing pod a 404; a wrong name a 400', async () => {
    await cluster();
    fake.seed(pod('p'), pod('q', { nodeName: 'gitops-lab-worker' }));
    expect((await bind('p', binding('p'))).code).toBe(201);
    expect(await bind('p', binding('p', 'other'))).toMatchObject({
      code: 409,
      body: {
        reason: 'Conflict',
        message:
          'Operation cannot be fulfilled on pods/binding "p": pod p is already assigned to node "gitops-lab-control-plane"',
      },
    });
    expect((await bind('q', binding('q'))).body.message).toBe(
      'Operation cannot be fulfilled on pods/binding "q": pod q is already assigned to node "gitops-lab-worker"',
    );
    expect(await bind('gone', binding('gone'))).toMatchObject({
      code: 404,
      body: { reason: 'NotFound', message: 'pods "gone" not found' },
    });
    expect(await bind('p', binding('q'))).toMatchObject({
      code: 400,
      body: { message: 'name in URL does not match name in Binding object' },
    });
    fake.seed(pod('r'));
    expect((await bind('r', { metadata: { name: 'r' }, target: { kind: 'Pod' } })).body.message).toBe(
      '[target.kind: Unsupported value: "Pod": supported values: "Node", "<empty>", target.name: Required value]',
    );
    expect(nodeOf(fake.get('v1', 'Pod', 'r', 'docqa'))).toBeUndefined();
  });
});

describe('the scheduler model (in the kubelet)', () => {
  it('binds a new pod to the node with Scheduled at the same instant; a pod created on a node is not scheduled', async () => {
    await cluster();
    const kubelet = new Kubelet(fake, { clock }).start();
    try {
      clock.advance(5_000);
      fake.seed(pod('p'), pod('q', { nodeName: 'gitops-lab-control-plane' }));
      await sleep(clock, 1000);
      const p = fake.get('v1', 'Pod', 'p', 'docqa');
      expect(nodeOf(p)).toBe('gitops-lab-control-plane');
      const conditions = statusOf(p).conditions ?? [];
      const scheduledAt = conditions.find((c) => c.type === 'PodScheduled')?.lastTransitionTime;
      const events = fake.list('v1', 'Event', 'docqa').filter((e) => e.reason === 'Scheduled');
      expect(events.map((e) => [(e.involvedObject as { name: string }).name, e.message])).toEqual([
        ['p', 'Successfully assigned docqa/p to gitops-lab-control-plane'],
      ]);
      expect(scheduledAt).toBe('2026-01-01T00:00:05Z');
      expect(events[0]?.firstTimestamp).toBe(scheduledAt);
      // q ran on its node without the scheduler.
      expect(statusOf(fake.get('v1', 'Pod', 'q', 'docqa')).phase).toBe('Running');
    } finally {
      kubelet.stop();
    }
  });
});

describe('field selectors on pods', () => {
  async function list(selector: string) {
    const res = await fetch(
      `${fake.url}/api/v1/namespaces/docqa/pods?fieldSelector=${encodeURIComponent(selector)}`,
    );
    const body = (await res.json()) as { items?: KubeObject[]; message?: string; reason?: string };
    return { code: res.status, names: body.items?.map((p) => p.metadata?.name), body };
  }

  it('select on spec.nodeName (unset reads as empty), metadata.name and status.phase; other fields are a 400', async () => {
    await cluster();
    fake.seed(pod('a', { nodeName: 'gitops-lab-control-plane' }), pod('b'), {
      ...pod('c', { nodeName: 'gitops-lab-control-plane' }),
      status: { phase: 'Running' },
    });
    expect((await list('spec.nodeName=gitops-lab-control-plane')).names).toEqual(['a', 'c']);
    expect((await list('spec.nodeName=')).names).toEqual(['b']);
    expect((await list('spec.host!=gitops-lab-control-plane')).names).toEqual(['b']);
    expect((await list('status.phase=Running,metadata.name!=a')).names).toEqual(['c']);
    expect((await list('spec.restartPolicy=Always,spec.schedulerName=default-scheduler')).names).toEqual([
      'a',
      'b',
      'c',
    ]);
    expect(await list('spec.containers=docqa')).toMatchObject({
      code: 400,
      body: { reason: 'BadRequest', message: 'field label not supported: spec.containers' },
    });
    expect((await list('spec.nodeName')).body.message).toBe(
      "invalid selector: 'spec.nodeName'; can't understand 'spec.nodeName'",
    );
  });
});
