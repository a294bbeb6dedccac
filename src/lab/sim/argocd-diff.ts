/**
 * How the simulated Argo CD compares a managed object with its live state, and what a sync leaves: Argo CD v3.1.12's
 * default (legacy, client-side) diff, gitops-engine pkg/diff/diff.go at e48120133eec (the version argo-cd v3.1.12's
 * go.mod pins). With the last applied configuration at hand (the sim keeps it per object, as the
 * kubectl.kubernetes.io/last-applied-configuration annotation would hold it), Diff runs ThreeWayDiff: a three-way
 * patch from the last applied configuration, the desired configuration and the live object, applied to the live
 * object, gives the "predicted live" object; the resource is OutOfSync when that differs from the live one. A sync
 * (`kubectl apply`, client side) applies the same patch, so the live object after a sync is that prediction.
 *
 * For a built-in kind (threeWayMergePatch: `scheme.Scheme.New` knows it) the patch is a strategic merge patch, with
 * the kind's patch metadata (patch-schema.ts): a list with a merge key is merged element by element, so an element
 * or a field the live object has and neither configuration names (a container a webhook added, an env var set with
 * `kubectl set env`) is not a difference and survives a sync. For a custom resource it is a JSON merge patch: lists
 * are replaced whole. In both, a field the desired configuration leaves out is left alone unless the last applied
 * configuration had it (then it is deleted), and `ignored` paths (ignoreDifferences; with RespectIgnoreDifferences
 * also kept by a sync) keep their live value.
 * The live objects carry the API server's defaults (api-defaults.ts) that neither configuration names; the three-way
 * patch leaves them as they are, so they are no difference. Not modelled: the scheme defaulting gitops-engine also
 * gives both sides before they are compared, the managed-fields/server-side diff modes, and the normalizers other
 * than ignoreDifferences.
 */

import { canonicalJson } from './deployment-util.js';
import { isObject as isMap } from './patch.js';
import {
  type FieldPatchMeta,
  type PatchSchema,
  patchSchemaFor,
  sliceMeta,
  structMeta,
} from './patch-schema.js';
import { builtinResources, groupVersionOf, isCustomResource } from './resources.js';
import { normalizeOrder, unionInOrder } from './strategic-merge.js';

type Json = unknown;
type JsonMap = Record<string, Json>;
export type Path = string[];

/**
 * The patch metadata of one top-level field (`spec`, `data`) of an object: its kind's for a built-in kind, none for
 * a custom resource (threeWayMergePatch: a strategic merge patch only for what `scheme.Scheme.New` knows).
 */
export function fieldPatchMeta(apiVersion: string, kind: string, field: string): FieldPatchMeta | undefined {
  const { group, version } = groupVersionOf(apiVersion);
  const type = builtinResources.find(
    (r) => r.group === group && r.version === version && r.kind === kind && !isCustomResource(r),
  );
  return type ? structMeta(patchSchemaFor(type), field) : undefined;
}

/**
 * The live value after `desired` is applied over `live`: keys of `last` that `desired` dropped are deleted, paths
 * for which `kept` is true keep their live value. `meta` is the value's patch metadata (none: a custom resource).
 */
export function predictedLive(
  desired: Json,
  live: Json,
  last: Json,
  path: Path,
  kept: (p: Path) => boolean,
  meta: FieldPatchMeta | undefined,
): Json {
  if (kept(path)) return structuredClone(live);
  if (isMap(desired)) {
    if (meta?.strategy === 'replace') return structuredClone(desired);
    const out: JsonMap = isMap(live) ? structuredClone(live) : {};
    for (const [k, v] of Object.entries(desired)) {
      const sub = meta?.schema
        ? Array.isArray(v)
          ? sliceMeta(meta.schema, k)
          : structMeta(meta.schema, k)
        : undefined;
      const next = predictedLive(v, out[k], isMap(last) ? last[k] : undefined, [...path, k], kept, sub);
      if (next === undefined) delete out[k];
      else out[k] = next;
    }
    if (isMap(last))
      for (const k of Object.keys(last)) if (!(k in desired) && !kept([...path, k])) delete out[k];
    return out;
  }
  if (Array.isArray(desired) && Array.isArray(live) && meta?.strategy === 'merge')
    return meta.mergeKey
      ? mergedByKey(desired, live, Array.isArray(last) ? last : [], meta.mergeKey, meta.schema, path, kept)
      : mergedSet(desired, live, Array.isArray(last) ? last : []);
  return structuredClone(desired);
}

/**
 * A list merged on `key`: each desired element over the live one with its key (a new one appended), live elements
 * whose key the last applied list had and the desired one dropped removed, the others kept; in the order a
 * `$setElementOrder` patch gives (strategic-merge.ts normalizeOrder).
 */
function mergedByKey(
  desired: Json[],
  live: Json[],
  last: Json[],
  key: string,
  schema: PatchSchema | undefined,
  path: Path,
  kept: (p: Path) => boolean,
): Json[] {
  const keyOf = (e: Json) => (isMap(e) ? e[key] : undefined);
  const find = (list: Json[], value: Json) => list.find((e) => keyOf(e) === value);
  const wanted = new Set(desired.map(keyOf));
  const dropped = new Set(last.map(keyOf).filter((k) => !wanted.has(k)));
  const fromDesired = desired.map((d, i) =>
    predictedLive(d, find(live, keyOf(d)), find(last, keyOf(d)), [...path, String(i)], kept, {
      ...(schema ? { schema } : {}),
    }),
  );
  const liveOnly = live.filter((e) => !wanted.has(keyOf(e)) && !dropped.has(keyOf(e)));
  return normalizeOrder(fromDesired, liveOnly, desired, live, key);
}

/** A list of scalars merged as a set: live's and desired's, less those the last applied list had and desired dropped. */
function mergedSet(desired: Json[], live: Json[], last: Json[]): Json[] {
  const dropped = new Set(last.filter((v) => !desired.includes(v)));
  return unionInOrder(
    live.filter((v) => !dropped.has(v)),
    desired,
  );
}

/** Deep equality of JSON values, key order aside. */
export function sameJson(a: Json, b: Json): boolean {
  return canonicalJson(a) === canonicalJson(b);
}
