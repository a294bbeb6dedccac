/**
 * Actions: change the lab the way an operator would. A Git commit to the lab repository (the GitOps way) or a
 * live patch, scale, delete or annotate of an object (the drift), or a wait.
 */
import type { DrillEnvironment } from './access.js';
import { parseDuration } from './duration.js';
import type { ResolvedAction } from './load.js';
import { describeProbe, evaluateProbe } from './probes.js';
import type { ObjectRef } from './schema.js';
import { abortableSleep } from './time.js';

export interface ActionOutcome {
  /** One line saying what happened, e.g. "committed 1a2b3c4 and pushed". */
  detail: string;
}

export class ActionError extends Error {}

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
        ? `${prefix}wait until ${describeProbe(action.until.probe)} (at most ${action.timeout})`
        : `${prefix}wait ${action.duration}`;
  }
}

export interface ActionContext {
  env: DrillEnvironment;
  signal?: AbortSignal;
  /** Multiplies every wait (tests run drills faster). */
  timeScale?: number;
}

export async function runAction(action: ResolvedAction, ctx: ActionContext): Promise<ActionOutcome> {
  const { env } = ctx;
  const scale = ctx.timeScale ?? 1;
  switch (action.type) {
    case 'git': {
      if (!env.repo)
        throw new ActionError('this drill changes Git but no lab repository is configured (--repo)');
      const result = await env.repo.change(action.edits, action.message);
      return {
        detail: result.commit
          ? `committed ${result.commit.slice(0, 7)} to ${env.repo.location} and pushed`
          : `no change needed in ${result.files.join(', ')} (already in that state)`,
      };
    }
    case 'git-revert': {
      if (!env.repo)
        throw new ActionError('this drill reverts Git commits but no lab repository is configured (--repo)');
      const { reverted } = await env.repo.revert(action.match);
      return {
        detail: reverted.length
          ? `reverted ${reverted.map((c) => c.slice(0, 7)).join(', ')} and pushed`
          : `nothing to revert (no unreverted commit matching "${action.match}")`,
      };
    }
    case 'patch':
      await env.kube.patch(action.target, action.patch, action.patch_type);
      return { detail: `patched ${refText(action.target)}` };
    case 'scale':
      await env.kube.patch(action.target, { spec: { replicas: action.replicas } }, 'merge');
      return { detail: `scaled ${refText(action.target)} to ${action.replicas}` };
    case 'delete': {
      const deleted = await env.kube.delete(action.target);
      if (!deleted && !action.ignore_missing)
        throw new ActionError(`${refText(action.target)} does not exist`);
      return {
        detail: deleted ? `deleted ${refText(action.target)}` : `${refText(action.target)} was already gone`,
      };
    }
    case 'annotate':
      await env.kube.patch(action.target, { metadata: { annotations: action.annotations } }, 'merge');
      return { detail: `annotated ${refText(action.target)}` };
    case 'wait': {
      if (action.duration !== undefined) {
        await abortableSleep(parseDuration(action.duration) * scale, ctx.signal);
        return { detail: `waited ${action.duration}` };
      }
      const until = action.until;
      if (!until) throw new ActionError('a wait needs `duration` or `until`');
      const deadline = Date.now() + parseDuration(action.timeout) * scale;
      const interval = parseDuration(action.interval) * scale;
      for (;;) {
        const result = await evaluateProbe(until, env, ctx.signal);
        if (result.ok) return { detail: `${describeProbe(until.probe)}: ${result.detail}` };
        if (Date.now() + interval > deadline) {
          throw new ActionError(`gave up waiting after ${action.timeout}: ${result.detail}`);
        }
        await abortableSleep(interval, ctx.signal);
      }
    }
  }
}
