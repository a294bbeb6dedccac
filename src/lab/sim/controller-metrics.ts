/**
 * The Prometheus metrics the lab's controllers export, read from the simulated cluster at scrape time, for the
 * dashboard's sync and rollout panels (manifests/workloads/observability/servicemonitors-argo.yaml scrapes them;
 * dashboards/docqa-quality.json graphs argocd_app_info, argocd_app_sync_total, rollout_info,
 * rollout_info_replicas_*, analysis_run_info).
 *
 * Argo CD v3.1.12's application controller (controller/metrics/metrics.go):
 * - argocd_app_info{namespace, name, project, autosync_enabled, repo, dest_server, dest_namespace, sync_status,
 *   health_status, operation} 1 per Application (appCollector.collectApps): project "default" when unset
 *   (GetProject), the repo URL normalised (util/git NormalizeGitURL: lower case, no `.git`), dest_server the
 *   destination's server (the in-cluster name resolves to https://kubernetes.default.svc), sync and health status
 *   Unknown when unset, operation "delete" while the app is being deleted, "sync" while it has a sync operation,
 *   else "".
 * - argocd_app_sync_total{namespace, name, project, dest_server, phase, dry_run}, counted when an operation completes
 *   (IncSync, from setOperationState), and argocd_app_sync_duration_seconds_total{namespace, name, project,
 *   dest_server}, its whole seconds from start to finish (IncAppSyncDuration). They count from when this exporter
 *   starts, as a controller's count starts at its process's start.
 * Argo Rollouts v1.8.3's controller (controller/metrics/rollouts.go, analysis.go, prommetrics.go):
 * - rollout_info{namespace, name, strategy, traffic_router, phase} 1 (phase from the Progressing condition's reason:
 *   calculatePhase), rollout_info_replicas_{available,unavailable,desired,updated}, and the deprecated rollout_phase
 *   (one series per phase, 1 for the current one);
 * - analysis_run_info{namespace, name, phase} 1, the deprecated analysis_run_phase, analysis_run_metric_type
 *   {metric, type} and analysis_run_metric_phase{metric, type, dry_run, phase} per metric of the run's spec;
 * - analysis_template_info and analysis_template_metric_info{type, metric} for AnalysisTemplates and
 *   ClusterAnalysisTemplates.
 * Not exported: the controllers' reconcile histograms, Kubernetes request counters, Go runtime and process metrics.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { SimCluster } from './api.js';
import { completed } from './argocd-sync.js';
import type { KubeObject } from './store.js';

const IN_CLUSTER = 'https://kubernetes.default.svc';

interface AppView {
  metadata?: KubeObject['metadata'];
  spec?: {
    project?: string;
    source?: { repoURL?: string };
    destination?: { server?: string; name?: string; namespace?: string };
    syncPolicy?: { automated?: { enabled?: boolean } | null };
  };
  status?: {
    sync?: { status?: string };
    health?: { status?: string };
    operationState?: OperationView;
  };
  operation?: { sync?: unknown };
}

interface OperationView {
  phase?: string;
  startedAt?: string;
  finishedAt?: string;
  operation?: { sync?: { dryRun?: boolean } };
}

/** util/git NormalizeGitURL for http(s) URLs: trimmed, lower case, without a trailing `.git`. */
export const normalizeGitUrl = (url: string): string =>
  url
    .trim()
    .toLowerCase()
    .replace(/\.git$/, '');

/** The destination's server: given, or the in-cluster name's (GetDestinationCluster), else none. */
const destServer = (app: AppView) =>
  app.spec?.destination?.server ?? (app.spec?.destination?.name === 'in-cluster' ? IN_CLUSTER : '');
const projectOf = (app: AppView) => app.spec?.project || 'default';
/** SyncPolicy.IsAutomatedSyncEnabled: an automated block, not switched off by `enabled: false`. */
const autoSync = (app: AppView) =>
  app.spec?.syncPolicy?.automated != null && app.spec.syncPolicy.automated.enabled !== false;

/** appCollector.collectApps: the argocd_app_info labels of one Application. */
export function appInfoLabels(app: AppView): Record<string, string> {
  return {
    namespace: app.metadata?.namespace ?? '',
    name: app.metadata?.name ?? '',
    project: projectOf(app),
    autosync_enabled: String(autoSync(app)),
    repo: normalizeGitUrl(app.spec?.source?.repoURL ?? ''),
    dest_server: destServer(app),
    dest_namespace: app.spec?.destination?.namespace ?? '',
    sync_status: app.status?.sync?.status || 'Unknown',
    health_status: app.status?.health?.status || 'Unknown',
    operation: app.metadata?.deletionTimestamp ? 'delete' : app.operation?.sync ? 'sync' : '',
  };
}

/** Argo CD's application controller metrics over the cluster's Applications; `stop` ends the sync counting. */
export function argoCdMetrics(cluster: SimCluster): { registry: Registry; stop(): void } {
  const registry = new Registry();
  const apps = () => cluster.list('argoproj.io/v1alpha1', 'Application') as AppView[];
  new Gauge({
    name: 'argocd_app_info',
    help: 'Information about application.',
    labelNames: [
      'namespace',
      'name',
      'project',
      'autosync_enabled',
      'repo',
      'dest_server',
      'dest_namespace',
      'sync_status',
      'health_status',
      'operation',
    ],
    registers: [registry],
    collect() {
      this.reset();
      for (const app of apps()) this.set(appInfoLabels(app), 1);
    },
  });
  const syncs = new Counter({
    name: 'argocd_app_sync_total',
    help: 'Number of application syncs.',
    labelNames: ['namespace', 'name', 'project', 'dest_server', 'phase', 'dry_run'],
    registers: [registry],
  });
  const durations = new Counter({
    name: 'argocd_app_sync_duration_seconds_total',
    help: 'Application sync performance in seconds total.',
    labelNames: ['namespace', 'name', 'project', 'dest_server'],
    registers: [registry],
  });
  // An operation is counted once, when an Application is first seen with it completed (setOperationState).
  const seen = new Map<string, string>();
  const keyOf = (app: AppView) => `${app.metadata?.namespace}/${app.metadata?.name}`;
  const stamp = (op: OperationView | undefined) =>
    op && completed(op.phase) ? `${op.startedAt} ${op.finishedAt} ${op.phase}` : undefined;
  for (const app of apps()) {
    const s = stamp(app.status?.operationState);
    if (s) seen.set(keyOf(app), s);
  }
  const stop = cluster.onChange((event) => {
    if (event.resource.kind !== 'Application' || event.type === 'DELETED') return;
    const app = event.object as AppView;
    const op = app.status?.operationState;
    const s = stamp(op);
    if (!op || !s || seen.get(keyOf(app)) === s) return;
    seen.set(keyOf(app), s);
    const base = {
      namespace: app.metadata?.namespace ?? '',
      name: app.metadata?.name ?? '',
      project: projectOf(app),
      dest_server: destServer(app),
    };
    syncs.inc({ ...base, phase: op.phase ?? '', dry_run: String(op.operation?.sync?.dryRun === true) });
    const started = Date.parse(op.startedAt ?? '');
    const finished = Date.parse(op.finishedAt ?? '');
    if (!Number.isNaN(started) && !Number.isNaN(finished))
      durations.inc(base, Math.floor(finished / 1000) - Math.floor(started / 1000));
  });
  return { registry, stop };
}

interface RolloutView {
  metadata?: KubeObject['metadata'];
  spec?: {
    replicas?: number;
    strategy?: {
      blueGreen?: unknown;
      canary?: { trafficRouting?: Record<string, unknown> };
    };
  };
  status?: {
    replicas?: number;
    availableReplicas?: number;
    updatedReplicas?: number;
    conditions?: Array<{ type?: string; reason?: string }>;
  };
}

/** The traffic routers getStrategyAndTrafficRouter names, in its order (the last one set wins). */
const trafficRouters: Array<[string, string]> = [
  ['alb', 'ALB'],
  ['ambassador', 'Ambassador'],
  ['istio', 'Istio'],
  ['nginx', 'Nginx'],
  ['smi', 'SMI'],
  ['appMesh', 'AppMesh'],
];

/** getStrategyAndTrafficRouter. */
export function strategyOf(rollout: RolloutView): { strategy: string; trafficRouter: string } {
  const strategy = rollout.spec?.strategy;
  if (strategy?.blueGreen) return { strategy: 'blueGreen', trafficRouter: '' };
  if (!strategy?.canary) return { strategy: 'none', trafficRouter: '' };
  const routing = strategy.canary.trafficRouting;
  let trafficRouter = '';
  for (const [key, name] of trafficRouters) if (routing?.[key] != null) trafficRouter = name;
  return { strategy: 'canary', trafficRouter };
}

const ROLLOUT_PHASES = ['Completed', 'Progressing', 'Paused', 'Timeout', 'Error', 'Abort'] as const;

/** calculatePhase: from the Progressing condition's reason; InvalidSpec whenever that condition is there. */
export function rolloutPhase(rollout: RolloutView): string {
  const conditions = rollout.status?.conditions ?? [];
  const reason = conditions.find((c) => c.type === 'Progressing')?.reason;
  const byReason: Record<string, string> = {
    NewReplicaSetAvailable: 'Completed',
    RolloutPaused: 'Paused',
    ReplicaSetCreateError: 'Error',
    ProgressDeadlineExceeded: 'Timeout',
    RolloutAborted: 'Abort',
  };
  if (conditions.some((c) => c.type === 'InvalidSpec')) return 'InvalidSpec';
  return (reason && byReason[reason]) || 'Progressing';
}

interface Metric {
  name?: string;
  provider?: Record<string, unknown>;
}

/** The providers metricproviders.Type names, in its order. */
const providers: Array<[string, string]> = [
  ['prometheus', 'Prometheus'],
  ['job', 'Job'],
  ['kayenta', 'Kayenta'],
  ['web', 'Web'],
  ['datadog', 'Datadog'],
  ['wavefront', 'Wavefront'],
  ['newRelic', 'NewRelic'],
  ['cloudWatch', 'CloudWatch'],
  ['graphite', 'Graphite'],
  ['influxdb', 'Influxdb'],
  ['skywalking', 'skywalking'],
  ['plugin', 'RPCPlugin'],
];

/** metricproviders.Type. */
export function metricType(metric: Metric): string {
  return providers.find(([key]) => metric.provider?.[key] != null)?.[1] ?? 'Unknown Provider';
}

const ANALYSIS_PHASES = ['Pending', 'Error', 'Failed', 'Successful', 'Running', 'Inconclusive'] as const;

/** analysis.GetDryRunMetrics: the metrics a dryRun rule's name pattern matches (Go's unanchored regexp match). */
function dryRunMetrics(run: KubeObject): Set<string> {
  const spec = run.spec as { dryRun?: Array<{ metricName?: string }>; metrics?: Metric[] } | undefined;
  const names = new Set<string>();
  for (const rule of spec?.dryRun ?? []) {
    let pattern: RegExp;
    try {
      pattern = new RegExp(rule.metricName ?? '');
    } catch {
      continue;
    }
    for (const m of spec?.metrics ?? []) if (m.name && pattern.test(m.name)) names.add(m.name);
  }
  return names;
}

/** Argo Rollouts' controller metrics over the cluster's Rollouts, AnalysisRuns and analysis templates. */
export function argoRolloutsMetrics(cluster: SimCluster): Registry {
  const registry = new Registry();
  const list = (kind: string) => cluster.list('argoproj.io/v1alpha1', kind);
  const nn = (o: { metadata?: KubeObject['metadata'] }) => ({
    namespace: o.metadata?.namespace ?? '',
    name: o.metadata?.name ?? '',
  });
  const gauge = (
    name: string,
    help: string,
    labelNames: string[],
    fill: (set: (labels: Record<string, string>, value: number) => void) => void,
  ) =>
    new Gauge({
      name,
      help,
      labelNames: ['namespace', 'name', ...labelNames],
      registers: [registry],
      collect() {
        this.reset();
        fill((labels, value) => this.set(labels, value));
      },
    });
  const rollouts = () => list('Rollout') as RolloutView[];
  gauge('rollout_info', 'Information about rollout.', ['strategy', 'traffic_router', 'phase'], (set) => {
    for (const r of rollouts()) {
      const { strategy, trafficRouter } = strategyOf(r);
      set({ ...nn(r), strategy, traffic_router: trafficRouter, phase: rolloutPhase(r) }, 1);
    }
  });
  const replicas: Array<[string, string, (r: RolloutView) => number]> = [
    ['available', 'The number of available replicas per rollout.', (r) => r.status?.availableReplicas ?? 0],
    [
      'unavailable',
      'The number of unavailable replicas per rollout.',
      (r) => (r.status?.replicas ?? 0) - (r.status?.availableReplicas ?? 0),
    ],
    // defaults.GetReplicasOrDefault: 1 when unset.
    ['desired', 'The number of desired replicas per rollout.', (r) => r.spec?.replicas ?? 1],
    ['updated', 'The number of updated replicas per rollout.', (r) => r.status?.updatedReplicas ?? 0],
  ];
  for (const [suffix, help, value] of replicas)
    gauge(`rollout_info_replicas_${suffix}`, help, [], (set) => {
      for (const r of rollouts()) set(nn(r), value(r));
    });
  gauge(
    'rollout_phase',
    'Information on the state of the rollout (DEPRECATED - use rollout_info)',
    ['strategy', 'phase'],
    (set) => {
      for (const r of rollouts()) {
        const phase = rolloutPhase(r);
        for (const p of ROLLOUT_PHASES)
          set({ ...nn(r), strategy: strategyOf(r).strategy, phase: p }, p === phase ? 1 : 0);
      }
    },
  );
  const runs = () => list('AnalysisRun');
  const runPhase = (run: KubeObject) => (run.status as { phase?: string } | undefined)?.phase ?? '';
  gauge('analysis_run_info', 'Information about analysis run.', ['phase'], (set) => {
    for (const run of runs()) set({ ...nn(run), phase: runPhase(run) }, 1);
  });
  gauge(
    'analysis_run_phase',
    'Information on the state of the Analysis Run (DEPRECATED - use analysis_run_info)',
    ['phase'],
    (set) => {
      for (const run of runs()) {
        const phase = runPhase(run) || 'Pending';
        for (const p of ANALYSIS_PHASES) set({ ...nn(run), phase: p }, p === phase ? 1 : 0);
      }
    },
  );
  const metricsOf = (o: KubeObject) => (o.spec as { metrics?: Metric[] } | undefined)?.metrics ?? [];
  const resultPhase = (run: KubeObject, metric: string) =>
    (
      (run.status as { metricResults?: Array<{ name?: string; phase?: string }> } | undefined)
        ?.metricResults ?? []
    ).find((r) => r.name === metric)?.phase ?? '';
  gauge(
    'analysis_run_metric_type',
    'Information on the type of a specific metric in the Analysis Runs',
    ['metric', 'type'],
    (set) => {
      for (const run of runs())
        for (const m of metricsOf(run)) set({ ...nn(run), metric: m.name ?? '', type: metricType(m) }, 1);
    },
  );
  gauge(
    'analysis_run_metric_phase',
    'Information on the duration of a specific metric in the Analysis Run',
    ['metric', 'type', 'dry_run', 'phase'],
    (set) => {
      for (const run of runs()) {
        const dryRun = dryRunMetrics(run);
        for (const m of metricsOf(run)) {
          const phase = resultPhase(run, m.name ?? '') || 'Pending';
          const labels = {
            ...nn(run),
            metric: m.name ?? '',
            type: metricType(m),
            dry_run: String(dryRun.has(m.name ?? '')),
          };
          for (const p of ANALYSIS_PHASES) set({ ...labels, phase: p }, p === phase ? 1 : 0);
        }
      }
    },
  );
  const templates = () => [
    ...list('AnalysisTemplate'),
    ...cluster.list('argoproj.io/v1alpha1', 'ClusterAnalysisTemplate'),
  ];
  gauge('analysis_template_info', 'Information about analysis templates.', [], (set) => {
    for (const t of templates()) set(nn(t), 1);
  });
  gauge(
    'analysis_template_metric_info',
    'Information on metrics in analysis templates.',
    ['type', 'metric'],
    (set) => {
      for (const t of templates())
        for (const m of metricsOf(t)) set({ ...nn(t), type: metricType(m), metric: m.name ?? '' }, 1);
    },
  );
  return registry;
}
