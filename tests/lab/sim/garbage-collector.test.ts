/**
 * The garbage collector on the simulated cluster (src/lab/sim/garbage-collector.ts), with the Deployment and
 * ReplicaSet controllers and the kubelet on a virtual clock: what a user sees after `kubectl delete deployment` with
 * each cascade (background, orphan, foreground), and dependents whose owner is gone or never was. Pods deleted by
 * the GC are Terminating for their grace period first, as on a real cluster.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sleep } from '../../../src/lab/clock.js';
import { type ControllerCluster, workload } from '../../support/controller-cluster.js';
import { deletionCluster } from '../../support/deletion-cluster.js';
import type { KubeObject } from '../../support/fake-kube/index.js';
import { hasKubectl } from '../../support/kubectl.js';
import { kubectlRunner } from '../../support/kubectl-run.js';

let lab: ControllerCluster;
afterEach(() => lab.close());

async function cluster(): Promise<void> {
  lab = await deletionCluster();
}

const web = workload(
  () => lab,
  'Deployment',
  'web',
  () => ({
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'web', image: 'ghcr.io/x/web:1' }] },
    },
  }),
);
const pods = () => lab.fake.list('v1', 'Pod', 'default');
const replicaSets = () => lab.fake.list('apps/v1', 'ReplicaSet', 'default');
const terminating = (o: KubeObject) => Boolean(o.metadata?.deletionTimestamp);

async function running(): Promise<void> {
  web.create();
  await sleep(lab.clock, 2000);
  expect(replicaSets()).toHaveLength(1);
  expect(pods().map((p) => (p.status as { phase?: string }).phase)).toEqual(['Running', 'Running']);
}

async function httpDelete(path: string, options: Record<string, unknown>) {
  const response = await fetch(`${lab.fake.url}${path}`, {
    method: 'DELETE',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'DeleteOptions', apiVersion: 'v1', ...options }),
  });
  return { code: response.status, body: (await response.json()) as KubeObject };
}
const deleteWeb = (propagationPolicy: string) =>
  httpDelete('/apis/apps/v1/namespaces/default/deployments/web', { propagationPolicy });

describe('deleting a Deployment: its ReplicaSet and pods (garbagecollector.go)', { timeout: 60_000 }, () => {
  it('Background: the Deployment goes at once, then its ReplicaSet; the pods are Terminating, then gone', async () => {
    await cluster();
    await running();
    expect((await deleteWeb('Background')).code).toBe(200);
    expect(web.get()).toBeUndefined();
    await lab.settle();
    expect(replicaSets()).toEqual([]);
    expect(pods()).toHaveLength(2);
    expect(pods().every(terminating)).toBe(true);
    // The kubelet stops them when their 30 s are over (SIGKILL: the containers ignore SIGTERM), then removes them.
    await sleep(lab.clock, 31_000);
    expect(pods()).toEqual([]);
  });

  it('Orphan: the ReplicaSet and pods stay, without their ownerReferences to what went', async () => {
    await cluster();
    await running();
    const { body } = await deleteWeb('Orphan');
    expect(body.metadata?.finalizers).toEqual(['orphan']);
    await lab.settle();
    expect(web.get()).toBeUndefined();
    const [rs] = replicaSets();
    expect(rs?.metadata?.ownerReferences).toBeUndefined();
    expect(terminating(rs as KubeObject)).toBe(false);
    // The pods still belong to the ReplicaSet, which keeps them running.
    expect(pods().map((p) => p.metadata?.ownerReferences?.[0]?.uid)).toEqual([
      rs?.metadata?.uid,
      rs?.metadata?.uid,
    ]);
    await sleep(lab.clock, 60_000);
    expect(pods().filter((p) => !terminating(p))).toHaveLength(2);
  });

  it('Foreground: the Deployment stays, marked, until its ReplicaSet and pods are gone', async () => {
    await cluster();
    await running();
    const { body } = await deleteWeb('Foreground');
    expect(body.metadata).toMatchObject({
      finalizers: ['foregroundDeletion'],
      deletionGracePeriodSeconds: 0,
    });
    await lab.settle();
    expect(web.get()?.metadata?.deletionTimestamp).toBeDefined();
    // The ReplicaSet has pods of its own: it is deleted in the foreground too.
    expect(replicaSets()[0]?.metadata?.finalizers).toEqual(['foregroundDeletion']);
    expect(pods()).toHaveLength(2);
    expect(pods().every(terminating)).toBe(true);
    await sleep(lab.clock, 20_000);
    expect(web.get()).toBeDefined();
    await sleep(lab.clock, 11_000);
    expect(pods()).toEqual([]);
    expect(replicaSets()).toEqual([]);
    expect(web.get()).toBeUndefined();
  });
});

describe('dependents whose owner is gone or never was (attemptToDeleteItem)', { timeout: 60_000 }, () => {
  const owned = (name: string, owners: Array<{ kind: string; name: string; uid: string }>) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name,
      namespace: 'default',
      ownerReferences: owners.map((o) => ({ apiVersion: 'v1', ...o })),
    },
  });

  it('deletes one whose owner never existed, keeps one with a live owner, and drops only the dangling reference', async () => {
    await cluster();
    const [owner] = lab.fake.seed({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'owner' } });
    const live = { kind: 'ConfigMap', name: 'owner', uid: owner?.metadata?.uid ?? '' };
    const ghost = { kind: 'ConfigMap', name: 'ghost', uid: 'never-was' };
    lab.fake.seed(owned('orphaned', [ghost]), owned('kept', [live]), owned('both', [live, ghost]));
    await lab.settle();
    const names = lab.fake.list('v1', 'ConfigMap', 'default').map((c) => c.metadata?.name);
    expect(names).toEqual(['both', 'kept', 'owner']);
    expect(lab.fake.get('v1', 'ConfigMap', 'both', 'default')?.metadata?.ownerReferences).toEqual([
      { apiVersion: 'v1', ...live },
    ]);
    // The owner deleted (no propagation policy: background), its dependents follow.
    lab.fake.remove('v1', 'ConfigMap', 'owner', 'default');
    await lab.settle();
    expect(lab.fake.list('v1', 'ConfigMap', 'default')).toEqual([]);
  });

  it('a dependent with a finalizer of its own stays, marked, until the finalizer is removed', async () => {
    await cluster();
    const [owner] = lab.fake.seed({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'owner' } });
    lab.fake.seed({
      ...owned('held', [{ kind: 'ConfigMap', name: 'owner', uid: owner?.metadata?.uid ?? '' }]),
      metadata: {
        ...owned('held', []).metadata,
        finalizers: ['example.com/hold'],
        ownerReferences: [
          { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner?.metadata?.uid ?? '' },
        ],
      },
    });
    lab.fake.remove('v1', 'ConfigMap', 'owner', 'default');
    await lab.settle();
    expect(lab.fake.get('v1', 'ConfigMap', 'held', 'default')?.metadata?.deletionTimestamp).toBeDefined();
    lab.fake.update('v1', 'ConfigMap', 'held', 'default', (o) => {
      delete o.metadata?.finalizers;
    });
    expect(lab.fake.get('v1', 'ConfigMap', 'held', 'default')).toBeUndefined();
  });
});

const describeKubectl = hasKubectl || process.env.CI === 'true' ? describe : describe.skip;

describeKubectl('kubectl delete deployment against the simulated cluster', { timeout: 60_000 }, () => {
  let dir: string;
  afterEach(() => rm(dir, { recursive: true, force: true }));
  const { kubectl } = kubectlRunner(() => ({ kubeconfigPath: lab.fake.kubeconfigPath, dir }));
  const rows = (text: string) =>
    text
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => l.trim().split(/\s{2,}/));

  it('the ReplicaSet goes and the pods are Terminating', async () => {
    dir = await mkdtemp(join(tmpdir(), 'gitops-lab-gc-'));
    await cluster();
    await running();
    const deleted = await kubectl('delete', 'deployment', 'web', '--wait=false');
    expect(deleted.stdout.trim()).toBe('deployment.apps "web" deleted');
    await lab.settle();
    const after = rows((await kubectl('get', 'rs,pods', '--no-headers')).stdout);
    expect(after.map((r) => [r[0]?.split('/')[0], r[2]])).toEqual([
      ['pod', 'Terminating'],
      ['pod', 'Terminating'],
    ]);
  });

  it('--cascade=orphan leaves the ReplicaSet and its pods running', async () => {
    dir = await mkdtemp(join(tmpdir(), 'gitops-lab-gc-'));
    await cluster();
    await running();
    const orphaned = await kubectl('delete', 'deployment', 'web', '--cascade=orphan', '--wait=false');
    expect(orphaned.stdout.trim()).toBe('deployment.apps "web" deleted');
    await lab.settle();
    const kept = rows((await kubectl('get', 'rs,pods', '--no-headers')).stdout);
    expect(kept.map((r) => r[0]?.split('/')[0]).sort()).toEqual(['pod', 'pod', 'replicaset.apps']);
    expect(kept.filter((r) => r[0]?.startsWith('pod/')).map((r) => r[2])).toEqual(['Running', 'Running']);
    expect((await kubectl('get', 'deployments')).stderr).toBe('No resources found in default namespace.\n');
  });
});
