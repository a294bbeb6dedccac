/**
 * How the simulated lab's pods end when deleted (src/lab/sim/lab-containers.ts): each container answers SIGTERM as
 * the lab's image does, so a deleted pod is Terminating about a second (docqa, the Go programs), five seconds for
 * CoreDNS (kubeadm's lameduck), never its whole 30 s grace period. On the virtual clock.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sleep } from '../../../src/lab/clock.js';
import { VirtualClock } from '../../../src/lab/sim/clock.js';
import { type SimLab, startSimLab } from '../../../src/lab/sim/lab.js';

let lab: SimLab | undefined;
afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

async function deletePod(l: SimLab, namespace: string, name: string): Promise<number> {
  const res = await fetch(`${l.cluster.url}/api/v1/namespaces/${namespace}/pods/${name}`, {
    method: 'DELETE',
  });
  await res.arrayBuffer();
  return res.status;
}

/** The first pod of `namespace` whose name starts with `prefix`, and how long after its DELETE it is gone (ms). */
async function lifetimeAfterDelete(l: SimLab, clock: VirtualClock, namespace: string, prefix: string) {
  const pod = l.cluster.list('v1', 'Pod', namespace).find((p) => p.metadata?.name?.startsWith(prefix));
  const name = pod?.metadata?.name ?? '';
  expect(name).not.toBe('');
  expect(await deletePod(l, namespace, name)).toBe(200);
  const marked = l.cluster.get('v1', 'Pod', name, namespace);
  expect(marked?.metadata?.deletionTimestamp).toBeDefined();
  expect(marked?.metadata?.deletionGracePeriodSeconds).toBe(30);
  const started = clock.now();
  while (l.cluster.get('v1', 'Pod', name, namespace) && clock.now() - started < 60_000)
    await sleep(clock, 250);
  expect(l.cluster.get('v1', 'Pod', name, namespace)).toBeUndefined();
  const killing = l.cluster
    .list('v1', 'Event', namespace)
    .filter((e) => e.reason === 'Killing' && (e.involvedObject as { name?: string }).name === name);
  return { ms: clock.now() - started, killing: killing.length };
}

describe('the simulated lab’s pods on deletion', { timeout: 120_000 }, () => {
  it('a docqa pod ends a second after SIGTERM, CoreDNS after its 5 s lameduck, kube-proxy (Go) in a second', async () => {
    const clock = new VirtualClock({ start: 0 });
    const l = await startSimLab({ clock });
    lab = l;
    const docqa = await lifetimeAfterDelete(l, clock, 'docqa', 'docqa-');
    expect(docqa.killing).toBe(1);
    expect(docqa.ms).toBeGreaterThanOrEqual(1000);
    expect(docqa.ms).toBeLessThanOrEqual(2000);
    const coredns = await lifetimeAfterDelete(l, clock, 'kube-system', 'coredns-');
    expect(coredns.ms).toBeGreaterThanOrEqual(5000);
    expect(coredns.ms).toBeLessThanOrEqual(6000);
    const proxy = await lifetimeAfterDelete(l, clock, 'kube-system', 'kube-proxy-');
    expect(proxy.ms).toBeGreaterThanOrEqual(1000);
    expect(proxy.ms).toBeLessThanOrEqual(2000);
  });

  it('a replaced pod is Terminating beside its replacement: the ReplicaSet starts a new one at once', async () => {
    const clock = new VirtualClock({ start: 0 });
    const l = await startSimLab({ clock });
    lab = l;
    const before = l.cluster
      .list('v1', 'Pod', 'kube-system')
      .filter((p) => p.metadata?.name?.startsWith('coredns-'));
    expect(before).toHaveLength(2);
    expect(await deletePod(l, 'kube-system', before[0]?.metadata?.name ?? '')).toBe(200);
    await sleep(clock, 1000);
    const during = l.cluster
      .list('v1', 'Pod', 'kube-system')
      .filter((p) => p.metadata?.name?.startsWith('coredns-'));
    expect(during).toHaveLength(3);
    expect(during.filter((p) => p.metadata?.deletionTimestamp)).toHaveLength(1);
    await sleep(clock, 5000);
    const after = l.cluster
      .list('v1', 'Pod', 'kube-system')
      .filter((p) => p.metadata?.name?.startsWith('coredns-'));
    expect(after).toHaveLength(2);
    expect(after.some((p) => p.metadata?.name === before[0]?.metadata?.name)).toBe(false);
  });
});
