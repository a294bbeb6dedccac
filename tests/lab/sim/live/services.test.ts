/**
 * The live lab's docqa Services on 127.0.0.1: a connection goes to an endpoint of the Service's EndpointSlices, as
 * kube-proxy (v1.33 CategorizeEndpoints) takes them: the ready ones, or the serving terminating ones when none is
 * ready; picked at random as kube-proxy's iptables rules pick (so a process in proportion to its endpoints); a
 * Service without one refuses the connection (ECONNREFUSED, kube-proxy's REJECT) until it has one again.
 */
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  pickTarget,
  type ServiceProxies,
  type ServiceTarget,
  type SliceView,
  serviceTargets,
  startServiceProxies,
  usableEndpoints,
} from '../../../../src/lab/sim/live/services.js';

async function process(name: string): Promise<{ server: Server; url: string }> {
  const server = createServer((_req, res) => res.end(name));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

type Conditions = { ready: boolean; serving: boolean; terminating: boolean };
const READY: Conditions = { ready: true, serving: true, terminating: false };
const NOT_READY: Conditions = { ready: false, serving: false, terminating: false };
const TERMINATING: Conditions = { ready: false, serving: true, terminating: true };
const slice = (...endpoints: Array<[string, Conditions]>): SliceView => ({
  endpoints: endpoints.map(([name, conditions]) => ({ conditions, targetRef: { name } })),
});

const processes = [
  { url: 'http://127.0.0.1:1', pods: ['docqa-aaa-1', 'docqa-aaa-2', 'docqa-aaa-3', 'docqa-aaa-4'] },
  { url: 'http://127.0.0.1:2', pods: ['docqa-bbb-1'] },
];

describe("which processes a docqa Service's EndpointSlices reach", () => {
  it('the ready endpoints of all its slices, each process with its count of them', () => {
    const slices = [
      slice(['docqa-aaa-1', READY], ['docqa-aaa-2', READY], ['docqa-aaa-3', NOT_READY]),
      slice(['docqa-bbb-1', READY]),
    ];
    expect(serviceTargets(slices, processes)).toEqual([
      { url: 'http://127.0.0.1:1', endpoints: 2 },
      { url: 'http://127.0.0.1:2', endpoints: 1 },
    ]);
  });

  it('serving terminating endpoints only when none is ready; not-ready ones never', () => {
    expect(usableEndpoints([slice(['docqa-aaa-1', TERMINATING], ['docqa-bbb-1', READY])])).toEqual([
      'docqa-bbb-1',
    ]);
    expect(usableEndpoints([slice(['docqa-aaa-1', TERMINATING], ['docqa-bbb-1', NOT_READY])])).toEqual([
      'docqa-aaa-1',
    ]);
    expect(usableEndpoints([slice(['docqa-aaa-1', NOT_READY])])).toEqual([]);
    // A not-serving terminating endpoint (readiness failed while it shuts down) is no fallback.
    expect(usableEndpoints([slice(['docqa-aaa-1', { ...TERMINATING, serving: false }])])).toEqual([]);
  });

  it('no slice, a placeholder slice, or endpoints without a process reach nothing', () => {
    expect(serviceTargets([], processes)).toEqual([]);
    expect(serviceTargets([{ endpoints: null }], processes)).toEqual([]);
    expect(serviceTargets([slice(['docqa-ccc-1', READY])], processes)).toEqual([]);
  });

  it('picks a process in proportion to its endpoints, as a uniform pick among the endpoints would (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 4 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (counts, r) => {
          const targets: ServiceTarget[] = counts.map((n, i) => ({ url: `u${i}`, endpoints: n }));
          const total = counts.reduce((a, b) => a + b, 0);
          const pod = Math.floor(r * total);
          // The pod-th endpoint, counting each target's endpoints in order.
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

/** What a TCP client sees connecting to `url`: 'connected', or the error code of a failed connect. */
function tcpConnect(url: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? String(error)));
  });
}

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
      { url: name === 'docqa-stable' ? a.url : canary, endpoints: 1 },
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
        { url: a.url, endpoints: 4 },
        { url: b.url, endpoints: 1 },
      ],
      () => draws.shift() ?? 0,
    );
    const seen = [];
    for (let i = 0; i < 4; i++) seen.push(await get('docqa-stable'));
    expect(seen).toEqual(['four pods', 'one pod', 'four pods', 'one pod']);
  });

  it('a Service without an endpoint refuses connections (ECONNREFUSED) on its port, and takes them again once it has one', async () => {
    const a = await process('stable v1');
    servers.push(a.server);
    let targets: ServiceTarget[] = [];
    proxies = await startServiceProxies(() => targets);
    const url = `${proxies.urls['docqa-stable']}/`;
    expect(await tcpConnect(url)).toBe('ECONNREFUSED');
    await expect(fetch(url, { headers: { connection: 'close' } })).rejects.toMatchObject({
      cause: { code: 'ECONNREFUSED' },
    });
    targets = [{ url: a.url, endpoints: 1 }];
    await proxies.refresh();
    expect(await (await fetch(url, { headers: { connection: 'close' } })).text()).toBe('stable v1');
    // The last endpoint goes: refused again, on the same port.
    targets = [];
    await proxies.refresh();
    expect(await tcpConnect(url)).toBe('ECONNREFUSED');
  });

  it('a connection open when the last endpoint goes stays open (conntrack keeps it)', async () => {
    const a = await process('stable v1');
    servers.push(a.server);
    let targets: ServiceTarget[] = [{ url: a.url, endpoints: 1 }];
    proxies = await startServiceProxies(() => targets);
    const { hostname, port } = new URL(proxies.urls['docqa-stable']);
    const socket = connect({ host: hostname, port: Number(port) });
    await new Promise((resolve) => socket.once('connect', resolve));
    targets = [];
    await proxies.refresh();
    socket.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    const reply = await new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (d) => {
        text += d;
      });
      socket.once('end', () => resolve(text));
    });
    expect(reply).toContain('stable v1');
  });

  it('listens on 127.0.0.1 only, one port per Service', async () => {
    proxies = await startServiceProxies(() => [{ url: 'http://127.0.0.1:1', endpoints: 1 }]);
    const stable = new URL(proxies.urls['docqa-stable']);
    const canary = new URL(proxies.urls['docqa-canary']);
    expect([stable.hostname, canary.hostname]).toEqual(['127.0.0.1', '127.0.0.1']);
    expect(stable.port).not.toBe(canary.port);
  });
});
