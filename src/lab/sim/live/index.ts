/**
 * Live workloads for the simulated lab (`startSimLab({ live })`, and `gitops-lab up --simulate`): the docqa pods'
 * endpoints are REAL doc-QA service processes (processes.ts), a REAL Prometheus (Debian's `prometheus`) scrapes them
 * as the lab's PodMonitor and Probe say, the AnalysisRun's prometheus measurements query it, and the eval-replay Job
 * runs the eval suite against the canary's process (its requests are the traffic Prometheus sees).
 *
 * Time. Prometheus, the doc-QA processes and the eval run on wall time; the lab's clock may run `speed` times
 * faster (`--speed N`). So that a template written for the real lab means the same here:
 * - scrape intervals are the lab's divided by the speed, never under 1 s: the PodMonitor's 10 s is 10 s at speed 1
 *   and 1 s from speed 10 up (the Probe's 15 s likewise);
 * - every query sent to the real Prometheus has its range windows divided by the speed (windows.ts), never under
 *   four scrape intervals: `rate(x[2m])` is `rate(x[6s])` at speed 20 (still two simulated minutes) and
 *   `rate(x[4s])` at speed 60 (then four simulated minutes, more than the template says). Instant queries are
 *   evaluated at Prometheus' wall-clock now, which is the lab's now.
 * - a query sent by another process straight to `prometheusUrl` (e.g. `canary check --prometheus`) is not rewritten:
 *   there `[2m]` means two wall minutes, `2m x speed` of simulated time.
 * The doc-QA processes' start-up and the eval's requests take real time, which at speed N counts N times over on the
 * lab's clock: a Job that takes 3 s of wall time takes 60 simulated seconds at speed 20.
 *
 * The eval-replay Job is what its container runs, `gitops-lab eval --target <canary>` (the bundled cases and gates),
 * run in this process by the same eval runner rather than as a child: a CLI's start-up on a busy machine is seconds of
 * wall time, minutes of the lab's time at --speed 20, in which the canary would get no traffic to measure.
 *
 * Without Prometheus installed the lab falls back to its model of Prometheus (SimPrometheus), served over HTTP by
 * servePrometheusApi, and says so in `prometheusNote`; the doc-QA processes and the eval Job still run for real.
 */
import { mkdir } from 'node:fs/promises';
import { measurePrometheus } from '../../canary/measure.js';
import { PrometheusClient } from '../../canary/prometheus.js';
import type { ResolvedMetric } from '../../canary/template.js';
import type { PrometheusQuery } from '../../drills/access.js';
import { evalRunner, prometheusQuery } from '../../drills/wiring.js';
import type { SimCluster } from '../api.js';
import { idleUsage, type ResourceUsage } from '../hpa.js';
import type { ContainerBehaviour, ProbeTarget } from '../kubelet.js';
import { docqaStopsOnSigterm, isDocqaPod } from '../lab-containers.js';
import type { ProbeAnswer } from '../prober.js';
import type { SimPrometheus } from '../prometheus.js';
import type { LiveAnalysis } from '../rollouts.js';
import type { KubeObject } from '../store.js';
import { BLACKBOX_TARGET, type Blackbox, startBlackbox } from './blackbox.js';
import { childrenDieWithParent } from './child.js';
import { CpuMeter, processCpuSeconds, processRssBytes } from './cpu.js';
import { type PrometheusApi, scaledRangeSource, servePrometheusApi } from './facade.js';
import type { MetricsEndpoint } from './metrics-endpoint.js';
import { type DocqaEndpoint, DocqaFleet } from './processes.js';
import {
  findPrometheus,
  prometheusInstallHint,
  type RealPrometheus,
  type ScrapeJob,
  startRealPrometheus,
  type TargetGroup,
} from './prometheus-server.js';
import {
  type DocqaServiceName,
  type ServiceProxies,
  type SliceView,
  serviceTargets,
  startServiceProxies,
} from './services.js';
import { scaleRangeWindows } from './windows.js';

export { type PrometheusApi, type RangeSource, scaledRangeSource, servePrometheusApi } from './facade.js';
export type { DocqaEndpoint } from './processes.js';
export { findPrometheus, prometheusInstallHint } from './prometheus-server.js';
export { scaleRangeWindows } from './windows.js';

export interface LiveOptions {
  /** Folder for Prometheus' config, scrape targets, data and log, and the doc-QA processes' logs. */
  dir: string;
  /** The Prometheus binary (default: $PROMETHEUS_BIN, /usr/bin/prometheus, PATH); `false`: use the simulated one. */
  prometheusBinary?: string | false;
  /** Where the live lab reports what it starts and stops (default: nowhere). */
  log?: (line: string) => void;
  /** The speed of the lab's clock (`scaledClock(speed)`); scrape intervals and query windows are divided by it. */
  speed?: number;
  /** Called with the ready endpoints whenever they change (e.g. for the daemon to rewrite its state file). */
  onEndpoints?: (endpoints: ReturnType<SimLabLive['endpoints']>) => void;
}

/** What `SimLab.live` tells its users (the daemon writes it into the sim state file). */
export interface SimLabLive {
  /** The real Prometheus, or the facade over the simulated one. */
  prometheusUrl: string;
  prometheusReal: boolean;
  /** One sentence for the user: which Prometheus answers, and what that means for the analysis. */
  prometheusNote: string;
  endpoints(): Array<{ hash: string; url: string; faults: string; role: 'stable' | 'canary' }>;
  /** The docqa Services on 127.0.0.1 (services.ts): curl them, or `gitops-lab eval --target` one. */
  services: Record<DocqaServiceName, string>;
}

export interface LiveWorkloads extends SimLabLive {
  /** For the drills' environment: queries to `prometheusUrl` go to the real Prometheus with scaled windows. */
  query: PrometheusQuery;
  /** For the Rollouts model: real measurements and the real eval-replay Job. */
  analysis: LiveAnalysis;
  /**
   * For the kubelet: a docqa container starts its real process, and its probes ask that process over HTTP
   * (readiness passes only once Prometheus has scraped it too).
   */
  container(pod: KubeObject, base: ContainerBehaviour): ContainerBehaviour;
  /** Scrape interval of the doc-QA targets, wall ms. */
  scrapeIntervalMs: number;
  /** Resolves once Prometheus has the black-box probe's first success (bounded; the lab's warm-up waits for it). */
  settled(): Promise<void>;
  /** Every child process running now (doc-QA services, Prometheus). */
  pids(): number[];
  /**
   * What metrics-server reports for a docqa pod (for the HPA): its process's CPU rate shared among the pods it stands
   * in for, and its resident memory; Linux /proc, else the idle assumption.
   */
  usage: ResourceUsage;
  close(): Promise<void>;
}

/** The PodMonitor's interval (podmonitor-docqa.yaml), the Probe's (probe-docqa.yaml), the ServiceMonitors' (servicemonitors-argo.yaml). */
const POD_MONITOR_MS = 10_000;
const PROBE_MS = 15_000;
const SERVICE_MONITOR_MS = 30_000;

/**
 * A ServiceMonitor's scrape job for a controller's metrics endpoint, labelled as prometheus-operator labels a
 * ServiceMonitor's targets (pkg/prometheus/promcfg.go generateServiceMonitorConfig: job the Service's name,
 * namespace, service, pod, container, endpoint the port's name). With honor_labels false a metric's own
 * `namespace` (an app's, a rollout's) is kept as `exported_namespace` when the target's differs.
 */
export function controllerScrapeJob(
  monitor: string,
  target: { address: string; namespace: string; service: string; pod: string; container: string },
  intervalMs: number,
): ScrapeJob {
  const set = (label: string, value: string) => ({ target_label: label, replacement: value });
  return {
    name: `serviceMonitor/observability/${monitor}/0`,
    intervalMs,
    static: [{ targets: [target.address], labels: {} }],
    relabel: [
      set('job', target.service),
      set('namespace', target.namespace),
      set('service', target.service),
      set('pod', target.pod),
      set('container', target.container),
      set('endpoint', 'metrics'),
    ],
  };
}
const MIN_SCRAPE_MS = 1000;

/** The live lab's scrape interval of the doc-QA targets at `speed`, wall ms: the PodMonitor's / speed, at least 1 s. */
export function liveScrapeIntervalMs(speed: number): number {
  return scaledIntervalMs(POD_MONITOR_MS, speed);
}

/** A scrape interval of the lab at `speed`, wall ms: the lab's / speed, at least 1 s. */
const scaledIntervalMs = (labMs: number, speed: number) =>
  Math.max(MIN_SCRAPE_MS, Math.min(labMs, labMs / speed));

/**
 * A query for the live lab's real Prometheus with its windows in wall time (see the top of this file), for any
 * process that knows the lab's speed (the drill CLI reads it from the sim state).
 */
export function scaleLiveQuery(promql: string, speed: number): string {
  return scaleRangeWindows(promql, speed, 4 * liveScrapeIntervalMs(speed));
}

/**
 * The targets Prometheus gets for the doc-QA processes, labelled as prometheus-operator labels a PodMonitor's
 * targets (pkg/prometheus/promcfg.go generatePodMonitorConfig: namespace, container, pod, job
 * "<namespace>/<name>" of the PodMonitor, endpoint = the port's name) plus the lab's relabelings
 * (podmonitor-docqa.yaml: rollouts_pod_template_hash, pod, namespace).
 */
export function docqaTargets(endpoints: DocqaEndpoint[]): TargetGroup[] {
  return endpoints.map((e) => ({
    targets: [new URL(e.url).host],
    labels: {
      namespace: 'docqa',
      container: 'docqa',
      pod: e.pods[0] ?? `docqa-${e.hash}`,
      endpoint: 'http',
      rollouts_pod_template_hash: e.hash,
    },
  }));
}

export async function startLiveWorkloads(
  cluster: SimCluster,
  simulated: SimPrometheus,
  options: LiveOptions,
): Promise<LiveWorkloads> {
  const log = options.log ?? (() => undefined);
  const speed = options.speed ?? 1;
  if (!(speed > 0)) throw new RangeError(`live: speed must be above 0, got ${speed}`);
  await mkdir(options.dir, { recursive: true });
  const scrapeIntervalMs = liveScrapeIntervalMs(speed);
  const probeIntervalMs = scaledIntervalMs(PROBE_MS, speed);
  const serviceMonitorIntervalMs = scaledIntervalMs(SERVICE_MONITOR_MS, speed);
  if (!childrenDieWithParent)
    log(
      'setpriv (util-linux) not found: the lab stops its processes on close, but they outlive a killed lab',
    );

  let real: RealPrometheus | undefined;
  let facade: PrometheusApi | undefined;
  let blackbox: Blackbox | undefined;
  let controllerMetrics: MetricsEndpoint[] = [];
  let stopSyncCounting = () => {};
  let services: ServiceProxies | undefined;
  let refreshServices = () => {};
  let stopServices = () => {};
  let lastTargets = '';
  let lastEndpoints = '';
  let writing = Promise.resolve();
  const changed = () => {
    const ready = fleet.endpoints().map(({ hash, url, faults, role }) => ({ hash, url, faults, role }));
    const text = JSON.stringify(ready);
    if (options.onEndpoints && text !== lastEndpoints) {
      lastEndpoints = text;
      try {
        options.onEndpoints(ready);
      } catch (error) {
        log(`onEndpoints failed: ${String(error)}`);
      }
    }
    writeTargets();
    refreshServices();
  };
  const writeTargets = () => {
    if (!real) return;
    const groups = docqaTargets(fleet.listening());
    const text = JSON.stringify(groups);
    if (text === lastTargets) return;
    lastTargets = text;
    const prometheus = real;
    writing = writing
      .then(() => prometheus.setTargets('podMonitor/observability/docqa/0', groups))
      .then(
        () =>
          log(`prometheus: ${groups.length} doc-QA target(s) ${groups.map((g) => g.targets[0]).join(' ')}`),
        (error: unknown) => log(`prometheus: could not write the targets: ${String(error)}`),
      );
  };
  /** Stops what has started: the doc-QA processes, Prometheus (or its facade), the stand-ins and the Service ports. */
  const closeAll = async () => {
    stopServices();
    stopSyncCounting();
    await fleet.close();
    await Promise.all([
      real?.close(),
      facade?.close(),
      blackbox?.close(),
      services?.close(),
      ...controllerMetrics.map((m) => m.close()),
    ]);
  };
  const meter = new CpuMeter();
  const hasProc = processCpuSeconds(process.pid) !== undefined;
  const fleet = new DocqaFleet(cluster, { dir: options.dir, log, changed: () => changed() }).start();

  try {
    blackbox = await startBlackbox(() => fleet.endpoints());
    // kube-proxy's view: the Service's EndpointSlices (endpointslice.ts), each pod served by its hash's process.
    services = await startServiceProxies((name) => {
      const slices = cluster
        .list('discovery.k8s.io/v1', 'EndpointSlice', 'docqa')
        .filter((s) => s.metadata?.labels?.['kubernetes.io/service-name'] === name) as SliceView[];
      return serviceTargets(slices, fleet.listening());
    });
    const proxies = services;
    // The ports follow the slices (and the processes coming and going): listening with endpoints, refusing without.
    stopServices = cluster.onChange((event) => {
      if (event.resource.kind === 'EndpointSlice' && event.object.metadata?.namespace === 'docqa')
        void proxies.refresh();
    });
    refreshServices = () => void proxies.refresh();
    log(
      `services: docqa-stable ${services.urls['docqa-stable']}, docqa-canary ${services.urls['docqa-canary']}`,
    );
    const binary = options.prometheusBinary === false ? undefined : findPrometheus(options.prometheusBinary);
    let note: string;
    if (binary) {
      // The Argo CD and Argo Rollouts controllers' /metrics (controller-metrics.ts), for the lab's ServiceMonitors:
      // served only for the real Prometheus, which scrapes them (imported here: prom-client stays off the path of
      // the commands that import this module for scaleLiveQuery).
      const { argoCdMetrics, argoRolloutsMetrics } = await import('../controller-metrics.js');
      const { serveMetrics } = await import('./metrics-endpoint.js');
      const argocd = argoCdMetrics(cluster);
      stopSyncCounting = argocd.stop;
      const [argocdEndpoint, rolloutsEndpoint] = await Promise.all([
        serveMetrics(argocd.registry),
        serveMetrics(argoRolloutsMetrics(cluster)),
      ]);
      controllerMetrics = [argocdEndpoint, rolloutsEndpoint];
      const jobs: ScrapeJob[] = [
        {
          name: 'podMonitor/observability/docqa/0',
          intervalMs: scrapeIntervalMs,
          relabel: [{ target_label: 'job', replacement: 'observability/docqa' }],
        },
        {
          // prometheus-operator's Probe (generateProbeConfig): the target becomes the `target` parameter and the
          // `instance` label, the prober's address the scrape address, the Probe's jobName the job.
          name: 'probe/observability/docqa-http',
          intervalMs: probeIntervalMs,
          metricsPath: '/probe',
          params: { module: ['http_2xx'] },
          static: [{ targets: [BLACKBOX_TARGET], labels: { service: 'docqa' } }],
          relabel: [
            { source_labels: ['__address__'], target_label: '__param_target' },
            { source_labels: ['__param_target'], target_label: 'instance' },
            { target_label: '__address__', replacement: blackbox.address },
            { target_label: 'job', replacement: 'blackbox-docqa' },
          ],
        },
        controllerScrapeJob(
          'argocd-metrics',
          {
            address: argocdEndpoint.address,
            namespace: 'argocd',
            service: 'argocd-metrics',
            pod: 'argocd-application-controller-0',
            container: 'argocd-application-controller',
          },
          serviceMonitorIntervalMs,
        ),
        controllerScrapeJob(
          'argo-rollouts-metrics',
          {
            address: rolloutsEndpoint.address,
            namespace: 'argo-rollouts',
            service: 'argo-rollouts-metrics',
            pod: 'argo-rollouts',
            container: 'argo-rollouts',
          },
          serviceMonitorIntervalMs,
        ),
      ];
      real = await startRealPrometheus({
        binary,
        dir: options.dir,
        jobs,
        onLine: (line) => log(`prometheus: ${line}`),
      });
      log(`prometheus: ${binary} ready at ${real.url}, scraping every ${scrapeIntervalMs} ms`);
      note = `Prometheus: real (${binary}), scraping the doc-QA processes every ${scrapeIntervalMs / 1000} s; the analysis queries it with range windows divided by the speed (${speed}x)`;
      writeTargets();
    } else {
      facade = await servePrometheusApi(
        simulated,
        scaledRangeSource((promql, at) => simulated.evaluateAt(promql, at), cluster.clock, speed),
        (promql) => simulated.evaluateAt(promql, cluster.clock.now()),
      );
      note =
        options.prometheusBinary === false
          ? 'Prometheus: simulated (the real one was turned off): analysis metrics are simulated'
          : `Prometheus: simulated, because Debian's prometheus is not installed; analysis metrics are simulated. For a real one, ${prometheusInstallHint}`;
      log(note);
    }
    const prometheusUrl = (real?.url ?? facade?.url) as string;

    /**
     * Resolves once Prometheus has scraped the hash's process (bounded: a slow discovery only delays). Prometheus
     * passes new file_sd targets to its scrapers at most every 5 s (discovery/manager.go updatert), seconds that at
     * --speed 20 would be minutes of the lab's time in which a canary goes unmeasured; in the real lab (1x) the pod's
     * target exists well before the Rollout's pause and analysis. So a live docqa pod becomes Ready only when its
     * readiness probe gets /readyz from its process AND Prometheus has scraped it: a passing probe waits for the
     * first scrape of its hash's process (once per process: a hash whose process stopped, an aborted canary scaled
     * to 0 and retried, waits again for its new process's target; the wait is not part of the probe's timeout), and
     * the lab's clock then sees the discovery as instant.
     */
    const scrapes = new Map<string, Promise<void>>();
    const scraped = (hash: string): Promise<void> => {
      const url = fleet.listening().find((e) => e.hash === hash)?.url;
      const instance = url ? new URL(url).host : '';
      const key = `${hash} ${instance}`;
      let known = scrapes.get(key);
      if (!known) {
        known = firstScrape(hash, instance);
        scrapes.set(key, known);
      }
      return known;
    };
    const firstScrape = async (hash: string, instance: string) => {
      if (!real) return;
      const client = new PrometheusClient({ url: real.url, timeoutMs: 5000 });
      const deadline = Date.now() + 60_000;
      const ours = (labels: Record<string, string>) =>
        labels.rollouts_pod_template_hash === hash && (!instance || labels.instance === instance);
      while (Date.now() < deadline) {
        const targets = await client.targets().catch(() => []);
        if (targets.some((t) => ours(t.labels) && t.health === 'up')) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      log(`prometheus: the doc-QA target of ${hash} was not scraped within 60 s; the pod goes Ready anyway`);
    };

    /**
     * An httpGet probe sent to the process standing in for `pod`, on 127.0.0.1 at the port that answers the pod's
     * `target.port`, with the probe's timeout as wall time, not divided by the speed: the process is real and answers
     * in wall time, and a timeout compressed to 50 ms at --speed 20 would fail probes on a busy machine that a cluster
     * running the same process would pass (three in a row kill a liveness probe's container). No process listening is
     * a refused connection; no answer in time a timeout (the kubelet words both as Go's client does, prober.ts).
     */
    const probeProcess = async (pod: KubeObject, target: ProbeTarget): Promise<ProbeAnswer> => {
      if (target.port === undefined) return { ok: true, output: '' };
      const base = fleet.address(pod, target.port);
      if (!base) return { error: 'refused' };
      try {
        const response = await fetch(`${base}${target.path ?? ''}`, {
          signal: AbortSignal.timeout(Math.max(1, target.timeoutMs)),
          redirect: 'manual',
          headers: { 'user-agent': 'kube-probe/1.33' },
        });
        return { status: response.status, body: await response.text() };
      } catch (error) {
        if (error instanceof Error && error.name === 'TimeoutError') return { error: 'timeout' };
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        if (cause?.code === 'ECONNREFUSED') return { error: 'refused' };
        return { ok: false, output: `Get "${target.url}": ${cause?.message ?? String(error)}` };
      }
    };

    const query: PrometheusQuery = {
      async query(url, promql, signal) {
        if (!real) return simulated.query(url, promql);
        return prometheusQuery.query(real.url, scaleLiveQuery(promql, speed), signal);
      },
    };

    const analysis: LiveAnalysis = {
      ...(real
        ? {
            async measure(metric: ResolvedMetric) {
              const address = (real as RealPrometheus).url;
              const scaled = scaleLiveQuery(String(metric.provider.query ?? ''), speed);
              const { phase, detail } = await measurePrometheus(
                { ...metric, provider: { ...metric.provider, address, query: scaled } },
                { timeoutMs: 10_000 },
              );
              return { phase, value: detail.value, message: phase === 'Error' ? detail.reason : undefined };
            },
          }
        : {}),
      async runJob(hash, _job, signal) {
        const endpoint = fleet.endpoints().find((e) => e.hash === hash);
        if (!endpoint) return { succeeded: false, message: `no ready doc-QA endpoint for the hash ${hash}` };
        log(`eval-replay: gitops-lab eval --target ${endpoint.url} (hash ${hash})`);
        const outcome = await evalRunner.run({ target: endpoint.url, signal });
        if (signal.aborted) throw signal.reason;
        log(`eval-replay: ${outcome.passed ? 'Successful' : 'Failed'}: ${outcome.summary}`);
        return {
          succeeded: outcome.passed,
          message: `gitops-lab eval exited with ${outcome.passed ? 0 : 1}: ${outcome.summary}`,
        };
      },
    };

    return {
      prometheusUrl,
      prometheusReal: real !== undefined,
      prometheusNote: note,
      endpoints: () => fleet.endpoints().map(({ hash, url, faults, role }) => ({ hash, url, faults, role })),
      services: services.urls,
      query,
      analysis,
      container(pod, base) {
        if (!isDocqaPod(pod) || base.exits) return base;
        const hash = pod.metadata?.labels?.['rollouts-pod-template-hash'] ?? '';
        // The container's process starts (or the hash's running one stands in); the kubelet's probes ask it.
        fleet.ready(pod).catch(() => undefined);
        return {
          ...base,
          stops: base.stops ?? docqaStopsOnSigterm,
          async probe(kind, _probe, target) {
            const answer = await probeProcess(pod, target);
            const passed = 'status' in answer && answer.status >= 200 && answer.status < 400;
            if (kind === 'readiness' && passed) await scraped(hash);
            return answer;
          },
        };
      },
      scrapeIntervalMs,
      async settled() {
        if (!real) return;
        // The drills' steady states read `probe_success{job="blackbox-docqa"}` from the first second.
        const client = new PrometheusClient({ url: real.url, timeoutMs: 5000 });
        const deadline = Date.now() + 60_000;
        while (Date.now() < deadline) {
          const answer = await client.query('probe_success{job="blackbox-docqa"}').catch(() => undefined);
          if (answer?.resultType === 'vector' && answer.vector.some((s) => s.value === 1)) return;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        log('prometheus: the black-box probe of docqa-stable did not succeed within 60 s');
      },
      pids: () => [...fleet.pids(), ...(real?.child.alive() ? [real.child.pid] : [])],
      usage(pod, container, resource) {
        if (!hasProc) return idleUsage(pod, container, resource);
        const hash = pod.metadata?.labels?.['rollouts-pod-template-hash'];
        const served = isDocqaPod(pod) ? fleet.listening().find((e) => e.hash === hash) : undefined;
        if (!served) return idleUsage(pod, container, resource);
        if (resource === 'memory') {
          const rss = processRssBytes(served.pid);
          return rss === undefined ? undefined : rss * 1000;
        }
        const rate = resource === 'cpu' ? meter.millicores(served.pid) : undefined;
        return rate === undefined ? undefined : Math.round(rate / Math.max(1, served.pods.length));
      },
      async close() {
        await closeAll();
        await writing;
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
