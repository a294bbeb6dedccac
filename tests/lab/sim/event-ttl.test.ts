/**
 * Events vanish one --event-ttl (1 h by default) after their last write, as the API server's event registry leases
 * them (pkg/registry/core/event/storage/storage.go). What `kubectl get events` shows changes with it. Virtual time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sleep } from '../../../src/lab/clock.js';
import { createKubeClient } from '../../../src/lab/kube/client.js';
import { VirtualClock } from '../../../src/lab/sim/clock.js';
import { eventRecorder } from '../../../src/lab/sim/events.js';
import { type FakeKube, type KubeObject, startFakeKube } from '../../support/fake-kube/index.js';

const minute = 60_000;

describe('Events expire one --event-ttl after their last write', () => {
  let fake: FakeKube;
  let clock: VirtualClock;
  afterEach(async () => {
    clock.stop();
    await fake.close();
  });

  async function start(eventTtlMs?: number) {
    clock = new VirtualClock({ start: Date.parse('2026-01-01T00:00:00Z') });
    fake = await startFakeKube({ clock, ...(eventTtlMs === undefined ? {} : { eventTtlMs }) });
    const [pod] = fake.seed({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'default' },
    }) as [KubeObject];
    const recorder = eventRecorder(fake, clock, 'kubelet');
    return {
      record: (reason: string) => recorder.record(pod, 'Normal', reason, `${reason} happened`),
      reasons: async () => {
        const client = createKubeClient({ kubeconfig: fake.kubeconfigPath });
        const events = await client.eventsFor({
          apiVersion: 'v1',
          kind: 'Pod',
          name: 'p',
          namespace: 'default',
        });
        return events.map((e) => `${e.reason} x${e.count}`);
      },
    };
  }

  it('an event is listed for an hour after it was written, then it is gone', async () => {
    const lab = await start();
    lab.record('Pulled');
    await sleep(clock, 59 * minute);
    expect(await lab.reasons()).toEqual(['Pulled x1']);
    await sleep(clock, 2 * minute);
    expect(await lab.reasons()).toEqual([]);
  });

  it('a counted repeat renews the lease: the event lives an hour after the repeat, not after the first write', async () => {
    const lab = await start();
    lab.record('BackOff');
    await sleep(clock, 40 * minute);
    lab.record('BackOff');
    await sleep(clock, 40 * minute);
    expect(await lab.reasons()).toEqual(['BackOff x2']);
    await sleep(clock, 21 * minute);
    expect(await lab.reasons()).toEqual([]);
  });

  it('each event has its own lease, and the TTL is the API server option', async () => {
    const lab = await start(10 * minute);
    lab.record('Scheduled');
    await sleep(clock, 6 * minute);
    lab.record('Started');
    await sleep(clock, 5 * minute);
    expect(await lab.reasons()).toEqual(['Started x1']);
    await sleep(clock, 5 * minute);
    expect(await lab.reasons()).toEqual([]);
  });

  it('a clock that reads fractions of a millisecond (a scaled clock) still names events by time', async () => {
    const lab = await start();
    const pod = fake.get('v1', 'Pod', 'p', 'default') as KubeObject;
    const fractional = { now: () => clock.now() + 0.2852, setTimer: clock.setTimer.bind(clock) };
    const recorder = eventRecorder(fake, fractional, 'kubelet');
    recorder.record(pod, 'Normal', 'Pulled', 'first');
    await sleep(clock, 1000);
    recorder.record(pod, 'Normal', 'Started', 'second');
    const name = (reason: string) =>
      String(fake.list('v1', 'Event', 'default').find((e) => e.reason === reason)?.metadata?.name);
    expect(name('Pulled')).toMatch(/^p\.[0-9a-f]{16}$/);
    expect(name('Pulled') < name('Started')).toBe(true);
    expect(await lab.reasons()).toEqual(['Pulled x1', 'Started x1']);
  });

  it('an expired event is deleted as any object is: watchers see DELETED; the recorder writes it again, count kept', async () => {
    const lab = await start(minute);
    const deleted: string[] = [];
    fake.onChange((e) => {
      if (e.resource.kind === 'Event' && e.type === 'DELETED') deleted.push(String(e.object.reason));
    });
    lab.record('Killing');
    await sleep(clock, 2 * minute);
    expect(deleted).toEqual(['Killing']);
    // client-go keeps the count in the recorder, not on the server: the repeat's patch finds no event, so the
    // event is created again under its old name with the remembered count (tools/record/event.go recordEvent).
    const name = () => fake.list('v1', 'Event', 'default').map((e) => e.metadata?.name);
    lab.record('Killing');
    const first = name();
    expect(await lab.reasons()).toEqual(['Killing x2']);
    await sleep(clock, 2 * minute);
    lab.record('Killing');
    expect(name()).toEqual(first);
    expect(await lab.reasons()).toEqual(['Killing x3']);
  });
});
