/**
 * The canary Rollout's status conditions, phase and state-change events as Argo Rollouts v1.8.3 computes them
 * (github.com/argoproj/argo-rollouts at v1.8.3): utils/conditions/conditions.go (the reasons and messages,
 * SetRolloutCondition, RolloutProgressing, RolloutHealthy, RolloutCompleted, RolloutTimedOut), rollout/sync.go
 * (checkPausedConditions, calculateRolloutConditions, sendStateChangeEvents, requeueStuckRollout) and
 * utils/rollout/rolloututil.go CalculateRolloutPhase, for a canary without traffic routing (the lab's).
 *
 * SetRolloutCondition is Kubernetes' SetDeploymentCondition rule (deployment-util.ts setCondition): nothing changes
 * for the same status and reason; otherwise the condition goes to the end of the list and keeps its
 * lastTransitionTime while its status holds. Times are metav1.Time (whole seconds).
 */
import {
  getCondition,
  newCondition,
  type DeploymentCondition as RolloutCondition,
  removeCondition,
  setCondition,
} from './deployment-util.js';
import { kubeTime } from './store.js';

export type { RolloutCondition };

/** pkg/apis/rollouts/v1alpha1/types.go PauseCondition. */
export interface PauseCondition {
  reason: string;
  startTime: string;
}

/** The parts of RolloutStatus (pkg/apis/rollouts/v1alpha1/types.go) the conditions read and write. */
export interface RolloutStatusView {
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  currentPodHash?: string;
  stableRS?: string;
  currentStepIndex?: number;
  currentStepHash?: string;
  observedGeneration?: string;
  conditions?: RolloutCondition[];
  pauseConditions?: PauseCondition[];
  abort?: boolean;
  abortedAt?: string;
}

/** What the conditions read of the Rollout and its reconcile, beside the old and the new status. */
export interface RolloutFacts {
  name: string;
  generation: number;
  /** spec.replicas, defaulted (1). */
  replicas: number;
  stepCount: number;
  /** spec.paused. */
  paused: boolean;
  /** The new ReplicaSet's name, when it exists. */
  newReplicaSet?: string;
  /** The Rollout's revision annotation (replicasetutil.Revision of the Rollout). */
  revision: number;
  /** pauseContext.IsAborted of this reconcile, and the message of an abort it adds. */
  aborted: boolean;
  abortMessage?: string;
  /** rollout/sync.go isIndefiniteStep: the current step is an analysis or a pause, or the Paused condition is True. */
  indefiniteStep: boolean;
  progressDeadlineSeconds: number;
  /** spec.progressDeadlineAbort: a timed-out update is aborted. */
  progressDeadlineAbort?: boolean;
  /** A ReplicaFailure condition of the new (else any) ReplicaSet, as a Rollout condition (getReplicaFailures). */
  replicaFailure?: RolloutCondition;
  now: number;
}

export interface RolloutEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

const numberOf = (v: number | undefined) => v ?? 0;

/** conditions.go RolloutProgressing, for a canary: more updated, fewer old, more ready or available, a new stable, step or steps. */
export function rolloutProgressing(old: RolloutStatusView, next: RolloutStatusView): boolean {
  const stepMoved =
    next.currentStepIndex !== undefined &&
    old.currentStepIndex !== undefined &&
    next.currentStepIndex !== old.currentStepIndex;
  const strategyProgress =
    next.stableRS !== old.stableRS || stepMoved || next.currentStepHash !== old.currentStepHash;
  const oldOld = numberOf(old.replicas) - numberOf(old.updatedReplicas);
  const newOld = numberOf(next.replicas) - numberOf(next.updatedReplicas);
  return (
    numberOf(next.updatedReplicas) !== numberOf(old.updatedReplicas) ||
    newOld < oldOld ||
    numberOf(next.readyReplicas) > numberOf(old.readyReplicas) ||
    numberOf(next.availableReplicas) > numberOf(old.availableReplicas) ||
    strategyProgress
  );
}

/**
 * conditions.go RolloutHealthy, for a canary: every replica updated and available, the generation observed (by the
 * old status), every step executed, the new ReplicaSet the stable one and no old replica left.
 */
export function rolloutHealthy(
  facts: RolloutFacts,
  old: RolloutStatusView,
  next: RolloutStatusView,
): boolean {
  const executedAllSteps =
    facts.stepCount === 0 || next.currentStepIndex === undefined || next.currentStepIndex === facts.stepCount;
  const completed = executedAllSteps && rolloutCompleted(next) && numberOf(next.replicas) === facts.replicas;
  return (
    numberOf(next.updatedReplicas) === facts.replicas &&
    numberOf(next.availableReplicas) === facts.replicas &&
    old.observedGeneration === String(facts.generation) &&
    completed
  );
}

/** conditions.go RolloutCompleted: the new ReplicaSet is the stable one. */
export function rolloutCompleted(status: RolloutStatusView): boolean {
  return !!status.stableRS && status.stableRS === status.currentPodHash;
}

/**
 * conditions.go RolloutTimedOut: no Progressing condition, or an aborted or paused one, never times out; a
 * ProgressDeadlineExceeded one has; otherwise its lastUpdateTime plus progressDeadlineSeconds is before now.
 */
export function rolloutTimedOut(facts: RolloutFacts, status: RolloutStatusView): boolean {
  const condition = getCondition(status, 'Progressing');
  if (!condition || condition.reason === 'RolloutAborted' || condition.reason === 'RolloutPaused')
    return false;
  if (condition.reason === 'ProgressDeadlineExceeded') return true;
  return Date.parse(condition.lastUpdateTime) + facts.progressDeadlineSeconds * 1000 < facts.now;
}

const isPaused = (facts: Pick<RolloutFacts, 'paused'>, status: RolloutStatusView) =>
  (status.pauseConditions?.length ?? 0) > 0 || facts.paused;

/**
 * rollout/sync.go checkPausedConditions, at the start of a reconcile on the status it found: a pause (pause
 * conditions or spec.paused) the Progressing condition does not show yet makes it Unknown RolloutPaused "Rollout is
 * paused" (RolloutResumed "Rollout is resumed" when the pause is over), unless the Rollout is aborted or completed;
 * an abort that is gone makes it Unknown RolloutRetry; the Paused condition follows the pause (not while aborted).
 * Returns the conditions after the patch, or undefined when nothing changes.
 */
export function checkPausedConditions(
  facts: Pick<RolloutFacts, 'paused' | 'now'>,
  status: RolloutStatusView,
): RolloutCondition[] | undefined {
  const now = kubeTime(facts.now);
  const progressing = getCondition(status, 'Progressing');
  const shownPaused = progressing?.reason === 'RolloutPaused';
  const paused = isPaused(facts, status);
  const abortShown = progressing?.reason === 'RolloutAborted';
  const updates: RolloutCondition[] = [];
  if (paused !== shownPaused && !abortShown && !rolloutCompleted(status))
    updates.push(
      paused
        ? newCondition('Progressing', 'Unknown', 'RolloutPaused', 'Rollout is paused', now)
        : newCondition('Progressing', 'Unknown', 'RolloutResumed', 'Rollout is resumed', now),
    );
  if (!status.abort && abortShown)
    updates.push(newCondition('Progressing', 'Unknown', 'RolloutRetry', 'Retrying Rollout after abort', now));
  const pausedTrue = getCondition(status, 'Paused')?.status === 'True';
  if (paused !== pausedTrue && !abortShown)
    updates.push(
      newCondition('Paused', paused ? 'True' : 'False', 'RolloutPaused', 'Rollout is paused', now),
    );
  if (updates.length === 0) return undefined;
  const patched: RolloutStatusView = { conditions: [...(status.conditions ?? [])] };
  for (const condition of updates) setCondition(patched, condition);
  return patched.conditions;
}

/**
 * rollout/sync.go calculateRolloutConditions: the conditions of the new status (`next`, whose conditions are the old
 * ones) and the events they record, from the old status (`old`, the Rollout as the reconcile found it).
 * - Healthy: True RolloutHealthy "Rollout is healthy" when healthy and not paused; else, once it exists, False
 *   "Rollout is not healthy".
 * - Progressing: False RolloutAborted "Rollout aborted update to revision N[: message]" when aborted (a Warning event
 *   when it changes); otherwise True NewReplicaSetAvailable "ReplicaSet \"x\" has successfully progressed." when
 *   healthy; True ReplicaSetUpdated "ReplicaSet \"x\" is progressing." on progress (or ReplicaSetNotAvailable
 *   "Rollout does not have minimum availability" when a promoted Rollout became unhealthy), its lastUpdateTime now
 *   and its lastTransitionTime kept while True; False ProgressDeadlineExceeded "ReplicaSet \"x\" has timed out
 *   progressing." when it timed out outside an indefinite step. With spec.progressDeadlineAbort the timeout also
 *   aborts the update (`abort`: the timeout's message, pauseContext.AddAbort) with a RolloutAborted Warning event
 *   carrying that message (rollout/sync.go calculateRolloutConditions).
 * - Available: True "Rollout has minimum availability" when the available replicas reach spec.replicas, else False
 *   "Rollout does not have minimum availability" (reason AvailableReason).
 * - ReplicaFailure copied from the ReplicaSets, or removed.
 * - Completed: True when the new ReplicaSet is the stable one, else False (reason and message RolloutCompleted), with
 *   a RolloutNotCompleted event "Rollout not completed, started update to revision N (hash)" when it turns False.
 */
export function calculateRolloutConditions(
  facts: RolloutFacts,
  old: RolloutStatusView,
  next: RolloutStatusView,
): { conditions: RolloutCondition[]; events: RolloutEvent[]; abort?: string } {
  const now = kubeTime(facts.now);
  const status: RolloutStatusView = { ...next, conditions: [...(next.conditions ?? [])] };
  const events: RolloutEvent[] = [];
  let abort: string | undefined;
  const healthy = rolloutHealthy(facts, old, status);
  let becameUnhealthy = false;
  if (!isPaused(facts, old) && healthy)
    setCondition(status, newCondition('Healthy', 'True', 'RolloutHealthy', 'Rollout is healthy', now));
  else if (getCondition(old, 'Healthy')) {
    const before = getCondition(status, 'Healthy');
    setCondition(status, newCondition('Healthy', 'False', 'RolloutHealthy', 'Rollout is not healthy', now));
    becameUnhealthy = getCondition(status, 'Healthy') !== before;
  }

  if (facts.aborted) {
    const aborted = `Rollout aborted update to revision ${facts.revision}`;
    const message = facts.abortMessage ? `${aborted}: ${facts.abortMessage}` : aborted;
    const before = getCondition(status, 'Progressing');
    setCondition(status, newCondition('Progressing', 'False', 'RolloutAborted', message, now));
    if (getCondition(status, 'Progressing') !== before)
      events.push({ type: 'Warning', reason: 'RolloutAborted', message });
  } else {
    abort = progressingCondition(facts, old, status, healthy, becameUnhealthy);
    if (abort) events.push({ type: 'Warning', reason: 'RolloutAborted', message: abort });
  }

  const available = numberOf(status.availableReplicas) >= facts.replicas;
  setCondition(
    status,
    available
      ? newCondition('Available', 'True', 'AvailableReason', 'Rollout has minimum availability', now)
      : newCondition(
          'Available',
          'False',
          'AvailableReason',
          'Rollout does not have minimum availability',
          now,
        ),
  );
  if (facts.replicaFailure) setCondition(status, facts.replicaFailure);
  else removeCondition(status, 'ReplicaFailure');

  const completed = rolloutCompleted(status);
  const before = getCondition(status, 'Completed');
  setCondition(
    status,
    newCondition('Completed', completed ? 'True' : 'False', 'RolloutCompleted', 'RolloutCompleted', now),
  );
  if (!completed && getCondition(status, 'Completed') !== before)
    events.push({
      type: 'Normal',
      reason: 'RolloutNotCompleted',
      message: `Rollout not completed, started update to revision ${facts.revision} (${status.currentPodHash ?? ''})`,
    });
  return { conditions: status.conditions ?? [], events, ...(abort ? { abort } : {}) };
}

/**
 * The Progressing condition of a Rollout that is not aborted (calculateRolloutConditions' switch); returns the
 * timeout's message when spec.progressDeadlineAbort makes the timeout an abort.
 */
function progressingCondition(
  facts: RolloutFacts,
  old: RolloutStatusView,
  status: RolloutStatusView,
  healthy: boolean,
  becameUnhealthy: boolean,
): string | undefined {
  const now = kubeTime(facts.now);
  const rs = facts.newReplicaSet;
  if (healthy) {
    setCondition(
      status,
      newCondition(
        'Progressing',
        'True',
        'NewReplicaSetAvailable',
        `ReplicaSet "${rs ?? ''}" has successfully progressed.`,
        now,
      ),
    );
    return undefined;
  }
  if (rolloutProgressing(old, status) || becameUnhealthy) {
    const notAvailable = status.stableRS === status.currentPodHash && becameUnhealthy;
    const message = notAvailable
      ? 'Rollout does not have minimum availability'
      : rs
        ? `ReplicaSet "${rs}" is progressing.`
        : `Rollout "${facts.name}" is progressing.`;
    const condition = newCondition(
      'Progressing',
      'True',
      notAvailable ? 'ReplicaSetNotAvailable' : 'ReplicaSetUpdated',
      message,
      now,
    );
    // The Progressing condition is replaced on every progress (its lastUpdateTime moves), keeping its
    // lastTransitionTime while it was True: SetRolloutCondition alone would keep a same-reason condition as it is.
    const current = getCondition(old, 'Progressing');
    if (current?.status === 'True') condition.lastTransitionTime = current.lastTransitionTime;
    if (current) removeCondition(status, 'Progressing');
    setCondition(status, condition);
    return undefined;
  }
  if (!facts.indefiniteStep && rolloutTimedOut(facts, status)) {
    const message = rs
      ? `ReplicaSet "${rs}" has timed out progressing.`
      : `Rollout "${facts.name}" has timed out progressing.`;
    setCondition(status, newCondition('Progressing', 'False', 'ProgressDeadlineExceeded', message, now));
    // Whether the condition is new or already there, a timed-out update that is not aborted yet is aborted.
    if (facts.progressDeadlineAbort) return message;
  }
  return undefined;
}

/**
 * utils/rollout/rolloututil.go CalculateRolloutPhase for a canary without traffic routing: Degraded with
 * "<reason>: <message>" for an aborted or timed-out Progressing condition; Paused with the first pause condition's
 * reason; Progressing while replicas are to be updated, becoming available, old ones pending termination or steps
 * to complete; else Healthy (no message).
 */
export function calculateRolloutPhase(
  facts: Pick<RolloutFacts, 'paused' | 'replicas' | 'stepCount'>,
  status: RolloutStatusView,
): { phase: string; message: string } {
  for (const condition of status.conditions ?? [])
    if (condition.reason === 'RolloutAborted' || condition.reason === 'ProgressDeadlineExceeded')
      return { phase: 'Degraded', message: `${condition.reason}: ${condition.message}` };
  if (facts.paused) return { phase: 'Paused', message: 'manually paused' };
  const pause = status.pauseConditions?.[0];
  if (pause) return { phase: 'Paused', message: pause.reason };
  if (numberOf(status.updatedReplicas) < facts.replicas)
    return { phase: 'Progressing', message: 'more replicas need to be updated' };
  if (numberOf(status.availableReplicas) < numberOf(status.updatedReplicas))
    return { phase: 'Progressing', message: 'updated replicas are still becoming available' };
  if (numberOf(status.replicas) > numberOf(status.updatedReplicas))
    return { phase: 'Progressing', message: 'old replicas are pending termination' };
  if (!status.stableRS || !fullyPromoted(facts, status))
    return { phase: 'Progressing', message: 'waiting for all steps to complete' };
  return { phase: 'Healthy', message: '' };
}

/** utils/rollout/rolloututil.go IsFullyPromoted for a canary: the new ReplicaSet is stable, every step done. */
function fullyPromoted(facts: Pick<RolloutFacts, 'stepCount'>, status: RolloutStatusView): boolean {
  const stepsDone =
    facts.stepCount === 0 ||
    status.currentStepIndex === undefined ||
    status.currentStepIndex >= facts.stepCount;
  return status.stableRS === status.currentPodHash && stepsDone;
}

/**
 * rollout/sync.go sendStateChangeEvents: a Rollout whose pause conditions appear records RolloutPaused "Rollout is
 * paused (<first reason>)"; one whose pause conditions go records RolloutResumed "Rollout is resumed", unless it is
 * aborted (an abort clears them too).
 */
export function stateChangeEvents(old: RolloutStatusView, next: RolloutStatusView): RolloutEvent[] {
  const wasPaused = (old.pauseConditions?.length ?? 0) > 0;
  const paused = (next.pauseConditions?.length ?? 0) > 0;
  if (wasPaused === paused) return [];
  if (paused)
    return [
      {
        type: 'Normal',
        reason: 'RolloutPaused',
        message: `Rollout is paused (${next.pauseConditions?.[0]?.reason})`,
      },
    ];
  if (next.abortedAt) return [];
  return [{ type: 'Normal', reason: 'RolloutResumed', message: 'Rollout is resumed' }];
}

/**
 * rollout/sync.go requeueStuckRollout: when the Rollout should be reconciled again to check its progress deadline,
 * in ms from now (its Progressing condition's lastUpdateTime plus progressDeadlineSeconds, one second later to be
 * past it); undefined when no check is due (no Progressing condition, healthy, timed out, paused, aborted, or at an
 * indefinite step).
 */
export function progressCheckIn(
  facts: RolloutFacts,
  old: RolloutStatusView,
  next: RolloutStatusView,
): number | undefined {
  const condition = getCondition(old, 'Progressing');
  if (!condition) return undefined;
  if (
    rolloutHealthy(facts, old, next) ||
    condition.reason === 'ProgressDeadlineExceeded' ||
    isPaused(facts, old) ||
    old.abort ||
    facts.indefiniteStep
  )
    return undefined;
  const after = Date.parse(condition.lastUpdateTime) + facts.progressDeadlineSeconds * 1000 - facts.now;
  // Under a second: queued at once (rate-limited); the sim checks again one second later.
  return after < 1000 ? 1000 : after + 1000;
}
