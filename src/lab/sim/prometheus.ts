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
import { promDurationMs } from './live/windows.js';
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

export const scrapeIntervalMs = 10_000;
/** The window of a query without a range selector (the AnalysisTemplate's `[2m]`). */
const defaultRateWindowMs = 120_000;

/** The requests one eval replay sends: one per case of the bundled suite (evals/cases; a test keeps it in step). */
export const evalReplayRequests = 145;
/** The replay's requests spread over the eval-replay Job's assumed minute (rollouts.ts `evalJobMs`). */
export const evalReplayRequestsPerSecond = evalReplayRequests / 60;

/** The range of the query's first range selector (`rate(x[5m])` → 5 minutes), else the AnalysisTemplate's 2 m. */
function rateWindowOf(promql: string): number {
  const range = /\[([0-9a-z]+)(?::[0-9a-z]*)?\]/.exec(promql)?.[1];
  return (range && promDurationMs(range)) || defaultRateWindowMs;
}

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

export class SimPrometheus implements PrometheusQuery {
  readonly traffic: TrafficWindow[] = [];

  constructor(
    private readonly cluster: SimCluster,
    private readonly clock: Clock,
    private readonly behaviour: (faults: string) => DocqaBehaviour = docqaBehaviour,
  ) {}

  private pods(hash?: string): KubeObject[] {
    return this.cluster
      .list('v1', 'Pod', 'docqa')
      .filter(
        (p) =>
          p.metadata?.labels?.['app.kubernetes.io/name'] === 'docqa' &&
          (!hash || p.metadata?.labels?.['rollouts-pod-template-hash'] === hash),
      );
  }

  /** The hash whose pods served requests within the rate window (with two scrapes of it) at `now`, if any. */
  private served(now: number, windowMs: number, hash?: string): string | undefined {
    for (const w of this.traffic) {
      if (hash && w.hash !== hash) continue;
      const end = w.to ?? now;
      // Two scrapes in the window and an increase between them.
      if (end > now - windowMs && now - w.from >= scrapeIntervalMs) return w.hash;
    }
    return undefined;
  }

  /** Requests per second over the `windowMs` before `now`: the replays' requests that fell in it, over its seconds. */
  private requestRate(now: number, windowMs: number, hash?: string): number {
    let requests = 0;
    for (const w of this.traffic) {
      if (hash && w.hash !== hash) continue;
      const overlap = Math.min(w.to ?? now, now) - Math.max(w.from, now - windowMs);
      if (overlap > 0) requests += (overlap / 1000) * evalReplayRequestsPerSecond;
    }
    return requests / (windowMs / 1000);
  }

  async query(_url: string, promql: string): Promise<number | undefined> {
    return this.queryAt(promql, this.clock.now());
  }

  /**
   * The query's value at simulated time `at` (a range query's step). The traffic windows are kept, so the rates at a
   * past time are what they were; the pods are today's (the model keeps no history of them).
   */
  async queryAt(promql: string, at: number): Promise<number | undefined> {
    const constant = promqlConstant(promql);
    if (constant) return constant.value;
    if (promql.includes('probe_success')) {
      return this.pods().some((p) => podReady(p) && !p.metadata?.labels?.['sim.gitops-lab/canary']) ? 1 : 0;
    }
    const hash = /rollouts_pod_template_hash="([^"]+)"/.exec(promql)?.[1];
    const pods = this.pods(hash);
    if (pods.length === 0 && !/or vector\(/.test(promql)) return undefined;
    const windowMs = rateWindowOf(promql);
    const served = this.served(at, windowMs, hash);
    const behaviour = served ? this.behaviour(faultsOf(this.cluster, this.pods(served)[0] ?? {})) : undefined;
    if (promql.includes('status="error"')) {
      if (!promql.includes('/')) return behaviour ? behaviour.errors : 0;
      return behaviour ? behaviour.errors : Number.NaN;
    }
    if (promql.includes('status="insufficient_context"')) return behaviour ? behaviour.abstain : Number.NaN;
    if (promql.includes('histogram_quantile')) return behaviour ? behaviour.p95Seconds : Number.NaN;
    if (promql.includes('docqa_answers_grounded_total')) {
      const fallback = /or\s+vector\((\d+(?:\.\d+)?)\)\s*$/.exec(promql.trim())?.[1];
      const value = behaviour ? behaviour.grounded : Number.NaN;
      // `x or vector(c)` is c only where x has no sample: a NaN sample stays NaN, unless a comparison filter
      // (`(x) >= 0`: NaN compares false) dropped it first.
      const filtered = /(>=|<=|>|<|==)\s*-?\d+(?:\.\d+)?\s*\)\s*or\s+vector\(/.test(promql);
      if (fallback !== undefined && (pods.length === 0 || (Number.isNaN(value) && filtered)))
        return Number(fallback);
      return value;
    }
    // Every request's rate, with no status filter and no ratio: the requests per second.
    if (/^\s*sum\(\s*rate\(\s*docqa_requests_total(?:\{[^}]*\})?\[[^\]]+\]\s*\)\s*\)\s*$/.test(promql))
      return this.requestRate(at, windowMs, hash);
    throw new Error(`the simulated Prometheus does not know the query ${promql}`);
  }
}
