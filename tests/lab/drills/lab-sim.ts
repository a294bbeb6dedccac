/**
 * A bare lab for engine and probe tests: the simulation's API server (src/lab/sim) seeded with the lab's objects,
 * on a virtual clock, with no controller models (the tests change objects themselves). Drills against the
 * calibrated models use startSimLab from src/lab/sim/lab.ts (tests/lab/drills/catalogue.test.ts).
 */
import { join } from 'node:path';
import type { DrillEnvironment } from '../../../src/lab/drills/access.js';
import { kubeAccessFrom } from '../../../src/lab/drills/kube-adapter.js';
import { createKubeClient } from '../../../src/lab/kube/client.js';
import { VirtualClock } from '../../../src/lab/sim/clock.js';
import { holding, kubeAccessWaits } from '../../../src/lab/sim/hold.js';
import { MemoryRepo } from '../../../src/lab/sim/repo.js';
import { type FakeKube, startFakeKube } from '../../support/fake-kube/index.js';

export function labObjects() {
  const ns = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  return [
    ns('argocd'),
    ns('docqa'),
    {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'docqa', namespace: 'argocd' },
      spec: { project: 'lab' },
      status: {
        sync: { status: 'Synced' },
        health: { status: 'Healthy' },
        operationState: { phase: 'Succeeded', startedAt: '2026-01-01T00:00:00.000Z' },
      },
    },
    {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'docqa', namespace: 'docqa' },
      spec: { replicas: 2 },
      status: { phase: 'Healthy', availableReplicas: 2, currentPodHash: 'abc123' },
    },
    {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'docqa', namespace: 'docqa' },
      spec: { minReplicas: 2, maxReplicas: 6 },
      status: { desiredReplicas: 2 },
    },
    ...['s1', 's2'].map((n) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: `docqa-abc123-${n}`,
        namespace: 'docqa',
        labels: { 'app.kubernetes.io/name': 'docqa' },
      },
      status: {
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [{ name: 'docqa', state: { running: {} } }],
      },
    })),
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'docqa-config', namespace: 'docqa' },
      data: {
        DOCQA_MODE: 'extractive',
        DOCQA_FAULTS: '',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector.observability.svc:4318',
        OTEL_SERVICE_NAME: 'docqa',
      },
    },
  ];
}

export interface SimLab {
  fake: FakeKube;
  repo: MemoryRepo;
  clock: VirtualClock;
  env: DrillEnvironment;
  close(): Promise<void>;
}

/** Virtual time starts on 1 Feb 2026 (so a lock stamped 1 Jan 2026 is stale). */
export async function startSimLab(): Promise<SimLab> {
  const clock = new VirtualClock({ start: Date.UTC(2026, 1, 1) });
  const fake = await startFakeKube({ seed: labObjects(), clock });
  const repo = new MemoryRepo();
  const client = createKubeClient({ kubeconfig: fake.kubeconfigPath });
  return {
    fake,
    repo,
    clock,
    env: { kube: holding(kubeAccessFrom(client), clock, kubeAccessWaits), repo },
    async close() {
      clock.stop();
      await fake.close();
    },
  };
}

export const fixture = (name: string) => join(import.meta.dirname, 'fixtures', `${name}.yaml`);
