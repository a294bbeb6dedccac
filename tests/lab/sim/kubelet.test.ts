/**
 * The kubelet model's pod status as `kubectl get pod -o yaml` shows it on a Kubernetes v1.33 node: the phase
 * (pkg/kubelet/kubelet_pods.go getPhase), the conditions and their reasons (pkg/kubelet/status/generate.go),
 * startTime and lastTransitionTime (pkg/kubelet/status/status_manager.go updateStatusInternal). All time is virtual.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sleep } from '../../../src/lab/clock.js';
import { VirtualClock } from '../../../src/lab/sim/clock.js';
import { type ContainerBehaviour, Kubelet } from '../../../src/lab/sim/kubelet.js';
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
  startTime?: string;
  conditions?: Condition[];
  containerStatuses?: Array<{
    restartCount: number;
    ready: boolean;
    state: {
      waiting?: { reason: string; message: string };
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

  async function cluster(options: { imageExists?: boolean; behaviour?: ContainerBehaviour } = {}) {
    clock = new VirtualClock({ start: Date.parse('2026-01-01T00:00:00Z') });
    fake = await startFakeKube({ clock });
    kubelet = new Kubelet(fake, {
      clock,
      imageExists: () => options.imageExists ?? true,
      behaviour: () => options.behaviour ?? {},
    }).start();
  }
  const seed = (spec: Record<string, unknown> = {}) =>
    fake.seed({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'default' },
      spec: { containers: [{ name: 'c', image: 'ghcr.io/x/y:1' }], ...spec },
    })[0];
  const status = () => (fake.get('v1', 'Pod', 'p', 'default')?.status ?? {}) as Status;
  const condition = (type: string) => status().conditions?.find((c) => c.type === type);
  const waiting = () => status().containerStatuses?.[0]?.state.waiting?.reason;

  it('a pod the kubelet has not synced yet is Pending, as the API server created it', async () => {
    clock = new VirtualClock({ start: 0 });
    fake = await startFakeKube({ clock });
    seed();
    expect(status()).toEqual({ phase: 'Pending' });
  });

  it('a pod whose image cannot be pulled stays Pending: ErrImagePull, then ImagePullBackOff, never Ready', async () => {
    await cluster({ imageExists: false });
    seed();
    await sleep(clock, 500);
    expect(waiting()).toBe('ErrImagePull');
    expect(status().phase).toBe('Pending');
    await sleep(clock, 1000);
    expect(waiting()).toBe('ImagePullBackOff');
    expect(status().containerStatuses?.[0]?.state.waiting?.message).toBe(
      'Back-off pulling image "ghcr.io/x/y:1"',
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
});
