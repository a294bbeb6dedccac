/**
 * The Deployment and ReplicaSet controllers of the simulation (src/lab/sim/deployment.ts, replicaset.ts) as
 * `kubectl get deploy,rs,pods` and `kubectl describe` show them on a Kubernetes v1.33 cluster, on a virtual clock;
 * and the controller's arithmetic against the cases of upstream's own tests (pkg/controller/deployment/util/
 * deployment_util_test.go, pkg/controller/deployment/rolling_test.go), written again here.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { sleep } from '../../../src/lab/clock.js';
import type { VirtualClock } from '../../../src/lab/sim/clock.js';
import {
  cleanupUnhealthyReplicas,
  reconcileNewReplicaSet,
  reconcileOldReplicaSets,
  type ScaleReplicaSet,
  scaleDownOldReplicaSetsForRollingUpdate,
} from '../../../src/lab/sim/deployment-rolling.js';
import {
  computeHash,
  type DeploymentCondition,
  type DeploymentStatus,
  deploymentComplete,
  deploymentProgressing,
  deploymentTimedOut,
  equalIgnoreHash,
  type IntOrPercent,
  maxUnavailable,
  newRSNewReplicas,
  type ReplicaSet,
  replicaSetFraction,
  resolveFenceposts,
  withDefaults,
} from '../../../src/lab/sim/deployment-util.js';
import type { ContainerBehaviour } from '../../../src/lab/sim/kubelet.js';
import { podsToDelete } from '../../../src/lab/sim/replicaset.js';
import { deploymentPods } from '../../../src/lab/sim/workloads.js';
import {
  type ControllerCluster,
  controllerCluster,
  readyAfter5s,
  workload,
} from '../../support/controller-cluster.js';
import type { FakeKube, KubeObject } from '../../support/fake-kube/index.js';

const safe = '[bcdfghjklmnpqrstvwxz2456789]';

describe('a Deployment on the simulated cluster, as kubectl shows it', { timeout: 60_000 }, () => {
  let lab: ControllerCluster;
  let fake: FakeKube;
  let clock: VirtualClock;
  afterEach(() => lab.close());

  async function cluster(behaviour: ContainerBehaviour = {}) {
    lab = await controllerCluster((f, models) => deploymentPods(f, () => true, { clock: models }), behaviour);
    ({ fake, clock } = lab);
  }

  const template = (image = 'ghcr.io/x/web:1') => readyAfter5s('web', image);
  const {
    create,
    edit,
    get: deployment,
  } = workload(
    () => lab,
    'Deployment',
    'web',
    () => ({
      replicas: 3,
      selector: { matchLabels: { app: 'web' } },
      template: template(),
    }),
  );
  const status = () => (deployment().status ?? {}) as DeploymentStatus;
  const condition = (type: string) =>
    status().conditions?.find((c) => c.type === type) as DeploymentCondition;
  const replicaSets = () => fake.list('apps/v1', 'ReplicaSet', 'default') as ReplicaSet[];
  const newest = () =>
    replicaSets().find(
      (rs) =>
        rs.metadata?.annotations?.['deployment.kubernetes.io/revision'] === String(replicaSets().length),
    ) as ReplicaSet;
  const pods = () => fake.list('v1', 'Pod', 'default');
  const podsOf = (rs: ReplicaSet) =>
    pods().filter((p) => p.metadata?.ownerReferences?.[0]?.uid === rs.metadata?.uid);
  const ready = (pod: KubeObject) =>
    (pod.status as { conditions?: Array<{ type: string; status: string }> }).conditions?.some(
      (c) => c.type === 'Ready' && c.status === 'True',
    ) ?? false;
  const events = (reason: string) => lab.events('default', reason);
  const settle = () => lab.settle();

  it('creates a ReplicaSet <deployment>-<hash> and its pods <rs>-<5 chars>, owned by uid, with events', async () => {
    await cluster();
    const [d] = create();
    await settle();
    const [rs] = replicaSets();
    const hash = rs?.metadata?.labels?.['pod-template-hash'] ?? '';
    expect(hash).toMatch(new RegExp(`^${safe}{1,10}$`));
    expect(rs?.metadata?.name).toBe(`web-${hash}`);
    expect(rs?.metadata?.ownerReferences).toEqual([
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: 'web',
        uid: d?.metadata?.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    expect(rs?.metadata?.annotations).toEqual({
      'deployment.kubernetes.io/revision': '1',
      'deployment.kubernetes.io/desired-replicas': '3',
      'deployment.kubernetes.io/max-replicas': '4',
    });
    expect(rs?.spec?.selector).toEqual({ matchLabels: { app: 'web', 'pod-template-hash': hash } });
    expect(deployment().metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('1');
    const names = pods().map((p) => p.metadata?.name);
    expect(names).toHaveLength(3);
    for (const name of names) expect(name).toMatch(new RegExp(`^web-${hash}-${safe}{5}$`));
    for (const pod of pods()) {
      expect(pod.metadata?.labels).toEqual({ app: 'web', 'pod-template-hash': hash });
      expect(pod.metadata?.ownerReferences).toEqual([
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: `web-${hash}`,
          uid: rs?.metadata?.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
    }
    expect(events('ScalingReplicaSet')).toEqual([`Scaled up replica set web-${hash} from 0 to 3`]);
    expect(events('SuccessfulCreate').sort()).toEqual(names.map((n) => `Created pod: ${n}`).sort());
    const sources = fake
      .list('v1', 'Event', 'default')
      .map((e) => [e.reason, (e.source as { component: string }).component]);
    expect(sources).toContainEqual(['ScalingReplicaSet', 'deployment-controller']);
    expect(sources).toContainEqual(['SuccessfulCreate', 'replicaset-controller']);

    // Not ready yet: READY 0/3, not Available, progressing.
    expect(status()).toMatchObject({
      observedGeneration: 1,
      replicas: 3,
      updatedReplicas: 3,
      unavailableReplicas: 3,
    });
    expect(status().readyReplicas).toBeUndefined();
    expect(condition('Available')).toMatchObject({
      status: 'False',
      reason: 'MinimumReplicasUnavailable',
      message: 'Deployment does not have minimum availability.',
    });
    expect(condition('Progressing')).toMatchObject({
      status: 'True',
      reason: 'ReplicaSetUpdated',
      message: `ReplicaSet "web-${hash}" is progressing.`,
    });

    // The kubelet model's pods are Ready 5 s after they start.
    await sleep(clock, 6000);
    expect(status()).toEqual({
      observedGeneration: 1,
      replicas: 3,
      updatedReplicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
      conditions: [
        expect.objectContaining({ type: 'Available' }),
        expect.objectContaining({ type: 'Progressing' }),
      ],
    });
    expect(condition('Available')).toMatchObject({
      status: 'True',
      reason: 'MinimumReplicasAvailable',
      message: 'Deployment has minimum availability.',
    });
    expect(condition('Progressing')).toMatchObject({
      status: 'True',
      reason: 'NewReplicaSetAvailable',
      message: `ReplicaSet "web-${hash}" has successfully progressed.`,
      lastTransitionTime: '2026-01-01T00:00:00Z',
      lastUpdateTime: '2026-01-01T00:00:05Z',
    });
    expect(replicaSets()[0]?.status).toEqual({
      replicas: 3,
      fullyLabeledReplicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
      observedGeneration: 1,
    });
  });

  it('scales up and down, deleting pods that are not Ready first', async () => {
    await cluster();
    create({ replicas: 2 });
    await sleep(clock, 6000);
    const [rs] = replicaSets();
    const name = rs?.metadata?.name;
    const old = pods().map((p) => p.metadata?.name);
    edit((spec) => {
      spec.replicas = 4;
    });
    await settle();
    expect(replicaSets()[0]?.spec?.replicas).toBe(4);
    expect(replicaSets()[0]?.metadata?.annotations?.['deployment.kubernetes.io/desired-replicas']).toBe('4');
    expect(pods()).toHaveLength(4);
    // The two new pods are not Ready yet: scaling back to 2 deletes them, not the Ready ones.
    edit((spec) => {
      spec.replicas = 2;
    });
    await settle();
    // They are deleted gracefully: Terminating, no longer counted, until the kubelet has stopped them (their
    // container ignores SIGTERM, so at the end of the 30 s grace period).
    const names = (list: KubeObject[]) => list.map((p) => p.metadata?.name).sort();
    const terminating = pods().filter((p) => p.metadata?.deletionTimestamp);
    expect(terminating).toHaveLength(2);
    expect(names(pods().filter((p) => !p.metadata?.deletionTimestamp))).toEqual([...old].sort());
    expect(replicaSets()[0]?.status?.replicas).toBe(2);
    await sleep(clock, 29_000);
    expect(pods()).toHaveLength(4);
    await sleep(clock, 2000);
    expect(names(pods())).toEqual([...old].sort());
    expect(events('ScalingReplicaSet')).toEqual([
      `Scaled up replica set ${name} from 0 to 2`,
      `Scaled up replica set ${name} from 2 to 4`,
      `Scaled down replica set ${name} from 4 to 2`,
    ]);
    expect(events('SuccessfulDelete')).toHaveLength(2);
    expect(
      events('SuccessfulDelete').every((m) => /^Deleted pod: /.test(m) && !old.includes(m.slice(13))),
    ).toBe(true);
    await sleep(clock, 6000);
    expect(status()).toMatchObject({ replicas: 2, readyReplicas: 2, availableReplicas: 2 });
  });

  it('a rolling update keeps within maxSurge and maxUnavailable, step by step', async () => {
    await cluster();
    create({
      replicas: 4,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } },
    });
    await sleep(clock, 6000);
    const [v1] = replicaSets();
    const seen: Array<[number, number]> = [];
    lab.onClose(
      fake.onChange((e) => {
        if (e.resource.kind !== 'ReplicaSet') return;
        const sizes = fake
          .list('apps/v1', 'ReplicaSet', 'default')
          .map((rs) => (rs.spec as { replicas: number }).replicas);
        const available = fake
          .list('apps/v1', 'ReplicaSet', 'default')
          .reduce(
            (n, rs) =>
              n + ((rs.status as { availableReplicas?: number } | undefined)?.availableReplicas ?? 0),
            0,
          );
        seen.push([sizes.reduce((a, b) => a + b, 0), available]);
      }),
    );
    edit((spec) => {
      spec.template = template('ghcr.io/x/web:2');
    });
    await settle();
    const v2 = newest();
    // First step: the new ReplicaSet gets 1 (4 + maxSurge 1 = 5 pods), the old one gives 1 of its 4 available
    // (4 - maxUnavailable 1 = 3 must stay available), then the new one grows to 2.
    expect(v2.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
    expect(fake.get('apps/v1', 'ReplicaSet', v1?.metadata?.name ?? '', 'default')?.spec).toMatchObject({
      replicas: 3,
    });
    expect(newest().spec?.replicas).toBe(2);
    expect(condition('Progressing')).toMatchObject({
      reason: 'ReplicaSetUpdated',
      message: `ReplicaSet "${v2.metadata?.name}" is progressing.`,
    });
    await sleep(clock, 30_000);
    expect(
      replicaSets()
        .map((rs) => [rs.metadata?.name, rs.spec?.replicas])
        .sort(),
    ).toEqual(
      [
        [v1?.metadata?.name, 0],
        [v2.metadata?.name, 4],
      ].sort(),
    );
    // The old ReplicaSet's last pods are still Terminating (30 s of grace); then only the new pods are left.
    await sleep(clock, 31_000);
    expect(
      pods().every(
        (p) =>
          podsOf(v2).includes(p) ||
          p.metadata?.labels?.['pod-template-hash'] === v2.metadata?.labels?.['pod-template-hash'],
      ),
    ).toBe(true);
    expect(condition('Progressing')).toMatchObject({ reason: 'NewReplicaSetAvailable' });
    expect(status()).toMatchObject({ replicas: 4, updatedReplicas: 4, availableReplicas: 4 });
    for (const [total, available] of seen) {
      expect(total).toBeLessThanOrEqual(5);
      expect(available).toBeGreaterThanOrEqual(3);
    }
    expect(events('ScalingReplicaSet').slice(1)).toEqual(
      expect.arrayContaining([
        `Scaled up replica set ${v2.metadata?.name} from 0 to 1`,
        `Scaled down replica set ${v1?.metadata?.name} from 4 to 3`,
        `Scaled up replica set ${v2.metadata?.name} from 1 to 2`,
      ]),
    );
  });

  it('Recreate: the old ReplicaSet goes to 0 and its pods away before the new one is created', async () => {
    await cluster();
    create({ replicas: 2, strategy: { type: 'Recreate' } });
    await sleep(clock, 6000);
    const [v1] = replicaSets();
    let together = false;
    lab.onClose(
      fake.onChange(() => {
        const hashes = new Set(
          fake.list('v1', 'Pod', 'default').map((p) => p.metadata?.labels?.['pod-template-hash']),
        );
        if (hashes.size > 1) together = true;
      }),
    );
    edit((spec) => {
      spec.template = template('ghcr.io/x/web:2');
    });
    await settle();
    // recreate.go oldPodsRunning: the old pods are Terminating (30 s of grace, their container ignores SIGTERM),
    // so no new ReplicaSet is scaled up before they are gone.
    expect(pods().every((p) => p.metadata?.deletionTimestamp)).toBe(true);
    expect(events('ScalingReplicaSet')).toHaveLength(2);
    await sleep(clock, 31_000);
    const v2 = newest();
    expect(together).toBe(false);
    expect(events('ScalingReplicaSet')).toEqual([
      `Scaled up replica set ${v1?.metadata?.name} from 0 to 2`,
      `Scaled down replica set ${v1?.metadata?.name} from 2 to 0`,
      `Scaled up replica set ${v2.metadata?.name} from 0 to 2`,
    ]);
    expect(podsOf(v2)).toHaveLength(2);
    expect(condition('Available')).toMatchObject({ status: 'False' });
    await sleep(clock, 6000);
    expect(condition('Available')).toMatchObject({ status: 'True' });
    expect(condition('Progressing')).toMatchObject({ reason: 'NewReplicaSetAvailable' });
  });

  it('a crashing pod: ProgressDeadlineExceeded after progressDeadlineSeconds (600 s) and not before', async () => {
    await cluster({ exits: { afterMs: 200, exitCode: 1, log: ['boom'] } });
    create({ replicas: 1 });
    await settle();
    const name = replicaSets()[0]?.metadata?.name;
    await sleep(clock, 600_000);
    expect(condition('Progressing')).toMatchObject({ status: 'True', reason: 'ReplicaSetUpdated' });
    await sleep(clock, 1500);
    expect(condition('Progressing')).toEqual({
      type: 'Progressing',
      status: 'False',
      reason: 'ProgressDeadlineExceeded',
      message: `ReplicaSet "${name}" has timed out progressing.`,
      lastUpdateTime: '2026-01-01T00:10:01Z',
      lastTransitionTime: '2026-01-01T00:10:01Z',
    });
    expect(condition('Available')).toMatchObject({ status: 'False', reason: 'MinimumReplicasUnavailable' });
    expect(status()).toMatchObject({ replicas: 1, updatedReplicas: 1, unavailableReplicas: 1 });
  });

  it('Available flips to False when pods stop being Ready, and back', async () => {
    await cluster();
    create({ replicas: 2 });
    await sleep(clock, 6000);
    expect(condition('Available')).toMatchObject({
      status: 'True',
      lastTransitionTime: '2026-01-01T00:00:05Z',
    });
    const setReady = (pod: KubeObject, value: 'True' | 'False') =>
      fake.update('v1', 'Pod', pod.metadata?.name ?? '', 'default', (p) => {
        const conditions = (
          p.status as { conditions: Array<{ type: string; status: string; lastTransitionTime: string }> }
        ).conditions;
        for (const c of conditions)
          if (c.type === 'Ready')
            Object.assign(c, {
              status: value,
              lastTransitionTime: new Date(clock.now()).toISOString().replace(/\.\d+Z$/, 'Z'),
            });
      });
    await sleep(clock, 60_000);
    const [a, b] = pods();
    if (!a || !b) throw new Error('two pods expected');
    setReady(a, 'False');
    await settle();
    // replicas 2, maxUnavailable 25% of 2 rounds down to 0: one pod short is not minimum availability.
    expect(condition('Available')).toMatchObject({
      status: 'False',
      reason: 'MinimumReplicasUnavailable',
      lastTransitionTime: '2026-01-01T00:01:06Z',
    });
    expect(status()).toMatchObject({ readyReplicas: 1, availableReplicas: 1, unavailableReplicas: 1 });
    expect(ready(fake.get('v1', 'Pod', a.metadata?.name ?? '', 'default') as KubeObject)).toBe(false);
    setReady(a, 'True');
    await settle();
    expect(condition('Available')).toMatchObject({ status: 'True', reason: 'MinimumReplicasAvailable' });
  });

  it('minReadySeconds: a Ready pod counts as available only after it', async () => {
    await cluster();
    create({ replicas: 1, minReadySeconds: 30 });
    await sleep(clock, 6000);
    expect(status()).toMatchObject({ readyReplicas: 1 });
    expect(status().availableReplicas).toBeUndefined();
    await sleep(clock, 31_000);
    expect(status()).toMatchObject({ readyReplicas: 1, availableReplicas: 1 });
    expect(condition('Available')).toMatchObject({ status: 'True' });
  });

  it('during any rolling update the ReplicaSets stay within replicas + maxSurge and available within maxUnavailable', async () => {
    const intOrPercent = fc.oneof(
      fc.integer({ min: 0, max: 3 }),
      fc.integer({ min: 0, max: 100 }).map((p) => `${p}%`),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }),
        intOrPercent,
        intOrPercent,
        async (replicas, surge, unavailable) => {
          await cluster();
          try {
            const rollingUpdate = { maxSurge: surge, maxUnavailable: unavailable };
            const { surge: s, unavailable: u } = resolveFenceposts(surge, unavailable, replicas);
            create({ replicas, strategy: { type: 'RollingUpdate', rollingUpdate } });
            await sleep(clock, 6000);
            const violations: string[] = [];
            lab.onClose(
              fake.onChange((e) => {
                if (e.resource.kind !== 'ReplicaSet') return;
                const all = fake.list('apps/v1', 'ReplicaSet', 'default') as ReplicaSet[];
                const total = all.reduce((n, rs) => n + (rs.spec?.replicas ?? 0), 0);
                const available = all.reduce((n, rs) => n + (rs.status?.availableReplicas ?? 0), 0);
                if (total > replicas + s) violations.push(`${total} pods wanted`);
                if (available < replicas - Math.min(u, replicas)) violations.push(`${available} available`);
              }),
            );
            edit((spec) => {
              spec.template = template('ghcr.io/x/web:2');
            });
            await sleep(clock, 120_000);
            expect(violations).toEqual([]);
            expect(status()).toMatchObject({
              replicas,
              updatedReplicas: replicas,
              availableReplicas: replicas,
            });
          } finally {
            await lab.close();
          }
        },
      ),
      { numRuns: 25 },
    );
    await cluster(); // afterEach closes one
  });
});

describe('the controller arithmetic, on upstream test cases', () => {
  const spec = (
    replicas: number,
    maxSurge: IntOrPercent,
    maxUnavailable: IntOrPercent,
    type: 'RollingUpdate' | 'Recreate' = 'RollingUpdate',
  ) =>
    withDefaults({
      replicas,
      strategy: type === 'Recreate' ? { type } : { type, rollingUpdate: { maxSurge, maxUnavailable } },
    });
  const rs = (
    name: string,
    replicas: number,
    available = 0,
    created = '2026-01-01T00:00:00Z',
  ): ReplicaSet => ({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, uid: name, creationTimestamp: created },
    spec: { replicas },
    status: { availableReplicas: available },
  });
  function recorder(): { scale: ScaleReplicaSet; calls: Array<[string, number]> } {
    const calls: Array<[string, number]> = [];
    const scale: ScaleReplicaSet = (set, n) => {
      calls.push([set.metadata?.name ?? '', n]);
      return { scaled: set.spec?.replicas !== n, rs: { ...set, spec: { ...set.spec, replicas: n } } };
    };
    return { scale, calls };
  }

  it('ResolveFenceposts (TestResolveFenceposts)', () => {
    expect(resolveFenceposts('0%', '0%', 0)).toEqual({ surge: 0, unavailable: 1 });
    expect(resolveFenceposts('39%', '39%', 10)).toEqual({ surge: 4, unavailable: 3 });
    expect(() => resolveFenceposts('oops', '39%', 10)).toThrow();
    expect(() => resolveFenceposts('55%', 'urg', 10)).toThrow();
    expect(resolveFenceposts(undefined, '39%', 10)).toEqual({ surge: 0, unavailable: 3 });
    expect(resolveFenceposts('39%', undefined, 10)).toEqual({ surge: 4, unavailable: 0 });
    expect(resolveFenceposts(undefined, undefined, 10)).toEqual({ surge: 0, unavailable: 1 });
  });

  it('the defaults: maxSurge 25% rounded up, maxUnavailable 25% rounded down', () => {
    const defaults = withDefaults({ replicas: 1 });
    expect(
      resolveFenceposts(
        defaults.strategy.rollingUpdate?.maxSurge,
        defaults.strategy.rollingUpdate?.maxUnavailable,
        1,
      ),
    ).toEqual({ surge: 1, unavailable: 0 });
    expect(resolveFenceposts('25%', '25%', 10)).toEqual({ surge: 3, unavailable: 2 });
    expect(withDefaults({})).toMatchObject({
      replicas: 1,
      progressDeadlineSeconds: 600,
      revisionHistoryLimit: 10,
      minReadySeconds: 0,
    });
  });

  it('MaxUnavailable (TestMaxUnavailable)', () => {
    expect(maxUnavailable(spec(10, 1, 5))).toBe(5);
    expect(maxUnavailable(spec(10, 1, 10))).toBe(10);
    expect(maxUnavailable(spec(5, 1, 10))).toBe(5);
    expect(maxUnavailable(spec(0, 1, 10))).toBe(0);
    expect(maxUnavailable(spec(1, 0, 0, 'Recreate'))).toBe(0);
    expect(maxUnavailable(spec(10, 1, '50%'))).toBe(5);
    expect(maxUnavailable(spec(10, 1, '100%'))).toBe(10);
    expect(maxUnavailable(spec(5, 1, '100%'))).toBe(5);
  });

  it('NewRSNewReplicas (TestNewRSNewReplicas)', () => {
    const rs5 = rs('rs5', 5);
    expect(newRSNewReplicas(spec(1, 1, 1), [rs5], rs('new', 5))).toBe(5);
    expect(newRSNewReplicas(spec(6, 10, 1), [rs5], rs('new', 2))).toBe(6);
    expect(newRSNewReplicas(spec(3, 1, 1, 'Recreate'), [rs5], rs('new', 1))).toBe(3);
  });

  it('DeploymentComplete, DeploymentProgressing, DeploymentTimedOut (their tables)', () => {
    const complete = (desired: number, current: number, updated: number, available: number) =>
      deploymentComplete({ replicas: desired }, 0, {
        replicas: current,
        updatedReplicas: updated,
        availableReplicas: available,
      });
    expect(complete(5, 5, 5, 4)).toBe(false);
    expect(complete(5, 5, 5, 3)).toBe(false);
    expect(complete(5, 5, 5, 5)).toBe(true);
    expect(complete(5, 5, 4, 5)).toBe(false);
    expect(complete(1, 2, 1, 1)).toBe(false);
    expect(complete(1, 1, 1, 0)).toBe(false);
    const st = (
      replicas: number,
      updatedReplicas: number,
      readyReplicas: number,
      availableReplicas: number,
    ) => ({ replicas, updatedReplicas, readyReplicas, availableReplicas });
    expect(deploymentProgressing(st(10, 4, 4, 4), st(10, 6, 4, 4))).toBe(true);
    expect(deploymentProgressing(st(10, 4, 4, 4), st(10, 4, 4, 4))).toBe(false);
    expect(deploymentProgressing(st(10, 4, 6, 6), st(8, 4, 6, 6))).toBe(true);
    expect(deploymentProgressing(st(10, 7, 3, 3), st(10, 6, 3, 3))).toBe(false);
    expect(deploymentProgressing(st(10, 4, 7, 7), st(8, 8, 5, 5))).toBe(true);
    expect(deploymentProgressing(st(10, 10, 9, 8), st(10, 10, 10, 8))).toBe(true);
    expect(deploymentProgressing(st(10, 10, 10, 9), st(10, 10, 10, 10))).toBe(true);
    const progressing = (from: string, reason = ''): DeploymentStatus => ({
      conditions: [
        {
          type: 'Progressing',
          status: 'True',
          reason,
          message: '',
          lastUpdateTime: from,
          lastTransitionTime: from,
        },
      ],
    });
    const at = (s: number) => Date.parse(`2016-01-01T00:01:${String(s).padStart(2, '0')}Z`);
    const ten = withDefaults({ progressDeadlineSeconds: 10 });
    expect(
      deploymentTimedOut(
        withDefaults({ progressDeadlineSeconds: 2147483647 }),
        progressing('2016-01-01T00:01:09Z'),
        at(20),
      ),
    ).toBe(false);
    expect(deploymentTimedOut(ten, progressing('2016-01-01T00:01:09Z'), at(20))).toBe(true);
    expect(deploymentTimedOut(ten, progressing('2016-01-01T00:01:11Z'), at(20))).toBe(false);
    expect(
      deploymentTimedOut(ten, progressing('2016-01-01T00:00:00Z', 'NewReplicaSetAvailable'), at(20)),
    ).toBe(false);
  });

  it('reconcileNewReplicaSet (TestDeploymentController_reconcileNewReplicaSet, v1.33 cases)', () => {
    const cases: Array<[number, number, number, number, number | undefined]> = [
      // deploymentReplicas, maxSurge, oldReplicas, newReplicas, expected (undefined: no scaling)
      [10, 0, 10, 0, undefined],
      [10, 2, 10, 0, 2],
      [10, 2, 5, 0, 7],
      [10, 2, 10, 2, undefined],
      [10, 2, 2, 11, 10],
    ];
    for (const [replicas, surge, oldReplicas, newReplicas, expected] of cases) {
      const { scale, calls } = recorder();
      const newRS = rs('foo-v2', newReplicas);
      const scaled = reconcileNewReplicaSet(
        spec(replicas, surge, 0),
        [newRS, rs('foo-v1', oldReplicas)],
        newRS,
        scale,
      );
      expect(scaled).toBe(expected !== undefined);
      expect(calls).toEqual(expected === undefined ? [] : [['foo-v2', expected]]);
    }
  });

  it('reconcileOldReplicaSets (TestDeploymentController_reconcileOldReplicaSets)', () => {
    const cases: Array<[number, number, number, number, number, number, number | undefined]> = [
      // deploymentReplicas, maxUnavailable, oldReplicas, newReplicas, readyOld, readyNew, expected old size
      [10, 0, 10, 0, 10, 0, 9],
      [10, 2, 10, 0, 10, 0, 8],
      [10, 2, 10, 0, 8, 0, 8],
      [10, 2, 10, 0, 9, 0, 8],
      [10, 2, 8, 2, 8, 0, undefined],
    ];
    for (const [replicas, unavailable, oldReplicas, newReplicas, readyOld, readyNew, expected] of cases) {
      const { scale, calls } = recorder();
      const newRS = rs('foo-new', newReplicas, readyNew);
      const oldRS = rs('foo-old', oldReplicas, readyOld);
      const scaled = reconcileOldReplicaSets(
        spec(replicas, 0, unavailable),
        [oldRS, newRS],
        [oldRS],
        newRS,
        scale,
      );
      expect(scaled).toBe(expected !== undefined);
      if (expected !== undefined) expect(calls.at(-1)).toEqual(['foo-old', expected]);
    }
  });

  it('cleanupUnhealthyReplicas and scaleDownOldReplicaSetsForRollingUpdate (their tables)', () => {
    for (const [ready, max, expected] of [
      [8, 1, 1],
      [8, 3, 2],
      [8, 0, 0],
      [10, 3, 0],
    ] as const) {
      expect(cleanupUnhealthyReplicas([rs('foo-v2', 10, ready)], max, recorder().scale).count).toBe(expected);
    }
    const cases: Array<[number, number, number, number | undefined]> = [
      // maxUnavailable, readyPods, oldReplicas, expected (deploymentReplicas 10)
      [0, 10, 10, 9],
      [2, 10, 10, 8],
      [2, 8, 10, undefined],
      [2, 10, 0, undefined],
      [2, 1, 10, undefined],
    ];
    for (const [unavailable, readyPods, oldReplicas, expected] of cases) {
      const { scale, calls } = recorder();
      const oldRS = rs('foo-v2', oldReplicas, readyPods);
      const count = scaleDownOldReplicaSetsForRollingUpdate(
        spec(10, 0, unavailable),
        [oldRS],
        [oldRS],
        scale,
      );
      expect(count > 0).toBe(expected !== undefined);
      expect(calls).toEqual(expected === undefined ? [] : [['foo-v2', expected]]);
    }
  });

  it('getReplicaSetFraction (TestGetReplicaSetFraction)', () => {
    const withMax = (replicas: number, max?: string): ReplicaSet => ({
      ...rs('r', replicas),
      metadata: {
        name: 'r',
        annotations: max === undefined ? {} : { 'deployment.kubernetes.io/max-replicas': max },
      },
    });
    const d = (replicas: number, surge = 0) => spec(replicas, surge, 1);
    expect(replicaSetFraction(withMax(10), d(0), 0)).toBe(-10);
    expect(replicaSetFraction(withMax(5), d(10), 0)).toBe(0);
    expect(replicaSetFraction(withMax(5, '0'), d(10), 0)).toBe(0);
    expect(replicaSetFraction(withMax(50), d(120), 100)).toBe(10);
    expect(replicaSetFraction(withMax(50, '0'), d(120), 100)).toBe(10);
    expect(replicaSetFraction(withMax(50, '100'), d(120), 0)).toBe(10);
    expect(replicaSetFraction(withMax(50, '110'), d(120, 10), 0)).toBe(9);
    expect(replicaSetFraction(withMax(6, '12'), d(10), 0)).toBe(-1);
    expect(replicaSetFraction(withMax(50, '130'), d(100, 10), 0)).toBe(-8);
  });

  it('EqualIgnoreHash (TestEqualIgnoreHash) and the hash form', () => {
    const t = (labels: Record<string, string>, annotations: Record<string, string> = {}) => ({
      metadata: { name: 'foo', labels, annotations },
      spec: { nodeName: 'foo-node' },
    });
    expect(
      equalIgnoreHash(
        t({ 'pod-template-hash': 'value-1', something: 'else' }),
        t({ 'pod-template-hash': 'value-2', something: 'else' }),
      ),
    ).toBe(true);
    expect(
      equalIgnoreHash(t({ something: 'else' }), t({ 'pod-template-hash': 'value-2', something: 'else' })),
    ).toBe(true);
    expect(equalIgnoreHash(t({ something: 'else' }), t({ 'pod-template-hash': 'value-2' }))).toBe(false);
    expect(
      equalIgnoreHash(
        t({ 'pod-template-hash': 'value-1' }),
        t({ 'pod-template-hash': 'value-1', something: 'else' }),
      ),
    ).toBe(false);
    expect(equalIgnoreHash(t({ a: 'b' }, { former: 'value' }), t({ a: 'b' }, { latter: 'value' }))).toBe(
      false,
    );
    fc.assert(
      fc.property(
        fc.jsonValue(),
        fc.option(fc.integer({ min: 0, max: 2 ** 31 - 1 }), { nil: undefined }),
        (spec, count) => {
          const hash = computeHash({ spec: { x: spec } }, count);
          expect(hash).toMatch(/^[4-9bcdf]{1,10}$/);
          expect(computeHash({ spec: { x: spec } }, count)).toBe(hash);
        },
      ),
    );
    expect(computeHash({ spec: {} }, 1)).not.toBe(computeHash({ spec: {} }));
  });

  it('the fenceposts never both come to 0, and never exceed what they scale', () => {
    const value = fc.oneof(
      fc.integer({ min: 0, max: 50 }),
      fc.integer({ min: 0, max: 200 }).map((p) => `${p}%`),
    );
    fc.assert(
      fc.property(value, value, fc.integer({ min: 0, max: 1000 }), (surge, unavailable, desired) => {
        const r = resolveFenceposts(surge, unavailable, desired);
        expect(r.surge + r.unavailable).toBeGreaterThan(0);
        if (typeof surge === 'string')
          expect(r.surge).toBe(Math.ceil((Number.parseInt(surge, 10) * desired) / 100));
        if (typeof unavailable === 'string' && r.unavailable !== 1)
          expect(r.unavailable).toBe(Math.floor((Number.parseInt(unavailable, 10) * desired) / 100));
        expect(maxUnavailable(spec(desired, surge, unavailable))).toBeLessThanOrEqual(desired);
      }),
    );
  });

  it('ActivePodsWithRanks: not Ready before Ready, then younger before older', () => {
    const now = Date.parse('2026-01-01T01:00:00Z');
    const pod = (
      name: string,
      phase: string,
      ready: boolean,
      created: string,
      readySince = created,
    ): KubeObject => ({
      metadata: { name, uid: name, creationTimestamp: created },
      status: {
        phase,
        conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: readySince }],
      },
    });
    const pods = [
      pod('old-ready', 'Running', true, '2026-01-01T00:00:00Z'),
      pod('pending', 'Pending', false, '2026-01-01T00:00:00Z'),
      pod('young-ready', 'Running', true, '2026-01-01T00:59:00Z'),
      pod('not-ready', 'Running', false, '2026-01-01T00:00:00Z'),
    ];
    expect(podsToDelete(pods, 3, now).map((p) => p.metadata?.name)).toEqual([
      'pending',
      'not-ready',
      'young-ready',
    ]);
  });
});
