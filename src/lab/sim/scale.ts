/**
 * The scale subresource (autoscaling/v1 Scale) of a workload, what `kubectl scale` and the HPA read and write.
 * - Built-in workloads (pkg/registry/apps/deployment/storage/storage.go scaleFromDeployment, and its StatefulSet and
 *   ReplicaSet twins): spec.replicas (the API server defaults it to 1), status.replicas, and the selector from
 *   spec.selector.
 * - Custom resources (apiextensions-apiserver pkg/registry/customresource/etcd.go scaleFromCustomResource): the CRD's
 *   specReplicasPath, statusReplicasPath and labelSelectorPath; a missing spec value reads as 0. Argo Rollouts'
 *   Rollout CRD maps them to .spec.replicas, .status.replicas and .status.selector.
 */
import { type LabelSelector, labelSelectorString } from './selectors.js';
import type { KubeObject } from './store.js';

export interface ScaleView {
  replicas: number;
  statusReplicas: number;
  selector: string;
}

export function scaleOf(obj: KubeObject, group: string): ScaleView {
  const spec = (obj.spec ?? {}) as { replicas?: number; selector?: LabelSelector };
  const status = (obj.status ?? {}) as { replicas?: number; selector?: string };
  const builtin = group === '' || group === 'apps';
  return {
    replicas: spec.replicas ?? (builtin ? 1 : 0),
    statusReplicas: status.replicas ?? 0,
    selector: builtin ? labelSelectorString(spec.selector) : (status.selector ?? ''),
  };
}
