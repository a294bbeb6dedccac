/**
 * Actions: change the lab the way an operator would. A Git commit to the lab repository (the GitOps way) or a
 * live patch, scale, delete or annotate of an object (the drift), or a wait.
 */
import { type Clock, systemClock } from '../clock.js';
import type { CallOptions, DrillEnvironment } from './access.js';
import { parseDuration } from './duration.js';
import type { ResolvedAction } from './load.js';
import { describeCondition, describeProbe, evaluateProbe } from './probes.js';
import type { ObjectRef } from './schema.js';
import { AbortedError, abortableSleep } from './time.js';

export interface ActionOutcome {
  /** One line saying what happened, e.g. "committed 1a2b3c4 and pushed". */
  detail: string;
}

export class ActionError extends Error {}

/** A Git or Kubernetes action that did not finish within its time limit. */
export class ActionTimeoutError extends ActionError {}

/** The time limit of an action without its own `timeout:` (on the engine's `limitClock`). */
export const defaultActionLimits = { kube: '60s', git: '120s' } as const;

/** How long an action may run, or undefined for a `wait` (its own `duration` or `timeout` bounds it). */
export function actionLimit(action: ResolvedAction): string | undefined {
  switch (action.type) {
    case 'wait':
      return undefined;
    case 'git':
    case 'git-revert':
      return action.timeout ?? defaultActionLimits.git;
    default:
      return action.timeout ?? defaultActionLimits.kube;
  }
}

function refText(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

/** What an action will do, in one line (dry runs, timelines, reports). */
export function describeAction(action: ResolvedAction): string {
  const prefix = action.description ? `${action.description}: ` : '';
  switch (action.type) {
    case 'git': {
      const files = [...new Set(action.edits.map((e) => e.file))].join(', ');
      return `${prefix}git commit "${action.message}" editing ${files}, then push`;
    }
    case 'git-revert':
      return `${prefix}git revert the commits whose subject contains "${action.match}", then push`;
    case 'patch':
      return `${prefix}${action.patch_type} patch ${refText(action.target)} with ${JSON.stringify(action.patch)}`;
    case 'scale':
      return `${prefix}scale ${refText(action.target)} to ${action.replicas}`;
    case 'delete':
      return `${prefix}delete ${refText(action.target)}`;
    case 'annotate':
      return `${prefix}annotate ${refText(action.target)} ${Object.entries(action.annotations)
        .map(([k, v]) => (v === null ? `${k}-` : `${k}=${v}`))
        .join(' ')}`;
    case 'wait':
      return action.until
        ? `${prefix}wait until ${describeCondition(action.until.probe)} (at most ${action.timeout})`
        : `${prefix}wait ${action.duration}`;
  }
}

export interface ActionContext {
  env: DrillEnvironment;
  /** The interrupt (Ctrl-C, SIGTERM, SIGHUP, the drill's timeout). */
  signal?: AbortSignal;
  /** Told, once, when the interrupt arrives while a Git or Kubernetes action is in flight and is let finish. */
  onSettling?: (message: string) => void;
  /** Told when a process that changes the outside world (a git push) starts and ends. */
  onInFlight?: CallOptions['onInFlight'];
  /** Waits run on it (default: the wall clock). */
  clock?: Clock;
  /** Time limits run on it (default: `clock`). */
  limitClock?: Clock;
}

interface PerformContext extends ActionContext {
  /** The action's time limit: stops (kills) the call under way. */
  limit?: AbortSignal;
}

/**
 * Runs one action within its time limit (see `actionLimit`). The limit reaches the Kubernetes or Git call as
 * an AbortSignal (a git process group is killed); the action is also raced against it, so a call that ignores
 * the signal still cannot hang the drill. Over the limit it throws ActionTimeoutError naming the action and
 * the limit.
 *
 * An interrupt does not abandon a Git or Kubernetes action in flight: a push or a PATCH the server already has
 * may still land after the client gives up, and a rollback that ran before it landed would say "nothing to
 * revert" and be wrong. So the action settles first (finishes, fails, or hits its limit and is killed) and
 * only then does the interrupt take effect; steps that change nothing outside (a clone) stop at once. A
 * `wait` stops at once.
 */
export async function runAction(action: ResolvedAction, ctx: ActionContext): Promise<ActionOutcome> {
  const limit = actionLimit(action);
  if (limit === undefined) return perform(action, ctx);
  if (ctx.signal?.aborted) throw new AbortedError();
  const timer = new AbortController();
  const timeout = new ActionTimeoutError(
    `the ${action.type} action did not finish within its time limit of ${limit} (set \`timeout:\` on the action to change it)`,
  );
  const cancelLimit = (ctx.limitClock ?? ctx.clock ?? systemClock).setTimer(parseDuration(limit), () =>
    timer.abort(timeout),
  );
  let onLimit: (() => void) | undefined;
  const stopped = new Promise<never>((_, reject) => {
    onLimit = () => reject(timeout);
    timer.signal.addEventListener('abort', onLimit, { once: true });
  });
  const onInterrupt = () =>
    ctx.onSettling?.(
      `interrupted while "${describeAction(action)}" is in flight: letting it settle (at most ${limit}) so the rollback sees what it did`,
    );
  ctx.signal?.addEventListener('abort', onInterrupt, { once: true });
  try {
    const outcome = await Promise.race([perform(action, { ...ctx, limit: timer.signal }), stopped]);
    return ctx.signal?.aborted ? { detail: `${outcome.detail} (settled after the interrupt)` } : outcome;
  } catch (error) {
    if (timer.signal.aborted) throw timeout;
    throw error;
  } finally {
    cancelLimit();
    if (onLimit) timer.signal.removeEventListener('abort', onLimit);
    ctx.signal?.removeEventListener('abort', onInterrupt);
  }
}

async function perform(action: ResolvedAction, ctx: PerformContext): Promise<ActionOutcome> {
  const { env } = ctx;
  // Git and Kubernetes calls stop at the limit only; the interrupt reaches Git as "do not start a push".
  const signal = ctx.limit;
  const repoOptions: CallOptions = { signal, interrupt: ctx.signal, onInFlight: ctx.onInFlight };
  const clock = ctx.clock ?? systemClock;
  switch (action.type) {
    case 'git': {
      if (!env.repo)
        throw new ActionError('this drill changes Git but no lab repository is configured (--repo)');
      const result = await env.repo.change(action.edits, action.message, repoOptions);
      return {
        detail: result.commit
          ? `committed ${result.commit.slice(0, 7)} to ${env.repo.location} and pushed`
          : `no change needed in ${result.files.join(', ')} (already in that state)`,
      };
    }
    case 'git-revert': {
      if (!env.repo)
        throw new ActionError('this drill reverts Git commits but no lab repository is configured (--repo)');
      const { reverted } = await env.repo.revert(action.match, repoOptions);
      return {
        detail: reverted.length
          ? `reverted ${reverted.map((c) => c.slice(0, 7)).join(', ')} and pushed`
          : `nothing to revert (no unreverted commit matching "${action.match}")`,
      };
    }
    case 'patch':
      await env.kube.patch(action.target, action.patch, action.patch_type, { signal });
      return { detail: `patched ${refText(action.target)}` };
    case 'scale':
      await env.kube.patch(action.target, { spec: { replicas: action.replicas } }, 'merge', { signal });
      return { detail: `scaled ${refText(action.target)} to ${action.replicas}` };
    case 'delete': {
      const deleted = await env.kube.delete(action.target, { signal });
      if (!deleted && !action.ignore_missing)
        throw new ActionError(`${refText(action.target)} does not exist`);
      return {
        detail: deleted ? `deleted ${refText(action.target)}` : `${refText(action.target)} was already gone`,
      };
    }
    case 'annotate':
      await env.kube.patch(action.target, { metadata: { annotations: action.annotations } }, 'merge', {
        signal,
      });
      return { detail: `annotated ${refText(action.target)}` };
    case 'wait': {
      if (action.duration !== undefined) {
        await abortableSleep(parseDuration(action.duration), ctx.signal, clock);
        return { detail: `waited ${action.duration}` };
      }
      const until = action.until;
      if (!until) throw new ActionError('a wait needs `duration` or `until`');
      const deadline = clock.now() + parseDuration(action.timeout);
      const interval = parseDuration(action.interval);
      for (;;) {
        const result = await evaluateProbe(until, env, ctx.signal, clock);
        if (result.ok) return { detail: `${describeProbe(until.probe)}: ${result.detail}` };
        if (clock.now() + interval > deadline) {
          throw new ActionError(`gave up waiting after ${action.timeout}: ${result.detail}`);
        }
        await abortableSleep(interval, ctx.signal, clock);
      }
    }
  }
}
