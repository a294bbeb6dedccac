/**
 * The kubelet's crash-loop back-off, one entry per container, as a Kubernetes v1.33 kubelet keeps it: a
 * client-go util/flowcontrol Backoff (staging/src/k8s.io/client-go/util/flowcontrol/backoff.go) made in
 * pkg/kubelet/kubelet.go NewMainKubelet with the initial period 10 s and the maximum 300 s (`initialCrashLoopBackOff`,
 * the kubelet config's `MaxContainerBackOff`; the alpha gates ReduceDefaultCrashLoopBackOffDecay and
 * KubeletCrashLoopBackOffMax are off), no jitter (NewBackOff), and a HasExpiredFunc that forgets an entry once more
 * than 600 s lie between its last update and the event asked about.
 *
 * kuberuntime_manager.go doBackOff asks `IsInBackOffSince(key, finishedAt)` of the container's newest exited run and
 * refuses the start while that holds; else it calls `Next(key, finishedAt)` and the container starts. A container's
 * first exit therefore finds no entry: it is started again at once, and `Next` records 10 s for the next exit.
 * backoff.go was read in kubernetes/kubernetes' staging copy of the v1.3x line (the one with HasExpiredFunc and Go's
 * built-in min); kubelet.go's HasExpiredFunc in a copy of the v1.33 line (newCrashLoopBackOff) and of v1.32.
 */

/** A container's entry (backoff.go backoffEntry): the window now in force and when `Next` last set it. */
export interface BackOffEntry {
  backOffMs: number;
  lastUpdateMs: number;
}

export const crashLoopBackOffMs = 10_000;
export const maxCrashLoopBackOffMs = 300_000;
/** kubelet.go's HasExpiredFunc: an entry older than this (from its last update) is forgotten. */
export const crashLoopBackOffExpiryMs = 600_000;

/** Whether `entry` is forgotten at `eventMs` (the kubelet's HasExpiredFunc: strictly more than 600 s). */
export function expired(entry: BackOffEntry, eventMs: number): boolean {
  return eventMs - entry.lastUpdateMs > crashLoopBackOffExpiryMs;
}

/** The back-off entries of one pod's containers, on the cluster's clock. */
export class CrashLoopBackOff {
  private readonly entries = new Map<string, BackOffEntry>();

  constructor(private readonly now: () => number) {}

  /** The window in force (backoff.go Get; 0 without an entry): what the CrashLoopBackOff message prints. */
  get(key: string): number {
    return this.entries.get(key)?.backOffMs ?? 0;
  }

  /** IsInBackOffSince: an unexpired entry whose window has not passed since the run finished (strictly less). */
  isInBackOffSince(key: string, finishedAtMs: number): boolean {
    const entry = this.entries.get(key);
    if (!entry || expired(entry, finishedAtMs)) return false;
    return this.now() - finishedAtMs < entry.backOffMs;
  }

  /** Next: a new or expired entry starts at 10 s, else the window doubles up to 300 s; either way updated now. */
  next(key: string, eventMs: number): void {
    const entry = this.entries.get(key);
    const backOffMs =
      !entry || expired(entry, eventMs)
        ? crashLoopBackOffMs
        : Math.min(entry.backOffMs * 2, maxCrashLoopBackOffMs);
    this.entries.set(key, { backOffMs, lastUpdateMs: this.now() });
  }

  /**
   * GC: entries not updated for more than 600 s are dropped (kubelet_pods.go HandlePodCleanups calls it at each
   * housekeeping, every 2 s; the sim runs it before each sync's look at the back-off, as if housekeeping had just run).
   */
  gc(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) if (expired(entry, now)) this.entries.delete(key);
  }
}
