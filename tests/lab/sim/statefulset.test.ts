/**
 * The StatefulSet controller of the simulation (src/lab/sim/statefulset.ts) as `kubectl get sts,pods` and
 * `kubectl describe sts` show it on a Kubernetes v1.33 cluster, on a virtual clock: OrderedReady creation one pod at
 * a time, scale-down from the highest ordinal, Parallel, rolling updates, and the pod name parsing of
 * stateful_set_utils.go getParentNameAndOrdinal.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { sleep } from '../../../src/lab/clock.js';
import type { VirtualClock } from '../../../src/lab/sim/clock.js';
import { safeAlphabet } from '../../../src/lab/sim/deployment-util.js';
import { type ContainerBehaviour, podReady } from '../../../src/lab/sim/kubelet.js';
import { parentAndOrdinal, revisionName, StatefulSetController } from '../../../src/lab/sim/statefulset.js';
import {
  type ControllerCluster,
  controllerCluster,
  readyAfter5s,
  workload,
} from '../../support/controller-cluster.js';
import type { FakeKube } from '../../support/fake-kube/index.js';

describe('a StatefulSet on the simulated cluster, as kubectl shows it', { timeout: 60_000 }, () => {
  let lab: ControllerCluster;
  let fake: FakeKube;
  let clock: VirtualClock;
  afterEach(() => lab.close());

  async function cluster(behaviour: ContainerBehaviour = {}) {
    lab = await controllerCluster(
      (f, models) => new StatefulSetController(f, { clock: models }).start(),
      behaviour,
    );
    ({ fake, clock } = lab);
  }

  const template = (image = 'ghcr.io/x/db:1') => readyAfter5s('db', image);
  const {
    create,
    edit,
    get: set,
  } = workload(
    () => lab,
    'StatefulSet',
    'db',
    () => ({
      replicas: 3,
      serviceName: 'db',
      selector: { matchLabels: { app: 'db' } },
      template: template(),
    }),
  );
  const status = () => (set().status ?? {}) as Record<string, unknown>;
  const pods = () => fake.list('v1', 'Pod', 'default');
  const names = () => pods().map((p) => p.metadata?.name);
  const ready = () =>
    pods()
      .filter(podReady)
      .map((p) => p.metadata?.name);
  const events = (reason: string) => lab.events('default', reason);
  const settle = () => lab.settle();

  it('creates <set>-0 first, labelled and owned, and the next only once the previous is Running and Ready', async () => {
    await cluster();
    const [sts] = create();
    await settle();
    expect(names()).toEqual(['db-0']);
    const revision = status().updateRevision as string;
    expect(revision).toMatch(new RegExp(`^db-[${safeAlphabet}]{1,10}$`));
    const [pod] = pods();
    expect(pod?.metadata?.labels).toEqual({
      app: 'db',
      'controller-revision-hash': revision,
      'statefulset.kubernetes.io/pod-name': 'db-0',
      'apps.kubernetes.io/pod-index': '0',
    });
    expect(pod?.metadata?.ownerReferences).toEqual([
      {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        name: 'db',
        uid: sts?.metadata?.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    expect(pod?.spec).toMatchObject({ hostname: 'db-0', subdomain: 'db' });
    expect(events('SuccessfulCreate')).toEqual(['create Pod db-0 in StatefulSet db successful']);
    const source = fake.list('v1', 'Event', 'default').find((e) => e.reason === 'SuccessfulCreate');
    expect(source?.source).toMatchObject({ component: 'statefulset-controller' });
    // READY 0/3: the pod runs but is not Ready yet.
    expect(status()).toEqual({
      observedGeneration: 1,
      replicas: 1,
      currentReplicas: 1,
      updatedReplicas: 1,
      availableReplicas: 0,
      currentRevision: revision,
      updateRevision: revision,
      collisionCount: 0,
    });

    await sleep(clock, 4000);
    expect(names()).toEqual(['db-0']);
    await sleep(clock, 2000); // db-0 Ready at 5 s: db-1 is created then
    expect(names()).toEqual(['db-0', 'db-1']);
    await sleep(clock, 5000);
    expect(names()).toEqual(['db-0', 'db-1', 'db-2']);
    await sleep(clock, 5000);
    expect(ready()).toEqual(['db-0', 'db-1', 'db-2']);
    expect(status()).toEqual({
      observedGeneration: 1,
      replicas: 3,
      readyReplicas: 3,
      currentReplicas: 3,
      updatedReplicas: 3,
      availableReplicas: 3,
      currentRevision: revision,
      updateRevision: revision,
      collisionCount: 0,
    });
    expect(events('SuccessfulCreate')).toEqual(
      ['db-0', 'db-1', 'db-2'].map((n) => `create Pod ${n} in StatefulSet db successful`),
    );
  });

  it('waits on a pod that never becomes Ready (OrderedReady)', async () => {
    await cluster({ probe: () => ({ status: 503, body: 'not ready' }) });
    create();
    await sleep(clock, 60_000);
    expect(names()).toEqual(['db-0']);
    expect(status()).toMatchObject({ replicas: 1, availableReplicas: 0 });
    expect(status().readyReplicas).toBeUndefined();
  });

  it('scales down from the highest ordinal, and back up from the lowest missing one', async () => {
    await cluster();
    create();
    await sleep(clock, 20_000);
    const deleted: string[] = [];
    lab.onClose(
      fake.onChange((e) => {
        if (e.resource.kind === 'Pod' && e.type === 'DELETED') deleted.push(e.object.metadata?.name ?? '');
      }),
    );
    edit((spec) => {
      spec.replicas = 1;
    });
    await settle();
    // OrderedReady: one pod at a time, each deleted gracefully (Terminating for its 30 s grace period, as its
    // container ignores SIGTERM); the next only once the previous one is gone.
    const terminating = () =>
      pods()
        .filter((p) => p.metadata?.deletionTimestamp)
        .map((p) => p.metadata?.name);
    expect(deleted).toEqual([]);
    expect(terminating()).toEqual(['db-2']);
    await sleep(clock, 29_000);
    expect(deleted).toEqual([]);
    await sleep(clock, 2000);
    expect(deleted).toEqual(['db-2']);
    expect(terminating()).toEqual(['db-1']);
    await sleep(clock, 31_000);
    expect(deleted).toEqual(['db-2', 'db-1']);
    expect(names()).toEqual(['db-0']);
    expect(events('SuccessfulDelete')).toEqual(
      ['db-2', 'db-1'].map((n) => `delete Pod ${n} in StatefulSet db successful`),
    );
    expect(status()).toMatchObject({ observedGeneration: 2, replicas: 1, readyReplicas: 1 });

    edit((spec) => {
      spec.replicas = 0;
    });
    await settle();
    expect(terminating()).toEqual(['db-0']);
    await sleep(clock, 31_000);
    expect(names()).toEqual([]);
    // kubectl get sts: READY 0/0; the zero counts are left out but replicas and availableReplicas.
    expect(status()).toEqual({
      observedGeneration: 3,
      replicas: 0,
      availableReplicas: 0,
      currentRevision: expect.any(String),
      updateRevision: expect.any(String),
      collisionCount: 0,
    });
    edit((spec) => {
      spec.replicas = 2;
    });
    await settle();
    expect(names()).toEqual(['db-0']);
    await sleep(clock, 6000);
    expect(names()).toEqual(['db-0', 'db-1']);
  });

  it('creates every pod at once under podManagementPolicy Parallel', async () => {
    await cluster();
    create({ podManagementPolicy: 'Parallel' });
    await settle();
    expect(names()).toEqual(['db-0', 'db-1', 'db-2']);
    await sleep(clock, 6000);
    expect(status()).toMatchObject({ replicas: 3, readyReplicas: 3, availableReplicas: 3 });
  });

  it('rolls a new template out from the highest ordinal, one Ready pod at a time', async () => {
    // A process that exits on SIGTERM within a second: each deleted pod is Terminating about a second.
    await cluster({ stops: { afterMs: 1000, exitCode: 0 } });
    create();
    await sleep(clock, 20_000);
    const before = status().currentRevision as string;
    const steps: string[] = [];
    const seen = new Set<string>();
    const once = (step: string, uid = '') => {
      if (seen.has(`${step}/${uid}`)) return;
      seen.add(`${step}/${uid}`);
      steps.push(step);
    };
    const created = new Set<string>();
    lab.onClose(
      fake.onChange((e) => {
        if (e.resource.kind !== 'Pod') return;
        const { name, uid = '', deletionTimestamp } = e.object.metadata ?? {};
        if (e.type === 'ADDED') created.add(uid);
        if (e.type === 'DELETED') once(`gone ${name}`, uid);
        else if (deletionTimestamp) once(`terminating ${name}`, uid);
        else if (created.has(uid) && podReady(e.object)) once(`ready ${name}`, uid);
      }),
    );
    edit((spec) => {
      spec.template = template('ghcr.io/x/db:2');
    });
    await settle();
    const after = status().updateRevision as string;
    expect(after).not.toBe(before);
    const image = (name: string) =>
      (pods().find((p) => p.metadata?.name === name)?.spec as { containers?: Array<{ image: string }> })
        ?.containers?.[0]?.image;
    // db-2 is deleted gracefully first; it is made again at the new revision once it is gone.
    expect(steps).toEqual(['terminating db-2']);
    expect(image('db-2')).toBe('ghcr.io/x/db:1');
    await sleep(clock, 2000);
    expect(image('db-2')).toBe('ghcr.io/x/db:2');
    expect(image('db-1')).toBe('ghcr.io/x/db:1');
    expect(status()).toMatchObject({ currentRevision: before, updateRevision: after, updatedReplicas: 1 });
    await sleep(clock, 30_000);
    // Each next pod is deleted only once the one before is back and Ready.
    expect(steps).toEqual(
      ['db-2', 'db-1', 'db-0'].flatMap((n) => [`terminating ${n}`, `gone ${n}`, `ready ${n}`]),
    );
    expect(pods().map((p) => p.metadata?.labels?.['controller-revision-hash'])).toEqual([
      after,
      after,
      after,
    ]);
    // All updated and Ready: the update revision becomes the current one.
    expect(status()).toMatchObject({
      replicas: 3,
      readyReplicas: 3,
      currentReplicas: 3,
      updatedReplicas: 3,
      currentRevision: after,
      updateRevision: after,
    });
  });

  it('takes its pods with it when deleted', async () => {
    await cluster();
    create({ podManagementPolicy: 'Parallel' });
    await settle();
    fake.remove('apps/v1', 'StatefulSet', 'db', 'default');
    await settle();
    expect(names()).toEqual([]);
  });
});

describe('StatefulSet names', () => {
  it('getParentNameAndOrdinal: the last "-<digits>" is the ordinal, anything else has none', () => {
    expect(parentAndOrdinal('argocd-application-controller-0')).toEqual({
      parent: 'argocd-application-controller',
      ordinal: 0,
    });
    expect(parentAndOrdinal('web-12')).toEqual({ parent: 'web', ordinal: 12 });
    expect(parentAndOrdinal('web')).toEqual({ parent: '', ordinal: -1 });
    expect(parentAndOrdinal('web-')).toEqual({ parent: '', ordinal: -1 });
    expect(parentAndOrdinal('web-2147483648')).toEqual({ parent: 'web', ordinal: -1 });
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (base, ordinal) => {
        expect(parentAndOrdinal(`${base}-${ordinal}`)).toEqual({ parent: base, ordinal });
      }),
    );
    fc.assert(
      fc.property(fc.string(), (name) => {
        const { parent, ordinal } = parentAndOrdinal(name);
        if (ordinal >= 0) expect(name).toBe(`${parent}-${name.slice(parent.length + 1)}`);
        else expect(ordinal).toBe(-1);
      }),
    );
  });

  it('the revision name: <set>-<safe-encoded hash>, the same for the same template, another for another', () => {
    const t = (image: string) => ({ spec: { containers: [{ name: 'c', image }] } });
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.nat(1000), (image, collisions) => {
        const name = revisionName('db', t(image), collisions);
        expect(name).toMatch(new RegExp(`^db-[${safeAlphabet}]{1,10}$`));
        expect(revisionName('db', t(image), collisions)).toBe(name);
      }),
    );
    expect(revisionName('db', t('a:1'))).not.toBe(revisionName('db', t('a:2')));
    expect(revisionName('db', t('a:1'), 1)).not.toBe(revisionName('db', t('a:1')));
  });
});
