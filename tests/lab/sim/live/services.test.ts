/**
 * The live lab's docqa Services on 127.0.0.1: each forwards a connection to the process of the pods its Service
 * selects (Argo Rollouts v1.8.3 rollout/service.go: stable → the stable hash, canary → the newest hash, or the stable
 * one when no canary runs), and a Service without a ready endpoint gives no answer.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { DocqaEndpoint } from '../../../../src/lab/sim/live/processes.js';
import {
  type ServiceProxies,
  serviceEndpoint,
  startServiceProxies,
} from '../../../../src/lab/sim/live/services.js';

async function process(name: string): Promise<{ server: Server; url: string }> {
  const server = createServer((_req, res) => res.end(name));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const endpoint = (role: 'stable' | 'canary', url: string, hash = role): DocqaEndpoint => ({
  hash,
  url,
  role,
  faults: '',
  pods: [],
  pid: 1,
});

describe('the docqa Services of the live simulated lab', () => {
  const servers: Server[] = [];
  let proxies: ServiceProxies | undefined;
  afterEach(async () => {
    await proxies?.close();
    await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  });

  it('docqa-canary follows the canary while one runs and the stable version otherwise', () => {
    const stable = endpoint('stable', 'http://127.0.0.1:1');
    const canary = endpoint('canary', 'http://127.0.0.1:2');
    expect(serviceEndpoint('docqa-stable', [stable, canary])).toBe(stable.url);
    expect(serviceEndpoint('docqa-canary', [stable, canary])).toBe(canary.url);
    expect(serviceEndpoint('docqa-canary', [stable])).toBe(stable.url);
    expect(serviceEndpoint('docqa-stable', [])).toBeUndefined();
  });

  it('forwards each new connection to the process its Service selects now', async () => {
    const a = await process('stable v1');
    const b = await process('canary v2');
    servers.push(a.server, b.server);
    let endpoints = [endpoint('stable', a.url)];
    proxies = await startServiceProxies(() => endpoints);
    const get = async (service: 'docqa-stable' | 'docqa-canary') =>
      (await fetch(`${proxies?.urls[service]}/`, { headers: { connection: 'close' } })).text();
    expect(await get('docqa-stable')).toBe('stable v1');
    expect(await get('docqa-canary')).toBe('stable v1');
    endpoints = [endpoint('stable', a.url), endpoint('canary', b.url)];
    expect(await get('docqa-canary')).toBe('canary v2');
    expect(await get('docqa-stable')).toBe('stable v1');
  });

  it('a Service without a ready endpoint answers nothing, and answers again once one is ready', async () => {
    const a = await process('stable v1');
    servers.push(a.server);
    let endpoints: DocqaEndpoint[] = [];
    proxies = await startServiceProxies(() => endpoints);
    const url = `${proxies.urls['docqa-stable']}/`;
    await expect(fetch(url, { headers: { connection: 'close' } })).rejects.toThrow();
    endpoints = [endpoint('stable', a.url)];
    expect(await (await fetch(url, { headers: { connection: 'close' } })).text()).toBe('stable v1');
  });

  it('listens on 127.0.0.1 only, one port per Service', async () => {
    proxies = await startServiceProxies(() => []);
    const stable = new URL(proxies.urls['docqa-stable']);
    const canary = new URL(proxies.urls['docqa-canary']);
    expect(stable.hostname).toBe('127.0.0.1');
    expect(canary.hostname).toBe('127.0.0.1');
    expect(stable.port).not.toBe(canary.port);
  });
});
