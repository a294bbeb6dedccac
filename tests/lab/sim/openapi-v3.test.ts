/**
 * The OpenAPI v3 documents of the simulated API server, read the way kubectl v1.32 reads them
 * (cli-runtime query_param_verifier_v3.go: a PATCH operation of the kind that takes `fieldValidation`;
 * kubectl apply/patcher.go: whether that PATCH takes a strategic merge patch).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SimCluster, startSimCluster } from '../../../src/lab/sim/api.js';
import { VirtualClock } from '../../../src/lab/sim/clock.js';

let cluster: SimCluster;

async function get(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(new URL(path, cluster.url));
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

interface Operation {
  'x-kubernetes-group-version-kind': { group: string; version: string; kind: string };
  parameters: Array<{ name: string; in: string }>;
  requestBody: { content: Record<string, unknown> };
}

/** supportsQueryParamV3, and gvkSupportsPatchOpenAPIV3's content types, for one kind. */
async function patchOf(kind: string, groupVersionPath: string): Promise<Operation | undefined> {
  const index = (await get('/openapi/v3')).body as { paths: Record<string, { serverRelativeURL: string }> };
  const entry = index.paths[groupVersionPath];
  if (!entry) return undefined;
  const doc = (await get(entry.serverRelativeURL)).body as { paths: Record<string, { patch?: Operation }> };
  return Object.values(doc.paths)
    .map((p) => p.patch)
    .find((op) => op?.['x-kubernetes-group-version-kind'].kind === kind);
}

beforeAll(async () => {
  cluster = await startSimCluster({ clock: new VirtualClock({ start: Date.UTC(2026, 0, 1) }) });
});

afterAll(async () => {
  await cluster?.close();
});

describe('/openapi/v3', () => {
  it('indexes every served group-version, each with a document URL carrying its hash', async () => {
    const { status, body } = await get('/openapi/v3');
    expect(status).toBe(200);
    const paths = body.paths as Record<string, { serverRelativeURL: string }>;
    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining(['api/v1', 'apis/apps/v1', 'apis/autoscaling/v2', 'apis/argoproj.io/v1alpha1']),
    );
    expect(paths['apis/apps/v1']?.serverRelativeURL).toMatch(
      /^\/openapi\/v3\/apis\/apps\/v1\?hash=[0-9A-F]{128}$/,
    );
  });

  it('says a built-in kind takes fieldValidation and strategic merge patches', async () => {
    const op = await patchOf('Deployment', 'apis/apps/v1');
    expect(op?.parameters).toContainEqual(expect.objectContaining({ name: 'fieldValidation', in: 'query' }));
    expect(Object.keys(op?.requestBody.content ?? {})).toContain('application/strategic-merge-patch+json');
    expect(await patchOf('Pod', 'api/v1')).toBeDefined();
  });

  it('says a custom resource takes fieldValidation but no strategic merge patch', async () => {
    const op = await patchOf('Rollout', 'apis/argoproj.io/v1alpha1');
    expect(op?.parameters).toContainEqual(expect.objectContaining({ name: 'fieldValidation', in: 'query' }));
    expect(Object.keys(op?.requestBody.content ?? {}).sort()).toEqual([
      'application/apply-patch+yaml',
      'application/json-patch+json',
      'application/merge-patch+json',
    ]);
  });

  it('answers 404 for a group-version it does not serve', async () => {
    expect((await get('/openapi/v3/apis/example.com/v1')).status).toBe(404);
  });

  it("changes a group-version's hash when a CRD adds a kind to it, so a client cache cannot serve the old one", async () => {
    const before = ((await get('/openapi/v3')).body.paths as Record<string, { serverRelativeURL: string }>)[
      'apis/argoproj.io/v1alpha1'
    ];
    cluster.seed({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.argoproj.io' },
      spec: {
        group: 'argoproj.io',
        names: { kind: 'Widget', plural: 'widgets', singular: 'widget', listKind: 'WidgetList' },
        scope: 'Namespaced',
        versions: [
          { name: 'v1alpha1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } },
        ],
      },
    });
    const after = ((await get('/openapi/v3')).body.paths as Record<string, { serverRelativeURL: string }>)[
      'apis/argoproj.io/v1alpha1'
    ];
    expect(after?.serverRelativeURL).not.toBe(before?.serverRelativeURL);
    expect(await patchOf('Widget', 'apis/argoproj.io/v1alpha1')).toBeDefined();
  });
});
