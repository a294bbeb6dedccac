/**
 * The series the lab's Prometheus would hold, computed on demand from the simulated cluster at the scrape times
 * (no timers: a query asks for (from, to] and gets the samples the scrapes up to the virtual clock's now took).
 * - The PodMonitor (manifests/workloads/observability/podmonitor-docqa.yaml) scrapes every doc-QA pod every 10 s
 *   from its start; its relabelings add rollouts_pod_template_hash, pod and namespace, and prometheus-operator adds
 *   job (`<namespace>/<PodMonitor name>`), instance (the pod's address:port), container and endpoint (the port name).
 * - The doc-QA counters and histograms (src/service/metrics.ts: docqa_requests_total{mode,status},
 *   docqa_answers_grounded_total{grounded}, docqa_request_duration_seconds{mode,status} with its buckets, _sum and
 *   _count) count the requests the traffic windows sent to the pod's hash, shared by its pods, answered as the pod's
 *   version behaves (`DocqaBehaviour`): abstentions and errors as shares of the requests, the grounded share of the
 *   answered ones, and the latencies as `latencyShape` of its p95.
 * - Every scrape of a target also writes `up` with the target's labels (prometheus/prometheus v3.7.3
 *   scrape/scrape.go scrapeLoop.report: 1 when the scrape succeeded, else 0). A doc-QA pod's process serves /metrics
 *   while it runs, Ready or not (src/service/app.ts), so `up` is 0 only while its container is stopped (`down`); such
 *   a failed scrape appends none of the pod's own samples (scrapeAndReport: a failed scrape is an empty one).
 *   The other report series (scrape_duration_seconds, scrape_samples_scraped, ...) are not modelled: their values
 *   depend on the process's default metrics and timings the simulation does not have.
 * - The Probe (probe-docqa.yaml) scrapes every 15 s: probe_success{job="blackbox-docqa"} is 1 while a stable doc-QA
 *   pod is Ready; the blackbox exporter answers the probe, so its `up` is 1.
 * Bounded history: nothing older than `retentionMs` before now. The pods are today's (a deleted pod's series are gone
 * at once; a real Prometheus keeps them until the lookback or range passes).
 */
import type { Matcher } from './ast.js';
import { type SeriesSource, selects } from './evaluate.js';
import { durationBuckets, latencyShape } from './latency-shape.js';
import { item, type Labels, type Series } from './values.js';

export const podScrapeIntervalMs = 10_000;
export const probeScrapeIntervalMs = 15_000;
/** How far back a query can reach. */
export const retentionMs = 60 * 60_000;

export interface ScrapedPod {
  name: string;
  hash: string;
  ip: string;
  startMs: number;
  /** When its process did not run (after it stopped, before it restarted; `toMs` absent: not since). */
  down: Array<{ fromMs: number; toMs?: number }>;
  behaviour: { grounded: number; abstain: number; errors: number; p95Seconds: number };
}

export interface LabSeriesInput {
  now(): number;
  pods(): ScrapedPod[];
  /** Requests sent to the pods of `hash` from the start up to `atMs`. */
  requestsTo(hash: string, sinceMs: number, atMs: number): number;
  /** Whether the blackbox probe through the stable Service succeeds. */
  stableReady(): boolean;
}

interface Definition {
  labels: Labels;
  value: (atMs: number) => number;
  /** Whether the scrape at `atMs` appended this series' sample (default: always). */
  scraped?: (atMs: number) => boolean;
}

/** Whether the pod's process answered a scrape at `atMs`. */
export function answers(pod: ScrapedPod, atMs: number): boolean {
  return !pod.down.some((d) => d.fromMs <= atMs && (d.toMs === undefined || atMs < d.toMs));
}

function podDefinitions(pod: ScrapedPod, input: LabSeriesInput): Definition[] {
  const target: Labels = {
    namespace: 'docqa',
    pod: pod.name,
    rollouts_pod_template_hash: pod.hash,
    job: 'observability/docqa',
    instance: `${pod.ip}:8080`,
    container: 'docqa',
    endpoint: 'http',
  };
  const b = pod.behaviour;
  // Every series of the pod counts the same requests at a scrape: asked once per scrape time.
  const asked = new Map<number, number>();
  const requests = (at: number) => {
    let n = asked.get(at);
    if (n === undefined) {
      n = input.requestsTo(pod.hash, pod.startMs, at);
      asked.set(at, n);
    }
    return n;
  };
  const statuses: Array<[string, number]> = [
    ['answered', 1 - b.abstain - b.errors],
    ['insufficient_context', b.abstain],
    ['error', b.errors],
  ];
  const answered = 1 - b.abstain - b.errors;
  const out: Definition[] = [
    ...[
      ['true', answered * b.grounded],
      ['false', answered * (1 - b.grounded)],
    ].map(([grounded, share]) => ({
      labels: { __name__: 'docqa_answers_grounded_total', ...target, grounded: String(grounded) },
      value: (at: number) => requests(at) * Number(share),
    })),
  ];
  const latency = latencyShape(b.p95Seconds);
  for (const [status, share] of statuses) {
    const labels = { ...target, mode: 'extractive', status };
    const count = (at: number) => requests(at) * share;
    out.push({ labels: { __name__: 'docqa_requests_total', ...labels }, value: count });
    out.push({ labels: { __name__: 'docqa_request_duration_seconds_count', ...labels }, value: count });
    durationBuckets.forEach((le, j) => {
      out.push({
        labels: { __name__: 'docqa_request_duration_seconds_bucket', ...labels, le: String(le) },
        value: (at) => count(at) * item(latency.cumulative, j),
      });
    });
    out.push({
      labels: { __name__: 'docqa_request_duration_seconds_bucket', ...labels, le: '+Inf' },
      value: count,
    });
    out.push({
      labels: { __name__: 'docqa_request_duration_seconds_sum', ...labels },
      value: (at) => count(at) * latency.meanSeconds,
    });
  }
  const scraped = (at: number) => answers(pod, at);
  for (const def of out) def.scraped = scraped;
  out.push({ labels: { __name__: 'up', ...target }, value: (at) => (scraped(at) ? 1 : 0) });
  return out;
}

/** The scrape times every `interval` after `start`, within (from, to]. */
function scrapeTimes(start: number, interval: number, from: number, to: number): number[] {
  const times: number[] = [];
  const first = start + Math.max(1, Math.floor((from - start) / interval) + 1) * interval;
  for (let t = first; t <= to; t += interval) times.push(t);
  return times;
}

/** A scrape target's series and when it is scraped. */
interface Target {
  definitions: Definition[];
  startMs: number;
  intervalMs: number;
}

function targets(input: LabSeriesInput): Target[] {
  const out: Target[] = input.pods().map((pod) => ({
    definitions: podDefinitions(pod, input),
    startMs: pod.startMs,
    intervalMs: podScrapeIntervalMs,
  }));
  const probeTarget: Labels = {
    job: 'blackbox-docqa',
    instance: 'http://docqa-stable.docqa.svc:8080/readyz',
    service: 'docqa',
  };
  const ready = input.stableReady() ? 1 : 0;
  out.push({
    definitions: [
      { labels: { __name__: 'probe_success', ...probeTarget }, value: () => ready },
      { labels: { __name__: 'up', ...probeTarget }, value: () => 1 },
    ],
    startMs: 0,
    intervalMs: probeScrapeIntervalMs,
  });
  return out;
}

/**
 * The series of one query evaluation: the targets and their series are built at its first selector and shared by
 * the others (an evaluation is synchronous: nothing changes the cluster or the traffic meanwhile). Make one per
 * evaluation.
 */
export function labSeries(input: LabSeriesInput): SeriesSource {
  let built: Target[] | undefined;
  return {
    select(matchers: Matcher[], fromMs: number, toMs: number): Series[] {
      const now = input.now();
      const from = Math.max(fromMs, now - retentionMs);
      const to = Math.min(toMs, now);
      const out: Series[] = [];
      built ??= targets(input);
      for (const target of built) {
        const selected = target.definitions.filter((def) => selects(matchers, def.labels));
        if (selected.length === 0) continue;
        const times = scrapeTimes(target.startMs, target.intervalMs, from, to);
        for (const def of selected) {
          const points = times
            .filter((t) => def.scraped?.(t) ?? true)
            .map((t): [number, number] => [t, def.value(t)]);
          out.push({ labels: def.labels, points });
        }
      }
      return out;
    },
  };
}
