/**
 * The Git half of "rollback decides from the actual state":
 *
 * - `settleLeftover`: `--recover` after a killed run (SIGKILL, a crash) looks at the lock it took over; a git
 *   push that run had in flight (its pid, recorded in the lock) may still be waiting on the server and land
 *   later. Recover waits for it to exit (bounded by the Git action limit) and kills its process group if it
 *   does not, so the push has landed or not before anything is decided.
 * - `reconcileGit`: fetches the lab repository before and after the rollback actions and looks for this
 *   drill's own commits (subjects of its `git` inject actions) that are on the remote and not reverted. Before:
 *   it says what it found. After: it reverts whatever is still there (a push that landed late, a rollback
 *   `match` that missed), as one more rollback action.
 *
 * Each finding is a journal decision.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { type Clock, timeoutSignal } from '../clock.js';
import { killProcessGroup, processAlive } from '../tools/git.js';
import type { DrillCommit, DrillEnvironment } from './access.js';
import { defaultActionLimits } from './actions.js';
import { parseDuration } from './duration.js';
import type { ActionRecord, TimelineEntry } from './journal.js';
import type { Drill } from './load.js';
import type { LockInfo } from './lock.js';
import { abortableSleep } from './time.js';

export interface GitRollbackContext {
  drill: Drill;
  env: DrillEnvironment;
  decide: (phase: TimelineEntry['phase'], level: TimelineEntry['level'], decision: string) => void;
  /** The lock `--recover` took over from a killed run. */
  previous?: LockInfo;
  /** The drill's clock: the records' timestamps. */
  clock: Clock;
  /**
   * Where the waits for a leftover push and the Git time limits run (the engine's `limitClock`: they bound real
   * processes, so beside a simulated lab they stay on the wall clock). Default: `clock`.
   */
  limitClock?: Clock;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Still the same git process: alive, and (where /proc tells) still running git, not a reused pid. */
function stillRunning(pid: number): boolean {
  if (!processAlive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('git');
  } catch {
    return true;
  }
}

export async function settleLeftover(ctx: GitRollbackContext): Promise<void> {
  const previous = ctx.previous;
  if (!previous) return;
  const inflight = previous.inflight;
  if (!inflight) {
    ctx.decide(
      'rollback',
      'info',
      `recover: the run that held the lock (${previous.holder}) left no git push in flight`,
    );
    return;
  }
  const what = `${inflight.command} (pid ${inflight.pid}, since ${inflight.since})`;
  if (inflight.host !== hostname()) {
    ctx.decide(
      'rollback',
      'warn',
      `recover: the killed run left ${what} in flight on ${inflight.host}, which cannot be watched from here; the remote is checked again after the rollback`,
    );
    return;
  }
  if (!stillRunning(inflight.pid)) {
    ctx.decide('rollback', 'info', `recover: ${what}, left in flight by the killed run, has finished`);
    return;
  }
  const limit = defaultActionLimits.git;
  ctx.decide(
    'rollback',
    'warn',
    `recover: found ${what} still in flight, left by the killed run: waiting for it to settle (at most ${limit})`,
  );
  const clock = ctx.limitClock ?? ctx.clock;
  const deadline = clock.now() + parseDuration(limit);
  while (stillRunning(inflight.pid) && clock.now() < deadline) await abortableSleep(50, undefined, clock);
  if (!stillRunning(inflight.pid)) {
    ctx.decide(
      'rollback',
      'info',
      `recover: ${what} has finished; its push landed or not, the fetch below tells`,
    );
    return;
  }
  killProcessGroup(inflight.pid, 'SIGTERM');
  const grace = clock.now() + 2_000;
  while (stillRunning(inflight.pid) && clock.now() < grace) await abortableSleep(50, undefined, clock);
  killProcessGroup(inflight.pid, 'SIGKILL');
  ctx.decide(
    'rollback',
    'warn',
    `recover: ${what} was still running after ${limit}: killed its process group`,
  );
}

const shown = (commits: DrillCommit[]) =>
  commits.map((c) => `${c.sha.slice(0, 7)} "${c.subject}"`).join(', ');

/**
 * Fetches the remote and looks for this drill's unreverted commits. `before` only reports; `after` reverts
 * what is left and returns that revert as a rollback action record (undefined when there was nothing to do).
 */
export async function reconcileGit(
  ctx: GitRollbackContext,
  when: 'before' | 'after',
): Promise<ActionRecord | undefined> {
  const repo = ctx.env.repo;
  const subjects = ctx.drill.inject.flatMap((action) => (action.type === 'git' ? [action.message] : []));
  const unreverted = repo?.unreverted?.bind(repo);
  if (subjects.length === 0 || !repo || !unreverted) return undefined;
  const { clock } = ctx;
  const limitClock = ctx.limitClock ?? clock;
  const stamp = () => new Date(clock.now()).toISOString();
  const started = stamp();
  /** Runs `call` within the Git action limit, on the drill's clock. */
  const limited = async <T>(call: (options: { signal: AbortSignal }) => Promise<T>): Promise<T> => {
    const { signal, cancel } = timeoutSignal(limitClock, parseDuration(defaultActionLimits.git));
    try {
      return await call({ signal });
    } finally {
      cancel();
    }
  };
  const record = (status: ActionRecord['status'], detail: string): ActionRecord => ({
    type: 'git-revert',
    description: `revert the commits of this drill still on ${repo.location}`,
    status,
    detail,
    started,
    ended: stamp(),
  });
  let found: DrillCommit[];
  try {
    found = await limited((options) => unreverted(subjects, options));
  } catch (error) {
    const detail = `could not fetch ${repo.location} to look for this drill's commits: ${messageOf(error)}`;
    ctx.decide('rollback', 'error', detail);
    return when === 'after' ? record('failed', detail) : undefined;
  }
  if (when === 'before') {
    ctx.decide(
      'rollback',
      'info',
      found.length > 0
        ? `fetched ${repo.location}: ${found.length} commit(s) of this drill on it, not reverted: ${shown(found)}`
        : `fetched ${repo.location}: no commit of this drill is on it unreverted`,
    );
    return undefined;
  }
  if (found.length === 0) {
    ctx.decide(
      'rollback',
      'ok',
      `fetched ${repo.location} after the rollback: no commit of this drill is left unreverted`,
    );
    return undefined;
  }
  ctx.decide(
    'rollback',
    'warn',
    `fetched ${repo.location} after the rollback: still there unreverted: ${shown(found)}; reverting`,
  );
  const revertSubjects = repo.revertSubjects?.bind(repo);
  if (!revertSubjects) return record('failed', 'this repository cannot revert by subject');
  try {
    const { reverted } = await limited((options) => revertSubjects(subjects, options));
    const detail = `reverted ${reverted.map((sha) => sha.slice(0, 7)).join(', ') || 'nothing'} and pushed`;
    ctx.decide('rollback', 'ok', detail);
    return record('ok', detail);
  } catch (error) {
    const detail = messageOf(error);
    ctx.decide('rollback', 'error', `could not revert the drill commits left on ${repo.location}: ${detail}`);
    return record('failed', detail);
  }
}
