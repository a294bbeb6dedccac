/**
 * How Argo CD v3.1.12 rates the health of an Application's resources and of the Application. Sources:
 * controller/health.go setApplicationHealth (aggregation), gitops-engine at the commit Argo CD pins (e48120133eec)
 * pkg/health/health.go GetResourceHealth and IsWorse, health_hpa.go, health_service.go, Argo CD's Lua health checks
 * resource_customizations/argoproj.io/Rollout/health.lua and resource_customizations/policy/PodDisruptionBudget/
 * health.lua, and gitops-engine's checks of Deployment, StatefulSet, DaemonSet, ReplicaSet, Pod, Job,
 * PersistentVolumeClaim, Ingress and APIService (argo-health-builtin.ts).
 *
 * Kinds without a check (ConfigMap, Secret, AnalysisTemplate, CronJob, ...) have no health, as in Argo CD, and do
 * not count. Not modelled: the HPA's autoscaling/v1 conditions annotation (the lab's HPAs are autoscaling/v2), Argo
 * Workflows, and health overrides from argocd-cm (the lab sets none).
 */

import { builtinChecks, type Condition, conditionsOf, fieldsOf } from './argo-health-builtin.js';
import { isHook, skipsSync } from './argocd-hooks.js';
import { finalizersOf } from './finalizers.js';
import { groupVersionOf } from './resources.js';
import type { KubeObject } from './store.js';

export type HealthCode = 'Healthy' | 'Suspended' | 'Progressing' | 'Missing' | 'Degraded' | 'Unknown';

export interface HealthStatus {
  status: HealthCode;
  message?: string;
}

/** gitops-engine pkg/health/health.go healthOrder: later is worse. */
const order: HealthCode[] = ['Healthy', 'Suspended', 'Progressing', 'Missing', 'Degraded', 'Unknown'];
/** IsWorse's index: a code not in healthOrder (a Lua check's own word) ranks as Healthy. */
const rank = (code: HealthCode) => Math.max(0, order.indexOf(code));

export const isWorse = (current: HealthCode, next: HealthCode) => rank(next) > rank(current);

type Check = (obj: KubeObject) => HealthStatus;

const numberOr = (value: unknown, fallback: number) => (typeof value === 'number' ? value : fallback);

/**
 * health_hpa.go (autoscaling/v2): the first condition that decides, in the status' order. AbleToScale or
 * ScalingLimited True is Healthy; AbleToScale FailedGetScale or FailedUpdateScale and ScalingActive
 * FailedGetResourceMetric or InvalidSelector are Degraded; none of them: Progressing, "Waiting to Autoscale".
 * The controller writes AbleToScale first, so an HPA that can reach its target is Healthy even while its metrics fail.
 */
const degradedHpa = [
  ['AbleToScale', 'FailedGetScale'],
  ['AbleToScale', 'FailedUpdateScale'],
  ['ScalingActive', 'FailedGetResourceMetric'],
  ['ScalingActive', 'InvalidSelector'],
];
function hpaHealth(obj: KubeObject): HealthStatus {
  const conditions = conditionsOf(fieldsOf(obj.status));
  for (const c of conditions) {
    if (degradedHpa.some(([type, reason]) => c.type === type && c.reason === reason))
      return { status: 'Degraded', message: c.message ?? '' };
    if ((c.type === 'AbleToScale' || c.type === 'ScalingLimited') && c.status === 'True')
      return { status: 'Healthy', message: c.message ?? '' };
  }
  return { status: 'Progressing', message: 'Waiting to Autoscale' };
}

/** PodDisruptionBudget/health.lua: no conditions yet is Progressing; a False one other than InsufficientPods is Degraded. */
function pdbHealth(obj: KubeObject): HealthStatus {
  let health: HealthStatus = { status: 'Progressing', message: 'Waiting for status' };
  const conditions = conditionsOf(fieldsOf(obj.status));
  for (const c of conditions) {
    const message = `PodDisruptionBudget has ${c.reason ?? ''}`;
    if (c.status === 'False' && c.reason !== 'InsufficientPods') return { status: 'Degraded', message };
    health = { status: 'Healthy', message };
  }
  return health;
}

/** health_service.go: a LoadBalancer waits for an ingress address; every other Service is Healthy. */
function serviceHealth(obj: KubeObject): HealthStatus {
  const spec = obj.spec as { type?: string } | undefined;
  const ingress = (obj.status as { loadBalancer?: { ingress?: unknown[] } } | undefined)?.loadBalancer
    ?.ingress;
  if (spec?.type === 'LoadBalancer' && !ingress?.length) return { status: 'Progressing' };
  return { status: 'Healthy' };
}

/** Rollout/health.lua, for a canary Rollout of Argo Rollouts v1 (which writes status.phase). */
function rolloutHealth(obj: KubeObject): HealthStatus {
  const status = obj.status as
    | {
        observedGeneration?: string | number;
        phase?: string;
        message?: string;
        conditions?: Condition[];
        pauseConditions?: unknown[];
        currentPodHash?: string;
        stableRS?: string;
        replicas?: number;
        updatedReplicas?: number;
        availableReplicas?: number;
      }
    | undefined;
  const spec = obj.spec as
    | { paused?: boolean; replicas?: number; strategy?: { canary?: unknown } }
    | undefined;
  const waiting: HealthStatus = {
    status: 'Progressing',
    message: 'Waiting for rollout spec update to be observed',
  };
  if (!status) return waiting;
  // isGenerationObserved: a missing, non-numeric or newer observedGeneration (a v0.9 Rollout) counts as observed.
  const given = status.observedGeneration;
  const observed =
    typeof given === 'number'
      ? given
      : typeof given === 'string' && given.trim() !== ''
        ? Number(given)
        : Number.NaN;
  if (Number.isFinite(observed) && observed < (obj.metadata?.generation ?? 0)) return waiting;
  if (status.phase !== undefined)
    return {
      status: (status.phase === 'Paused' ? 'Suspended' : status.phase) as HealthCode,
      message: status.message,
    };
  for (const c of status.conditions ?? []) {
    if (
      c.type === 'InvalidSpec' ||
      (c.type === 'Progressing' && (c.reason === 'RolloutAborted' || c.reason === 'ProgressDeadlineExceeded'))
    )
      return { status: 'Degraded', message: c.message };
  }
  if ((status.pauseConditions?.length ?? 0) > 0 || spec?.paused)
    return { status: 'Suspended', message: 'Rollout is paused' };
  if (status.currentPodHash === undefined)
    return {
      status: 'Progressing',
      message: 'Waiting for rollout to finish: status has not been reconciled.',
    };
  const desired = numberOr(spec?.replicas, 1);
  const replicas = numberOr(status.replicas, 0);
  const updated = numberOr(status.updatedReplicas, 0);
  if (updated < desired)
    return {
      status: 'Progressing',
      message: 'Waiting for roll out to finish: More replicas need to be updated',
    };
  if (numberOr(status.availableReplicas, 0) < updated)
    return {
      status: 'Progressing',
      message: 'Waiting for roll out to finish: updated replicas are still becoming available',
    };
  if (spec?.strategy?.canary !== undefined) {
    if (replicas > updated)
      return {
        status: 'Progressing',
        message: 'Waiting for roll out to finish: old replicas are pending termination',
      };
    if (!status.stableRS || status.stableRS !== status.currentPodHash)
      return { status: 'Progressing', message: 'Waiting for rollout to finish steps' };
  }
  return { status: 'Healthy', message: '' };
}

/**
 * The health override: Argo CD's Lua checks that v3.1.12 ships (util/lua/lua.go GetHealthScript finds them by
 * group/kind in resource_customizations/). Of the kinds the lab may hold only these two have one.
 */
const luaChecks: Record<string, Check> = {
  'policy/PodDisruptionBudget': pdbHealth,
  'argoproj.io/Rollout': rolloutHealth,
};

/** health.go GetHealthCheckFunc: the built-in checks, by group and kind. */
const goChecks: Record<string, Check> = {
  ...builtinChecks,
  'autoscaling/HorizontalPodAutoscaler': hpaHealth,
  '/Service': serviceHealth,
};

/** GetResourceHealth's order: the override (Lua) first, then the built-in check. */
const checkFor = (obj: KubeObject): Check | undefined => {
  const key = `${groupVersionOf(obj.apiVersion).group}/${obj.kind}`;
  return luaChecks[key] ?? goChecks[key];
};

/** gitops-engine pkg/sync/hook/hook.go HookFinalizer: Argo CD holds its hooks with it until it has read their result. */
const hookFinalizer = 'argocd.argoproj.io/hook-finalizer';

/**
 * GetResourceHealth: an object being deleted is Progressing "Pending deletion" (unless it is a hook Argo CD still
 * holds with its finalizer: that one is checked as usual); a kind without a check has no health. The message is
 * left out when empty, as the API's HealthStatus serializes it (json omitempty).
 */
export function resourceHealth(live: KubeObject): HealthStatus | undefined {
  if (live.metadata?.deletionTimestamp && !finalizersOf(live).includes(hookFinalizer))
    return { status: 'Progressing', message: 'Pending deletion' };
  const health = checkFor(live)?.(live);
  if (!health) return undefined;
  return health.message ? health : { status: health.status };
}

/**
 * setApplicationHealth: the worst health of the app's resources, live-only ones (to be pruned) included. Left out:
 * a desired object that is a Skip hook or carries `argocd.argoproj.io/ignore-healthcheck: "true"`
 * (common.AnnotationIgnoreHealthCheck), and a live hook (hookutil.IsHook; ignore.Ignore adds nothing to it), so a
 * failed PreSync Job does not make the app Degraded. A missing resource counts as Missing only when its kind has a
 * health check; resources with no health do not count.
 */
export function applicationHealth(resources: Array<{ desired?: KubeObject; live?: KubeObject }>): HealthCode {
  let worst: HealthCode = 'Healthy';
  for (const { desired, live } of resources) {
    if (
      desired &&
      (skipsSync(desired) ||
        desired.metadata?.annotations?.['argocd.argoproj.io/ignore-healthcheck'] === 'true')
    )
      continue;
    if (live && isHook(live)) continue;
    const health = live
      ? resourceHealth(live)
      : desired && checkFor(desired)
        ? { status: 'Missing' as const }
        : undefined;
    if (health && isWorse(worst, health.status)) worst = health.status;
  }
  return worst;
}
