/**
 * Argo CD's health assessment as the simulation models it, against upstream's own cases: gitops-engine
 * pkg/health/health_test.go (TestHPA, TestServiceHealth, TestDeploymentHealth, TestStatefulSetHealth,
 * TestDaemonSetOnDeleteHealth, TestPod, TestJob, TestPVCHealth, TestIngressHealth, TestAPIService; the commit Argo CD
 * v3.1.12 pins, e48120133eec) with its testdata, and Argo CD's Lua test
 * tables resource_customizations/argoproj.io/Rollout/health_test.yaml and policy/PodDisruptionBudget/health_test.yaml.
 * The objects are written here with the fields of upstream's test data that the checks read.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applicationHealth,
  type HealthCode,
  isWorse,
  resourceHealth,
} from '../../../src/lab/sim/argo-health.js';
import type { KubeObject } from '../../../src/lab/sim/store.js';

const hpa = (conditions: Array<[string, string, string]>): KubeObject => ({
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'h' },
  status: {
    conditions: conditions.map(([type, status, reason]) => ({ type, status, reason, message: reason })),
  },
});

const rollout = (
  spec: Record<string, unknown>,
  status: Record<string, unknown> | undefined,
  generation?: number,
) =>
  ({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'r', ...(generation === undefined ? {} : { generation }) },
    spec: { strategy: { canary: {} }, ...spec },
    ...(status ? { status } : {}),
  }) as KubeObject;

describe('resource health (gitops-engine pkg/health, Argo CD Lua checks)', () => {
  it('HPA (TestHPA, autoscaling/v2): the first deciding condition in status order', () => {
    const healthy = hpa([
      ['AbleToScale', 'True', 'ReadyForNewScale'],
      ['ScalingActive', 'True', 'ValidMetricFound'],
      ['ScalingLimited', 'False', 'DesiredWithinRange'],
    ]);
    const degraded = hpa([
      ['AbleToScale', 'False', 'FailedGetScale'],
      ['ScalingActive', 'True', 'ValidMetricFound'],
      ['ScalingLimited', 'False', 'DesiredWithinRange'],
    ]);
    const progressing = hpa([
      ['ScalingActive', 'True', 'ValidMetricFound'],
      ['ScalingLimited', 'False', 'DesiredWithinRange'],
    ]);
    expect(resourceHealth(healthy)?.status).toBe('Healthy');
    expect(resourceHealth(degraded)).toEqual({ status: 'Degraded', message: 'FailedGetScale' });
    expect(resourceHealth(progressing)).toEqual({ status: 'Progressing', message: 'Waiting to Autoscale' });
  });

  it('HPA whose metrics fail but that can reach its target is Healthy: AbleToScale comes first', () => {
    const metricsDown = hpa([
      ['AbleToScale', 'True', 'SucceededGetScale'],
      ['ScalingActive', 'False', 'FailedGetResourceMetric'],
    ]);
    expect(resourceHealth(metricsDown)?.status).toBe('Healthy');
    const metricsFirst = hpa([['ScalingActive', 'False', 'FailedGetResourceMetric']]);
    expect(resourceHealth(metricsFirst)?.status).toBe('Degraded');
  });

  it('Service (TestServiceHealth): ClusterIP Healthy; LoadBalancer Progressing until it has an ingress', () => {
    const service = (type: string, ingress?: unknown[]): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's' },
      spec: { type },
      status: { loadBalancer: ingress ? { ingress } : {} },
    });
    expect(resourceHealth(service('ClusterIP'))?.status).toBe('Healthy');
    expect(resourceHealth(service('LoadBalancer'))?.status).toBe('Progressing');
    expect(resourceHealth(service('LoadBalancer', [{ ip: '172.18.0.5' }]))?.status).toBe('Healthy');
  });

  it('PodDisruptionBudget (health_test.yaml): no status is Progressing; SufficientPods Healthy; SyncFailed Degraded; InsufficientPods Healthy', () => {
    const pdb = (conditions?: Array<[string, string]>): KubeObject => ({
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'p' },
      ...(conditions
        ? {
            status: {
              conditions: conditions.map(([status, reason]) => ({
                type: 'DisruptionAllowed',
                status,
                reason,
              })),
            },
          }
        : {}),
    });
    expect(resourceHealth(pdb())).toEqual({ status: 'Progressing', message: 'Waiting for status' });
    expect(resourceHealth(pdb([['True', 'SufficientPods']]))).toEqual({
      status: 'Healthy',
      message: 'PodDisruptionBudget has SufficientPods',
    });
    expect(resourceHealth(pdb([['False', 'SyncFailed']]))).toEqual({
      status: 'Degraded',
      message: 'PodDisruptionBudget has SyncFailed',
    });
    expect(resourceHealth(pdb([['False', 'InsufficientPods']]))?.status).toBe('Healthy');
  });

  it('Rollout (health_test.yaml): generation, phase, conditions, pause, replicas and steps', () => {
    const steady = {
      availableReplicas: 5,
      readyReplicas: 5,
      replicas: 5,
      updatedReplicas: 5,
      currentPodHash: '84ccfddd66',
      stableRS: '84ccfddd66',
    };
    const cases: Array<[string, KubeObject, HealthCode, string | undefined]> = [
      [
        'newRolloutWithoutStatus',
        rollout({}, undefined, 1),
        'Progressing',
        'Waiting for rollout spec update to be observed',
      ],
      [
        'progressing_newGeneration',
        rollout({ replicas: 1 }, { ...steady, observedGeneration: '1' }, 2),
        'Progressing',
        'Waiting for rollout spec update to be observed',
      ],
      [
        'degraded_statusPhaseMessage',
        rollout(
          { replicas: 1 },
          { ...steady, phase: 'Degraded', message: 'InvalidSpec', observedGeneration: '8575574967' },
          1,
        ),
        'Degraded',
        'InvalidSpec',
      ],
      [
        'healthy_legacy_v0.9_observedGeneration',
        rollout({ replicas: 5 }, { ...steady, observedGeneration: 'abc123' }, 1),
        'Healthy',
        undefined,
      ],
      [
        'degraded_abortedRollout',
        rollout(
          { replicas: 5 },
          {
            ...steady,
            stableRS: undefined,
            observedGeneration: '58b949649c',
            conditions: [
              { type: 'Available', status: 'True', reason: 'AvailableReason' },
              {
                type: 'Progressing',
                status: 'False',
                reason: 'RolloutAborted',
                message: 'Rollout is aborted',
              },
            ],
          },
        ),
        'Degraded',
        'Rollout is aborted',
      ],
      [
        'suspended_v1.0_pausedRollout',
        rollout(
          { replicas: 5 },
          {
            ...steady,
            phase: 'Paused',
            message: 'CanaryPauseStep',
            observedGeneration: '5',
            updatedReplicas: 2,
          },
          5,
        ),
        'Suspended',
        'CanaryPauseStep',
      ],
      [
        'suspended_userPause',
        rollout(
          { replicas: 5, paused: true },
          { ...steady, observedGeneration: '5c788f4484', updatedReplicas: 1 },
        ),
        'Suspended',
        'Rollout is paused',
      ],
      [
        'canary/progressing_killingOldReplicas',
        rollout(
          { replicas: 5 },
          {
            ...steady,
            stableRS: undefined,
            replicas: 6,
            observedGeneration: '7fcc96c7b7',
            currentPodHash: '694fb7759c',
          },
          101,
        ),
        'Progressing',
        'Waiting for roll out to finish: old replicas are pending termination',
      ],
      [
        'canary/healthy_executedAllSteps',
        rollout({ replicas: 5 }, { ...steady, observedGeneration: 'c45557fd9' }, 1),
        'Healthy',
        undefined,
      ],
    ];
    // An empty message is left out, as the API serializes it (HealthStatus.message is omitempty).
    for (const [name, obj, status, message] of cases)
      expect({ name, ...resourceHealth(obj) }).toEqual({
        name,
        status,
        ...(message === undefined ? {} : { message }),
      });
  });

  it('an object being deleted is Progressing, "Pending deletion"; kinds without a check have no health', () => {
    const deleting = { ...hpa([]), metadata: { name: 'h', deletionTimestamp: '2026-01-01T00:00:00Z' } };
    expect(resourceHealth(deleting)).toEqual({ status: 'Progressing', message: 'Pending deletion' });
    expect(resourceHealth({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } })).toBeUndefined();
  });
});

describe('built-in checks of workloads, claims, ingresses and API services (gitops-engine pkg/health)', () => {
  /** The object the check reads, with only the fields upstream's test data sets that the check looks at. */
  const obj = (
    apiVersion: string,
    kind: string,
    fields: { generation?: number; name?: string; spec?: unknown; status?: unknown; metadata?: object },
  ): KubeObject => ({
    apiVersion,
    kind,
    metadata: {
      name: fields.name ?? 'x',
      ...(fields.generation === undefined ? {} : { generation: fields.generation }),
      ...fields.metadata,
    },
    ...(fields.spec === undefined ? {} : { spec: fields.spec }),
    ...(fields.status === undefined ? {} : { status: fields.status }),
  });
  const check = (o: KubeObject, status: HealthCode, message?: string) =>
    expect(resourceHealth(o)).toEqual({ status, ...(message === undefined ? {} : { message }) });

  it('Deployment (TestDeploymentHealth: nginx, deployment-progressing, -suspended, -degraded)', () => {
    const guestbook = (spec: object, status: object) =>
      obj('apps/v1', 'Deployment', {
        name: 'guestbook-ui',
        generation: 4,
        spec: { replicas: 1, ...spec },
        status: {
          observedGeneration: 4,
          replicas: 2,
          updatedReplicas: 1,
          readyReplicas: 1,
          availableReplicas: 1,
          unavailableReplicas: 1,
          ...status,
        },
      });
    const progressing = (reason: string, status: string) => ({
      conditions: [
        { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' },
        { type: 'Progressing', status, reason },
      ],
    });
    const nginx = obj('apps/v1', 'Deployment', {
      generation: 1,
      spec: { replicas: 1 },
      status: {
        observedGeneration: 1,
        replicas: 1,
        updatedReplicas: 1,
        readyReplicas: 1,
        availableReplicas: 1,
        ...progressing('NewReplicaSetAvailable', 'True'),
      },
    });
    check(nginx, 'Healthy');
    check(
      guestbook({}, progressing('ReplicaSetUpdated', 'True')),
      'Progressing',
      'Waiting for rollout to finish: 1 old replicas are pending termination...',
    );
    check(
      guestbook({ paused: true }, progressing('ReplicaSetUpdated', 'True')),
      'Suspended',
      'Deployment is paused',
    );
    check(
      guestbook({}, progressing('ProgressDeadlineExceeded', 'False')),
      'Degraded',
      'Deployment "guestbook-ui" exceeded its progress deadline',
    );
  });

  it('Deployment: an unobserved generation, then updated, old and available replicas, in that order', () => {
    const deployment = (generation: number, replicas: number | undefined, status: object) =>
      obj('apps/v1', 'Deployment', {
        generation,
        spec: replicas === undefined ? {} : { replicas },
        status: { observedGeneration: 2, ...status },
      });
    check(
      deployment(3, 3, { replicas: 3, updatedReplicas: 3, availableReplicas: 3 }),
      'Progressing',
      'Waiting for rollout to finish: observed deployment generation less than desired generation',
    );
    check(
      deployment(2, 3, { replicas: 4, updatedReplicas: 1, availableReplicas: 3 }),
      'Progressing',
      'Waiting for rollout to finish: 1 out of 3 new replicas have been updated...',
    );
    check(
      deployment(2, 3, { replicas: 3, updatedReplicas: 3, availableReplicas: 2 }),
      'Progressing',
      'Waiting for rollout to finish: 2 of 3 updated replicas are available...',
    );
    // No spec.replicas (a nil pointer upstream): the updated-replicas rule is skipped.
    check(deployment(2, undefined, { replicas: 1, updatedReplicas: 1, availableReplicas: 1 }), 'Healthy');
    // Only apps/v1 converts; another version is an error, which GetResourceHealth reports as Unknown.
    check(
      { ...deployment(2, 1, {}), apiVersion: 'apps/v1beta2' },
      'Unknown',
      'unsupported Deployment GVK: apps/v1beta2, Kind=Deployment',
    );
  });

  it('StatefulSet (TestStatefulSetHealth, TestStatefulSetOnDeleteHealth) and its rolling-update rules', () => {
    const redis = (spec: object, status: object, generation = 1) =>
      obj('apps/v1', 'StatefulSet', {
        name: 'redis-master',
        generation,
        spec: { replicas: 1, ...spec },
        status: {
          observedGeneration: 1,
          replicas: 1,
          readyReplicas: 1,
          currentReplicas: 1,
          currentRevision: 'redis-master-7b8f75b98',
          updateRevision: 'redis-master-7b8f75b98',
          ...status,
        },
      });
    check(redis({ updateStrategy: { type: 'OnDelete' } }, {}), 'Healthy', 'statefulset has 1 ready pods');
    check(
      redis({ updateStrategy: { type: 'OnDelete' } }, {}, 2),
      'Progressing',
      'Waiting for statefulset spec update to be observed...',
    );
    check(
      redis({}, { observedGeneration: undefined }, 1),
      'Progressing',
      'Waiting for statefulset spec update to be observed...',
    );
    check(redis({ replicas: 3 }, { readyReplicas: 1 }), 'Progressing', 'Waiting for 2 pods to be ready...');
    // What the API server defaults (RollingUpdate, partition 0): done once every pod is updated.
    const defaulted = {
      replicas: 3,
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
    };
    check(
      redis(defaulted, { readyReplicas: 3, updatedReplicas: 2 }),
      'Progressing',
      'Waiting for partitioned roll out to finish: 2 out of 3 new pods have been updated...',
    );
    check(
      redis(defaulted, { readyReplicas: 3, updatedReplicas: 3 }),
      'Healthy',
      'partitioned roll out complete: 3 new pods have been updated...',
    );
    const partitioned = {
      replicas: 3,
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } },
    };
    check(
      redis(partitioned, { readyReplicas: 3, updatedReplicas: 1 }),
      'Healthy',
      'partitioned roll out complete: 1 new pods have been updated...',
    );
    // RollingUpdate without its block: the revisions decide.
    const bare = { updateStrategy: { type: 'RollingUpdate' } };
    check(
      redis(bare, { updateRevision: 'redis-master-5d4b8c7f9', updatedReplicas: 0 }),
      'Progressing',
      'waiting for statefulset rolling update to complete 0 pods at revision redis-master-5d4b8c7f9...',
    );
    check(
      redis(bare, {}),
      'Healthy',
      'statefulset rolling update complete 1 pods at revision redis-master-7b8f75b98...',
    );
  });

  it('DaemonSet (TestDaemonSetOnDeleteHealth) and its rolling-update rules', () => {
    const fluentd = (spec: object, status: object, generation?: number) =>
      obj('apps/v1', 'DaemonSet', {
        name: 'fluentd-elasticsearch',
        generation,
        spec,
        status: {
          currentNumberScheduled: 1,
          desiredNumberScheduled: 1,
          numberAvailable: 1,
          numberMisscheduled: 0,
          numberReady: 1,
          observedGeneration: 4,
          ...status,
        },
      });
    // Upstream's data has no updatedNumberScheduled: OnDelete is Healthy all the same.
    check(
      fluentd({ updateStrategy: { type: 'OnDelete' } }, {}),
      'Healthy',
      'daemon set 0 out of 1 new pods have been updated',
    );
    const rolling = { updateStrategy: { type: 'RollingUpdate' } };
    check(
      fluentd(rolling, { updatedNumberScheduled: 1 }, 5),
      'Progressing',
      'Waiting for rollout to finish: observed daemon set generation less than desired generation',
    );
    check(
      fluentd(rolling, { desiredNumberScheduled: 3, updatedNumberScheduled: 2 }),
      'Progressing',
      'Waiting for daemon set "fluentd-elasticsearch" rollout to finish: 2 out of 3 new pods have been updated...',
    );
    check(
      fluentd(rolling, { desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 2 }),
      'Progressing',
      'Waiting for daemon set "fluentd-elasticsearch" rollout to finish: 2 of 3 updated pods are available...',
    );
    check(fluentd(rolling, { updatedNumberScheduled: 1 }), 'Healthy');
  });

  it('ReplicaSet: a ReplicaFailure condition is Degraded; too few available replicas are Progressing', () => {
    const rs = (generation: number, status: object) =>
      obj('apps/v1', 'ReplicaSet', {
        generation,
        spec: { replicas: 2 },
        status: { observedGeneration: 1, ...status },
      });
    check(
      rs(2, { availableReplicas: 2 }),
      'Progressing',
      'Waiting for rollout to finish: observed replica set generation less than desired generation',
    );
    const quota =
      'pods "web-7c9f-x2x4z" is forbidden: exceeded quota: pods, requested: pods=1, used: pods=2, limited: pods=2';
    check(
      rs(1, {
        availableReplicas: 1,
        conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: quota }],
      }),
      'Degraded',
      quota,
    );
    check(
      rs(1, { availableReplicas: 1 }),
      'Progressing',
      'Waiting for rollout to finish: 1 out of 2 new replicas are available...',
    );
    check(rs(1, { availableReplicas: 2 }), 'Healthy');
  });

  it('Pod (TestPod): waiting reasons, phases, readiness and restart policies', () => {
    const notReady = { type: 'Ready', status: 'False', reason: 'ContainersNotReady' };
    const ready = { type: 'Ready', status: 'True' };
    const pod = (
      restartPolicy: string,
      phase: string,
      container: object,
      conditions: object[] = [notReady],
      metadata: object = {},
    ) =>
      obj('v1', 'Pod', {
        name: 'my-pod',
        metadata,
        spec: { restartPolicy },
        status: { phase, conditions, containerStatuses: [{ name: 'main', restartCount: 0, ...container }] },
      });
    const crashed = { terminated: { exitCode: 1, reason: 'Error' } };
    const backOff =
      'Back-off 40s restarting failed container=main pod=my-pod_argocd(63674389-f613-11e8-a057-fe5f49266390)';
    const pullBackOff = 'Back-off pulling image "gcr.io/heptio-images/ks-guestbook-demo:0.3"';
    const cases: Array<[string, KubeObject, HealthCode, string?]> = [
      [
        'pod-pending',
        pod('Always', 'Pending', { state: { waiting: { reason: 'PodInitializing' } } }),
        'Progressing',
      ],
      ['pod-running-not-ready', pod('Always', 'Running', { state: { running: {} } }), 'Progressing'],
      [
        'pod-crashloop',
        pod('Always', 'Running', {
          lastState: crashed,
          state: { waiting: { reason: 'CrashLoopBackOff', message: backOff } },
        }),
        'Degraded',
        backOff,
      ],
      [
        'pod-imagepullbackoff',
        pod('Always', 'Pending', {
          state: { waiting: { reason: 'ImagePullBackOff', message: pullBackOff } },
        }),
        'Degraded',
        pullBackOff,
      ],
      ['pod-error', pod('Always', 'Running', { lastState: crashed, state: crashed }), 'Degraded'],
      [
        'pod-running-restart-always',
        pod('Always', 'Running', { ready: true, state: { running: {} } }, [ready]),
        'Healthy',
      ],
      [
        'pod-running-restart-never',
        pod('Never', 'Running', { ready: true, state: { running: {} } }, [ready]),
        'Progressing',
      ],
      [
        'pod-running-restart-onfailure',
        pod('OnFailure', 'Running', {
          lastState: crashed,
          state: {
            waiting: {
              reason: 'CrashLoopBackOff',
              message: 'Back-off 1m20s restarting failed container=main',
            },
          },
        }),
        'Progressing',
      ],
      [
        'pod-failed',
        pod('Never', 'Failed', { state: crashed }),
        'Degraded',
        'container "main" failed with exit code 1',
      ],
      [
        'pod-succeeded',
        pod('Never', 'Succeeded', { state: { terminated: { exitCode: 0, reason: 'Completed' } } }, [
          { type: 'Ready', status: 'False', reason: 'PodCompleted' },
        ]),
        'Healthy',
      ],
      [
        'pod-deletion',
        pod('Always', 'Pending', { state: { waiting: { reason: 'PodInitializing' } } }, [notReady], {
          deletionTimestamp: '2018-12-03T10:16:04Z',
        }),
        'Progressing',
        'Pending deletion',
      ],
    ];
    for (const [name, o, status, message] of cases)
      expect({ name, ...resourceHealth(o) }).toEqual({
        name,
        status,
        ...(message === undefined ? {} : { message }),
      });
  });

  it('Pod: a failed pod names its own message first, then OOMKilled or a terminated message, init containers first', () => {
    const failed = (status: object) =>
      obj('v1', 'Pod', { spec: { restartPolicy: 'Never' }, status: { phase: 'Failed', ...status } });
    const evicted = 'The node was low on resource: memory.';
    check(failed({ message: evicted, reason: 'Evicted' }), 'Degraded', evicted);
    check(
      failed({
        initContainerStatuses: [
          { name: 'migrate', state: { terminated: { exitCode: 137, reason: 'OOMKilled' } } },
        ],
        containerStatuses: [{ name: 'main', state: { terminated: { exitCode: 2, reason: 'Error' } } }],
      }),
      'Degraded',
      'OOMKilled',
    );
    check(
      failed({
        containerStatuses: [
          {
            name: 'main',
            state: { terminated: { exitCode: 1, message: 'panic: no config', reason: 'Error' } },
          },
        ],
      }),
      'Degraded',
      'panic: no config',
    );
    check(failed({ containerStatuses: [{ name: 'main', state: { waiting: {} } }] }), 'Degraded');
    // Waiting reasons "Err*" and "*Error" count too, and the messages of every such container are joined.
    const pod = obj('v1', 'Pod', {
      spec: { restartPolicy: 'Always' },
      status: {
        phase: 'Pending',
        containerStatuses: [
          { name: 'a', state: { waiting: { reason: 'ErrImagePull', message: 'pull failed' } } },
          {
            name: 'b',
            state: { waiting: { reason: 'CreateContainerConfigError', message: 'secret "s" not found' } },
          },
          { name: 'c', state: { waiting: { reason: 'ContainerCreating' } } },
        ],
      },
    });
    check(pod, 'Degraded', 'pull failed, secret "s" not found');
  });

  it('Job (TestJob): running, failed, succeeded and suspended; a resumed Job is Healthy at once', () => {
    const job = (status: object) => obj('batch/v1', 'Job', { name: 'succeed', status });
    check(job({ active: 1, startTime: '2018-12-02T08:19:14Z' }), 'Progressing');
    check(
      job({
        failed: 1,
        conditions: [
          {
            type: 'Failed',
            status: 'True',
            reason: 'BackoffLimitExceeded',
            message: 'Job has reached the specified backoff limit',
          },
        ],
      }),
      'Degraded',
      'Job has reached the specified backoff limit',
    );
    check(job({ succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] }), 'Healthy');
    // Suspended carries the (empty) failure message, not the condition's.
    check(
      job({
        conditions: [{ type: 'Suspended', status: 'True', reason: 'JobSuspended', message: 'Job suspended' }],
      }),
      'Suspended',
    );
    check(
      job({
        active: 1,
        conditions: [{ type: 'Suspended', status: 'False', reason: 'JobResumed', message: 'Job resumed' }],
      }),
      'Healthy',
      'Job resumed',
    );
  });

  it('PersistentVolumeClaim (TestPVCHealth), Ingress (TestIngressHealth) and APIService (TestAPIService)', () => {
    const pvc = (phase?: string) =>
      obj('v1', 'PersistentVolumeClaim', { name: 'testpvc', status: phase ? { phase } : {} });
    check(pvc('Bound'), 'Healthy');
    check(pvc('Pending'), 'Progressing');
    check(pvc('Lost'), 'Degraded');
    check(pvc(), 'Unknown');

    const ingress = (apiVersion: string, loadBalancer: object) =>
      obj(apiVersion, 'Ingress', { generation: 9, status: { loadBalancer } });
    check(ingress('networking.k8s.io/v1', { ingress: [{ ip: '1.2.3.4' }] }), 'Healthy');
    check(ingress('networking.k8s.io/v1', {}), 'Progressing');
    check(ingress('networking.k8s.io/v1', { ingress: [{}] }), 'Healthy');
    check(ingress('extensions/v1beta1', {}), 'Progressing');

    const apiService = (version: string, status: string, reason: string, message: string) =>
      obj(`apiregistration.k8s.io/${version}`, 'APIService', {
        status: { conditions: [{ type: 'Available', status, reason, message }] },
      });
    const noAddresses = 'endpoints for service/cert-manager-webhook in "external-dns" have no addresses';
    for (const version of ['v1', 'v1beta1']) {
      check(
        apiService(version, 'True', 'Passed', 'all checks passed'),
        'Healthy',
        'Passed: all checks passed',
      );
      check(
        apiService(version, 'False', 'MissingEndpoints', noAddresses),
        'Progressing',
        `MissingEndpoints: ${noAddresses}`,
      );
    }
    check(obj('apiregistration.k8s.io/v1', 'APIService', {}), 'Progressing', 'Waiting to be processed');
  });

  it('a hook that Argo CD still holds with its finalizer is rated as usual while being deleted', () => {
    const hook = obj('batch/v1', 'Job', {
      metadata: {
        deletionTimestamp: '2026-01-01T00:00:00Z',
        finalizers: ['argocd.argoproj.io/hook-finalizer'],
      },
      status: { conditions: [{ type: 'Complete', status: 'True' }] },
    });
    check(hook, 'Healthy');
  });

  it('a Deployment, Job or claim not yet created makes the app Missing: their kinds have a check', () => {
    for (const [apiVersion, kind] of [
      ['apps/v1', 'Deployment'],
      ['batch/v1', 'Job'],
      ['v1', 'PersistentVolumeClaim'],
      ['networking.k8s.io/v1', 'Ingress'],
    ] as const)
      expect(applicationHealth([{ desired: obj(apiVersion, kind, {}) }])).toBe('Missing');
  });
});

describe('application health (controller/health.go setApplicationHealth)', () => {
  const configMap: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } };
  const pdbHealthy: KubeObject = {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: 'p' },
    status: { conditions: [{ type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods' }] },
  };

  it('a missing object counts only when its kind has a health check', () => {
    expect(applicationHealth([{ desired: configMap }])).toBe('Healthy');
    expect(applicationHealth([{ desired: pdbHealthy }])).toBe('Missing');
    expect(
      applicationHealth([
        { desired: configMap, live: configMap },
        { desired: pdbHealthy, live: pdbHealthy },
      ]),
    ).toBe('Healthy');
  });

  it('leaves out hooks, Skip hooks and objects annotated ignore-healthcheck', () => {
    const failedJob = (annotations: Record<string, string>): KubeObject => ({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'migrate', annotations },
      status: {
        conditions: [
          { type: 'Failed', status: 'True', message: 'Job has reached the specified backoff limit' },
        ],
      },
    });
    const counted = (o: KubeObject) => applicationHealth([{ desired: o, live: o }]);
    expect(counted(failedJob({}))).toBe('Degraded');
    expect(counted(failedJob({ 'argocd.argoproj.io/hook': 'PreSync' }))).toBe('Healthy');
    expect(counted(failedJob({ 'helm.sh/hook': 'pre-install' }))).toBe('Healthy');
    expect(counted(failedJob({ 'argocd.argoproj.io/ignore-healthcheck': 'true' }))).toBe('Healthy');
    // A Skip hook is not applied: it is not Missing either (a repeated Skip is still the only type).
    expect(applicationHealth([{ desired: failedJob({ 'argocd.argoproj.io/hook': 'Skip, Skip' }) }])).toBe(
      'Healthy',
    );
    expect(applicationHealth([{ desired: failedJob({ 'argocd.argoproj.io/hook': 'Skip' }) }])).toBe(
      'Healthy',
    );
    // Helm's crd-install is not a hook; "false" does not ignore.
    expect(counted(failedJob({ 'helm.sh/hook': 'crd-install' }))).toBe('Degraded');
    expect(counted(failedJob({ 'argocd.argoproj.io/ignore-healthcheck': 'false' }))).toBe('Degraded');
  });

  it('is the worst of its resources, in the order Healthy < Suspended < Progressing < Missing < Degraded < Unknown (property)', () => {
    const codes: HealthCode[] = ['Healthy', 'Suspended', 'Progressing', 'Missing', 'Degraded', 'Unknown'];
    const objectFor = (code: HealthCode): { desired: KubeObject; live?: KubeObject } => {
      if (code === 'Missing') return { desired: pdbHealthy };
      const status = {
        Healthy: 'Healthy',
        Suspended: 'Paused',
        Progressing: 'Progressing',
        Degraded: 'Degraded',
      }[code as 'Healthy'];
      const live = rollout(
        {},
        { phase: code === 'Unknown' ? 'Unknown' : status, observedGeneration: '1' },
        1,
      );
      return { desired: live, live };
    };
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...codes), { maxLength: 6 }), (list) => {
        const worst = list.reduce<HealthCode>((a, b) => (isWorse(a, b) ? b : a), 'Healthy');
        expect(applicationHealth(list.map(objectFor))).toBe(worst);
        expect(codes.indexOf(worst)).toBe(Math.max(0, ...list.map((c) => codes.indexOf(c))));
      }),
    );
  });
});
