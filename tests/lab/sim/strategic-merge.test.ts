/**
 * Strategic merge patch as kube-apiserver applies it. Conformance: every case of k8s.io/apimachinery v0.33.1
 * strategicpatch/patch_test.go that applies a patch (its inputs and asserted results, in
 * tests/fixtures/strategic-merge), over the test's MergeItem type; then the built-in kinds' patch metadata on the
 * patches kubectl sends.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergePatch, PatchError } from '../../../src/lab/sim/patch.js';
import { type PatchSchema, patchSchemaFor } from '../../../src/lab/sim/patch-schema.js';
import { strategicMergePatch } from '../../../src/lab/sim/strategic-merge.js';

interface UpstreamCase {
  at: string;
  kind: string;
  live: Record<string, unknown>;
  patch: Record<string, unknown>;
  result: Record<string, unknown>;
}

const upstream = JSON.parse(
  readFileSync(new URL('../../fixtures/strategic-merge/apimachinery-v0.33.1.json', import.meta.url), 'utf8'),
) as { ordered: UpstreamCase[]; unordered: UpstreamCase[] };

/** patch_test.go MergeItem and RetainKeysMergeItem: their struct tags. */
const mergeItem: Record<string, PatchSchema[string]> = {};
const retainKeysMergeItem: PatchSchema = {
  mergingIntList: { strategy: 'merge' },
  mergingList: { strategy: 'merge', mergeKey: 'name', schema: mergeItem },
};
Object.assign(mergeItem, {
  mergingList: { strategy: 'merge', mergeKey: 'name', schema: mergeItem },
  nonMergingList: { schema: mergeItem },
  mergingIntList: { strategy: 'merge' },
  mergeItemPtr: { strategy: 'merge', mergeKey: 'name', schema: mergeItem },
  replacingItem: { strategy: 'replace' },
  retainKeysMap: { schema: retainKeysMergeItem },
  retainKeysMergingList: { strategy: 'merge', mergeKey: 'name', schema: mergeItem },
});

/** What upstream compares for its YAML cases: every list sorted by its elements' `name` (sortMergeListsByName). */
function sortedByName(value: unknown): unknown {
  if (Array.isArray(value))
    return value
      .map(sortedByName)
      .sort((a, b) =>
        JSON.stringify((a as { name?: unknown })?.name ?? a).localeCompare(
          JSON.stringify((b as { name?: unknown })?.name ?? b),
        ),
      );
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, sortedByName(v)]));
  return value;
}

describe('strategic merge patch: upstream conformance (patch_test.go)', () => {
  it.each(upstream.ordered.map((c) => [`${c.at} ${c.kind}`, c] as const))(
    'line %s: the result and its list order',
    (_, c) => {
      expect(strategicMergePatch(c.live, c.patch, mergeItem)).toEqual(c.result);
    },
  );

  it.each(upstream.unordered.map((c) => [`${c.at} ${c.kind}`, c] as const))('line %s: the result', (_, c) => {
    expect(sortedByName(strategicMergePatch(c.live, c.patch, mergeItem))).toEqual(sortedByName(c.result));
  });

  it('holds more than two hundred upstream cases, so a fixture that lost them fails here', () => {
    expect(upstream.ordered.length + upstream.unordered.length).toBeGreaterThan(200);
  });
});

const deployment = patchSchemaFor({ group: 'apps', version: 'v1', kind: 'Deployment' });
const live = {
  metadata: { name: 'docqa', finalizers: ['a'], labels: { app: 'docqa' } },
  spec: {
    replicas: 2,
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
    template: {
      spec: {
        containers: [
          {
            name: 'docqa',
            image: 'docqa:1',
            ports: [{ containerPort: 8080, name: 'http' }],
            env: [
              { name: 'A', value: '1' },
              { name: 'B', value: '2' },
            ],
          },
          { name: 'sidecar', image: 'proxy:1' },
        ],
      },
    },
  },
};

describe('strategic merge patch on the built-in kinds', () => {
  it('`kubectl set image` changes one container and keeps its ports, env and the other container', () => {
    const patch = { spec: { template: { spec: { containers: [{ name: 'docqa', image: 'docqa:2' }] } } } };
    const out = strategicMergePatch(live, patch, deployment) as typeof live;
    expect(out.spec.template.spec.containers).toEqual([
      { ...live.spec.template.spec.containers[0], image: 'docqa:2' },
      live.spec.template.spec.containers[1],
    ]);
    // A JSON merge patch of the same body would have dropped them: the difference this module exists for.
    const merged = mergePatch(live, patch) as typeof live;
    expect(merged.spec.template.spec.containers).toEqual([{ name: 'docqa', image: 'docqa:2' }]);
  });

  it('merges env by name, ports by containerPort, and deletes one with $patch: delete', () => {
    const patch = {
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'docqa',
                env: [
                  { name: 'B', value: '3' },
                  { name: 'A', $patch: 'delete' },
                  { name: 'C', value: 'new' },
                ],
                ports: [{ containerPort: 9090, name: 'metrics' }],
              },
            ],
          },
        },
      },
    };
    const out = strategicMergePatch(live, patch, deployment) as typeof live;
    const [docqa] = out.spec.template.spec.containers;
    expect(docqa?.env).toEqual([
      { name: 'B', value: '3' },
      { name: 'C', value: 'new' },
    ]);
    expect(docqa?.ports).toEqual([
      { containerPort: 9090, name: 'metrics' },
      { containerPort: 8080, name: 'http' },
    ]);
  });

  it("kubectl apply's $setElementOrder and $retainKeys: order as listed, strategy fields not kept are cleared", () => {
    const patch = {
      spec: {
        strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: null },
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'docqa' }],
            containers: [{ name: 'docqa', image: 'docqa:3' }],
          },
        },
      },
    };
    const out = strategicMergePatch(live, patch, deployment) as typeof live;
    expect(out.spec.strategy).toEqual({ type: 'Recreate' });
    expect(out.spec.template.spec.containers.map((c) => [c.name, c.image])).toEqual([
      ['sidecar', 'proxy:1'],
      ['docqa', 'docqa:3'],
    ]);
    expect(JSON.stringify(out)).not.toContain('$');
  });

  it('finalizers are a set: added ones join, $deleteFromPrimitiveList removes', () => {
    const out = strategicMergePatch(
      live,
      { metadata: { finalizers: ['b', 'a'], '$deleteFromPrimitiveList/finalizers': ['a'] } },
      deployment,
    ) as typeof live;
    expect(out.metadata.finalizers).toEqual(['b']);
    const added = strategicMergePatch(live, { metadata: { finalizers: ['b'] } }, deployment) as typeof live;
    expect(added.metadata.finalizers).toEqual(['b', 'a']);
  });

  it('Service ports merge by port; a PodDisruptionBudget selector is replaced whole', () => {
    const service = patchSchemaFor({ group: '', version: 'v1', kind: 'Service' });
    const svc = {
      spec: { ports: [{ port: 80, targetPort: 8080, name: 'http' }], selector: { app: 'a', tier: 'x' } },
    };
    const out = strategicMergePatch(svc, { spec: { ports: [{ port: 80, name: 'web' }] } }, service);
    expect(out).toEqual({
      spec: { ports: [{ port: 80, targetPort: 8080, name: 'web' }], selector: svc.spec.selector },
    });
    const pdb = patchSchemaFor({ group: 'policy', version: 'v1', kind: 'PodDisruptionBudget' });
    const replaced = strategicMergePatch(
      { spec: { selector: { matchLabels: { app: 'a', tier: 'x' } } } },
      { spec: { selector: { matchLabels: { app: 'b' } } } },
      pdb,
    );
    expect(replaced).toEqual({ spec: { selector: { matchLabels: { app: 'b' } } } });
  });

  it('answers malformed directives with the status kube-apiserver gives', () => {
    const code = (patch: Record<string, unknown>) => {
      try {
        strategicMergePatch(live, patch, deployment);
        return 'applied';
      } catch (error) {
        return error instanceof PatchError ? error.code : 'other';
      }
    };
    expect(code({ spec: { strategy: { $retainKeys: ['type'], rollingUpdate: { maxSurge: 2 } } } })).toBe(400);
    expect(code({ spec: { template: { spec: { '$setElementOrder/containers': 'docqa' } } } })).toBe(400);
    expect(code({ spec: { template: { spec: { containers: [{ image: 'no-name' }] } } } })).toBe(500);
    expect(code({ spec: { $patch: 'bogus' } })).toBe(500);
  });
});

/** JSON with no `$` keys and lists of scalars only: where strategic and JSON merge patch must agree. */
const key = fc.string({ minLength: 1, maxLength: 6 }).filter((k) => !k.startsWith('$') && k !== '__proto__');
const scalar = fc.oneof(fc.integer(), fc.string({ maxLength: 5 }), fc.boolean());
const { tree } = fc.letrec((tie) => ({
  tree: fc.dictionary(
    key,
    fc.oneof({ depthSize: 'small' }, scalar, fc.array(scalar, { maxLength: 3 }), tie('tree')),
    {
      maxKeys: 4,
    },
  ),
}));
const patchTree: fc.Arbitrary<Record<string, unknown>> = fc.letrec((tie) => ({
  p: fc.dictionary(
    key,
    fc.oneof({ depthSize: 'small' }, scalar, fc.constant(null), fc.array(scalar, { maxLength: 3 }), tie('p')),
    { maxKeys: 4 },
  ),
})).p as fc.Arbitrary<Record<string, unknown>>;

describe('strategic merge patch: properties', () => {
  it('with no patch metadata and no directives it is a JSON merge patch (RFC 7386)', () => {
    fc.assert(
      fc.property(tree, patchTree, (original, patch) => {
        expect(strategicMergePatch(original, patch, {})).toEqual(mergePatch(original, patch));
      }),
    );
  });

  it('leaves its inputs untouched, and an empty patch changes nothing', () => {
    fc.assert(
      fc.property(tree, patchTree, (original, patch) => {
        const before = structuredClone([original, patch]);
        strategicMergePatch(original, patch, deployment);
        expect([original, patch]).toEqual(before);
        expect(strategicMergePatch(original, {}, deployment)).toEqual(original);
      }),
    );
  });
});
