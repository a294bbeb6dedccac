/**
 * A person's hand on the simulated Rollout: the patches of the kubectl-argo-rollouts plugin v1.8.3
 * (pkg/kubectl-argo-rollouts/cmd: abort, retry, pause, promote, promote --full), sent through the simulated API
 * server as the plugin sends them (merge patches of the status subresource or the spec), and what Argo Rollouts'
 * controller does with them (rollout/canary.go syncRolloutStatusCanary, rollout/pause.go, rollout/analysis.go).
 * All time is virtual.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/lab/sim/clock.js';
import { type SimLab, startSimLab } from '../../../src/lab/sim/lab.js';
import { type CanaryView, type ManualStatus, manualChanges } from '../../../src/lab/sim/rollouts-manual.js';
import { refresh, release, unmeasurable, until } from '../../support/sim-releases.js';

describe('what a person changed (rollouts-manual.ts)', () => {
  const canary: CanaryView = {
    hash: 'h2',
    step: 1,
    aborted: false,
    inconclusivePause: false,
    pauseStep: true,
    promoteFull: false,
  };
  const written: ManualStatus = {
    currentPodHash: 'h2',
    currentStepHash: 's',
    currentStepIndex: 1,
    controllerPause: true,
    pauseConditions: [{ reason: 'CanaryPauseStep', startTime: '2026-12-04T10:00:00Z' }],
  };
  const changes = (status: ManualStatus, view: Partial<CanaryView> = {}) =>
    manualChanges(status, { ...canary, ...view }, 's', 3);

  it('the status the model wrote is no change', () => {
    expect(changes(written)).toEqual([]);
  });

  it('promote at a pause step clears its pause condition: the step is done (CompletedCanaryPauseStep)', () => {
    expect(changes({ ...written, pauseConditions: null })).toEqual([{ kind: 'resume-pause-step' }]);
  });

  it('promote elsewhere (or after an Inconclusive run) moves the step index: the steps go on from there', () => {
    expect(
      changes({ ...written, pauseConditions: null, controllerPause: false, currentStepIndex: 2 }),
    ).toEqual([{ kind: 'skip-to', step: 2 }]);
    expect(changes({ ...written, currentStepIndex: 9 })).toEqual([{ kind: 'skip-to', step: 3 }]);
  });

  it('the Inconclusive pause cleared by hand, controllerPause left set: the analysis runs again (needsNewAnalysisRun)', () => {
    const inconclusive = {
      ...written,
      currentStepIndex: 2,
      pauseConditions: [{ reason: 'InconclusiveAnalysis', startTime: '2026-12-04T10:00:00Z' }],
    };
    const view = { step: 2, pauseStep: false, inconclusivePause: true };
    expect(changes(inconclusive, view)).toEqual([]);
    expect(changes({ ...inconclusive, pauseConditions: null }, view)).toEqual([{ kind: 'rerun-analysis' }]);
    // Both cleared: the Inconclusive run pauses the Rollout again.
    expect(changes({ ...inconclusive, pauseConditions: null, controllerPause: false }, view)).toEqual([]);
  });

  it('abort, retry and promote --full; a full promotion outranks the abort (it removes it)', () => {
    expect(changes({ ...written, abort: true })).toEqual([{ kind: 'abort' }]);
    expect(changes({ ...written, currentStepIndex: 0 }, { aborted: true })).toEqual([{ kind: 'retry' }]);
    expect(changes({ ...written, abort: true, currentStepIndex: 0 }, { aborted: true })).toEqual([]);
    expect(changes({ ...written, abort: true, promoteFull: true }, { aborted: true })).toEqual([
      { kind: 'promote-full' },
    ]);
    expect(changes({ ...written, promoteFull: true }, { promoteFull: true })).toEqual([]);
  });

  it('a status about another canary or other steps predates this canary: nothing is read from it', () => {
    expect(changes({ ...written, abort: true, currentPodHash: 'h1' })).toEqual([]);
    expect(changes({ ...written, currentStepIndex: 3, currentStepHash: 'old' })).toEqual([]);
  });
});

describe('the plugin’s commands against the simulated lab (argo-rollouts v1.8.3)', {
  timeout: 180_000,
}, () => {
  let lab: SimLab | undefined;
  afterEach(async () => {
    await lab?.close();
    lab = undefined;
  });

  type Status = {
    phase?: string;
    message?: string;
    stableRS?: string;
    currentPodHash?: string;
    currentStepIndex?: number;
    abort?: boolean;
    promoteFull?: boolean;
    controllerPause?: boolean;
    pauseConditions?: Array<{ reason: string }>;
    canary?: { currentStepAnalysisRunStatus?: { name: string; status: string; message?: string } };
  };
  const rollout = () => lab?.cluster.get('argoproj.io/v1alpha1', 'Rollout', 'docqa', 'docqa');
  const status = () => (rollout()?.status ?? {}) as Status;
  const runs = () => lab?.cluster.list('argoproj.io/v1alpha1', 'AnalysisRun', 'docqa') ?? [];
  const canaryReplicas = () =>
    (
      lab?.cluster.get('apps/v1', 'ReplicaSet', `docqa-${status().currentPodHash}`, 'docqa')?.spec as
        | { replicas?: number }
        | undefined
    )?.replicas;
  const events = (reason: string) =>
    (lab?.cluster.list('v1', 'Event', 'docqa') ?? [])
      .filter((e) => e.reason === reason && (e.involvedObject as { kind?: string }).kind === 'Rollout')
      .map((e) => e.message as string);

  /** A merge patch through the API server, as the plugin sends it (rolloutIf.Patch, MergePatchType). */
  async function patch(body: unknown, subresource?: 'status'): Promise<void> {
    const url = `${lab?.cluster.url}/apis/argoproj.io/v1alpha1/namespaces/docqa/rollouts/docqa${subresource ? '/status' : ''}`;
    const res = await fetch(url, {
      method: 'PATCH',
      headers: { 'content-type': 'application/merge-patch+json' },
      body: JSON.stringify(body),
    });
    expect(res.status, await res.clone().text()).toBe(200);
  }

  async function canaryAt(clock: VirtualClock, faults = '', options = {}) {
    lab = await startSimLab({ clock, ...options });
    const env = [{ name: 'DOCQA_FAULTS', value: faults }];
    await release(lab, { 'spec.template.spec.containers[0].env[1]': env[0] }, 'test: a canary');
    await until(clock, () => status().currentPodHash !== status().stableRS, 120_000);
  }

  it('promote after an Inconclusive analysis: the Rollout goes on past the analysis step and completes', async () => {
    const clock = new VirtualClock({ start: 0 });
    await canaryAt(clock, '', { behaviour: unmeasurable });
    const canary = status().currentPodHash;
    await until(
      clock,
      () => (status().pauseConditions ?? []).length > 0 && status().currentStepIndex === 2,
      600_000,
    );
    await until(clock, () => status().pauseConditions?.[0]?.reason === 'InconclusiveAnalysis', 600_000);
    expect(status()).toMatchObject({ phase: 'Paused', controllerPause: true, currentStepIndex: 2 });
    // The run carries the step labels (utils/analysis/factory.go StepLabels).
    expect(runs()[0]?.metadata?.labels).toEqual({
      'rollouts-pod-template-hash': canary,
      'rollout-type': 'Step',
      'step-index': '2',
    });
    // The plugin tells an Inconclusive pause by the step run's status (promote.go isInconclusive).
    const run = runs()[0]?.metadata?.name;
    expect(status().canary?.currentStepAnalysisRunStatus).toMatchObject({
      name: run,
      status: 'Inconclusive',
    });
    expect(events('AnalysisRunInconclusive')).toEqual([
      `Step Analysis Run '${run}' Status New: 'Inconclusive' Previous: 'Running'`,
    ]);
    expect(events('AnalysisRunRunning')).toEqual([
      `Step Analysis Run '${run}' Status New: 'Running' Previous: 'NoPreviousStatus'`,
    ]);
    // The plugin's patch for an Inconclusive pause: clearPauseConditionsAndControllerPausePatch, index + 1.
    await patch({ status: { pauseConditions: null, controllerPause: false, currentStepIndex: 3 } }, 'status');
    // The lab's six steps go on from the fourth (setWeight 50, a 30 s pause, setWeight 100), no new analysis.
    await until(clock, () => status().stableRS === canary, 300_000);
    expect(status()).toMatchObject({ phase: 'Healthy', currentStepIndex: 6 });
    // Past its step, the run is no longer the current step's.
    expect(status().canary).toEqual({});
    expect(events('RolloutCompleted').at(-1)).toMatch(/: Completed all 6 canary steps$/);
    expect(runs()).toHaveLength(1);
  });

  it('the Inconclusive pause condition cleared by hand (controllerPause left set): the step runs a new analysis', async () => {
    const clock = new VirtualClock({ start: 0 });
    await canaryAt(clock, '', { behaviour: unmeasurable });
    await until(clock, () => status().pauseConditions?.[0]?.reason === 'InconclusiveAnalysis', 600_000);
    const first = runs()[0]?.metadata?.name;
    await patch({ status: { pauseConditions: null } }, 'status');
    await until(clock, () => runs().length === 2, 60_000);
    expect(runs().map((r) => r.metadata?.name)).toEqual([first, `${first}.1`]);
    expect(status()).toMatchObject({ currentStepIndex: 2 });
    expect(status().canary?.currentStepAnalysisRunStatus?.name).toBe(`${first}.1`);
  });

  it('abort, then retry: the canary scales to 0 (Degraded, no analysis message), then starts again at step 0', async () => {
    const clock = new VirtualClock({ start: 0 });
    await canaryAt(clock);
    await until(clock, () => status().pauseConditions?.[0]?.reason === 'CanaryPauseStep', 120_000);
    await patch({ status: { abort: true } }, 'status');
    await until(clock, () => status().phase === 'Degraded', 60_000);
    expect(status()).toMatchObject({ abort: true, currentStepIndex: 0 });
    expect(status().message).toBe('RolloutAborted: Rollout aborted update to revision 2');
    await until(clock, () => canaryReplicas() === 0, 60_000);
    expect(canaryReplicas()).toBe(0);
    await patch({ status: { abort: false } }, 'status');
    await until(clock, () => (canaryReplicas() ?? 0) > 0, 60_000);
    expect(status().abort).toBeUndefined();
    expect(status().currentStepIndex).toBeLessThanOrEqual(1);
    // The steps run again: the pause, then the analysis, then the promotion (a healthy version passes).
    await until(clock, () => status().stableRS === status().currentPodHash, 600_000);
    expect(status().phase).toBe('Healthy');
    expect(runs().length).toBeGreaterThan(0);
  });

  it('promote --full during the pause: no analysis runs, the canary becomes stable ("Full promotion requested")', async () => {
    const clock = new VirtualClock({ start: 0 });
    await canaryAt(clock);
    const canary = status().currentPodHash;
    await until(clock, () => status().pauseConditions?.[0]?.reason === 'CanaryPauseStep', 120_000);
    await patch({ status: { promoteFull: true } }, 'status');
    await until(clock, () => status().stableRS === canary, 120_000);
    expect(runs().filter((r) => r.metadata?.labels?.['rollouts-pod-template-hash'] === canary)).toEqual([]);
    expect(events('RolloutCompleted').at(-1)).toMatch(/: Full promotion requested$/);
    // promoteStable clears the request.
    expect(status().promoteFull).toBeUndefined();
  });

  it('pause (spec.paused) holds the canary at its step until it is resumed; promote on a pause step ends it', async () => {
    const clock = new VirtualClock({ start: 0 });
    await canaryAt(clock);
    await until(clock, () => status().pauseConditions?.[0]?.reason === 'CanaryPauseStep', 120_000);
    await patch({ spec: { paused: true } });
    // The 30 s pause step is long over, yet no step completes while the Rollout is paused by hand.
    await until(clock, () => false, 300_000);
    expect(status()).toMatchObject({ phase: 'Paused', currentStepIndex: 1 });
    expect(runs()).toEqual([]);
    await patch({ spec: { paused: false } });
    await until(clock, () => (status().currentStepIndex ?? 0) >= 2, 60_000);
    expect(status().currentStepIndex).toBe(2);
  });

  it('spec.progressDeadlineAbort: a canary that cannot start is aborted at the deadline, not only Degraded', async () => {
    const clock = new VirtualClock({ start: 0 });
    lab = await startSimLab({ clock });
    await lab.repo.change(
      [
        {
          file: 'workloads/docqa/rollout.yaml',
          set: { 'spec.progressDeadlineSeconds': 120, 'spec.progressDeadlineAbort': true },
        },
        { file: 'workloads/docqa/kustomization.yaml', set: { 'images[0].newTag': 'no-such-tag' } },
      ],
      'test: an image that does not exist, aborted at the progress deadline',
    );
    refresh(lab);
    await until(clock, () => status().currentPodHash !== status().stableRS, 120_000);
    await until(clock, () => status().abort === true, 600_000);
    expect(status().phase).toBe('Degraded');
    await until(clock, () => canaryReplicas() === 0, 60_000);
    expect(canaryReplicas()).toBe(0);
    expect(status().message).toMatch(
      /^RolloutAborted: Rollout aborted update to revision 2: ReplicaSet "docqa-\w+" has timed out progressing\.$/,
    );
    expect(events('RolloutAborted')[0]).toMatch(/^ReplicaSet "docqa-\w+" has timed out progressing\.$/);
  });

  it('promote at an indefinite pause step: clearing its pause condition completes the step', async () => {
    const clock = new VirtualClock({ start: 0 });
    lab = await startSimLab({ clock });
    await release(
      lab,
      {
        'spec.template.spec.containers[0].env[1]': { name: 'DOCQA_FAULTS', value: '' },
        'spec.strategy.canary.steps[1].pause': {},
      },
      'test: a canary with a pause until promoted',
    );
    await until(clock, () => status().pauseConditions?.[0]?.reason === 'CanaryPauseStep', 120_000);
    await until(clock, () => false, 600_000);
    expect(status().currentStepIndex).toBe(1);
    // The plugin's patch when pause conditions are present: clearPauseConditionsPatch.
    await patch({ status: { pauseConditions: null } }, 'status');
    await until(clock, () => (status().currentStepIndex ?? 0) >= 2, 60_000);
    expect(events('RolloutStepCompleted')).toContain('Rollout step 2/6 completed (pause)');
  });
});
