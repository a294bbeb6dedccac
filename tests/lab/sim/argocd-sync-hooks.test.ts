/**
 * Hooks in one pass of the simulated Argo CD sync (src/lab/sim/argocd-sync.ts), checked against gitops-engine's own
 * tests at the commit Argo CD v3.1.12 pins (e48120133eec): pkg/sync/sync_context_test.go TestUnnamedHooksGetUniqueNames,
 * TestDeDupingTasks, TestSyncFailureHookWithSuccessfulSync, TestSyncFailureHookWithFailedSync, TestBeforeHookCreation,
 * TestRunSyncFailHooksFailed, TestRunSync_HooksNotDeletedIfPhaseNotCompleted, TestRunSync_HooksDeletedAfterPhaseCompleted,
 * TestRunSync_HooksDeletedAfterPhaseCompletedFailed, Test_setRunningPhase_runningHooks; pkg/sync/sync_task_test.go;
 * pkg/sync/hook/delete_policy_test.go. Their inputs and asserted outcomes are the facts used here.
 */
import { describe, expect, it } from 'vitest';
import type { HealthStatus } from '../../../src/lab/sim/argo-health.js';
import { deletePolicies, hookTypes, syncPhases } from '../../../src/lab/sim/argocd-hooks.js';
import type { ResourceResult } from '../../../src/lab/sim/argocd-prune.js';
import {
  hookName,
  type SyncPassInput,
  syncPass,
  syncTasks,
  terminatePass,
} from '../../../src/lab/sim/argocd-sync.js';
import type { KubeObject } from '../../../src/lab/sim/store.js';
import { fakeSyncHost } from '../../support/fake-sync-host.js';

const NS = 'fake-argocd-ns';
const FINALIZER = 'argocd.argoproj.io/hook-finalizer';

function pod(name = 'my-pod', annotations: Record<string, string> = {}, finalizers?: string[]): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, annotations, ...(finalizers ? { finalizers } : {}) },
  };
}
const hook = (type: string, name = 'my-pod', more: Record<string, string> = {}) =>
  pod(name, { 'argocd.argoproj.io/hook': type, ...more });
const live = (o: KubeObject): KubeObject => ({
  ...structuredClone(o),
  metadata: { ...o.metadata, finalizers: [FINALIZER] },
});

const input = (more: Partial<SyncPassInput>): SyncPassInput => ({
  resources: [],
  results: [],
  pruneLast: false,
  pruneConfirmed: false,
  revision: 'FooBarBaz',
  startedAtMs: 1_700_000_000_000,
  namespace: NS,
  ...more,
});
const result = (o: KubeObject, syncPhase: string, hookPhase: string): ResourceResult => ({
  group: '',
  version: 'v1',
  kind: o.kind ?? '',
  namespace: o.metadata?.namespace ?? '',
  name: o.metadata?.name ?? '',
  hookPhase,
  syncPhase,
});
const health = (entries: Record<string, HealthStatus['status']>) =>
  new Map(Object.entries(entries).map(([name, status]) => [name, { status, message: 'test' }]));

describe('hook annotations: delete policies and phases', () => {
  it('BeforeHookCreation unless a valid policy is named; Helm’s names map to Argo CD’s (TestDeletePolicies)', () => {
    const policy = (key: string, value: string) => deletePolicies(pod('p', { [key]: value }));
    expect(deletePolicies(pod())).toEqual(['BeforeHookCreation']);
    expect(policy('argocd.argoproj.io/hook-delete-policy', 'garbage')).toEqual(['BeforeHookCreation']);
    expect(policy('argocd.argoproj.io/hook-delete-policy', 'HookSucceeded')).toEqual(['HookSucceeded']);
    expect(policy('argocd.argoproj.io/hook-delete-policy', 'HookFailed')).toEqual(['HookFailed']);
    expect(policy('helm.sh/hook-delete-policy', 'hook-succeeded')).toEqual(['HookSucceeded']);
  });
  it('Helm hooks run in the phase their type maps to; an Argo CD type wins over Helm’s (helm/type.go)', () => {
    expect(hookTypes(pod('p', { 'helm.sh/hook': 'pre-install,pre-upgrade' }))).toEqual(['PreSync']);
    expect(hookTypes(pod('p', { 'helm.sh/hook': 'post-install' }))).toEqual(['PostSync']);
    expect(
      hookTypes(pod('p', { 'helm.sh/hook': 'post-install', 'argocd.argoproj.io/hook': 'Sync' })),
    ).toEqual(['Sync']);
    expect(syncPhases(pod())).toEqual(['Sync']);
    expect(syncPhases(hook('Skip'))).toEqual([]);
    expect(syncPhases(hook('PreSync,PostSync'))).toEqual(['PreSync', 'PostSync']);
  });
});

describe('hook tasks (getSyncTasks)', () => {
  it('a hook with no name gets the revision’s first 7 characters, the phase and the start (TestUnnamedHooksGetUniqueNames)', () => {
    const unnamed = hook('PreSync,PostSync', '');
    const tasks = syncTasks(input({ hooks: [unnamed] }));
    expect(tasks.map((t) => t.target?.metadata?.name)).toEqual([
      'foobarb-presync-1700000000',
      'foobarb-postsync-1700000000',
    ]);
    expect(unnamed.metadata?.name).toBe('');
    expect(hookName('', 'foobar', 'PreSync', 0)).toBe('foobar-presync-0');
    expect(hookName('db-migrate-', 'FooBarBaz', 'PostSync', 1_700_000_000_999)).toBe(
      'db-migrate-foobarb-postsync-1700000000',
    );
  });
  it('hooks carry the hook finalizer and the app’s namespace; a hook among the resources is one task (TestDeDupingTasks)', () => {
    const h = hook('Sync');
    delete h.metadata?.namespace;
    const tasks = syncTasks(input({ resources: [{ target: h }], hooks: [h] }));
    expect(tasks).toHaveLength(1);
    expect(tasks[0]?.target?.metadata?.finalizers).toEqual([FINALIZER]);
    expect(tasks[0]?.target?.metadata?.namespace).toBe(NS);
  });
  it('phases order the tasks before waves: PreSync, Sync, PostSync, SyncFail', () => {
    const tasks = syncTasks(
      input({
        resources: [{ target: pod('app', { 'argocd.argoproj.io/sync-wave': '-5' }) }],
        hooks: [
          hook('PostSync', 'post'),
          hook('SyncFail', 'fail'),
          hook('PreSync', 'pre', { 'argocd.argoproj.io/sync-wave': '3' }),
        ],
      }),
    );
    expect(tasks.map((t) => `${t.phase}/${t.target?.metadata?.name}`)).toEqual([
      'PreSync/pre',
      'Sync/app',
      'PostSync/post',
      'SyncFail/fail',
    ]);
  });
});

describe('a sync with hooks (Sync)', () => {
  it('a SyncFail hook does not run when the sync succeeds (TestSyncFailureHookWithSuccessfulSync)', () => {
    const { host, applied } = fakeSyncHost();
    const pass = syncPass(
      input({ resources: [{ target: pod() }], hooks: [hook('SyncFail', 'on-fail')] }),
      host,
    );
    expect(pass.phase).toBe('Succeeded');
    expect(pass.results).toHaveLength(1);
    expect(applied).toEqual(['my-pod']);
  });

  it('a failed sync runs its SyncFail hooks; one that fails to apply fails the operation at once (TestSyncFailureHookWithFailedSync)', () => {
    // As upstream's test: the SyncFail hook has the pod's name, and every apply of that name fails. (Upstream's first
    // pass fails in its dry run, which the sim does not model; the outcome is the same.)
    const { host } = fakeSyncHost({ failing: new Set(['my-pod']) });
    const pass = syncPass(input({ resources: [{ target: pod() }], hooks: [hook('SyncFail')] }), host);
    expect(pass.phase).toBe('Failed');
    expect(pass.results).toHaveLength(2);
    expect(pass.message).toBe(
      'one or more objects failed to apply, reason: foo\none or more SyncFail hooks failed, reason: foo',
    );
  });

  it('a SyncFail hook that starts holds the failure until it completes', () => {
    const onFail = hook('SyncFail', 'on-fail');
    const { host, applied } = fakeSyncHost({ failing: new Set(['my-pod']) });
    const base = input({ resources: [{ target: pod() }], hooks: [onFail] });
    const first = syncPass(base, host);
    expect(applied).toEqual(['on-fail']);
    expect([first.phase, first.message]).toEqual(['Running', 'one or more tasks are running']);
    const next = (status: HealthStatus['status']) =>
      syncPass(
        {
          ...base,
          resources: [{ target: pod() }, { live: live(onFail) }],
          results: first.results,
          initial: first,
        },
        fakeSyncHost({ health: health({ 'on-fail': status }) }).host,
      );
    expect(next('Progressing').message).toBe('waiting for completion of hook /Pod/on-fail');
    const done = next('Healthy');
    expect([done.phase, done.message]).toEqual([
      'Failed',
      'one or more synchronization tasks completed unsuccessfully, reason: foo',
    ]);
  });

  it('SyncFail hooks all run even when one fails to apply (TestRunSyncFailHooksFailed)', () => {
    const { host } = fakeSyncHost({ failing: new Set(['my-pod', 'failed-sync-fail-hook']) });
    const pass = syncPass(
      input({
        resources: [{ target: pod() }],
        hooks: [hook('SyncFail', 'successful-sync-fail-hook'), hook('SyncFail', 'failed-sync-fail-hook')],
      }),
      host,
    );
    expect(pass.phase).toBe('Failed');
    expect(pass.results[1]).toMatchObject({
      name: 'failed-sync-fail-hook',
      status: 'SyncFailed',
      hookPhase: 'Failed',
    });
    expect(pass.results[2]).toMatchObject({
      name: 'successful-sync-fail-hook',
      status: 'Synced',
      hookPhase: 'Running',
    });
  });

  it('a live hook is deleted before it is created again, and the sync waits for its completion (TestBeforeHookCreation)', () => {
    const h = hook('Sync', 'my-pod', { 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation' });
    const { host, applied } = fakeSyncHost({ gone: new Set(['my-pod']) });
    const pass = syncPass(input({ resources: [{ live: live(h) }], hooks: [h] }), host);
    expect(pass.results).toHaveLength(1);
    expect(applied).toEqual(['my-pod']);
    expect(pass.message).toBe('waiting for completion of hook /Pod/my-pod');
  });

  it('a live hook still there after its delete holds the wave until it is gone', () => {
    const h = hook('PreSync', 'migrate');
    const { host, applied, deleted, unfinalized } = fakeSyncHost();
    const base = input({ resources: [{ live: live(h) }, { target: pod('app') }], hooks: [h] });
    const pass = syncPass(base, host);
    expect([unfinalized, deleted, applied]).toEqual([['migrate'], ['migrate'], []]);
    expect(pass.phase).toBe('Running');
    expect(pass.message).toBe('one or more tasks are running');
  });

  it('completed hooks are neither unfinalized nor deleted while another hook of the phase runs (TestRunSync_HooksNotDeletedIfPhaseNotCompleted)', () => {
    const policy = { 'argocd.argoproj.io/hook-delete-policy': 'HookSucceeded' };
    const done = hook('PreSync', 'completed-hook', policy);
    const inProgress = hook('PreSync', 'in-progress-hook', policy);
    const { host, deleted, unfinalized } = fakeSyncHost({
      health: health({ 'in-progress-hook': 'Progressing' }),
    });
    const pass = syncPass(
      input({
        resources: [{ live: live(done) }, { live: live(inProgress) }],
        hooks: [done, inProgress],
        results: [result(done, 'PreSync', 'Succeeded'), result(inProgress, 'PreSync', 'Running')],
      }),
      host,
    );
    expect(pass.phase).toBe('Running');
    expect(pass.message).toBe('waiting for completion of hook /Pod/in-progress-hook');
    expect([unfinalized, deleted]).toEqual([[], []]);
  });

  it.each([
    {
      // TestRunSync_HooksDeletedAfterPhaseCompleted
      policy: 'HookSucceeded',
      phase: 'PreSync',
      hookPhases: ['Succeeded', 'Succeeded'],
      operation: 'Succeeded',
    },
    {
      // TestRunSync_HooksDeletedAfterPhaseCompletedFailed
      policy: 'HookFailed',
      phase: 'Sync',
      hookPhases: ['Succeeded', 'Failed'],
      operation: 'Failed',
    },
  ])(
    '$policy hooks are unfinalized and deleted once the sync ends $operation',
    ({ policy, phase, hookPhases, operation }) => {
      const annotations = { 'argocd.argoproj.io/hook-delete-policy': policy };
      const hooks = [
        hook(phase, 'completed-hook1', annotations),
        hook(phase, 'completed-hook2', annotations),
      ];
      const { host, deleted, unfinalized } = fakeSyncHost();
      const pass = syncPass(
        input({
          resources: hooks.map((h) => ({ live: live(h) })),
          hooks,
          results: hooks.map((h, i) => result(h, phase, hookPhases[i] as string)),
        }),
        host,
      );
      expect(pass.phase).toBe(operation);
      expect([unfinalized.length, deleted.length]).toEqual([2, 2]);
    },
  );

  it('PreSync hook, then the resources, then the PostSync hook: each phase waits for the one before', () => {
    const pre = hook('PreSync', 'migrate', { 'argocd.argoproj.io/hook-delete-policy': 'HookSucceeded' });
    const post = hook('PostSync', 'smoke');
    const status = new Map<string, HealthStatus>();
    const { host, applied, deleted } = fakeSyncHost({ health: status });
    let state = input({ resources: [{ target: pod('app') }], hooks: [pre, post] });
    const pass = () => {
      // The cluster's objects as the next pass sees them: what was applied is live.
      const made = new Set(applied);
      const liveOf = (o: KubeObject) => (made.has(o.metadata?.name ?? '') ? live(o) : undefined);
      const resources = [{ target: pod('app'), ...(liveOf(pod('app')) ? { live: liveOf(pod('app')) } : {}) }];
      for (const h of [pre, post]) {
        const l = liveOf(h);
        if (l && !deleted.includes(h.metadata?.name ?? '')) resources.push({ live: l } as never);
      }
      const out = syncPass({ ...state, resources }, host);
      state = { ...state, results: out.results, initial: out };
      return out;
    };
    // setRunningPhase names the first task left and counts the others as hooks, since the first is one.
    expect(pass().message).toBe('waiting for completion of hook /Pod/migrate and 2 more hooks');
    expect(applied).toEqual(['migrate']);
    status.set('migrate', { status: 'Progressing', message: 'running' });
    expect(pass().message).toBe('waiting for completion of hook /Pod/migrate');
    status.set('migrate', { status: 'Healthy', message: 'done' });
    status.set('app', { status: 'Progressing', message: '' });
    // The Sync phase's wave is applied; what is named is what comes after it.
    expect(pass().message).toBe('waiting for completion of hook /Pod/smoke');
    expect(applied).toEqual(['migrate', 'app']);
    expect(pass().message).toBe('waiting for healthy state of /Pod/app');
    status.set('app', { status: 'Healthy', message: '' });
    expect(pass().message).toBe('waiting for completion of hook /Pod/smoke');
    expect(applied).toEqual(['migrate', 'app', 'smoke']);
    status.set('smoke', { status: 'Degraded', message: 'exit code 1' });
    const last = pass();
    // The PostSync hook failed: so does the sync, and the HookSucceeded hook stays.
    expect(last.phase).toBe('Failed');
    expect(last.message).toBe('one or more synchronization tasks completed unsuccessfully');
    expect(deleted).toEqual([]);
    expect(last.results.find((r) => r.name === 'smoke')).toMatchObject({
      hookType: 'PostSync',
      hookPhase: 'Failed',
      syncPhase: 'PostSync',
      message: 'exit code 1',
    });
    expect(last.results.find((r) => r.name === 'smoke')).not.toHaveProperty('status');
  });
});

describe('terminating an operation (Terminate)', () => {
  it('a running hook is deleted and the operation fails: "Operation terminated"', () => {
    const h = hook('PreSync', 'migrate');
    const { host, deleted, unfinalized } = fakeSyncHost({ health: health({ migrate: 'Progressing' }) });
    const pass = terminatePass(
      input({ resources: [{ live: live(h) }], hooks: [h], results: [result(h, 'PreSync', 'Running')] }),
      host,
    );
    expect([pass.phase, pass.message]).toEqual(['Failed', 'Operation terminated']);
    expect([unfinalized, deleted]).toEqual([['migrate'], ['migrate']]);
    expect(pass.results[0]).toMatchObject({ hookPhase: 'Succeeded', message: 'Deleted' });
  });
});
