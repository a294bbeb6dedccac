/**
 * The TTL-after-finished controller of Kubernetes v1.33 (pkg/controller/ttlafterfinished/ttlafterfinished_controller.go):
 * a Job with spec.ttlSecondsAfterFinished that has finished (a Complete or Failed condition True: needsCleanup,
 * jobutil.IsJobFinished) and is not being deleted is deleted `ttlSecondsAfterFinished` after the lastTransitionTime of
 * that condition (processTTL, timeLeft, jobFinishTime), checked again on the freshest Job just before, as a DELETE
 * with propagationPolicy Foreground and the Job's uid as precondition (processJob). So the Job stays, marked with the
 * `foregroundDeletion` finalizer, until the garbage collector (garbage-collector.ts) has deleted its pods, and then
 * goes. A Job not yet expired is looked at again when it will be (enqueueAfter); one changed meanwhile (a new TTL)
 * is looked at again at once (addJob, updateJob). The controller records no events. A finished condition without a
 * lastTransitionTime is an error upstream, retried with the queue's rate limit; here that Job is left alone.
 * Source: ttlafterfinished_controller.go read in a copy of the v1.3x development line (typed work queue, untagged).
 */
import type { Clock } from '../clock.js';
import type { SimCluster } from './api.js';
import { jobFinished } from './job.js';
import { deleteUnlessGone } from './object-deletion.js';
import { type KubeObject, type StoredEvent, StoreError } from './store.js';
import { WorkQueue } from './workqueue.js';

export interface TtlAfterFinishedOptions {
  clock: Clock;
  /** The Jobs it looks after (default: all). */
  manages?: (job: KubeObject) => boolean;
}

const ttlOf = (job: KubeObject) =>
  (job.spec as { ttlSecondsAfterFinished?: number } | undefined)?.ttlSecondsAfterFinished;

/** needsCleanup. */
const needsCleanup = (job: KubeObject) => ttlOf(job) != null && jobFinished(job);

/** jobFinishTime: the lastTransitionTime of the first Complete or Failed condition that is True (NaN without one). */
function finishTime(job: KubeObject): number {
  const conditions =
    (job.status as { conditions?: Array<{ type: string; status: string; lastTransitionTime?: string }> })
      ?.conditions ?? [];
  const done = conditions.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
  return Date.parse(done?.lastTransitionTime ?? '');
}

export class TtlAfterFinishedController {
  private readonly queue: WorkQueue;

  constructor(
    private readonly cluster: SimCluster,
    private readonly options: TtlAfterFinishedOptions,
  ) {
    this.queue = new WorkQueue(cluster, options.clock, (ns, name) => this.process(ns, name));
  }

  /** Starts watching; returns a function that stops it. */
  start(): () => void {
    const stop = this.cluster.onChange((event) => this.observe(event));
    for (const job of this.cluster.list('batch/v1', 'Job')) this.enqueue(job);
    return () => {
      stop();
      this.queue.stop();
    };
  }

  private observe(event: StoredEvent): void {
    if (event.resource.kind !== 'Job' || event.resource.group !== 'batch' || event.type === 'DELETED') return;
    this.enqueue(event.object);
  }

  /** addJob, updateJob. */
  private enqueue(job: KubeObject): void {
    if (!(this.options.manages?.(job) ?? true)) return;
    if (!job.metadata?.deletionTimestamp && needsCleanup(job)) this.queue.add(job);
  }

  /** processJob with processTTL: the time left, or the DELETE. */
  private process(ns: string, name: string): void {
    const job = this.cluster.get('batch/v1', 'Job', name, ns);
    if (!job || job.metadata?.deletionTimestamp || !needsCleanup(job)) return;
    const finished = finishTime(job);
    if (!Number.isFinite(finished)) return;
    const left = finished + (ttlOf(job) ?? 0) * 1000 - this.options.clock.now();
    if (left > 0) {
      this.queue.addAfter(job, left);
      return;
    }
    const store = this.cluster.store;
    const uid = job.metadata?.uid;
    try {
      deleteUnlessGone(
        store,
        store.resourceFor('batch/v1', 'Job'),
        ns,
        name,
        { propagationPolicy: 'Foreground', ...(uid ? { preconditions: { uid } } : {}) },
        this.options.clock.now(),
        'test',
      );
    } catch (error) {
      // Another Job of that name now (the uid precondition): nothing to delete.
      if (!(error instanceof StoreError)) throw error;
    }
  }
}
