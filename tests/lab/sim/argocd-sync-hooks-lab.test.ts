/**
 * Argo CD hooks in the simulated lab, driven through its Git repository on the virtual clock (argocd.ts with
 * argocd-sync.ts: gitops-engine sync_context.go at e48120133eec). The docqa app's ConfigMap is made a PreSync hook:
 * the sync deletes the live one (BeforeHookCreation), creates it again with the hook finalizer, takes the finalizer
 * off once it has completed, and only then applies the Sync phase. A hook is not a managed resource: it has no sync
 * status and is never pruned.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/lab/sim/clock.js';
import { type SimLab, startSimLab } from '../../../src/lab/sim/lab.js';
import { runSecondsAnnotation } from '../../../src/lab/sim/lab-containers.js';
import type { StoredEvent } from '../../../src/lab/sim/store.js';
import { appView } from '../../support/argo-apps.js';
import { docqaWith } from '../../support/docqa-extra.js';
import { refresh, until } from '../../support/sim-releases.js';

let lab: SimLab | undefined;
let remove: (() => void) | undefined;
afterEach(async () => {
  await lab?.close();
  lab = undefined;
  remove?.();
  remove = undefined;
});

const app = (l: SimLab) => appView(l);
const op = (l: SimLab) => app(l).status.operationState;

describe('sync hooks (docqa app)', { timeout: 300_000 }, () => {
  it('a PreSync hook is recreated and completes before the Sync phase is applied', async () => {
    const clock = new VirtualClock({ start: 0 });
    const l = await startSimLab({ clock });
    lab = l;
    const seen: string[] = [];
    l.cluster.onChange((e: StoredEvent) => {
      const name = e.object.metadata?.name;
      if (e.resource.kind === 'ConfigMap' && name === 'docqa-config') seen.push(`${e.type} ConfigMap`);
      if (e.resource.kind === 'Rollout' && name === 'docqa' && e.type === 'MODIFIED') {
        const env = (e.object.spec as { template?: { spec?: { containers?: Array<{ env?: unknown[] }> } } })
          .template?.spec?.containers?.[0]?.env;
        if (JSON.stringify(env).includes('hooked') && !seen.includes('Rollout applied'))
          seen.push('Rollout applied');
      }
    });
    const { commit } = await l.repo.change(
      [
        {
          file: 'workloads/docqa/configmap.yaml',
          set: { 'metadata.annotations': { 'argocd.argoproj.io/hook': 'PreSync' } },
        },
        {
          file: 'workloads/docqa/rollout.yaml',
          set: { 'spec.template.spec.containers[0].env[1]': { name: 'RELEASE', value: 'hooked' } },
        },
      ],
      'test: the settings become a PreSync hook',
    );
    refresh(l);
    await until(clock, () => op(l)?.syncResult?.revision === commit && op(l)?.phase !== 'Running', 600_000);
    expect([op(l)?.phase, op(l)?.message]).toEqual(['Succeeded', 'successfully synced (all tasks run)']);
    // The live ConfigMap went first (BeforeHookCreation: a foreground deletion, marked and then removed), came back
    // as the hook with its finalizer, lost the finalizer once complete, and only then was the Rollout applied.
    expect(seen).toEqual([
      'MODIFIED ConfigMap',
      'DELETED ConfigMap',
      'ADDED ConfigMap',
      'MODIFIED ConfigMap',
      'Rollout applied',
    ]);
    expect(seen.indexOf('Rollout applied')).toBeGreaterThan(seen.indexOf('ADDED ConfigMap'));
    const hookResult = op(l)?.syncResult?.resources?.find((r) => r.kind === 'ConfigMap');
    expect(hookResult).toEqual({
      group: '',
      version: 'v1',
      kind: 'ConfigMap',
      namespace: 'docqa',
      name: 'docqa-config',
      message: 'docqa-config created',
      hookType: 'PreSync',
      hookPhase: 'Succeeded',
      syncPhase: 'PreSync',
    });
    // Its finalizer is off again; it is listed as a hook, with no sync status, and the app is Synced.
    const configMap = l.cluster.get('v1', 'ConfigMap', 'docqa-config', 'docqa');
    expect(configMap?.metadata?.finalizers ?? []).not.toContain('argocd.argoproj.io/hook-finalizer');
    const entry = app(l).status.resources?.find((r) => r.kind === 'ConfigMap');
    expect(entry?.hook).toBe(true);
    expect(entry).not.toHaveProperty('status');
    await until(clock, () => app(l).status.sync?.status === 'Synced', 60_000);
    expect(app(l).status.sync?.status).toBe('Synced');
  });

  it('a PreSync hook Job (generateName, HookSucceeded) runs to completion first, then the release; then it is deleted', async () => {
    const extra = docqaWith({
      'migrate.yaml': {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: {
          generateName: 'db-migrate-',
          annotations: {
            'argocd.argoproj.io/hook': 'PreSync',
            'argocd.argoproj.io/hook-delete-policy': 'HookSucceeded',
          },
        },
        spec: {
          template: {
            metadata: { annotations: { [runSecondsAnnotation]: '30' } },
            spec: { restartPolicy: 'Never', containers: [{ name: 'migrate', image: 'busybox:1.36' }] },
          },
        },
      },
    });
    remove = extra.remove;
    const clock = new VirtualClock({ start: 0 });
    const l = await startSimLab({ clock, repo: extra.repo, source: extra.repo, images: ['busybox:1.36'] });
    lab = l;
    // The lab starts as synced: its hook ran then and is not live now.
    const jobs = () => l.cluster.list('batch/v1', 'Job', 'docqa');
    expect(jobs()).toEqual([]);
    const env = () =>
      JSON.stringify(l.cluster.get('argoproj.io/v1alpha1', 'Rollout', 'docqa', 'docqa')?.spec ?? {});
    const { commit = '' } = await l.repo.change(
      [
        {
          file: 'workloads/docqa/rollout.yaml',
          set: { 'spec.template.spec.containers[0].env[1]': { name: 'RELEASE', value: 'after-migration' } },
        },
      ],
      'test: a release after a migration',
    );
    refresh(l);
    // The pass that creates it names what is left, counted as hooks since a hook comes first ("... and 7 more
    // hooks", setRunningPhase); the next pass waits for the running hook alone.
    await until(clock, () => /^waiting for completion of hook \S+$/.test(op(l)?.message ?? ''), 120_000);
    const [job] = jobs();
    const started = Math.floor(Date.parse(String(app(l).status.operationState?.startedAt)) / 1000);
    // gitops-engine's name for a hook with only a generateName: the revision's first 7, the phase, the start.
    expect(job?.metadata?.name).toBe(`db-migrate-${commit.slice(0, 7)}-presync-${started}`);
    expect(op(l)?.message).toBe(`waiting for completion of hook batch/Job/${job?.metadata?.name}`);
    expect(job?.metadata?.finalizers).toContain('argocd.argoproj.io/hook-finalizer');
    expect(env()).not.toContain('after-migration');
    await until(clock, () => op(l)?.phase !== 'Running', 300_000);
    expect([op(l)?.phase, op(l)?.message]).toEqual(['Succeeded', 'successfully synced (all tasks run)']);
    expect(env()).toContain('after-migration');
    expect(op(l)?.syncResult?.resources?.find((r) => r.kind === 'Job')).toMatchObject({
      name: job?.metadata?.name,
      hookType: 'PreSync',
      hookPhase: 'Succeeded',
      syncPhase: 'PreSync',
    });
    // HookSucceeded: the Job goes once the sync has succeeded (in the foreground, its pod first).
    await until(clock, () => jobs().length === 0, 120_000);
    expect(jobs()).toEqual([]);
  });
});
