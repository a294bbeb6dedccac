/**
 * The kubelet model's pod status as `kubectl get pod -o yaml` shows it on a Kubernetes v1.33 node: the phase
 * (pkg/kubelet/kubelet_pods.go getPhase), the conditions and their reasons (pkg/kubelet/status/generate.go),
 * startTime and lastTransitionTime (pkg/kubelet/status/status_manager.go updateStatusInternal), the addresses and the
 * QoS class; and the events `kubectl describe pod` lists. All time is virtual.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sleep } from '../../../src/lab/clock.js';
import { VirtualClock } from '../../../src/lab/sim/clock.js';
import { type ContainerBehaviour, Kubelet, type NodeInfo } from '../../../src/lab/sim/kubelet.js';
import { type FakeKube, startFakeKube } from '../../support/fake-kube/index.js';

interface Condition {
  type: string;
  status: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}
interface Status {
  phase?: string;
  qosClass?: string;
  hostIP?: string;
  hostIPs?: Array<{ ip: string }>;
  podIP?: string;
  podIPs?: Array<{ ip: string }>;
  startTime?: string;
  conditions?: Condition[];
  containerStatuses?: Array<{
    restartCount: number;
    ready: boolean;
    state: {
      waiting?: { reason: string; message?: string };
      running?: unknown;
      terminated?: { exitCode: number };
    };
    lastState?: { terminated?: { exitCode: number; finishedAt?: string } };
  }>;
}

describe('the kubelet writes a pod status as a v1.33 kubelet does', () => {
  let fake: FakeKube;
  let clock: VirtualClock;
  let kubelet: Kubelet | undefined;
  afterEach(async () => {
    kubelet?.stop();
    kubelet = undefined;
    clock.stop();
    await fake.close();
  });

  async function cluster(
    options: {
      imageExists?: boolean | ((image: string) => boolean);
      behaviour?: ContainerBehaviour;
      node?: Partial<NodeInfo>;
    } = {},
  ) {
    clock = new VirtualClock({ start: Date.parse('2026-01-01T00:00:00Z') });
    fake = await startFakeKube({ clock });
    kubelet = new Kubelet(fake, {
      clock,
      imageExists: (image) =>
        typeof options.imageExists === 'function'
          ? options.imageExists(image)
          : (options.imageExists ?? true),
      behaviour: () => options.behaviour ?? {},
      ...(options.node ? { node: options.node } : {}),
    }).start();
  }
  const seed = (spec: Record<string, unknown> = {}, name = 'p') =>
    fake.seed({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default' },
      spec: { containers: [{ name: 'c', image: 'ghcr.io/x/y:1' }], ...spec },
    })[0];
  const status = () => (fake.get('v1', 'Pod', 'p', 'default')?.status ?? {}) as Status;
  const condition = (type: string) => status().conditions?.find((c) => c.type === type);
  const waiting = () => status().containerStatuses?.[0]?.state.waiting?.reason;

  it('a pod the kubelet has not synced yet is Pending, as the API server created it', async () => {
    clock = new VirtualClock({ start: 0 });
    fake = await startFakeKube({ clock });
    seed();
    expect(status()).toEqual({ phase: 'Pending', qosClass: 'BestEffort' });
  });

  it('a pod whose image cannot be pulled stays Pending: ErrImagePull, then ImagePullBackOff, never Ready', async () => {
    await cluster({ imageExists: false });
    seed();
    await sleep(clock, 500);
    expect(waiting()).toBe('ErrImagePull');
    expect(status().phase).toBe('Pending');
    await sleep(clock, 1000);
    expect(waiting()).toBe('ImagePullBackOff');
    // Since v1.32 the back-off message carries the last pull's error.
    expect(status().containerStatuses?.[0]?.state.waiting?.message).toBe(
      'Back-off pulling image "ghcr.io/x/y:1": ErrImagePull: failed to pull and unpack image "ghcr.io/x/y:1": not found',
    );
    expect(status().phase).toBe('Pending');
    expect(condition('Ready')).toMatchObject({
      status: 'False',
      reason: 'ContainersNotReady',
      message: 'containers with unready status: [c]',
    });
    await sleep(clock, 600_000);
    expect(status().phase).toBe('Pending');
    expect(['ErrImagePull', 'ImagePullBackOff']).toContain(waiting());
  });

  it('a pod whose container starts is Running at once and Ready after its probe, with the kubelet’s conditions', async () => {
    await cluster();
    seed();
    await sleep(clock, 1000);
    expect(status().phase).toBe('Running');
    expect(condition('Ready')).toMatchObject({ status: 'False', reason: 'ContainersNotReady' });
    await sleep(clock, 5000);
    expect(status().phase).toBe('Running');
    expect(status().conditions?.map((c) => [c.type, c.status])).toEqual([
      ['PodReadyToStartContainers', 'True'],
      ['Initialized', 'True'],
      ['Ready', 'True'],
      ['ContainersReady', 'True'],
      ['PodScheduled', 'True'],
    ]);
    expect(condition('Ready')?.reason).toBeUndefined();
  });

  it('a container in CrashLoopBackOff after a first run leaves the pod Running (restartPolicy Always)', async () => {
    await cluster({ behaviour: { exits: { afterMs: 100, exitCode: 1, log: ['boom'] } } });
    const pod = seed();
    await sleep(clock, 5000);
    expect(waiting()).toBe('CrashLoopBackOff');
    expect(status().phase).toBe('Running');
    expect(status().containerStatuses?.[0]?.lastState?.terminated).toMatchObject({
      exitCode: 1,
      finishedAt: '2026-01-01T00:00:00Z',
    });
    expect(status().containerStatuses?.[0]?.state.waiting?.message).toBe(
      `back-off 10s restarting failed container=c pod=p_default(${pod?.metadata?.uid})`,
    );
    // Exits at 0.1, 10.2, 30.3 and 70.4 s: the fourth back-off is 80 s, as Go prints it.
    await sleep(clock, 70_000);
    expect(status().containerStatuses?.[0]?.restartCount).toBe(4);
    expect(status().containerStatuses?.[0]?.state.waiting?.message).toMatch(/^back-off 1m20s restarting/);
    expect(status().phase).toBe('Running');
  });

  it('a container that exits is not restarted under restartPolicy Never: the pod is Failed', async () => {
    await cluster({ behaviour: { exits: { afterMs: 100, exitCode: 2, log: [] } } });
    seed({ restartPolicy: 'Never' });
    await sleep(clock, 60_000);
    expect(status().phase).toBe('Failed');
    expect(status().containerStatuses?.[0]).toMatchObject({
      restartCount: 0,
      state: { terminated: { exitCode: 2 } },
    });
    expect(condition('Ready')).toMatchObject({ status: 'False', reason: 'PodFailed' });
  });

  it('startTime is written at the first sync and kept across restarts', async () => {
    await cluster({ behaviour: { exits: { afterMs: 2000, exitCode: 1, log: [] } } });
    seed();
    await sleep(clock, 500);
    expect(status().startTime).toBe('2026-01-01T00:00:00Z');
    await sleep(clock, 60_000);
    expect(status().containerStatuses?.[0]?.restartCount).toBeGreaterThanOrEqual(2);
    expect(status().startTime).toBe('2026-01-01T00:00:00Z');
  });

  it('Ready keeps its lastTransitionTime over writes that do not change it', async () => {
    await cluster({ imageExists: false });
    seed();
    await sleep(clock, 500);
    const first = condition('Ready')?.lastTransitionTime;
    expect(first).toBeDefined();
    // ErrImagePull and ImagePullBackOff alternate for minutes: every write leaves Ready False.
    await sleep(clock, 120_000);
    expect(condition('Ready')).toMatchObject({ status: 'False', lastTransitionTime: first });
    expect(condition('PodScheduled')?.lastTransitionTime).toBe(first);
  });

  it('Ready takes the time it turned True', async () => {
    await cluster();
    seed();
    await sleep(clock, 1000);
    expect(condition('Ready')?.lastTransitionTime).toBe('2026-01-01T00:00:00Z');
    await sleep(clock, 10_000);
    expect(condition('Ready')).toMatchObject({ status: 'True', lastTransitionTime: '2026-01-01T00:00:05Z' });
    expect(condition('PodScheduled')?.lastTransitionTime).toBe('2026-01-01T00:00:00Z');
  });
  it('the first write has no sandbox yet: every container ContainerCreating, no pod IP; the next has both', async () => {
    await cluster();
    const writes: Status[] = [];
    fake.onChange((e) => {
      if (e.type === 'MODIFIED' && e.resource.kind === 'Pod') writes.push(e.object.status as Status);
    });
    seed({
      containers: [
        { name: 'a', image: 'ghcr.io/x/a:1' },
        { name: 'b', image: 'ghcr.io/x/b:1' },
      ],
    });
    await sleep(clock, 1000);
    const [first, second] = writes;
    expect(first?.phase).toBe('Pending');
    expect(first?.containerStatuses?.map((c) => c.state)).toEqual([
      { waiting: { reason: 'ContainerCreating' } },
      { waiting: { reason: 'ContainerCreating' } },
    ]);
    expect(first?.podIP).toBeUndefined();
    expect(first?.hostIP).toBe('172.18.0.2');
    expect(first?.conditions?.find((c) => c.type === 'PodReadyToStartContainers')?.status).toBe('False');
    expect(first?.conditions?.find((c) => c.type === 'Ready')?.message).toBe(
      'containers with unready status: [a b]',
    );
    expect(second?.phase).toBe('Running');
    expect(second?.podIP).toBe('10.244.0.5');
    expect(second?.conditions?.find((c) => c.type === 'PodReadyToStartContainers')?.status).toBe('True');
  });

  it('a pod has the node’s IP and its own from the pod CIDR, kept over restarts; the next pod has the next IP', async () => {
    await cluster({ behaviour: { exits: { afterMs: 100, exitCode: 1, log: [] } } });
    seed();
    await sleep(clock, 1000);
    expect(status()).toMatchObject({
      hostIP: '172.18.0.2',
      hostIPs: [{ ip: '172.18.0.2' }],
      podIP: '10.244.0.5',
      podIPs: [{ ip: '10.244.0.5' }],
    });
    await sleep(clock, 40_000);
    expect(status().containerStatuses?.[0]?.restartCount).toBeGreaterThanOrEqual(2);
    expect(status().podIP).toBe('10.244.0.5');
    seed({}, 'q');
    await sleep(clock, 1000);
    expect((fake.get('v1', 'Pod', 'q', 'default')?.status as Status | undefined)?.podIP).toBe('10.244.0.6');
  });

  it('a hostNetwork pod has the node’s IP; the node’s name, IP and pod CIDR are options', async () => {
    await cluster({
      node: { name: 'lab-worker', ip: '172.18.0.3', podCidr: '10.244.1.0/24', firstPodIp: '10.244.1.2' },
    });
    seed({ hostNetwork: true });
    seed({}, 'q');
    await sleep(clock, 1000);
    expect(status()).toMatchObject({ hostIP: '172.18.0.3', podIP: '172.18.0.3' });
    expect((fake.get('v1', 'Pod', 'q', 'default')?.status as Status | undefined)?.podIP).toBe('10.244.1.2');
    expect(events().find((e) => e.reason === 'Scheduled')?.message).toBe(
      'Successfully assigned default/p to lab-worker',
    );
  });

  it('the API server writes the QoS class at creation and the kubelet keeps it', async () => {
    await cluster();
    seed({
      containers: [
        { name: 'c', image: 'ghcr.io/x/y:1', resources: { limits: { cpu: '500m', memory: '128Mi' } } },
      ],
    });
    expect(status().qosClass).toBe('Guaranteed');
    await sleep(clock, 6000);
    expect(status()).toMatchObject({ phase: 'Running', qosClass: 'Guaranteed' });
  });

  /** The pod's events as `kubectl describe pod` lists them: oldest first. */
  const events = (name = 'p') =>
    fake
      .list('v1', 'Event', 'default')
      .filter((e) => (e.involvedObject as { name?: string }).name === name)
      .map((e) => ({
        type: e.type,
        reason: e.reason,
        from: (e.source as { component?: string }).component,
        host: (e.source as { host?: string }).host,
        count: e.count,
        message: e.message,
      }));

  it('a pod that starts: Scheduled by default-scheduler, then Pulled, Created and Started by the node’s kubelet', async () => {
    await cluster();
    seed();
    await sleep(clock, 6000);
    expect(events()).toEqual([
      {
        type: 'Normal',
        reason: 'Scheduled',
        from: 'default-scheduler',
        host: undefined,
        count: 1,
        message: 'Successfully assigned default/p to gitops-lab-control-plane',
      },
      ...[
        ['Pulled', 'Container image "ghcr.io/x/y:1" already present on machine'],
        ['Created', 'Created container: c'],
        ['Started', 'Started container c'],
      ].map(([reason, message]) => ({
        type: 'Normal',
        reason,
        from: 'kubelet',
        host: 'gitops-lab-control-plane',
        count: 1,
        message,
      })),
    ]);
    const started = fake.list('v1', 'Event', 'default').find((e) => e.reason === 'Started');
    expect(started?.reportingInstance).toBe('gitops-lab-control-plane');
  });

  it('a pull that fails: Pulling, Failed twice, then BackOff and Error: ImagePullBackOff at each sync, counted', async () => {
    await cluster({ imageExists: false });
    seed();
    await sleep(clock, 500);
    const image = 'ghcr.io/x/y:1';
    expect(events().map((e) => [e.type, e.reason, e.message])).toEqual([
      ['Normal', 'Scheduled', 'Successfully assigned default/p to gitops-lab-control-plane'],
      ['Normal', 'Pulling', `Pulling image "${image}"`],
      [
        'Warning',
        'Failed',
        `Failed to pull image "${image}": failed to pull and unpack image "${image}": not found`,
      ],
      ['Warning', 'Failed', 'Error: ErrImagePull'],
    ]);
    await sleep(clock, 1000);
    expect(
      events()
        .slice(4)
        .map((e) => [e.type, e.reason, e.message]),
    ).toEqual([
      ['Normal', 'BackOff', `Back-off pulling image "${image}"`],
      ['Warning', 'Failed', 'Error: ImagePullBackOff'],
    ]);
    // Pulls at 0, 10, 30 and 70 s; back-off syncs at 1; 11, 21; 31, 41, 51, 61; 71 s: 29 records about the pod.
    // The kubelet's correlator lets 25 through at once, then one every 5 minutes (client-go events_cache.go spam
    // filter): the last four (the pull at 70 s, the sync at 71 s) are counted but not written yet.
    await sleep(clock, 70_000);
    const count = (reason: string, message: string) =>
      events().find((e) => e.reason === reason && e.message === message)?.count;
    expect(count('Pulling', `Pulling image "${image}"`)).toBe(4);
    expect(count('Failed', 'Error: ErrImagePull')).toBe(3);
    expect(count('BackOff', `Back-off pulling image "${image}"`)).toBe(7);
    expect(count('Failed', 'Error: ImagePullBackOff')).toBe(7);
    // Five minutes on, a token is back: the next write carries every repeat counted meanwhile.
    await sleep(clock, 300_000);
    expect(count('BackOff', `Back-off pulling image "${image}"`)).toBeGreaterThan(30);
  });

  it('a crash loop: Pulled, Created, Started at each start; BackOff at each sync while the restart waits', async () => {
    await cluster({ behaviour: { exits: { afterMs: 100, exitCode: 1, log: [] } } });
    const pod = seed();
    // Exits at 0.1, 10.2, 30.3 and 70.4 s; starts at 0, 10.1, 30.2 and 70.3 s; back-off syncs at 0.1; 10.2, 20.2;
    // 30.3, 40.3, 50.3, 60.3; 70.4 s.
    await sleep(clock, 75_000);
    const byReason = Object.fromEntries(events().map((e) => [e.reason, e]));
    expect(byReason.Started?.count).toBe(4);
    expect(byReason.Pulled?.count).toBe(4);
    expect(byReason.BackOff).toMatchObject({
      type: 'Warning',
      count: 8,
      message: `Back-off restarting failed container c in pod p_default(${pod?.metadata?.uid})`,
    });
  });

  it('a deleted pod: Killing "Stopping container" for each running container, none for one backing off', async () => {
    await cluster({ imageExists: (image) => !image.includes('missing') });
    seed({
      containers: [
        { name: 'a', image: 'ghcr.io/x/a:1' },
        { name: 'b', image: 'ghcr.io/x/b:1' },
        { name: 'm', image: 'ghcr.io/x/missing:1' },
      ],
    });
    await sleep(clock, 6000);
    fake.remove('v1', 'Pod', 'p', 'default');
    expect(
      events()
        .filter((e) => e.reason === 'Killing')
        .map((e) => e.message),
    ).toEqual(['Stopping container a', 'Stopping container b']);
  });
});
