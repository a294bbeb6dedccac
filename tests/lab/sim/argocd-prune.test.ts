/**
 * Pruning in the simulated Argo CD v3.1.12 (src/lab/sim/argocd-prune.ts): an object removed from Git but still live
 * with the app's tracking id is the app's (GetManagedLiveObjs), OutOfSync and requiring pruning; the auto-sync prunes
 * it with automated.prune, leaves it without (and then does not sync at all when pruning is all there is to do:
 * controller/appcontroller.go autoSync), and leaves one annotated Prune=false (gitops-engine sync_context.go
 * pruneObject); PruneLast=true prunes a wave after the rest. Deleting the app with its resources finalizer deletes
 * such an object too. Driven through the lab's Git repository, on the virtual clock.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sleep } from '../../../src/lab/clock.js';
import type { ResourceStatus } from '../../../src/lab/sim/argocd.js';
import { VirtualClock } from '../../../src/lab/sim/clock.js';
import { type SimLab, startSimLab } from '../../../src/lab/sim/lab.js';
import type { KubeObject, StoredEvent } from '../../../src/lab/sim/store.js';
import { forceRefresh } from '../../support/argo-apps.js';

let lab: SimLab | undefined;
afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

interface AppStatus {
  sync: { status: string; revision: string };
  health: { status: string };
  resources: ResourceStatus[];
  conditions?: Array<{ type: string; message: string }>;
  operationState?: {
    phase: string;
    startedAt: string;
    operation: { sync: { revision: string; prune?: boolean } };
    syncResult?: { revision: string; resources?: Array<Record<string, unknown>> };
  };
}

const application = (l: SimLab, name = 'docqa') =>
  l.cluster.get('argoproj.io/v1alpha1', 'Application', name, 'argocd') as KubeObject & {
    status: AppStatus;
    spec: { syncPolicy: { automated: { prune?: boolean } } };
  };
const pdb = (l: SimLab) => l.cluster.get('policy/v1', 'PodDisruptionBudget', 'docqa', 'docqa');
const pdbEntry = (l: SimLab) => application(l).status.resources.find((r) => r.kind === 'PodDisruptionBudget');

/** Commits workloads/docqa without pdb.yaml and has the docqa app compare the new revision at once. */
async function removePdbFromGit(l: SimLab): Promise<string> {
  const kustomization = l.source.yaml('workloads/docqa/kustomization.yaml') as { resources: string[] };
  const { commit } = await l.repo.change(
    [
      {
        file: 'workloads/docqa/kustomization.yaml',
        set: { resources: kustomization.resources.filter((r) => r !== 'pdb.yaml') },
      },
    ],
    'test: the PodDisruptionBudget leaves Git',
  );
  forceRefresh(l, 'docqa');
  return commit ?? '';
}

function annotatePdb(l: SimLab, options: string): void {
  l.cluster.update('policy/v1', 'PodDisruptionBudget', 'docqa', 'docqa', (o) => {
    o.metadata = {
      ...o.metadata,
      annotations: { ...o.metadata?.annotations, 'argocd.argoproj.io/sync-options': options },
    };
  });
}

describe('pruning an object removed from Git (docqa app, automated sync)', { timeout: 120_000 }, () => {
  it('with automated.prune the auto-sync deletes it in the foreground; the sync result says pruned; the app is Synced again', async () => {
    const clock = new VirtualClock({ start: 0 });
    const l = await startSimLab({ clock });
    lab = l;
    const seen: StoredEvent[] = [];
    l.cluster.onChange((e) => {
      if (e.resource.kind === 'PodDisruptionBudget') seen.push(e);
    });
    const commit = await removePdbFromGit(l);
    await sleep(clock, 500);
    // Compared: the PDB is the app's (its tracking id), live only.
    expect(pdbEntry(l)).toMatchObject({ status: 'OutOfSync', requiresPruning: true });
    expect(application(l).status.sync.status).toBe('OutOfSync');
    expect(application(l).status.operationState?.phase).toBe('Running');
    expect(application(l).status.operationState?.operation.sync).toMatchObject({
      revision: commit,
      prune: true,
    });
    await sleep(clock, 10_000);
    expect(pdb(l)).toBeUndefined();
    // Deleted with propagationPolicy Foreground (the default PrunePropagationPolicy): the GC's finalizer first.
    const marked = seen.find((e) => e.type === 'MODIFIED' && e.object.metadata?.deletionTimestamp);
    expect(marked?.object.metadata?.finalizers).toContain('foregroundDeletion');
    expect(seen.some((e) => e.type === 'DELETED')).toBe(true);
    const status = application(l).status;
    expect(status.operationState?.phase).toBe('Succeeded');
    expect(status.operationState?.syncResult?.revision).toBe(commit);
    const results = status.operationState?.syncResult?.resources ?? [];
    // The prune task first (runTasks), then what was applied, in the tasks' order (kind order, then name).
    expect(results[0]).toEqual({
      group: 'policy',
      version: 'v1',
      kind: 'PodDisruptionBudget',
      namespace: 'docqa',
      name: 'docqa',
      status: 'Pruned',
      message: 'pruned',
      hookPhase: 'Succeeded',
      syncPhase: 'Sync',
    });
    expect(results.map((r) => `${r.kind}/${r.name}`)).toEqual([
      'PodDisruptionBudget/docqa',
      'ConfigMap/docqa-config',
      'Service/docqa-canary',
      'Service/docqa-stable',
      'HorizontalPodAutoscaler/docqa',
      'Rollout/docqa',
      'AnalysisTemplate/docqa-quality',
    ]);
    // The others were applied as they were: kubectl's "unchanged", the task still Running when the one wave ended.
    expect(results.find((r) => r.kind === 'Rollout')).toEqual({
      group: 'argoproj.io',
      version: 'v1alpha1',
      kind: 'Rollout',
      namespace: 'docqa',
      name: 'docqa',
      status: 'Synced',
      message: 'rollout.argoproj.io/docqa unchanged',
      hookPhase: 'Running',
      syncPhase: 'Sync',
      images: ['ghcr.io/gitops-lab/docqa:0.1.0'],
    });
    expect(status.sync).toMatchObject({ status: 'Synced', revision: commit });
    expect(pdbEntry(l)).toBeUndefined();
  });

  it('with automated.prune false it stays; the app stays OutOfSync with requiresPruning and no sync is attempted', async () => {
    const clock = new VirtualClock({ start: 0 });
    const l = await startSimLab({ clock });
    lab = l;
    // The docqa Application comes from Git through lab-root: turn its automated pruning off there first.
    await l.repo.change(
      [{ file: 'apps/docqa.yaml', set: { 'spec.syncPolicy.automated.prune': false } }],
      'test: no automated pruning for docqa',
    );
    forceRefresh(l, 'lab-root');
    for (let i = 0; i < 30 && application(l).spec.syncPolicy.automated.prune !== false; i++)
      await sleep(clock, 1000);
    expect(application(l).spec.syncPolicy.automated.prune).toBe(false);
    await sleep(clock, 10_000);
    const before = application(l).status.operationState;
    const commit = await removePdbFromGit(l);
    await sleep(clock, 1000);
    expect(application(l).status.sync).toMatchObject({ status: 'OutOfSync', revision: commit });
    expect(pdbEntry(l)).toMatchObject({ status: 'OutOfSync', requiresPruning: true });
    // Ten minutes on: no operation was started (autoSync: "need to prune extra resources only"), the PDB is live.
    await sleep(clock, 600_000);
    expect(application(l).status.operationState).toEqual(before);
    expect(application(l).status.sync.status).toBe('OutOfSync');
    expect(pdb(l)?.metadata?.deletionTimestamp).toBeUndefined();
    const started = l.cluster
      .list('v1', 'Event', 'argocd')
      .filter((e) => (e as { reason?: string }).reason === 'OperationStarted')
      .filter((e) => String((e as { message?: string }).message).includes(commit));
    expect(started).toEqual([]);
  });

  it('a live object annotated Prune=false is kept by the sync (PruneSkipped "ignored (no prune)"); it stays OutOfSync and requiring pruning, and so does the app', async () => {
    const clock = new VirtualClock({ start: 0 });
    const l = await startSimLab({ clock });
    lab = l;
    annotatePdb(l, 'Prune=false');
    await sleep(clock, 5000);
    const commit = await removePdbFromGit(l);
    await sleep(clock, 10_000);
    expect(pdb(l)).toBeDefined();
    expect(pdb(l)?.metadata?.deletionTimestamp).toBeUndefined();
    const status = application(l).status;
    expect(status.operationState?.phase).toBe('Succeeded');
    expect(status.operationState?.syncResult?.revision).toBe(commit);
    expect(status.operationState?.syncResult?.resources).toEqual([
      expect.objectContaining({
        kind: 'PodDisruptionBudget',
        name: 'docqa',
        status: 'PruneSkipped',
        message: 'ignored (no prune)',
      }),
    ]);
    expect(pdbEntry(l)).toMatchObject({ status: 'OutOfSync', requiresPruning: true });
    expect(status.sync.status).toBe('OutOfSync');
  });

  it('PruneLast=true prunes it a sync wave (2 s) after the other changes of the same sync are applied', async () => {
    const clock = new VirtualClock({ start: 0 });
    const l = await startSimLab({ clock });
    lab = l;
    annotatePdb(l, 'PruneLast=true');
    await sleep(clock, 5000);
    const times: Record<string, number> = {};
    l.cluster.onChange((e) => {
      if (e.resource.kind === 'ConfigMap' && e.object.metadata?.name === 'docqa-config')
        times.configMap ??= clock.now();
      if (e.resource.kind === 'PodDisruptionBudget' && e.object.metadata?.deletionTimestamp)
        times.pdb ??= clock.now();
    });
    // One commit: a ConfigMap change and the PDB's removal.
    await l.repo.change(
      [{ file: 'workloads/docqa/configmap.yaml', set: { 'data.DOCQA_FAULTS': 'slow' } }],
      'test: a config change',
    );
    await removePdbFromGit(l);
    await sleep(clock, 10_000);
    expect(pdb(l)).toBeUndefined();
    expect(times.configMap).toBeDefined();
    expect((times.pdb ?? 0) - (times.configMap ?? 0)).toBe(2000);
    // The changed ConfigMap's task was done before the last wave: Succeeded (it has no health check).
    const results = application(l).status.operationState?.syncResult?.resources ?? [];
    expect(results.find((r) => r.kind === 'ConfigMap')).toMatchObject({
      message: 'configmap/docqa-config configured',
      hookPhase: 'Succeeded',
    });
    expect(results.at(-1)).toMatchObject({ kind: 'PodDisruptionBudget', status: 'Pruned' });
  });
});

describe('deleting the docqa Application with its resources finalizer', { timeout: 120_000 }, () => {
  it('also deletes a live object of the app that Git no longer has', async () => {
    const clock = new VirtualClock({ start: 0 });
    const l = await startSimLab({ clock });
    lab = l;
    // Kept live by Prune=false after it leaves Git; Delete=false is another option, and it is not set.
    annotatePdb(l, 'Prune=false');
    await sleep(clock, 5000);
    await removePdbFromGit(l);
    await sleep(clock, 10_000);
    expect(pdbEntry(l)).toMatchObject({ requiresPruning: true });
    let pdbGone: number | undefined;
    l.cluster.onChange((e) => {
      if (e.resource.kind === 'PodDisruptionBudget' && e.type === 'DELETED') pdbGone ??= clock.now();
    });
    const res = await fetch(
      `${l.cluster.url}/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/docqa`,
      { method: 'DELETE' },
    );
    await res.arrayBuffer();
    expect(res.status).toBe(200);
    await sleep(clock, 180_000);
    expect(pdbGone).toBeDefined();
    expect(pdb(l)).toBeUndefined();
  });
});

describe('an object whose tracking id was copied from another (isSelfReferencedObj)', {
  timeout: 120_000,
}, () => {
  it('is listed without a sync status, does not make the app OutOfSync and is not pruned', async () => {
    const clock = new VirtualClock({ start: 0 });
    const l = await startSimLab({ clock });
    lab = l;
    const config = l.cluster.get('v1', 'ConfigMap', 'docqa-config', 'docqa');
    // A hand-made copy of the docqa ConfigMap, annotations and all: its tracking id names docqa-config.
    l.cluster.seed({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'docqa-config-copy', namespace: 'docqa', annotations: config?.metadata?.annotations },
      data: { DOCQA_MODE: 'copy' },
    });
    await removePdbFromGit(l);
    await sleep(clock, 10_000);
    // The PDB was pruned; the copy is still there, listed with no status and not requiring pruning.
    expect(pdb(l)).toBeUndefined();
    expect(l.cluster.get('v1', 'ConfigMap', 'docqa-config-copy', 'docqa')).toBeDefined();
    const copy = application(l).status.resources.find((r) => r.name === 'docqa-config-copy');
    expect(copy).toEqual({ version: 'v1', kind: 'ConfigMap', namespace: 'docqa', name: 'docqa-config-copy' });
    expect(application(l).status.sync.status).toBe('Synced');
  });
});

describe('the sync result of a self-heal', { timeout: 120_000 }, () => {
  it('names only what was out of sync, in the operation and in syncResult.resources', async () => {
    const clock = new VirtualClock({ start: 0 });
    const l = await startSimLab({ clock });
    lab = l;
    l.cluster.update('v1', 'ConfigMap', 'docqa-config', 'docqa', (o) => {
      (o.data as Record<string, string>).DOCQA_MODE = 'edited';
    });
    await sleep(clock, 5000);
    const state = application(l).status.operationState as AppStatus['operationState'] & {
      operation: { sync: { resources?: unknown[] } };
    };
    expect(state?.phase).toBe('Succeeded');
    expect(state?.operation.sync.resources).toEqual([{ kind: 'ConfigMap', name: 'docqa-config' }]);
    expect(state?.syncResult?.resources).toEqual([
      {
        group: '',
        version: 'v1',
        kind: 'ConfigMap',
        namespace: 'docqa',
        name: 'docqa-config',
        status: 'Synced',
        message: 'configmap/docqa-config configured',
        hookPhase: 'Running',
        syncPhase: 'Sync',
      },
    ]);
    expect(
      (l.cluster.get('v1', 'ConfigMap', 'docqa-config', 'docqa')?.data as Record<string, string> | undefined)
        ?.DOCQA_MODE,
    ).toBe('extractive');
  });
});

describe('pruning options of the docqa Application (set in Git, through lab-root)', {
  timeout: 120_000,
}, () => {
  async function setDocqaApp(
    l: SimLab,
    clock: VirtualClock,
    set: Record<string, unknown>,
    done: () => boolean,
  ) {
    await l.repo.change([{ file: 'apps/docqa.yaml', set }], 'test: docqa sync policy');
    forceRefresh(l, 'lab-root');
    for (let i = 0; i < 30 && !done(); i++) await sleep(clock, 1000);
    expect(done()).toBe(true);
    await sleep(clock, 10_000);
  }

  it('PrunePropagationPolicy=background deletes it at once, with no foreground finalizer', async () => {
    const clock = new VirtualClock({ start: 0 });
    const l = await startSimLab({ clock });
    lab = l;
    const options = [
      'CreateNamespace=true',
      'RespectIgnoreDifferences=true',
      'PrunePropagationPolicy=background',
    ];
    await setDocqaApp(l, clock, { 'spec.syncPolicy.syncOptions': options }, () =>
      JSON.stringify(
        (application(l).spec as { syncPolicy: { syncOptions?: string[] } }).syncPolicy.syncOptions,
      ).includes('background'),
    );
    const seen: StoredEvent[] = [];
    l.cluster.onChange((e) => {
      if (e.resource.kind === 'PodDisruptionBudget') seen.push(e);
    });
    await removePdbFromGit(l);
    await sleep(clock, 10_000);
    expect(pdb(l)).toBeUndefined();
    expect(seen.map((e) => e.type)).toEqual(['DELETED']);
    expect(application(l).status.operationState?.syncResult?.resources?.[0]).toMatchObject({
      kind: 'PodDisruptionBudget',
      status: 'Pruned',
    });
  });

  it('an auto-sync that would prune every resource is refused with a SyncError condition; nothing is deleted', async () => {
    const clock = new VirtualClock({ start: 0 });
    const l = await startSimLab({ clock });
    lab = l;
    const { commit } = await l.repo.change(
      [{ file: 'workloads/docqa/kustomization.yaml', set: { resources: [] } }],
      'test: everything leaves Git',
    );
    forceRefresh(l, 'docqa');
    await sleep(clock, 10_000);
    const status = application(l).status;
    expect(status.sync).toMatchObject({ status: 'OutOfSync', revision: commit });
    expect(status.resources.every((r) => r.requiresPruning)).toBe(true);
    expect(status.conditions).toEqual([
      expect.objectContaining({
        type: 'SyncError',
        message: `Skipping sync attempt to ${commit}: auto-sync will wipe out all resources`,
      }),
    ]);
    expect(status.operationState?.syncResult?.revision).not.toBe(commit);
    expect(pdb(l)?.metadata?.deletionTimestamp).toBeUndefined();
    expect(
      l.cluster.get('argoproj.io/v1alpha1', 'Rollout', 'docqa', 'docqa')?.metadata?.deletionTimestamp,
    ).toBeUndefined();
  });
});
