/**
 * Sync operations of the simulated Argo CD v3.1.12 as a user of the lab meets them, driven through the lab's Git
 * repository on the virtual clock: sync waves that wait for the earlier wave's health (gitops-engine sync_context.go
 * Sync), a sync that fails because a resource of an earlier wave degrades, retried with the app's retry strategy and
 * then left with a SyncError condition (controller/appcontroller.go processRequestedAppOperation, autoSync), and a
 * sync asked for by hand through the Application's `operation` field.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sleep } from '../../../src/lab/clock.js';
import { resourceHealth } from '../../../src/lab/sim/argo-health.js';
import { VirtualClock } from '../../../src/lab/sim/clock.js';
import { type SimLab, startSimLab } from '../../../src/lab/sim/lab.js';
import type { KubeObject } from '../../../src/lab/sim/store.js';
import { forceRefresh } from '../../support/argo-apps.js';
import { releaseInWaves, until } from '../../support/sim-releases.js';

let lab: SimLab | undefined;
afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

interface OperationState {
  phase: string;
  message: string;
  startedAt: string;
  finishedAt?: string;
  retryCount?: number;
  operation: {
    sync: { revision?: string; resources?: unknown[] };
    initiatedBy: Record<string, unknown>;
    retry?: unknown;
  };
  syncResult?: { revision: string; resources?: Array<Record<string, string>> };
}

const app = (l: SimLab) =>
  l.cluster.get('argoproj.io/v1alpha1', 'Application', 'docqa', 'argocd') as KubeObject & {
    operation?: unknown;
    status: { operationState?: OperationState; conditions?: Array<{ type: string; message: string }> };
  };
const op = (l: SimLab) => app(l).status.operationState;
const configMap = (l: SimLab) => l.cluster.get('v1', 'ConfigMap', 'docqa-config', 'docqa');
const rollout = (l: SimLab) =>
  l.cluster.get('argoproj.io/v1alpha1', 'Rollout', 'docqa', 'docqa') as KubeObject;
const appEvents = (l: SimLab, reason: string) =>
  l.cluster
    .list('v1', 'Event', 'argocd')
    .filter((e) => e.reason === reason && (e.involvedObject as { name?: string }).name === 'docqa')
    .map((e) => `${e.type} ${e.message}`);

describe('sync waves (docqa app)', { timeout: 300_000 }, () => {
  it('the next wave is applied only once the earlier wave is healthy; meanwhile the operation says what it waits for', async () => {
    const clock = new VirtualClock({ start: 0 });
    const l = await startSimLab({ clock });
    lab = l;
    // The ConfigMap's new data lands: how healthy was the Rollout (wave 0) at that moment?
    let rolloutHealthWhenApplied: string | undefined;
    l.cluster.onChange((e) => {
      if (
        e.resource.kind === 'ConfigMap' &&
        (e.object.data as Record<string, string> | undefined)?.DOCQA_MODE === 'extractive-v2' &&
        rolloutHealthWhenApplied === undefined
      )
        rolloutHealthWhenApplied = resourceHealth(rollout(l))?.status;
    });
    const commit = await releaseInWaves(l, { name: 'RELEASE', value: 'waves' });
    await until(clock, () => op(l)?.syncResult?.revision === commit && op(l)?.phase === 'Running', 30_000);
    // Wave 0 applied, the pass names what is left (setRunningPhase of the remaining tasks) ...
    expect(op(l)?.message).toBe('waiting for healthy state of /ConfigMap/docqa-config');
    // ... and the next pass what holds it: the canary runs (setWeight 25, a 30 s pause, the analysis...).
    await until(
      clock,
      () => op(l)?.message === 'waiting for healthy state of argoproj.io/Rollout/docqa',
      30_000,
    );
    expect(op(l)?.message).toBe('waiting for healthy state of argoproj.io/Rollout/docqa');
    expect(app(l).operation).toBeDefined();
    await sleep(clock, 20_000);
    expect(op(l)?.phase).toBe('Running');
    expect((configMap(l)?.data as Record<string, string> | undefined)?.DOCQA_MODE).toBe('extractive');
    await until(clock, () => op(l)?.phase !== 'Running', 900_000);
    expect(op(l)?.phase).toBe('Succeeded');
    expect(op(l)?.message).toBe('successfully synced (all tasks run)');
    expect(rolloutHealthWhenApplied).toBe('Healthy');
    expect((configMap(l)?.data as Record<string, string> | undefined)?.DOCQA_MODE).toBe('extractive-v2');
    // The operation is over: the app's `operation` is cleared.
    expect(app(l).operation).toBeUndefined();
    const results = op(l)?.syncResult?.resources ?? [];
    // Wave 0's tasks were judged healthy (Succeeded, with the health message); wave 1's is still Running.
    expect(results.find((r) => r.kind === 'Rollout')).toMatchObject({
      status: 'Synced',
      hookPhase: 'Succeeded',
    });
    expect(results.find((r) => r.kind === 'ConfigMap')).toMatchObject({
      status: 'Synced',
      hookPhase: 'Running',
      message: 'configmap/docqa-config configured',
    });
    expect(results.at(-1)?.kind).toBe('ConfigMap');
  });

  it('a degraded Rollout in an earlier wave fails the sync; it is retried with the app’s backoff, then a SyncError stops the auto-sync', async () => {
    const clock = new VirtualClock({ start: 0 });
    const l = await startSimLab({ clock });
    lab = l;
    // A canary whose answers are wrong: its analysis fails, the Rollout aborts and is Degraded.
    const commit = await releaseInWaves(l, { name: 'DOCQA_FAULTS', value: 'wrong-retrieval' });
    await until(clock, () => op(l)?.syncResult?.revision === commit, 30_000);
    await until(clock, () => (op(l)?.retryCount ?? 0) >= 1, 900_000);
    const first = op(l) as OperationState;
    expect(resourceHealth(rollout(l))?.status).toBe('Degraded');
    // The controller's own wording, whatever failed (processRequestedAppOperation), and the time in Go's Kitchen layout.
    expect(first.phase).toBe('Running');
    expect(first.message).toMatch(
      /^one or more synchronization tasks completed unsuccessfully due to application controller sync timeout\. Retrying attempt #1 at \d{1,2}:\d{2}(AM|PM)\.$/,
    );
    expect(first.finishedAt).toBeDefined();
    expect(first.operation.retry).toEqual({
      limit: 5,
      backoff: { duration: '10s', factor: 2, maxDuration: '2m' },
    });
    // The first retry starts 10 s × 2^1 after the failure (NextRetryAt with the count already raised).
    const failedAt = Date.parse(first.finishedAt as string);
    await until(clock, () => op(l)?.finishedAt === undefined, 60_000);
    expect(clock.now() - failedAt).toBeGreaterThanOrEqual(20_000);
    expect(clock.now() - failedAt).toBeLessThanOrEqual(21_000);
    // Five retries (20, 40, 80, 120, 120 s apart), then Failed for good.
    await until(clock, () => op(l)?.phase === 'Failed', 900_000);
    expect(op(l)?.retryCount).toBe(5);
    expect(op(l)?.message).toBe(
      'one or more synchronization tasks completed unsuccessfully (retried 5 times).',
    );
    expect(app(l).operation).toBeUndefined();
    expect(appEvents(l, 'OperationCompleted').at(-1)).toBe(
      `Warning Sync operation to ${commit} failed: one or more synchronization tasks completed unsuccessfully (retried 5 times).`,
    );
    // The ConfigMap of wave 1 was never applied.
    expect(configMap(l)?.metadata?.annotations?.['argocd.argoproj.io/sync-wave']).toBeUndefined();
    // autoSync does not try this revision again: a SyncError condition says why.
    await sleep(clock, 10_000);
    expect(app(l).status.conditions).toContainEqual(
      expect.objectContaining({
        type: 'SyncError',
        message: `Failed sync attempt to ${commit}: one or more synchronization tasks completed unsuccessfully (retried 5 times).`,
      }),
    );
    expect(app(l).operation).toBeUndefined();
    expect(op(l)?.phase).toBe('Failed');
  });
});

describe('terminating an operation', { timeout: 300_000 }, () => {
  it('a sync waiting on its waves, terminated (as `argocd app terminate-op` does), fails at once without retries', async () => {
    const clock = new VirtualClock({ start: 0 });
    const l = await startSimLab({ clock });
    lab = l;
    const commit = await releaseInWaves(l, { name: 'RELEASE', value: 'stopped' });
    await until(
      clock,
      () => op(l)?.message === 'waiting for healthy state of argoproj.io/Rollout/docqa',
      60_000,
    );
    // The API server's TerminateOperation sets the phase; the controller's next pass stops the sync.
    l.cluster.update('argoproj.io/v1alpha1', 'Application', 'docqa', 'argocd', (o) => {
      const status = o.status as { operationState: OperationState };
      status.operationState = { ...status.operationState, phase: 'Terminating' };
    });
    await until(clock, () => op(l)?.phase !== 'Terminating', 10_000);
    expect(op(l)).toMatchObject({ phase: 'Failed', message: 'Operation terminated' });
    expect(op(l)?.retryCount).toBeUndefined();
    expect(app(l).operation).toBeUndefined();
    await sleep(clock, 5_000);
    expect(app(l).status.conditions).toContainEqual(
      expect.objectContaining({
        type: 'SyncError',
        message: `Failed sync attempt to ${commit}: Operation terminated`,
      }),
    );
    // Wave 1 never ran.
    expect((configMap(l)?.data as Record<string, string> | undefined)?.DOCQA_MODE).toBe('extractive');
  });
});

describe('a sync asked for by hand (the Application’s operation field)', { timeout: 120_000 }, () => {
  it('syncs only the resources it names, records who asked, and clears the operation when done', async () => {
    const clock = new VirtualClock({ start: 0 });
    const l = await startSimLab({ clock });
    lab = l;
    const started = appEvents(l, 'OperationStarted').length;
    // As `kubectl patch application docqa -n argocd --type merge -p '{"operation": ...}'` writes it.
    l.cluster.update('argoproj.io/v1alpha1', 'Application', 'docqa', 'argocd', (o) => {
      (o as { operation?: unknown }).operation = {
        initiatedBy: { username: 'admin' },
        sync: { revision: 'HEAD', resources: [{ kind: 'ConfigMap', name: 'docqa-config' }] },
      };
    });
    await until(clock, () => op(l)?.operation?.initiatedBy?.username === 'admin', 10_000);
    await until(clock, () => op(l)?.phase === 'Succeeded', 30_000);
    const state = op(l) as OperationState;
    // HEAD resolved to the commit the app is at.
    expect(state.syncResult?.revision).toBe(l.source.head.sha);
    expect(state.syncResult?.resources?.map((r) => `${r.kind}/${r.name} ${r.status}`)).toEqual([
      'ConfigMap/docqa-config Synced',
    ]);
    expect(app(l).operation).toBeUndefined();
    // The controller logs no OperationStarted for a sync it did not start itself; it logs the completion.
    expect(appEvents(l, 'OperationStarted')).toHaveLength(started);
    expect(appEvents(l, 'OperationCompleted').at(-1)).toBe(
      `Normal Partial sync operation to ${l.source.head.sha} succeeded`,
    );
  });
});

describe('after a sync', { timeout: 120_000 }, () => {
  it('a completed sync has the app compared with the latest revision at once, resolved anew (CompareWithLatestForceResolve)', async () => {
    const clock = new VirtualClock({ start: 0 });
    const l = await startSimLab({ clock });
    lab = l;
    const known = l.source.head.sha;
    // A commit nobody tells Argo CD about (no refresh, no webhook): the next poll would see it in 2-3 minutes.
    const { commit } = await l.repo.change(
      [{ file: 'workloads/docqa/configmap.yaml', set: { 'data.DOCQA_FAULTS': 'slow' } }],
      'test: a new revision, unannounced',
    );
    // A drift: self-heal syncs the known revision, and its completion asks for the latest one.
    l.cluster.update('v1', 'ConfigMap', 'docqa-config', 'docqa', (o) => {
      (o.data as Record<string, string>).DOCQA_MODE = 'edited';
    });
    await until(clock, () => op(l)?.syncResult?.revision === known && op(l)?.phase === 'Succeeded', 10_000);
    const healed = clock.now();
    await until(clock, () => op(l)?.syncResult?.revision === commit && op(l)?.phase === 'Succeeded', 30_000);
    expect(clock.now() - healed).toBeLessThan(10_000);
    expect((configMap(l)?.data as Record<string, string> | undefined)?.DOCQA_FAULTS).toBe('slow');
  });
});

describe('status.history (persistRevisionHistory)', { timeout: 300_000 }, () => {
  interface History {
    revision: string;
    deployedAt: string;
    id: number;
    source?: { path?: string };
    deployStartedAt: string;
    initiatedBy: Record<string, unknown>;
  }
  const history = (l: SimLab) => (app(l).status as { history?: History[] }).history ?? [];

  it('records each successful sync of the whole app, not a self-heal of some resources; keeps revisionHistoryLimit entries', async () => {
    const clock = new VirtualClock({ start: 0 });
    const l = await startSimLab({ clock });
    lab = l;
    // The lab comes up deployed once.
    expect(history(l)).toEqual([
      expect.objectContaining({ id: 0, revision: l.source.head.sha, initiatedBy: { automated: true } }),
    ]);
    // A drift healed: a partial sync, not recorded.
    l.cluster.update('v1', 'ConfigMap', 'docqa-config', 'docqa', (o) => {
      (o.data as Record<string, string>).DOCQA_MODE = 'edited';
    });
    await until(
      clock,
      () => op(l)?.operation.sync.resources !== undefined && op(l)?.phase === 'Succeeded',
      10_000,
    );
    expect(history(l)).toHaveLength(1);
    // A new commit: a whole sync, recorded with its source, start and end.
    const { commit } = await l.repo.change(
      [{ file: 'workloads/docqa/configmap.yaml', set: { 'data.DOCQA_FAULTS': 'slow' } }],
      'test: a new revision',
    );
    forceRefresh(l, 'docqa');
    await until(clock, () => op(l)?.syncResult?.revision === commit && op(l)?.phase === 'Succeeded', 30_000);
    const last = history(l).at(-1) as History;
    expect(last).toMatchObject({ id: 1, revision: commit, initiatedBy: { automated: true } });
    expect(last.source?.path).toBe('workloads/docqa');
    expect(last.deployStartedAt).toBe(op(l)?.startedAt);
    expect(Date.parse(last.deployedAt)).toBeGreaterThanOrEqual(Date.parse(last.deployStartedAt));
    // With spec.revisionHistoryLimit 1 only the newest entry is kept (RevisionHistories.Trunc).
    l.cluster.update('argoproj.io/v1alpha1', 'Application', 'docqa', 'argocd', (o) => {
      (o.spec as { revisionHistoryLimit?: number }).revisionHistoryLimit = 1;
      (o as { operation?: unknown }).operation = {
        sync: { revision: 'HEAD' },
        initiatedBy: { username: 'admin' },
      };
    });
    await until(clock, () => history(l).length === 1, 30_000);
    expect(history(l)).toEqual([expect.objectContaining({ id: 2, initiatedBy: { username: 'admin' } })]);
  });
});
