/**
 * What the simulated Argo CD v3.1.12 records of its automated syncs (controller/appcontroller.go autoSync,
 * alreadyAttemptedSync, shouldSelfHeal): the operation's self-heal attempt count, serialized as
 * `autoHealAttemptsCount` and left out at 0 (pkg/apis/application/v1alpha1/types.go), and the source each sync used
 * (`syncResult.source`). Driven by hand edits and Git changes, on the virtual clock.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sleep } from '../../../src/lab/clock.js';
import { VirtualClock } from '../../../src/lab/sim/clock.js';
import { type SimLab, startSimLab } from '../../../src/lab/sim/lab.js';

let lab: SimLab | undefined;
afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

interface Operation {
  phase: string;
  operation: { sync: Record<string, unknown> };
  syncResult: { revision: string; source?: unknown };
}

const app = (l: SimLab) =>
  l.cluster.get('argoproj.io/v1alpha1', 'Application', 'docqa', 'argocd') as {
    spec: { source: unknown };
    status: { sync: { status: string }; operationState?: Operation };
  };
const note = (l: SimLab) =>
  l.cluster.get('v1', 'ConfigMap', 'docqa-config', 'docqa')?.data as Record<string, string>;
const drift = (l: SimLab, value: string) =>
  l.cluster.update('v1', 'ConfigMap', 'docqa-config', 'docqa', (o) => {
    o.data = { ...(o.data as Record<string, string>), DOCQA_MODE: value };
  });

describe('the simulated Argo CD’s automated syncs', { timeout: 120_000 }, () => {
  it('counts self-heal attempts in autoHealAttemptsCount, and a sync of a new revision starts over at 0', async () => {
    const clock = new VirtualClock({ start: 0 });
    const l = await startSimLab({ clock });
    lab = l;
    const before = note(l).DOCQA_MODE;
    expect(before).toBe('extractive');
    drift(l, 'by hand');
    await sleep(clock, 5000);
    expect(note(l).DOCQA_MODE).toBe(before);
    const first = app(l).status.operationState;
    expect(first?.operation.sync).toMatchObject({ autoHealAttemptsCount: 1 });
    expect(first?.operation.sync).not.toHaveProperty('selfHealAttemptsCount');
    // Within the cooldown a second drift is the second attempt, after a back-off of 2 s.
    drift(l, 'by hand again');
    await sleep(clock, 10_000);
    expect(note(l).DOCQA_MODE).toBe(before);
    expect(app(l).status.operationState?.operation.sync).toMatchObject({ autoHealAttemptsCount: 2 });

    const { commit } = await l.repo.change(
      [{ file: 'workloads/docqa/configmap.yaml', set: { 'data.DRILL_NOTE': 'from git' } }],
      'a new revision',
    );
    await sleep(clock, 180_000);
    expect(note(l).DRILL_NOTE).toBe('from git');
    const op = app(l).status.operationState;
    expect(op?.syncResult.revision).toBe(commit);
    expect(op?.operation.sync).not.toHaveProperty('autoHealAttemptsCount');
    // The source the sync used is recorded, as the app has it.
    expect(op?.syncResult.source).toEqual(app(l).spec.source);
  });
});

describe('automated.enabled (SyncPolicy.IsAutomatedSyncEnabled)', { timeout: 120_000 }, () => {
  it('false keeps the automated block but turns the auto-sync off: a drift stays until enabled again', async () => {
    const clock = new VirtualClock({ start: 0 });
    const l = await startSimLab({ clock });
    lab = l;
    const setEnabled = (enabled: boolean) =>
      l.cluster.update('argoproj.io/v1alpha1', 'Application', 'docqa', 'argocd', (o) => {
        const policy = (o.spec as { syncPolicy: { automated: Record<string, unknown> } }).syncPolicy;
        policy.automated = { ...policy.automated, enabled };
      });
    setEnabled(false);
    await sleep(clock, 1000);
    drift(l, 'by hand');
    await sleep(clock, 30_000);
    expect(note(l).DOCQA_MODE).toBe('by hand');
    expect(app(l).status.sync.status).toBe('OutOfSync');
    setEnabled(true);
    await sleep(clock, 10_000);
    expect(note(l).DOCQA_MODE).toBe('extractive');
    expect(app(l).status.sync.status).toBe('Synced');
  });
});
