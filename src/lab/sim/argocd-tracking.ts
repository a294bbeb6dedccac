/**
 * What Argo CD v3.1.12 writes on the objects it manages, so a live object in the simulated lab carries what it
 * carries on a real one:
 * - the tracking annotation `argocd.argoproj.io/tracking-id: <app>:<group>/<kind>:<namespace>/<name>`, which the
 *   controller sets on every desired object before it compares and syncs (controller/state.go CompareAppState,
 *   util/argo/resource_tracking.go SetAppInstance and BuildAppInstanceValue; `annotation` is 3.x's default tracking
 *   method, util/settings/settings.go GetTrackingMethod). A namespaced object rendered without a namespace is
 *   tracked in the Application's destination namespace (UnstructuredToAppInstanceValue);
 * - `kubectl.kubernetes.io/last-applied-configuration`, which a sync's client-side `kubectl apply` writes: the
 *   object as applied, without that annotation, in Go's JSON encoding (keys sorted) with a final newline
 *   (k8s.io/kubectl pkg/util/apply.go GetModifiedConfiguration).
 */
import { canonicalJson } from './deployment-util.js';
import { groupVersionOf } from './resources.js';
import type { KubeObject } from './store.js';

export const trackingAnnotation = 'argocd.argoproj.io/tracking-id';
export const lastAppliedAnnotation = 'kubectl.kubernetes.io/last-applied-configuration';

/** BuildAppInstanceValue over UnstructuredToAppInstanceValue. */
export function trackingId(app: string, obj: KubeObject, destinationNamespace: string): string {
  const { group } = groupVersionOf(obj.apiVersion);
  const namespace = obj.metadata?.namespace || destinationNamespace;
  return `${app}:${group}/${obj.kind ?? ''}:${namespace}/${obj.metadata?.name ?? ''}`;
}

/** The desired object as the controller compares and applies it: with its tracking annotation. */
export function withTracking(obj: KubeObject, app: string, destinationNamespace: string): KubeObject {
  return {
    ...obj,
    metadata: {
      ...obj.metadata,
      annotations: {
        ...obj.metadata?.annotations,
        [trackingAnnotation]: trackingId(app, obj, destinationNamespace),
      },
    },
  };
}

/** The last-applied annotation's value for an applied object (its status and that annotation left out). */
export function lastAppliedValue(obj: KubeObject): string {
  const { status: _status, ...rest } = obj;
  const annotations = { ...rest.metadata?.annotations };
  delete annotations[lastAppliedAnnotation];
  return `${canonicalJson({ ...rest, metadata: { ...rest.metadata, annotations } })}\n`;
}

/** The object as a sync leaves it when it creates it: the last-applied annotation written. */
export function asApplied(obj: KubeObject): KubeObject {
  return {
    ...obj,
    metadata: {
      ...obj.metadata,
      annotations: { ...obj.metadata?.annotations, [lastAppliedAnnotation]: lastAppliedValue(obj) },
    },
  };
}
