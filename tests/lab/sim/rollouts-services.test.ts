/**
 * ensureServiceTarget (src/lab/sim/rollouts-services.ts) against argo-rollouts v1.8.3 rollout/service_test.go:
 * TestDelayCanaryStableServiceLabelInjection (a Service not yet adopted waits for a fully available ReplicaSet) and
 * TestDelayCanaryStableServiceDelayOnAdoptedService (an adopted one switches once one pod is available), with the
 * patch of switchServiceSelector (the hash in the selector, the managed-by annotation the first time) and its
 * SwitchService message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SimCluster, startSimCluster } from '../../../src/lab/sim/api.js';
import type { ReplicaSet } from '../../../src/lab/sim/deployment-util.js';
import { ensureServiceTarget, MANAGED_BY } from '../../../src/lab/sim/rollouts-services.js';
import type { KubeObject } from '../../../src/lab/sim/store.js';

const HASH = 'rollouts-pod-template-hash';
const rollout: KubeObject = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Rollout',
  metadata: { name: 'foo', namespace: 'ns' },
};
const replicaSet = (hash: string, replicas: number, available: number): ReplicaSet => ({
  metadata: { name: `foo-${hash}`, labels: { [HASH]: hash } },
  spec: { replicas },
  status: { availableReplicas: available },
});

let cluster: SimCluster;
beforeAll(async () => {
  cluster = await startSimCluster();
});
afterAll(async () => {
  await cluster?.close();
});

describe('ensureSVCTargets (rollout/service.go)', () => {
  const seedService = (name: string, annotations?: Record<string, string>) => {
    if (cluster.get('v1', 'Service', name, 'ns')) cluster.remove('v1', 'Service', name, 'ns');
    cluster.seed({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: 'ns', ...(annotations ? { annotations } : {}) },
      spec: { selector: { app: 'foo' }, ports: [{ port: 80 }] },
    });
  };
  const ensure = (name: string, rs: ReplicaSet) => {
    const switched: string[] = [];
    ensureServiceTarget(cluster, rollout, name, rs, HASH, (m) => switched.push(m));
    return switched;
  };
  const service = (name: string) => cluster.get('v1', 'Service', name, 'ns') as KubeObject;
  const selector = (name: string) => (service(name).spec as { selector: Record<string, string> }).selector;

  it('a Service not yet adopted waits for its ReplicaSet to be fully available (none, 1 of 3), then is adopted', () => {
    seedService('stable');
    expect(ensure('stable', replicaSet('abc', 3, 0))).toEqual([]);
    expect(ensure('stable', replicaSet('abc', 3, 1))).toEqual([]);
    expect(selector('stable')).toEqual({ app: 'foo' });
    expect(ensure('stable', replicaSet('abc', 3, 3))).toEqual([
      "Switched selector for service 'stable' from '' to 'abc'",
    ]);
    expect(selector('stable')).toEqual({ app: 'foo', [HASH]: 'abc' });
    expect(service('stable').metadata?.annotations).toEqual({ [MANAGED_BY]: 'foo' });
    // In step: nothing more.
    expect(ensure('stable', replicaSet('abc', 3, 3))).toEqual([]);
  });

  it('an adopted Service does not switch to a ReplicaSet with no available pod, and switches with one', () => {
    seedService('canary', { [MANAGED_BY]: 'foo' });
    expect(ensure('canary', replicaSet('def', 3, 0))).toEqual([]);
    expect(Object.keys(selector('canary'))).not.toContain(HASH);
    expect(ensure('canary', replicaSet('def', 3, 1))).toEqual([
      "Switched selector for service 'canary' from '' to 'def'",
    ]);
    expect(ensure('canary', replicaSet('abc', 3, 2))).toEqual([
      "Switched selector for service 'canary' from 'def' to 'abc'",
    ]);
    expect(selector('canary')).toEqual({ app: 'foo', [HASH]: 'abc' });
  });

  it('a ReplicaSet scaled to 0 is not available for an adoption (IsReplicaSetAvailable)', () => {
    seedService('idle');
    expect(ensure('idle', replicaSet('abc', 0, 1))).toEqual([]);
    expect(ensure('missing', replicaSet('abc', 3, 3))).toEqual([]);
  });
});
