/**
 * Discovery as Kubernetes v1.33 gives it: short names and categories of the built-ins (each resource's
 * pkg/registry/<group>/<resource>/storage/storage.go ShortNames() and Categories()), singularName, and for custom
 * resources the CRD's spec.names: the Argo kinds the sim serves from the start (checked against the CRDs of
 * manifests/bootstrap/*\/install.yaml) and CRDs created at run time.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { type SimCluster, startSimCluster } from '../../../src/lab/sim/api.js';
import { builtinResources } from '../../../src/lab/sim/resources.js';

let cluster: SimCluster;

beforeAll(async () => {
  cluster = await startSimCluster();
});

afterAll(async () => {
  await cluster?.close();
});

interface ApiResource {
  name: string;
  singularName: string;
  kind: string;
  shortNames?: string[];
  categories?: string[];
  verbs: string[];
}

async function resources(path: string): Promise<Map<string, ApiResource>> {
  const body = (await (await fetch(`${cluster.url}${path}`)).json()) as { resources: ApiResource[] };
  return new Map(body.resources.map((r) => [r.name, r]));
}

describe('discovery of the built-in resources', () => {
  it.each([
    ['/api/v1', 'pods', ['po'], ['all']],
    ['/api/v1', 'services', ['svc'], ['all']],
    ['/api/v1', 'configmaps', ['cm'], undefined],
    ['/api/v1', 'namespaces', ['ns'], undefined],
    ['/api/v1', 'nodes', ['no'], undefined],
    ['/api/v1', 'endpoints', ['ep'], undefined],
    ['/api/v1', 'events', ['ev'], undefined],
    ['/api/v1', 'serviceaccounts', ['sa'], undefined],
    ['/api/v1', 'persistentvolumeclaims', ['pvc'], undefined],
    ['/api/v1', 'secrets', undefined, undefined],
    ['/apis/apps/v1', 'deployments', ['deploy'], ['all']],
    ['/apis/apps/v1', 'replicasets', ['rs'], ['all']],
    ['/apis/apps/v1', 'daemonsets', ['ds'], ['all']],
    ['/apis/apps/v1', 'statefulsets', ['sts'], ['all']],
    ['/apis/autoscaling/v2', 'horizontalpodautoscalers', ['hpa'], ['all']],
    ['/apis/batch/v1', 'jobs', undefined, ['all']],
    ['/apis/batch/v1', 'cronjobs', ['cj'], ['all']],
    ['/apis/policy/v1', 'poddisruptionbudgets', ['pdb'], undefined],
    ['/apis/networking.k8s.io/v1', 'ingresses', ['ing'], undefined],
    ['/apis/networking.k8s.io/v1', 'networkpolicies', ['netpol'], undefined],
    ['/apis/apiextensions.k8s.io/v1', 'customresourcedefinitions', ['crd', 'crds'], ['api-extensions']],
    ['/apis/argoproj.io/v1alpha1', 'rollouts', ['ro'], undefined],
    ['/apis/argoproj.io/v1alpha1', 'applications', ['app', 'apps'], undefined],
    ['/apis/argoproj.io/v1alpha1', 'analysisruns', ['ar'], undefined],
  ])('%s %s: shortNames %j, categories %j', async (path, name, shortNames, categories) => {
    const r = (await resources(path)).get(name);
    expect(r?.shortNames).toEqual(shortNames);
    expect(r?.categories).toEqual(categories);
    expect(r?.singularName).toBe(r?.kind.toLowerCase());
    expect(r?.verbs).toEqual(expect.arrayContaining(['get', 'list', 'watch']));
  });
});

describe('the Argo kinds served without their CRDs', () => {
  it("carry the names, printer columns and scale paths of the lab's CRDs (manifests/bootstrap/*/install.yaml)", () => {
    for (const dir of ['argo-cd', 'argo-rollouts']) {
      const text = readFileSync(join('manifests/bootstrap', dir, 'install.yaml'), 'utf8');
      for (const doc of parseAllDocuments(text)) {
        const crd = doc.toJS() as {
          kind?: string;
          spec: {
            group: string;
            names: {
              kind: string;
              plural: string;
              singular?: string;
              shortNames?: string[];
              categories?: string[];
            };
            versions: Array<{
              name: string;
              additionalPrinterColumns?: object[];
              subresources?: { scale?: object };
            }>;
          };
        };
        if (crd?.kind !== 'CustomResourceDefinition') continue;
        const { names, versions } = crd.spec;
        const served = builtinResources.find((r) => r.group === crd.spec.group && r.plural === names.plural);
        expect(served, names.kind).toBeDefined();
        expect(served?.shortNames, names.kind).toEqual(names.shortNames);
        expect(served?.categories, names.kind).toEqual(names.categories);
        expect(served?.singular, names.kind).toBe(names.singular ?? names.kind.toLowerCase());
        const version = versions.find((v) => v.name === served?.version);
        expect(served?.printerColumns, names.kind).toEqual(version?.additionalPrinterColumns ?? []);
        // The scale subresource's paths (the HPA and `kubectl scale` read and write through them: scale.ts).
        expect(served?.scale, names.kind).toEqual(version?.subresources?.scale);
      }
    }
  });
});

describe('a CRD created at run time', () => {
  it('serves its kind with the names of spec.names', async () => {
    cluster.seed({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        scope: 'Namespaced',
        names: {
          kind: 'Widget',
          plural: 'widgets',
          singular: 'widget',
          shortNames: ['wd'],
          categories: ['all', 'toys'],
        },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            additionalPrinterColumns: [{ name: 'Size', type: 'integer', jsonPath: '.spec.size' }],
          },
        ],
      },
    });
    const widgets = (await resources('/apis/example.com/v1')).get('widgets');
    expect(widgets).toMatchObject({
      singularName: 'widget',
      shortNames: ['wd'],
      categories: ['all', 'toys'],
    });
    expect(cluster.store.findResource('example.com', 'v1', 'widgets')?.printerColumns).toEqual([
      { name: 'Size', type: 'integer', jsonPath: '.spec.size' },
    ]);
  });

  it('replaces the names, columns and subresources of a kind already served (the Rollout CRD applied)', async () => {
    cluster.seed({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'rollouts.argoproj.io' },
      spec: {
        group: 'argoproj.io',
        scope: 'Namespaced',
        names: { kind: 'Rollout', plural: 'rollouts', shortNames: ['rollo'] },
        versions: [{ name: 'v1alpha1', served: true, storage: true }],
      },
    });
    const rollouts = (await resources('/apis/argoproj.io/v1alpha1')).get('rollouts');
    expect(rollouts).toMatchObject({ singularName: 'rollout', shortNames: ['rollo'] });
    expect(rollouts?.categories).toBeUndefined();
    expect(cluster.store.findResource('argoproj.io', 'v1alpha1', 'rollouts')?.printerColumns).toEqual([]);
    // A CRD without subresources serves none: no /status, no /scale (and no scale paths left behind).
    const served = cluster.store.findResource('argoproj.io', 'v1alpha1', 'rollouts');
    expect(served?.subresources).toEqual([]);
    expect(served?.scale).toBeUndefined();
  });
});
