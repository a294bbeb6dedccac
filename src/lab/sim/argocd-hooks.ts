/**
 * Which objects are Argo CD hooks (gitops-engine at e48120133eec, pkg/sync/hook/hook.go IsHook, Skip, Types;
 * hook/helm/hook.go IsHook; pkg/sync/common/types.go NewHookType; pkg/sync/resource/annotations.go
 * GetAnnotationCSVs). Used by the sync (argocd-sync.ts), status.resources (argocd-resources.ts) and the app's
 * health (argo-health.ts).
 */
import { annotationOptions } from './argocd-prune.js';
import type { KubeObject } from './store.js';

const HOOK = 'argocd.argoproj.io/hook';

/** NewHookType: the types the hook annotation may name (PostDelete is argo-cd's own: controller/hook.go). */
const validTypes = ['PreSync', 'Sync', 'PostSync', 'SyncFail', 'Skip'];

/** Types: the annotation's valid types, once each (GetAnnotationCSVs de-duplicates). */
export const hookTypes = (o: KubeObject): string[] => [
  ...new Set(annotationOptions(o, HOOK).filter((t) => validTypes.includes(t))),
];

/** Skip: Skip is the only (valid) hook type: the object is left out of the sync altogether. */
export function skipsSync(o: KubeObject): boolean {
  const types = hookTypes(o);
  return types.length === 1 && types[0] === 'Skip';
}

/**
 * IsHook: any value of the Argo CD hook annotation makes a hook unless it only skips; without that annotation, a
 * helm.sh/hook annotation other than crd-install does.
 */
export function isHook(o: KubeObject): boolean {
  const annotations = o.metadata?.annotations ?? {};
  if (HOOK in annotations) return !skipsSync(o);
  const helm = annotations['helm.sh/hook'];
  return helm !== undefined && helm !== 'crd-install';
}
