/**
 * The simulated controllers' event recorder counts, aggregates and throttles as client-go's correlator does
 * (k8s.io/client-go/tools/record/events_cache.go). The scenarios are upstream's TestEventCorrelator and
 * TestEventSpamFilter cases (events_cache_test.go: inputs and asserted results), replayed on a virtual clock
 * through the recorder and read back from the API server as `kubectl get events` would.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/lab/sim/clock.js';
import { eventRecorder } from '../../../src/lab/sim/events.js';
import { type FakeKube, type KubeObject, startFakeKube } from '../../support/fake-kube/index.js';

let fake: FakeKube | undefined;
let clock: VirtualClock | undefined;
afterEach(async () => {
  clock?.stop();
  await fake?.close();
  fake = undefined;
});

async function lab() {
  const c = new VirtualClock({ start: Date.parse('2026-01-01T00:00:00Z') });
  const cluster = await startFakeKube({ clock: c });
  clock = c;
  fake = cluster;
  const pod = (name: string) =>
    (
      cluster.seed({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'my-ns' } }) as [KubeObject]
    )[0];
  const recorder = eventRecorder(cluster, c, 'kubelet', { host: 'node1' });
  const myPod = pod('my-pod');
  return {
    pod,
    /** Records about my-pod (or `about`), `gapMs` of virtual time after the previous record. */
    record: (reason: string, message: string, gapMs = 0, about: KubeObject = myPod) => {
      c.advance(gapMs);
      recorder.record(about, 'Normal', reason, message);
    },
    events: () =>
      cluster
        .list('v1', 'Event', 'my-ns')
        .filter((e) => (e.involvedObject as { name?: string }).name === 'my-pod')
        .map((e) => ({ reason: e.reason, message: e.message, count: e.count as number, e })),
  };
}

describe('client-go correlator scenarios (events_cache_test.go TestEventCorrelator)', () => {
  it('create-a-single-event: one event, count 1, first and last time equal', async () => {
    const l = await lab();
    l.record('first', 'i am first');
    const [event] = l.events();
    expect(event?.count).toBe(1);
    expect(event?.e.firstTimestamp).toBe(event?.e.lastTimestamp);
  });

  it('the-same-event-should-just-count: a repeat is counted in the first event', async () => {
    const l = await lab();
    l.record('duplicate', 'me again');
    l.record('duplicate', 'me again', 5_000);
    expect(l.events().map((e) => [e.reason, e.count])).toEqual([['duplicate', 2]]);
    const [event] = l.events();
    expect(event?.e.firstTimestamp).not.toBe(event?.e.lastTimestamp);
  });

  it('the-same-event-should-just-count-even-if-more-than-aggregate: one message repeated is never combined', async () => {
    const l = await lab();
    for (let i = 0; i <= 10; i++) l.record('duplicate', 'me again', 30_000);
    expect(l.events().map((e) => [e.message, e.count])).toEqual([['me again', 11]]);
  });

  it('the-same-event-is-spam-if-happens-too-frequently: the 26th write in a burst waits', async () => {
    const l = await lab();
    for (let i = 0; i < 27; i++) l.record('duplicate', 'me again', 1_000);
    // 25 writes; the 26th and 27th are counted in the recorder but not written.
    expect(l.events().map((e) => e.count)).toEqual([25]);
    // A token comes back after 5 minutes: the next repeat writes the whole count.
    l.record('duplicate', 'me again', 300_000);
    expect(l.events().map((e) => e.count)).toEqual([28]);
  });

  it('create-many-unique-events: events about 30 other pods do not spend my-pod’s budget', async () => {
    const l = await lab();
    for (let i = 0; i < 30; i++) l.record(`reason-${i}`, `message-${i}`, 5_000, l.pod(`pod-${i}`));
    l.record('unique', 'snowflake', 5_000);
    expect(l.events().map((e) => [e.reason, e.count])).toEqual([['unique', 1]]);
  });

  it('similar-events-should-aggregate-event: the 10th message of one reason in 10 minutes is combined', async () => {
    const l = await lab();
    for (let i = 0; i < 9; i++) l.record('similar', `similar message-${i}-similar message`, 5_000);
    l.record('similar', 'similar message', 5_000);
    const combined = l.events().filter((e) => String(e.message).startsWith('(combined'));
    expect(combined.map((e) => [e.message, e.count])).toEqual([
      ['(combined from similar events): similar message', 1],
    ]);
    expect(l.events()).toHaveLength(10);
    // An aggregate event is built without the reporting controller (EventAggregate's copy).
    expect(combined[0]?.e.reportingComponent).toBeUndefined();
  });

  it('similar-events-many-times-should-count-the-aggregate: the next one is counted in the combined event', async () => {
    const l = await lab();
    for (let i = 0; i < 10; i++) l.record('similar', `similar message-${i}-similar message`, 5_000);
    l.record('similar', 'similar message', 5_000);
    const combined = l.events().filter((e) => String(e.message).startsWith('(combined'));
    expect(combined.map((e) => [e.message, e.count])).toEqual([
      ['(combined from similar events): similar message', 2],
    ]);
  });

  it('similar-events-whose-interval-is-greater-than-aggregate-interval-do-not-aggregate', async () => {
    const l = await lab();
    for (let i = 0; i < 9; i++) l.record('similar', `similar message-${i}-similar message`, 601_000);
    l.record('similar', 'similar message', 601_000);
    expect(l.events().some((e) => String(e.message).startsWith('(combined'))).toBe(false);
    expect(l.events().find((e) => e.message === 'similar message')?.count).toBe(1);
  });
});

describe('client-go spam filter (events_cache_test.go TestEventSpamFilter)', () => {
  it('the default key is the source and the object: other reasons share the budget', async () => {
    const l = await lab();
    for (let i = 0; i < 25; i++) l.record(`reason-${i}`, `message-${i}`);
    l.record('duplicate', 'me again');
    expect(l.events().some((e) => e.reason === 'duplicate')).toBe(false);
    l.record('duplicate', 'me again', 300_000);
    expect(l.events().find((e) => e.reason === 'duplicate')?.count).toBe(2);
  });
});

describe('what the API server holds, for any sequence of records', () => {
  it('counts never exceed the records made; writes never exceed 25 plus one per 5 minutes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            reason: fc.constantFrom('BackOff', 'Pulled', 'Killing'),
            message: fc.constantFrom('a', 'b', 'c'),
            gapMs: fc.integer({ min: 0, max: 120_000 }),
          }),
          { maxLength: 60 },
        ),
        async (records) => {
          const l = await lab();
          let writes = 0;
          fake?.onChange((change) => {
            if (change.resource.kind === 'Event') writes++;
          });
          for (const r of records) l.record(r.reason, r.message, r.gapMs);
          const total = l.events().reduce((sum, e) => sum + e.count, 0);
          expect(total).toBeLessThanOrEqual(records.length);
          const elapsed = records.reduce((sum, r) => sum + r.gapMs, 0);
          expect(writes).toBeLessThanOrEqual(25 + Math.floor(elapsed / 300_000));
          for (const e of l.events()) expect(e.count).toBeGreaterThanOrEqual(1);
          clock?.stop();
          await fake?.close();
          fake = undefined;
        },
      ),
      { numRuns: 40 },
    );
  });
});
