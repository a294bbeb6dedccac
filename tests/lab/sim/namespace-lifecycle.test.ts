/**
 * Deleting a namespace on the simulated cluster, as on a Kubernetes v1.33 cluster: the namespace registry's Delete
 * (src/lab/sim/object-deletion.ts), the NamespaceLifecycle admission (namespace-lifecycle.ts) and the namespace
 * controller (namespace-controller.ts) with the garbage collector, the Deployment controllers and the kubelet, on a
 * virtual clock. The namespace is Terminating while its content goes (pods gracefully), then vanishes.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sleep } from '../../../src/lab/clock.js';
import type { ControllerCluster } from '../../support/controller-cluster.js';
import { deletionCluster } from '../../support/deletion-cluster.js';
import type { KubeObject } from '../../support/fake-kube/index.js';
import { hasKubectl } from '../../support/kubectl.js';
import { kubectlRunner } from '../../support/kubectl-run.js';

let lab: ControllerCluster;
afterEach(() => lab.close());

async function cluster(): Promise<void> {
  lab = await deletionCluster();
}

/** The namespace `shop` with a Deployment of two running pods and a ConfigMap. */
async function shop(): Promise<void> {
  lab.fake.seed(
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'shop' } },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'shop' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'web', image: 'ghcr.io/x/web:1' }] },
        },
      },
    },
  );
  await sleep(lab.clock, 2000);
  expect(lab.fake.list('v1', 'Pod', 'shop')).toHaveLength(2);
}

async function request(method: string, path: string, body?: unknown) {
  const response = await fetch(`${lab.fake.url}${path}`, {
    method,
    ...(body !== undefined
      ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
      : {}),
  });
  return { code: response.status, body: (await response.json()) as KubeObject & Record<string, unknown> };
}

/** The namespace `name` holding a ConfigMap `held` with a finalizer nothing removes. */
function heldNamespace(name: string): void {
  lab.fake.seed(
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'held', namespace: name, finalizers: ['example.com/hold'] },
    },
  );
}

const namespace = (name: string) => lab.fake.get('v1', 'Namespace', name);
const content = (ns: string) =>
  lab.fake.store.resources
    .filter((r) => r.namespaced)
    .flatMap((r) => lab.fake.store.list(r, ns))
    .map((o) => `${o.kind}/${o.metadata?.name}`);

describe('deleting a namespace (namespace storage Delete, the namespace controller)', {
  timeout: 60_000,
}, () => {
  it('is Terminating while its content goes; creating in it is a 403; then it vanishes', async () => {
    await cluster();
    await shop();
    const deleted = await request('DELETE', '/api/v1/namespaces/shop');
    expect(deleted.code).toBe(200);
    expect(deleted.body.kind).toBe('Namespace');
    expect(deleted.body.status).toEqual({ phase: 'Terminating' });
    expect(deleted.body.metadata?.deletionTimestamp).toBe('2026-01-01T00:00:02Z');
    const created = await request('POST', '/api/v1/namespaces/shop/configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'late' },
    });
    expect(created.code).toBe(403);
    expect(created.body).toMatchObject({
      reason: 'Forbidden',
      message:
        'configmaps "late" is forbidden: unable to create new content in namespace shop because it is being terminated',
      details: { causes: [{ reason: 'NamespaceTerminating', field: 'metadata.namespace' }] },
    });
    await lab.settle();
    // The Deployment, its ReplicaSet and the ConfigMap went at once; the pods are Terminating.
    expect(content('shop').filter((c) => !c.startsWith('Event/'))).toEqual(
      lab.fake.list('v1', 'Pod', 'shop').map((p) => `Pod/${p.metadata?.name}`),
    );
    expect(lab.fake.list('v1', 'Pod', 'shop').every((p) => p.metadata?.deletionTimestamp)).toBe(true);
    // The namespace controller says what remains (status_condition_utils.go): the two pods.
    const conditions = (namespace('shop')?.status as { phase?: string; conditions?: KubeObject[] }) ?? {};
    expect(conditions.phase).toBe('Terminating');
    expect(conditions.conditions?.map((c) => [c.type, c.status, c.reason, c.message])).toEqual([
      [
        'NamespaceDeletionDiscoveryFailure',
        'False',
        'ResourcesDiscovered',
        'All resources successfully discovered',
      ],
      [
        'NamespaceDeletionGroupVersionParsingFailure',
        'False',
        'ParsedGroupVersions',
        'All legacy kube types successfully parsed',
      ],
      [
        'NamespaceDeletionContentFailure',
        'False',
        'ContentDeleted',
        'All content successfully deleted, may be waiting on finalization',
      ],
      [
        'NamespaceContentRemaining',
        'True',
        'SomeResourcesRemain',
        'Some resources are remaining: pods. has 2 resource instances',
      ],
      [
        'NamespaceFinalizersRemaining',
        'False',
        'ContentHasNoFinalizers',
        'All content-preserving finalizers finished',
      ],
    ]);
    // A second DELETE meanwhile: the registry's Conflict.
    const again = await request('DELETE', '/api/v1/namespaces/shop');
    expect(again.code).toBe(409);
    expect(again.body.message).toBe(
      'Operation cannot be fulfilled on namespaces "shop": The system is ensuring all content is removed from this namespace.  Upon completion, this namespace will automatically be purged by the system.',
    );
    await sleep(lab.clock, 31_000);
    expect(content('shop')).toEqual([]);
    expect(namespace('shop')).toBeUndefined();
  });

  it('content kept by a finalizer keeps the namespace Terminating until the finalizer is removed', async () => {
    await cluster();
    heldNamespace('shop');
    await request('DELETE', '/api/v1/namespaces/shop');
    await sleep(lab.clock, 60_000);
    const status = namespace('shop')?.status as { phase?: string; conditions?: KubeObject[] };
    expect(status.phase).toBe('Terminating');
    expect(status.conditions?.filter((c) => c.status === 'True').map((c) => c.message)).toEqual([
      'Some resources are remaining: configmaps. has 1 resource instances',
      'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances',
    ]);
    expect(lab.fake.get('v1', 'ConfigMap', 'held', 'shop')?.metadata?.deletionTimestamp).toBeDefined();
    lab.fake.update('v1', 'ConfigMap', 'held', 'shop', (o) => {
      delete o.metadata?.finalizers;
    });
    await lab.settle();
    expect(namespace('shop')).toBeUndefined();
  });

  it('default, kube-system and kube-public may not be deleted (NamespaceLifecycle); kube-node-lease may', async () => {
    await cluster();
    for (const name of ['default', 'kube-system', 'kube-public']) {
      const refused = await request('DELETE', `/api/v1/namespaces/${name}`);
      expect(refused.code).toBe(403);
      expect(refused.body.message).toBe(
        `namespaces "${name}" is forbidden: this namespace may not be deleted`,
      );
      expect(namespace(name)?.metadata?.deletionTimestamp).toBeUndefined();
    }
    expect((await request('DELETE', '/api/v1/namespaces/kube-node-lease')).code).toBe(200);
    await lab.settle();
    expect(namespace('kube-node-lease')).toBeUndefined();
  });
});

const describeKubectl = hasKubectl || process.env.CI === 'true' ? describe : describe.skip;

describeKubectl('kubectl delete namespace against the simulated cluster', { timeout: 60_000 }, () => {
  let dir: string;
  afterEach(() => rm(dir, { recursive: true, force: true }));
  const { kubectl } = kubectlRunner(() => ({ kubeconfigPath: lab.fake.kubeconfigPath, dir }));

  it('kubectl get ns shows it Terminating; kubectl create in it is Forbidden', async () => {
    dir = await mkdtemp(join(tmpdir(), 'gitops-lab-ns-'));
    await cluster();
    await shop();
    const deleted = await kubectl('delete', 'namespace', 'shop', '--wait=false');
    expect(deleted.stdout.trim()).toBe('namespace "shop" deleted');
    const listed = await kubectl('get', 'ns', 'shop', '--no-headers');
    expect(listed.stdout.trim().split(/\s+/).slice(0, 2)).toEqual(['shop', 'Terminating']);
    const created = await kubectl('create', 'configmap', 'late', '-n', 'shop');
    expect(created.code).not.toBe(0);
    expect(created.stderr.trim()).toBe(
      'error: failed to create configmap: configmaps "late" is forbidden: unable to create new content in namespace shop because it is being terminated',
    );
    const immortal = await kubectl('delete', 'namespace', 'default', '--wait=false');
    expect(immortal.stderr.trim()).toBe(
      'Error from server (Forbidden): namespaces "default" is forbidden: this namespace may not be deleted',
    );
    await sleep(lab.clock, 31_000);
    const gone = await kubectl('get', 'ns', 'shop');
    expect(gone.stderr.trim()).toBe('Error from server (NotFound): namespaces "shop" not found');
  });

  it('kubectl replace --raw .../finalize with no finalizers lets a stuck namespace go (FinalizeREST)', async () => {
    dir = await mkdtemp(join(tmpdir(), 'gitops-lab-ns-'));
    await cluster();
    heldNamespace('stuck');
    await kubectl('delete', 'namespace', 'stuck', '--wait=false');
    await sleep(lab.clock, 10_000);
    expect(namespace('stuck')?.status).toMatchObject({ phase: 'Terminating' });
    const emptied = { ...namespace('stuck'), spec: { finalizers: [] } };
    const file = join(dir, 'stuck.json');
    await writeFile(file, JSON.stringify(emptied));
    const finalized = await kubectl('replace', '--raw', '/api/v1/namespaces/stuck/finalize', '-f', file);
    expect(finalized.stderr).toBe('');
    expect(namespace('stuck')).toBeUndefined();
    // On a cluster what the finalizer held stays in storage; the sim's storage drops a removed namespace's content.
    expect(lab.fake.get('v1', 'ConfigMap', 'held', 'stuck')).toBeUndefined();
  });
});
