/**
 * One pass of Argo CD v3.1.12's sync operation over an Application's resources: gitops-engine's sync context at the
 * commit argo-cd v3.1.12 pins (e48120133eec), pkg/sync/sync_context.go Sync, with its tasks (sync_task.go) and their
 * order (sync_tasks.go). The operation runs in passes: each processing of the app's operation (argocd.ts) calls
 * `syncPass` once with the results the earlier passes stored in status.operationState.syncResult.resources
 * (WithInitialState), and stores what it returns.
 *
 * - Tasks (getSyncTasks): one per managed resource the sync covers, in phase Sync; a hook (hook.IsHook) and a
 *   resource whose only hook type is Skip (syncPhases) are not resource tasks. A resource with no desired object is a
 *   prune task. Its wave is the sync-wave annotation, else helm.sh/hook-weight, else 0 (syncwaves.Wave); the prune
 *   tasks' waves are swapped end for end (the last wave's objects are pruned first: the reverse of creation); with
 *   PruneLast (the sync option, or the annotation's option) a prune task goes a wave after the phase's last.
 *   Sorted by phase, wave, kind order, name; a Namespace and a CRD the app holds move before what needs them
 *   (Sort, adjustDeps). Each task takes the status, phase and message of its earlier result (resultKey: the
 *   resource key and the phase).
 * - A pass: the tasks still Running (applied, not yet judged) get their live object's health (health.GetResourceHealth
 *   with Argo CD's overrides: argo-health.ts): none or Healthy → Succeeded, Degraded → Failed, anything else stays
 *   Running. With more than one wave (multiStep), a Running task holds the operation ("waiting for healthy state of
 *   <group>/<kind>/<name> and N more resources"); a pruned object still being deleted holds it too ("waiting for
 *   deletion of ..."). A completed task that did not succeed fails the operation ("one or more synchronization tasks
 *   completed unsuccessfully"). Otherwise the first wave with pending tasks runs: its prunes (held by a live object's
 *   Prune=confirm until the deletion is confirmed: "Waiting for pruning confirmation of ..."), then its applies, a
 *   kind at a time. An applied task is Synced and Running, a pruned one Pruned or PruneSkipped and Succeeded, a
 *   failed one SyncFailed and Failed ("one or more objects failed to apply, reason: ..."). The last wave ends the
 *   operation at once ("successfully synced (all tasks run)", EVEN if those objects degrade later); an earlier wave
 *   leaves it Running, and Argo CD waits 2 s before it stores the pass (controller/sync.go delayBetweenSyncWaves).
 * - With ApplyOutOfSyncOnly=true, a task whose resource is live and not modified is left out (filterOutOfSyncTasks).
 *
 * - Hooks (getSyncTasks, Sync, runTasks, setOperationFailed, Terminate; sync_task.go; hook/*.go): the desired hooks
 *   are tasks of each of their phases (PreSync, Sync, PostSync, SyncFail), ordered by phase before wave; a hook with
 *   no name is named from its generateName, the revision, the phase and the operation's start, and each gets the
 *   hook finalizer. Its live object is found among the resources. A running hook is judged on its live object's
 *   health (getOperationPhase) and always holds the operation ("waiting for completion of hook ..."); a hook of the
 *   wave just run is left for the next pass. A live hook that is pending is deleted before it is created again
 *   (BeforeHookCreation, the default delete policy), which leaves the pass pending; completed hooks lose the
 *   finalizer, and HookSucceeded / HookFailed hooks are deleted when the operation succeeds / fails. SyncFail hooks
 *   run only once the sync has failed: the operation fails when they have completed (at once when one fails to
 *   apply). A hook's result has no status once judged, only its hookPhase.
 * - Terminate: running hooks are deleted ("Deleted"), others keep their phase, and the operation fails.
 *
 * - CreateNamespace=true (autoCreateNamespace, appendNsTask; argo-cd controller/sync_namespace.go syncNamespace): a
 *   PreSync task creates the destination namespace when the cluster lacks it and the app does not hold it; the first
 *   pass creates that namespace before anything else (getNamespaceCreationTask), failing with "the namespace failed
 *   to apply" if it cannot.
 *
 * Not modelled: the first pass's dry run (a manifest the API server refuses fails the wet run instead),
 * managedNamespaceMetadata, the project's permission checks, Replace, Force and server-side apply.
 */

import type { HealthStatus } from './argo-health.js';
import { deletePolicies, HOOK_FINALIZER, isHook, type SyncPhase, syncPhases } from './argocd-hooks.js';
import { hasAnnotationOption, type ResourceResult } from './argocd-prune.js';
import { compareStrings } from './compare.js';
import { groupVersionOf } from './resources.js';
import type { KubeObject } from './store.js';

/** gitops-engine pkg/sync/common/types.go OperationPhase. */
export type OperationPhase = 'Running' | 'Terminating' | 'Failed' | 'Error' | 'Succeeded';

/** OperationPhase.Completed. */
export const completed = (phase: string | undefined): boolean =>
  phase === 'Failed' || phase === 'Error' || phase === 'Succeeded';

/** A result code (common.ResultCode). */
export type ResultCode = 'Synced' | 'SyncFailed' | 'Pruned' | 'PruneSkipped';

/** sync_context.go operationPhases: the task phase a result code leaves. */
const operationPhases: Record<ResultCode, OperationPhase> = {
  Synced: 'Running',
  SyncFailed: 'Failed',
  Pruned: 'Succeeded',
  PruneSkipped: 'Succeeded',
};

/** strconv.Atoi: an optional sign and decimal digits, else not a number. */
const atoi = (text: string | undefined): number | undefined =>
  text !== undefined && /^[+-]?\d+$/.test(text) ? Number(text) : undefined;

/** pkg/sync/syncwaves/waves.go Wave: the sync-wave annotation, else helm.sh/hook-weight, else 0. */
export const syncWave = (o: KubeObject): number =>
  atoi(o.metadata?.annotations?.['argocd.argoproj.io/sync-wave']) ??
  atoi(o.metadata?.annotations?.['helm.sh/hook-weight']) ??
  0;

/** pkg/sync/sync_tasks.go kindOrder: the kinds a wave applies first; any other kind comes after them. */
const kindOrder = [
  'Namespace',
  'NetworkPolicy',
  'ResourceQuota',
  'LimitRange',
  'PodSecurityPolicy',
  'PodDisruptionBudget',
  'ServiceAccount',
  'Secret',
  'SecretList',
  'ConfigMap',
  'StorageClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleList',
  'ClusterRoleBinding',
  'ClusterRoleBindingList',
  'Role',
  'RoleList',
  'RoleBinding',
  'RoleBindingList',
  'Service',
  'DaemonSet',
  'Pod',
  'ReplicationController',
  'ReplicaSet',
  'Deployment',
  'HorizontalPodAutoscaler',
  'StatefulSet',
  'Job',
  'CronJob',
  'IngressClass',
  'Ingress',
  'APIService',
];
const kindRank = (kind: string | undefined) => {
  const i = kindOrder.indexOf(kind ?? '');
  return i < 0 ? 0 : i - kindOrder.length;
};

/** sync_tasks.go syncPhaseOrder. */
const phaseOrder: Record<SyncPhase, number> = { PreSync: -1, Sync: 0, PostSync: 1, SyncFail: 2 };

/** A sync task (sync_task.go syncTask). */
export interface SyncTask {
  phase: SyncPhase;
  /** The desired object; none for a prune task. */
  target?: KubeObject;
  live?: KubeObject;
  waveOverride?: number;
  /** The result code; empty once a hook's completion has been judged (setResourceResult with ""). */
  syncStatus?: ResultCode | '';
  /** Empty while pending. */
  operationState?: OperationPhase;
  message?: string;
}

const objOf = (t: SyncTask) => (t.target ?? t.live) as KubeObject;
const isPrune = (t: SyncTask) => t.target === undefined;
const isHookTask = (t: SyncTask) => isHook(objOf(t));
export const waveOf = (t: SyncTask): number => t.waveOverride ?? syncWave(objOf(t));
const groupOf = (t: SyncTask) => groupVersionOf(objOf(t).apiVersion).group;
const running = (t: SyncTask) => t.operationState === 'Running';
const pending = (t: SyncTask) => !t.operationState;
/** sync_task.go hasHookDeletePolicy: a hook's delete policy (meaningless for anything else). */
const hasDeletePolicy = (t: SyncTask, policy: string) =>
  isHookTask(t) && deletePolicies(objOf(t)).includes(policy);
/** deleteBeforeCreation: a pending hook that is live and BeforeHookCreation (the default) goes before it is created. */
const deleteBeforeCreation = (t: SyncTask) =>
  t.live !== undefined && pending(t) && hasDeletePolicy(t, 'BeforeHookCreation');
const deleteOnSuccess = (t: SyncTask) => t.live !== undefined && hasDeletePolicy(t, 'HookSucceeded');
const deleteOnFailure = (t: SyncTask) => t.live !== undefined && hasDeletePolicy(t, 'HookFailed');

/** kube.ResourceKey.String of the object, then its sync phase (resourceResultKey). */
const resultKey = (r: {
  group?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  syncPhase?: string;
}) => `${r.group ?? ''}/${r.kind ?? ''}/${r.namespace ?? ''}/${r.name ?? ''}:${r.syncPhase || 'Sync'}`;
const taskKey = (t: SyncTask) => {
  const o = objOf(t);
  return resultKey({
    group: groupOf(t),
    kind: o.kind,
    namespace: o.metadata?.namespace,
    name: o.metadata?.name,
    syncPhase: t.phase,
  });
};

/** sync_tasks.go Less: phase, wave, kind order, name. */
export function compareTasks(a: SyncTask, b: SyncTask): number {
  return (
    phaseOrder[a.phase] - phaseOrder[b.phase] ||
    waveOf(a) - waveOf(b) ||
    kindRank(objOf(a).kind) - kindRank(objOf(b).kind) ||
    compareStrings(objOf(a).metadata?.name ?? '', objOf(b).metadata?.name ?? '')
  );
}

/**
 * sync_tasks.go adjustDeps: a task that is a dependency (isDep gives its key) and comes after the first task that
 * refers to that key (refersTo) moves to that task's place and takes its wave and phase.
 */
function adjustDeps(
  tasks: SyncTask[],
  isDep: (o: KubeObject) => string | undefined,
  refersTo: (o: KubeObject) => string | undefined,
): void {
  const first = new Map<string, number>();
  for (let i = 0; i < tasks.length; i++) {
    const t = tasks[i] as SyncTask;
    if (!t.target) continue;
    const dep = isDep(t.target);
    if (dep !== undefined) {
      const index = first.get(dep);
      if (index === undefined) continue;
      const referrer = tasks[index] as SyncTask;
      t.waveOverride = waveOf(referrer);
      t.phase = referrer.phase;
      tasks.splice(i, 1);
      tasks.splice(index, 0, t);
      for (const [key, at] of first) if (at >= index) first.set(key, at + 1);
    } else {
      const ref = refersTo(t.target);
      if (ref !== undefined && !first.has(ref)) first.set(ref, i);
    }
  }
}

/** syncTasks.Sort: Less, then Namespaces before what lives in them and CRDs before their objects. */
export function sortTasks(tasks: SyncTask[]): SyncTask[] {
  tasks.sort(compareTasks);
  adjustDeps(
    tasks,
    (o) =>
      o.kind === 'Namespace' && groupVersionOf(o.apiVersion).group === '' ? o.metadata?.name : undefined,
    (o) => o.metadata?.namespace || undefined,
  );
  adjustDeps(
    tasks,
    (o) => {
      if (
        o.kind !== 'CustomResourceDefinition' ||
        groupVersionOf(o.apiVersion).group !== 'apiextensions.k8s.io'
      )
        return undefined;
      const spec = o.spec as { group?: unknown; names?: { kind?: unknown } } | undefined;
      return typeof spec?.group === 'string' && typeof spec.names?.kind === 'string'
        ? `${spec.group}/${spec.names.kind}`
        : undefined;
    },
    (o) => `${groupVersionOf(o.apiVersion).group}/${o.kind}`,
  );
  return tasks;
}

/** What a pass does to the cluster and what it reads from it. */
export interface SyncHost {
  /** kubectl apply of the desired object (applyObject): Synced with kubectl's line, or SyncFailed with the error. */
  apply(target: KubeObject): { status: 'Synced' | 'SyncFailed'; message: string };
  /** pruneObject: Pruned, PruneSkipped or SyncFailed, with its message. */
  prune(live: KubeObject): { status: 'Pruned' | 'PruneSkipped' | 'SyncFailed'; message: string };
  /**
   * deleteResource of a hook (the prune propagation policy, foreground by default): `deleted`, `gone` when it was
   * not found, or the error's text.
   */
  delete(live: KubeObject): 'deleted' | 'gone' | { error: string };
  /** removeHookFinalizer: the hook's finalizer taken off its live object; the error's text if that failed. */
  removeFinalizer(live: KubeObject): string | undefined;
  /** health.GetResourceHealth with Argo CD's overrides; none for a kind without a check. */
  health(live: KubeObject): HealthStatus | undefined;
  /** The result entry of a task (its identity, images and result: argocd-prune.ts). */
  result(o: KubeObject, result: TaskResult): ResourceResult;
}

/** What a task's result entry records (common.ResourceSyncResult). */
export interface TaskResult {
  status: ResultCode | '';
  message: string;
  hookPhase: OperationPhase;
  syncPhase: SyncPhase;
  /** The hook type (the task's phase) for a hook; none for a resource. */
  hookType?: SyncPhase;
}

export interface SyncPassInput {
  /** The resources the sync covers (the reconciliation result after WithResourcesFilter). */
  resources: Array<{ target?: KubeObject; live?: KubeObject }>;
  /**
   * The whole reconciliation result (sc.resources before the filter), where a hook finds its live object: a hook
   * created from a generateName carries a tracking id without its name, so the filter's isSelfReferencedObj leaves
   * it out of `resources`. Default: `resources`.
   */
  reconciled?: Array<{ target?: KubeObject; live?: KubeObject }>;
  /** The desired hooks (the reconciliation result's Hooks); none when the operation skips hooks. */
  hooks?: KubeObject[];
  /** The revision synced and the operation's start (the names of hooks that have only a generateName). */
  revision?: string;
  startedAtMs?: number;
  /** The app's destination namespace, given to a hook that names none. */
  namespace?: string;
  /**
   * The CreateNamespace=true sync option (WithNamespaceModifier), with the destination namespace's live object if the
   * cluster has it.
   */
  createNamespace?: { live?: KubeObject };
  /** syncResult.resources of the earlier passes. */
  results: ResourceResult[];
  /** The phase and message the operation had before this pass (WithInitialState). */
  initial?: { phase: OperationPhase; message: string };
  /** The PruneLast=true sync option of the operation. */
  pruneLast: boolean;
  /** The ApplyOutOfSyncOnly=true sync option, with the comparison's verdict on each live resource. */
  applyOutOfSyncOnly?: { modified: (target: KubeObject, live: KubeObject) => boolean };
  /** The app's deletion is confirmed since the operation started (WithPruneConfirmed: IsDeletionConfirmed). */
  pruneConfirmed: boolean;
}

export interface SyncPass {
  phase: OperationPhase;
  message: string;
  results: ResourceResult[];
  /** A wave ran its tasks in this pass; `final` when it was the operation's last (no 2 s delay after it). */
  ran?: { wave: number; final: boolean };
}

/**
 * The name a hook with only a generateName gets (getSyncTasks): the generateName, then the revision (its first 7
 * characters when it has 8 or more), the phase and the operation's start in Unix seconds, lower-cased.
 */
export function hookName(
  generateName: string,
  revision: string,
  phase: SyncPhase,
  startedAtMs: number,
): string {
  const short = revision.length >= 8 ? revision.slice(0, 7) : revision;
  return `${generateName}${`${short}-${phase}-${Math.floor(startedAtMs / 1000)}`.toLowerCase()}`;
}

/** syncContext.liveObj: the live object among the resources of the target's group, kind and name (and namespace). */
function liveObjOf(
  input: Pick<SyncPassInput, 'resources' | 'reconciled'>,
  target: KubeObject,
): KubeObject | undefined {
  const group = groupVersionOf(target.apiVersion).group;
  for (const { target: t, live } of input.reconciled ?? input.resources) {
    const o = t ?? live;
    if (!o || !live) continue;
    const namespace = o.metadata?.namespace ?? '';
    if (
      groupVersionOf(o.apiVersion).group === group &&
      o.kind === target.kind &&
      (namespace === '' || namespace === target.metadata?.namespace) &&
      o.metadata?.name === target.metadata?.name
    )
      return live;
  }
  return undefined;
}

/** getSyncTasks' hook tasks: one per phase of each hook, named, in the app's namespace, with the hook finalizer. */
function hookTasks(
  input: Pick<SyncPassInput, 'hooks' | 'revision' | 'startedAtMs' | 'namespace'>,
): SyncTask[] {
  const tasks: SyncTask[] = [];
  for (const hook of input.hooks ?? [])
    for (const phase of syncPhases(hook)) {
      const target = structuredClone(hook);
      const metadata = { ...target.metadata } as {
        name?: string;
        namespace?: string;
        generateName?: string;
        finalizers?: string[];
      };
      if (!metadata.name)
        metadata.name = hookName(
          metadata.generateName ?? '',
          input.revision ?? '',
          phase,
          input.startedAtMs ?? 0,
        );
      if (!metadata.finalizers?.includes(HOOK_FINALIZER))
        metadata.finalizers = [...(metadata.finalizers ?? []), HOOK_FINALIZER];
      if (!metadata.namespace && input.namespace) metadata.namespace = input.namespace;
      target.metadata = metadata;
      tasks.push({ phase, target });
    }
  return tasks;
}

/** isNamespaceWithName: the core Namespace of that name. */
const isNamespaceNamed = (o: KubeObject | undefined, name: string) =>
  o?.kind === 'Namespace' && groupVersionOf(o.apiVersion).group === '' && o.metadata?.name === name;

/**
 * autoCreateNamespace with Argo CD's namespace modifier (controller/sync_namespace.go syncNamespace): unless the app
 * holds that Namespace itself, a PreSync task creates the destination namespace when the cluster does not have it
 * (a namespace that exists is left alone; managedNamespaceMetadata, which would sync it anyway, is not modelled).
 */
function namespaceTask(
  input: Pick<SyncPassInput, 'resources' | 'createNamespace' | 'namespace'>,
): SyncTask | undefined {
  const name = input.namespace;
  if (!input.createNamespace || !name || input.createNamespace.live) return undefined;
  if (input.resources.some((r) => isNamespaceNamed(r.target, name))) return undefined;
  return { phase: 'PreSync', target: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } };
}

/** getSyncTasks, without the permission checks: the tasks of a pass in order, each with its earlier result. */
export function syncTasks(
  input: Pick<
    SyncPassInput,
    | 'resources'
    | 'reconciled'
    | 'results'
    | 'pruneLast'
    | 'hooks'
    | 'revision'
    | 'startedAtMs'
    | 'namespace'
    | 'createNamespace'
  >,
): SyncTask[] {
  const tasks: SyncTask[] = [];
  for (const { target, live } of input.resources) {
    const o = target ?? live;
    if (!o || isHook(o)) continue;
    for (const phase of syncPhases(o))
      tasks.push({ phase, ...(target ? { target } : {}), ...(live ? { live } : {}) });
  }
  for (const t of hookTasks(input)) {
    const live = liveObjOf(input, t.target as KubeObject);
    tasks.push(live ? { ...t, live } : t);
  }
  const nsTask = namespaceTask(input);
  if (nsTask) tasks.push(nsTask);
  // Prune tasks' waves reversed: the i-th lowest prune wave swaps with the i-th highest.
  const pruneWaves = [...new Set(tasks.filter(isPrune).map(waveOf))].sort((a, b) => a - b);
  const swapped = new Map(pruneWaves.map((w, i) => [w, pruneWaves[pruneWaves.length - 1 - i] as number]));
  for (const t of tasks.filter(isPrune)) t.waveOverride = swapped.get(waveOf(t));
  // PruneLast: one wave after the Sync phase's last (prune tasks counted), and never before wave 1.
  const lastWave = Math.max(0, ...tasks.filter((t) => t.phase === 'Sync').map(waveOf)) + 1;
  for (const t of tasks)
    if (
      isPrune(t) &&
      (input.pruneLast || hasAnnotationOption(t.live, 'argocd.argoproj.io/sync-options', 'PruneLast=true'))
    )
      t.waveOverride = lastWave;
  sortTasks(tasks);
  const earlier = new Map(input.results.map((r) => [resultKey(r), r]));
  for (const t of tasks) {
    const r = earlier.get(taskKey(t));
    if (!r) continue;
    t.syncStatus = (r.status ?? '') as ResultCode | '';
    t.operationState = r.hookPhase as OperationPhase;
    t.message = r.message;
  }
  return tasks;
}

/** setRunningPhase: what the operation waits for, named by its first task (a hook's completion, else health). */
function runningMessage(tasks: SyncTask[], pendingDeletion: boolean): string | undefined {
  const first = tasks[0];
  if (!first) return undefined;
  const o = objOf(first);
  const hook = isHookTask(first);
  const waitingFor = pendingDeletion ? 'deletion of' : hook ? 'completion of hook' : 'healthy state of';
  const more = tasks.length - 1;
  const andMore = more > 0 ? ` and ${more} more ${hook ? 'hooks' : 'resources'}` : '';
  return `waiting for ${waitingFor} ${groupOf(first)}/${o.kind}/${o.metadata?.name}${andMore}`;
}

/** setOperationFailed's message: the failed tasks' messages after ", reason: ". */
function failedMessage(failed: SyncTask[], message: string): string {
  const reasons = [...new Set(failed.map((t) => t.message ?? ''))];
  return reasons.length > 0 ? `${message}, reason: ${reasons.join(',')}` : message;
}

/**
 * getOperationPhase: how far a hook has got, from its live object's health. Unknown or Degraded: Failed;
 * Progressing or Suspended: Running; Healthy, or a kind without a health check: Succeeded (`<name> created`).
 */
function hookPhase(host: SyncHost, live: KubeObject): { phase: OperationPhase; message: string } {
  const health = host.health(live);
  switch (health?.status) {
    case 'Unknown':
    case 'Degraded':
      return { phase: 'Failed', message: health.message ?? '' };
    case 'Progressing':
    case 'Suspended':
      return { phase: 'Running', message: health.message ?? '' };
    case 'Healthy':
      return { phase: 'Succeeded', message: health.message ?? '' };
    default:
      return { phase: 'Succeeded', message: `${live.metadata?.name} created` };
  }
}

/** runTasks' outcome; `held` is pending on a prune's confirmation, with nothing done. */
type RunState = 'successful' | 'pending' | 'held' | 'failed';

/** The results of a pass, kept as setResourceResult keeps them (one entry per task, in the order they came). */
class PassState {
  readonly results: Map<string, ResourceResult>;
  phase: OperationPhase;
  message: string;

  constructor(
    input: Pick<SyncPassInput, 'results' | 'initial'>,
    private readonly host: SyncHost,
  ) {
    this.results = new Map(input.results.map((r) => [resultKey(r), structuredClone(r)]));
    this.phase = input.initial?.phase ?? 'Running';
    this.message = input.initial?.message ?? '';
  }

  /** setResourceResult: the task's new status and phase; its message only when a new one is given. */
  set(t: SyncTask, status: ResultCode | '', phase: OperationPhase, message: string): void {
    t.syncStatus = status;
    t.operationState = phase;
    if (message) t.message = message;
    const key = taskKey(t);
    const existing = this.results.get(key);
    if (existing) {
      setOrDelete(existing, 'status', status);
      existing.hookPhase = phase;
      setOrDelete(existing, 'message', t.message ?? '');
    } else
      this.results.set(
        key,
        this.host.result(objOf(t), {
          status,
          message: t.message ?? '',
          hookPhase: phase,
          syncPhase: t.phase,
          ...(isHookTask(t) ? { hookType: t.phase } : {}),
        }),
      );
  }

  setPhase(phase: OperationPhase, message: string): void {
    this.phase = phase;
    this.message = message;
  }

  done(ran?: SyncPass['ran']): SyncPass {
    return {
      phase: this.phase,
      message: this.message,
      results: [...this.results.values()],
      ...(ran ? { ran } : {}),
    };
  }
}

/** An omitempty field: written when it has a value, left out when empty. */
function setOrDelete(r: ResourceResult, field: 'status' | 'message', value: string): void {
  if (value) r[field] = value;
  else delete r[field];
}

/** The passes' operations on hooks (removeHookFinalizer, deleteHooks) with their failures recorded. */
function removeFinalizer(state: PassState, host: SyncHost, t: SyncTask, prefix: string): boolean {
  if (!t.live) return true;
  const error = host.removeFinalizer(t.live);
  if (error === undefined) return true;
  state.set(t, t.syncStatus ?? '', 'Error', `${prefix}: ${error}`);
  return false;
}

function deleteHooks(state: PassState, host: SyncHost, tasks: SyncTask[]): void {
  for (const t of tasks) {
    const outcome = host.delete(t.live as KubeObject);
    if (typeof outcome === 'object') state.set(t, '', 'Error', `failed to delete resource: ${outcome.error}`);
  }
}

/**
 * runTasks (wet run): the finalizers of the live hooks about to be created again come off; then the prunes (held by
 * a live object's Prune=confirm until the deletion is confirmed), the BeforeHookCreation deletions (pending: the
 * hooks are created by a later pass, once gone), and the applies, a kind at a time.
 */
function runTasks(state: PassState, host: SyncHost, tasks: SyncTask[], pruneConfirmed: boolean): RunState {
  for (const t of tasks.filter((c) => isHookTask(c) && pending(c) && c.live))
    if (!removeFinalizer(state, host, t, 'failed to remove hook finalizer')) return 'failed';
  const prunes = tasks.filter(isPrune);
  const creates = tasks.filter((t) => !isPrune(t));
  if (!pruneConfirmed) {
    const held = prunes.filter((t) =>
      hasAnnotationOption(t.live, 'argocd.argoproj.io/sync-options', 'Prune=confirm'),
    );
    if (held.length > 0) {
      const o = objOf(held[0] as SyncTask);
      const more = held.length > 1 ? ` and ${held.length - 1} more resources` : '';
      state.message = `Waiting for pruning confirmation of ${o.apiVersion}/${o.kind}/${o.metadata?.name}${more}`;
      return 'held';
    }
  }
  let run: RunState = 'successful';
  for (const t of prunes) {
    const { status, message } = host.prune(t.live as KubeObject);
    if (status === 'SyncFailed') run = 'failed';
    state.set(t, status, operationPhases[status], message);
  }
  if (run !== 'successful') return run;
  for (const t of creates.filter(deleteBeforeCreation)) {
    const outcome = host.delete(t.live as KubeObject);
    if (outcome === 'gone') delete t.live;
    else if (outcome === 'deleted') run = 'pending';
    else {
      state.set(t, t.syncStatus ?? '', 'Error', `failed to delete resource: ${outcome.error}`);
      return 'failed';
    }
  }
  if (run !== 'successful') return run;
  for (const t of creates) {
    const { status, message } = host.apply(t.target as KubeObject);
    if (status === 'SyncFailed') run = 'failed';
    state.set(t, status, operationPhases[status], message);
  }
  return run;
}

/**
 * setOperationFailed: the SyncFail hooks run once the sync has failed (the operation stays as it was until they have
 * completed; a SyncFail hook that fails to apply fails it at once), then the operation fails with `message` and the
 * failed tasks' reasons.
 */
function setOperationFailed(
  state: PassState,
  host: SyncHost,
  syncFailTasks: SyncTask[],
  failed: SyncTask[],
  message: string,
): void {
  const error = failedMessage(failed, message);
  if (syncFailTasks.length === 0 || syncFailTasks.every((t) => completed(t.operationState))) {
    state.setPhase('Failed', error);
    return;
  }
  if (runTasks(state, host, syncFailTasks, true) === 'failed') {
    const hooksFailed = syncFailTasks.filter((t) => t.syncStatus === 'SyncFailed');
    state.setPhase('Failed', `${error}\n${failedMessage(hooksFailed, 'one or more SyncFail hooks failed')}`);
  }
}

/** One call of syncContext.Sync over `input`, doing its applies, prunes and hook deletions through `host`. */
export function syncPass(input: SyncPassInput, host: SyncHost): SyncPass {
  const state = new PassState(input, host);
  let tasks = syncTasks(input);

  // The first pass (nothing run yet) creates the destination namespace before anything else, whether the app holds it
  // or CreateNamespace=true added it (getNamespaceCreationTask: a task of a Namespace of that name that is not live).
  const destination = input.namespace;
  const create = destination
    ? tasks.find((t) => !t.live && isNamespaceNamed(t.target, destination))
    : undefined;
  if (input.results.length === 0 && create && runTasks(state, host, [create], true) === 'failed') {
    state.setPhase('Failed', failedMessage([create], 'the namespace failed to apply'));
    return state.done();
  }

  // The running tasks with a live object: a hook's completion, a resource's health.
  for (const t of tasks) {
    if (!running(t) || !t.live) continue;
    if (isHookTask(t)) {
      const { phase, message } = hookPhase(host, t.live);
      state.set(t, '', phase, message);
      continue;
    }
    const health = host.health(t.live);
    const status = t.syncStatus || 'Synced';
    if (!health) state.set(t, status, 'Succeeded', t.message ?? '');
    else if (health.status === 'Healthy') state.set(t, status, 'Succeeded', health.message ?? '');
    else if (health.status === 'Degraded') state.set(t, status, 'Failed', health.message ?? '');
  }

  const first = tasks[0];
  const last = tasks.at(-1);
  const multiStep =
    first !== undefined &&
    last !== undefined &&
    (waveOf(first) !== waveOf(last) || first.phase !== last.phase);
  const runningTasks = tasks.filter((t) => (multiStep || isHookTask(t)) && running(t));
  if (runningTasks.length > 0) {
    state.setPhase('Running', runningMessage(runningTasks, false) as string);
    return state.done();
  }
  const deleting = tasks.filter((t) => t.syncStatus === 'Pruned' && t.live?.metadata?.deletionTimestamp);
  if (deleting.length > 0) {
    state.setPhase('Running', runningMessage(deleting, true) as string);
    return state.done();
  }

  for (const t of tasks.filter((c) => isHookTask(c) && completed(c.operationState)))
    removeFinalizer(state, host, t, 'Failed to remove hook finalizer');
  const settledHooks = tasks.filter((t) => isHookTask(t) && t.live && !running(t));
  const deleteIfSucceeded = settledHooks.filter(deleteOnSuccess);
  const deleteIfFailed = settledHooks.filter(deleteOnFailure);

  const syncFailTasks = tasks.filter((t) => t.phase === 'SyncFail');
  tasks = tasks.filter((t) => t.phase !== 'SyncFail');
  // The sync failed: the HookFailed hooks go, the SyncFail hooks run, and the failed tasks give the reasons.
  const fail = (among: SyncTask[], message: string) => {
    deleteHooks(state, host, deleteIfFailed);
    const failed = among.filter((t) => t.syncStatus === 'SyncFailed');
    setOperationFailed(state, host, syncFailTasks, failed, message);
  };
  if (tasks.some((t) => completed(t.operationState) && t.operationState !== 'Succeeded')) {
    fail(tasks, 'one or more synchronization tasks completed unsuccessfully');
    return state.done();
  }

  tasks = tasks.filter(pending);
  const outOfSyncOnly = input.applyOutOfSyncOnly;
  if (outOfSyncOnly)
    tasks = tasks.filter(
      (t) => isHookTask(t) || !(t.target && t.live && !outOfSyncOnly.modified(t.target, t.live)),
    );
  if (tasks.length === 0) {
    deleteHooks(state, host, deleteIfSucceeded);
    state.setPhase('Succeeded', 'successfully synced (no more tasks)');
    return state.done();
  }

  const { phase } = tasks[0] as SyncTask;
  const wave = waveOf(tasks[0] as SyncTask);
  const lastTask = tasks.at(-1) as SyncTask;
  const final = phase === lastTask.phase && wave === waveOf(lastTask);
  // What is left after this wave; a hook of this wave too, since it has yet to complete.
  const remaining = tasks.filter((t) => t.phase !== phase || waveOf(t) !== wave || isHookTask(t));
  const current = tasks.filter((t) => t.phase === phase && waveOf(t) === wave);

  state.setPhase('Running', 'one or more tasks are running');
  const run = runTasks(state, host, current, input.pruneConfirmed);
  // A pass held for a prune's confirmation did nothing (the controller's 2 s wave delay is not modelled for it).
  const ran = run === 'held' ? undefined : { wave, final };
  if (run === 'failed') fail(current, 'one or more objects failed to apply');
  else if (run === 'successful') {
    if (remaining.length === 0) {
      deleteHooks(state, host, deleteIfSucceeded);
      state.setPhase('Succeeded', 'successfully synced (all tasks run)');
    } else state.setPhase('Running', runningMessage(remaining, false) as string);
  } else {
    const message = runningMessage(
      current.filter((t) => deleteOnSuccess(t) || deleteOnFailure(t)),
      true,
    );
    if (message) state.setPhase('Running', message);
  }
  return state.done(ran);
}

/**
 * Terminate: each live hook's finalizer comes off; a hook still running is deleted ("Deleted"), another keeps the
 * phase its health gives; the operation fails, "Operation terminated" (or errs when a hook could not be handled).
 */
export function terminatePass(input: SyncPassInput, host: SyncHost): SyncPass {
  const state = new PassState(input, host);
  let clean = true;
  for (const t of syncTasks(input)) {
    if (!isHookTask(t) || !t.live) continue;
    if (!removeFinalizer(state, host, t, 'Failed to remove hook finalizer')) {
      clean = false;
      continue;
    }
    const { phase, message } = hookPhase(host, t.live);
    if (phase !== 'Running') {
      state.set(t, '', phase, message);
      continue;
    }
    const outcome = host.delete(t.live);
    if (typeof outcome === 'object') {
      state.set(t, '', 'Failed', `Failed to delete: ${outcome.error}`);
      clean = false;
    } else state.set(t, '', 'Succeeded', 'Deleted');
  }
  if (clean) state.setPhase('Failed', 'Operation terminated');
  else state.setPhase('Error', 'Operation termination had errors');
  return state.done();
}
