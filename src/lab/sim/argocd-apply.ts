/**
 * What the simulated Argo CD v3.1.12 writes when it syncs one object: `kubectl apply` as gitops-engine runs it
 * (pkg/utils/kube/resource_ops.go ApplyResource, client-side apply): the three-way merge of the desired object, the
 * live one and the last applied configuration (argocd-diff.ts predictedLive), the last-applied annotation written
 * anew, and a create that goes through the API server's namespace checks (namespace-lifecycle.ts). Also the keys and
 * ignoreDifferences paths the comparison shares with it.
 */
import type { SimCluster } from './api.js';
import { fieldPatchMeta, type Path, predictedLive } from './argocd-diff.js';
import { appliedLine } from './argocd-prune.js';
import { asApplied, lastAppliedAnnotation, lastAppliedValue } from './argocd-tracking.js';
import { canonicalJson } from './deployment-util.js';
import { requireNamespaceForCreate } from './namespace-lifecycle.js';
import type { KubeObject } from './store.js';

type Json = unknown;

/** One entry of an Application's spec.ignoreDifferences. */
export interface IgnoreRule {
  group?: string;
  kind?: string;
  name?: string;
  jsonPointers?: string[];
}

/** The key the model keeps each applied object under: kind, namespace and name. */
export const keyOf = (o: { kind?: string; metadata?: { namespace?: string; name?: string } }) =>
  `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;

/** The part of an object that a manifest sets: a ConfigMap's data, anything else's spec. */
export const section = (o: KubeObject): 'spec' | 'data' => (o.kind === 'ConfigMap' ? 'data' : 'spec');

/** Whether two paths are the same. */
export const samePath = (a: Json, b: Json) => JSON.stringify(a) === JSON.stringify(b);

/** The JSON pointers of the ignoreDifferences rules that match `obj`, as paths (RFC 6901 ~1 and ~0 unescaped). */
export function pointerPaths(rules: IgnoreRule[] | undefined, obj: KubeObject): Path[] {
  return (rules ?? [])
    .filter((r) => (!r.kind || r.kind === obj.kind) && (!r.name || r.name === obj.metadata?.name))
    .flatMap((r) => r.jsonPointers ?? [])
    .map((p) =>
      p
        .split('/')
        .slice(1)
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')),
    );
}

/**
 * A sync of one object: `kubectl apply` of `d` against the last configuration applied (`lastApplied`, updated), the
 * live values at `kept` paths left as they are (RespectIgnoreDifferences). Returns its result for
 * syncResult.resources (argocd-prune.ts appliedLine): kubectl's line, `<kind>[.<group>]/<name>` then created,
 * configured or unchanged (nothing to patch). A refusal of the API server is thrown.
 */
export function applyDesired(
  cluster: SimCluster,
  d: KubeObject,
  lastApplied: Map<string, KubeObject>,
  kept: Path[],
): string {
  const last = lastApplied.get(keyOf(d)) as Record<string, Json> | undefined;
  const isKept = (p: Path) => kept.some((i) => samePath(i, p));
  const ref = [d.apiVersion ?? '', d.kind ?? '', d.metadata?.name ?? '', d.metadata?.namespace] as const;
  const liveObj = cluster.get(...ref);
  const written = (o: KubeObject | undefined) =>
    canonicalJson({
      section: (o as Record<string, Json> | undefined)?.[section(d)],
      labels: o?.metadata?.labels,
      annotations: o?.metadata?.annotations,
    });
  const before = written(liveObj);
  let after: KubeObject | undefined;
  if (!liveObj) {
    // A create goes through the API server's namespace checks: the namespace exists and is not terminating.
    const resource = cluster.store.resourceFor(ref[0], ref[1]);
    if (resource.namespaced) requireNamespaceForCreate(cluster.store, resource, ref[3] ?? '', ref[2]);
    cluster.seed(asApplied(structuredClone(d)));
  } else
    after = cluster.update(ref[0], ref[1], ref[2], ref[3], (o) => {
      const live = o as Record<string, Json>;
      for (const part of [section(d), 'metadata'])
        live[part] = predictedLive(
          (d as Record<string, Json>)[part],
          live[part],
          last?.[part],
          [part],
          isKept,
          fieldPatchMeta(d.apiVersion ?? '', d.kind ?? '', part),
        );
      o.metadata = {
        ...o.metadata,
        annotations: { ...o.metadata?.annotations, [lastAppliedAnnotation]: lastAppliedValue(d) },
      };
    });
  lastApplied.set(keyOf(d), structuredClone(d));
  const verb = !liveObj ? 'created' : before === written(after) ? 'unchanged' : 'configured';
  return appliedLine(d, verb);
}
