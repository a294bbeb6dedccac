/** Where pod specs live in the workload kinds lint understands (including Rollouts and analysis Jobs). */
import { asArray, asRecord } from './context.js';
import type { Resource } from './types.js';

export interface PodSpecAt {
  /** Path of the pod spec inside the object. */
  path: Array<string | number>;
  spec: Record<string, unknown>;
  /** Labels the pods get (template metadata), for Service and PDB selectors. */
  labels: Record<string, string>;
  /** Serves traffic for a long time (probes expected), as opposed to a run-to-completion Job. */
  longRunning: boolean;
}

const templated = new Set([
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'ReplicationController',
  'Rollout',
  'Job',
]);

export const workloadKinds = new Set([...templated, 'Pod', 'CronJob']);

function labelsOf(metadata: unknown): Record<string, string> {
  const labels = asRecord(asRecord(metadata)?.labels) ?? {};
  return Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, String(v)]));
}

export function podSpecsOf(r: Resource): PodSpecAt[] {
  const spec = asRecord(r.object.spec);
  if (!spec) return [];
  if (r.kind === 'Pod')
    return [{ path: ['spec'], spec, labels: labelsOf(r.object.metadata), longRunning: true }];
  if (templated.has(r.kind)) {
    const template = asRecord(spec.template);
    const podSpec = asRecord(template?.spec);
    if (!podSpec) return [];
    return [
      {
        path: ['spec', 'template', 'spec'],
        spec: podSpec,
        labels: labelsOf(template?.metadata),
        longRunning: r.kind !== 'Job',
      },
    ];
  }
  if (r.kind === 'CronJob') {
    const template = asRecord(asRecord(asRecord(spec.jobTemplate)?.spec)?.template);
    const podSpec = asRecord(template?.spec);
    return podSpec
      ? [
          {
            path: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
            spec: podSpec,
            labels: labelsOf(template?.metadata),
            longRunning: false,
          },
        ]
      : [];
  }
  if (
    (r.kind === 'AnalysisTemplate' || r.kind === 'ClusterAnalysisTemplate') &&
    r.apiVersion.startsWith('argoproj.io/')
  ) {
    const out: PodSpecAt[] = [];
    asArray(spec.metrics).forEach((metric, i) => {
      const template = asRecord(
        asRecord(asRecord(asRecord(asRecord(metric)?.provider)?.job)?.spec)?.template,
      );
      const podSpec = asRecord(template?.spec);
      if (podSpec) {
        out.push({
          path: ['spec', 'metrics', i, 'provider', 'job', 'spec', 'template', 'spec'],
          spec: podSpec,
          labels: labelsOf(template?.metadata),
          longRunning: false,
        });
      }
    });
    return out;
  }
  return [];
}

export interface ContainerAt {
  path: Array<string | number>;
  container: Record<string, unknown>;
  init: boolean;
}

export function containersOf(pod: PodSpecAt): ContainerAt[] {
  const out: ContainerAt[] = [];
  for (const [field, init] of [
    ['initContainers', true],
    ['containers', false],
  ] as const) {
    asArray(pod.spec[field]).forEach((c, i) => {
      const container = asRecord(c);
      if (container) out.push({ path: [...pod.path, field, i], container, init });
    });
  }
  return out;
}

/**
 * The pods a workload runs, for matching Service and PDB selectors: its pod templates, plus the pods Argo
 * Rollouts labels differently. argo-rollouts v1.8.3: rollout/experiment.go (GetExperimentFromTemplate) puts
 * an experiment step template's `metadata.labels` on that template's pods (and its `selector` replaces the
 * ReplicaSet selector); utils/replicaset (canaryMetadata / stableMetadata) adds labels to canary and stable
 * pods; an Experiment's spec.templates[].template is a pod template of its own.
 */
export function labelledPodsOf(r: Resource): PodSpecAt[] {
  const pods = podSpecsOf(r);
  if (!r.apiVersion.startsWith('argoproj.io/')) return pods;
  const spec = asRecord(r.object.spec) ?? {};
  if (r.kind === 'Experiment') {
    asArray(spec.templates).forEach((t, i) => {
      const template = asRecord(asRecord(t)?.template);
      const podSpec = asRecord(template?.spec);
      if (podSpec)
        pods.push({
          path: ['spec', 'templates', i, 'template', 'spec'],
          spec: podSpec,
          labels: labelsOf(template?.metadata),
          longRunning: true,
        });
    });
    return pods;
  }
  const base = pods[0];
  if (r.kind !== 'Rollout' || !base) return pods;
  const canary = asRecord(asRecord(spec.strategy)?.canary) ?? {};
  const extra: Array<Record<string, string>> = [
    labelsOf(canary.canaryMetadata),
    labelsOf(canary.stableMetadata),
    ...asArray(canary.steps).flatMap((step) =>
      asArray(asRecord(asRecord(step)?.experiment)?.templates).map((t) => labelsOf(asRecord(t)?.metadata)),
    ),
  ];
  for (const labels of extra) {
    if (Object.keys(labels).length > 0) pods.push({ ...base, labels: { ...base.labels, ...labels } });
  }
  return pods;
}
