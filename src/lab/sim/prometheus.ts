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
 *   (the left side has a sample). A selector for a pod-template hash that never had a pod gives an empty vector.
 * - `probe_success{job="blackbox-docqa"}` is 1 while a stable doc-QA pod was Ready (the blackbox probe every 15 s).
 * - It answers from what the scrapes saw at the time (promql/target-history.ts, fed every change of a doc-QA pod):
 *   deleted pods keep their samples and go stale as Prometheus marks them (promql/lab-series.ts).
 * - A rate's window is the query's range (`[5m]` for `status`, `[2m]` for the AnalysisTemplate): a ratio of rates has a
 *   value while some traffic falls in it; `sum(rate(docqa_requests_total[w]))` is the requests the replay sent within
 *   the window divided by its seconds (functions.go extrapolatedRate, without the extrapolation at the edges).
 * How a doc-QA version answers (grounded share, abstentions, latency) is `behaviour`, by its DOCQA_FAULTS.
 */
import type { Clock } from '../clock.js';
import type { PrometheusQuery } from '../drills/access.js';
import type { SimCluster } from './api.js';
import { startedEnv } from './env.js';
import type { Expr } from './promql/ast.js';
import { evaluate } from './promql/evaluate.js';
import { type LabSeriesInput, labSeries, retentionMs } from './promql/lab-series.js';
import { parsePromql } from './promql/parse.js';
import { TargetHistory } from './promql/target-history.js';
import { TrafficLedger, type TrafficWindow } from './promql/traffic.js';
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

export type { TrafficWindow } from './promql/traffic.js';

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

const parsedLimit = 256;

/** A pod of the doc-QA Deployment (the PodMonitor's namespace and selector). */
function isDocqaPod(pod: KubeObject): boolean {
  return pod.metadata?.namespace === 'docqa' && pod.metadata?.labels?.['app.kubernetes.io/name'] === 'docqa';
}

export class SimPrometheus implements PrometheusQuery {
  readonly traffic: TrafficWindow[] = [];
  private readonly parsed = new Map<string, Expr>();
  private readonly history = new TargetHistory();
  private readonly ledger = new TrafficLedger(this.traffic, retentionMs);

  constructor(
    private readonly cluster: SimCluster,
    private readonly clock: Clock,
    private readonly behaviour: (faults: string) => DocqaBehaviour = docqaBehaviour,
  ) {
    // Every write of a doc-QA pod, as it happens: what the scrapes saw then (target-history.ts).
    for (const pod of cluster.list('v1', 'Pod', 'docqa')) this.observe(pod);
    cluster.onChange((event) => {
      if (event.resource.kind !== 'Pod' || !isDocqaPod(event.object)) return;
      if (event.type === 'DELETED') this.history.remove(event.object, this.clock.now());
      else this.observe(event.object);
    });
  }

  private observe(pod: KubeObject): void {
    if (!isDocqaPod(pod)) return;
    this.history.observe(pod, this.clock.now(), () => this.behaviour(faultsOf(this.cluster, pod)));
  }

  /** The series of one evaluation at the clock's now: the targets seen, their requests, the probe's history. */
  private series(): LabSeriesInput {
    const now = this.clock.now();
    // A gone pod is forgotten once neither its samples nor its share of a kept traffic window can be reached.
    const since = Math.min(now - retentionMs, ...this.traffic.map((w) => w.from));
    const pods = this.history.targets(since);
    this.ledger.trim(pods, now);
    this.history.forgetBefore(now - retentionMs);
    const peers = (hash: string) => pods.filter((p) => p.hash === hash);
    return {
      now: () => now,
      pods: () => pods,
      requestsTo: (pod, atMs) =>
        this.ledger.secondsTo(pod, peers(pod.hash), atMs, now) * evalReplayRequestsPerSecond,
      stableReadyAt: (atMs) => this.history.stableReadyAt(atMs),
    };
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
    return evaluate(expr, labSeries(this.series()), at);
  }

  /**
   * The query's value at simulated time `at` (a range query's step): a scalar's value, a vector's first sample's,
   * undefined for an empty vector. It answers from what the scrapes saw then: the pods of that time (deleted ones too,
   * within the retention), their processes' ups and downs, the probe's readiness and the traffic of the last hour.
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
