/**
 * The Job controller of Kubernetes v1.33 (pkg/controller/job/job_controller.go), with the feature gates as v1.33
 * ships them: JobPodReplacementPolicy and JobManagedBy on (beta), so the terminal condition waits for the pods to
 * terminate and `status.terminating` is written (delayTerminalCondition, trackTerminatingPods); PodIndexLabel on.
 * A sync (syncJob):
 * - takes the pods the Job controls (getPodsForJob; adoption of orphans is not modelled), the active ones (not
 *   Succeeded or Failed, not being deleted: controller.FilterActivePods), the Ready ones among them and the
 *   terminating ones (being deleted and not finished: controller.CountTerminatingPods);
 * - counts the finished pods it has not counted yet: those still holding the finalizer
 *   `batch.kubernetes.io/job-tracking` and not in status.uncountedTerminatedPods (getNewFinishedPods), a pod failed
 *   when Failed, or being deleted and not Succeeded unless podReplacementPolicy is Failed (isPodFailed);
 * - sets status.startTime at its first sync unless suspended;
 * - decides whether the Job is finished: a SuccessCriteriaMet or FailureTarget condition already there; more
 *   failures than backoffLimit, or with restartPolicy OnFailure container restarts of running and pending pods
 *   reaching it (pastBackoffLimitOnFailure: above 0 for a limit of 0) → FailureTarget `BackoffLimitExceeded` "Job has
 *   reached the specified backoff limit"; activeDeadlineSeconds passed since startTime (pastActiveDeadline) →
 *   FailureTarget `DeadlineExceeded` "Job was active longer than specified deadline", else a sync when it will have;
 * - a finished Job's active pods are deleted (deleteActivePods, each `SuccessfulDelete` "Deleted pod: <name>");
 * - otherwise, unless the Job is being deleted, manageJob: a suspended Job's active pods are deleted (their finalizer
 *   removed first: deleteJobPods); else the pods wanted (parallelism, bounded by completions - succeeded; without
 *   completions parallelism until one succeeds) are created or the surplus deleted (activePodsForRemoval: for an
 *   Indexed Job pods without a valid index and duplicates of an index first), at most 500 a sync. Creations wait
 *   for the pod failure back-off (job-util.ts), and with podReplacementPolicy Failed for terminating pods to finish.
 *   Each pod is the template (GetPodFromTemplate) with the tracking finalizer, the Job as controller owner,
 *   generateName `<job>-` (Indexed: `<job>-<index>-`, the index in the annotation and label
 *   `batch.kubernetes.io/job-completion-index`, hostname `<job>-<index>` and JOB_COMPLETION_INDEX in each
 *   container's env from that label: addCompletionIndexEnvVariables, firstPendingIndexes), an event
 *   `SuccessfulCreate` "Created pod: <name>" (RealPodControl). The template's labels already carry `job-name`,
 *   `controller-uid` and their `batch.kubernetes.io/` forms (the API server's generateSelector, api-defaults.ts);
 * - complete when succeeded reaches completions (or, without completions, one succeeded) with no pod active: the
 *   SuccessCriteriaMet condition `CompletionsReached` "Reached expected number of succeeded pods"; the Suspended
 *   condition True `JobSuspended` "Job suspended" (event Normal `Suspended` "Job suspended") or, when it was True,
 *   False `JobResumed` "Job resumed" (event `Resumed`, startTime reset);
 * - status (trackJobStatusAndRemoveFinalizers, flushUncountedAndRemoveFinalizers): the finished pods' uids go to
 *   status.uncountedTerminatedPods (every unfinished pod counts as failed once the Job fails) with the interim
 *   condition (FailureTarget or SuccessCriteriaMet) in one status write; then their finalizers are removed (a
 *   patch), the uids move to succeeded / failed, and once none is uncounted and no pod terminates the terminal
 *   condition follows (Failed with the FailureTarget's reason and message, or Complete with completionTime) in a
 *   second write (enactJobFinished), with the event Normal `Completed` "Job completed" (Warning
 *   `TooManySucceededPods` first when more succeeded than completions) or Warning `<reason>` `<message>`
 *   (recordJobFinished). An Indexed Job counts succeeded indexes (status.completedIndexes) instead of pods.
 *   status.active, ready and terminating are written when they change; ready, terminating and
 *   uncountedTerminatedPods (`{}` when empty) always shown once written, the counts left out at 0 (omitempty).
 * Syncs come as upstream queues them: at once for a new Job or a spec change, a second later (syncJobBatchPeriod)
 * for a pod's change or a status write, at the back-off's or the deadline's time. Pods of a deleted or finished Job
 * that still hold the finalizer lose it (cleanupPodFinalizers, syncOrphanPod); the garbage collector
 * (garbage-collector.ts) deletes a deleted Job's pods as its propagation policy says.
 * Simplified or not modelled, and documented in docs/simulate.md: podFailurePolicy (a Job with one only waits for
 * terminating pods before replacing them), successPolicy, backoffLimitPerIndex and maxFailedIndexes, managedBy,
 * the expectations caches (the sim's API writes are synchronous, so a sync always sees its own creations), the
 * 500-uid cap of uncountedTerminatedPods, adoption and release of pods by selector. Which active pods go first when
 * parallelism drops follows the ReplicaSet's ranked order (replicaset.ts deletionOrder), which matches
 * controller.ActivePods but for pod-deletion-cost and its log2 age buckets.
 * Source: job_controller.go read in kubernetes/kubernetes copies of the v1.3x development line (untagged); the
 * success reason and message as a v1.33 cluster writes them (`kubectl get job -o yaml`; the e2e suite waits for
 * JobReasonCompletionsReached).
 */
import type { Clock } from '../clock.js';
import type { SimCluster } from './api.js';
import type { PodTemplate } from './deployment-util.js';
import { type EventRecorder, eventRecorder } from './events.js';
import { finalizersOf, withFinalizers } from './finalizers.js';
import {
  type BackoffRecord,
  completionIndex,
  completionIndexKey,
  ensureCondition,
  firstPendingIndexes,
  formatIndexes,
  generateNameWithIndex,
  isJobPod,
  type JobCondition,
  newCondition,
  nextBackoffRecord,
  parseIndexes,
  remainingBackoffMs,
  terminalCondition,
} from './job-util.js';
import { podReady } from './kubelet.js';
import { createPodFromTemplate, slowStartBatch } from './pod-control.js';
import { deletePodAsController } from './pod-deletion.js';
import { controllerRef, deletionOrder, podActive } from './replicaset.js';
import { type KubeObject, kubeTime, type StoredEvent, StoreError } from './store.js';
import { controllerOf, controllerUid, type SyncResult, WorkQueue } from './workqueue.js';

export const jobTrackingFinalizer = 'batch.kubernetes.io/job-tracking';
/** syncJobBatchPeriod: how long a pod's change or a status write waits before the Job is synced. */
export const syncJobBatchPeriodMs = 1000;
/** MaxPodCreateDeletePerSync. */
const MAX_POD_CHANGES_PER_SYNC = 500;

export interface JobSpec {
  parallelism?: number;
  completions?: number | null;
  backoffLimit?: number;
  activeDeadlineSeconds?: number;
  ttlSecondsAfterFinished?: number;
  suspend?: boolean;
  completionMode?: string;
  podReplacementPolicy?: string;
  podFailurePolicy?: unknown;
  template?: PodTemplate;
}

export interface JobStatus {
  conditions?: JobCondition[];
  startTime?: string;
  completionTime?: string;
  active?: number;
  succeeded?: number;
  failed?: number;
  ready?: number;
  terminating?: number;
  completedIndexes?: string;
  uncountedTerminatedPods?: { succeeded?: string[]; failed?: string[] };
}

export interface JobControllerOptions {
  clock: Clock;
  /** The Jobs this controller runs (default: all). */
  manages?: (job: KubeObject) => boolean;
  /** Randomness for generated pod names (default Math.random). */
  random?: () => number;
}

const specOf = (job: KubeObject) => (job.spec ?? {}) as JobSpec;
const statusOf = (job: KubeObject) => (job.status ?? {}) as JobStatus;
const phaseOf = (pod: KubeObject) => (pod.status as { phase?: string } | undefined)?.phase;
const uidOf = (o: KubeObject) => o.metadata?.uid ?? '';
const keyOf = (o: KubeObject) => `${o.metadata?.namespace}/${o.metadata?.name}`;
const hasTrackingFinalizer = (pod: KubeObject) => finalizersOf(pod).includes(jobTrackingFinalizer);
const isIndexed = (job: KubeObject) => specOf(job).completionMode === 'Indexed';
const suspended = (job: KubeObject) => specOf(job).suspend === true;
const conditionTrue = (job: KubeObject, type: string) =>
  statusOf(job).conditions?.find((c) => c.type === type && c.status === 'True');

/** util.IsJobFinished: a Complete or Failed condition that is True. */
export const jobFinished = (job: KubeObject) =>
  Boolean(conditionTrue(job, 'Complete') || conditionTrue(job, 'Failed'));

/** onlyReplaceFailedPods: podReplacementPolicy Failed, or a podFailurePolicy. */
const onlyReplaceFailedPods = (job: KubeObject) =>
  specOf(job).podReplacementPolicy === 'Failed' || specOf(job).podFailurePolicy != null;

/** isPodFailed. */
function podFailed(pod: KubeObject, job: KubeObject): boolean {
  if (phaseOf(pod) === 'Failed') return true;
  if (onlyReplaceFailedPods(job)) return false;
  return Boolean(pod.metadata?.deletionTimestamp) && phaseOf(pod) !== 'Succeeded';
}

/** controller.IsPodTerminating: being deleted and not finished. */
const podTerminating = (pod: KubeObject) =>
  Boolean(pod.metadata?.deletionTimestamp) && !['Succeeded', 'Failed'].includes(phaseOf(pod) ?? '');

/** pastBackoffLimitOnFailure: under OnFailure, the container restarts of running and pending pods. */
function pastBackoffLimitOnFailure(job: KubeObject, pods: KubeObject[]): boolean {
  const template = specOf(job).template?.spec as { restartPolicy?: string } | undefined;
  if (template?.restartPolicy !== 'OnFailure') return false;
  type Statuses = { initContainerStatuses?: Array<{ restartCount?: number }> } & {
    containerStatuses?: Array<{ restartCount?: number }>;
  };
  let restarts = 0;
  for (const pod of pods) {
    if (!['Running', 'Pending'].includes(phaseOf(pod) ?? '')) continue;
    const status = (pod.status ?? {}) as Statuses;
    for (const c of [...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? [])])
      restarts += c.restartCount ?? 0;
  }
  const limit = specOf(job).backoffLimit ?? 6;
  return limit === 0 ? restarts > 0 : restarts >= limit;
}

/** What one sync knows (syncJobCtx). */
interface SyncContext {
  job: KubeObject;
  key: string;
  pods: KubeObject[];
  active: KubeObject[];
  status: JobStatus;
  succeeded: number;
  failed: number;
  ready: number;
  terminating: number;
  finished?: JobCondition;
  prevSucceededIndexes: number[];
  succeededIndexes: number[];
  backoff: BackoffRecord;
  /** manageJob's error: a create the API server refused (the sync is queued again, rate-limited). */
  error?: Error;
}

export class JobController {
  private readonly events: EventRecorder;
  private readonly queue: WorkQueue;
  private readonly backoffs = new Map<string, BackoffRecord>();
  private readonly generations = new Map<string, number>();

  constructor(
    private readonly cluster: SimCluster,
    private readonly options: JobControllerOptions,
  ) {
    this.events = eventRecorder(cluster, options.clock, 'job-controller');
    this.queue = new WorkQueue(cluster, options.clock, (ns, name) => this.sync(ns, name));
  }

  /** Starts watching; returns a function that stops it. */
  start(): () => void {
    const stop = this.cluster.onChange((event) => this.observe(event));
    for (const job of this.cluster.list('batch/v1', 'Job')) if (this.manages(job)) this.queue.add(job);
    return () => {
      stop();
      this.queue.stop();
    };
  }

  private manages(job: KubeObject): boolean {
    return this.options.manages?.(job) ?? true;
  }

  private now(): number {
    return this.options.clock.now();
  }

  private observe(event: StoredEvent): void {
    const { kind, group } = event.resource;
    if (kind === 'Job' && group === 'batch') this.jobChanged(event);
    else if (kind === 'Pod' && group === '' && event.type !== 'DELETED') this.podChanged(event.object);
    else if (kind === 'Pod' && group === '') this.podGone(event.object);
  }

  /** addJob, updateJob, deleteJob. */
  private jobChanged(event: StoredEvent): void {
    const job = event.object;
    const key = keyOf(job);
    if (event.type === 'DELETED') {
      this.generations.delete(key);
      this.backoffs.delete(key);
      this.cluster.defer(() => this.releasePods(job));
      return;
    }
    if (!this.manages(job)) return;
    const generation = job.metadata?.generation ?? 0;
    const seen = this.generations.get(key);
    this.generations.set(key, generation);
    // A new Job or a spec change is synced at once; a status write a batch period later.
    if (event.type === 'ADDED' || seen !== generation) this.queue.add(job);
    else this.queue.addAfter(job, syncJobBatchPeriodMs);
    // updateJob: a finished Job's pods must not keep the finalizer (a backup for what the sync did).
    if (jobFinished(job)) this.cluster.defer(() => this.releasePods(job));
  }

  private jobOf(pod: KubeObject): KubeObject | undefined {
    const uid = controllerUid(pod);
    return this.cluster
      .list('batch/v1', 'Job', pod.metadata?.namespace)
      .find((j) => uid !== undefined && uidOf(j) === uid);
  }

  /** addPod, updatePod: the Job syncs a batch period later; a tracked pod of no live Job loses its finalizer. */
  private podChanged(pod: KubeObject): void {
    if (!hasTrackingFinalizer(pod) && !isJobPod(pod)) return;
    const job = isJobPod(pod) ? this.jobOf(pod) : undefined;
    if (!job || jobFinished(job)) {
      if (hasTrackingFinalizer(pod) && (!controllerOf(pod) || isJobPod(pod)))
        this.cluster.defer(() => this.removeFinalizer(pod));
      return;
    }
    if (this.manages(job)) this.queue.addAfter(job, syncJobBatchPeriodMs);
  }

  /** deletePod: the Job syncs a batch period later. */
  private podGone(pod: KubeObject): void {
    const job = isJobPod(pod) ? this.jobOf(pod) : undefined;
    if (job && this.manages(job) && !jobFinished(job)) this.queue.addAfter(job, syncJobBatchPeriodMs);
  }

  /** cleanupPodFinalizers / syncOrphanPod: the finalizer off the pods `job` controlled. */
  private releasePods(job: KubeObject): void {
    for (const pod of this.cluster.list('v1', 'Pod', job.metadata?.namespace))
      if (controllerUid(pod) === uidOf(job) && hasTrackingFinalizer(pod)) this.removeFinalizer(pod);
  }

  /** removeTrackingFinalizerPatch, as the pod control's PATCH: true once the pod no longer holds it (or is gone). */
  private removeFinalizer(pod: KubeObject): boolean {
    const { name = '', namespace } = pod.metadata ?? {};
    const current = this.cluster.get('v1', 'Pod', name, namespace);
    if (!current || uidOf(current) !== uidOf(pod)) return true;
    if (!hasTrackingFinalizer(current)) return true;
    const kept = finalizersOf(current).filter((f) => f !== jobTrackingFinalizer);
    const next = withFinalizers(current, kept);
    try {
      this.cluster.store.replace(this.cluster.store.resourceFor('v1', 'Pod'), namespace, name, next, {
        source: 'test',
        verb: 'patch',
      });
    } catch (error) {
      if (!(error instanceof StoreError)) throw error;
      return error.code === 404;
    }
    return true;
  }

  /** syncJob: manageJob's error, if any (the work queue then queues the Job again, rate-limited). */
  private sync(ns: string, name: string): SyncResult {
    const job = this.cluster.get('batch/v1', 'Job', name, ns);
    if (!job || !this.manages(job)) return;
    const key = keyOf(job);
    if (jobFinished(job)) {
      this.backoffs.delete(key);
      return;
    }
    const mode = specOf(job).completionMode ?? 'NonIndexed';
    if (mode !== 'NonIndexed' && mode !== 'Indexed') {
      this.events.record(
        job,
        'Warning',
        'UnknownCompletionMode',
        'Skipped Job sync because completion mode is unknown',
      );
      return;
    }
    const ctx = this.context(job);
    this.decideFinished(ctx);
    let suspendChanged = false;
    let active = ctx.active.length;
    if (ctx.finished) {
      // Remove the active pods of a finished Job; their finalizers go with the tracking below.
      const deleted = this.deletePods(job, ctx.active, false);
      active -= deleted.count;
      ctx.terminating += deleted.count;
      ctx.ready -= deleted.ready;
    } else {
      const managed = !job.metadata?.deletionTimestamp;
      if (managed) active = this.manageJob(ctx);
      const completions = specOf(job).completions;
      const complete =
        completions == null
          ? ctx.succeeded > 0 && active === 0
          : ctx.succeeded >= completions && active === 0;
      if (complete)
        ctx.finished = newCondition(
          'SuccessCriteriaMet',
          'True',
          'CompletionsReached',
          'Reached expected number of succeeded pods',
          kubeTime(this.now()),
        );
      else if (managed) suspendChanged = this.updateSuspended(ctx);
    }
    const status = ctx.status;
    const needsUpdate =
      suspendChanged ||
      active !== (status.active ?? 0) ||
      ctx.ready !== status.ready ||
      ctx.terminating !== status.terminating;
    status.active = active;
    status.ready = ctx.ready;
    status.terminating = ctx.terminating;
    this.trackStatus(ctx, needsUpdate);
    return ctx.error;
  }

  /** The first half of syncJob: the pods, what is counted and what is new. */
  private context(job: KubeObject): SyncContext {
    const key = keyOf(job);
    const status = structuredClone(statusOf(job));
    status.uncountedTerminatedPods ??= {};
    const uncounted = status.uncountedTerminatedPods;
    const pods = this.cluster
      .list('v1', 'Pod', job.metadata?.namespace)
      .filter((p) => controllerUid(p) === uidOf(job));
    const active = pods.filter(podActive);
    const { succeeded: newSucceeded, failed: newFailed } = this.newFinishedPods(job, pods, uncounted);
    if (!status.startTime && !suspended(job)) status.startTime = kubeTime(this.now());
    const ctx: SyncContext = {
      job,
      key,
      pods,
      active,
      status,
      succeeded: (status.succeeded ?? 0) + newSucceeded.length + (uncounted.succeeded?.length ?? 0),
      failed: (status.failed ?? 0) + newFailed.length + (uncounted.failed?.length ?? 0),
      ready: active.filter(podReady).length,
      terminating: pods.filter(podTerminating).length,
      prevSucceededIndexes: [],
      succeededIndexes: [],
      backoff: nextBackoffRecord(this.backoffs.get(key), newSucceeded, newFailed),
    };
    if (isIndexed(job)) {
      const completions = specOf(job).completions ?? 0;
      ctx.prevSucceededIndexes = parseIndexes(status.completedIndexes, completions);
      const fresh = pods
        .filter((p) => phaseOf(p) === 'Succeeded' && hasTrackingFinalizer(p))
        .map(completionIndex)
        .filter((ix) => ix >= 0 && ix < completions);
      ctx.succeededIndexes = [...new Set([...ctx.prevSucceededIndexes, ...fresh])].sort((a, b) => a - b);
      ctx.succeeded = ctx.succeededIndexes.length;
    }
    return ctx;
  }

  /** getNewFinishedPods (getValidPodsWithFilter): finished pods still tracked and not yet in the uncounted lists. */
  private newFinishedPods(
    job: KubeObject,
    pods: KubeObject[],
    uncounted: NonNullable<JobStatus['uncountedTerminatedPods']>,
  ): { succeeded: KubeObject[]; failed: KubeObject[] } {
    const completions = specOf(job).completions ?? 0;
    const valid = (p: KubeObject, listed: string[] | undefined) =>
      hasTrackingFinalizer(p) &&
      !(listed ?? []).includes(uidOf(p)) &&
      (!isIndexed(job) || (completionIndex(p) >= 0 && completionIndex(p) < completions));
    return {
      succeeded: pods.filter((p) => valid(p, uncounted.succeeded) && phaseOf(p) === 'Succeeded'),
      failed: pods.filter((p) => valid(p, uncounted.failed) && podFailed(p, job)),
    };
  }

  /** The failure checks of syncJob: an interim condition already there, the back-off limit, the deadline. */
  private decideFinished(ctx: SyncContext): void {
    const { job } = ctx;
    const at = kubeTime(this.now());
    const met = conditionTrue(job, 'SuccessCriteriaMet');
    if (met) {
      ctx.finished = met;
      return;
    }
    const target = conditionTrue(job, 'FailureTarget');
    if (target) {
      ctx.finished = terminalCondition('Failed', target, at);
      return;
    }
    const spec = specOf(job);
    if (ctx.failed > (spec.backoffLimit ?? 6) || pastBackoffLimitOnFailure(job, ctx.pods)) {
      ctx.finished = newCondition(
        'FailureTarget',
        'True',
        'BackoffLimitExceeded',
        'Job has reached the specified backoff limit',
        at,
      );
      return;
    }
    const deadline = spec.activeDeadlineSeconds;
    const startTime = ctx.status.startTime;
    if (deadline == null || !startTime || suspended(job)) return;
    const remaining = deadline * 1000 - (this.now() - Date.parse(startTime));
    if (remaining <= 0)
      ctx.finished = newCondition(
        'FailureTarget',
        'True',
        'DeadlineExceeded',
        'Job was active longer than specified deadline',
        at,
      );
    else this.queue.addAfter(job, remaining);
  }

  /** manageJob: returns the active count after its creations or deletions. */
  private manageJob(ctx: SyncContext): number {
    const { job } = ctx;
    const spec = specOf(job);
    const active = ctx.active.length;
    if (suspended(job)) {
      const removed = this.deletePods(job, this.podsForRemoval(job, ctx.active, active), true);
      ctx.terminating += removed.count;
      ctx.ready -= removed.ready;
      return active - removed.count;
    }
    const parallelism = spec.parallelism ?? 1;
    const wantActive =
      spec.completions == null
        ? ctx.succeeded > 0
          ? active
          : parallelism
        : Math.max(0, Math.min(spec.completions - ctx.succeeded, parallelism));
    const surplus = this.podsForRemoval(job, ctx.active, Math.max(0, active - wantActive)).slice(
      0,
      MAX_POD_CHANGES_PER_SYNC,
    );
    if (surplus.length > 0) {
      const removed = this.deletePods(job, surplus, true);
      ctx.terminating += removed.count;
      ctx.ready -= removed.ready;
      return active - removed.count;
    }
    const waitingFor = onlyReplaceFailedPods(job) ? ctx.terminating : 0;
    let diff = wantActive - waitingFor - active;
    if (diff <= 0) return active;
    const wait = remainingBackoffMs(ctx.backoff, this.now());
    if (wait > 0) {
      // enqueueSyncJobWithDelay (at least the batch period); manageJob reports 0 active meanwhile, as upstream.
      this.queue.addAfter(job, Math.max(wait, syncJobBatchPeriodMs));
      return 0;
    }
    diff = Math.min(diff, MAX_POD_CHANGES_PER_SYNC);
    const indexes = isIndexed(job)
      ? firstPendingIndexes(ctx.active, ctx.succeededIndexes, diff, spec.completions ?? 0)
      : undefined;
    if (indexes) diff = indexes.length;
    // CreatePodsWithGenerateName in slow-start batches: a refused create (e.g. a missing ServiceAccount) ends them,
    // and the pods not created are not active (manageJob: active -= skippedPods).
    let next = 0;
    const { created, error } = slowStartBatch(diff, () => this.createPod(job, indexes?.[next++]));
    ctx.error = error;
    return active + created;
  }

  /** activePodsForRemoval: an Indexed Job's pods without a valid or with a repeated index, then the least valuable. */
  private podsForRemoval(job: KubeObject, pods: KubeObject[], atLeast: number): KubeObject[] {
    const order = deletionOrder(this.now());
    const remove: KubeObject[] = [];
    let left = pods;
    if (isIndexed(job)) {
      const completions = specOf(job).completions ?? 0;
      const byIndex = new Map<number, KubeObject[]>();
      left = [];
      for (const pod of pods) {
        const ix = completionIndex(pod);
        if (ix < 0 || ix >= completions) remove.push(pod);
        else byIndex.set(ix, [...(byIndex.get(ix) ?? []), pod]);
      }
      for (const group of [...byIndex.entries()].sort(([a], [b]) => a - b).map(([, g]) => g)) {
        const sorted = [...group].sort(order);
        remove.push(...sorted.slice(0, -1));
        left.push(sorted[sorted.length - 1] as KubeObject);
      }
    }
    if (remove.length < atLeast) remove.push(...[...left].sort(order).slice(0, atLeast - remove.length));
    return remove;
  }

  /** The pod GetPodFromTemplate makes, with the tracking finalizer and, for an Indexed Job, its index. */
  private createPod(job: KubeObject, index: number | undefined): StoreError | undefined {
    const jobName = job.metadata?.name ?? '';
    const template = structuredClone(specOf(job).template ?? {});
    const spec = (template.spec ?? {}) as {
      initContainers?: Array<{ env?: unknown[] }>;
      containers?: Array<{ env?: unknown[] }>;
      hostname?: string;
    };
    const labels = { ...template.metadata?.labels };
    const annotations = { ...template.metadata?.annotations };
    let base = `${jobName}-`;
    if (index !== undefined) {
      for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) addCompletionIndexEnv(c);
      annotations[completionIndexKey] = String(index);
      labels[completionIndexKey] = String(index);
      spec.hostname = `${jobName}-${index}`;
      base = generateNameWithIndex(jobName, index);
    }
    const templateFinalizers = (template.metadata?.finalizers as string[] | undefined) ?? [];
    const finalizers = templateFinalizers.includes(jobTrackingFinalizer)
      ? templateFinalizers
      : [...templateFinalizers, jobTrackingFinalizer];
    return createPodFromTemplate(
      this.cluster,
      this.events,
      job,
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          generateName: base,
          labels,
          ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
          finalizers,
          ownerReferences: [controllerRef(job)],
        },
        spec,
      },
      this.options.random,
    );
  }

  /**
   * deleteActivePods (`release` false: the finalizer stays, for the tracking to count the pod) and deleteJobPods
   * (`release` true: the finalizer is removed first, so the pod is not counted): DELETEs with empty options
   * (RealPodControl.DeletePod, event `SuccessfulDelete`). Returns how many went and how many of them were Ready.
   */
  private deletePods(
    job: KubeObject,
    pods: KubeObject[],
    release: boolean,
  ): { count: number; ready: number } {
    const ns = job.metadata?.namespace ?? 'default';
    let count = 0;
    let ready = 0;
    for (const pod of pods) {
      const name = pod.metadata?.name ?? '';
      if (release && !this.removeFinalizer(pod)) continue;
      if (deletePodAsController(this.cluster.store, ns, name, this.now()))
        this.events.record(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
      count++;
      if (podReady(pod)) ready++;
    }
    return { count, ready };
  }

  /** The Suspended condition (syncJob, once manageJob ran and the Job is not complete); true when it changed. */
  private updateSuspended(ctx: SyncContext): boolean {
    const at = kubeTime(this.now());
    const status = ctx.status;
    const next = suspended(ctx.job)
      ? { type: 'Suspended', status: 'True', reason: 'JobSuspended', message: 'Job suspended' }
      : { type: 'Suspended', status: 'False', reason: 'JobResumed', message: 'Job resumed' };
    const { conditions, changed } = ensureCondition(status.conditions ?? [], next, at);
    if (!changed) return false;
    status.conditions = conditions;
    if (suspended(ctx.job)) this.events.record(ctx.job, 'Normal', 'Suspended', 'Job suspended');
    else {
      this.events.record(ctx.job, 'Normal', 'Resumed', 'Job resumed');
      // A resumed Job's activeDeadlineSeconds count from now.
      status.startTime = at;
    }
    return true;
  }

  /** trackJobStatusAndRemoveFinalizers with flushUncountedAndRemoveFinalizers and enactJobFinished. */
  private trackStatus(ctx: SyncContext, needsUpdate: boolean): void {
    const { job, status } = ctx;
    const completions = specOf(job).completions ?? 0;
    const indexed = isIndexed(job);
    const uncounted = status.uncountedTerminatedPods ?? {};
    status.uncountedTerminatedPods = uncounted;
    const withFinalizer = new Set(ctx.pods.filter(hasTrackingFinalizer).map(uidOf));
    let flush = countUncounted(status, withFinalizer) || needsUpdate;
    const release: KubeObject[] = [];
    const newIndexes: number[] = [];
    const pods = indexed ? [...ctx.pods].sort((a, b) => completionIndex(a) - completionIndex(b)) : ctx.pods;
    const failing = ctx.finished !== undefined && ctx.finished.type !== 'SuccessCriteriaMet';
    for (const pod of pods) {
      if (!hasTrackingFinalizer(pod)) continue;
      const failed = podFailed(pod, job);
      // canRemoveFinalizer: the Job being deleted or finished, the pod succeeded or failed.
      if (!(job.metadata?.deletionTimestamp || ctx.finished || phaseOf(pod) === 'Succeeded' || failed))
        continue;
      release.push(pod);
      const uid = uidOf(pod);
      const ix = completionIndex(pod);
      if (phaseOf(pod) === 'Succeeded' && !(uncounted.failed ?? []).includes(uid)) {
        if (indexed) {
          if (ix >= 0 && ix < completions && !ctx.prevSucceededIndexes.includes(ix)) {
            newIndexes.push(ix);
            flush = true;
          }
        } else if (!(uncounted.succeeded ?? []).includes(uid)) {
          uncounted.succeeded = [...(uncounted.succeeded ?? []), uid];
          flush = true;
        }
      } else if (failed || failing) {
        // A finished (failed) Job counts every pod that did not succeed as failed.
        if (!(uncounted.failed ?? []).includes(uid) && (!indexed || (ix >= 0 && ix < completions))) {
          uncounted.failed = [...(uncounted.failed ?? []), uid];
          flush = true;
        }
      }
    }
    if (indexed) {
      ctx.succeededIndexes = [...new Set([...ctx.succeededIndexes, ...newIndexes])].sort((a, b) => a - b);
      const text = formatIndexes(ctx.succeededIndexes);
      if (text !== (status.completedIndexes ?? '')) flush = true;
      status.succeeded = ctx.succeededIndexes.length;
      status.completedIndexes = text;
    }
    const at = kubeTime(this.now());
    if (ctx.finished?.type === 'FailureTarget') {
      // The interim condition is written before the finalizers go; the final one follows.
      status.conditions = [...(status.conditions ?? []), ctx.finished];
      flush = true;
      ctx.finished = terminalCondition('Failed', ctx.finished, at);
    }
    if (ctx.finished?.type === 'SuccessCriteriaMet') {
      if (!status.conditions?.some((c) => c.type === 'SuccessCriteriaMet' && c.status === 'True')) {
        status.conditions = [...(status.conditions ?? []), ctx.finished];
        flush = true;
      }
      ctx.finished = terminalCondition('Complete', ctx.finished, at);
    }
    if (flush) {
      this.writeStatus(job, status);
      this.backoffs.set(ctx.key, ctx.backoff);
      flush = false;
    }
    for (const pod of release) if (this.removeFinalizer(pod)) withFinalizer.delete(uidOf(pod));
    if (countUncounted(status, withFinalizer)) flush = true;
    const finished = this.enactFinished(ctx);
    if (finished || flush) this.writeStatus(job, status);
    if (finished && ctx.finished) this.recordFinished(job, status, ctx.finished);
  }

  /** enactJobFinished: the terminal condition once nothing is uncounted and no pod terminates. */
  private enactFinished(ctx: SyncContext): boolean {
    const { status, finished } = ctx;
    if (!finished) return false;
    const uncounted = status.uncountedTerminatedPods ?? {};
    if ((uncounted.succeeded?.length ?? 0) + (uncounted.failed?.length ?? 0) > 0) return false;
    if (ctx.terminating > 0) return false;
    status.conditions = ensureCondition(status.conditions ?? [], finished, kubeTime(this.now())).conditions;
    if (finished.type === 'Complete') status.completionTime = finished.lastTransitionTime;
    return true;
  }

  /** recordJobFinished. */
  private recordFinished(job: KubeObject, status: JobStatus, finished: JobCondition): void {
    if (finished.type === 'Complete') {
      const completions = specOf(job).completions;
      if (completions != null && (status.succeeded ?? 0) > completions)
        this.events.record(
          job,
          'Warning',
          'TooManySucceededPods',
          'Too many succeeded pods running after completion count reached',
        );
      this.events.record(job, 'Normal', 'Completed', 'Job completed');
    } else this.events.record(job, 'Warning', finished.reason ?? '', finished.message ?? '');
  }

  /** updateJobStatus: the whole status, as the API serializes it (zero counts and empty lists left out). */
  private writeStatus(job: KubeObject, status: JobStatus): void {
    const { name = '', namespace } = job.metadata ?? {};
    try {
      this.cluster.update('batch/v1', 'Job', name, namespace, (o) => {
        if (o.metadata?.uid === uidOf(job)) o.status = serializedStatus(status);
      });
    } catch (error) {
      if (!(error instanceof StoreError)) throw error;
    }
  }
}

/** cleanUncountedPodsWithoutFinalizers: uids whose pods no longer hold the finalizer move to the counts. */
function countUncounted(status: JobStatus, withFinalizer: Set<string>): boolean {
  const uncounted = status.uncountedTerminatedPods ?? {};
  let changed = false;
  for (const field of ['succeeded', 'failed'] as const) {
    const listed = uncounted[field] ?? [];
    const kept = listed.filter((uid) => withFinalizer.has(uid));
    if (kept.length === listed.length) continue;
    changed = true;
    status[field] = (status[field] ?? 0) + listed.length - kept.length;
    uncounted[field] = kept;
  }
  return changed;
}

/** The status as JSON carries it: omitempty counts and strings dropped, uncountedTerminatedPods `{}` when empty. */
function serializedStatus(status: JobStatus): JobStatus {
  const out: JobStatus = structuredClone(status);
  for (const field of ['active', 'succeeded', 'failed'] as const) if (!out[field]) delete out[field];
  if (!out.completedIndexes) delete out.completedIndexes;
  if (out.conditions?.length === 0) delete out.conditions;
  const uncounted = out.uncountedTerminatedPods ?? {};
  for (const field of ['succeeded', 'failed'] as const)
    if (!uncounted[field]?.length) delete uncounted[field];
  out.uncountedTerminatedPods = uncounted;
  return out;
}

/** addCompletionIndexEnvVariable: JOB_COMPLETION_INDEX from the pod's index label, unless the container sets it. */
function addCompletionIndexEnv(container: { env?: unknown[] }): void {
  const env = (container.env ?? []) as Array<{ name?: string }>;
  if (env.some((e) => e.name === 'JOB_COMPLETION_INDEX')) return;
  container.env = [
    ...env,
    {
      name: 'JOB_COMPLETION_INDEX',
      valueFrom: { fieldRef: { fieldPath: `metadata.labels['${completionIndexKey}']` } },
    },
  ];
}
