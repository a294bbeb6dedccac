/**
 * The requests the lab's doc-QA pods answered: the traffic windows (an eval replay's requests to the pods of one
 * pod-template hash, at a steady rate) shared at each moment by the pods of that hash that were targets then (started
 * and not gone), so a pod deleted or added later does not change what the others had counted before.
 */
import type { ScrapedPod } from './lab-series.js';

/** Traffic to the pods of one pod-template hash, from a Job replaying the eval suite. */
export interface TrafficWindow {
  hash: string;
  from: number;
  to?: number;
}

/** A pod of the hash counts from its start until it is gone. */
const alive = (pod: ScrapedPod, t: number) =>
  pod.startMs <= t && (pod.goneMs === undefined || t < pod.goneMs);

/**
 * `pod`'s share, in seconds of the window's traffic, of window `w` (open: up to `nowMs`) up to `atMs`: over each
 * stretch between the starts and ends of the hash's pods, its length divided by the pods alive in it.
 */
export function sharedSeconds(
  w: TrafficWindow,
  pod: ScrapedPod,
  peers: ScrapedPod[],
  atMs: number,
  nowMs: number,
): number {
  const from = Math.max(w.from, pod.startMs);
  const to = Math.min(w.to ?? nowMs, atMs, pod.goneMs ?? Number.POSITIVE_INFINITY);
  if (to <= from) return 0;
  const cuts = new Set([from, to]);
  for (const peer of peers) {
    for (const t of [peer.startMs, peer.goneMs]) if (t !== undefined && t > from && t < to) cuts.add(t);
  }
  const times = [...cuts].sort((a, b) => a - b);
  let seconds = 0;
  for (let i = 1; i < times.length; i++) {
    const [start, end] = [times[i - 1] as number, times[i] as number];
    const sharing = peers.filter((p) => alive(p, start)).length || 1;
    seconds += (end - start) / 1000 / sharing;
  }
  return seconds;
}

/**
 * The traffic windows and what the ones dropped after the retention had given each pod: a window that ended before
 * `retentionMs` ago adds the same to every sample a query can still reach, so it is folded into the pods it reached.
 */
export class TrafficLedger {
  /** Per pod key, the seconds of traffic it had from windows no longer in `windows`. */
  private readonly folded = new Map<string, number>();

  constructor(
    readonly windows: TrafficWindow[],
    private readonly retentionMs: number,
  ) {}

  /** `pod`'s share, in seconds of traffic, of every window up to `atMs`. */
  secondsTo(pod: ScrapedPod, peers: ScrapedPod[], atMs: number, nowMs: number): number {
    let seconds = this.folded.get(pod.key) ?? 0;
    for (const w of this.windows)
      if (w.hash === pod.hash) seconds += sharedSeconds(w, pod, peers, atMs, nowMs);
    return seconds;
  }

  /**
   * Folds the windows that ended before the retention into the pods they reached, among `pods` (every target whose
   * samples reach into the retention); forgets the folded seconds of pods no longer among them.
   */
  trim(pods: ScrapedPod[], nowMs: number): void {
    const keys = new Set(pods.map((p) => p.key));
    for (const key of this.folded.keys()) if (!keys.has(key)) this.folded.delete(key);
    const cutoff = nowMs - this.retentionMs;
    const old = this.windows.filter((w) => w.to !== undefined && w.to < cutoff);
    if (old.length === 0) return;
    for (const w of old) {
      const peers = pods.filter((p) => p.hash === w.hash);
      for (const pod of peers) {
        const seconds = sharedSeconds(w, pod, peers, nowMs, nowMs);
        if (seconds > 0) this.folded.set(pod.key, (this.folded.get(pod.key) ?? 0) + seconds);
      }
    }
    const kept = this.windows.filter((w) => !old.includes(w));
    this.windows.splice(0, this.windows.length, ...kept);
  }
}
