/**
 * The docqa app's CreateNamespace=true in the simulated lab (argocd-sync.ts autoCreateNamespace, gitops-engine
 * sync_context.go at e48120133eec; argo-cd controller/sync_namespace.go@v3.1.12): a user deletes the docqa namespace.
 * While it is terminating the self-heal's applies are refused (namespace-lifecycle.ts) and retried with the app's
 * backoff; once it is gone a pass creates it again (a PreSync task) and then everything in it. On the virtual clock.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/lab/sim/clock.js';
import { type SimLab, startSimLab } from '../../../src/lab/sim/lab.js';
import type { StoredEvent } from '../../../src/lab/sim/store.js';
import { appView } from '../../support/argo-apps.js';
import { until } from '../../support/sim-releases.js';

let lab: SimLab | undefined;
afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

const app = (l: SimLab) => appView(l);

const docqaObjects = (l: SimLab) =>
  [
    l.cluster.get('argoproj.io/v1alpha1', 'Rollout', 'docqa', 'docqa'),
    l.cluster.get('v1', 'ConfigMap', 'docqa-config', 'docqa'),
    l.cluster.get('v1', 'Service', 'docqa-stable', 'docqa'),
  ].filter(Boolean).length;

async function deleteNamespace(l: SimLab): Promise<number> {
  const res = await fetch(`${l.cluster.url}/api/v1/namespaces/docqa`, { method: 'DELETE' });
  await res.arrayBuffer();
  return res.status;
}

describe('CreateNamespace=true (docqa app)', { timeout: 300_000 }, () => {
  it('a deleted docqa namespace is created again by the self-heal once it is gone, then filled', async () => {
    const clock = new VirtualClock({ start: 0 });
    const l = await startSimLab({ clock });
    lab = l;
    const seen: string[] = [];
    l.cluster.onChange((e: StoredEvent) => {
      if (e.resource.kind === 'Namespace' && e.object.metadata?.name === 'docqa') seen.push(e.type);
    });
    expect(await deleteNamespace(l)).toBe(200);
    await until(clock, () => seen.includes('ADDED'), 600_000);
    expect(seen.indexOf('ADDED')).toBeGreaterThan(seen.indexOf('DELETED'));
    await until(
      clock,
      () => app(l).status.sync?.status === 'Synced' && app(l).status.health?.status === 'Healthy',
      600_000,
    );
    expect(docqaObjects(l)).toBe(3);
    // The namespace's task stays as the first pass left it: created, Running (the next pass had no task for it).
    expect(app(l).status.operationState?.syncResult?.resources?.[0]).toEqual({
      group: '',
      version: 'v1',
      kind: 'Namespace',
      namespace: '',
      name: 'docqa',
      status: 'Synced',
      message: 'namespace/docqa created',
      hookPhase: 'Running',
      syncPhase: 'PreSync',
    });
  });

  it('while the namespace is terminating the applies are refused and retried; when it is gone the retry fills it', async () => {
    const clock = new VirtualClock({ start: 0 });
    const l = await startSimLab({ clock });
    lab = l;
    // A finalizer of someone else's keeps the ConfigMap, and so the namespace, from going.
    const hold = 'example.com/hold';
    l.cluster.update('v1', 'ConfigMap', 'docqa-config', 'docqa', (o) => {
      o.metadata = { ...o.metadata, finalizers: [hold] };
    });
    expect(await deleteNamespace(l)).toBe(200);
    await until(
      clock,
      () => (app(l).status.operationState?.message ?? '').includes('Retrying attempt'),
      600_000,
    );
    expect(app(l).status.operationState?.message).toMatch(
      /^one or more objects failed to apply, reason: .*forbidden: unable to create new content in namespace docqa because it is being terminated.* Retrying attempt #1 at /,
    );
    expect(l.cluster.get('v1', 'Namespace', 'docqa')?.status).toMatchObject({ phase: 'Terminating' });
    l.cluster.update('v1', 'ConfigMap', 'docqa-config', 'docqa', (o) => {
      o.metadata = { ...o.metadata, finalizers: [] };
    });
    await until(
      clock,
      () => app(l).status.sync?.status === 'Synced' && app(l).status.health?.status === 'Healthy',
      600_000,
    );
    expect(app(l).status.operationState?.phase).toBe('Succeeded');
    expect(docqaObjects(l)).toBe(3);
    expect(l.cluster.get('v1', 'Namespace', 'docqa')?.status).toMatchObject({ phase: 'Active' });
  });
});
