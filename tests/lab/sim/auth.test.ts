/**
 * The simulated API server's bearer-token check (on for `up --simulate`, off for the test fakes): a request without
 * the token, or with another, gets what a real API server answers an unauthenticated request, 401 with a Status of
 * reason Unauthorized; the real client library with the kubeconfig the server writes (its CA, its token) gets in.
 */
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubeClient } from '../../../src/lab/kube/client.js';
import { type SimCluster, startSimCluster } from '../../../src/lab/sim/api.js';

let cluster: SimCluster;
let tls: { cert: string; key: string };

beforeAll(async () => {
  const { generate } = await import('selfsigned');
  const pems = await generate([{ name: 'commonName', value: 'test' }], {
    keyType: 'ec',
    curve: 'P-256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
  });
  tls = { cert: pems.cert, key: pems.private };
  cluster = await startSimCluster({ token: 's3cret-token', tls, context: 'gitops-lab-sim' });
}, 60_000);

afterAll(async () => {
  await cluster?.close();
});

function get(path: string, authorization?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${cluster.url}${path}`,
      { ca: tls.cert, headers: authorization ? { authorization } : {} },
      (res) => {
        let body = '';
        res.on('data', (chunk) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('the simulated API server with a token', () => {
  it('serves HTTPS on 127.0.0.1', () => {
    expect(cluster.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('answers 401 Unauthorized without the token, with another token, or with another scheme', async () => {
    for (const header of [
      undefined,
      'Bearer wrong-token',
      'Bearer s3cret-token-and-more',
      'Basic czNjcmV0LXRva2Vu',
    ]) {
      const res = await get('/api/v1/namespaces', header);
      expect(res.status, String(header)).toBe(401);
      expect(JSON.parse(res.body)).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    }
    // Discovery too: nothing is served to a stranger.
    expect((await get('/version')).status).toBe(401);
  });

  it('serves a request with the token, and the real client through the kubeconfig it wrote', async () => {
    const res = await get('/api/v1/namespaces', 'Bearer s3cret-token');
    expect(res.status).toBe(200);
    expect((JSON.parse(res.body) as { items: unknown[] }).items.length).toBeGreaterThan(0);
    const kube = createKubeClient({ kubeconfig: cluster.kubeconfigPath, context: 'gitops-lab-sim' });
    const namespaces = await kube.list({ apiVersion: 'v1', kind: 'Namespace' });
    expect(namespaces.items.map((n) => n.metadata?.name)).toContain('kube-system');
  });
});
