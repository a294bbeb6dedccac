/**
 * An Argo CD v3.1.12 Application's status.resources and sync status from the comparison of its desired and live
 * objects (controller/state.go CompareAppState), for the simulated controller (argocd.ts).
 */

import { type HealthStatus, resourceHealth } from './argo-health.js';
import { isHook, skipsSync } from './argocd-hooks.js';
import { hasAnnotationOption, ignoredExtraneous, isSelfReferenced } from './argocd-prune.js';
import { syncWave } from './argocd-sync.js';
import { compareStrings } from './compare.js';
import { groupVersionOf } from './resources.js';
import type { KubeObject } from './store.js';

/**
 * One entry of an Application's status.resources, its JSON names in the order of ResourceStatus
 * (pkg/apis/application/v1alpha1/types.go@v3.1.12); every field is omitempty, so empty strings, false and a
 * sync wave of 0 are left out.
 */
export interface ResourceStatus {
  group?: string;
  version?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  status?: 'Synced' | 'OutOfSync' | 'Unknown';
  health?: HealthStatus;
  hook?: boolean;
  requiresPruning?: boolean;
  syncWave?: number;
  requiresDeletionConfirmation?: boolean;
}

/** A managed object as CompareAppState pairs it: its desired state (absent: only live) and its live state (absent: missing). */
export interface Managed {
  target?: KubeObject;
  live?: KubeObject;
}

/** controller/appcontroller.go@v3.1.12 resourceStatusKey: group/kind/namespace/name, compared as Go strings (bytes). */
export const resourceStatusKey = (r: ResourceStatus) =>
  [r.group, r.kind, r.namespace, r.name].map((v) => v ?? '').join('/');

/**
 * status.resources as CompareAppState (controller/state.go@v3.1.12) builds it, one entry per managed object:
 * - group, version, kind, namespace and name of the live object, else of the desired one;
 * - hook as isHook; requiresPruning when the object is live only and its tracking id names it (isSelfReferencedObj,
 *   argocd-prune.ts); syncWave of the desired object only;
 *   requiresDeletionConfirmation when either carries the sync option Delete=confirm;
 * - status: none for a hook, a desired object whose only hook type is Skip or a live-only object that is not the
 *   app's own (none counts for the app's sync
 *   status; gitops-engine's ignore.Ignore adds nothing the hook test does not already cover); OutOfSync
 *   when the object differs, is missing or is live only; Synced otherwise; Unknown for all when the desired state
 *   could not be loaded (failedToLoadObjs);
 * - health (controller/health.go@v3.1.12 setApplicationHealth) only with --persist-resource-health, whose default
 *   is false (cmd/argocd-application-controller/commands/argocd_application_controller.go@v3.1.12): the live
 *   object's health, Missing when it is not live, none for a kind without a health check.
 * The list is sorted by resourceStatusKey before it is stored (controller/appcontroller.go@v3.1.12
 * processAppRefreshQueueItem).
 */
export function resourceStatuses(
  managed: Managed[],
  options: { differs: (m: Managed) => boolean; failedToLoad?: boolean; persistHealth?: boolean },
): ResourceStatus[] {
  return compareResources(managed, options).resources;
}

/**
 * status.resources (resourceStatuses) and the app's sync status: OutOfSync when a resource is, but for a live-only
 * one whose compare option is IgnoreExtraneous (controller/state.go@v3.1.12 CompareAppState, syncCode).
 */
export function compareResources(
  managed: Managed[],
  options: { differs: (m: Managed) => boolean; failedToLoad?: boolean; persistHealth?: boolean },
): { resources: ResourceStatus[]; outOfSync: boolean } {
  let outOfSync = false;
  const entries = managed.flatMap((m) => {
    const obj = m.live ?? m.target;
    if (!obj) return [];
    const { group, version } = groupVersionOf(obj.apiVersion);
    // argo-cd controller/hook.go isHook; a PostDelete hook's annotation makes it a hook already (hook.IsHook).
    const hook = isHook(obj);
    const skip = m.target ? skipsSync(m.target) : false;
    // isSelfReferencedObj: a live-only object whose tracking id names another object is not the app's own.
    const own = m.target || !m.live ? true : isSelfReferenced(m.live);
    let status: ResourceStatus['status'];
    if (!hook && !skip && own) status = !m.target || !m.live || options.differs(m) ? 'OutOfSync' : 'Synced';
    if (status === 'OutOfSync' && !(!m.target && m.live && ignoredExtraneous(m.live))) outOfSync = true;
    if (options.failedToLoad) status = 'Unknown';
    const health = options.persistHealth
      ? m.live
        ? resourceHealth(m.live)
        : { status: 'Missing' as const }
      : undefined;
    const wave = m.target ? syncWave(m.target) : 0;
    const confirm = [m.target, m.live].some((o) =>
      hasAnnotationOption(o, 'argocd.argoproj.io/sync-options', 'Delete=confirm'),
    );
    const entry: ResourceStatus = {
      ...(group ? { group } : {}),
      ...(version ? { version } : {}),
      ...(obj.kind ? { kind: obj.kind } : {}),
      ...(obj.metadata?.namespace ? { namespace: obj.metadata.namespace } : {}),
      ...(obj.metadata?.name ? { name: obj.metadata.name } : {}),
      ...(status ? { status } : {}),
      ...(health ? { health } : {}),
      ...(hook ? { hook } : {}),
      ...(!m.target && m.live && own ? { requiresPruning: true } : {}),
      ...(wave ? { syncWave: wave } : {}),
      ...(confirm ? { requiresDeletionConfirmation: true } : {}),
    };
    return [entry];
  });
  const resources = entries.sort((a, b) => compareStrings(resourceStatusKey(a), resourceStatusKey(b)));
  return { resources, outOfSync };
}
