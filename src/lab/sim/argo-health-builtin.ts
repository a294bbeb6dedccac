/**
 * gitops-engine's built-in health checks (pkg/health at e48120133eec, the commit Argo CD v3.1.12 pins) for the
 * workload, storage, networking and aggregation kinds a user may add to the lab's Git repository: Deployment,
 * StatefulSet, DaemonSet, ReplicaSet, Pod, Job, PersistentVolumeClaim, Ingress and APIService. Argo CD v3.1.12 ships
 * no Lua health check for any of them (resource_customizations/apps/* and batch/CronJob hold only actions), so the
 * built-in check is what Argo CD shows. The status and message texts are upstream's: they reach
 * `kubectl get app -o yaml` and the sync's "waiting for healthy state of ..." message.
 *
 * Fields are read as Go's typed conversion (runtime.DefaultUnstructuredConverter) leaves them: a missing number is
 * 0, a missing pointer (spec.replicas, rollingUpdate.partition) is nil and skips its rule.
 */

import type { HealthCode, HealthStatus } from './argo-health.js';
import { groupVersionOf } from './resources.js';
import type { KubeObject } from './store.js';

/** A status condition, as the checks read it. */
export interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
}

type Fields = Record<string, unknown>;

export const fieldsOf = (value: unknown): Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Fields) : {};
/** An int32/int64 field as Go reads it: absent is 0. */
const int = (value: unknown) => (typeof value === 'number' ? value : 0);
/** A *int32 field: absent is nil. */
const intPtr = (value: unknown) => (typeof value === 'number' ? value : undefined);
const str = (value: unknown) => (typeof value === 'string' ? value : '');
/** status.conditions, [] when absent or not a list. */
export const conditionsOf = (status: Fields): Condition[] =>
  Array.isArray(status.conditions) ? (status.conditions as Condition[]) : [];
/** Go's %q for the DNS names the checks quote. */
const quote = (s: string) => JSON.stringify(s);

const health = (status: HealthCode, message = ''): HealthStatus => ({ status, message });

/**
 * The typed checks convert the object to one API version and refuse any other (getDeploymentHealth and its
 * siblings: `unsupported <Kind> GVK: <group>/<version>, Kind=<Kind>`). GetResourceHealth turns that error into
 * Unknown with the error as the message.
 */
function typed(
  kind: string,
  versions: string[],
  check: (obj: KubeObject) => HealthStatus,
): (obj: KubeObject) => HealthStatus {
  return (obj) => {
    const { group, version } = groupVersionOf(obj.apiVersion);
    if (!versions.includes(version))
      return health('Unknown', `unsupported ${kind} GVK: ${group}/${version}, Kind=${obj.kind ?? ''}`);
    return check(obj);
  };
}

/**
 * health_deployment.go getAppsv1DeploymentHealth (kubectl's rollout status): paused is Suspended; a generation not
 * yet observed is Progressing; then, in order, a Progressing condition with reason ProgressDeadlineExceeded is
 * Degraded, too few updated replicas, old replicas left and updated ones not yet available are Progressing.
 */
function deploymentHealth(obj: KubeObject): HealthStatus {
  const spec = fieldsOf(obj.spec);
  const status = fieldsOf(obj.status);
  if (spec.paused === true) return health('Suspended', 'Deployment is paused');
  if (int(obj.metadata?.generation) > int(status.observedGeneration))
    return health(
      'Progressing',
      'Waiting for rollout to finish: observed deployment generation less than desired generation',
    );
  // getAppsv1DeploymentCondition: the first condition of the type.
  const progressing = conditionsOf(status).find((c) => c.type === 'Progressing');
  const replicas = intPtr(spec.replicas);
  const updated = int(status.updatedReplicas);
  const current = int(status.replicas);
  const available = int(status.availableReplicas);
  if (progressing?.reason === 'ProgressDeadlineExceeded')
    return health('Degraded', `Deployment ${quote(obj.metadata?.name ?? '')} exceeded its progress deadline`);
  if (replicas !== undefined && updated < replicas)
    return health(
      'Progressing',
      `Waiting for rollout to finish: ${updated} out of ${replicas} new replicas have been updated...`,
    );
  if (current > updated)
    return health(
      'Progressing',
      `Waiting for rollout to finish: ${current - updated} old replicas are pending termination...`,
    );
  if (available < updated)
    return health(
      'Progressing',
      `Waiting for rollout to finish: ${available} of ${updated} updated replicas are available...`,
    );
  return health('Healthy');
}

/**
 * health_statefulset.go getAppsv1StatefulSetHealth: an unobserved (or never observed: observedGeneration 0)
 * generation and unready replicas are Progressing; a RollingUpdate with a rollingUpdate block (every StatefulSet the
 * API server defaulted: partition 0) is Healthy once the pods above the partition are updated; OnDelete is Healthy;
 * otherwise the update revision must have become the current one.
 */
function statefulSetHealth(obj: KubeObject): HealthStatus {
  const spec = fieldsOf(obj.spec);
  const status = fieldsOf(obj.status);
  const observed = int(status.observedGeneration);
  if (observed === 0 || int(obj.metadata?.generation) > observed)
    return health('Progressing', 'Waiting for statefulset spec update to be observed...');
  const replicas = intPtr(spec.replicas);
  const ready = int(status.readyReplicas);
  const updated = int(status.updatedReplicas);
  if (replicas !== undefined && ready < replicas)
    return health('Progressing', `Waiting for ${replicas - ready} pods to be ready...`);
  const strategy = fieldsOf(spec.updateStrategy);
  if (strategy.type === 'RollingUpdate' && strategy.rollingUpdate != null) {
    const partition = intPtr(fieldsOf(strategy.rollingUpdate).partition);
    if (replicas !== undefined && partition !== undefined && updated < replicas - partition)
      return health(
        'Progressing',
        `Waiting for partitioned roll out to finish: ${updated} out of ${replicas - partition} new pods have been updated...`,
      );
    return health('Healthy', `partitioned roll out complete: ${updated} new pods have been updated...`);
  }
  if (strategy.type === 'OnDelete') return health('Healthy', `statefulset has ${ready} ready pods`);
  const updateRevision = str(status.updateRevision);
  const currentRevision = str(status.currentRevision);
  if (updateRevision !== currentRevision)
    return health(
      'Progressing',
      `waiting for statefulset rolling update to complete ${updated} pods at revision ${updateRevision}...`,
    );
  return health(
    'Healthy',
    `statefulset rolling update complete ${int(status.currentReplicas)} pods at revision ${currentRevision}...`,
  );
}

/**
 * health_daemonset.go getAppsv1DaemonSetHealth: an unobserved generation is Progressing; OnDelete is Healthy; else
 * every scheduled pod must be updated, then available.
 */
function daemonSetHealth(obj: KubeObject): HealthStatus {
  const spec = fieldsOf(obj.spec);
  const status = fieldsOf(obj.status);
  const name = quote(obj.metadata?.name ?? '');
  if (int(obj.metadata?.generation) > int(status.observedGeneration))
    return health(
      'Progressing',
      'Waiting for rollout to finish: observed daemon set generation less than desired generation',
    );
  const updated = int(status.updatedNumberScheduled);
  const desired = int(status.desiredNumberScheduled);
  const available = int(status.numberAvailable);
  if (fieldsOf(spec.updateStrategy).type === 'OnDelete')
    return health('Healthy', `daemon set ${updated} out of ${desired} new pods have been updated`);
  if (updated < desired)
    return health(
      'Progressing',
      `Waiting for daemon set ${name} rollout to finish: ${updated} out of ${desired} new pods have been updated...`,
    );
  if (available < desired)
    return health(
      'Progressing',
      `Waiting for daemon set ${name} rollout to finish: ${available} of ${desired} updated pods are available...`,
    );
  return health('Healthy');
}

/**
 * health_replicaset.go getAppsv1ReplicaSetHealth: an unobserved generation is Progressing; a ReplicaFailure True
 * condition (pods the controller could not create, e.g. over quota) is Degraded with its message; fewer available
 * replicas than spec.replicas is Progressing.
 */
function replicaSetHealth(obj: KubeObject): HealthStatus {
  const spec = fieldsOf(obj.spec);
  const status = fieldsOf(obj.status);
  if (int(obj.metadata?.generation) > int(status.observedGeneration))
    return health(
      'Progressing',
      'Waiting for rollout to finish: observed replica set generation less than desired generation',
    );
  const failure = conditionsOf(status).find((c) => c.type === 'ReplicaFailure');
  const replicas = intPtr(spec.replicas);
  const available = int(status.availableReplicas);
  if (failure?.status === 'True') return health('Degraded', str(failure.message));
  if (replicas !== undefined && available < replicas)
    return health(
      'Progressing',
      `Waiting for rollout to finish: ${available} out of ${replicas} new replicas are available...`,
    );
  return health('Healthy');
}

interface ContainerStatus {
  name?: string;
  state?: {
    waiting?: { reason?: string; message?: string };
    terminated?: { reason?: string; message?: string; exitCode?: number };
  };
  lastState?: { terminated?: unknown };
}

/** health_pod.go getFailMessage: a terminated container's message, else OOMKilled, else a non-zero exit code. */
function failMessage(ctr: ContainerStatus): string {
  const terminated = ctr.state?.terminated;
  if (!terminated) return '';
  if (terminated.message) return terminated.message;
  if (terminated.reason === 'OOMKilled') return terminated.reason;
  const exitCode = int(terminated.exitCode);
  if (exitCode !== 0) return `container ${quote(ctr.name ?? '')} failed with exit code ${exitCode}`;
  return '';
}

/**
 * health_pod.go getCorev1PodHealth. With restartPolicy Always, an app container (not an init container) waiting
 * for a reason starting "Err" or ending "Error" or "BackOff" (ErrImagePull, CreateContainerConfigError,
 * CrashLoopBackOff, ImagePullBackOff) makes the pod Degraded, the waiting messages joined by ", "; a hook-like pod
 * (OnFailure, Never) is spared so that a hook is not failed early. Then by phase, with the pod's status.message:
 * Pending is Progressing; Succeeded Healthy; Failed Degraded (the pod's message, else the first container's fail
 * message, init containers first); Running with Always is Healthy when the Ready condition is True, Degraded when a
 * container has a last terminated state, else Progressing; Running with OnFailure or Never is Progressing (finite
 * pods, usually hooks). Any other phase (or restart policy) is Unknown.
 */
function podHealth(obj: KubeObject): HealthStatus {
  const spec = fieldsOf(obj.spec);
  const status = fieldsOf(obj.status);
  const message = str(status.message);
  const containers = (
    Array.isArray(status.containerStatuses) ? status.containerStatuses : []
  ) as ContainerStatus[];
  const initContainers = (
    Array.isArray(status.initContainerStatuses) ? status.initContainerStatuses : []
  ) as ContainerStatus[];
  const restartPolicy = spec.restartPolicy;
  if (restartPolicy === 'Always') {
    const waiting = containers
      .map((c) => c.state?.waiting)
      .filter((w): w is { reason?: string; message?: string } => {
        const reason = str(w?.reason);
        return (
          w !== undefined &&
          (reason.startsWith('Err') || reason.endsWith('Error') || reason.endsWith('BackOff'))
        );
      });
    if (waiting.length > 0) return health('Degraded', waiting.map((w) => str(w.message)).join(', '));
  }
  switch (status.phase) {
    case 'Pending':
      return health('Progressing', message);
    case 'Succeeded':
      return health('Healthy', message);
    case 'Failed': {
      if (message) return health('Degraded', message);
      for (const ctr of [...initContainers, ...containers]) {
        const fail = failMessage(ctr);
        if (fail) return health('Degraded', fail);
      }
      return health('Degraded');
    }
    case 'Running':
      if (restartPolicy === 'Always') {
        // podutils.IsPodReady: the Ready condition is True.
        if (conditionsOf(status).some((c) => c.type === 'Ready' && c.status === 'True'))
          return health('Healthy', message);
        if (containers.some((c) => c.lastState?.terminated != null)) return health('Degraded', message);
        return health('Progressing', message);
      }
      if (restartPolicy === 'OnFailure' || restartPolicy === 'Never') return health('Progressing', message);
      break;
  }
  return health('Unknown', message);
}

/**
 * health_job.go getBatchv1JobHealth, from the conditions alone (status.active is not read): none of Failed, Complete
 * or Suspended is Progressing; Failed (any status) is Degraded with its message; Suspended True is Suspended, with the
 * Failed message (so none); otherwise Healthy with the last Complete or Suspended condition's message. A Job resumed
 * after a suspension keeps a Suspended False condition, so Argo CD rates it Healthy while its pods still run.
 */
function jobHealth(obj: KubeObject): HealthStatus {
  let failed = false;
  let complete = false;
  let suspended = false;
  let failMsg = '';
  let message = '';
  for (const c of conditionsOf(fieldsOf(obj.status))) {
    if (c.type === 'Failed') {
      failed = true;
      complete = true;
      failMsg = str(c.message);
    } else if (c.type === 'Complete') {
      complete = true;
      message = str(c.message);
    } else if (c.type === 'Suspended') {
      complete = true;
      message = str(c.message);
      if (c.status === 'True') suspended = true;
    }
  }
  if (!complete) return health('Progressing', message);
  if (failed) return health('Degraded', failMsg);
  if (suspended) return health('Suspended', failMsg);
  return health('Healthy', message);
}

/** health_pvc.go getCorev1PVCHealth: Bound Healthy, Pending Progressing, Lost Degraded, anything else Unknown. */
function pvcHealth(obj: KubeObject): HealthStatus {
  const phase = fieldsOf(obj.status).phase;
  if (phase === 'Bound') return health('Healthy');
  if (phase === 'Pending') return health('Progressing');
  if (phase === 'Lost') return health('Degraded');
  return health('Unknown');
}

/**
 * health_ingress.go getIngressHealth (networking.k8s.io and extensions, any version): Healthy once
 * status.loadBalancer.ingress has an entry (even an empty one), else Progressing.
 */
function ingressHealth(obj: KubeObject): HealthStatus {
  const ingress = fieldsOf(fieldsOf(obj.status).loadBalancer).ingress;
  return health(Array.isArray(ingress) && ingress.length > 0 ? 'Healthy' : 'Progressing');
}

/**
 * health_apiservice.go (v1 and v1beta1): the first Available condition decides, True Healthy and anything else
 * Progressing, with "<reason>: <message>"; none is Progressing "Waiting to be processed".
 */
function apiServiceHealth(obj: KubeObject): HealthStatus {
  const available = conditionsOf(fieldsOf(obj.status)).find((c) => c.type === 'Available');
  if (!available) return health('Progressing', 'Waiting to be processed');
  const message = `${str(available.reason)}: ${str(available.message)}`;
  return health(available.status === 'True' ? 'Healthy' : 'Progressing', message);
}

/** health.go GetHealthCheckFunc's entries for these kinds, by group/kind (the version is checked by `typed`). */
export const builtinChecks: Record<string, (obj: KubeObject) => HealthStatus> = {
  'apps/Deployment': typed('Deployment', ['v1'], deploymentHealth),
  'apps/StatefulSet': typed('StatefulSet', ['v1'], statefulSetHealth),
  'apps/DaemonSet': typed('DaemonSet', ['v1'], daemonSetHealth),
  'apps/ReplicaSet': typed('ReplicaSet', ['v1'], replicaSetHealth),
  '/Pod': typed('Pod', ['v1'], podHealth),
  '/PersistentVolumeClaim': typed('PersistentVolumeClaim', ['v1'], pvcHealth),
  'batch/Job': typed('Job', ['v1'], jobHealth),
  'networking.k8s.io/Ingress': ingressHealth,
  'extensions/Ingress': ingressHealth,
  'apiregistration.k8s.io/APIService': typed('APIService', ['v1', 'v1beta1'], apiServiceHealth),
};
