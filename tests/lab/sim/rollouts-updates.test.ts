/**
 * What starts an update of the simulated docqa Rollout and what it leaves on the Rollout (argo-rollouts v1.8.3):
 * its own `rollout.argoproj.io/revision` annotation and the `RolloutUpdated` event (rollout/sync.go
 * setRolloutRevision), the steps hash in status.currentStepHash and new steps restarting the canary without a new
 * ReplicaSet (utils/replicaset/replicaset.go PodTemplateOrStepsChanged, rollout/canary.go syncRolloutStatusCanary),
 * and the AnalysisRun history limits (rollout/analysis.go reconcileAnalysisRuns).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sleep } from '../../../src/lab/clock.js';
import { VirtualClock } from '../../../src/lab/sim/clock.js';
import { type SimLab, startSimLab } from '../../../src/lab/sim/lab.js';
import { computeStepHash } from '../../../src/lab/sim/rollouts-steps.js';
import { docqa, image, refresh, release, until } from '../../support/sim-releases.js';

const REVISION = 'rollout.argoproj.io/revision';

describe('an update of the simulated Rollout (argo-rollouts v1.8.3)', { timeout: 180_000 }, () => {
  let lab: SimLab | undefined;
  afterEach(async () => {
    await lab?.close();
    lab = undefined;
  });

  const rollout = () => lab?.cluster.get('argoproj.io/v1alpha1', 'Rollout', 'docqa', 'docqa');
  const status = () =>
    (rollout()?.status ?? {}) as { stableRS?: string; currentStepHash?: string; currentStepIndex?: number };
  const revision = () => rollout()?.metadata?.annotations?.[REVISION];
  const events = (reason: string) =>
    (lab?.cluster.list('v1', 'Event', 'docqa') ?? [])
      .filter(
        (e) => e.reason === reason && (e.involvedObject as { kind?: string } | undefined)?.kind === 'Rollout',
      )
      .map((e) => ({ message: e.message as string, count: e.count as number }));
  const replicaSets = () => lab?.cluster.list('apps/v1', 'ReplicaSet', 'docqa') ?? [];
  const runs = () => lab?.cluster.list('argoproj.io/v1alpha1', 'AnalysisRun', 'docqa') ?? [];
  const steps = () =>
    (rollout()?.spec as { strategy?: { canary?: { steps?: unknown[] } } } | undefined)?.strategy?.canary
      ?.steps;

  it('the Rollout carries its new ReplicaSet’s revision, with a RolloutUpdated event each time it changes', async () => {
    const clock = new VirtualClock({ start: 0 });
    lab = await startSimLab({ clock });
    expect(revision()).toBe('1');
    expect(events('RolloutUpdated')).toEqual([{ message: 'Rollout updated to revision 1', count: 1 }]);
    const stable = status().stableRS;
    await release(lab, { 'spec.template.metadata.annotations': { release: 'one' } }, 'test: release one');
    await until(clock, () => revision() === '2', 120_000);
    expect(events('RolloutUpdated').map((e) => e.message)).toEqual([
      'Rollout updated to revision 1',
      'Rollout updated to revision 2',
    ]);
    // Back to the stable template before the promotion: its ReplicaSet is re-used at revision 3; the reconcile that
    // raises the ReplicaSet's revision leaves the Rollout's to the next one (syncReplicaSetRevision).
    await lab.repo.revert('test: release one');
    refresh(lab);
    await until(clock, () => revision() === '3', 120_000);
    expect(
      lab.cluster.get('apps/v1', 'ReplicaSet', `docqa-${stable}`, 'docqa')?.metadata?.annotations?.[REVISION],
    ).toBe('3');
    expect(events('RolloutUpdated').map((e) => e.message)).toContain('Rollout updated to revision 3');
    // rollout/canary.go syncRolloutStatusCanary: the new ReplicaSet is the stable one, its steps are skipped.
    expect(events('SkipSteps')).toEqual([{ message: 'Rollback to stable ReplicaSets', count: 1 }]);
  });

  it('status.currentStepHash is the steps’ hash; new steps on a promoted Rollout skip them, no new ReplicaSet', async () => {
    const clock = new VirtualClock({ start: 0 });
    lab = await startSimLab({ clock });
    expect(status().currentStepHash).toBe(computeStepHash({ canary: { steps: steps() } }));
    expect(status().currentStepHash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    const before = status().currentStepHash;
    await release(lab, { 'spec.strategy.canary.steps[1].pause.duration': '20s' }, 'test: a shorter pause');
    await until(clock, () => status().currentStepHash !== before, 120_000);
    expect(status().currentStepHash).toBe(computeStepHash({ canary: { steps: steps() } }));
    expect(events('SkipSteps')).toEqual([{ message: 'Rollback to stable ReplicaSets', count: 1 }]);
    expect(replicaSets()).toHaveLength(1);
    expect(revision()).toBe('1');
  });

  it('new steps during a canary start its steps again at 0 in the same ReplicaSet, the running AnalysisRun cancelled', async () => {
    const clock = new VirtualClock({ start: 0 });
    lab = await startSimLab({ clock });
    await release(lab, { 'spec.template.metadata.annotations': { release: 'steps' } }, 'test: a release');
    // Step 2 is the analysis: wait for its run.
    await until(clock, () => runs().length === 1, 300_000);
    const [first] = runs();
    const canary = replicaSets().find((rs) => rs.metadata?.name !== `docqa-${status().stableRS}`);
    await release(lab, { 'spec.strategy.canary.steps[1].pause.duration': '20s' }, 'test: new steps');
    await until(
      clock,
      () =>
        (
          first &&
          (lab?.cluster.get('argoproj.io/v1alpha1', 'AnalysisRun', first.metadata?.name ?? '', 'docqa')
            ?.spec as { terminate?: boolean })
        )?.terminate === true,
      120_000,
    );
    // The steps ran again from 0: step 1 (setWeight: 25) completed a second time.
    expect(events('RolloutStepCompleted')).toContainEqual({
      message: 'Rollout step 1/6 completed (setWeight: 25)',
      count: 2,
    });
    // The analysis step runs again: its run's name is taken, so the new one is <name>.1 (CreateWithCollisionCounter).
    await until(clock, () => runs().length === 2, 300_000);
    expect(
      runs()
        .map((r) => r.metadata?.name)
        .sort(),
    ).toEqual([first?.metadata?.name, `${first?.metadata?.name}.1`]);
    // No new ReplicaSet and no new revision: the canary's ReplicaSet runs the new steps.
    expect(replicaSets()).toHaveLength(2);
    const same = lab.cluster.get('apps/v1', 'ReplicaSet', canary?.metadata?.name ?? '', 'docqa');
    expect(same?.metadata?.uid).toBe(canary?.metadata?.uid);
    expect(same?.metadata?.annotations?.[REVISION]).toBe('2');
    expect(revision()).toBe('2');
    expect(events('RolloutUpdated').map((e) => e.message)).toEqual([
      'Rollout updated to revision 1',
      'Rollout updated to revision 2',
    ]);
  });

  it('spec.analysis.successfulRunHistoryLimit 1: after two promotions only the newer AnalysisRun is kept', async () => {
    const clock = new VirtualClock({ start: 0 });
    lab = await startSimLab({ clock, images: [docqa('0.1.1'), docqa('0.1.2')] });
    await release(
      lab,
      { 'spec.analysis': { successfulRunHistoryLimit: 1 } },
      'test: keep one successful run',
    );
    await until(clock, () => 'analysis' in ((rollout()?.spec ?? {}) as object), 120_000);
    for (const tag of ['0.1.1', '0.1.2']) {
      const was = status().stableRS;
      await image(lab, tag);
      await until(clock, () => status().stableRS !== was, 900_000);
    }
    await sleep(clock, 5000);
    expect(runs()).toHaveLength(1);
    expect(runs()[0]?.metadata?.labels?.['rollouts-pod-template-hash']).toBe(status().stableRS);
  });
});
