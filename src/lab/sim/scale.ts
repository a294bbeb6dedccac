/**
 * The scale subresource (autoscaling/v1 Scale) of a workload, what `kubectl scale` and the HPA read and write.
 * - Built-in workloads (pkg/registry/apps/deployment/storage/storage.go scaleFromDeployment, and its StatefulSet and
 *   ReplicaSet twins): spec.replicas (the API server defaults it to 1), status.replicas, and the selector from
 *   spec.selector.
 * - Custom resources (apiextensions-apiserver pkg/registry/customresource/etcd.go scaleFromCustomResource and
 *   scaleUpdater): the paths the CRD's `subresources.scale` names. specReplicasPath and statusReplicasPath are read
 *   as integers (a missing value reads as 0), labelSelectorPath as a string (missing: no selector); a write of the
 *   Scale sets the value at specReplicasPath. Argo Rollouts' Rollout CRD (v1.8.3, manifests/crds/rollout-crd.yaml)
 *   names .spec.replicas, .status.HPAReplicas and .status.selector.
 */
import type { ResourceType } from './resources.js';
import { type LabelSelector, labelSelectorString } from './selectors.js';
import type { KubeObject } from './store.js';

export interface ScaleView {
  replicas: number;
  statusReplicas: number;
  selector: string;
}

/** A CRD's `subresources.scale` (apiextensions/v1 CustomResourceSubresourceScale). */
export interface ScalePaths {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

/** The CRD's paths, or the built-in workloads' fields. */
const BUILTIN: ScalePaths = { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' };

/** A `.a.b` path as the CRD's validation allows it (a JSON path of field names), split into its fields. */
function fields(path: string): string[] {
  return path.replace(/^\./, '').split('.');
}

function valueAt(obj: unknown, path: string): unknown {
  let at: unknown = obj;
  for (const field of fields(path)) {
    if (typeof at !== 'object' || at === null) return undefined;
    at = (at as Record<string, unknown>)[field];
  }
  return at;
}

function intAt(obj: unknown, path: string): number {
  const value = valueAt(obj, path);
  return typeof value === 'number' && Number.isInteger(value) ? value : 0;
}

function isBuiltin(resource: Pick<ResourceType, 'group'>): boolean {
  return resource.group === '' || resource.group === 'apps';
}

export function scaleOf(obj: KubeObject, resource: Pick<ResourceType, 'group' | 'scale'>): ScaleView {
  if (isBuiltin(resource)) {
    const spec = (obj.spec ?? {}) as { replicas?: number; selector?: LabelSelector };
    return {
      replicas: spec.replicas ?? 1,
      statusReplicas: intAt(obj, BUILTIN.statusReplicasPath),
      selector: labelSelectorString(spec.selector),
    };
  }
  const paths = resource.scale ?? BUILTIN;
  const selector = paths.labelSelectorPath ? valueAt(obj, paths.labelSelectorPath) : undefined;
  return {
    replicas: intAt(obj, paths.specReplicasPath),
    statusReplicas: intAt(obj, paths.statusReplicasPath),
    selector: typeof selector === 'string' ? selector : '',
  };
}

/** The object with the Scale's replicas written where its kind keeps them (etcd.go scaleUpdater for a CRD). */
export function withScaleReplicas(
  obj: KubeObject,
  resource: Pick<ResourceType, 'group' | 'scale'>,
  replicas: number | undefined,
): KubeObject {
  const path = fields(
    isBuiltin(resource) ? BUILTIN.specReplicasPath : (resource.scale ?? BUILTIN).specReplicasPath,
  );
  const out = structuredClone(obj) as Record<string, unknown>;
  let at = out;
  for (const field of path.slice(0, -1)) {
    const next = at[field];
    at[field] = typeof next === 'object' && next !== null ? next : {};
    at = at[field] as Record<string, unknown>;
  }
  const last = path[path.length - 1] as string;
  if (replicas === undefined) delete at[last];
  else at[last] = replicas;
  return out as KubeObject;
}
