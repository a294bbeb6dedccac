/**
 * The series the lab's Prometheus would hold, computed on demand from the simulated cluster at the scrape times
 * (no timers: a query asks for (from, to] and gets the samples the scrapes up to the virtual clock's now took).
 * - The PodMonitor (manifests/workloads/observability/podmonitor-docqa.yaml) scrapes every doc-QA pod every 10 s
 *   from its start; its relabelings add rollouts_pod_template_hash, pod and namespace, and prometheus-operator adds
 *   job (`<namespace>/<PodMonitor name>`), instance (the pod's address:port), container and endpoint (the port name).
 * - The doc-QA counters and histograms (src/service/metrics.ts: docqa_requests_total{mode,status},
 *   docqa_answers_grounded_total{grounded}, docqa_request_duration_seconds{mode,status} with its buckets, _sum and
 *   _count) count the requests the traffic windows sent to the pod's hash, shared by its pods, since its process
 *   started (a restarted process counts from 0), answered as the pod's version behaves (`DocqaBehaviour`): abstentions and errors as shares of the requests, the grounded share of the
 *   answered ones, and the latencies as `latencyShape` of its p95.
 * - Every scrape of a target also writes `up` with the target's labels (prometheus/prometheus v3.7.3
 *   scrape/scrape.go scrapeLoop.report: 1 when the scrape succeeded, else 0). A doc-QA pod's process serves /metrics
 *   while it runs, Ready or not (src/service/app.ts), so `up` is 0 only while its container is stopped (`down`); such
 *   a failed scrape appends none of the pod's own samples (scrapeAndReport: a failed scrape is an empty one).
 *   The other report series (scrape_duration_seconds, scrape_samples_scraped, ...) are not modelled: their values
 *   depend on the process's default metrics and timings the simulation does not have.
 * - The Probe (probe-docqa.yaml) scrapes every 15 s: probe_success{job="blackbox-docqa"} is 1 while a stable doc-QA
 *   pod was Ready; the blackbox exporter answers the probe, so its `up` is 1.
 * - The pods are those seen over time (target-history.ts), gone ones too: a target that went away keeps its samples
 *   and gets staleness markers as Prometheus writes them (targetSeries).
 * Bounded history: nothing older than `retentionMs` before now.
 */
import type { Matcher } from './ast.js';
import { type SeriesSource, selects } from './evaluate.js';
import { durationBuckets, latencyShape } from './latency-shape.js';
import { item, type Labels, type Point, type Series } from './values.js';

export const podScrapeIntervalMs = 10_000;
export const probeScrapeIntervalMs = 15_000;
/** How far back a query can reach. */
export const retentionMs = 60 * 60_000;

/** When a pod's process did not run (after it stopped, before it restarted; `toMs` absent: not since). */
export interface DownWindow {
  fromMs: number;
  toMs?: number;
}

/** A doc-QA pod as a scrape target. */
export interface ScrapedPod {
  /** Its identity (the pod's uid). */
  key: string;
  name: string;
  hash: string;
  ip: string;
  startMs: number;
  /** When it stopped being a target (deleted, Succeeded or Failed). */
  goneMs?: number;
  down: DownWindow[];
  behaviour: { grounded: number; abstain: number; errors: number; p95Seconds: number };
}

export interface LabSeriesInput {
  now(): number;
  /** The pod targets whose samples reach into the retention, gone or not. */
  pods(): ScrapedPod[];
  /** The requests `pod` had answered by `atMs` (what its counters count). */
  requestsTo(pod: ScrapedPod, atMs: number): number;
  /** Whether the blackbox probe through the stable Service succeeded at `atMs`. */
  stableReadyAt(atMs: number): boolean;
}

interface Definition {
  labels: Labels;
  value: (atMs: number) => number;
  /** A report series (`up`): written at every scrape, failed or not. */
  report?: boolean;
}

/** When the process running at `atMs` started, if it is not the pod's first (the end of the last down window). */
function runStartedAt(pod: ScrapedPod, atMs: number): number | undefined {
  let start: number | undefined;
  for (const d of pod.down)
    if (d.toMs !== undefined && d.toMs <= atMs && (start ?? -1) < d.toMs) start = d.toMs;
  return start;
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
  // Every series of the pod counts the same requests at a scrape: asked once per scrape time. A restarted process
  // counts from 0 again (its counters live in the process): the requests since its run began.
  const asked = new Map<number, number>();
  const answeredBy = (at: number) => {
    let n = asked.get(at);
    if (n === undefined) {
      n = input.requestsTo(pod, at);
      asked.set(at, n);
    }
    return n;
  };
  const requests = (at: number) => {
    const runStart = runStartedAt(pod, at);
    return runStart === undefined ? answeredBy(at) : answeredBy(at) - answeredBy(runStart);
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
  out.push({
    labels: { __name__: 'up', ...target },
    value: (at) => (answers(pod, at) ? 1 : 0),
    report: true,
  });
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
  /** When it stopped being a target. */
  goneMs?: number;
  /** Whether its scrape at `atMs` succeeded (default: always). */
  answers?: (atMs: number) => boolean;
}

/**
 * The samples and staleness markers one target's scrapes wrote within (from, to], as of `now` (prometheus/prometheus
 * v3.7.3 scrape/scrape.go):
 * - a scrape that succeeded writes every series; one that failed writes only `up` (0) and a staleness marker for
 *   each series the scrape before it wrote (scrapeAndReport appends the failed scrape as an empty one; append marks
 *   the series of the previous scrape missing from it stale);
 * - a target that is gone is not scraped from then; its scrape loop's endOfRunStaleness writes a marker for the
 *   series of its last scrape and for `up` (reportStale), timestamped when the next scrape would have been and
 *   written only two intervals and a tenth after that scrape (so a query before then still sees the last samples).
 */
function targetSeries(target: Target, matchers: Matcher[], from: number, to: number, now: number): Series[] {
  const selected = target.definitions.filter((def) => selects(matchers, def.labels));
  if (selected.length === 0) return [];
  const { startMs, intervalMs, goneMs } = target;
  const answers = target.answers ?? (() => true);
  const scraped = (t: number) => t > startMs && (goneMs === undefined || t < goneMs);
  const times = scrapeTimes(startMs, intervalMs, from, to).filter(scraped);
  let staleAt: number | undefined;
  let lastAnswered = false;
  if (goneMs !== undefined) {
    const last = startMs + Math.ceil((goneMs - startMs) / intervalMs - 1) * intervalMs;
    const staleTime = last + intervalMs;
    if (scraped(last) && staleTime > from && staleTime <= to && now >= last + 2.1 * intervalMs) {
      staleAt = staleTime;
      lastAnswered = answers(last);
    }
  }
  return selected.map((def) => {
    const points: Point[] = [];
    for (const t of times) {
      if (def.report || answers(t)) points.push([t, def.value(t)]);
      else if (scraped(t - intervalMs) && answers(t - intervalMs)) points.push([t, Number.NaN, 'stale']);
    }
    if (staleAt !== undefined && (def.report || lastAnswered)) points.push([staleAt, Number.NaN, 'stale']);
    return { labels: def.labels, points };
  });
}

function targets(input: LabSeriesInput): Target[] {
  const out: Target[] = input.pods().map((pod) => ({
    definitions: podDefinitions(pod, input),
    startMs: pod.startMs,
    intervalMs: podScrapeIntervalMs,
    ...(pod.goneMs === undefined ? {} : { goneMs: pod.goneMs }),
    answers: (at: number) => answers(pod, at),
  }));
  const probeTarget: Labels = {
    job: 'blackbox-docqa',
    instance: 'http://docqa-stable.docqa.svc:8080/readyz',
    service: 'docqa',
  };
  out.push({
    definitions: [
      {
        labels: { __name__: 'probe_success', ...probeTarget },
        value: (at) => (input.stableReadyAt(at) ? 1 : 0),
      },
      { labels: { __name__: 'up', ...probeTarget }, value: () => 1, report: true },
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
      built ??= targets(input);
      return built.flatMap((target) => targetSeries(target, matchers, from, to, now));
    },
  };
}
