/**
 * Prometheus over the doc-QA pods as the lab scrapes them, answering the queries the drills and the docqa-quality
 * AnalysisTemplate ask (an instant query's first sample; undefined for an empty vector; NaN where Prometheus says NaN).
 *
 * What it models (Prometheus 2.x / 3.x semantics, prometheus/promql/functions.go):
 * - The doc-QA counters and histograms are zero-initialised (src/service/metrics.ts), so every pod has series from
 *   its start; `rate(x[2m])` needs two scrapes in the window (the PodMonitor scrapes every 10 s,
 *   manifests/workloads/observability/podmonitor-docqa.yaml) and is 0 without requests.
 * - The only traffic to doc-QA in the lab is the canary's eval-replay Job (analysis-template.yaml): without it every
 *   ratio of rates is 0/0 = NaN, `histogram_quantile` of all-zero buckets is NaN, and `x or vector(1)` stays NaN
 *   (the left side has a sample). A selector for a pod-template hash with no pod gives an empty vector.
 * - `probe_success{job="blackbox-docqa"}` is 1 while a stable doc-QA pod is Ready (the blackbox probe every 15 s).
 * - A rate's window is the query's range (`[5m]` for `status`, `[2m]` for the AnalysisTemplate): a ratio of rates has a
 *   value while some traffic falls in it; `sum(rate(docqa_requests_total[w]))` is the requests the replay sent within
 *   the window divided by its seconds (functions.go extrapolatedRate, without the extrapolation at the edges).
 * How a doc-QA version answers (grounded share, abstentions, latency) is `behaviour`, by its DOCQA_FAULTS.
 */
import type { Clock } from '../clock.js';
import type { PrometheusQuery } from '../drills/access.js';
import type { SimCluster } from './api.js';
import { startedEnv } from './env.js';
import { podReady } from './kubelet.js';
import type { Expr } from './promql/ast.js';
import { evaluate } from './promql/evaluate.js';
import { type LabSeriesInput, labSeries, retentionMs, type ScrapedPod } from './promql/lab-series.js';
import { parsePromql } from './promql/parse.js';
import type { Value } from './promql/values.js';
import type { KubeObject } from './store.js';

export interface DocqaBehaviour {
  grounded: number;
  abstain: number;
  errors: number;
  p95Seconds: number;
  /** Whether the eval suite's gates pass against this version. */
  evalPasses: boolean;
}

/**
 * The doc-QA service's answers under each fault (src/service faults): wrong retrieval cites passages that do not
 * hold the answer (grounded near 0, the gates fail); `latency=Nms` adds N ms to every answer.
 */
export function docqaBehaviour(faults: string): DocqaBehaviour {
  const base: DocqaBehaviour = {
    grounded: 0.98,
    abstain: 0.3,
    errors: 0,
    p95Seconds: 0.05,
    evalPasses: true,
  };
  for (const fault of faults.split(',').map((f) => f.trim())) {
    if (fault === 'wrong-retrieval') Object.assign(base, { grounded: 0.05, evalPasses: false });
    const latency = /^latency=(\d+)ms$/.exec(fault);
    if (latency) base.p95Seconds += Number(latency[1]) / 1000;
  }
  return base;
}

export { podScrapeIntervalMs as scrapeIntervalMs } from './promql/lab-series.js';

/** The requests one eval replay sends: one per case of the bundled suite (evals/cases; a test keeps it in step). */
export const evalReplayRequests = 145;
/** The replay's requests spread over the eval-replay Job's assumed minute (rollouts.ts `evalJobMs`). */
export const evalReplayRequestsPerSecond = evalReplayRequests / 60;

/** Traffic to the pods of one pod-template hash, from a Job replaying the eval suite. */
export interface TrafficWindow {
  hash: string;
  from: number;
  to?: number;
}

/**
 * The DOCQA_FAULTS `pod`'s doc-QA process runs with: from the environment the kubelet built at its start, where the
 * lab's ConfigMap (envFrom) sets it and the container's `env` may override it, as in the real lab.
 */
export function faultsOf(cluster: SimCluster, pod: KubeObject): string {
  return startedEnv(cluster, pod).DOCQA_FAULTS ?? '';
}

interface ContainerStatus {
  name: string;
  state?: {
    running?: { startedAt?: string };
    waiting?: unknown;
    terminated?: { finishedAt?: string };
  };
  lastState?: { terminated?: { finishedAt?: string } };
}

/**
 * When the doc-QA container's process was not running, as its status tells (the kubelet keeps the current state and
 * the last ended run, kubelet_pods.go convertToAPIContainerStatuses): from the last run's end to the current run's
 * start; from its end on while it is stopped or waits to restart; all along for a container that never ran. Runs
 * before the last one are not in the status, so they count as up.
 */
export function processDown(pod: KubeObject): ScrapedPod['down'] {
  const statuses =
    (pod.status as { containerStatuses?: ContainerStatus[] } | undefined)?.containerStatuses ?? [];
  const container = statuses.find((c) => c.name === 'docqa') ?? statuses[0];
  if (!container?.state) return [];
  const ms = (time: string | undefined) => (time ? Date.parse(time) : Number.NaN);
  const lastEnd = ms(container.lastState?.terminated?.finishedAt);
  const { running, terminated } = container.state;
  if (running) {
    const start = ms(running.startedAt);
    return Number.isNaN(lastEnd) || Number.isNaN(start) ? [] : [{ fromMs: lastEnd, toMs: start }];
  }
  const end = terminated ? ms(terminated.finishedAt) : lastEnd;
  return [{ fromMs: Number.isNaN(end) ? Number.NEGATIVE_INFINITY : end }];
}

/** The seconds of window `w` (open: up to `nowMs`) within (sinceMs, atMs]. */
function overlapSeconds(w: TrafficWindow, sinceMs: number, atMs: number, nowMs: number): number {
  const overlap = Math.min(w.to ?? nowMs, atMs) - Math.max(w.from, sinceMs);
  return overlap > 0 ? overlap / 1000 : 0;
}

const NUMBER = String.raw`[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?`;

/**
 * A query whose value is a constant: a number literal (a scalar) or `vector(s)` (one sample of value s without
 * labels; promql/functions.go funcVector), at any time. Clients ask them to see that they talk to a Prometheus
 * (`canary check` asks `1`, the canary commands' assertPrometheus `vector(1)`).
 */
export function promqlConstant(promql: string): { kind: 'scalar' | 'vector'; value: number } | undefined {
  const text = promql.trim();
  if (new RegExp(`^${NUMBER}$`, 'i').test(text)) return { kind: 'scalar', value: Number(text) };
  const vector = new RegExp(String.raw`^vector\(\s*(${NUMBER})\s*\)$`, 'i').exec(text);
  return vector ? { kind: 'vector', value: Number(vector[1]) } : undefined;
}

const parsedLimit = 256;

export class SimPrometheus implements PrometheusQuery {
  readonly traffic: TrafficWindow[] = [];
  private readonly parsed = new Map<string, Expr>();
  private readonly seriesInput: LabSeriesInput;
  /**
   * The requests' seconds of traffic windows trimmed from `traffic`, per hash and pod start (`${hash} ${startMs}`):
   * what they still add to the counters of the pods that existed when they were trimmed.
   */
  private readonly trimmedSeconds = new Map<string, number>();

  constructor(
    private readonly cluster: SimCluster,
    private readonly clock: Clock,
    private readonly behaviour: (faults: string) => DocqaBehaviour = docqaBehaviour,
  ) {
    this.seriesInput = {
      now: () => this.clock.now(),
      pods: () => this.scrapedPods(),
      requestsTo: (hash, sinceMs, atMs) => this.requestsTo(hash, sinceMs, atMs),
      stableReady: () =>
        this.pods().some((p) => podReady(p) && !p.metadata?.labels?.['sim.gitops-lab/canary']),
    };
  }

  /**
   * The doc-QA pods (of `hash`). One query evaluation reads them once: its selectors and every sample of their
   * series ask again (`requestsTo` per point), and nothing changes the cluster while it evaluates (it is synchronous).
   */
  private pods(hash?: string): KubeObject[] {
    const key = hash ?? '';
    const cached = this.evaluating?.get(key);
    if (cached) return cached;
    const pods = this.listPods(hash);
    this.evaluating?.set(key, pods);
    return pods;
  }

  private evaluating?: Map<string, KubeObject[]>;

  private listPods(hash?: string): KubeObject[] {
    return this.cluster
      .list('v1', 'Pod', 'docqa')
      .filter(
        (p) =>
          p.metadata?.labels?.['app.kubernetes.io/name'] === 'docqa' &&
          (!hash || p.metadata?.labels?.['rollouts-pod-template-hash'] === hash),
      );
  }

  /**
   * The doc-QA pods the PodMonitor's scrape targets, from their start: a pod with an IP (prometheus/prometheus v3.7.3
   * discovery/kubernetes/pod.go buildPod: no target without one) that is neither Succeeded nor Failed
   * (prometheus-operator pkg/prometheus/promcfg.go generateRunningFilter drops those phases).
   */
  private scrapedPods(): ScrapedPod[] {
    const out: ScrapedPod[] = [];
    for (const pod of this.pods()) {
      const status = pod.status as { startTime?: string; podIP?: string; phase?: string } | undefined;
      const startMs = status?.startTime ? Date.parse(status.startTime) : Number.NaN;
      if (
        Number.isNaN(startMs) ||
        !status?.podIP ||
        status.phase === 'Succeeded' ||
        status.phase === 'Failed'
      )
        continue;
      out.push({
        name: pod.metadata?.name ?? '',
        hash: pod.metadata?.labels?.['rollouts-pod-template-hash'] ?? '',
        ip: status.podIP,
        startMs,
        down: processDown(pod),
        behaviour: this.behaviour(faultsOf(this.cluster, pod)),
      });
    }
    return out;
  }

  /** The requests the traffic windows sent to one pod of `hash` between `sinceMs` and `atMs` (shared by its pods). */
  private requestsTo(hash: string, sinceMs: number, atMs: number): number {
    const pods = this.pods(hash).length || 1;
    let seconds = this.trimmedSeconds.get(`${hash} ${sinceMs}`) ?? 0;
    for (const w of this.traffic) {
      if (w.hash === hash) seconds += overlapSeconds(w, sinceMs, atMs, this.clock.now());
    }
    return (seconds * evalReplayRequestsPerSecond) / pods;
  }

  /**
   * Drops the traffic windows that ended before the retention: no sample a query can reach falls in them. What they
   * sent to today's pods stays in those pods' counters (trimmedSeconds); a pod started later started after them.
   */
  private trimTraffic(): void {
    const now = this.clock.now();
    const starts = new Set(this.scrapedPods().map((p) => `${p.hash} ${p.startMs}`));
    for (const key of this.trimmedSeconds.keys()) if (!starts.has(key)) this.trimmedSeconds.delete(key);
    const kept = this.traffic.filter((w) => w.to === undefined || w.to >= now - retentionMs);
    if (kept.length === this.traffic.length) return;
    for (const w of this.traffic) {
      if (kept.includes(w)) continue;
      for (const key of starts) {
        const [hash, startMs] = key.split(' ');
        if (hash !== w.hash) continue;
        const seconds = overlapSeconds(w, Number(startMs), now, now);
        if (seconds > 0) this.trimmedSeconds.set(key, (this.trimmedSeconds.get(key) ?? 0) + seconds);
      }
    }
    this.traffic.splice(0, this.traffic.length, ...kept);
  }

  async query(_url: string, promql: string): Promise<number | undefined> {
    return this.queryAt(promql, this.clock.now());
  }

  /** The query's PromQL value at simulated time `at`, as the HTTP API would return it. */
  async evaluateAt(promql: string, at: number): Promise<Value> {
    let expr = this.parsed.get(promql);
    if (!expr) {
      expr = await parsePromql(promql);
      if (this.parsed.size >= parsedLimit) this.parsed.clear();
      this.parsed.set(promql, expr);
    }
    this.evaluating = new Map();
    try {
      this.trimTraffic();
      return evaluate(expr, labSeries(this.seriesInput), at);
    } finally {
      this.evaluating = undefined;
    }
  }

  /**
   * The query's value at simulated time `at` (a range query's step): a scalar's value, a vector's first sample's,
   * undefined for an empty vector. The traffic windows are kept, so the rates at a past time are what they were; the
   * pods are today's (the model keeps no history of them).
   */
  async queryAt(promql: string, at: number): Promise<number | undefined> {
    const value = await this.evaluateAt(promql, at);
    switch (value.kind) {
      case 'scalar':
        return value.value;
      case 'vector':
        return value.samples[0]?.value;
      default:
        throw new Error(`the query ${promql} returns a ${value.kind}, not a number or an instant vector`);
    }
  }
}
