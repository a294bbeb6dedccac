/**
 * The replica count a Resource metric asks for (Kubernetes v1.33, pkg/controller/podautoscaler/replica_calculator.go
 * GetResourceReplicas and GetRawResourceReplicas, metrics/utilization.go), from the pods the target's selector
 * matches and what the resource metrics API (metrics-server) reports for them. Values are milli-units (1 CPU =
 * 1000; a byte of memory = 1000). Errors carry upstream's words, for the HPA's ScalingActive condition.
 */

import { milliValue } from './quantity.js';
import type { KubeObject } from './store.js';

/** What metrics-server reports for one pod: its containers' usage summed, when, over which window. */
export interface PodMetric {
  value: number;
  timestamp: number;
  windowMs: number;
}

export interface ReplicaInputs {
  currentReplicas: number;
  resource: string;
  /** The pods the scale's selector matches. */
  pods: KubeObject[];
  /** By pod name; a pod metrics-server has no sample for is absent. */
  metrics: Map<string, PodMetric>;
  now: number;
  /** --horizontal-pod-autoscaler-tolerance (0.1). */
  tolerance: number;
  /** --horizontal-pod-autoscaler-cpu-initialization-period (5 min). */
  cpuInitializationPeriodMs: number;
  /** --horizontal-pod-autoscaler-initial-readiness-delay (30 s). */
  initialReadinessDelayMs: number;
}

export interface UtilizationProposal {
  replicas: number;
  /** Percent of the requests, truncated (int32 in Go). */
  utilization: number;
  /** Average usage per pod counted, in milli-units. */
  rawAverage: number;
}

interface PodStatus {
  phase?: string;
  startTime?: string;
  conditions?: Array<{ type: string; status: string; lastTransitionTime?: string }>;
}

interface Grouped {
  ready: number;
  unready: Set<string>;
  missing: Set<string>;
}

const within = (ratio: number, tolerance: number) => 1 - tolerance <= ratio && ratio <= 1 + tolerance;

/** groupPods: which pods count, which are not ready (or still warming up), which have no metric. */
function groupPods(inputs: ReplicaInputs, metrics: Map<string, PodMetric>): Grouped {
  const grouped: Grouped = { ready: 0, unready: new Set(), missing: new Set() };
  for (const pod of inputs.pods) {
    const name = pod.metadata?.name ?? '';
    const status = (pod.status ?? {}) as PodStatus;
    if (pod.metadata?.deletionTimestamp || status.phase === 'Failed') {
      metrics.delete(name);
      continue;
    }
    if (status.phase === 'Pending') {
      grouped.unready.add(name);
      continue;
    }
    const metric = metrics.get(name);
    if (!metric) {
      grouped.missing.add(name);
      continue;
    }
    if (inputs.resource === 'cpu' && cpuSampleUnready(status, metric, inputs)) {
      grouped.unready.add(name);
      continue;
    }
    grouped.ready++;
  }
  for (const name of grouped.unready) metrics.delete(name);
  return grouped;
}

/** A CPU sample is not trusted from a pod that is not ready, or became ready less than one metric window ago. */
function cpuSampleUnready(status: PodStatus, metric: PodMetric, inputs: ReplicaInputs): boolean {
  const ready = status.conditions?.find((c) => c.type === 'Ready');
  if (!ready || !status.startTime) return true;
  const start = Date.parse(status.startTime);
  const transition = Date.parse(ready.lastTransitionTime ?? '') || 0;
  if (start + inputs.cpuInitializationPeriodMs > inputs.now)
    return ready.status === 'False' || metric.timestamp < transition + metric.windowMs;
  return ready.status === 'False' && start + inputs.initialReadinessDelayMs > transition;
}

interface Container {
  name?: string;
  restartPolicy?: string;
  resources?: { requests?: Record<string, string | number> };
}

/** calculateRequests: each pod's request of the resource, its containers' and restartable init containers' summed. */
function podRequests(pods: KubeObject[], resource: string): Map<string, number> {
  const requests = new Map<string, number>();
  for (const pod of pods) {
    const spec = (pod.spec ?? {}) as { containers?: Container[]; initContainers?: Container[] };
    const containers = [
      ...(spec.containers ?? []),
      ...(spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always'),
    ];
    let sum = 0;
    for (const c of containers) {
      const request = c.resources?.requests?.[resource];
      const milli = request === undefined ? undefined : milliValue(request);
      if (milli === undefined)
        throw new Error(
          `missing request for ${resource} in container ${c.name} of Pod ${pod.metadata?.name}`,
        );
      sum += milli;
    }
    requests.set(pod.metadata?.name ?? '', sum);
  }
  return requests;
}

/** GetResourceUtilizationRatio: usage over requests of the pods with both, as a truncated percentage of the target. */
function utilizationRatio(metrics: Map<string, PodMetric>, requests: Map<string, number>, target: number) {
  let usage = 0;
  let requested = 0;
  let entries = 0;
  for (const [name, metric] of metrics) {
    const request = requests.get(name);
    if (request === undefined) continue;
    usage += metric.value;
    requested += request;
    entries++;
  }
  if (requested === 0) throw new Error('no metrics returned matched known pods');
  const utilization = Math.trunc((usage * 100) / requested);
  return { ratio: utilization / target, utilization, rawAverage: Math.trunc(usage / entries) };
}

function listed(inputs: ReplicaInputs): Map<string, PodMetric> {
  if (inputs.metrics.size === 0)
    throw new Error(
      `unable to get metrics for resource ${inputs.resource}: no metrics returned from resource metrics API`,
    );
  if (inputs.pods.length === 0)
    throw new Error('no pods returned by selector while calculating replica count');
  return new Map(inputs.metrics);
}

/**
 * After the first ratio: missing pods count as using their whole request (at least the target) on the way down
 * and nothing on the way up, unready pods nothing on the way up; the count stays when that brings the ratio within
 * tolerance or turns the direction.
 */
function dampened(
  inputs: ReplicaInputs,
  metrics: Map<string, PodMetric>,
  grouped: Grouped,
  ratio: number,
  fill: (name: string) => number,
  recompute: () => number,
): number {
  const { currentReplicas, tolerance } = inputs;
  const upWithUnready = grouped.unready.size > 0 && ratio > 1;
  if (!upWithUnready && grouped.missing.size === 0) {
    if (within(ratio, tolerance)) return currentReplicas;
    return Math.ceil(ratio * grouped.ready);
  }
  const sample = (value: number): PodMetric => ({ value, timestamp: inputs.now, windowMs: 0 });
  if (ratio < 1) for (const name of grouped.missing) metrics.set(name, sample(fill(name)));
  else if (ratio > 1) for (const name of grouped.missing) metrics.set(name, sample(0));
  if (upWithUnready) for (const name of grouped.unready) metrics.set(name, sample(0));
  const next = recompute();
  if (within(next, tolerance) || (ratio < 1 && next > 1) || (ratio > 1 && next < 1)) return currentReplicas;
  const replicas = Math.ceil(next * metrics.size);
  if ((next < 1 && replicas > currentReplicas) || (next > 1 && replicas < currentReplicas))
    return currentReplicas;
  return replicas;
}

/** GetResourceReplicas: a target utilization (percent of the pods' requests). */
export function resourceReplicas(inputs: ReplicaInputs, targetUtilization: number): UtilizationProposal {
  const metrics = listed(inputs);
  const grouped = groupPods(inputs, metrics);
  if (metrics.size === 0)
    throw new Error('did not receive metrics for targeted pods (pods might be unready)');
  const requests = podRequests(inputs.pods, inputs.resource);
  const first = utilizationRatio(metrics, requests, targetUtilization);
  const fallback = Math.max(100, targetUtilization);
  const replicas = dampened(
    inputs,
    metrics,
    grouped,
    first.ratio,
    (name) => Math.trunc(((requests.get(name) ?? 0) * fallback) / 100),
    () => utilizationRatio(metrics, requests, targetUtilization).ratio,
  );
  return { replicas, utilization: first.utilization, rawAverage: first.rawAverage };
}

/** GetRawResourceReplicas: a target average usage per pod (milli-units). */
export function rawResourceReplicas(
  inputs: ReplicaInputs,
  targetAverage: number,
): Omit<UtilizationProposal, 'utilization'> {
  const metrics = listed(inputs);
  const grouped = groupPods(inputs, metrics);
  if (metrics.size === 0)
    throw new Error('did not receive metrics for targeted pods (pods might be unready)');
  // GetMetricUsageRatio: the average usage over the target.
  const usage = () => Math.trunc([...metrics.values()].reduce((sum, m) => sum + m.value, 0) / metrics.size);
  const rawAverage = usage();
  const replicas = dampened(
    inputs,
    metrics,
    grouped,
    rawAverage / targetAverage,
    () => targetAverage,
    () => usage() / targetAverage,
  );
  return { replicas, rawAverage };
}
