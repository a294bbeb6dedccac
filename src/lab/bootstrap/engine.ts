/**
 * Runs steps in order: check → apply → wait, saving progress after each step so an interrupted or failed run
 * resumes where it stopped. In dry-run, checks still run (read-only; a check that cannot run counts as "not done"),
 * apply only plans (the runner lists commands, API writes are listed), and nothing waits.
 */
import { LabError } from '../../errors.js';
import { AbortedError } from '../kube/errors.js';
import { saveState } from './state.js';
import type { Step, StepContext, StepEvent } from './types.js';

export interface RunStepsResult {
  ok: boolean;
  interrupted: boolean;
  failedStep?: Step;
  error?: unknown;
}

/** `actions` collects the current step's commands and API writes (the runner and ctx.note append to it). */
export async function runSteps(
  steps: Step[],
  ctx: StepContext,
  onEvent: (event: StepEvent) => void,
  actions: string[],
): Promise<RunStepsResult> {
  for (const step of steps) {
    const base = { type: 'step' as const, step: step.id, title: step.title };
    const started = ctx.clock.now();
    actions.length = 0;
    const stepActions = () => [...actions];
    try {
      if (ctx.signal.aborted) throw new AbortedError('run');
      onEvent({ ...base, status: 'checking' });
      let check: { done: boolean; reason?: string };
      try {
        check = await step.check(ctx);
      } catch (error) {
        if (!ctx.dryRun || error instanceof AbortedError) throw error;
        check = {
          done: false,
          reason: `cannot check yet (${error instanceof Error ? error.message : String(error)})`,
        };
      }
      if (check.done) {
        onEvent({ ...base, status: 'skipped', reason: check.reason, durationMs: ctx.clock.now() - started });
        continue;
      }
      if (ctx.dryRun) {
        await step.apply(ctx);
        if (step.wait) actions.push(`wait: ${waitDescription(step.id)}`);
        onEvent({ ...base, status: 'planned', reason: check.reason, actions: stepActions() });
        continue;
      }
      onEvent({ ...base, status: 'running', reason: check.reason });
      await step.apply(ctx);
      if (step.wait) {
        onEvent({ ...base, status: 'waiting', reason: waitDescription(step.id) });
        await step.wait(ctx);
      }
      const digest = step.digest ? await step.digest(ctx) : 'done';
      ctx.state.steps[step.id] = { digest, completedAt: new Date().toISOString() };
      await saveState(ctx.config, ctx.state);
      onEvent({ ...base, status: 'done', actions: stepActions(), durationMs: ctx.clock.now() - started });
    } catch (error) {
      if (!ctx.dryRun) await saveState(ctx.config, ctx.state).catch(() => undefined);
      const interrupted =
        error instanceof AbortedError ||
        ctx.signal.aborted ||
        (error instanceof LabError && error.exitCode === 130);
      onEvent({
        ...base,
        status: 'failed',
        reason: interrupted ? 'interrupted' : error instanceof Error ? error.message : String(error),
        actions: stepActions(),
        durationMs: ctx.clock.now() - started,
      });
      return { ok: false, interrupted, failedStep: step, error };
    }
  }
  return { ok: true, interrupted: false };
}

function waitDescription(id: string): string {
  switch (id) {
    case 'cluster':
      return 'every node Ready';
    case 'git-server':
      return 'Deployment lab-git/git-server Available';
    case 'argo':
      return 'argocd-server, argocd-repo-server, argocd-application-controller and argo-rollouts Available';
    case 'apps':
      return 'every Application Synced and Healthy';
    default:
      return 'ready';
  }
}
