/**
 * What a person changed on the Rollout since the controller last wrote its status: the patches of the
 * kubectl-argo-rollouts plugin v1.8.3 (pkg/kubectl-argo-rollouts/cmd), which only patch the Rollout and leave the
 * rest to the controller:
 * - `abort`: status `{"abort": true}` (cmd/abort/abort.go abortPatch);
 * - `retry`: status `{"abort": false}` (cmd/retry/retry.go retryRolloutPatch);
 * - `pause` / resume: spec `{"paused": true|false}` (cmd/pause/pause.go; promote's unpausePatch);
 * - `promote`: clears status.pauseConditions (a pause step then counts as done: rollout/pause.go
 *   CompletedCanaryPauseStep, controllerPause without the CanaryPauseStep condition), and, after an Inconclusive
 *   analysis or outside a pause, also sets status.currentStepIndex to the next step (cmd/promote/promote.go
 *   getPatches); the InconclusiveAnalysis condition cleared by hand with controllerPause left set runs the step's
 *   analysis again (rollout/analysis.go needsNewAnalysisRun);
 * - `promote --full`: status `{"promoteFull": true}` (promoteFullPatch): the remaining steps, pauses and analysis are
 *   skipped and the abort removed (rollout/canary.go syncRolloutStatusCanary: ClearPauseConditions, RemoveAbort,
 *   the step index to the step count).
 * The controller's status is the source of truth upstream; the model keeps its canary's state in memory and writes
 * it into the status, so a status that differs from what the model wrote is what a person patched. A status that
 * speaks of another canary (currentPodHash) or other steps (currentStepHash) is not read: it predates this canary.
 */
import type { PauseCondition } from './rollouts-conditions.js';

/** The part of the live status a person's patch changes. */
export interface ManualStatus {
  currentPodHash?: string;
  currentStepHash?: string;
  currentStepIndex?: number;
  abort?: boolean;
  promoteFull?: boolean;
  controllerPause?: boolean;
  pauseConditions?: PauseCondition[] | null;
}

/** The model's canary as it last wrote it. */
export interface CanaryView {
  hash: string;
  step: number;
  aborted: boolean;
  /** Paused by an Inconclusive step run (pause condition InconclusiveAnalysis). */
  inconclusivePause: boolean;
  /** Paused at a pause step (pause condition CanaryPauseStep). */
  pauseStep: boolean;
  promoteFull: boolean;
}

export type ManualChange =
  | { kind: 'abort' }
  | { kind: 'retry' }
  | { kind: 'promote-full' }
  | { kind: 'resume-pause-step' }
  | { kind: 'rerun-analysis' }
  | { kind: 'skip-to'; step: number };

const hasPause = (status: ManualStatus, reason: string) =>
  (status.pauseConditions ?? []).some((c) => c.reason === reason);

/**
 * The changes a person made, in the order the controller acts on them (syncRolloutStatusCanary: a full promotion
 * first, then the abort; the step index before the pause step's completion). `stepHash` is the hash of the steps the
 * canary runs now, `stepCount` their number.
 */
export function manualChanges(
  status: ManualStatus,
  canary: CanaryView,
  stepHash: string,
  stepCount: number,
): ManualChange[] {
  if (status.currentPodHash !== canary.hash || status.currentStepHash !== stepHash) return [];
  if (status.promoteFull === true && !canary.promoteFull) return [{ kind: 'promote-full' }];
  if (status.abort === true && !canary.aborted) return [{ kind: 'abort' }];
  if (status.abort !== true && canary.aborted) return [{ kind: 'retry' }];
  if (canary.aborted) return [];
  const changes: ManualChange[] = [];
  const index = status.currentStepIndex;
  if (typeof index === 'number' && index > canary.step)
    changes.push({ kind: 'skip-to', step: Math.min(index, stepCount) });
  else if (canary.pauseStep && status.controllerPause === true && !hasPause(status, 'CanaryPauseStep'))
    changes.push({ kind: 'resume-pause-step' });
  else if (
    canary.inconclusivePause &&
    status.controllerPause === true &&
    !hasPause(status, 'InconclusiveAnalysis') &&
    !hasPause(status, 'CanaryPauseStep')
  )
    // rollout/analysis.go needsNewAnalysisRun: the pause for an Inconclusive run cleared while controllerPause
    // stays set means it was processed and resumed: the step gets a new AnalysisRun. (With controllerPause false
    // too, the Inconclusive run pauses the Rollout again: no change.)
    changes.push({ kind: 'rerun-analysis' });
  return changes;
}
