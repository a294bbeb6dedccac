/**
 * The disruption controller's PodDisruptionBudget status (pkg/controller/disruption/disruption.go), as
 * `kubectl get pdb` shows it (MIN AVAILABLE, MAX UNAVAILABLE, ALLOWED DISRUPTIONS). Cases after disruption_test.go
 * (TestNoSelector, TestUnavailable, TestIntegerMaxUnavailable, TestReplicaSet, TestMultipleControllers ...).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sleep } from '../../../src/lab/clock.js';
import { VirtualClock } from '../../../src/lab/sim/clock.js';
import { startDisruptionController } from '../../../src/lab/sim/disruption.js';
import { type FakeKube, startFakeKube } from '../../support/fake-kube/index.js';

interface PdbStatus {
  currentHealthy: number;
  desiredHealthy: number;
  expectedPods: number;
  disruptionsAllowed: number;
  observedGeneration?: number;
  conditions: Array<{
    type: string;
    status: string;
    reason: string;
    message: string;
    lastTransitionTime: string;
  }>;
}

describe('the disruption controller', () => {
  let fake: FakeKube;
  let clock: VirtualClock;
  let stop: (() => void) | undefined;
  afterEach(async () => {
    stop?.();
    clock.stop();
    await fake.close();
  });

  async function start() {
    clock = new VirtualClock({ start: Date.parse('2026-01-01T00:00:00Z') });
    fake = await startFakeKube({ clock });
    stop = startDisruptionController(fake, clock);
  }
  const pdb = (spec: Record<string, unknown>) =>
    fake.seed({
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'docqa', namespace: 'default' },
      spec: { selector: { matchLabels: { app: 'docqa' } }, ...spec },
    });
  const pod = (name: string, ready: boolean, owner?: { kind: string; name: string }) =>
    fake.seed({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace: 'default',
        labels: { app: 'docqa' },
        ...(owner ? { ownerReferences: [{ apiVersion: 'apps/v1', ...owner, controller: true }] } : {}),
      },
      status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
    });
  const setReady = (name: string, ready: boolean) =>
    fake.update('v1', 'Pod', name, 'default', (o) => {
      o.status = { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] };
    });
  const status = () =>
    fake.get('policy/v1', 'PodDisruptionBudget', 'docqa', 'default')?.status as PdbStatus | undefined;
  const settle = () => sleep(clock, 1000);
  const events = () => fake.list('v1', 'Event', 'default').map((e) => `${e.type} ${e.reason}: ${e.message}`);

  it('minAvailable: 1 over two Ready pods allows one disruption (the lab PDB): DisruptionAllowed True, SufficientPods', async () => {
    await start();
    pod('a', true);
    pod('b', true);
    pdb({ minAvailable: 1 });
    await settle();
    expect(status()).toMatchObject({
      currentHealthy: 2,
      desiredHealthy: 1,
      expectedPods: 2,
      disruptionsAllowed: 1,
      observedGeneration: 1,
      conditions: [{ type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods', message: '' }],
    });
  });

  it('a pod going unready takes the allowance to 0: InsufficientPods, and the transition time moves only then', async () => {
    await start();
    pod('a', true);
    pod('b', true);
    pdb({ minAvailable: 1 });
    await settle();
    const first = status()?.conditions[0]?.lastTransitionTime;
    await sleep(clock, 60_000);
    setReady('b', false);
    await settle();
    expect(status()).toMatchObject({ currentHealthy: 1, disruptionsAllowed: 0 });
    expect(status()?.conditions[0]).toMatchObject({ status: 'False', reason: 'InsufficientPods' });
    const flipped = status()?.conditions[0]?.lastTransitionTime;
    expect(Date.parse(flipped ?? '') - Date.parse(first ?? '')).toBeGreaterThanOrEqual(60_000);
    // Still unready, another pod appears unready: the counts change, the condition's time does not.
    pod('c', false);
    await settle();
    expect(status()).toMatchObject({ expectedPods: 3, currentHealthy: 1, disruptionsAllowed: 0 });
    expect(status()?.conditions[0]?.lastTransitionTime).toBe(flipped);
  });

  it('no matching pods: nothing expected, nothing allowed, and a NoPods event', async () => {
    await start();
    pdb({ minAvailable: 1 });
    await settle();
    expect(status()).toMatchObject({ currentHealthy: 0, expectedPods: 0, disruptionsAllowed: 0 });
    expect(events()).toContain('Normal NoPods: No matching pods found');
  });

  it('maxUnavailable and percentages scale against the controllers: a Deployment through its ReplicaSet', async () => {
    await start();
    fake.seed(
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'd', namespace: 'default' },
        spec: { replicas: 4 },
      },
      {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          name: 'd-abc',
          namespace: 'default',
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'd', controller: true }],
        },
        spec: { replicas: 4 },
      },
    );
    for (const name of ['a', 'b', 'c']) pod(name, true, { kind: 'ReplicaSet', name: 'd-abc' });
    pdb({ maxUnavailable: '25%' });
    await settle();
    // 25% of 4 rounded up is 1: 3 must stay healthy, 3 are.
    expect(status()).toMatchObject({
      expectedPods: 4,
      desiredHealthy: 3,
      currentHealthy: 3,
      disruptionsAllowed: 0,
    });
    fake.update('policy/v1', 'PodDisruptionBudget', 'docqa', 'default', (o) => {
      o.spec = { ...(o.spec as object), maxUnavailable: undefined, minAvailable: '50%' };
    });
    await settle();
    expect(status()).toMatchObject({
      expectedPods: 4,
      desiredHealthy: 2,
      disruptionsAllowed: 1,
      observedGeneration: 2,
    });
  });

  it('a pod whose controller cannot be found fails the sync safe: 0 allowed, SyncFailed with the error', async () => {
    await start();
    pod('a', true, { kind: 'ReplicaSet', name: 'gone' });
    pdb({ maxUnavailable: 1 });
    await settle();
    expect(status()).toMatchObject({
      disruptionsAllowed: 0,
      conditions: [{ status: 'False', reason: 'SyncFailed', message: 'found no controllers for pod "a"' }],
    });
    expect(events()).toContain(
      'Warning CalculateExpectedPodCountFailed: Failed to calculate the number of expected pods: found no controllers for pod "a"',
    );
  });

  it('pods without a controller count as unmanaged for a percentage (a Warning), not for an integer minAvailable', async () => {
    await start();
    pod('a', true);
    pdb({ minAvailable: '50%' });
    await settle();
    expect(status()).toMatchObject({ expectedPods: 0, disruptionsAllowed: 0 });
    expect(
      events().some((e) => e.startsWith('Warning UnmanagedPods: Pods selected by this PodDisruptionBudget')),
    ).toBe(true);
  });

  it('a percentage that is not one fails the sync safe with the parser error (intstr)', async () => {
    await start();
    pod('a', true, { kind: 'ReplicaSet', name: 'gone' });
    pdb({ minAvailable: 'half' });
    await settle();
    expect(status()?.conditions[0]).toMatchObject({
      status: 'False',
      reason: 'SyncFailed',
      message: 'found no controllers for pod "a"',
    });
    fake.remove('v1', 'Pod', 'a', 'default');
    await settle();
    expect(status()?.conditions[0]).toMatchObject({
      status: 'False',
      reason: 'SyncFailed',
      message: 'invalid value for IntOrString: invalid type: string is not a percentage',
    });
  });
});
