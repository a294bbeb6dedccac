/**
 * The live lab's docqa Services on 127.0.0.1: a connection goes to a Ready pod the Service's selector matches, picked
 * at random as kube-proxy's iptables rules pick (so a process in proportion to its Ready pods); Argo Rollouts v1.8.3
 * narrows the selectors with `rollouts-pod-template-hash`; a Service without a ready endpoint gives no answer.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  pickTarget,
  type ServiceProxies,
  type ServiceTarget,
  serviceTargets,
  startServiceProxies,
} from '../../../../src/lab/sim/live/services.js';

async function process(name: string): Promise<{ server: Server; url: string }> {
  const server = createServer((_req, res) => res.end(name));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const endpoints = [
  { hash: 'aaa', url: 'http://127.0.0.1:1' },
  { hash: 'bbb', url: 'http://127.0.0.1:2' },
];
const ready = (counts: Record<string, number>) => (hash: string) => counts[hash] ?? 0;

describe('which processes a docqa Service reaches', () => {
  it("a selector narrowed to a pod-template hash reaches that hash's process only", () => {
    const selector = { 'app.kubernetes.io/name': 'docqa', 'rollouts-pod-template-hash': 'bbb' };
    expect(serviceTargets(selector, endpoints, ready({ aaa: 4, bbb: 1 }))).toEqual([
      { url: 'http://127.0.0.1:2', readyPods: 1 },
    ]);
  });

  it('the Git selector alone (before Argo Rollouts adopts the Service) reaches every hash with Ready pods', () => {
    const selector = { 'app.kubernetes.io/name': 'docqa' };
    expect(serviceTargets(selector, endpoints, ready({ aaa: 4, bbb: 1 }))).toEqual([
      { url: 'http://127.0.0.1:1', readyPods: 4 },
      { url: 'http://127.0.0.1:2', readyPods: 1 },
    ]);
    expect(serviceTargets(selector, endpoints, ready({ aaa: 2 }))).toEqual([
      { url: 'http://127.0.0.1:1', readyPods: 2 },
    ]);
  });

  it('no Service, or one without a selector, reaches nothing', () => {
    expect(serviceTargets(undefined, endpoints, ready({ aaa: 1 }))).toEqual([]);
    expect(serviceTargets({}, endpoints, ready({ aaa: 1 }))).toEqual([]);
  });

  it('picks a process in proportion to its Ready pods, as a uniform pick among the pods would (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 4 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (counts, r) => {
          const targets: ServiceTarget[] = counts.map((n, i) => ({ url: `u${i}`, readyPods: n }));
          const total = counts.reduce((a, b) => a + b, 0);
          const pod = Math.floor(r * total);
          // The pod-th pod, counting each target's pods in order.
          let before = 0;
          const owner = counts.findIndex((n) => {
            before += n;
            return pod < before;
          });
          expect(pickTarget(targets, () => r)).toBe(`u${owner}`);
        },
      ),
    );
    expect(pickTarget([], () => 0.5)).toBeUndefined();
  });
});

describe('the docqa Service ports of the live simulated lab', () => {
  const servers: Server[] = [];
  let proxies: ServiceProxies | undefined;
  afterEach(async () => {
    await proxies?.close();
    await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  });

  const get = async (service: 'docqa-stable' | 'docqa-canary') =>
    (await fetch(`${proxies?.urls[service]}/`, { headers: { connection: 'close' } })).text();

  it('forwards each new connection to the process its Service reaches now', async () => {
    const a = await process('stable v1');
    const b = await process('canary v2');
    servers.push(a.server, b.server);
    let canary = a.url;
    proxies = await startServiceProxies((name) => [
      { url: name === 'docqa-stable' ? a.url : canary, readyPods: 1 },
    ]);
    expect(await get('docqa-stable')).toBe('stable v1');
    expect(await get('docqa-canary')).toBe('stable v1');
    canary = b.url;
    expect(await get('docqa-canary')).toBe('canary v2');
    expect(await get('docqa-stable')).toBe('stable v1');
  });

  it("spreads connections over a Service's processes by the injected pick", async () => {
    const a = await process('four pods');
    const b = await process('one pod');
    servers.push(a.server, b.server);
    const draws = [0.1, 0.9, 0.79, 0.8];
    proxies = await startServiceProxies(
      () => [
        { url: a.url, readyPods: 4 },
        { url: b.url, readyPods: 1 },
      ],
      () => draws.shift() ?? 0,
    );
    const seen = [];
    for (let i = 0; i < 4; i++) seen.push(await get('docqa-stable'));
    expect(seen).toEqual(['four pods', 'one pod', 'four pods', 'one pod']);
  });

  it('a Service without a ready endpoint answers nothing, and answers again once one is ready', async () => {
    const a = await process('stable v1');
    servers.push(a.server);
    let targets: ServiceTarget[] = [];
    proxies = await startServiceProxies(() => targets);
    const url = `${proxies.urls['docqa-stable']}/`;
    await expect(fetch(url, { headers: { connection: 'close' } })).rejects.toThrow();
    targets = [{ url: a.url, readyPods: 1 }];
    expect(await (await fetch(url, { headers: { connection: 'close' } })).text()).toBe('stable v1');
  });

  it('listens on 127.0.0.1 only, one port per Service', async () => {
    proxies = await startServiceProxies(() => []);
    const stable = new URL(proxies.urls['docqa-stable']);
    const canary = new URL(proxies.urls['docqa-canary']);
    expect([stable.hostname, canary.hostname]).toEqual(['127.0.0.1', '127.0.0.1']);
    expect(stable.port).not.toBe(canary.port);
  });
});
