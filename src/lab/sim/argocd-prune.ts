/**
 * Which live objects belong to an Argo CD v3.1.12 Application, and what a sync and an auto-sync do with those its Git
 * revision no longer renders (pruning). Each rule cites its upstream file: github.com/argoproj/argo-cd at v3.1.12 and
 * gitops-engine at e48120133eec (the commit argo-cd v3.1.12's go.mod pins).
 *
 * - The app's live objects are those in the controller's cluster cache whose tracking annotation names the app and
 *   that have no owner references (gitops-engine pkg/cache/cluster.go GetManagedLiveObjs; argo-cd
 *   controller/cache/cache.go GetManagedLiveObjs compares the annotation's application name, parsed by
 *   util/argo/resource_tracking.go ParseAppInstanceValue): a ReplicaSet that copied its Rollout's annotations is
 *   owned, so it is not one. CompareAppState also pairs each desired object with the live object of its key, tracked
 *   or not (controller/state.go).
 * - A live object that is not rendered and whose tracking id names another object (the annotation was copied) is
 *   not the app's own (controller/state.go isSelfReferencedObj): it gets no sync status, does not require pruning
 *   and a sync leaves it (controller/sync.go WithResourcesFilter).
 * - Pruning (gitops-engine pkg/sync/sync_context.go pruneObject): without the sync's prune flag a live-only object
 *   is left, PruneSkipped "ignored (requires pruning)"; with the sync option annotation Prune=false it is left,
 *   PruneSkipped "ignored (no prune)"; otherwise it is deleted (unless already being deleted) with the
 *   PrunePropagationPolicy sync option's policy, foreground by default (controller/sync.go; getDeleteOptions),
 *   Pruned "pruned". Both results count as succeeded (operationPhases).
 */

import type { TaskResult } from './argocd-sync.js';
import { trackingAnnotation } from './argocd-tracking.js';
import type { DeleteOptions } from './delete-options.js';
import { groupVersionOf } from './resources.js';
import type { KubeObject, Store } from './store.js';

const syncOptionsAnnotation = 'argocd.argoproj.io/sync-options';
const compareOptionsAnnotation = 'argocd.argoproj.io/compare-options';

/** The comma-separated values of annotation `key`, trimmed, blanks dropped (gitops-engine pkg/sync/resource/annotations.go GetAnnotationCSVs). */
export const annotationOptions = (o: KubeObject | undefined, key: string): string[] =>
  (o?.metadata?.annotations?.[key] ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);

/** resourceutil.HasAnnotationOption: one of the comma-separated options. */
export const hasAnnotationOption = (o: KubeObject | undefined, key: string, option: string): boolean =>
  annotationOptions(o, key).includes(option);

interface TrackingValue {
  app: string;
  group: string;
  kind: string;
  namespace: string;
  name: string;
}

/** util/argo/resource_tracking.go ParseAppInstanceValue: `<app>:<group>/<kind>:<namespace>/<name>`, else none. */
export function parseTrackingId(value: string | undefined): TrackingValue | undefined {
  if (value === undefined) return undefined;
  const first = value.indexOf(':');
  const second = first < 0 ? -1 : value.indexOf(':', first + 1);
  if (second < 0) return undefined;
  const groupKind = value.slice(first + 1, second).split('/');
  const namespaceName = value.slice(second + 1).split('/');
  if (groupKind.length !== 2 || namespaceName.length !== 2) return undefined;
  return {
    app: value.slice(0, first),
    group: groupKind[0] as string,
    kind: groupKind[1] as string,
    namespace: namespaceName[0] as string,
    name: namespaceName[1] as string,
  };
}

/**
 * controller/state.go isSelfReferencedObj for a live object with no desired counterpart: true without a (parsable)
 * tracking id, else whether the id names this object (its namespace, or none for a cluster-scoped one; name; group;
 * kind).
 */
export function isSelfReferenced(live: KubeObject): boolean {
  const id = parseTrackingId(live.metadata?.annotations?.[trackingAnnotation]);
  if (!id) return true;
  const namespace = live.metadata?.namespace ?? '';
  return (
    (namespace === id.namespace || namespace === '') &&
    live.metadata?.name === id.name &&
    groupVersionOf(live.apiVersion).group === id.group &&
    live.kind === id.kind
  );
}

/** Whether a live object is tracked by `app`, owned by nothing: a change of it is one of the app's (cluster cache). */
export const trackedBy = (o: KubeObject, app: string): boolean =>
  (o.metadata?.ownerReferences ?? []).length === 0 &&
  parseTrackingId(o.metadata?.annotations?.[trackingAnnotation])?.app === app;

/** The app's live objects in the cluster cache: tracked by `app` and owned by nothing (GetManagedLiveObjs). */
export function appLiveObjects(store: Store, app: string): KubeObject[] {
  return [...store.objects.values()].filter((o) => trackedBy(o, app));
}

/**
 * controller/state.go CompareAppState: a live-only object with the compare option IgnoreExtraneous is OutOfSync
 * itself but does not make the app OutOfSync.
 */
export const ignoredExtraneous = (live: KubeObject): boolean =>
  hasAnnotationOption(live, compareOptionsAnnotation, 'IgnoreExtraneous');

/** controller/sync.go: the PrunePropagationPolicy sync option (background, foreground, orphan), foreground by default. */
export function prunePropagationPolicy(
  syncOptions: string[] | undefined,
): DeleteOptions['propagationPolicy'] {
  const has = (o: string) => syncOptions?.includes(`PrunePropagationPolicy=${o}`) ?? false;
  if (has('background')) return 'Background';
  if (has('foreground')) return 'Foreground';
  if (has('orphan')) return 'Orphan';
  return 'Foreground';
}

export type PruneDecision =
  | { result: 'PruneSkipped'; message: 'ignored (requires pruning)' | 'ignored (no prune)'; delete: false }
  | { result: 'Pruned'; message: 'pruned'; delete: boolean };

/** gitops-engine pkg/sync/sync_context.go pruneObject: what the sync does with a live-only object. */
export function pruneDecision(live: KubeObject, prune: boolean): PruneDecision {
  if (!prune) return { result: 'PruneSkipped', message: 'ignored (requires pruning)', delete: false };
  if (hasAnnotationOption(live, syncOptionsAnnotation, 'Prune=false'))
    return { result: 'PruneSkipped', message: 'ignored (no prune)', delete: false };
  // An object already being deleted is not deleted again (no update hot loop), but is reported pruned.
  return { result: 'Pruned', message: 'pruned', delete: !live.metadata?.deletionTimestamp };
}

/** The resource statuses autoSync reads (controller/appcontroller.go@v3.1.12). */
interface AutoSyncResource {
  status?: string;
  requiresPruning?: boolean;
}

/**
 * controller/appcontroller.go@v3.1.12 autoSync, its two pruning rules (an OutOfSync app with automated sync):
 * - automated.prune false and every resource Synced or requiring pruning (a resource with no status, a hook, counts
 *   as neither): no sync ("Skipping auto-sync: need to prune extra resources only but automated prune is
 *   disabled", a log line only); checked before alreadyAttemptedSync;
 * - automated.prune true, allowEmpty false and every resource requiring pruning: no sync and a SyncError condition
 *   "Skipping sync attempt to <revision>: auto-sync will wipe out all resources"; checked after the self-heal
 *   back-off.
 */
export function pruneOnlySkip(resources: AutoSyncResource[], automated: { prune?: boolean }): boolean {
  if (automated.prune) return false;
  return resources.every((r) => r.status === 'Synced' || r.requiresPruning);
}

export function wipeOutCondition(
  resources: AutoSyncResource[],
  automated: { prune?: boolean; allowEmpty?: boolean },
  revision: string,
): string | undefined {
  if (!automated.prune || automated.allowEmpty) return undefined;
  if (!resources.every((r) => r.requiresPruning)) return undefined;
  return `Skipping sync attempt to ${revision}: auto-sync will wipe out all resources`;
}

/**
 * One entry of an operation's syncResult.resources (pkg/apis/application/v1alpha1/types.go@v3.1.12 ResourceResult:
 * group, version, kind, namespace and name always written, the rest omitempty): a task's result and message, the
 * phase the result leaves the task in (hookPhase: argocd-sync.ts), the task's sync phase, a hook's type, and the images of the object's
 * containers (gitops-engine pkg/utils/kube/kube.go GetResourceImages: a pod's, a template's or a CronJob's job
 * template's).
 */
export interface ResourceResult {
  group: string;
  version: string;
  kind: string;
  namespace: string;
  name: string;
  status?: string;
  message?: string;
  hookType?: string;
  hookPhase?: string;
  syncPhase?: string;
  images?: string[];
}

function imagesOf(o: KubeObject): string[] {
  const spec = o.spec as Record<string, unknown> | undefined;
  type PodSpec = { containers?: Array<{ image?: string }> } | undefined;
  const template = (s: unknown) => (s as { template?: { spec?: PodSpec } } | undefined)?.template?.spec;
  const candidates: PodSpec[] = [
    spec as PodSpec,
    template(spec),
    template((spec?.jobTemplate as { spec?: unknown } | undefined)?.spec),
  ];
  const found = candidates.find((s) => Array.isArray(s?.containers));
  return (found?.containers ?? []).flatMap((c) => (typeof c?.image === 'string' ? [c.image] : []));
}

/**
 * kubectl's line for an applied object (k8s.io/cli-runtime pkg/printers/name.go): the lower-case kind, `.<group>` when
 * there is one, `/<name>`, then the operation. It is the message of the object's Synced result.
 */
export function appliedLine(o: KubeObject, verb: 'created' | 'configured' | 'unchanged'): string {
  const group = groupVersionOf(o.apiVersion).group;
  return `${(o.kind ?? '').toLowerCase()}${group ? `.${group}` : ''}/${o.metadata?.name ?? ''} ${verb}`;
}

/** One task's entry in syncResult.resources: the object's identity and images, then its result (empty fields left out). */
export function taskResult(o: KubeObject, result: TaskResult): ResourceResult {
  const { group, version } = groupVersionOf(o.apiVersion);
  const images = imagesOf(o);
  return {
    group,
    version,
    kind: o.kind ?? '',
    namespace: o.metadata?.namespace ?? '',
    name: o.metadata?.name ?? '',
    ...(result.status ? { status: result.status } : {}),
    ...(result.message ? { message: result.message } : {}),
    ...(result.hookType ? { hookType: result.hookType } : {}),
    hookPhase: result.hookPhase,
    syncPhase: result.syncPhase,
    ...(images.length > 0 ? { images } : {}),
  };
}

/** The annotation that approves what Delete=confirm holds (gitops-engine pkg/sync/common/types.go). */
const DELETION_APPROVED = 'argocd.argoproj.io/deletion-approved';
const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Application.IsDeletionConfirmed(since) (pkg/apis/application/v1alpha1/types.go@v3.1.12): the deletion-approved
 * annotation holds an RFC 3339 time not before `since`.
 */
export function approvedSince(app: KubeObject, since: number): boolean {
  const value = app.metadata?.annotations?.[DELETION_APPROVED] ?? '';
  if (!rfc3339.test(value) || Number.isNaN(since)) return false;
  return Date.parse(value) >= since;
}
