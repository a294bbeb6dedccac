/**
 * What the lab's Prometheus has seen of the doc-QA pods over time, recorded from every change of a pod (the caller
 * feeds SimCluster.onChange), so that a query of the past answers from then, not from today's pods:
 * - a pod is a scrape target from its start while it has an IP and is neither Succeeded nor Failed (prometheus/
 *   prometheus v3.7.3 discovery/kubernetes/pod.go buildPod: no target without an IP; prometheus-operator
 *   pkg/prometheus/promcfg.go generateRunningFilter drops those phases); deleted or finished, it is gone from then
 *   (`goneMs`) and its record is kept while its samples are within the retention;
 * - when its process was down, from every container status the kubelet wrote (each run's end to the next start);
 * - how its version answers (its DOCQA_FAULTS), as last seen;
 * - whether a stable doc-QA pod was Ready, at every change (what the blackbox probe through the stable Service saw).
 */
import { podReady } from '../kubelet.js';
import type { KubeObject } from '../store.js';
import type { DownWindow, ScrapedPod } from './lab-series.js';

interface ContainerStatus {
  name: string;
  state?: {
    running?: { startedAt?: string };
    waiting?: unknown;
    terminated?: { startedAt?: string; finishedAt?: string };
  };
  lastState?: { terminated?: { finishedAt?: string } };
}

const ms = (time: string | undefined) => (time ? Date.parse(time) : Number.NaN);

/**
 * When the doc-QA container's process was not running, as one status tells (the kubelet keeps the current state and
 * the last ended run, kubelet_pods.go convertToAPIContainerStatuses): from the last run's end to the current run's
 * start; from its end on while it is stopped or waits to restart; all along for a container that never ran; and
 * when the current run started, if it runs.
 */
export function processDown(pod: KubeObject): { down: DownWindow[]; runningSince?: number } {
  const statuses =
    (pod.status as { containerStatuses?: ContainerStatus[] } | undefined)?.containerStatuses ?? [];
  const container = statuses.find((c) => c.name === 'docqa') ?? statuses[0];
  if (!container?.state) return { down: [] };
  const lastEnd = ms(container.lastState?.terminated?.finishedAt);
  const { running, terminated } = container.state;
  const start = ms(running?.startedAt ?? terminated?.startedAt);
  const down: DownWindow[] =
    Number.isNaN(lastEnd) || Number.isNaN(start) ? [] : [{ fromMs: lastEnd, toMs: start }];
  if (running) return Number.isNaN(start) ? { down } : { down, runningSince: start };
  const end = terminated ? ms(terminated.finishedAt) : lastEnd;
  down.push({ fromMs: Number.isNaN(end) ? Number.NEGATIVE_INFINITY : end });
  return { down };
}

interface PodRecord extends ScrapedPod {
  ready: boolean;
  stable: boolean;
}

export class TargetHistory {
  private readonly records = new Map<string, PodRecord>();
  /** [ms, whether a stable pod was Ready], at every change of it; the first is the value before the record began. */
  private readonly readiness: Array<[number, boolean]> = [];

  /** A pod as written at `atMs`; `behaviour` is how its version answers. */
  observe(pod: KubeObject, atMs: number, behaviour: () => ScrapedPod['behaviour']): void {
    const key = podKey(pod);
    const status = pod.status as { startTime?: string; podIP?: string; phase?: string } | undefined;
    const record = this.records.get(key);
    if (record?.goneMs !== undefined) return;
    const finished = status?.phase === 'Succeeded' || status?.phase === 'Failed';
    const startMs = ms(status?.startTime);
    if (!record) {
      if (finished || Number.isNaN(startMs) || !status?.podIP) return;
      this.records.set(key, {
        key,
        name: pod.metadata?.name ?? '',
        hash: pod.metadata?.labels?.['rollouts-pod-template-hash'] ?? '',
        ip: status.podIP,
        startMs,
        down: [],
        behaviour: behaviour(),
        ready: false,
        stable: false,
      });
    }
    const current = this.records.get(key) as PodRecord;
    // The kubelet writes startTime once and the IP with the sandbox; whoever rewrites them is believed.
    if (!Number.isNaN(startMs)) current.startMs = startMs;
    if (status?.podIP) current.ip = status.podIP;
    current.behaviour = behaviour();
    current.ready = podReady(pod);
    current.stable = !pod.metadata?.labels?.['sim.gitops-lab/canary'];
    mergeDown(current.down, processDown(pod));
    if (finished) current.goneMs = atMs;
    this.noteReadiness(atMs);
  }

  /** A pod deleted at `atMs`: its target is gone. */
  remove(pod: KubeObject, atMs: number): void {
    const record = this.records.get(podKey(pod));
    if (record && record.goneMs === undefined) record.goneMs = atMs;
    this.noteReadiness(atMs);
  }

  /** Every target seen that still has samples after `sinceMs`, gone or not. */
  targets(sinceMs: number): ScrapedPod[] {
    for (const [key, record] of this.records)
      if (record.goneMs !== undefined && record.goneMs < sinceMs) this.records.delete(key);
    return [...this.records.values()];
  }

  /** Whether a stable doc-QA pod was Ready at `atMs` (as first recorded, before the record began). */
  stableReadyAt(atMs: number): boolean {
    let ready = this.readiness[0]?.[1] ?? false;
    for (const [t, value] of this.readiness) {
      if (t > atMs) break;
      ready = value;
    }
    return ready;
  }

  /** Forgets readiness changes before `sinceMs` but the one in force then. */
  forgetBefore(sinceMs: number): void {
    let keep = 0;
    while (keep + 1 < this.readiness.length && (this.readiness[keep + 1]?.[0] ?? 0) <= sinceMs) keep++;
    this.readiness.splice(0, keep);
  }

  private noteReadiness(atMs: number): void {
    let ready = false;
    for (const r of this.records.values()) if (r.goneMs === undefined && r.ready && r.stable) ready = true;
    if (this.readiness.at(-1)?.[1] !== ready) this.readiness.push([atMs, ready]);
  }
}

function podKey(pod: KubeObject): string {
  return pod.metadata?.uid ?? `${pod.metadata?.namespace}/${pod.metadata?.name}`;
}

/**
 * Adds one status's down windows to those recorded: a window is known by its start (a run's end); a later status
 * closes an open one (the process started again) and never reopens a closed one.
 */
function mergeDown(recorded: DownWindow[], seen: { down: DownWindow[]; runningSince?: number }): void {
  for (const window of seen.down) {
    const known = recorded.find((w) => w.fromMs === window.fromMs);
    if (!known) recorded.push({ ...window });
    else if (known.toMs === undefined && window.toMs !== undefined) known.toMs = window.toMs;
  }
  if (seen.runningSince !== undefined)
    for (const w of recorded)
      if (w.toMs === undefined && w.fromMs < seen.runningSince) w.toMs = seen.runningSince;
}
