/**
 * The HorizontalPodAutoscaler controller of Kubernetes v1.33 (the lab's node image, kindest/node:v1.33.1), from
 * pkg/controller/podautoscaler/horizontal.go; the replica calculator is hpa-replicas.ts, the normalization
 * hpa-normalize.ts. Each HPA is reconciled one sync period after it appears and every period after that
 * (--horizontal-pod-autoscaler-sync-period, 15 s; enqueueHPA with NewDefaultHPARateLimiter). A reconcile
 * (reconcileAutoscaler):
 * - reads the target's scale (scale.ts); a target that cannot be read sets AbleToScale False, FailedGetScale;
 * - a target at 0 replicas is left alone ("scaling is disabled since the replica count of the target is zero");
 *   above maxReplicas it goes to max, below minReplicas (default 1) to min, at once and without metrics;
 * - otherwise the metrics propose a count (the highest of the HPA's metrics; with no metrics listed, the API
 *   server's default of 80% CPU, pkg/apis/autoscaling/v2/defaults.go), and the proposal is normalized: without
 *   spec.behavior by the downscale stabilization window (the highest recommendation of the last 5 minutes,
 *   --horizontal-pod-autoscaler-downscale-stabilization) and the scale-up limit max(2 × current, 4); with
 *   spec.behavior by its windows and policies;
 * - a changed count is written to the target's spec.replicas, with an event (SuccessfulRescale, "New size: N;
 *   reason: …"); the status (currentReplicas, desiredReplicas, lastScaleTime, currentMetrics, conditions
 *   AbleToScale, ScalingActive, ScalingLimited) is written only when it changed (updateStatusIfNeeded).
 * Metrics come from the resource metrics API, which the lab's metrics-server (chart 3.13.0: --metric-resolution
 * 15 s) serves. The simulation cannot measure a pod's usage: `usage` says what it is; by default an idle service
 * (1m CPU and 64 MiB of memory a container, an assumption), reported once every container of the pod has run for
 * one metric resolution. Custom and external metrics APIs are not served in the lab, as on a kind cluster without
 * an adapter: such a metric fails.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Clock } from '../clock.js';
import type { SimCluster } from './api.js';
import { type EventRecorder, eventRecorder } from './events.js';
import {
  type BehaviorArgs,
  convertDesiredReplicasWithRules,
  convertWithBehaviorRate,
  type Limited,
  type Recommendation,
  type ScaleEvents,
  type ScalingRules,
  scaleDownRules,
  scaleUpRules,
  stabilizeRecommendation,
  stabilizeWithBehaviors,
  storeScaleEvent,
} from './hpa-normalize.js';
import { type PodMetric, type ReplicaInputs, rawResourceReplicas, resourceReplicas } from './hpa-replicas.js';
import { formatMilli, milliValue } from './quantity.js';
import { groupVersionOf, type ResourceType } from './resources.js';
import { scaleOf } from './scale.js';
import { labelSelectorMatcher } from './selectors.js';
import { type KubeObject, kubeTime } from './store.js';

export const hpaSyncPeriodMs = 15_000;
export const downscaleStabilizationMs = 300_000;
export const hpaTolerance = 0.1;
export const cpuInitializationPeriodMs = 300_000;
export const initialReadinessDelayMs = 30_000;
/** metrics-server's --metric-resolution in the chart the lab pins (3.13.0). */
export const metricResolutionMs = 15_000;

/** A container's usage of a resource in milli-units (1 CPU = 1000), or undefined when there is no sample. */
export type ResourceUsage = (pod: KubeObject, container: string, resource: string) => number | undefined;

const IDLE: Record<string, number> = { cpu: 1, memory: 64 * 1024 * 1024 * 1000 };

/** The idle service the simulation assumes: 1m CPU and 64 MiB a container. */
export const idleUsage: ResourceUsage = (_pod, _container, resource) => IDLE[resource];

export interface HpaControllerOptions {
  periodMs?: number;
  downscaleStabilizationMs?: number;
  tolerance?: number;
  usage?: ResourceUsage;
}

interface MetricTarget {
  type?: string;
  averageUtilization?: number;
  averageValue?: string | number;
}

interface MetricSpec {
  type?: string;
  resource?: { name?: string; target?: MetricTarget };
  pods?: { metric?: { name?: string } };
  object?: { metric?: { name?: string } };
  external?: { metric?: { name?: string } };
  containerResource?: { name?: string; container?: string };
}

interface HpaSpec {
  scaleTargetRef?: { apiVersion?: string; kind?: string; name?: string };
  minReplicas?: number;
  maxReplicas?: number;
  metrics?: MetricSpec[];
  behavior?: { scaleUp?: Partial<ScalingRules>; scaleDown?: Partial<ScalingRules> };
}

interface Condition {
  type: string;
  status: string;
  lastTransitionTime?: string;
  reason: string;
  message: string;
}

interface HpaStatus {
  currentReplicas?: number;
  desiredReplicas?: number;
  lastScaleTime?: string;
  currentMetrics?: unknown[];
  conditions?: Condition[];
}

/** What the controller remembers of one HPA between reconciles. */
interface Memory {
  recommendations?: Recommendation[];
  events: ScaleEvents;
}

/** setConditionInList: a condition's transition time moves only when its status does. */
function setCondition(
  status: HpaStatus,
  now: number,
  condition: Omit<Condition, 'lastTransitionTime'>,
): void {
  status.conditions ??= [];
  const list = status.conditions;
  let found = list.find((c) => c.type === condition.type);
  if (!found) {
    found = { type: condition.type, status: '', reason: '', message: '' };
    list.push(found);
  }
  if (found.status !== condition.status) found.lastTransitionTime = kubeTime(now);
  Object.assign(found, { status: condition.status, reason: condition.reason, message: condition.message });
}

/** setStatus: the status rebuilt from the counts, the last scale time, the metrics and the conditions so far. */
function rebuilt(
  status: HpaStatus,
  current: number,
  desired: number,
  lastScaleTime: string | undefined,
  metrics: unknown[] | undefined,
): HpaStatus {
  return {
    currentReplicas: current,
    desiredReplicas: desired,
    ...(lastScaleTime ? { lastScaleTime } : {}),
    ...(metrics?.length ? { currentMetrics: metrics } : {}),
    ...(status.conditions ? { conditions: status.conditions } : {}),
  };
}

/** The metric sources the lab serves no API for (as a kind cluster without an adapter): how each fails. */
const UNSERVED: Record<string, { reason: string; api: string; failure: (m: MetricSpec) => string }> = {
  Pods: {
    reason: 'FailedGetPodsMetric',
    api: 'custom',
    failure: (m) => `failed to get pods metric value: unable to get metric ${m.pods?.metric?.name}`,
  },
  Object: {
    reason: 'FailedGetObjectMetric',
    api: 'custom',
    failure: (m) => `failed to get object metric value: unable to get metric ${m.object?.metric?.name}`,
  },
  External: {
    reason: 'FailedGetExternalMetric',
    api: 'external',
    failure: (m) => `unable to get external metric ${m.external?.metric?.name}`,
  },
  ContainerResource: {
    reason: 'FailedGetContainerResourceMetric',
    api: 'per-container resource',
    failure: (m) =>
      `failed to get ${m.containerResource?.name} utilization of container ${m.containerResource?.container}`,
  },
};

class MetricFailure extends Error {
  constructor(
    message: string,
    readonly reason: string,
  ) {
    super(message);
  }
}

interface Proposal {
  replicas: number;
  name: string;
  status: unknown;
}

class HpaController {
  private readonly memory = new Map<string, Memory>();
  private readonly timers = new Map<string, () => void>();
  private readonly events: EventRecorder;

  constructor(
    private readonly cluster: SimCluster,
    private readonly clock: Clock,
    private readonly options: Required<HpaControllerOptions>,
  ) {
    this.events = eventRecorder(cluster, clock, 'horizontal-pod-autoscaler');
  }

  start(): () => void {
    const stopWatching = this.cluster.onChange((event) => {
      if (event.resource.kind !== 'HorizontalPodAutoscaler') return;
      const key = `${event.object.metadata?.namespace ?? 'default'}/${event.object.metadata?.name}`;
      if (event.type === 'DELETED') this.forget(key);
      else if (!this.timers.has(key)) this.schedule(key);
    });
    for (const hpa of this.cluster.list('autoscaling/v2', 'HorizontalPodAutoscaler'))
      this.schedule(`${hpa.metadata?.namespace ?? 'default'}/${hpa.metadata?.name}`);
    return () => {
      stopWatching();
      for (const cancel of this.timers.values()) cancel();
      this.timers.clear();
    };
  }

  private forget(key: string): void {
    this.timers.get(key)?.();
    this.timers.delete(key);
    this.memory.delete(key);
  }

  private schedule(key: string): void {
    this.timers.set(
      key,
      this.clock.setTimer(this.options.periodMs, () => {
        const [ns = 'default', name = ''] = key.split('/');
        const hpa = this.cluster.get('autoscaling/v2', 'HorizontalPodAutoscaler', name, ns);
        if (!hpa) return this.forget(key);
        this.reconcile(key, hpa);
        this.schedule(key);
      }),
    );
  }

  private event(hpa: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    // The HPA an event is about, as the controller reads it (autoscaling/v2).
    this.events.record(
      { ...hpa, apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' },
      type,
      reason,
      message,
    );
  }

  private reconcile(key: string, hpa: KubeObject): void {
    const now = this.clock.now();
    const spec = (hpa.spec ?? {}) as HpaSpec;
    const before = (hpa.status ?? {}) as HpaStatus;
    const status: HpaStatus = structuredClone(before);
    const condition = (c: Omit<Condition, 'lastTransitionTime'>) => setCondition(status, now, c);
    const ns = hpa.metadata?.namespace ?? 'default';
    const ref = spec.scaleTargetRef ?? {};
    const target = this.target(ref, ns);
    if (typeof target === 'string') {
      this.event(hpa, 'Warning', 'FailedGetScale', target);
      condition({
        type: 'AbleToScale',
        status: 'False',
        reason: 'FailedGetScale',
        message: `the HPA controller was unable to get the target's current scale: ${target}`,
      });
      this.writeStatus(hpa, before, status);
      return;
    }
    const scale = scaleOf(target.object, target.resource);
    condition({
      type: 'AbleToScale',
      status: 'True',
      reason: 'SucceededGetScale',
      message: "the HPA controller was able to get the target's current scale",
    });
    const current = scale.replicas;
    const memory = this.memory.get(key) ?? { events: { up: [], down: [] } };
    this.memory.set(key, memory);
    memory.recommendations ??= [{ replicas: current, at: now }];
    const min = spec.minReplicas ?? 1;
    const max = spec.maxReplicas ?? min;
    let desired = 0;
    let reason = '';
    let rescale = true;
    let metricStatuses: unknown[] | undefined;
    if (current === 0 && min !== 0) {
      desired = 0;
      rescale = false;
      condition({
        type: 'ScalingActive',
        status: 'False',
        reason: 'ScalingDisabled',
        message: 'scaling is disabled since the replica count of the target is zero',
      });
    } else if (current > max) {
      reason = 'Current number of replicas above Spec.MaxReplicas';
      desired = max;
    } else if (current < min) {
      reason = 'Current number of replicas below Spec.MinReplicas';
      desired = min;
    } else {
      const metrics = this.computeReplicasForMetrics(hpa, spec, scale, ns, condition, now);
      metricStatuses = metrics.statuses;
      if (metrics.replicas === -1) {
        // setCurrentReplicasAndMetricsInStatus: the desired count stays what it was.
        this.event(hpa, 'Warning', 'FailedComputeMetricsReplicas', metrics.error ?? '');
        const kept = rebuilt(
          status,
          current,
          before.desiredReplicas ?? 0,
          before.lastScaleTime,
          metricStatuses,
        );
        this.writeStatus(hpa, before, kept);
        return;
      }
      desired = metrics.replicas;
      if (desired > current) reason = `${metrics.name} above target`;
      if (desired < current) reason = 'All metrics below target';
      const normalized = this.normalize(spec, memory, current, desired, min, max, now);
      condition({ type: 'AbleToScale', status: 'True', ...normalized.ableToScale });
      condition({
        type: 'ScalingLimited',
        status: normalized.limited.replicas === normalized.stabilized ? 'False' : 'True',
        reason: normalized.limited.reason,
        message: normalized.limited.message,
      });
      desired = normalized.limited.replicas;
      rescale = desired !== current;
    }
    if (rescale) {
      this.cluster.update(ref.apiVersion ?? '', ref.kind ?? '', ref.name ?? '', ns, (o) => {
        o.spec = { ...(o.spec as object), replicas: desired };
      });
      condition({
        type: 'AbleToScale',
        status: 'True',
        reason: 'SucceededRescale',
        message: `the HPA controller was able to update the target scale to ${desired}`,
      });
      this.event(hpa, 'Normal', 'SuccessfulRescale', `New size: ${desired}; reason: ${reason}`);
      if (spec.behavior) {
        const rules = this.behavior(spec);
        if (desired > current) storeScaleEvent(memory.events.up, rules.up, desired - current, now);
        else storeScaleEvent(memory.events.down, rules.down, current - desired, now);
      }
    } else desired = current;
    const lastScale = rescale ? kubeTime(now) : before.lastScaleTime;
    this.writeStatus(hpa, before, rebuilt(status, current, desired, lastScale, metricStatuses));
  }

  /** The target object and its API group, or the error the scale client would give. */
  private target(
    ref: NonNullable<HpaSpec['scaleTargetRef']>,
    ns: string,
  ): { object: KubeObject; resource: ResourceType } | string {
    const { group, version } = groupVersionOf(ref.apiVersion);
    let resource: ReturnType<SimCluster['store']['resourceFor']>;
    try {
      resource = this.cluster.store.resourceFor(ref.apiVersion ?? '', ref.kind ?? '');
    } catch {
      return `no matches for kind "${ref.kind}" in group "${group}"`;
    }
    if (!resource.subresources?.includes('scale'))
      return `${resource.plural}${group ? `.${group}` : ''} "${ref.name}" has no scale subresource (${version})`;
    const object = this.cluster.get(ref.apiVersion ?? '', ref.kind ?? '', ref.name ?? '', ns);
    return object ? { object, resource } : this.cluster.store.notFound(resource, ref.name ?? '').message;
  }

  private behavior(spec: HpaSpec): { up: ScalingRules; down: ScalingRules } {
    return {
      up: scaleUpRules(spec.behavior?.scaleUp),
      down: scaleDownRules(spec.behavior?.scaleDown, this.options.downscaleStabilizationMs / 1000),
    };
  }

  /** normalizeDesiredReplicas (no spec.behavior) or normalizeDesiredReplicasWithBehaviors. */
  private normalize(
    spec: HpaSpec,
    memory: Memory,
    current: number,
    desired: number,
    min: number,
    max: number,
    now: number,
  ): { stabilized: number; ableToScale: { reason: string; message: string }; limited: Limited } {
    const log = memory.recommendations ?? [];
    const ready = { reason: 'ReadyForNewScale', message: 'recommended size matches current size' };
    if (!spec.behavior) {
      const stabilized = stabilizeRecommendation(log, desired, now, this.options.downscaleStabilizationMs);
      return {
        stabilized,
        ableToScale:
          stabilized !== desired
            ? {
                reason: 'ScaleDownStabilized',
                message:
                  'recent recommendations were higher than current one, applying the highest recent recommendation',
              }
            : ready,
        limited: convertDesiredReplicasWithRules(current, stabilized, min, max),
      };
    }
    const args: BehaviorArgs = { ...this.behavior(spec), min, max, current, desired };
    const stabilized = stabilizeWithBehaviors(log, args, now);
    return {
      stabilized: stabilized.replicas,
      ableToScale: stabilized.replicas !== desired ? stabilized : ready,
      limited: convertWithBehaviorRate({ ...args, desired: stabilized.replicas }, memory.events, now),
    };
  }

  /**
   * computeReplicasForMetrics: the highest count the valid metrics propose; -1 (and the first failure's condition)
   * when every metric fails, or when one fails and the others would scale down.
   */
  private computeReplicasForMetrics(
    hpa: KubeObject,
    spec: HpaSpec,
    scale: ReturnType<typeof scaleOf>,
    ns: string,
    condition: (c: Omit<Condition, 'lastTransitionTime'>) => void,
    now: number,
  ): { replicas: number; name: string; statuses?: unknown[]; error?: string } {
    if (!scale.selector) {
      this.event(hpa, 'Warning', 'SelectorRequired', 'selector is required');
      condition({
        type: 'ScalingActive',
        status: 'False',
        reason: 'InvalidSelector',
        message: "the HPA target's scale is missing a selector",
      });
      return { replicas: -1, name: '', error: 'selector is required' };
    }
    const metricSpecs = spec.metrics?.length
      ? spec.metrics
      : [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
          },
        ];
    const matches = labelSelectorMatcher(scale.selector);
    const pods = this.cluster
      .list('v1', 'Pod', ns)
      .filter((p) => matches(p.metadata?.labels as Record<string, string> | undefined));
    const statuses: unknown[] = metricSpecs.map(() => ({ type: '' }));
    let replicas = 0;
    let name = '';
    let invalid = 0;
    let first: MetricFailure | undefined;
    metricSpecs.forEach((metric, i) => {
      try {
        const proposal = this.proposal(metric, scale, pods, now);
        statuses[i] = proposal.status;
        if (replicas === 0 || proposal.replicas > replicas) {
          replicas = proposal.replicas;
          name = proposal.name;
        }
      } catch (error) {
        const failure =
          error instanceof MetricFailure
            ? error
            : new MetricFailure(String(error), 'InvalidMetricSourceType');
        this.event(hpa, 'Warning', failure.reason, failure.message);
        invalid++;
        first ??= failure;
      }
    });
    if (first && (invalid >= metricSpecs.length || replicas < scale.replicas)) {
      condition({
        type: 'ScalingActive',
        status: 'False',
        reason: first.reason,
        message: `the HPA was unable to compute the replica count: ${first.message}`,
      });
      return {
        replicas: -1,
        name: '',
        statuses,
        error: `invalid metrics (${invalid} invalid out of ${metricSpecs.length}), first error is: ${first.message}`,
      };
    }
    condition({
      type: 'ScalingActive',
      status: 'True',
      reason: 'ValidMetricFound',
      message: `the HPA was able to successfully calculate a replica count from ${name}`,
    });
    return { replicas, name, statuses };
  }

  /** computeReplicasForMetric for one metric; a Resource metric is computed, the other types fail as in the lab. */
  private proposal(
    metric: MetricSpec,
    scale: ReturnType<typeof scaleOf>,
    pods: KubeObject[],
    now: number,
  ): Proposal {
    if (metric.type !== 'Resource') {
      const which = metric.type ?? '';
      const source = UNSERVED[which];
      if (!source)
        throw new MetricFailure(`unknown metric source type "${which}"`, 'InvalidMetricSourceType');
      throw new MetricFailure(
        `${source.failure(metric)}: the simulated lab serves no ${source.api} metrics API`,
        source.reason,
      );
    }
    const resource = metric.resource?.name ?? 'cpu';
    const target = metric.resource?.target ?? {};
    const inputs: ReplicaInputs = {
      currentReplicas: scale.replicas,
      resource,
      pods,
      metrics: this.podMetrics(pods, resource, now),
      now,
      tolerance: this.options.tolerance,
      cpuInitializationPeriodMs,
      initialReadinessDelayMs,
    };
    const fail = (what: string, error: unknown) =>
      new MetricFailure(
        `failed to get ${resource} ${what}: ${(error as Error).message}`,
        'FailedGetResourceMetric',
      );
    if (target.averageValue !== undefined) {
      const average = milliValue(target.averageValue) ?? 0;
      try {
        const raw = rawResourceReplicas(inputs, average);
        return {
          replicas: raw.replicas,
          name: `${resource} resource`,
          status: {
            type: 'Resource',
            resource: { name: resource, current: { averageValue: formatMilli(raw.rawAverage) } },
          },
        };
      } catch (error) {
        throw fail('usage', error);
      }
    }
    if (target.averageUtilization === undefined)
      throw new MetricFailure(
        'invalid resource metric source: neither an average utilization target nor an average value (usage) target was set',
        'FailedGetResourceMetric',
      );
    try {
      const proposal = resourceReplicas(inputs, target.averageUtilization);
      return {
        replicas: proposal.replicas,
        name: `${resource} resource utilization (percentage of request)`,
        status: {
          type: 'Resource',
          resource: {
            name: resource,
            current: {
              averageUtilization: proposal.utilization,
              averageValue: formatMilli(proposal.rawAverage),
            },
          },
        },
      };
    } catch (error) {
      throw fail('utilization', error);
    }
  }

  /**
   * What metrics-server reports: a pod's containers' usage summed, for pods whose containers have all run for one
   * metric resolution (it needs two scrapes to compute a rate); sampled now, over one resolution.
   */
  private podMetrics(pods: KubeObject[], resource: string, now: number): Map<string, PodMetric> {
    const metrics = new Map<string, PodMetric>();
    for (const pod of pods) {
      const statuses =
        (
          pod.status as {
            containerStatuses?: Array<{ name: string; state?: { running?: { startedAt?: string } } }>;
          }
        )?.containerStatuses ?? [];
      const running = statuses.filter((c) => c.state?.running?.startedAt);
      if (running.length === 0 || running.length < statuses.length) continue;
      if (running.some((c) => Date.parse(c.state?.running?.startedAt ?? '') + metricResolutionMs > now))
        continue;
      let sum = 0;
      let sampled = true;
      for (const c of running) {
        const usage = this.options.usage(pod, c.name, resource);
        if (usage === undefined) sampled = false;
        else sum += usage;
      }
      if (sampled)
        metrics.set(pod.metadata?.name ?? '', { value: sum, timestamp: now, windowMs: metricResolutionMs });
    }
    return metrics;
  }

  private writeStatus(hpa: KubeObject, before: HpaStatus, next: HpaStatus): void {
    if (isDeepStrictEqual(before, next)) return;
    this.cluster.update(
      'autoscaling/v2',
      'HorizontalPodAutoscaler',
      hpa.metadata?.name ?? '',
      hpa.metadata?.namespace,
      (o) => {
        o.status = next;
      },
    );
  }
}

/** Starts the HPA controller; returns a function that stops it. */
export function startHpaController(
  cluster: SimCluster,
  clock: Clock,
  options: HpaControllerOptions = {},
): () => void {
  return new HpaController(cluster, clock, {
    periodMs: options.periodMs ?? hpaSyncPeriodMs,
    downscaleStabilizationMs: options.downscaleStabilizationMs ?? downscaleStabilizationMs,
    tolerance: options.tolerance ?? hpaTolerance,
    usage: options.usage ?? idleUsage,
  }).start();
}
