/**
 * Deleting an Application of the simulated lab as Argo CD v3.1.12 handles it (argocd.ts finalizeApplicationDeletion):
 * with its resources finalizer its live objects are deleted in the foreground (the Rollout waits for its ReplicaSets
 * and their pods), then the finalizer goes and the API server removes the app; lab-root, the app of apps, then
 * self-heals it back. Without the finalizer the app goes alone and its objects stay. On the virtual clock.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sleep } from '../../../src/lab/clock.js';
import { VirtualClock } from '../../../src/lab/sim/clock.js';
import { type SimLab, startSimLab } from '../../../src/lab/sim/lab.js';
import type { StoredEvent } from '../../../src/lab/sim/store.js';

let lab: SimLab | undefined;
afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

const app = (l: SimLab) => l.cluster.get('argoproj.io/v1alpha1', 'Application', 'docqa', 'argocd');
const rollout = (l: SimLab) => l.cluster.get('argoproj.io/v1alpha1', 'Rollout', 'docqa', 'docqa');

async function del(l: SimLab, path: string): Promise<number> {
  const res = await fetch(`${l.cluster.url}${path}`, { method: 'DELETE' });
  await res.arrayBuffer();
  return res.status;
}

describe('deleting the docqa Application', () => {
  it('with its resources finalizer: its objects go first (foreground), then the app; lab-root brings it back', async () => {
    const clock = new VirtualClock({ start: 0 });
    const l = await startSimLab({ clock });
    lab = l;
    expect(app(l)?.metadata?.finalizers).toContain('resources-finalizer.argocd.argoproj.io');
    const seen: Array<{ type: string; kind: string; at: number }> = [];
    l.cluster.onChange((e: StoredEvent) => {
      if (e.type !== 'MODIFIED' && ['Application', 'Rollout'].includes(e.resource.kind))
        if (e.object.metadata?.name === 'docqa')
          seen.push({ type: e.type, kind: e.resource.kind, at: clock.now() });
    });
    expect(await del(l, '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/docqa')).toBe(200);
    expect(app(l)?.metadata?.deletionTimestamp).toBeDefined();
    await sleep(clock, 1000);
    // Argo CD has asked for the Rollout's deletion in the foreground: it waits for its ReplicaSets.
    expect(rollout(l)?.metadata?.finalizers).toContain('foregroundDeletion');
    expect(app(l)?.metadata?.deletionTimestamp).toBeDefined();
    await sleep(clock, 180_000);
    const rolloutGone = seen.find((e) => e.kind === 'Rollout' && e.type === 'DELETED');
    const appGone = seen.find((e) => e.kind === 'Application' && e.type === 'DELETED');
    expect(rolloutGone).toBeDefined();
    expect(appGone).toBeDefined();
    expect((appGone?.at ?? 0) >= (rolloutGone?.at ?? Number.POSITIVE_INFINITY)).toBe(true);
    // The app of apps recreates it (self-heal of a missing Application).
    expect(
      seen.some((e) => e.kind === 'Application' && e.type === 'ADDED' && e.at > (appGone?.at ?? 0)),
    ).toBe(true);
  }, 120_000);

  it('without the finalizer the app goes at once and what it deployed stays', async () => {
    const clock = new VirtualClock({ start: 0 });
    const l = await startSimLab({ clock });
    lab = l;
    l.cluster.update('argoproj.io/v1alpha1', 'Application', 'docqa', 'argocd', (o) => {
      if (o.metadata) delete o.metadata.finalizers;
    });
    expect(await del(l, '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/docqa')).toBe(200);
    expect(app(l)).toBeUndefined();
    await sleep(clock, 1000);
    expect(rollout(l)?.metadata?.deletionTimestamp).toBeUndefined();
  }, 120_000);

  it('an object with the sync option Delete=confirm holds the deletion until the app is annotated deletion-approved', async () => {
    const clock = new VirtualClock({ start: 0 });
    const l = await startSimLab({ clock });
    lab = l;
    await l.repo.change(
      [
        {
          file: 'workloads/docqa/pdb.yaml',
          set: { 'metadata.annotations': { 'argocd.argoproj.io/sync-options': 'Delete=confirm' } },
        },
      ],
      'test: the PDB needs a confirmation to be deleted',
    );
    const entry = () =>
      (app(l)?.status as { resources?: Array<Record<string, unknown>> } | undefined)?.resources?.find(
        (r) => r.kind === 'PodDisruptionBudget',
      );
    for (let t = 0; t < 300 && !entry()?.requiresDeletionConfirmation; t++) await sleep(clock, 1000);
    expect(entry()?.requiresDeletionConfirmation).toBe(true);
    const gone: string[] = [];
    l.cluster.onChange((e: StoredEvent) => {
      if (e.type === 'DELETED' && ['Application', 'PodDisruptionBudget', 'Rollout'].includes(e.resource.kind))
        gone.push(e.resource.kind);
    });
    expect(await del(l, '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/docqa')).toBe(200);
    await sleep(clock, 60_000);
    // Nothing of the app is deleted, not even what needs no confirmation, and the app waits.
    expect(gone).toEqual([]);
    expect(rollout(l)?.metadata?.deletionTimestamp).toBeUndefined();
    expect(app(l)?.metadata?.deletionTimestamp).toBeDefined();
    // An approval older than the deletion does not count (IsDeletionConfirmed).
    const approve = (at: number) =>
      l.cluster.update('argoproj.io/v1alpha1', 'Application', 'docqa', 'argocd', (o) => {
        o.metadata = {
          ...o.metadata,
          annotations: {
            ...o.metadata?.annotations,
            'argocd.argoproj.io/deletion-approved': new Date(at).toISOString().replace(/\.\d+Z$/, 'Z'),
          },
        };
      });
    approve(0);
    await sleep(clock, 30_000);
    expect(gone).toEqual([]);
    approve(clock.now());
    await sleep(clock, 180_000);
    expect(gone).toEqual(expect.arrayContaining(['PodDisruptionBudget', 'Rollout', 'Application']));
  }, 120_000);
});
