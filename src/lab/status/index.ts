/**
 * `gitops-lab status` as data: Argo CD Applications, Rollouts, HPAs, unready pods and the doc-QA quality figures
 * from Prometheus (when reachable). `healthy` is what the exit code reports; `problems` says why not; `inProgress`
 * names what is changing without being wrong (a canary under way).
 */
import { PreconditionError } from '../../errors.js';
import type { Clock } from '../clock.js';
import { type LabConfig, labContext } from '../config.js';
import { createKubeClient, type KubeClient } from '../kube/client.js';
import { KubeApiError } from '../kube/errors.js';
import {
  appHealth,
  appSync,
  canaryWeights,
  hpaProblem,
  hpaTargets,
  podProblem,
  rolloutWaitsFor,
} from '../kube/status.js';
import {
  type AnalysisRun,
  type Application,
  type HorizontalPodAutoscaler,
  Kinds,
  type Pod,
  type Rollout,
} from '../kube/types.js';
import { SIM_CONTEXT } from '../simulate/state.js';

/** A resource of an Application that Argo CD finds out of sync (its status.resources entry says OutOfSync). */
export interface OutOfSyncResource {
  kind: string;
  namespace?: string;
  name: string;
}

export interface AppStatus {
  name: string;
  sync: string;
  health: string;
  revision?: string;
  lastSync?: string;
  message?: string;
  /** The app's resources that are out of sync, in Argo CD's order (group, kind, namespace, name); absent when none. */
  outOfSync?: OutOfSyncResource[];
  /**
   * The app's sync operation when it has not succeeded: Running (applying, waiting for a wave's health, or waiting to
   * retry), Terminating, Failed or Error, with Argo CD's message (status.operationState).
   */
  operation?: { phase: string; message?: string };
}

/** The resources of `app` that Argo CD lists as OutOfSync in status.resources. */
export function outOfSyncResources(app: Application): OutOfSyncResource[] {
  return (app.status?.resources ?? [])
    .filter((r) => r.status === 'OutOfSync')
    .map((r) => ({
      kind: r.kind ?? '',
      ...(r.namespace ? { namespace: r.namespace } : {}),
      name: r.name ?? '',
    }));
}

/** The phases of a sync operation still under way (gitops-engine pkg/sync/common OperationPhase). */
const syncing = new Set(['Running', 'Terminating']);

/** The app's operation, when its last or current sync has not succeeded (status.operationState). */
function operationOf(app: Application): Pick<AppStatus, 'operation'> {
  const op = app.status?.operationState;
  if (!op?.phase || op.phase === 'Succeeded') return {};
  return { operation: { phase: op.phase, ...(op.message ? { message: op.message } : {}) } };
}

/** How many out-of-sync resources a one-line summary names before "and N more". */
const namedAtMost = 3;

/** "out of sync: ConfigMap docqa/docqa-config, Service docqa/docqa-canary, Service docqa/docqa-stable and 2 more": one line however many. */
export function outOfSyncText(resources: OutOfSyncResource[]): string {
  const names = resources.map((r) => `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`);
  const shown = names.slice(0, namedAtMost);
  const more = names.length - shown.length;
  return `out of sync: ${shown.join(', ')}${more ? ` and ${more} more` : ''}`;
}

export interface RolloutStatus {
  name: string;
  namespace: string;
  phase: string;
  step?: string;
  /** The canary's share of the traffic now (kubectl argo rollouts' ActualWeight), while a canary runs. */
  canaryWeight?: number;
  /** The weight the current step asks for (its SetWeight), while a canary runs. */
  setWeight?: number;
  /** The rollout's latest AnalysisRun; `message` is its status.message (why it ended as it did). */
  analysis?: { name: string; phase: string; message?: string };
  message?: string;
}

export interface HpaStatus {
  name: string;
  namespace: string;
  target: string;
  current?: number;
  desired?: number;
  min?: number;
  max?: number;
  /** The metrics as `kubectl get hpa` shows them, e.g. `cpu: 1%/70%`. */
  metrics: string;
  /** Why it cannot scale (a False AbleToScale or ScalingActive condition), when that is so. */
  problem?: string;
}

export interface PodStatus {
  name: string;
  namespace: string;
  reason: string;
}

export interface QualityFigures {
  available: boolean;
  source: string;
  reason?: string;
  /** Share of answers grounded in their citations, last 5 minutes. */
  groundedRatio?: number;
  abstainRatio?: number;
  errorRatio?: number;
  p95LatencySeconds?: number;
  requestsPerSecond?: number;
}

export interface LabStatus {
  context: string;
  healthy: boolean;
  problems: string[];
  /** Synced apps whose health is Progressing or Suspended: a change under way, not a fault (the exit code stays 0). */
  inProgress: string[];
  apps: AppStatus[];
  rollouts: RolloutStatus[];
  hpas: HpaStatus[];
  unreadyPods: PodStatus[];
  quality: QualityFigures;
  /** When the status was read: the simulated lab's time when it is one. */
  checkedAt: string;
  /**
   * Set for the simulated lab (`up --simulate`): its speed, its simulated time at `checkedAt`, and its docqa Services'
   * addresses on 127.0.0.1 when it runs the live doc-QA processes.
   */
  simulated?: { speed: number; time: string; services?: Record<string, string> };
}

export const qualityQueries = {
  groundedRatio:
    'sum(rate(docqa_answers_grounded_total{grounded="true"}[5m])) / sum(rate(docqa_answers_grounded_total[5m]))',
  abstainRatio:
    'sum(rate(docqa_requests_total{status="insufficient_context"}[5m])) / sum(rate(docqa_requests_total[5m]))',
  errorRatio: 'sum(rate(docqa_requests_total{status="error"}[5m])) / sum(rate(docqa_requests_total[5m]))',
  p95LatencySeconds:
    'histogram_quantile(0.95, sum by (le) (rate(docqa_request_duration_seconds_bucket[5m])))',
  requestsPerSecond: 'sum(rate(docqa_requests_total[5m]))',
} as const;

/**
 * Argo CD's health states that mean "not there yet" rather than "wrong" (gitops-engine pkg/health/health.go:
 * Progressing is not healthy yet but still making progress, Suspended is paused). A canary under way makes the app
 * Progressing, and Suspended while it waits at a pause step (argo-cd v3.1.12
 * resource_customizations/argoproj.io/Rollout/health.lua maps the Rollout's Paused phase to Suspended); whether it
 * then goes wrong shows as Degraded, an aborted Rollout, unready pods or the quality floors below.
 */
const settling = new Set(['Progressing', 'Suspended']);

/** The canary's weights for the status table: its Ready pods count as available (the lab sets no minReadySeconds). */
function weightsOf(rollout: Rollout, pods: Pod[]): { canaryWeight?: number; setWeight?: number } {
  const hash = rollout.status?.currentPodHash;
  const available = pods.filter(
    (p) =>
      p.metadata.namespace === rollout.metadata.namespace &&
      p.metadata.labels?.['rollouts-pod-template-hash'] === hash &&
      !podProblem(p),
  ).length;
  const weights = canaryWeights(rollout, available);
  return weights ? { canaryWeight: weights.actual, setWeight: weights.set } : {};
}

/** Quality figures below these make the lab degraded (the same spirit as the canary's AnalysisTemplate). */
export const qualityFloors = { groundedRatio: 0.8, errorRatio: 0.05 };

/** A Rollout phase that is not a problem: Healthy, or a canary under way (Progressing) or paused at a step. */
export function rolloutPhaseFine(phase: string): boolean {
  return phase === 'Healthy' || phase === 'Progressing' || phase === 'Paused';
}

const kindHint = 'Run `gitops-lab up` to create the lab (or pass --context for an existing one).';
/** What to do when there is no lab in `context`: the simulated lab's context asks for `up --simulate`. */
const noLabHint = (context: string) =>
  context === SIM_CONTEXT
    ? 'Restart the simulated lab: `gitops-lab down`, then `gitops-lab up --simulate`.'
    : kindHint;

export async function connectToLab(config: LabConfig): Promise<KubeClient> {
  let kube: KubeClient;
  try {
    kube = createKubeClient({ kubeconfig: config.kubeconfig, context: labContext(config) });
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/\.$/, '') : String(error);
    throw new PreconditionError(`No lab found: ${reason.charAt(0).toLowerCase()}${reason.slice(1)}.`, {
      hint: noLabHint(labContext(config)),
    });
  }
  try {
    await kube.serverVersion();
  } catch (error) {
    if (error instanceof KubeApiError && error.status === 0)
      throw new PreconditionError(
        `No lab found: the cluster of context ${kube.context} is not reachable (${kube.server}).`,
        { hint: noLabHint(kube.context) },
      );
    throw error;
  }
  return kube;
}

/** The quality figures from the Prometheus at `url`; `rewrite` adapts each query (the simulated lab's wall-time windows). */
export async function qualityFrom(
  url: string,
  timeoutMs = 2000,
  rewrite: (promql: string) => string = (q) => q,
): Promise<QualityFigures> {
  const { PrometheusClient } = await import('../canary/prometheus.js');
  const client = new PrometheusClient({ url, timeoutMs });
  const figures: QualityFigures = { available: true, source: url };
  try {
    for (const [key, query] of Object.entries(qualityQueries) as Array<
      [keyof typeof qualityQueries, string]
    >) {
      const result = await client.query(rewrite(query));
      const value =
        result.resultType === 'vector'
          ? result.vector[0]?.value
          : result.resultType === 'scalar'
            ? result.value
            : undefined;
      if (value !== undefined && Number.isFinite(value)) figures[key] = value;
    }
  } catch (error) {
    return { available: false, source: url, reason: error instanceof Error ? error.message : String(error) };
  }
  return figures;
}

export async function collectStatus(
  config: LabConfig,
  options: {
    kube?: KubeClient;
    prometheusUrl?: string;
    prometheusTimeoutMs?: number;
    /** Rewrites each quality query before it is sent (the simulated lab's real Prometheus: windows / speed). */
    rewriteQuery?: (promql: string) => string;
    /** The simulated lab's speed and clock, when the lab is one: the status is stamped with its time. */
    simulated?: { speed: number; clock: Clock; services?: Record<string, string> };
  } = {},
): Promise<LabStatus> {
  const kube = options.kube ?? (await connectToLab(config));
  if (!(await kube.serves(Kinds.Application)))
    throw new PreconditionError(
      `No lab found in context ${kube.context}: Argo CD is not installed (no Application kind).`,
      { hint: noLabHint(kube.context) },
    );
  const [apps, rollouts, runs, hpas, pods] = await Promise.all([
    kube.list<Application>(Kinds.Application, { namespace: config.namespaces.argocd }),
    kube
      .serves(Kinds.Rollout)
      .then((ok) =>
        ok ? kube.list<Rollout>(Kinds.Rollout) : { items: [] as Rollout[], resourceVersion: '' },
      ),
    kube
      .serves(Kinds.AnalysisRun)
      .then((ok) =>
        ok ? kube.list<AnalysisRun>(Kinds.AnalysisRun) : { items: [] as AnalysisRun[], resourceVersion: '' },
      ),
    kube.list<HorizontalPodAutoscaler>(Kinds.HorizontalPodAutoscaler),
    kube.list<Pod>(Kinds.Pod),
  ]);
  if (!apps.items.some((a) => a.metadata.name === 'lab-root'))
    throw new PreconditionError(
      `No lab found in context ${kube.context}: there is no Application lab-root in ${config.namespaces.argocd}.`,
      {
        hint: noLabHint(kube.context),
      },
    );
  const status: LabStatus = {
    context: kube.context,
    healthy: true,
    problems: [],
    inProgress: [],
    apps: apps.items
      .map((a) => {
        const outOfSync = outOfSyncResources(a);
        return {
          name: a.metadata.name,
          sync: appSync(a),
          health: appHealth(a),
          revision: a.status?.sync?.revision,
          lastSync: a.status?.operationState?.finishedAt,
          message:
            a.status?.conditions?.[0]?.message ??
            (appHealth(a) !== 'Healthy' ? a.status?.health?.message : undefined),
          ...(outOfSync.length ? { outOfSync } : {}),
          ...operationOf(a),
        };
      })
      .sort((x, y) => x.name.localeCompare(y.name)),
    rollouts: rollouts.items.map((r) => {
      const steps = r.spec?.strategy?.canary?.steps?.length;
      const index = r.status?.currentStepIndex;
      const runName = r.status?.canary?.currentStepAnalysisRunStatus?.name;
      const run =
        runs.items.find((x) => x.metadata.name === runName) ??
        runs.items
          .filter(
            (x) =>
              x.metadata.namespace === r.metadata.namespace &&
              x.metadata.ownerReferences?.some((o) => o.name === r.metadata.name),
          )
          .sort((a, b) =>
            (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? ''),
          )[0];
      return {
        name: r.metadata.name,
        namespace: r.metadata.namespace ?? '',
        phase: r.status?.phase ?? 'Unknown',
        ...(steps !== undefined && index !== undefined ? { step: `${Math.min(index, steps)}/${steps}` } : {}),
        ...weightsOf(r, pods.items),
        ...(run
          ? {
              analysis: {
                name: run.metadata.name,
                phase: run.status?.phase ?? 'Unknown',
                ...(run.status?.message ? { message: run.status.message } : {}),
              },
            }
          : {}),
        ...(r.status?.message ? { message: r.status.message } : {}),
      };
    }),
    hpas: hpas.items.map((h) => ({
      name: h.metadata.name,
      namespace: h.metadata.namespace ?? '',
      target: `${h.spec?.scaleTargetRef?.kind ?? '?'}/${h.spec?.scaleTargetRef?.name ?? '?'}`,
      current: h.status?.currentReplicas,
      desired: h.status?.desiredReplicas,
      min: h.spec?.minReplicas,
      max: h.spec?.maxReplicas,
      metrics: hpaTargets(h),
      ...(hpaProblem(h) ? { problem: hpaProblem(h) } : {}),
    })),
    unreadyPods: pods.items.flatMap((p) => {
      const reason = podProblem(p);
      return reason ? [{ name: p.metadata.name, namespace: p.metadata.namespace ?? '', reason }] : [];
    }),
    quality: { available: false, source: options.prometheusUrl ?? '', reason: 'not queried' },
    checkedAt: new Date(options.simulated?.clock.now() ?? Date.now()).toISOString(),
  };
  if (options.simulated) {
    const { speed, services } = options.simulated;
    status.simulated = { speed, time: status.checkedAt, ...(services ? { services } : {}) };
  }
  const url = options.prometheusUrl ?? `http://127.0.0.1:${config.ports.prometheus}`;
  status.quality = await qualityFrom(url, options.prometheusTimeoutMs, options.rewriteQuery);
  for (const a of status.apps) {
    const state = `${a.sync}/${a.health}`;
    if (a.operation && syncing.has(a.operation.phase)) {
      // A sync under way: what is not yet synced or healthy is in progress, and Argo CD says what it waits for.
      const why = [
        a.operation.message ?? `sync ${a.operation.phase}`,
        a.outOfSync ? outOfSyncText(a.outOfSync) : undefined,
      ];
      status.inProgress.push(`Application ${a.name} is ${state}, syncing: ${why.filter(Boolean).join('; ')}`);
    } else if (a.sync !== 'Synced' || a.health !== 'Healthy') {
      const why = [a.message, a.outOfSync ? outOfSyncText(a.outOfSync) : undefined].filter(Boolean);
      const line = `Application ${a.name} is ${state}${why.length ? `: ${why.join('; ')}` : ''}`;
      (a.sync === 'Synced' && settling.has(a.health) ? status.inProgress : status.problems).push(line);
    }
  }
  for (const r of rollouts.items) {
    const waits = rolloutWaitsFor(r);
    if (waits)
      status.inProgress.push(
        `Rollout ${r.metadata.namespace ?? ''}/${r.metadata.name} waits for a person: ${waits}`,
      );
  }
  for (const r of status.rollouts)
    if (!rolloutPhaseFine(r.phase))
      status.problems.push(
        `Rollout ${r.namespace}/${r.name} is ${r.phase}${r.message ? `: ${r.message}` : ''}`,
      );
  for (const p of status.unreadyPods)
    status.problems.push(`Pod ${p.namespace}/${p.name} is not ready: ${p.reason}`);
  const q = status.quality;
  if (q.available && q.groundedRatio !== undefined && q.groundedRatio < qualityFloors.groundedRatio)
    status.problems.push(
      `doc-QA grounded answers ${(q.groundedRatio * 100).toFixed(0)}% < ${qualityFloors.groundedRatio * 100}%`,
    );
  if (q.available && q.errorRatio !== undefined && q.errorRatio > qualityFloors.errorRatio)
    status.problems.push(
      `doc-QA error ratio ${(q.errorRatio * 100).toFixed(1)}% > ${qualityFloors.errorRatio * 100}%`,
    );
  status.healthy = status.problems.length === 0;
  return status;
}
