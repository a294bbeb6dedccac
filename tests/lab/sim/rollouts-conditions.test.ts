/**
 * The Rollout's conditions, phase and state-change events (src/lab/sim/rollouts-conditions.ts) against argo-rollouts
 * v1.8.3: cases from utils/conditions/rollouts_test.go (TestRolloutProgressing, TestRolloutHealthy,
 * TestRolloutTimedOut) and utils/rollout/rolloututil_test.go (TestRolloutStatusDegraded, ...Paused, ...Progressing),
 * their inputs and asserted outputs; and the rules of rollout/sync.go calculateRolloutConditions,
 * checkPausedConditions and sendStateChangeEvents.
 */
import { describe, expect, it } from 'vitest';
import {
  calculateRolloutConditions,
  calculateRolloutPhase,
  checkPausedConditions,
  progressCheckIn,
  type RolloutFacts,
  type RolloutStatusView,
  rolloutHealthy,
  rolloutProgressing,
  rolloutTimedOut,
  stateChangeEvents,
} from '../../../src/lab/sim/rollouts-conditions.js';

const at = (s: number) => s * 1000;
const iso = (s: number) => new Date(at(s)).toISOString().replace('.000', '');

const facts = (over: Partial<RolloutFacts> = {}): RolloutFacts => ({
  name: 'docqa',
  generation: 1,
  replicas: 2,
  stepCount: 6,
  paused: false,
  newReplicaSet: 'docqa-new',
  revision: 2,
  aborted: false,
  indefiniteStep: false,
  progressDeadlineSeconds: 600,
  now: at(1000),
  ...over,
});

const canary = (
  replicas: number,
  updated: number,
  ready: number,
  available: number,
  stableRS: string,
  currentStepIndex: number,
  currentStepHash: string,
): RolloutStatusView => ({
  replicas,
  updatedReplicas: updated,
  readyReplicas: ready,
  availableReplicas: available,
  stableRS,
  currentStepIndex,
  currentStepHash,
});

const progressing = (
  reason: string,
  status: 'True' | 'False' | 'Unknown',
  updated: number,
  transition = updated,
) => ({
  type: 'Progressing',
  status,
  reason,
  message: '',
  lastUpdateTime: iso(updated),
  lastTransitionTime: iso(transition),
});

describe('RolloutProgressing (utils/conditions/rollouts_test.go TestRolloutProgressing, canary cases)', () => {
  // The rollout's status is canary(1, 1, 1, 1, 'active', 1, 'abcdef') but where a case says otherwise.
  const status = canary(1, 1, 1, 1, 'active', 1, 'abcdef');
  it.each<[string, RolloutStatusView, RolloutStatusView, boolean]>([
    ['Stable Selector change', {}, { stableRS: '' }, true],
    ['StepIndex change', {}, { currentStepIndex: 2 }, true],
    ['StepHash change', {}, { currentStepHash: '12345' }, true],
    ['No change', {}, {}, false],
    ['Updated Replica change', {}, { updatedReplicas: 2 }, true],
    ['Ready Replica change', {}, { readyReplicas: 2 }, true],
    ['Available Replica change', {}, { availableReplicas: 2 }, true],
    ['Old Replica change', { replicas: 2 }, { availableReplicas: 2 }, true],
  ])('%s', (_name, rollout, oldStatus, expected) => {
    // Upstream's call: RolloutProgressing(the rollout, whose status is the old one here, the other status).
    expect(rolloutProgressing({ ...status, ...rollout }, { ...status, ...oldStatus })).toBe(expected);
  });
});

describe('RolloutHealthy (TestRolloutHealthy, canary cases: generation 123)', () => {
  const healthy = (
    desired: number,
    current: number,
    updated: number,
    available: number,
    observed: boolean,
    stableRS: string,
    stepCount: number,
    currentStepIndex?: number,
  ) => {
    const status: RolloutStatusView = {
      replicas: current,
      updatedReplicas: updated,
      availableReplicas: available,
      currentPodHash: '76bbb58f74',
      stableRS,
      currentStepIndex,
      observedGeneration: observed ? '123' : undefined,
    };
    return rolloutHealthy(facts({ replicas: desired, generation: 123, stepCount }), status, status);
  };
  it('is false when the stable ReplicaSet is not the current one, steps or not', () => {
    expect(healthy(1, 1, 1, 1, true, 'active', 1, 1)).toBe(false);
    expect(healthy(1, 1, 1, 1, true, 'active', 1, 0)).toBe(false);
    expect(healthy(1, 1, 1, 1, true, 'active', 0)).toBe(false);
    expect(healthy(1, 1, 1, 1, true, 'not-active', 0)).toBe(false);
  });
  it('is false while pods are not all available, not all updated, old ones run, or the generation is not observed', () => {
    expect(healthy(5, 5, 5, 4, true, '76bbb58f74', 0)).toBe(false);
    expect(healthy(5, 5, 4, 5, true, '76bbb58f74', 0)).toBe(false);
    expect(healthy(1, 2, 1, 1, true, '76bbb58f74', 0)).toBe(false);
    expect(healthy(1, 1, 1, 1, false, '76bbb58f74', 0)).toBe(false);
  });
  it('is true once the current ReplicaSet is stable, every step done and every replica updated and available', () => {
    expect(healthy(1, 1, 1, 1, true, '76bbb58f74', 1, 1)).toBe(true);
    expect(healthy(1, 1, 1, 1, true, '76bbb58f74', 1, 0)).toBe(false);
  });
});

describe('RolloutTimedOut (TestRolloutTimedOut: last update 10 s ago)', () => {
  const timedOut = (reason: string | undefined, deadline: number) =>
    rolloutTimedOut(facts({ progressDeadlineSeconds: deadline, now: at(110) }), {
      conditions: reason ? [progressing(reason, 'True', 100)] : [],
    });
  it.each([
    ['has no progressing condition', undefined, 0, false],
    ['already has a timed out condition', 'ProgressDeadlineExceeded', 0, true],
    ['has not timed out (30 s)', 'ReplicaSetUpdated', 30, false],
    ['has timed out (5 s)', 'ReplicaSetUpdated', 5, true],
    ['does not time out when paused', 'RolloutPaused', 5, false],
    ['does not time out when aborted', 'RolloutAborted', 5, false],
  ])('%s', (_name, reason, deadline, expected) => {
    expect(timedOut(reason, deadline)).toBe(expected);
  });
  it('times out only once the deadline is past, not at it (Before)', () => {
    const status = { conditions: [progressing('ReplicaSetUpdated', 'True', 100)] };
    expect(rolloutTimedOut(facts({ progressDeadlineSeconds: 10, now: at(110) }), status)).toBe(false);
    expect(rolloutTimedOut(facts({ progressDeadlineSeconds: 10, now: at(110) + 1 }), status)).toBe(true);
  });
});

describe('CalculateRolloutPhase (utils/rollout/rolloututil_test.go, the canary rollout of 5 replicas)', () => {
  const base: RolloutStatusView = {
    currentStepIndex: 1,
    replicas: 4,
    readyReplicas: 1,
    updatedReplicas: 3,
    availableReplicas: 2,
  };
  const spec = { paused: false, replicas: 5, stepCount: 3 };
  it('Degraded with the ProgressDeadlineExceeded condition', () => {
    const status = {
      ...base,
      conditions: [{ ...progressing('ProgressDeadlineExceeded', 'False', 0), message: 'timed out' }],
    };
    expect(calculateRolloutPhase(spec, status)).toEqual({
      phase: 'Degraded',
      message: 'ProgressDeadlineExceeded: timed out',
    });
  });
  it('Paused when spec.paused', () => {
    expect(calculateRolloutPhase({ ...spec, paused: true }, base)).toEqual({
      phase: 'Paused',
      message: 'manually paused',
    });
  });
  it('Progressing with why', () => {
    const phase = (replicas: number, updated: number, available: number) =>
      calculateRolloutPhase(spec, {
        ...base,
        replicas,
        updatedReplicas: updated,
        availableReplicas: available,
      });
    expect(phase(5, 4, 4)).toEqual({ phase: 'Progressing', message: 'more replicas need to be updated' });
    expect(phase(5, 5, 4)).toEqual({
      phase: 'Progressing',
      message: 'updated replicas are still becoming available',
    });
    expect(phase(7, 5, 5)).toEqual({ phase: 'Progressing', message: 'old replicas are pending termination' });
    expect(phase(5, 5, 5)).toEqual({ phase: 'Progressing', message: 'waiting for all steps to complete' });
  });
  it('Paused with the first pause condition’s reason; Healthy with no message once fully promoted', () => {
    const pauseConditions = [{ reason: 'CanaryPauseStep', startTime: iso(0) }];
    expect(calculateRolloutPhase(spec, { ...base, pauseConditions })).toEqual({
      phase: 'Paused',
      message: 'CanaryPauseStep',
    });
    const promoted = {
      ...base,
      replicas: 5,
      updatedReplicas: 5,
      availableReplicas: 5,
      stableRS: 'a',
      currentPodHash: 'a',
      currentStepIndex: 3,
    };
    expect(calculateRolloutPhase(spec, promoted)).toEqual({ phase: 'Healthy', message: '' });
  });
});

describe('calculateRolloutConditions (rollout/sync.go)', () => {
  const promoted: RolloutStatusView = {
    replicas: 2,
    updatedReplicas: 2,
    readyReplicas: 2,
    availableReplicas: 2,
    currentPodHash: 'new',
    stableRS: 'new',
    currentStepIndex: 6,
    currentStepHash: 'h',
    observedGeneration: '1',
  };
  it('a promoted Rollout: Healthy, Progressing NewReplicaSetAvailable, Available and Completed True, no event', () => {
    const { conditions, events } = calculateRolloutConditions(facts(), promoted, promoted);
    expect(conditions.map((c) => [c.type, c.status, c.reason, c.message])).toEqual([
      ['Healthy', 'True', 'RolloutHealthy', 'Rollout is healthy'],
      [
        'Progressing',
        'True',
        'NewReplicaSetAvailable',
        'ReplicaSet "docqa-new" has successfully progressed.',
      ],
      ['Available', 'True', 'AvailableReason', 'Rollout has minimum availability'],
      ['Completed', 'True', 'RolloutCompleted', 'RolloutCompleted'],
    ]);
    expect(events).toEqual([]);
  });

  it('a new canary: Healthy and Completed False (RolloutNotCompleted once), Progressing ReplicaSetUpdated with its transition time kept', () => {
    const before = calculateRolloutConditions(facts({ now: at(10) }), promoted, promoted).conditions;
    const old = { ...promoted, conditions: before };
    const next = { ...old, currentPodHash: 'c4n4ry', replicas: 3, updatedReplicas: 1, currentStepIndex: 0 };
    const { conditions, events } = calculateRolloutConditions(facts(), old, next);
    const byType = Object.fromEntries(conditions.map((c) => [c.type, c]));
    expect(byType.Healthy).toMatchObject({ status: 'False', message: 'Rollout is not healthy' });
    expect(byType.Completed).toMatchObject({ status: 'False', lastTransitionTime: iso(1000) });
    expect(byType.Progressing).toMatchObject({
      status: 'True',
      reason: 'ReplicaSetUpdated',
      message: 'ReplicaSet "docqa-new" is progressing.',
      lastUpdateTime: iso(1000),
      lastTransitionTime: iso(10),
    });
    expect(events).toEqual([
      {
        type: 'Normal',
        reason: 'RolloutNotCompleted',
        message: 'Rollout not completed, started update to revision 2 (c4n4ry)',
      },
    ]);
    // The same state a second later: no progress, no new event, the conditions as they were.
    const again = calculateRolloutConditions(
      facts({ now: at(1001) }),
      { ...next, conditions },
      { ...next, conditions },
    );
    expect(again.conditions).toEqual(conditions);
    expect(again.events).toEqual([]);
  });

  it('no progress for progressDeadlineSeconds: ProgressDeadlineExceeded; not at a pause or analysis step', () => {
    const stalled = { ...promoted, currentPodHash: 'c4n4ry', updatedReplicas: 1, currentStepIndex: 0 };
    const old = { ...stalled, conditions: [progressing('ReplicaSetUpdated', 'True', 100)] };
    const late = facts({ now: at(701) });
    const atPause = calculateRolloutConditions({ ...late, indefiniteStep: true }, old, old).conditions;
    expect(atPause.find((c) => c.type === 'Progressing')).toEqual(old.conditions[0]);
    const { conditions } = calculateRolloutConditions(late, old, old);
    expect(conditions.find((c) => c.type === 'Progressing')).toMatchObject({
      status: 'False',
      reason: 'ProgressDeadlineExceeded',
      message: 'ReplicaSet "docqa-new" has timed out progressing.',
      lastTransitionTime: iso(701),
    });
  });

  it('spec.progressDeadlineAbort: the timeout aborts the update with its message, new condition or not', () => {
    const stalled = { ...promoted, currentPodHash: 'c4n4ry', updatedReplicas: 1, currentStepIndex: 0 };
    const old = { ...stalled, conditions: [progressing('ReplicaSetUpdated', 'True', 100)] };
    const message = 'ReplicaSet "docqa-new" has timed out progressing.';
    const late = facts({ now: at(701), progressDeadlineAbort: true });
    const first = calculateRolloutConditions(late, old, old);
    expect(first.abort).toBe(message);
    expect(first.events).toContainEqual({ type: 'Warning', reason: 'RolloutAborted', message });
    // The flag set after the timeout: the condition is already there, the update is still aborted (sync.go).
    const timedOut = { ...old, conditions: first.conditions };
    expect(calculateRolloutConditions(late, timedOut, timedOut).abort).toBe(message);
    // Without the flag (its default), a timeout only degrades the Rollout.
    expect(calculateRolloutConditions(facts({ now: at(701) }), old, old).abort).toBeUndefined();
  });

  it('an abort: Progressing False RolloutAborted with the revision and the message, one Warning event', () => {
    const old = {
      ...promoted,
      currentPodHash: 'c4n4ry',
      conditions: [progressing('ReplicaSetUpdated', 'True', 100)],
    };
    const aborted = facts({ aborted: true, abortMessage: 'Metric "x" assessed Failed' });
    const { conditions, events } = calculateRolloutConditions(aborted, old, old);
    const message = 'Rollout aborted update to revision 2: Metric "x" assessed Failed';
    expect(conditions.find((c) => c.type === 'Progressing')).toMatchObject({
      status: 'False',
      reason: 'RolloutAborted',
      message,
    });
    expect(events).toContainEqual({ type: 'Warning', reason: 'RolloutAborted', message });
    expect(
      calculateRolloutConditions(aborted, { ...old, conditions }, { ...old, conditions }).events,
    ).toEqual([]);
  });

  it('a promoted Rollout that loses a pod: Healthy False and Progressing ReplicaSetNotAvailable', () => {
    const before = calculateRolloutConditions(facts(), promoted, promoted).conditions;
    const lost = { ...promoted, availableReplicas: 1, readyReplicas: 1, conditions: before };
    const { conditions } = calculateRolloutConditions(facts(), { ...promoted, conditions: before }, lost);
    expect(conditions.find((c) => c.type === 'Progressing')).toMatchObject({
      reason: 'ReplicaSetNotAvailable',
      message: 'Rollout does not have minimum availability',
    });
    expect(conditions.find((c) => c.type === 'Available')).toMatchObject({ status: 'False' });
  });
});

describe('checkPausedConditions and sendStateChangeEvents (rollout/sync.go)', () => {
  const pauseConditions = [{ reason: 'CanaryPauseStep', startTime: iso(5) }];
  it('a pause shows as Progressing Unknown RolloutPaused and Paused True; its end as RolloutResumed and Paused False', () => {
    const paused = checkPausedConditions(
      { paused: false, now: at(6) },
      { pauseConditions, conditions: [progressing('ReplicaSetUpdated', 'True', 1)] },
    );
    expect(paused?.map((c) => [c.type, c.status, c.reason, c.message])).toEqual([
      ['Progressing', 'Unknown', 'RolloutPaused', 'Rollout is paused'],
      ['Paused', 'True', 'RolloutPaused', 'Rollout is paused'],
    ]);
    expect(
      checkPausedConditions({ paused: false, now: at(7) }, { pauseConditions, conditions: paused }),
    ).toBeUndefined();
    const resumed = checkPausedConditions({ paused: false, now: at(40) }, { conditions: paused });
    expect(resumed?.map((c) => [c.type, c.status, c.reason, c.message])).toEqual([
      ['Progressing', 'Unknown', 'RolloutResumed', 'Rollout is resumed'],
      ['Paused', 'False', 'RolloutPaused', 'Rollout is paused'],
    ]);
  });
  it('an abort that is gone: RolloutRetry; no pause shown while aborted', () => {
    const abortedCondition = [progressing('RolloutAborted', 'False', 1)];
    expect(
      checkPausedConditions(
        { paused: false, now: at(9) },
        { abort: true, pauseConditions, conditions: abortedCondition },
      ),
    ).toBeUndefined();
    expect(
      checkPausedConditions({ paused: false, now: at(9) }, { conditions: abortedCondition })?.[0],
    ).toMatchObject({
      status: 'Unknown',
      reason: 'RolloutRetry',
      message: 'Retrying Rollout after abort',
    });
  });
  it('RolloutPaused with the first reason when pause conditions appear, RolloutResumed when they go, not on an abort', () => {
    expect(stateChangeEvents({}, { pauseConditions })).toEqual([
      { type: 'Normal', reason: 'RolloutPaused', message: 'Rollout is paused (CanaryPauseStep)' },
    ]);
    expect(stateChangeEvents({ pauseConditions }, {})).toEqual([
      { type: 'Normal', reason: 'RolloutResumed', message: 'Rollout is resumed' },
    ]);
    expect(stateChangeEvents({ pauseConditions }, { abort: true, abortedAt: iso(9) })).toEqual([]);
    expect(stateChangeEvents({ pauseConditions }, { pauseConditions })).toEqual([]);
  });
});

describe('requeueStuckRollout (progressCheckIn)', () => {
  const status = (reason: string) => ({
    currentPodHash: 'c',
    stableRS: 's',
    conditions: [progressing(reason, 'True', 100)],
  });
  it('checks one second after the Progressing condition’s lastUpdateTime plus the deadline', () => {
    expect(
      progressCheckIn(facts({ now: at(400) }), status('ReplicaSetUpdated'), status('ReplicaSetUpdated')),
    ).toBe(at(301));
    expect(
      progressCheckIn(facts({ now: at(700) }), status('ReplicaSetUpdated'), status('ReplicaSetUpdated')),
    ).toBe(1000);
  });
  it('does not check a timed-out, paused, aborted Rollout or one at an indefinite step', () => {
    const s = status('ReplicaSetUpdated');
    expect(progressCheckIn(facts(), status('ProgressDeadlineExceeded'), s)).toBeUndefined();
    expect(progressCheckIn(facts({ paused: true }), s, s)).toBeUndefined();
    expect(progressCheckIn(facts(), { ...s, abort: true }, s)).toBeUndefined();
    expect(progressCheckIn(facts({ indefiniteStep: true }), s, s)).toBeUndefined();
  });
});
