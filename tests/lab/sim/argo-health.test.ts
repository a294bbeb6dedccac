/**
 * Argo CD's health assessment as the simulation models it, against upstream's own cases: gitops-engine
 * pkg/health/health_test.go (TestHPA, TestServiceHealth; the commit Argo CD v3.1.12 pins) and Argo CD's Lua test
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
        '',
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
        '',
      ],
    ];
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
