import type { Clock } from '../clock.js';
import type { LabConfig } from '../config.js';
import type { KubeClient } from '../kube/client.js';
import type { KubeObject, ObjectRef } from '../kube/types.js';
import type { Runner } from '../tools/runner.js';
import type { LabState } from './state.js';

/** One line of `up`'s plan or progress. */
export type StepStatus =
  | 'pending'
  | 'checking'
  | 'skipped'
  | 'running'
  | 'waiting'
  | 'done'
  | 'failed'
  | 'planned';

export interface StepEvent {
  type: 'step';
  step: string;
  title: string;
  status: StepStatus;
  /** Why it was skipped, what it waits for, or what failed. */
  reason?: string;
  /** Exact commands and API writes (plan and done events). */
  actions?: string[];
  durationMs?: number;
  /** Live detail while waiting, e.g. per-Application sync/health. */
  progress?: string[];
}

export interface StepContext {
  config: LabConfig;
  runner: Runner;
  /** The API client for the lab's context; throws when there is no reachable cluster. */
  kube(): KubeClient;
  state: LabState;
  dryRun: boolean;
  signal: AbortSignal;
  /** Waits and their time limits run on it (the wall clock, or the simulation's). */
  clock: Clock;
  env: NodeJS.ProcessEnv;
  /** Records an API write in dry-run, performs it otherwise. */
  applyObjects(objects: KubeObject[], what?: string): Promise<void>;
  /** Lines describing what the step did or would do (commands are added by the runner). */
  note(action: string): void;
  progress(lines: string[]): void;
  /** Values shared between steps of one run (e.g. image tags). */
  facts: Record<string, string>;
}

export interface CheckResult {
  done: boolean;
  reason?: string;
}

export interface Step {
  id: string;
  title: string;
  /** Already done? Read-only; must be cheap (the no-op re-run budget is 10 s for all steps). */
  check(ctx: StepContext): Promise<CheckResult>;
  apply(ctx: StepContext): Promise<void>;
  /** Waits until what apply started is ready; has a timeout and says what it waited for when it expires. */
  wait?(ctx: StepContext): Promise<void>;
  /** A digest of the step's inputs, stored in the state when the step completes. */
  digest?(ctx: StepContext): Promise<string>;
}

/** The object a failed step was about, for diagnostics. */
export interface FailureContext {
  ref?: ObjectRef;
}
