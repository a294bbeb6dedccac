/**
 * The PriorityClasses a v1.33 API server creates at start (priority-classes.ts), as `kubectl get pc` shows them on a
 * kind cluster, and the classes a user adds beside them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SimCluster, startSimCluster } from '../../../src/lab/sim/api.js';
import { hasKubectl } from '../../support/kubectl.js';
import { kubectlRunner } from '../../support/kubectl-run.js';

let cluster: SimCluster;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gitops-lab-pc-'));
  cluster = await startSimCluster({ dir });
});
afterAll(async () => {
  await cluster?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('system PriorityClasses', () => {
  it('exist from the start with their values, descriptions and preemption policy', () => {
    const classes = cluster.list('scheduling.k8s.io/v1', 'PriorityClass');
    expect(classes.map((c) => [c.metadata?.name, c.value, c.globalDefault, c.preemptionPolicy])).toEqual([
      ['system-cluster-critical', 2000000000, false, 'PreemptLowerPriority'],
      ['system-node-critical', 2000001000, false, 'PreemptLowerPriority'],
    ]);
    expect(cluster.get('scheduling.k8s.io/v1', 'PriorityClass', 'system-node-critical')?.description).toBe(
      'Used for system critical pods that must not be moved from their current node.',
    );
  });
});

const describeKubectl = hasKubectl || process.env.CI === 'true' ? describe : describe.skip;

describeKubectl('kubectl get pc', () => {
  const { kubectl } = kubectlRunner(() => ({ kubeconfigPath: cluster.kubeconfigPath, dir }));

  it('prints NAME, VALUE, GLOBAL-DEFAULT, AGE and PREEMPTIONPOLICY', async () => {
    const out = await kubectl('get', 'pc');
    expect(out.stderr).toBe('');
    const rows = out.stdout
      .trim()
      .split('\n')
      .map((line) => line.split(/\s{2,}/));
    expect(rows[0]).toEqual(['NAME', 'VALUE', 'GLOBAL-DEFAULT', 'AGE', 'PREEMPTIONPOLICY']);
    expect(rows.slice(1).map((r) => [r[0], r[1], r[2], r[4]])).toEqual([
      ['system-cluster-critical', '2000000000', 'false', 'PreemptLowerPriority'],
      ['system-node-critical', '2000001000', 'false', 'PreemptLowerPriority'],
    ]);
  });

  it('kubectl get sc and pv are served (none on a bare API server)', async () => {
    for (const kind of ['sc', 'pv']) {
      const out = await kubectl('get', kind);
      expect(out.code).toBe(0);
      expect(out.stderr.trim()).toBe('No resources found');
    }
  });
});
