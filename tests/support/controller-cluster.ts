/**
 * A simulated cluster on a virtual clock with the kubelet model and some workload controllers, for the tests of those
 * controllers (tests/lab/sim/workloads.test.ts, statefulset.test.ts): the pods' containers do what `behaviour` says,
 * probe workers start without jitter, and time moves only while a test waits on the clock.
 */

import type { Clock } from '../../src/lab/clock.js';
import { sleep } from '../../src/lab/clock.js';
import { VirtualClock } from '../../src/lab/sim/clock.js';
import { type ContainerBehaviour, Kubelet, type KubeletOptions } from '../../src/lab/sim/kubelet.js';
import { type FakeKube, type KubeObject, startFakeKube } from './fake-kube/index.js';

export interface ControllerCluster {
  fake: FakeKube;
  clock: VirtualClock;
  /** Runs `stop` when the cluster closes (a watch the test added). */
  onClose(stop: () => void): void;
  /** The messages of the events of `reason` in `namespace`. */
  events(namespace: string, reason: string): string[];
  /** Lets the controllers run without time passing (a foreground timer of 1 ms fires once all is quiet). */
  settle(): Promise<void>;
  close(): Promise<void>;
}

/** What the pods' containers do: the same for every container, or the kubelet's hook. */
type Behaviour = ContainerBehaviour | NonNullable<KubeletOptions['behaviour']>;

export async function controllerCluster(
  controllers: (fake: FakeKube, models: Clock) => () => void,
  behaviour: Behaviour = {},
): Promise<ControllerCluster> {
  const clock = new VirtualClock({ start: Date.parse('2026-01-01T00:00:00Z') });
  const fake = await startFakeKube({ clock });
  const models = clock.background();
  const hook = typeof behaviour === 'function' ? behaviour : () => behaviour;
  const kubelet = new Kubelet(fake, { clock: models, behaviour: hook, random: () => 0 }).start();
  const stops = [controllers(fake, models), () => kubelet.stop()];
  return {
    fake,
    clock,
    onClose: (stop) => stops.push(stop),
    events: (namespace, reason) =>
      fake
        .list('v1', 'Event', namespace)
        .filter((e) => e.reason === reason)
        .map((e) => e.message as string),
    settle: () => sleep(clock, 1),
    async close() {
      for (const stop of stops) stop();
      clock.stop();
      await fake.close();
    },
  };
}

/**
 * A pod template of one container `app` whose readiness probe waits 5 s (initialDelaySeconds 5, periodSeconds 5):
 * each pod is Ready 5 s after it starts, the probe worker's first tick past the delay.
 */
export const readyAfter5s = (app: string, image: string) => ({
  metadata: { labels: { app } },
  spec: {
    containers: [
      {
        name: app,
        image,
        ports: [{ name: 'http', containerPort: 8080 }],
        readinessProbe: {
          httpGet: { path: '/readyz', port: 'http' },
          initialDelaySeconds: 5,
          periodSeconds: 5,
        },
      },
    ],
  },
});

type Spec = Record<string, unknown>;

/**
 * An apps/v1 workload `kind` named `name` in the namespace default of the cluster `lab()` gives: `create` seeds it
 * with `spec` over `base()`, `edit` changes its spec, `get` reads it.
 */
export function workload(lab: () => ControllerCluster, kind: string, name: string, base: () => Spec) {
  return {
    create: (spec: Spec = {}) =>
      lab().fake.seed({
        apiVersion: 'apps/v1',
        kind,
        metadata: { name, namespace: 'default' },
        spec: { ...base(), ...spec },
      }),
    edit: (change: (spec: Spec) => void) =>
      lab().fake.update('apps/v1', kind, name, 'default', (o) => change(o.spec as Spec)),
    get: () => lab().fake.get('apps/v1', kind, name, 'default') as KubeObject,
  };
}
