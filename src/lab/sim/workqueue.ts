/**
 * The parts of client-go and kube-controller-manager the simulated controllers share:
 * - a work queue (k8s.io/client-go/util/workqueue): an object added while it waits is not added twice, it is
 *   processed soon after (outside the write that set it off), and AddAfter keeps the earlier time of an object that
 *   already waits. A sync that fails is queued again rate-limited, one that succeeds is forgotten (the controllers'
 *   processNextWorkItem: AddRateLimited, Forget), by the limiter the controllers of kube-controller-manager use
 *   (default_rate_limiters.go DefaultTypedControllerRateLimiter@v1.33): the longer of a per-object back-off, 5 ms
 *   doubling at each failure up to 1000 s (ItemExponentialFailureRateLimiter), and a token bucket the whole queue
 *   shares, 10 a second in bursts of 100 (BucketRateLimiter over golang.org/x/time/rate: a reservation takes a
 *   token, waiting for it when the bucket is empty);
 * - the garbage collector's part (pkg/controller/garbagecollector, background propagation): when an owner goes, the
 *   objects it controls go too.
 */
import type { Clock } from '../clock.js';
import type { SimCluster } from './api.js';
import type { KubeObject } from './store.js';

/** The object's controller reference (metav1.GetControllerOf). */
export const controllerOf = (o: KubeObject) => o.metadata?.ownerReferences?.find((r) => r.controller);

/** The uid of the object's controller. */
export const controllerUid = (o: KubeObject) => controllerOf(o)?.uid;

const keyOf = (o: KubeObject) => `${o.metadata?.namespace}/${o.metadata?.name}`;

const BASE_DELAY_MS = 5;
const MAX_DELAY_MS = 1_000_000;
const BUCKET_PER_SECOND = 10;
const BUCKET_BURST = 100;

/** DefaultTypedControllerRateLimiter: MaxOf(ItemExponentialFailureRateLimiter, BucketRateLimiter). */
export class ControllerRateLimiter {
  private readonly failures = new Map<string, number>();
  private tokens = BUCKET_BURST;
  private filledAt: number | undefined;

  /** When: how long `key` waits before it is processed again (and one more failure counted). */
  when(key: string, now: number): number {
    const failures = this.failures.get(key) ?? 0;
    this.failures.set(key, failures + 1);
    const backoff = Math.min(BASE_DELAY_MS * 2 ** failures, MAX_DELAY_MS);
    const elapsed = this.filledAt === undefined ? 0 : now - this.filledAt;
    this.tokens = Math.min(BUCKET_BURST, this.tokens + (elapsed * BUCKET_PER_SECOND) / 1000) - 1;
    this.filledAt = now;
    const bucket = this.tokens >= 0 ? 0 : (-this.tokens / BUCKET_PER_SECOND) * 1000;
    return Math.max(backoff, bucket);
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }
}

/** What a sync returns: an Error queues the object again rate-limited; anything else forgets its failures. */
export type SyncResult = Error | undefined;

export class WorkQueue {
  private readonly queued = new Set<string>();
  private readonly waiting = new Map<string, { at: number; cancel: () => void }>();
  private readonly limiter = new ControllerRateLimiter();

  constructor(
    private readonly cluster: SimCluster,
    private readonly clock: Clock,
    private readonly process: (namespace: string, name: string) => unknown,
  ) {}

  add(o: KubeObject): void {
    const key = keyOf(o);
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.cluster.defer(() => {
      this.queued.delete(key);
      const result = this.process(o.metadata?.namespace ?? 'default', o.metadata?.name ?? '');
      if (result instanceof Error) this.addRateLimited(o);
      else this.forget(o);
    });
  }

  /** AddRateLimited: again once the rate limiter allows. */
  addRateLimited(o: KubeObject): void {
    this.addAfter(o, this.limiter.when(keyOf(o), this.clock.now()));
  }

  /** Forget: the object's failures are forgotten (its next back-off starts at 5 ms). */
  forget(o: KubeObject): void {
    this.limiter.forget(keyOf(o));
  }

  /** NumRequeues: the failures counted since the object was last forgotten. */
  numRequeues(o: KubeObject): number {
    return this.limiter.numRequeues(keyOf(o));
  }

  addAfter(o: KubeObject, ms: number): void {
    const key = keyOf(o);
    const at = this.clock.now() + ms;
    const waiting = this.waiting.get(key);
    if (waiting && waiting.at <= at) return;
    waiting?.cancel();
    const cancel = this.clock.setTimer(ms, () => {
      this.waiting.delete(key);
      this.add(o);
    });
    this.waiting.set(key, { at, cancel });
  }

  stop(): void {
    for (const { cancel } of this.waiting.values()) cancel();
    this.waiting.clear();
  }
}

/** Clusters whose dependents the garbage collector (garbage-collector.ts) deletes, as a real cluster's does. */
const collectedByGarbageCollector = new WeakSet<SimCluster>();

/** The garbage collector runs on `cluster`: collectDependents leaves the dependents to it. Returns the undo. */
export function handOverToGarbageCollector(cluster: SimCluster): () => void {
  collectedByGarbageCollector.add(cluster);
  return () => collectedByGarbageCollector.delete(cluster);
}

/**
 * Removes, soon after, the objects of `kind` that `owner` controlled: the stand-in for the garbage collector where
 * none runs (a cluster with a GarbageCollector deletes them through it, gracefully for pods).
 */
export function collectDependents(
  cluster: SimCluster,
  owner: KubeObject,
  apiVersion: string,
  kind: string,
): void {
  if (collectedByGarbageCollector.has(cluster)) return;
  const ns = owner.metadata?.namespace;
  cluster.defer(() => {
    for (const o of cluster.list(apiVersion, kind, ns))
      if (controllerUid(o) === owner.metadata?.uid)
        cluster.remove(apiVersion, kind, o.metadata?.name ?? '', ns);
  });
}
