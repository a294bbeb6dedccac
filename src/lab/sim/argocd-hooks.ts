/**
 * Which objects are Argo CD hooks, of which phases, and when they are deleted (gitops-engine at e48120133eec,
 * pkg/sync/hook/hook.go IsHook, Skip, Types, HookFinalizer; hook/delete_policy.go DeletePolicies; hook/helm/type.go,
 * delete_policy.go and hook.go for Helm's annotations; pkg/sync/common/types.go NewHookType, NewHookDeletePolicy;
 * pkg/sync/sync_phase.go syncPhases; pkg/sync/ignore/ignore.go Ignore; pkg/sync/resource/annotations.go
 * GetAnnotationCSVs). Used by the sync (argocd-sync.ts), status.resources (argocd-resources.ts) and the app's health
 * (argo-health.ts).
 */
import { annotationOptions } from './argocd-prune.js';
import type { KubeObject } from './store.js';

const HOOK = 'argocd.argoproj.io/hook';
const HOOK_DELETE_POLICY = 'argocd.argoproj.io/hook-delete-policy';

/** hook.HookFinalizer: put on each hook the sync creates, taken off once the hook has completed. */
export const HOOK_FINALIZER = 'argocd.argoproj.io/hook-finalizer';

/** A sync phase (common.SyncPhase): the phases a hook may run in, and Sync for every resource. */
export type SyncPhase = 'PreSync' | 'Sync' | 'PostSync' | 'SyncFail';

/** NewHookType: the types the hook annotation may name (PostDelete is argo-cd's own: controller/hook.go). */
const validTypes = ['PreSync', 'Sync', 'PostSync', 'SyncFail', 'Skip'];

/** helm/type.go hookTypes: the Helm hooks Argo CD runs, and the phase each runs in. */
const helmTypes: Record<string, SyncPhase> = {
  'pre-install': 'PreSync',
  'pre-upgrade': 'PreSync',
  'post-upgrade': 'PostSync',
  'post-install': 'PostSync',
};

/** helm/delete_policy.go hookDeletePolicies. */
const helmDeletePolicies: Record<string, string> = {
  'before-hook-creation': 'BeforeHookCreation',
  'hook-succeeded': 'HookSucceeded',
  'hook-failed': 'HookFailed',
};
const validDeletePolicies = ['HookSucceeded', 'HookFailed', 'BeforeHookCreation'];

/**
 * Types: the Argo CD annotation's valid types, once each (GetAnnotationCSVs de-duplicates); with none of them, the
 * phases of the Helm hook annotation's known types (Helm's are ignored when an Argo CD type is given).
 */
export const hookTypes = (o: KubeObject): string[] => {
  const types = annotationOptions(o, HOOK).filter((t) => validTypes.includes(t));
  if (types.length === 0)
    for (const t of annotationOptions(o, 'helm.sh/hook')) {
      const phase = helmTypes[t];
      if (phase) types.push(phase);
    }
  return [...new Set(types)];
};

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

/** ignore.Ignore: a hook of no phase Argo CD knows (e.g. only PostDelete, or garbage) is left out of the app. */
export const ignoredHook = (o: KubeObject): boolean => isHook(o) && hookTypes(o).length === 0;

/** syncPhases: none for a skipped object, a hook's own phases, Sync for any other resource. */
export function syncPhases(o: KubeObject): SyncPhase[] {
  if (skipsSync(o)) return [];
  if (!isHook(o)) return ['Sync'];
  return hookTypes(o).filter((t): t is SyncPhase => t !== 'Skip');
}

/**
 * DeletePolicies: the Argo CD annotation's valid policies, then Helm's; BeforeHookCreation when neither names one.
 */
export function deletePolicies(o: KubeObject): string[] {
  const policies = annotationOptions(o, HOOK_DELETE_POLICY).filter((p) => validDeletePolicies.includes(p));
  for (const p of annotationOptions(o, 'helm.sh/hook-delete-policy')) {
    const policy = helmDeletePolicies[p];
    if (policy) policies.push(policy);
  }
  return policies.length > 0 ? policies : ['BeforeHookCreation'];
}
