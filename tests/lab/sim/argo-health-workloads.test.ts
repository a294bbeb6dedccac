/**
 * The health Argo CD v3.1.12 gives workloads the simulation's own controllers run (argo-health.ts on the objects of
 * deployment.ts, replicaset.ts, statefulset.ts and the kubelet model, on a virtual clock): what a user who adds a
 * Deployment or StatefulSet to the lab's Git repository sees, and what a sync wave waits for.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sleep } from '../../../src/lab/clock.js';
import { type HealthStatus, resourceHealth } from '../../../src/lab/sim/argo-health.js';
import type { VirtualClock } from '../../../src/lab/sim/clock.js';
import type { ContainerBehaviour } from '../../../src/lab/sim/kubelet.js';
import { StatefulSetController } from '../../../src/lab/sim/statefulset.js';
import { deploymentPods } from '../../../src/lab/sim/workloads.js';
import {
  type ControllerCluster,
  controllerCluster,
  readyAfter5s,
  workload,
} from '../../support/controller-cluster.js';

describe('health of workloads the simulated controllers run', { timeout: 60_000 }, () => {
  let lab: ControllerCluster;
  let clock: VirtualClock;
  afterEach(() => lab.close());

  /** The distinct healths `read` gives, sampled every 500 ms of virtual time for `ms`. */
  async function trace(read: () => HealthStatus | undefined, ms: number) {
    const seen: HealthStatus[] = [];
    const note = () => {
      const h = read();
      const last = seen.at(-1);
      if (h && (last?.status !== h.status || last?.message !== h.message)) seen.push(h);
    };
    note();
    for (let t = 0; t < ms; t += 500) {
      await sleep(clock, 500);
      note();
    }
    return seen;
  }

  describe('Deployment (health_deployment.go)', () => {
    async function cluster(behaviour: ContainerBehaviour = {}) {
      lab = await controllerCluster(
        (f, models) => deploymentPods(f, () => true, { clock: models }),
        behaviour,
      );
      ({ clock } = lab);
    }
    const { create, edit, get } = workload(
      () => lab,
      'Deployment',
      'web',
      () => ({
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: readyAfter5s('web', 'ghcr.io/x/web:1'),
      }),
    );
    const pods = () => lab.fake.list('v1', 'Pod', 'default');

    it('a new Deployment is Progressing until its pods are available, then Healthy', async () => {
      await cluster();
      create();
      // Not yet seen by the controller: generation 1, no observedGeneration.
      expect(resourceHealth(get())).toEqual({
        status: 'Progressing',
        message: 'Waiting for rollout to finish: observed deployment generation less than desired generation',
      });
      await lab.settle();
      expect(resourceHealth(get())).toEqual({
        status: 'Progressing',
        message: 'Waiting for rollout to finish: 0 of 2 updated replicas are available...',
      });
      // The pods are Running but not Ready: Progressing too (health_pod.go), not Degraded.
      expect(pods().map((p) => resourceHealth(p)?.status)).toEqual(['Progressing', 'Progressing']);
      await sleep(clock, 6000);
      expect(resourceHealth(get())).toEqual({ status: 'Healthy' });
      expect(pods().map((p) => resourceHealth(p)?.status)).toEqual(['Healthy', 'Healthy']);
    });

    it('a rolling update goes Progressing (updated, old, available replicas) and ends Healthy', async () => {
      await cluster();
      create();
      await sleep(clock, 6000);
      expect(resourceHealth(get())).toEqual({ status: 'Healthy' });
      edit((spec) => {
        spec.template = readyAfter5s('web', 'ghcr.io/x/web:2');
      });
      const seen = await trace(() => resourceHealth(get()), 30_000);
      expect(seen[0]).toEqual({
        status: 'Progressing',
        message: 'Waiting for rollout to finish: observed deployment generation less than desired generation',
      });
      expect(seen.at(-1)).toEqual({ status: 'Healthy' });
      expect(seen.slice(0, -1).every((h) => h.status === 'Progressing')).toBe(true);
      // maxSurge 25% of 2 rounds up to 1, maxUnavailable rounds down to 0: one new pod at a time, the old ones
      // leaving only once new ones are available.
      const messages = seen.map((h) => h.message);
      expect(messages).toContain(
        'Waiting for rollout to finish: 1 out of 2 new replicas have been updated...',
      );
      expect(messages).toContain('Waiting for rollout to finish: 1 old replicas are pending termination...');
    });

    it('crashing pods are Degraded at once; the Deployment is Degraded only past its progress deadline', async () => {
      await cluster({ exits: { afterMs: 200, exitCode: 1, log: ['boom'] } });
      create({ replicas: 1, progressDeadlineSeconds: 60 });
      await sleep(clock, 30_000);
      const [pod] = pods();
      if (!pod) throw new Error('a pod expected');
      const podHealth = resourceHealth(pod);
      expect(podHealth?.status).toBe('Degraded');
      // The kubelet's back-off message, as the container's waiting state carries it.
      expect(podHealth?.message).toMatch(/^back-off \d+s restarting failed container=web pod=web-/);
      expect(resourceHealth(get())).toEqual({
        status: 'Progressing',
        message: 'Waiting for rollout to finish: 0 of 1 updated replicas are available...',
      });
      await sleep(clock, 32_000);
      expect(resourceHealth(get())).toEqual({
        status: 'Degraded',
        message: 'Deployment "web" exceeded its progress deadline',
      });
    });

    it('a paused Deployment is Suspended', async () => {
      await cluster();
      create({ paused: true });
      await lab.settle();
      expect(resourceHealth(get())).toEqual({ status: 'Suspended', message: 'Deployment is paused' });
    });
  });

  describe('StatefulSet (health_statefulset.go)', () => {
    const { create, get } = workload(
      () => lab,
      'StatefulSet',
      'db',
      () => ({
        replicas: 2,
        serviceName: 'db',
        selector: { matchLabels: { app: 'db' } },
        template: readyAfter5s('db', 'ghcr.io/x/db:1'),
      }),
    );

    it('a new StatefulSet waits for its pods one by one, then its defaulted partition says the roll out is complete', async () => {
      lab = await controllerCluster((f, models) => new StatefulSetController(f, { clock: models }).start());
      ({ clock } = lab);
      create();
      const seen = await trace(() => resourceHealth(get()), 20_000);
      expect(seen).toEqual([
        { status: 'Progressing', message: 'Waiting for statefulset spec update to be observed...' },
        { status: 'Progressing', message: 'Waiting for 2 pods to be ready...' },
        { status: 'Progressing', message: 'Waiting for 1 pods to be ready...' },
        { status: 'Healthy', message: 'partitioned roll out complete: 2 new pods have been updated...' },
      ]);
    });
  });
});
