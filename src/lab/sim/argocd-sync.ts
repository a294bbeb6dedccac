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
 * Not modelled: hooks (PreSync, Sync, PostSync, SyncFail, PostDelete: neither created nor waited for), the first
 * pass's dry run, CreateNamespace's namespace task, the project's permission checks, Replace, Force and server-side
 * apply.
 */

import type { HealthStatus } from './argo-health.js';
import { isHook, skipsSync } from './argocd-hooks.js';
import { hasAnnotationOption, type ResourceResult } from './argocd-prune.js';
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

/** Go's string comparison (bytes, for the ASCII names here). */
export const compareStrings = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** A sync task (sync_task.go syncTask), phase Sync. */
export interface SyncTask {
  /** The desired object; none for a prune task. */
  target?: KubeObject;
  live?: KubeObject;
  waveOverride?: number;
  syncStatus?: ResultCode;
  /** Empty while pending. */
  operationState?: OperationPhase;
  message?: string;
}

const objOf = (t: SyncTask) => (t.target ?? t.live) as KubeObject;
const isPrune = (t: SyncTask) => t.target === undefined;
export const waveOf = (t: SyncTask): number => t.waveOverride ?? syncWave(objOf(t));
const groupOf = (t: SyncTask) => groupVersionOf(objOf(t).apiVersion).group;

/** kube.ResourceKey.String of the task's object, then its phase (resourceResultKey). */
const resultKey = (r: { group?: string; kind?: string; namespace?: string; name?: string }) =>
  `${r.group ?? ''}/${r.kind ?? ''}/${r.namespace ?? ''}/${r.name ?? ''}:Sync`;
const taskKey = (t: SyncTask) => {
  const o = objOf(t);
  return resultKey({
    group: groupOf(t),
    kind: o.kind,
    namespace: o.metadata?.namespace,
    name: o.metadata?.name,
  });
};

/** sync_tasks.go Less: phase (all Sync here), wave, kind order, name. */
export function compareTasks(a: SyncTask, b: SyncTask): number {
  return (
    waveOf(a) - waveOf(b) ||
    kindRank(objOf(a).kind) - kindRank(objOf(b).kind) ||
    compareStrings(objOf(a).metadata?.name ?? '', objOf(b).metadata?.name ?? '')
  );
}

/**
 * sync_tasks.go adjustDeps: a task that is a dependency (isDep gives its key) and comes after the first task that
 * refers to that key (refersTo) moves to that task's place and takes its wave.
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
      t.waveOverride = waveOf(tasks[index] as SyncTask);
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
  /** health.GetResourceHealth with Argo CD's overrides; none for a kind without a check. */
  health(live: KubeObject): HealthStatus | undefined;
  /** The result entry of a task (its identity, images and result: argocd-prune.ts). */
  result(o: KubeObject, status: ResultCode, message: string, phase: OperationPhase): ResourceResult;
}

export interface SyncPassInput {
  /** The resources the sync covers (the reconciliation result after WithResourcesFilter). */
  resources: Array<{ target?: KubeObject; live?: KubeObject }>;
  /** syncResult.resources of the earlier passes. */
  results: ResourceResult[];
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

/** getSyncTasks, without the permission checks: the tasks of a pass in order, each with its earlier result. */
export function syncTasks(input: Pick<SyncPassInput, 'resources' | 'results' | 'pruneLast'>): SyncTask[] {
  const tasks: SyncTask[] = [];
  for (const { target, live } of input.resources) {
    const o = target ?? live;
    if (!o) continue;
    if (isHook(o) || skipsSync(o)) continue;
    tasks.push({ ...(target ? { target } : {}), ...(live ? { live } : {}) });
  }
  // Prune tasks' waves reversed: the i-th lowest prune wave swaps with the i-th highest.
  const pruneWaves = [...new Set(tasks.filter(isPrune).map(waveOf))].sort((a, b) => a - b);
  const swapped = new Map(pruneWaves.map((w, i) => [w, pruneWaves[pruneWaves.length - 1 - i] as number]));
  for (const t of tasks.filter(isPrune)) t.waveOverride = swapped.get(waveOf(t));
  // PruneLast: one wave after the Sync phase's last (prune tasks counted), and never before wave 1.
  const lastWave = Math.max(0, ...tasks.map(waveOf)) + 1;
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
    t.syncStatus = r.status as ResultCode;
    t.operationState = r.hookPhase as OperationPhase;
    t.message = r.message;
  }
  return tasks;
}

/** setRunningPhase: what the operation waits for, named by its first task. */
function runningMessage(tasks: SyncTask[], pendingDeletion: boolean): string | undefined {
  const first = tasks[0];
  if (!first) return undefined;
  const o = objOf(first);
  const waitingFor = pendingDeletion ? 'deletion of' : 'healthy state of';
  const more = tasks.length - 1;
  return `waiting for ${waitingFor} ${groupOf(first)}/${o.kind}/${o.metadata?.name}${more > 0 ? ` and ${more} more resources` : ''}`;
}

/** setOperationFailed's message: the failed tasks' distinct messages after ", reason: ". */
function failedMessage(failed: SyncTask[], message: string): string {
  const reasons = [...new Set(failed.map((t) => t.message ?? ''))];
  return reasons.length > 0 ? `${message}, reason: ${reasons.join(',')}` : message;
}

/** One call of syncContext.Sync over `input`, doing its applies and prunes through `host`. */
export function syncPass(input: SyncPassInput, host: SyncHost): SyncPass {
  const results = new Map(input.results.map((r) => [resultKey(r), structuredClone(r)]));
  const setResult = (t: SyncTask, status: ResultCode, phase: OperationPhase, message: string) => {
    t.syncStatus = status;
    t.operationState = phase;
    if (message) t.message = message;
    const key = taskKey(t);
    const existing = results.get(key);
    if (existing) {
      existing.status = status;
      existing.hookPhase = phase;
      existing.message = t.message ?? '';
    } else results.set(key, host.result(objOf(t), status, t.message ?? '', phase));
  };
  const done = (phase: OperationPhase, message: string, ran?: SyncPass['ran']): SyncPass => ({
    phase,
    message,
    results: [...results.values()],
    ...(ran ? { ran } : {}),
  });

  let tasks = syncTasks(input);

  // The running tasks' health, judged on the live object.
  for (const t of tasks) {
    if (t.operationState !== 'Running' || !t.live) continue;
    const health = host.health(t.live);
    const status = t.syncStatus ?? 'Synced';
    if (!health) setResult(t, status, 'Succeeded', t.message ?? '');
    else if (health.status === 'Healthy') setResult(t, status, 'Succeeded', health.message ?? '');
    else if (health.status === 'Degraded') setResult(t, status, 'Failed', health.message ?? '');
  }

  const multiStep = tasks.length > 0 && waveOf(tasks[0] as SyncTask) !== waveOf(tasks.at(-1) as SyncTask);
  const running = tasks.filter((t) => multiStep && t.operationState === 'Running');
  if (running.length > 0) return done('Running', runningMessage(running, false) as string);

  const deleting = tasks.filter((t) => t.syncStatus === 'Pruned' && t.live?.metadata?.deletionTimestamp);
  if (deleting.length > 0) return done('Running', runningMessage(deleting, true) as string);

  if (tasks.some((t) => completed(t.operationState) && t.operationState !== 'Succeeded'))
    return done(
      'Failed',
      failedMessage(
        tasks.filter((t) => t.syncStatus === 'SyncFailed'),
        'one or more synchronization tasks completed unsuccessfully',
      ),
    );

  tasks = tasks.filter((t) => !t.operationState);
  const outOfSyncOnly = input.applyOutOfSyncOnly;
  if (outOfSyncOnly)
    tasks = tasks.filter((t) => !(t.target && t.live && !outOfSyncOnly.modified(t.target, t.live)));
  if (tasks.length === 0) return done('Succeeded', 'successfully synced (no more tasks)');

  const wave = waveOf(tasks[0] as SyncTask);
  const final = wave === waveOf(tasks.at(-1) as SyncTask);
  const remaining = tasks.filter((t) => waveOf(t) !== wave);
  const current = tasks.filter((t) => waveOf(t) === wave);

  // runTasks: prunes first (held for confirmation), then the applies, a kind at a time.
  const prunes = current.filter(isPrune);
  if (!input.pruneConfirmed) {
    const held = prunes.filter((t) =>
      hasAnnotationOption(t.live, 'argocd.argoproj.io/sync-options', 'Prune=confirm'),
    );
    if (held.length > 0) {
      const o = objOf(held[0] as SyncTask);
      const more = held.length > 1 ? ` and ${held.length - 1} more resources` : '';
      return done(
        'Running',
        `Waiting for pruning confirmation of ${o.apiVersion}/${o.kind}/${o.metadata?.name}${more}`,
      );
    }
  }
  let failed = false;
  for (const t of prunes) {
    const { status, message } = host.prune(t.live as KubeObject);
    if (status === 'SyncFailed') failed = true;
    setResult(t, status, operationPhases[status], message);
  }
  if (!failed)
    for (const t of current.filter((c) => !isPrune(c))) {
      const { status, message } = host.apply(t.target as KubeObject);
      if (status === 'SyncFailed') failed = true;
      setResult(t, status, operationPhases[status], message);
    }
  const ran = { wave, final };
  if (failed)
    return done(
      'Failed',
      failedMessage(
        current.filter((t) => t.syncStatus === 'SyncFailed'),
        'one or more objects failed to apply',
      ),
      ran,
    );
  if (remaining.length === 0) return done('Succeeded', 'successfully synced (all tasks run)', ran);
  return done('Running', runningMessage(remaining, false) as string, ran);
}
