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
      random?: () => number;
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
      ...(options.random ? { random: options.random } : {}),
    }).start();
  }
  /** The lab's readinessProbe (rollout.yaml). */
  const readiness = (more: Record<string, unknown> = {}) => ({
    httpGet: { path: '/readyz', port: 'probes' },
    periodSeconds: 5,
    failureThreshold: 3,
    ...more,
  });
  /** A container with the lab's ports and the given probes. */
  const probed = (probes: Record<string, unknown>) => ({
    containers: [
      {
        name: 'c',
        image: 'ghcr.io/x/y:1',
        ports: [
          { name: 'http', containerPort: 8080 },
          { name: 'probes', containerPort: 8081 },
        ],
        ...probes,
      },
    ],
  });
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

  it('a pod whose container starts is Running at once and, without a readiness probe, Ready at once', async () => {
    await cluster();
    seed();
    await sleep(clock, 1000);
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

  it('a container that exits is Error, restarted at once the first time, then CrashLoopBackOff; the pod stays Running', async () => {
    await cluster({ behaviour: { exits: { afterMs: 100, exitCode: 1, log: ['boom'] } } });
    const pod = seed();
    const writes: Array<[number, unknown, number | undefined]> = [];
    fake.onChange((e) => {
      const c = (e.object.status as Status | undefined)?.containerStatuses?.[0];
      if (e.resource.kind === 'Pod' && c) writes.push([clock.now() - start, c.state, c.restartCount]);
    });
    const start = clock.now();
    // The exit at 0.1 s is noticed at the next relist (1.1 s): written terminated, and restarted in the same sync.
    await sleep(clock, 1050);
    expect(status().containerStatuses?.[0]?.state.running).toBeDefined();
    await sleep(clock, 100);
    expect(writes.slice(-2)).toEqual([
      [
        1100,
        {
          terminated: {
            exitCode: 1,
            reason: 'Error',
            startedAt: '2026-01-01T00:00:00Z',
            finishedAt: '2026-01-01T00:00:00Z',
          },
        },
        0,
      ],
      [1100, { running: { startedAt: '2026-01-01T00:00:01Z' } }, 1],
    ]);
    expect(status().phase).toBe('Running');
    // The second exit (1.2 s) is within the 10 s the first restart recorded: terminated at 2.2 s, then at the next
    // sync (12.2 s) CrashLoopBackOff with the second run as lastState, and the restart.
    await sleep(clock, 1100);
    expect(status().containerStatuses?.[0]).toMatchObject({
      restartCount: 1,
      state: { terminated: { exitCode: 1 } },
    });
    expect(status().phase).toBe('Running');
    await sleep(clock, 10_000);
    expect(writes.at(-2)).toEqual([
      12_200,
      {
        waiting: {
          reason: 'CrashLoopBackOff',
          message: `back-off 10s restarting failed container=c pod=p_default(${pod?.metadata?.uid})`,
        },
      },
      1,
    ]);
    expect(status().containerStatuses?.[0]?.lastState?.terminated).toMatchObject({
      exitCode: 1,
      finishedAt: '2026-01-01T00:00:01Z',
    });
    expect(status().containerStatuses?.[0]?.restartCount).toBe(2);
    // Exits at 12.3, 33.4 and 74.5 s; the fourth window is 80 s, as Go prints it, shown from the sync after the exit.
    await sleep(clock, 74_000);
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

  it('Ready takes the time it turned True: the first successful readiness probe', async () => {
    const start = Date.parse('2026-01-01T00:00:00Z');
    // /readyz answers 503 for the first 7 s: probes at 0 (the start's own), 5 and 10 s.
    await cluster({
      random: () => 0,
      behaviour: { probe: () => (clock.now() - start < 7000 ? { status: 503 } : { status: 200 }) },
    });
    seed(probed({ readinessProbe: readiness() }));
    await sleep(clock, 1000);
    expect(condition('Ready')).toMatchObject({ status: 'False', lastTransitionTime: '2026-01-01T00:00:00Z' });
    await sleep(clock, 8000);
    expect(condition('Ready')?.status).toBe('False');
    await sleep(clock, 1000);
    expect(condition('Ready')).toMatchObject({ status: 'True', lastTransitionTime: '2026-01-01T00:00:10Z' });
    expect(condition('PodScheduled')?.lastTransitionTime).toBe('2026-01-01T00:00:00Z');
  });
  it('the scheduler binds first; the first kubelet write has no sandbox yet (ContainerCreating, no pod IP); the next has both', async () => {
    await cluster();
    const writes: Array<{ spec?: { nodeName?: string }; status?: Status }> = [];
    fake.onChange((e) => {
      if (e.type === 'MODIFIED' && e.resource.kind === 'Pod')
        writes.push(e.object as (typeof writes)[number]);
    });
    seed({
      containers: [
        { name: 'a', image: 'ghcr.io/x/a:1' },
        { name: 'b', image: 'ghcr.io/x/b:1' },
      ],
    });
    await sleep(clock, 1000);
    const [bound, ...kubelet] = writes;
    // pods/binding: the node and PodScheduled, before the kubelet has written anything.
    expect(bound?.spec?.nodeName).toBe('gitops-lab-control-plane');
    expect(bound?.status?.conditions).toEqual([
      {
        type: 'PodScheduled',
        status: 'True',
        lastProbeTime: null,
        lastTransitionTime: '2026-01-01T00:00:00Z',
      },
    ]);
    expect(bound?.status?.containerStatuses).toBeUndefined();
    const [first, second] = kubelet.map((w) => w.status);
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
    // Starts at 0, 1.1, 12.2, 33.3 and 74.4 s (exits 0.1 s after each, noticed 1 s later); the syncs that back off
    // are at 2.2; 13.3, 23.3; 34.4, 44.4, 54.4, 64.4 s. None after the first exit: it is restarted at once.
    await sleep(clock, 75_000);
    const byReason = Object.fromEntries(events().map((e) => [e.reason, e]));
    expect(byReason.Started?.count).toBe(5);
    expect(byReason.Pulled?.count).toBe(5);
    expect(byReason.BackOff).toMatchObject({
      type: 'Warning',
      count: 7,
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
  describe('probes, as a v1.33 kubelet runs them (pkg/kubelet/prober)', () => {
    const start = Date.parse('2026-01-01T00:00:00Z');
    const at = (ms: number) => new Date(start + ms).toISOString().replace('.000Z', 'Z');
    const container = () =>
      status().containerStatuses?.[0] as
        | (NonNullable<Status['containerStatuses']>[number] & {
            started?: boolean;
            lastState?: { terminated?: { exitCode: number; reason?: string } };
          })
        | undefined;
    const count = (reason: string, message: string) =>
      events().find((e) => e.reason === reason && e.message === message)?.count ?? 0;

    it('a passing readiness probe makes the container Ready at start, a delayed one at its first tick', async () => {
      await cluster({ random: () => 0 });
      seed(probed({ readinessProbe: readiness() }));
      await sleep(clock, 100);
      expect(condition('Ready')).toMatchObject({ status: 'True', lastTransitionTime: at(0) });
      // initialDelaySeconds 3: the start's own probe is skipped, the worker's tick 5 s after the pod came (5.1 s) is
      // the first (the status has whole seconds).
      fake.remove('v1', 'Pod', 'p', 'default');
      seed(probed({ readinessProbe: readiness({ initialDelaySeconds: 3 }) }), 'q');
      const q = () => fake.get('v1', 'Pod', 'q', 'default')?.status as Status;
      await sleep(clock, 4900);
      expect(q().conditions?.find((c) => c.type === 'Ready')?.status).toBe('False');
      await sleep(clock, 100);
      expect(q().conditions?.find((c) => c.type === 'Ready')).toMatchObject({
        status: 'True',
        lastTransitionTime: at(5000),
      });
    });

    it('a Ready pod whose readiness probe fails 3 times at period 5 s turns unready, and Ready again; Unhealthy counted', async () => {
      // /readyz answers 503 from 12 s to 27 s: failures at 15, 20, 25 s; the 3rd turns the container unready.
      const failing = () => clock.now() - start >= 12_000 && clock.now() - start < 27_000;
      await cluster({
        random: () => 0,
        behaviour: { probe: () => (failing() ? { status: 503 } : { status: 200 }) },
      });
      seed(probed({ readinessProbe: readiness() }));
      await sleep(clock, 24_900);
      expect(condition('Ready')?.status).toBe('True');
      expect(count('Unhealthy', 'Readiness probe failed: HTTP probe failed with statuscode: 503')).toBe(2);
      await sleep(clock, 200);
      expect(condition('Ready')).toMatchObject({
        status: 'False',
        reason: 'ContainersNotReady',
        message: 'containers with unready status: [c]',
        lastTransitionTime: at(25_000),
      });
      expect(condition('ContainersReady')?.status).toBe('False');
      expect(container()?.ready).toBe(false);
      expect(status().phase).toBe('Running');
      // The sync that follows the change asks for one more probe at once (UpdatePodStatus): a 4th failure.
      expect(count('Unhealthy', 'Readiness probe failed: HTTP probe failed with statuscode: 503')).toBe(4);
      await sleep(clock, 5000);
      expect(condition('Ready')).toMatchObject({ status: 'True', lastTransitionTime: at(30_000) });
      const unhealthy = events().find((e) => e.reason === 'Unhealthy');
      expect(unhealthy).toMatchObject({ type: 'Warning', from: 'kubelet', count: 4 });
    });

    it('a refused connection and a timeout are worded as the Go client words them, on the pod’s IP', async () => {
      let answer: { error: 'refused' | 'timeout' } = { error: 'refused' };
      await cluster({ random: () => 0, behaviour: { probe: () => answer } });
      seed(probed({ readinessProbe: readiness() }));
      await sleep(clock, 100);
      answer = { error: 'timeout' };
      await sleep(clock, 5000);
      expect(
        events()
          .filter((e) => e.reason === 'Unhealthy')
          .map((e) => e.message),
      ).toEqual([
        'Readiness probe failed: Get "http://10.244.0.5:8081/readyz": dial tcp 10.244.0.5:8081: connect: connection refused',
        'Readiness probe failed: Get "http://10.244.0.5:8081/readyz": context deadline exceeded (Client.Timeout exceeded while awaiting headers)',
      ]);
    });

    it('a failing liveness probe: Unhealthy 3 times, Killing, SIGKILL after the 30 s grace, then the restart', async () => {
      const liveness = {
        httpGet: { path: '/healthz', port: 'probes' },
        initialDelaySeconds: 10,
        periodSeconds: 10,
      };
      await cluster({
        random: () => 0,
        behaviour: { probe: (kind) => (kind === 'liveness' ? { error: 'refused' } : { status: 200 }) },
      });
      seed(probed({ readinessProbe: readiness(), livenessProbe: liveness }));
      // Probes at 10, 20 and 30 s (none in the initial delay); the 3rd failure kills.
      await sleep(clock, 29_900);
      expect(events().some((e) => e.reason === 'Killing')).toBe(false);
      await sleep(clock, 200);
      const refused =
        'Liveness probe failed: Get "http://10.244.0.5:8081/healthz": dial tcp 10.244.0.5:8081: connect: connection refused';
      expect(count('Unhealthy', refused)).toBe(3);
      expect(count('Killing', 'Container c failed liveness probe, will be restarted')).toBe(1);
      // The process ignores SIGTERM: it runs through the grace period, and the worker holds (no more probes).
      await sleep(clock, 29_000);
      expect(container()?.state.running).toBeDefined();
      expect(count('Unhealthy', refused)).toBe(3);
      // SIGKILL at 60 s; the sync that killed it starts it again at once (no earlier run: no back-off), and the new
      // container's readiness probe runs at its start.
      await sleep(clock, 1000);
      expect(container()).toMatchObject({
        restartCount: 1,
        ready: true,
        started: true,
        state: { running: { startedAt: at(60_000) } },
        lastState: { terminated: { exitCode: 137, reason: 'Error', finishedAt: at(60_000) } },
      });
      expect(count('Started', 'Started container c')).toBe(2);
      expect(events().some((e) => e.reason === 'BackOff')).toBe(false);
    });

    it('a container its liveness probe kills again and again falls into the crash-loop back-off of its exits', async () => {
      await cluster({
        random: () => 0,
        behaviour: {
          probe: (kind) => (kind === 'liveness' ? { status: 500 } : { status: 200 }),
          stops: { afterMs: 500, exitCode: 143 },
        },
      });
      const pod = seed(
        probed({
          livenessProbe: {
            httpGet: { path: '/healthz', port: 'probes' },
            periodSeconds: 10,
            failureThreshold: 1,
          },
        }),
      );
      // Killed at 10, 20, 30 and 40 s, each run ending 0.5 s later. The first kill has no earlier run to back off
      // from; the second records 10 s; the third is 10 s after the second's end (not within 10 s): 20 s. The fourth
      // ends 10 s after the third did, within 20 s: refused.
      await sleep(clock, 40_600);
      expect(count('Started', 'Started container c')).toBe(4);
      expect(
        count('BackOff', `Back-off restarting failed container c in pod p_default(${pod?.metadata?.uid})`),
      ).toBe(1);
      // The pod's status still has the killed container running until the next relist (41.5 s) syncs the pod.
      expect(container()).toMatchObject({ restartCount: 3, state: { running: { startedAt: at(30_000) } } });
      await sleep(clock, 1000);
      expect(container()).toMatchObject({
        restartCount: 3,
        state: {
          waiting: { reason: 'CrashLoopBackOff', message: expect.stringMatching(/^back-off 20s restarting/) },
        },
        lastState: { terminated: { exitCode: 143, reason: 'Error', finishedAt: at(40_000) } },
      });
      // Syncs at 41.5 and 51.5 s are refused; the one at 61.5 s, 21 s after the end, starts it.
      await sleep(clock, 19_850);
      expect(container()?.state.running).toBeUndefined();
      await sleep(clock, 100);
      expect(container()).toMatchObject({ restartCount: 4, state: { running: { startedAt: at(61_000) } } });
      expect(
        count('BackOff', `Back-off restarting failed container c in pod p_default(${pod?.metadata?.uid})`),
      ).toBe(3);
    });

    it('a process that ends on SIGTERM ends at once; under OnFailure a killed container is restarted even after exit 0', async () => {
      await cluster({
        random: () => 0,
        behaviour: {
          probe: (kind) => (kind === 'liveness' ? { status: 500 } : { status: 200 }),
          stops: { afterMs: 500, exitCode: 0 },
        },
      });
      seed({
        ...probed({
          livenessProbe: {
            httpGet: { path: '/healthz', port: 'probes' },
            periodSeconds: 10,
            failureThreshold: 1,
          },
        }),
        restartPolicy: 'OnFailure',
      });
      // The liveness worker's first tick at 0 s comes before the container; its probe at 10 s fails once: killed,
      // ended at 10.5 s, and started again by the sync that killed it.
      await sleep(clock, 10_600);
      expect(count('Unhealthy', 'Liveness probe failed: HTTP probe failed with statuscode: 500')).toBe(1);
      expect(container()).toMatchObject({
        restartCount: 1,
        state: { running: { startedAt: at(10_000) } },
        lastState: { terminated: { exitCode: 0, reason: 'Completed' } },
      });
    });

    it('under restartPolicy Never a failed liveness probe kills the container for good', async () => {
      await cluster({ random: () => 0, behaviour: { probe: () => ({ status: 500 }) } });
      seed({
        ...probed({ livenessProbe: { httpGet: { path: '/healthz', port: 'probes' }, failureThreshold: 1 } }),
        restartPolicy: 'Never',
      });
      await sleep(clock, 60_000);
      expect(count('Killing', 'Container c failed liveness probe')).toBe(1);
      expect(container()).toMatchObject({ restartCount: 0, state: { terminated: { exitCode: 137 } } });
      expect(status().phase).toBe('Failed');
    });

    it('a startup probe gates the others: not started, no readiness or liveness probe, until it passes', async () => {
      const asked: Array<[string, number]> = [];
      await cluster({
        random: () => 0,
        behaviour: {
          probe: (kind) => {
            asked.push([kind, clock.now() - start]);
            return kind === 'startup' && clock.now() - start < 4000 ? { status: 503 } : { status: 200 };
          },
        },
      });
      const http = { httpGet: { path: '/healthz', port: 'probes' } };
      seed(
        probed({
          startupProbe: { ...http, periodSeconds: 2, failureThreshold: 30 },
          readinessProbe: readiness(),
          livenessProbe: { ...http, periodSeconds: 5 },
        }),
      );
      await sleep(clock, 3000);
      expect(container()).toMatchObject({ started: false, ready: false });
      await sleep(clock, 1100);
      expect(container()).toMatchObject({ started: true, ready: true });
      // Startup at 2 s (failed) and 4 s; readiness at once when started (4 s), then both at their ticks (5 s).
      await sleep(clock, 1000);
      expect(asked).toEqual([
        ['startup', 2000],
        ['startup', 4000],
        ['readiness', 4000],
        ['readiness', 5000],
        ['liveness', 5000],
      ]);
      expect(count('Unhealthy', 'Startup probe failed: HTTP probe failed with statuscode: 503')).toBe(1);
    });

    it('a probe whose port the container does not have errors, and its result is thrown away', async () => {
      await cluster({ random: () => 0 });
      seed(probed({ readinessProbe: readiness({ httpGet: { path: '/readyz', port: 'metrics' } }) }));
      await sleep(clock, 100);
      expect(condition('Ready')?.status).toBe('False');
      expect(events().find((e) => e.reason === 'Unhealthy')?.message).toBe(
        'Readiness probe errored and resulted in unknown state: strconv.Atoi: parsing "metrics": invalid syntax',
      );
    });

    it('a redirect is a warning: ProbeWarning, and the probe passes', async () => {
      await cluster({ random: () => 0, behaviour: { probe: () => ({ status: 302, body: '' }) } });
      seed(probed({ readinessProbe: readiness() }));
      await sleep(clock, 100);
      expect(condition('Ready')?.status).toBe('True');
      expect(events().find((e) => e.reason === 'ProbeWarning')).toMatchObject({
        type: 'Warning',
        message: 'Readiness probe warning: Probe terminated redirects, Response body: ',
      });
    });
  });
});
