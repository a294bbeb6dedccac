/**
 * One pass of the simulated Argo CD sync (src/lab/sim/argocd-sync.ts), checked against the cases of gitops-engine's
 * own tests at the commit Argo CD v3.1.12 pins (e48120133eec, pkg/sync/sync_context_test.go): TestWaveReorderingOfPruneTasks,
 * TestPruneLast, TestWaitForCleanUpBeforeNextWave, TestSync_ApplyOutOfSyncOnly, TestDoNotSyncOrPruneHooks,
 * TestDoNotPrunePruneFalse, TestSyncCreateFailure, Test_setRunningPhase_*, TestSetOperationFailed*. Their inputs and
 * asserted outcomes are the facts used here; the objects are built in TypeScript.
 */
import { describe, expect, it } from 'vitest';
import type { HealthStatus } from '../../../src/lab/sim/argo-health.js';
import { type SyncPassInput, syncPass, syncTasks, waveOf } from '../../../src/lab/sim/argocd-sync.js';
import type { KubeObject } from '../../../src/lab/sim/store.js';
import { fakeSyncHost as fakeHost } from '../../support/fake-sync-host.js';

function pod(
  name: string,
  annotations?: Record<string, string>,
  extra: Partial<KubeObject> = {},
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'fake-argocd-ns', ...(annotations ? { annotations } : {}) },
    ...extra,
  };
}
const wave = (w: number, more: Record<string, string> = {}) => ({
  'argocd.argoproj.io/sync-wave': String(w),
  ...more,
});
const namespace = (name: string, annotations?: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, ...(annotations ? { annotations } : {}) },
});

const input = (resources: SyncPassInput['resources'], more: Partial<SyncPassInput> = {}): SyncPassInput => ({
  resources,
  results: [],
  pruneLast: false,
  pruneConfirmed: false,
  ...more,
});

const wavesByName = (i: Pick<SyncPassInput, 'resources' | 'results' | 'pruneLast'>) =>
  Object.fromEntries(syncTasks(i).map((t) => [(t.target ?? t.live)?.metadata?.name, waveOf(t)]));

describe('sync tasks: waves (getSyncTasks)', () => {
  const ns = () => namespace('ns', wave(0));
  it('prune tasks are pruned in the reverse of their creation waves (TestWaveReorderingOfPruneTasks)', () => {
    const pods = [1, 2, 3, 4].map((w) => pod(`pod-${w}`, wave(w)));
    // All prune: 0..4 become 4..0.
    expect(wavesByName(input([ns(), ...pods].map((live) => ({ live }))))).toEqual({
      ns: 4,
      'pod-1': 3,
      'pod-2': 2,
      'pod-3': 1,
      'pod-4': 0,
    });
    // None prune: unchanged.
    expect(wavesByName(input([ns(), ...pods].map((target) => ({ target }))))).toEqual({
      ns: 0,
      'pod-1': 1,
      'pod-2': 2,
      'pod-3': 3,
      'pod-4': 4,
    });
    // Mixed: only the prune tasks' waves (1, 3, 4) are swapped among themselves.
    const [p1, p2, p3, p4] = pods as [KubeObject, KubeObject, KubeObject, KubeObject];
    expect(
      wavesByName(
        input([{ target: ns(), live: ns() }, { live: p1 }, { target: p2 }, { live: p3 }, { live: p4 }]),
      ),
    ).toEqual({ ns: 0, 'pod-1': 4, 'pod-2': 2, 'pod-3': 3, 'pod-4': 1 });
  });

  it('a wider mix: equal prune waves move together (TestWaveReorderingOfPruneTasks, mixedTasks)', () => {
    const ns = namespace('ns', wave(-1));
    const p = (n: number, w: number) => pod(`pod-${n}`, wave(w));
    const resources = [
      { target: ns, live: ns },
      { live: p(1, 1) },
      { target: p(2, 3) },
      { live: p(3, 3) },
      { live: p(4, 3) },
      { live: p(5, 4) },
      { target: p(6, 5), live: p(6, 5) },
      { live: p(7, 5) },
    ];
    expect(wavesByName(input(resources))).toEqual({
      ns: -1,
      'pod-1': 5,
      'pod-2': 3,
      'pod-3': 4,
      'pod-4': 4,
      'pod-5': 3,
      'pod-6': 5,
      'pod-7': 1,
    });
  });

  it('PruneLast puts prune tasks one wave after the last, prune tasks counted (TestPruneLast, TestWaveReorderingOfPruneTasks)', () => {
    const lastWave = (i: SyncPassInput) => Math.max(...syncTasks(i).map(waveOf));
    // Same wave: the last wave is the apply's 0, plus one.
    expect(
      lastWave(
        input([{ target: pod('pod-1') }, { live: pod('pod-2') }, { live: pod('pod-3') }], {
          pruneLast: true,
        }),
      ),
    ).toBe(1);
    // Waves 2 (apply), 1 and 7 (prune, swapped to 7 and 1): 7 + 1.
    const spread = [
      { target: pod('pod-1', wave(2)) },
      { live: pod('pod-2', wave(1)) },
      { live: pod('pod-3', wave(7)) },
    ];
    expect(lastWave(input(spread, { pruneLast: true }))).toBe(8);
    // PruneLast=true on one object only: that one goes last, the others keep their swapped waves.
    const pods = [1, 2, 3, 4].map((w) =>
      pod(`pod-${w}`, wave(w, w === 2 ? { 'argocd.argoproj.io/sync-options': 'PruneLast=true' } : {})),
    );
    const ns = namespace('ns', wave(0));
    expect(wavesByName(input([{ target: ns, live: ns }, ...pods.map((live) => ({ live }))]))).toEqual({
      ns: 0,
      'pod-1': 4,
      'pod-2': 5,
      'pod-3': 2,
      'pod-4': 1,
    });
    expect(
      wavesByName(input([{ target: ns, live: ns }, ...pods.map((live) => ({ live }))], { pruneLast: true })),
    ).toEqual({ ns: 0, 'pod-1': 5, 'pod-2': 5, 'pod-3': 5, 'pod-4': 5 });
  });

  it('hooks are not resource tasks: neither applied nor pruned (TestDoNotSyncOrPruneHooks)', () => {
    const { host, applied, pruned } = fakeHost();
    const pass = syncPass(
      input([
        { target: pod('do-not-create-me', { 'argocd.argoproj.io/hook': 'PreSync' }) },
        { live: pod('do-not-prune-me', { 'argocd.argoproj.io/hook': 'PreSync' }) },
      ]),
      host,
    );
    expect(pass).toMatchObject({ phase: 'Succeeded', results: [] });
    expect([...applied, ...pruned]).toEqual([]);
  });

  it('a Namespace the app holds is applied before what lives in it, whatever its wave (adjustDeps)', () => {
    const tasks = syncTasks(
      input([
        { target: pod('a', wave(-5)) },
        {
          target: {
            ...namespace('fake-argocd-ns'),
            metadata: { name: 'fake-argocd-ns', annotations: wave(3) },
          },
        },
      ]),
    );
    expect(tasks.map((t) => `${t.target?.kind}/${waveOf(t)}`)).toEqual(['Namespace/-5', 'Pod/-5']);
  });
});

describe('a sync pass (Sync)', () => {
  it('one wave: applies and prunes, Succeeded at once; applied tasks stay Running (TestSyncSuccessfully)', () => {
    const { host } = fakeHost();
    const service: KubeObject = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'my-service', namespace: 'fake-argocd-ns' },
    };
    const pass = syncPass(input([{ target: service }, { live: pod('my-pod') }]), host);
    expect(pass.phase).toBe('Succeeded');
    expect(pass.message).toBe('successfully synced (all tasks run)');
    expect(pass.results.map((r) => [r.kind, r.status, r.hookPhase, r.message])).toEqual([
      ['Pod', 'Pruned', 'Succeeded', 'pruned'],
      ['Service', 'Synced', 'Running', 'service/my-service created'],
    ]);
    expect(pass.ran).toEqual({ wave: 0, final: true });
  });

  it('a failed apply fails the operation with its message as the reason (TestSyncCreateFailure, TestSetOperationFailed)', () => {
    const { host } = fakeHost({ failing: new Set(['a', 'b']) });
    const pass = syncPass(input([{ target: pod('a') }, { target: pod('b') }, { target: pod('c') }]), host);
    expect(pass.phase).toBe('Failed');
    // The same reason twice is given once (TestSetOperationFailedDuplicatedMessages).
    expect(pass.message).toBe('one or more objects failed to apply, reason: foo');
    expect(pass.results.map((r) => [r.name, r.status, r.hookPhase])).toEqual([
      ['a', 'SyncFailed', 'Failed'],
      ['b', 'SyncFailed', 'Failed'],
      ['c', 'Synced', 'Running'],
    ]);
  });

  it('Prune=false is PruneSkipped "ignored (no prune)", and the sync still succeeds (TestDoNotPrunePruneFalse)', () => {
    const { host } = fakeHost();
    const first = syncPass(
      input([{ live: pod('pod', { 'argocd.argoproj.io/sync-options': 'Prune=false' }) }]),
      host,
    );
    expect(first).toMatchObject({
      phase: 'Succeeded',
      results: [{ status: 'PruneSkipped', message: 'ignored (no prune)' }],
    });
    const again = syncPass(
      input([{ live: pod('pod', { 'argocd.argoproj.io/sync-options': 'Prune=false' }) }], {
        results: first.results,
      }),
      host,
    );
    expect(again.phase).toBe('Succeeded');
  });

  it('prunes a wave at a time and waits for a pruned object still being deleted (TestWaitForCleanUpBeforeNextWave)', () => {
    const { host, pruned } = fakeHost();
    const [p1, p2, p3] = [1, 2, 3].map((w) => pod(`pod-${w}`, wave(w))) as [
      KubeObject,
      KubeObject,
      KubeObject,
    ];
    let pass = syncPass(input([{ live: p1 }, { live: p2 }, { live: p3 }]), host);
    expect(pass.phase).toBe('Running');
    expect(pruned).toEqual(['pod-3']);
    // pod-3 is gone; the next pass prunes pod-2.
    pass = syncPass(input([{ live: p1 }, { live: p2 }], { results: pass.results }), host);
    expect(pass.phase).toBe('Running');
    expect(pruned).toEqual(['pod-3', 'pod-2']);
    // pod-2 is still being deleted: the pass waits and prunes nothing.
    const deleting = { ...p2, metadata: { ...p2.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } };
    pass = syncPass(input([{ live: p1 }, { live: deleting }], { results: pass.results }), host);
    expect(pass).toMatchObject({ phase: 'Running', message: 'waiting for deletion of /Pod/pod-2' });
    expect(pruned).toEqual(['pod-3', 'pod-2']);
    // Gone: the last wave.
    pass = syncPass(input([{ live: p1 }], { results: pass.results }), host);
    expect(pass.phase).toBe('Succeeded');
    expect(pass.results.map((r) => [r.name, r.status])).toEqual([
      ['pod-3', 'Pruned'],
      ['pod-2', 'Pruned'],
      ['pod-1', 'Pruned'],
    ]);
  });

  it('with waves, the next wave waits until the earlier one is healthy; Degraded fails the sync (Sync, setRunningPhase)', () => {
    const health = new Map<string, HealthStatus>();
    const { host, applied } = fakeHost({ health });
    const objects = (live: boolean) =>
      ['a', 'b', 'c'].map((n) => {
        const target = pod(n, wave(n === 'c' ? 1 : 0));
        return live ? { target, live: target } : { target };
      });
    let pass = syncPass(input(objects(false)), host);
    expect(applied).toEqual(['a', 'b']);
    expect(pass).toMatchObject({ phase: 'Running', ran: { wave: 0, final: false } });
    // The remaining wave is named while it waits (Test_setRunningPhase_healthyState's wording).
    expect(pass.message).toBe('waiting for healthy state of /Pod/c');
    health.set('a', { status: 'Progressing', message: 'starting' });
    health.set('b', { status: 'Healthy', message: '' });
    pass = syncPass(input(objects(true), { results: pass.results }), host);
    expect(pass).toMatchObject({ phase: 'Running', message: 'waiting for healthy state of /Pod/a' });
    expect(pass.ran).toBeUndefined();
    expect(applied).toEqual(['a', 'b']);
    // Healthy: wave 1 runs, and being the last, the operation ends.
    health.set('a', { status: 'Healthy', message: 'ready' });
    pass = syncPass(input(objects(true), { results: pass.results }), host);
    expect(applied).toEqual(['a', 'b', 'c']);
    expect(pass).toMatchObject({ phase: 'Succeeded', ran: { wave: 1, final: true } });
    expect(pass.results.map((r) => [r.name, r.hookPhase, r.message])).toEqual([
      ['a', 'Succeeded', 'ready'],
      ['b', 'Succeeded', 'pod/b created'],
      ['c', 'Running', 'pod/c created'],
    ]);
    // A Degraded task of an earlier wave fails the sync instead.
    const { host: other } = fakeHost({ health: new Map([['a', { status: 'Degraded', message: 'crash' }]]) });
    const started = syncPass(input(objects(false)), other);
    const failed = syncPass(input(objects(true), { results: started.results }), other);
    expect(failed).toMatchObject({
      phase: 'Failed',
      message: 'one or more synchronization tasks completed unsuccessfully',
    });
  });

  it('ApplyOutOfSyncOnly leaves out live objects that are not modified, but not from the waves count (TestSync_ApplyOutOfSyncOnly)', () => {
    const { host, applied } = fakeHost();
    const p1 = pod('pod-1', wave(2));
    const p2 = pod('pod-2', wave(3));
    const p3 = pod('pod-3', wave(1));
    const modified = (t: KubeObject) => t.metadata?.name !== 'pod-3';
    let pass = syncPass(
      input([{ target: p1 }, { live: p2 }, { target: p3, live: p3 }], { applyOutOfSyncOnly: { modified } }),
      host,
    );
    expect(pass.phase).toBe('Running');
    expect(pass.results.map((r) => [r.name, r.status, r.hookPhase])).toEqual([
      ['pod-1', 'Synced', 'Running'],
    ]);
    // pod-1 has no live object yet: it is still running, so the pass waits.
    pass = syncPass(
      input([{ target: p1 }, { live: p2 }, { target: p3, live: p3 }], {
        applyOutOfSyncOnly: { modified },
        results: pass.results,
      }),
      host,
    );
    expect(pass.phase).toBe('Running');
    expect(pass.results).toHaveLength(1);
    expect(applied).toEqual(['pod-1']);
    // Without waves the unmodified one is simply skipped.
    const flat = syncPass(
      input([{ target: pod('x') }, { live: pod('y') }, { target: pod('z'), live: pod('z') }], {
        applyOutOfSyncOnly: { modified: (t) => t.metadata?.name !== 'z' },
      }),
      fakeHost().host,
    );
    expect(flat.phase).toBe('Succeeded');
    expect(flat.results.map((r) => r.name)).toEqual(['y', 'x']);
  });

  it('a live object with Prune=confirm holds its prune until the deletion is confirmed', () => {
    const { host, pruned } = fakeHost();
    const confirm = pod('keep-me', { 'argocd.argoproj.io/sync-options': 'Prune=confirm' });
    const held = syncPass(input([{ live: confirm }, { live: pod('other') }]), host);
    expect(held).toMatchObject({
      phase: 'Running',
      message: 'Waiting for pruning confirmation of v1/Pod/keep-me',
    });
    expect(pruned).toEqual([]);
    const done = syncPass(input([{ live: confirm }, { live: pod('other') }], { pruneConfirmed: true }), host);
    expect(done.phase).toBe('Succeeded');
    expect(pruned.sort()).toEqual(['keep-me', 'other']);
  });

  it('names how many more resources it waits for (Test_setRunningPhase_healthyState)', () => {
    const { host } = fakeHost({
      health: new Map(['a', 'b', 'c'].map((n) => [n, { status: 'Progressing' as const }])),
    });
    const objects = ['a', 'b', 'c', 'd'].map((n) => pod(n, wave(n === 'd' ? 1 : 0)));
    const started = syncPass(input(objects.map((target) => ({ target }))), host);
    const waiting = syncPass(
      input(
        objects.map((target) => ({ target, live: target })),
        { results: started.results },
      ),
      host,
    );
    expect(waiting.message).toBe('waiting for healthy state of /Pod/a and 2 more resources');
  });
});

describe('CreateNamespace=true (autoCreateNamespace, TestNamespaceAutoCreation*, TestSyncNamespaceCreatedBeforeDryRun*)', () => {
  const NS = 'fake-argocd-ns';
  const create = (live?: KubeObject) => ({ namespace: NS, createNamespace: live ? { live } : {} });
  const names = (tasks: ReturnType<typeof syncTasks>) =>
    tasks.map((t) => `${t.phase}/${(t.target ?? t.live)?.kind}/${(t.target ?? t.live)?.metadata?.name}`);

  it('a PreSync task creates the destination namespace when the cluster lacks it and the app does not hold it', () => {
    expect(names(syncTasks(input([{ target: pod('my-pod') }], create())))).toEqual([
      `PreSync/Namespace/${NS}`,
      'Sync/Pod/my-pod',
    ]);
    // The app holds the Namespace itself: no extra task.
    expect(names(syncTasks(input([{ target: namespace(NS) }], create())))).toEqual([`Sync/Namespace/${NS}`]);
    // The namespace exists (no managedNamespaceMetadata): left alone. Without the option: no task.
    expect(names(syncTasks(input([{ target: pod('my-pod') }], create(namespace(NS)))))).toEqual([
      'Sync/Pod/my-pod',
    ]);
    expect(names(syncTasks(input([{ target: pod('my-pod') }], { namespace: NS })))).toEqual([
      'Sync/Pod/my-pod',
    ]);
  });

  it('the first pass creates it before anything else and waits for it (TestSyncNamespaceCreatedBeforeDryRunWithoutFailure)', () => {
    const { host, applied } = fakeHost();
    const pass = syncPass(input([{ target: pod('my-pod') }], create()), host);
    expect(applied).toEqual([NS]);
    expect([pass.phase, pass.message]).toEqual(['Running', `waiting for healthy state of /Namespace/${NS}`]);
    expect(pass.results).toHaveLength(1);
    expect(pass.results[0]).toMatchObject({ kind: 'Namespace', status: 'Synced', syncPhase: 'PreSync' });
    // Next pass: the namespace is live, so there is no task for it any more; the pod is applied.
    const next = syncPass(
      input([{ target: pod('my-pod') }], { ...create(namespace(NS)), results: pass.results }),
      host,
    );
    expect(applied).toEqual([NS, 'my-pod']);
    expect(next.phase).toBe('Succeeded');
  });

  it('a namespace the API server refuses fails the operation at once', () => {
    const { host, applied } = fakeHost({ failing: new Set([NS]) });
    const pass = syncPass(input([{ target: pod('my-pod') }], create()), host);
    expect(applied).toEqual([]);
    expect([pass.phase, pass.message]).toEqual(['Failed', 'the namespace failed to apply, reason: foo']);
  });
});
