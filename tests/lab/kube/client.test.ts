import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createKubeClient,
  Kinds,
  KubeApiError,
  type KubeClient,
  WaitTimeoutError,
} from '../../../src/lab/kube/index.js';
import type { Deployment } from '../../../src/lab/kube/types.js';
import { VirtualClock } from '../../../src/lab/sim/clock.js';
import { type FakeKube, startFakeKube, workloadsAvailable } from '../../support/fake-kube/index.js';

const deployment = (name: string, replicas = 1): Deployment => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'default', labels: { app: name, tier: 'web' } },
  spec: { replicas },
});

describe('kube client against the fake API server', () => {
  let fake: FakeKube;
  let kube: KubeClient;

  beforeAll(async () => {
    fake = await startFakeKube({ bookmarkIntervalMs: 100 });
    kube = createKubeClient({ kubeconfig: fake.kubeconfigPath });
  });
  afterAll(async () => {
    await fake.close();
  });

  it('reports the server version and the context in use', async () => {
    expect(await kube.serverVersion()).toBe('v1.33.1');
    expect(kube.context).toBe('kind-gitops-lab');
  });

  it('creates, reads and lists by label; a missing object reads as undefined', async () => {
    await kube.create(deployment('alpha'));
    fake.seed({
      ...deployment('beta'),
      metadata: { name: 'beta', namespace: 'default', labels: { app: 'beta' } },
    });
    const got = await kube.get<Deployment>({ ...Kinds.Deployment, name: 'alpha', namespace: 'default' });
    expect(got?.metadata.generation).toBe(1);
    expect(got?.metadata.resourceVersion).toMatch(/^\d+$/);
    const { items } = await kube.list(Kinds.Deployment, { namespace: 'default', labelSelector: 'tier=web' });
    expect(items.map((i) => i.metadata.name)).toEqual(['alpha']);
    expect(await kube.get({ ...Kinds.Deployment, name: 'nope', namespace: 'default' })).toBeUndefined();
  });

  it('creating twice is a 409 conflict', async () => {
    await kube.create(deployment('twice'));
    const error = await kube.create(deployment('twice')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeApiError);
    expect((error as KubeApiError).status).toBe(409);
  });

  it('merge patch and JSON patch change the object and bump generation', async () => {
    const ref = { ...Kinds.Deployment, name: 'alpha', namespace: 'default' };
    const merged = await kube.mergePatch<Deployment>(ref, { spec: { replicas: 3 } });
    expect(merged.spec?.replicas).toBe(3);
    expect(merged.metadata.generation).toBe(2);
    const patched = await kube.jsonPatch<Deployment>(ref, [
      { op: 'test', path: '/spec/replicas', value: 3 },
      { op: 'replace', path: '/spec/replicas', value: 5 },
    ]);
    expect(patched.spec?.replicas).toBe(5);
    const failed = await kube
      .jsonPatch(ref, [{ op: 'test', path: '/spec/replicas', value: 1 }])
      .catch((e: unknown) => e);
    expect((failed as KubeApiError).status).toBe(422);
    // The failed patch changed nothing: replicas 5 and the API server's defaults.
    expect(fake.get('apps/v1', 'Deployment', 'alpha', 'default')?.spec).toEqual({
      replicas: 5,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    });
  });

  it('server-side apply creates, then merges, and a no-op apply writes nothing new', async () => {
    const cm = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings', namespace: 'default' },
      data: { a: '1' },
    };
    await kube.apply(cm);
    await kube.apply({ ...cm, data: { a: '1', b: '2' } });
    const rv = fake.get('v1', 'ConfigMap', 'settings', 'default')?.metadata?.resourceVersion;
    await kube.apply({ ...cm, data: { a: '1', b: '2' } });
    const after = fake.get('v1', 'ConfigMap', 'settings', 'default');
    expect(after?.data).toEqual({ a: '1', b: '2' });
    expect(after?.metadata?.resourceVersion).toBe(rv);
    // Like a real API server, an apply that changes nothing is not a write.
    const applies = fake.clientMutations().filter((m) => m.verb === 'apply' && m.name === 'settings');
    expect(applies.length).toBe(2);
  });

  it('applying into a namespace that does not exist fails with 404', async () => {
    const error = await kube
      .apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'missing' } })
      .catch((e: unknown) => e);
    expect((error as KubeApiError).status).toBe(404);
  });

  it('serves Argo CD kinds and reports kinds it does not know', async () => {
    expect(await kube.serves(Kinds.Application)).toBe(true);
    expect(await kube.serves({ apiVersion: 'example.com/v1', kind: 'Widget' })).toBe(false);
  });

  it('waits by watch until a controller makes the deployment available', async () => {
    await kube.create(deployment('waited', 2));
    const watchesBefore = fake.requests.filter((r) => r.query.watch === 'true').length;
    let stop = () => {};
    setTimeout(() => {
      stop = fake.addController(workloadsAvailable());
    }, 100);
    try {
      const ref = { ...Kinds.Deployment, name: 'waited', namespace: 'default' };
      const ready = await kube.waitFor<Deployment>(ref, (d) => (d?.status?.availableReplicas ?? 0) >= 2, {
        timeoutMs: 5000,
      });
      expect(ready?.status?.availableReplicas).toBe(2);
      expect(fake.requests.filter((r) => r.query.watch === 'true').length).toBeGreaterThan(watchesBefore);
    } finally {
      stop();
    }
  });

  it('a wait that cannot be met times out with the object and what was awaited', async () => {
    const ref = { ...Kinds.Deployment, name: 'beta', namespace: 'default' };
    const error = await kube
      .waitFor<Deployment>(ref, (d) => d?.spec?.replicas === 99, { timeoutMs: 400, describe: 'scaled to 99' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect((error as Error).message).toContain('Deployment default/beta to be scaled to 99');
  });

  it('waits for a list condition and sees deletes', async () => {
    const waiting = kube.waitForAll(
      Kinds.ConfigMap,
      { namespace: 'default', labelSelector: 'batch=1' },
      (items) => items.length === 2,
      {
        timeoutMs: 5000,
      },
    );
    setTimeout(() => {
      fake.seed({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'one', namespace: 'default', labels: { batch: '1' } },
      });
      fake.seed({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'two', namespace: 'default', labels: { batch: '1' } },
      });
    }, 50);
    const items = await waiting;
    expect(items.map((i) => i.metadata.name).sort()).toEqual(['one', 'two']);
    expect(await kube.delete({ ...Kinds.ConfigMap, name: 'one', namespace: 'default' })).toBe(true);
    expect(await kube.delete({ ...Kinds.ConfigMap, name: 'one', namespace: 'default' })).toBe(false);
  });

  it('a watch from a resourceVersion replays later changes and delivers bookmarks when asked', async () => {
    const { resourceVersion } = await kube.list(Kinds.ConfigMap, { namespace: 'default' });
    fake.seed({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'later', namespace: 'default' } });
    const seen: string[] = [];
    const controller = new AbortController();
    await kube.watch(
      Kinds.ConfigMap,
      { namespace: 'default', resourceVersion, bookmarks: true, signal: controller.signal },
      (e) => {
        seen.push(`${e.type}:${e.object.metadata?.name ?? ''}`);
        if (seen.some((s) => s.startsWith('BOOKMARK'))) controller.abort();
      },
    );
    expect(seen[0]).toBe('ADDED:later');
    expect(seen.some((s) => s.startsWith('BOOKMARK'))).toBe(true);
  });

  it('an aborted wait stops promptly', async () => {
    const controller = new AbortController();
    const ref = { ...Kinds.Deployment, name: 'beta', namespace: 'default' };
    // On a virtual clock: the abort at 50 ms ends the wait, long before its 10 s deadline.
    const clock = new VirtualClock();
    const started = clock.now();
    clock.setTimer(50, () => controller.abort());
    const error = await kube
      .waitFor(ref, () => false, { timeoutMs: 10_000, signal: controller.signal, clock })
      .catch((e: unknown) => e);
    expect((error as Error).message).toContain('interrupted');
    expect(clock.now() - started).toBe(50);
    clock.stop();
  });

  it('an unreachable server is a clear error, not a stack trace', async () => {
    const dead = await startFakeKube();
    await dead.close();
    const client = createKubeClient({ kubeconfig: dead.kubeconfigPath });
    const error = await client.serverVersion().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeApiError);
    expect((error as KubeApiError).status).toBe(0);
    expect((error as Error).message).toMatch(/Cannot reach the Kubernetes API at http:\/\/127\.0\.0\.1:\d+/);
  });
});
