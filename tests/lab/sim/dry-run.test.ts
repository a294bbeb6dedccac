/**
 * Server-side dry runs (`?dryRun=All`, or `dryRun: ["All"]` in a DELETE's options), as `kubectl diff` and
 * `--dry-run=server` send them: the answer is the write's, and nothing of it is kept (apiserver
 * pkg/registry/generic/registry/dryrun.go).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SimCluster, startSimCluster } from '../../../src/lab/sim/api.js';
import { VirtualClock } from '../../../src/lab/sim/clock.js';

let cluster: SimCluster;

/** The fields these tests read from an object, a list or a Status. */
interface Answer {
  spec: { clusterIP?: string; selector?: Record<string, string> };
  metadata: { uid?: string; resourceVersion?: string; generation: number };
  message?: string;
}

async function call(method: string, path: string, body?: unknown, contentType = 'application/json') {
  const res = await fetch(new URL(path, cluster.url), {
    method,
    headers: { 'content-type': contentType },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Answer };
}

const services = '/api/v1/namespaces/default/services';
const service = (name: string, clusterIP?: string) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name },
  spec: { ...(clusterIP ? { clusterIP } : {}), ports: [{ port: 80 }], selector: { app: name } },
});

beforeAll(async () => {
  cluster = await startSimCluster({ clock: new VirtualClock({ start: Date.UTC(2026, 0, 1) }) });
});

afterAll(async () => {
  await cluster?.close();
});

describe('dry runs', () => {
  it('a dry-run create answers with the object, allocations included, and keeps nothing', async () => {
    const listed = await call('GET', services);
    const created = await call('POST', `${services}?dryRun=All`, service('web', '10.96.50.50'));
    expect(created.status).toBe(201);
    expect(created.body.spec.clusterIP).toBe('10.96.50.50');
    expect(created.body.metadata.uid).toEqual(expect.any(String));
    expect(created.body.metadata).not.toHaveProperty('resourceVersion');
    expect((await call('GET', `${services}/web`)).status).toBe(404);
    expect((await call('GET', services)).body.metadata.resourceVersion).toBe(
      listed.body.metadata.resourceVersion,
    );
    // The address the dry run allocated is free for a real create.
    const real = await call('POST', services, service('other', '10.96.50.50'));
    expect(real.status).toBe(201);
  });

  it('a dry-run patch answers with the changed object at the current resourceVersion; the stored one stays', async () => {
    const before = (await call('GET', `${services}/other`)).body;
    const patched = await call(
      'PATCH',
      `${services}/other?dryRun=All`,
      { spec: { selector: { app: 'changed' } } },
      'application/merge-patch+json',
    );
    expect(patched.status).toBe(200);
    expect(patched.body.spec.selector).toEqual({ app: 'changed' });
    expect(patched.body.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    expect(patched.body.metadata.generation).toBe(before.metadata.generation + 1);
    expect((await call('GET', `${services}/other`)).body).toEqual(before);
  });

  it("a DELETE with dryRun in its options leaves the object; a dryRun other than All is the API server's 422", async () => {
    const gone = await call('DELETE', `${services}/other`, { kind: 'DeleteOptions', dryRun: ['All'] });
    expect(gone.status).toBe(200);
    expect((await call('GET', `${services}/other`)).status).toBe(200);
    const bad = await call('POST', `${services}?dryRun=Yes`, service('bad'));
    expect(bad.status).toBe(422);
    expect(bad.body.message).toBe(
      'CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: "Yes": supported values: "All"',
    );
  });

  it('a dry-run pod DELETE (graceful deletion: answered with the pod) leaves the pod as it was', async () => {
    const pods = '/api/v1/namespaces/default/pods';
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { containers: [{ name: 'c', image: 'x' }] },
    };
    expect((await call('POST', pods, pod)).status).toBe(201);
    const before = (await call('GET', `${pods}/p`)).body;
    expect((await call('DELETE', `${pods}/p?dryRun=All`)).status).toBe(200);
    expect((await call('GET', `${pods}/p`)).body).toEqual(before);
  });
});
