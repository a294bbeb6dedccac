/**
 * Finalizers and the DeleteOptions of a DELETE of any kind on the simulated API server, as a Kubernetes v1.33 API
 * server answers (src/lab/sim/object-deletion.ts, finalizers.ts, delete-options.ts): an object with finalizers is
 * marked and kept until an update removes them, the propagation policy sets the garbage collector's finalizers, an
 * object being deleted takes no new finalizer. No controller runs here: what the API server alone does.
 */
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/lab/sim/clock.js';
import { deleteOptions } from '../../../src/lab/sim/delete-options.js';
import { deletionFinalizers } from '../../../src/lab/sim/finalizers.js';
import type { ResourceType } from '../../../src/lab/sim/resources.js';
import { StoreError } from '../../../src/lab/sim/store.js';
import { type FakeKube, type KubeObject, startFakeKube } from '../../support/fake-kube/index.js';

const start = Date.parse('2026-01-01T00:00:00Z');

let fake: FakeKube;
let clock: VirtualClock;
beforeEach(async () => {
  clock = new VirtualClock({ start });
  fake = await startFakeKube({ clock });
});
afterEach(async () => {
  clock.stop();
  await fake.close();
});

const deployments = '/apis/apps/v1/namespaces/default/deployments';
const configMaps = '/api/v1/namespaces/default/configmaps';

async function request(method: string, path: string, body?: unknown, contentType = 'application/json') {
  const response = await fetch(`${fake.url}${path}`, {
    method,
    ...(body !== undefined ? { headers: { 'content-type': contentType }, body: JSON.stringify(body) } : {}),
  });
  return { code: response.status, body: (await response.json()) as KubeObject & Record<string, unknown> };
}

const del = (path: string, options?: Record<string, unknown>) =>
  request('DELETE', path, options ? { kind: 'DeleteOptions', apiVersion: 'v1', ...options } : undefined);

function seedDeployment(finalizers?: string[]): KubeObject {
  const [d] = fake.seed({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', ...(finalizers ? { finalizers } : {}) },
    spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: {} },
  });
  return d as KubeObject;
}

describe('DELETE of an object with finalizers (store.go Delete, markAsDeleting)', () => {
  it('marks it (deletionTimestamp now, grace 0, generation bumped), keeps it, and answers 200 with it', async () => {
    const before = seedDeployment(['example.com/hold']);
    const { code, body } = await del(`${deployments}/web`, { propagationPolicy: 'Background' });
    expect(code).toBe(200);
    expect(body.kind).toBe('Deployment');
    expect(body.metadata).toMatchObject({
      deletionTimestamp: '2026-01-01T00:00:00Z',
      deletionGracePeriodSeconds: 0,
      finalizers: ['example.com/hold'],
      generation: (before.metadata?.generation ?? 1) + 1,
    });
    expect(fake.get('apps/v1', 'Deployment', 'web', 'default')?.metadata?.deletionTimestamp).toBe(
      '2026-01-01T00:00:00Z',
    );
    // A second DELETE later changes nothing: the deletionTimestamp stays the first one.
    clock.advance(5000);
    const again = await del(`${deployments}/web`);
    expect(again.code).toBe(200);
    expect(again.body.metadata?.deletionTimestamp).toBe('2026-01-01T00:00:00Z');
    expect(again.body.metadata?.resourceVersion).toBe(body.metadata?.resourceVersion);
  });

  it('an update that removes the last finalizer deletes it; one that adds a finalizer is refused', async () => {
    seedDeployment(['example.com/hold']);
    await del(`${deployments}/web`);
    const added = await request(
      'PATCH',
      `${deployments}/web`,
      { metadata: { finalizers: ['example.com/hold', 'example.com/more'] } },
      'application/merge-patch+json',
    );
    expect(added.code).toBe(422);
    expect(added.body.message).toBe(
      'Deployment.apps "web" is invalid: metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"example.com/more"}',
    );
    const events: string[] = [];
    fake.onChange((e) => e.resource.kind === 'Deployment' && events.push(e.type));
    const removed = await request(
      'PATCH',
      `${deployments}/web`,
      { metadata: { finalizers: null } },
      'application/merge-patch+json',
    );
    expect(removed.code).toBe(200);
    expect(fake.get('apps/v1', 'Deployment', 'web', 'default')).toBeUndefined();
    expect(events).toEqual(['DELETED']);
    expect((await request('GET', `${deployments}/web`)).code).toBe(404);
  });

  it('a finalizer may be added to an object not being deleted', async () => {
    fake.seed({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' } });
    const added = await request(
      'PATCH',
      `${configMaps}/c`,
      { metadata: { finalizers: ['example.com/hold'] } },
      'application/merge-patch+json',
    );
    expect(added.code).toBe(200);
    expect(added.body.metadata?.finalizers).toEqual(['example.com/hold']);
  });

  it('orphanDependents=false answers 202 when the object stays (delete.go)', async () => {
    seedDeployment(['example.com/hold']);
    const { code, body } = await del(`${deployments}/web`, { orphanDependents: false });
    expect(code).toBe(202);
    expect(body.metadata?.finalizers).toEqual(['example.com/hold']);
  });

  it('a dry run marks nothing', async () => {
    seedDeployment(['example.com/hold']);
    const { code, body } = await del(`${deployments}/web`, { dryRun: ['All'] });
    expect(code).toBe(200);
    expect(body.metadata?.deletionTimestamp).toBe('2026-01-01T00:00:00Z');
    expect(fake.get('apps/v1', 'Deployment', 'web', 'default')?.metadata?.deletionTimestamp).toBeUndefined();
  });
});

describe('the propagation policy of a DELETE (deletionFinalizersForGarbageCollection)', () => {
  it('Foreground and Orphan keep the object with foregroundDeletion or orphan; Background removes it', async () => {
    seedDeployment();
    const foreground = await del(`${deployments}/web`, { propagationPolicy: 'Foreground' });
    expect(foreground.code).toBe(200);
    expect(foreground.body.metadata).toMatchObject({
      finalizers: ['foregroundDeletion'],
      deletionGracePeriodSeconds: 0,
    });
    fake.remove('apps/v1', 'Deployment', 'web', 'default');
    seedDeployment();
    const orphan = await del(`${deployments}/web`, { propagationPolicy: 'Orphan' });
    expect(orphan.body.metadata?.finalizers).toEqual(['orphan']);
    fake.remove('apps/v1', 'Deployment', 'web', 'default');
    const created = seedDeployment();
    const background = await del(`${deployments}/web`, { propagationPolicy: 'Background' });
    // Gone at once: a Status naming it (finalizeDelete), the resource in `kind`.
    expect(background).toEqual({
      code: 200,
      body: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Success',
        details: { name: 'web', group: 'apps', kind: 'deployments', uid: created.metadata?.uid },
      },
    });
  });

  it('a precondition that does not match is a 409 naming the kind', async () => {
    fake.seed({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' } });
    const { code, body } = await del(`${configMaps}/c`, { preconditions: { uid: 'other' } });
    expect(code).toBe(409);
    expect(body.message).toMatch(
      /^Operation cannot be fulfilled on ConfigMap "c": the UID in the precondition \(other\) does not match/,
    );
    expect(fake.get('v1', 'ConfigMap', 'c', 'default')).toBeDefined();
  });

  // store_test.go TestStoreDeletionPropagation / TestStoreDeleteWithOrphanDependents: the finalizers an object ends
  // with for its existing ones and the options (inputs and asserted outputs).
  const deployment: ResourceType = {
    group: 'apps',
    version: 'v1',
    kind: 'Deployment',
    plural: 'deployments',
    namespaced: true,
  };
  const job: ResourceType = { group: 'batch', version: 'v1', kind: 'Job', plural: 'jobs', namespaced: true };
  const withFinalizers = (finalizers: string[]): KubeObject => ({ metadata: { name: 'x', finalizers } });
  it.each([
    [
      'no finalizers, Foreground',
      deployment,
      [],
      { propagationPolicy: 'Foreground' },
      ['foregroundDeletion'],
    ],
    ['no finalizers, Orphan', deployment, [], { propagationPolicy: 'Orphan' }, ['orphan']],
    ['no finalizers, Background', deployment, [], { propagationPolicy: 'Background' }, []],
    [
      'orphan, Foreground',
      deployment,
      ['orphan'],
      { propagationPolicy: 'Foreground' },
      ['foregroundDeletion'],
    ],
    [
      'foregroundDeletion, Orphan',
      deployment,
      ['foregroundDeletion'],
      { propagationPolicy: 'Orphan' },
      ['orphan'],
    ],
    ['foregroundDeletion, no policy', deployment, ['foregroundDeletion'], {}, ['foregroundDeletion']],
    ['orphan, orphanDependents=false', deployment, ['orphan', 'x/y'], { orphanDependents: false }, ['x/y']],
    [
      'a custom one, orphanDependents=true',
      deployment,
      ['x/y'],
      { orphanDependents: true },
      ['x/y', 'orphan'],
    ],
    ['a batch/v1 Job, no policy: orphaned by default', job, [], {}, ['orphan']],
    ['an apps/v1 Deployment, no policy: not orphaned', deployment, [], {}, []],
  ] as const)('%s', (_name, resource, existing, options, expected) => {
    expect(deletionFinalizers(resource, withFinalizers([...existing]), options).finalizers).toEqual(expected);
  });
});

describe('the DeleteOptions of a request (delete-options.ts)', () => {
  const code = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      if (error instanceof StoreError) return error.code;
      throw error;
    }
    return 200;
  };
  it('takes orphanDependents and dryRun from the body or the query; both a policy and orphanDependents is a 422', () => {
    expect(deleteOptions({}, '{"orphanDependents":true,"dryRun":["All"]}')).toEqual({
      orphanDependents: true,
      dryRun: true,
    });
    expect(deleteOptions({ orphanDependents: 'false', dryRun: 'All' }, '')).toEqual({
      orphanDependents: false,
      dryRun: true,
    });
    expect(code(() => deleteOptions({}, '{"orphanDependents":true,"propagationPolicy":"Orphan"}'))).toBe(422);
    expect(code(() => deleteOptions({}, '{"dryRun":["Some"]}'))).toBe(422);
  });

  it('accepts exactly the three policies', () => {
    fc.assert(
      fc.property(fc.string(), (policy) => {
        const body = JSON.stringify({ propagationPolicy: policy });
        const expected = ['Orphan', 'Background', 'Foreground'].includes(policy) ? 200 : 422;
        expect(code(() => deleteOptions({}, body))).toBe(expected);
        expect(code(() => deleteOptions({ propagationPolicy: policy }, ''))).toBe(expected);
      }),
    );
  });
});
