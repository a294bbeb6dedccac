/**
 * The drills' KubeAccess over the lab's kube client, against the simulation's API server behind a proxy that
 * holds one request open: when the caller's signal aborts (an action's time limit, a probe given up on, an
 * interrupt), the request under way is closed, not left hanging, and the call rejects with the signal's reason.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CallOptions, KubeAccess } from '../../../src/lab/drills/access.js';
import { kubeAccessFrom } from '../../../src/lab/drills/kube-adapter.js';
import { evaluateProbe } from '../../../src/lab/drills/probes.js';
import { createKubeClient } from '../../../src/lab/kube/client.js';
import { type FakeKube, startFakeKube } from '../../support/fake-kube/index.js';
import { type HoldingProxy, type ProxiedRequest, startHoldingProxy } from './fault-injection-helpers.js';
import { labObjects } from './lab-sim.js';

const rollout = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', namespace: 'docqa', name: 'docqa' };
const onRollout = (method: string) => (r: ProxiedRequest) =>
  r.method === method && r.path.startsWith('/apis/argoproj.io/v1alpha1/namespaces/docqa/rollouts/docqa');

type Call = (kube: KubeAccess, options: CallOptions) => Promise<unknown>;
const calls: Array<[string, Call, (r: ProxiedRequest) => boolean]> = [
  ['get', (kube, o) => kube.get(rollout, o), onRollout('GET')],
  [
    'list',
    (kube, o) => kube.list('v1', 'Pod', 'docqa', 'app.kubernetes.io/name=docqa', o),
    (r) => r.method === 'GET' && r.path.startsWith('/api/v1/namespaces/docqa/pods?'),
  ],
  [
    'create',
    (kube, o) =>
      kube.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'docqa' } }, o),
    (r) => r.method === 'POST' && r.path.startsWith('/api/v1/namespaces/docqa/configmaps'),
  ],
  [
    'merge patch',
    (kube, o) => kube.patch(rollout, { spec: { replicas: 5 } }, 'merge', o),
    onRollout('PATCH'),
  ],
  [
    'json patch',
    (kube, o) => kube.patch(rollout, [{ op: 'replace', path: '/spec/replicas', value: 5 }], 'json', o),
    onRollout('PATCH'),
  ],
  ['delete', (kube, o) => kube.delete(rollout, o), onRollout('DELETE')],
];

describe('the drills kube adapter passes the signal on to the request', { timeout: 60_000 }, () => {
  let fake: FakeKube;
  let proxy: HoldingProxy;
  let dir: string;
  let kube: KubeAccess;

  beforeEach(async () => {
    fake = await startFakeKube({ seed: labObjects() });
    dir = await mkdtemp(join(tmpdir(), 'gitops-lab-kube-adapter-'));
    proxy = await startHoldingProxy(fake.url, dir);
    kube = kubeAccessFrom(createKubeClient({ kubeconfig: proxy.kubeconfigPath }));
  });
  afterEach(async () => {
    await proxy.close();
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  });

  it.each(calls)(
    '%s: aborting closes the held request and rejects with the reason',
    async (_, call, match) => {
      const hold = proxy.hold(match);
      const controller = new AbortController();
      const pending = call(kube, { signal: controller.signal });
      pending.catch(() => {});
      await hold.reached;
      const reason = new Error('the scale action did not finish within its time limit');
      controller.abort(reason);
      await expect(pending).rejects.toBe(reason);
      // The server side saw the client close the connection while the request was held.
      await hold.abandoned;
      hold.release();
    },
  );

  it('a signal aborted before the call sends nothing', async () => {
    const reason = new Error('interrupted');
    await kube.get(rollout); // discovery done, so only the object request itself could go out
    const sent = proxy.requests.length;
    await expect(kube.get(rollout, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(proxy.requests.length).toBe(sent);
  });

  it('without an abort the held request completes once released', async () => {
    const hold = proxy.hold(onRollout('PATCH'));
    const controller = new AbortController();
    const pending = kube.patch(rollout, { spec: { replicas: 4 } }, 'merge', { signal: controller.signal });
    await hold.reached;
    hold.release();
    const patched = await pending;
    expect((patched.spec as { replicas?: number }).replicas).toBe(4);
  });

  it('a probe cut short by the drill signal closes its read of the cluster', async () => {
    const hold = proxy.hold(onRollout('GET'));
    const controller = new AbortController();
    const reason = new Error('interrupted by SIGINT');
    const probe = evaluateProbe(
      { id: 'replicas', probe: { type: 'k8s', target: rollout, path: '.spec.replicas', range: [2, 6] } },
      { kube },
      controller.signal,
    );
    probe.catch(() => {});
    await hold.reached;
    controller.abort(reason);
    await expect(probe).rejects.toBe(reason);
    await hold.abandoned;
  });
});
