/**
 * The drill engine: preconditions → steady state (the hypothesis) → inject → observe → rollback → verify.
 *
 * Rollback is the promise: once anything was injected, every rollback action runs, whatever happened before
 * (success, failed expectation, timeout, probe error, an interrupt through `signal`), and a rollback action that
 * fails does not stop the ones after it. The interrupt signal stops inject and observe; rollback and verify
 * ignore it and run to the end (they are bounded by their own waits and `verify.within`).
 *
 * Every Git or Kubernetes action has a time limit (`runAction`): a hung inject action fails and the drill rolls
 * back; a hung rollback action is recorded as failed and the next one runs.
 *
 * Rollback decides from the actual state, not from what the client believes it did: an interrupt lets the
 * action in flight settle first (`runAction`); a git push under way is recorded in the lock, so `--recover`
 * after a SIGKILL waits for (or kills) the push the killed run left behind; then the remote is fetched before
 * and after the rollback actions, and any commit of this drill still on it unreverted is reverted. Each
 * finding is a journal decision. A rollback action that failed fails the run, even if verify passes.
 */
import { hostname } from 'node:os';
import { type Clock, systemClock } from '../clock.js';
import type { DrillEnvironment, KubeObject } from './access.js';
import { describeAction, runAction } from './actions.js';
import { parseDuration } from './duration.js';
import {
  allMet,
  describeExpectation,
  evaluateExpectation,
  expectationStatement,
  type Sample,
} from './expectations.js';
import type {
  ActionRecord,
  DrillJournal,
  DrillPhase,
  DrillStatus,
  ExpectationRecord,
  ProbeCheck,
  ProbeOutput,
  TimelineEntry,
} from './journal.js';
import type { Drill, NamedProbe, ResolvedAction } from './load.js';
import { acquireLock, type DrillLock, type InFlight } from './lock.js';
import { describeProbe, evaluateProbe, k8sObjectResult, numericValue, type ProbeResult } from './probes.js';
import { type GitRollbackContext, reconcileGit, settleLeftover } from './settle.js';
import { AbortedError, abortableSleep } from './time.js';

export type DrillEvent =
  | { kind: 'timeline'; entry: TimelineEntry }
  | {
      kind: 'sample';
      probe: string;
      description: string;
      t: number;
      ok: boolean;
      value: unknown;
      numeric?: number;
    };

export interface RunDrillOptions {
  env: DrillEnvironment;
  /** Aborting it interrupts the drill (Ctrl-C): inject and observe stop, rollback and verify still run. */
  signal?: AbortSignal;
  onEvent?: (event: DrillEvent) => void;
  /** Where the lock lives; `false` runs without a lock (tests of the engine alone). */
  lock?: { namespace?: string } | false;
  /** Run only the rollback and verify (`--recover`). */
  recover?: boolean;
  now?: () => Date;
  /** Where time comes from: waits, samples, windows, timeouts and timestamps (default: the wall clock). */
  clock?: Clock;
  /**
   * Where the time limits of Git and Kubernetes actions run (default: `clock`). They bound real processes and
   * requests, so the CLI against the simulated lab (`up --simulate --speed N`) keeps them on the wall clock.
   */
  limitClock?: Clock;
}

class TimeoutError extends Error {}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export async function runDrill(drill: Drill, options: RunDrillOptions): Promise<DrillJournal> {
  const clock = options.clock ?? systemClock;
  const now = options.now ?? (() => new Date(clock.now()));
  const limitClock = options.limitClock ?? clock;
  const env = options.env;
  const started = now();
  const timeline: TimelineEntry[] = [];
  const emit = (event: DrillEvent) => {
    try {
      options.onEvent?.(event);
    } catch {
      // a broken view must not break the drill
    }
  };
  const note = (phase: TimelineEntry['phase'], level: TimelineEntry['level'], message: string) => {
    const at = now();
    const entry: TimelineEntry = {
      at: at.toISOString(),
      offset_ms: at.getTime() - started.getTime(),
      phase,
      level,
      message,
    };
    timeline.push(entry);
    emit({ kind: 'timeline', entry });
  };

  const journal: DrillJournal = {
    drill: drill.name,
    title: drill.title,
    file: drill.file,
    mode: options.recover ? 'recover' : 'run',
    status: 'completed',
    deviated: false,
    expected_behaviour_observed: false,
    precondition_failed: false,
    hypothesis: drill.steady_state.hypothesis,
    teaches: drill.teaches,
    fix: drill.fix,
    runbook: drill.runbook,
    started: started.toISOString(),
    ended: started.toISOString(),
    duration_ms: 0,
    preconditions: null,
    steady_states: { before: null, after: null },
    inject: [],
    observe: null,
    rollback: [],
    decisions: [],
    timeline,
  };
  const decide = (phase: TimelineEntry['phase'], level: TimelineEntry['level'], decision: string) => {
    journal.decisions.push({ at: now().toISOString(), decision });
    note(phase, level, decision);
  };

  let lock: DrillLock | undefined;
  if (options.lock !== false) {
    const ttlMs = parseDuration(drill.timeout) + parseDuration(drill.verify.within) + 5 * 60_000;
    lock = await acquireLock({
      kube: env.kube,
      namespace: options.lock?.namespace,
      drill: drill.name,
      ttlMs,
      takeOver: options.recover,
      now,
    });
    note('run', 'info', `took the drill lock (${lock.info.holder})`);
  }
  // The git push in flight goes into the lock (in order, never blocking the push) for a later --recover.
  let recording: Promise<void> = Promise.resolve();
  const onInFlight = (process: { pid: number; command: string } | undefined) => {
    if (!lock) return;
    const held = lock;
    const inflight: InFlight | undefined = process && {
      ...process,
      host: hostname(),
      since: now().toISOString(),
    };
    recording = recording
      .then(() => held.record(inflight))
      .catch((error) =>
        note('run', 'warn', `could not record the git push in the lock: ${messageOf(error)}`),
      );
  };

  // The run's own signal: the caller's interrupt or the drill's timeout, whichever comes first.
  const interrupt = options.signal;
  const timeout = new AbortController();
  const cancelTimeout = clock.setTimer(parseDuration(drill.timeout), () =>
    timeout.abort(new TimeoutError(`timed out after ${drill.timeout}`)),
  );
  const signal = interrupt ? AbortSignal.any([interrupt, timeout.signal]) : timeout.signal;
  const onInterrupt = () => note('run', 'warn', 'interrupted: stopping and rolling back');
  interrupt?.addEventListener('abort', onInterrupt, { once: true });

  let injected = false;
  try {
    if (options.recover) {
      injected = true;
      note('run', 'info', 'recover: running only the rollback and verify');
    } else {
      injected = await runForward(drill, {
        env,
        clock,
        limitClock,
        signal,
        note,
        emit,
        journal,
        onInFlight,
        markInjected: () => {
          injected = true;
        },
      });
    }
  } catch (error) {
    if (interrupt?.aborted) {
      journal.status = 'interrupted';
      journal.reason =
        typeof interrupt.reason === 'string' && interrupt.reason.startsWith('SIG')
          ? `interrupted by ${interrupt.reason}`
          : 'interrupted by a signal (Ctrl-C, SIGTERM or SIGHUP)';
    } else if (timeout.signal.aborted) {
      journal.status = 'aborted';
      journal.reason = `timed out after ${drill.timeout}`;
      note('run', 'error', journal.reason);
    } else {
      journal.status = 'aborted';
      journal.reason = messageOf(error);
      note('run', 'error', `aborted: ${journal.reason}`);
    }
  } finally {
    cancelTimeout();
    interrupt?.removeEventListener('abort', onInterrupt);
  }

  try {
    if (injected) {
      await recording;
      const git: GitRollbackContext = {
        drill,
        env,
        decide,
        previous: lock?.previous,
        clock,
        limitClock,
      };
      if (options.recover) await settleLeftover(git);
      await reconcileGit(git, 'before');
      journal.rollback = await runActions('rollback', drill.rollback, { env, clock, limitClock, note });
      const extra = await reconcileGit(git, 'after');
      if (extra) journal.rollback.push(extra);
      const failedActions = journal.rollback.filter((a) => a.status === 'failed');
      const failed = failedActions.length;
      if (failed > 0)
        note('rollback', 'error', `${failed} rollback action(s) failed; the lab may need a hand`);
      journal.steady_states.after = await verify(drill, { env, clock, note });
      journal.deviated = !journal.steady_states.after.ok;
      if (journal.deviated && journal.status === 'completed') {
        journal.status = 'failed';
        journal.reason = 'the steady state did not hold again after recovery';
      } else if (failed > 0 && journal.status === 'completed') {
        // Verify passing does not make a failed rollback step fine: what it should have undone may still be there.
        journal.status = 'failed';
        journal.reason = `${failed} rollback action(s) failed: ${failedActions.map((a) => `${a.description}: ${a.detail}`).join('; ')}`;
      }
    } else if (journal.status !== 'completed' || journal.precondition_failed) {
      note('rollback', 'info', 'nothing was injected, so there is nothing to roll back');
    }
  } finally {
    if (lock) {
      try {
        await lock.release();
        note('run', 'info', 'released the drill lock');
      } catch (error) {
        note('run', 'warn', `could not release the drill lock: ${messageOf(error)}`);
      }
    }
  }

  const ended = now();
  journal.ended = ended.toISOString();
  journal.duration_ms = ended.getTime() - started.getTime();
  note(
    'run',
    journal.status === 'completed' ? 'ok' : 'error',
    `verdict: ${journal.status}${journal.reason ? ` (${journal.reason})` : ''}`,
  );
  return journal;
}

type Note = (phase: TimelineEntry['phase'], level: TimelineEntry['level'], message: string) => void;

interface ForwardContext {
  env: DrillEnvironment;
  clock: Clock;
  limitClock: Clock;
  signal: AbortSignal;
  note: Note;
  emit: (event: DrillEvent) => void;
  journal: DrillJournal;
  markInjected: () => void;
  onInFlight: (process: { pid: number; command: string } | undefined) => void;
}

/** Preconditions, steady state, inject, observe. Returns whether anything was injected. Throws to abort. */
async function runForward(drill: Drill, ctx: ForwardContext): Promise<boolean> {
  const { env, clock, limitClock, signal, note, journal } = ctx;
  const throwIfAborted = () => {
    if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new AbortedError();
  };

  if (drill.preconditions.length > 0) {
    note('preconditions', 'info', `checking ${drill.preconditions.length} precondition(s)`);
    journal.preconditions = await checkProbes('preconditions', drill.preconditions, env, clock, note, signal);
    // A probe cut short by the interrupt is the interrupt, not a failed precondition.
    throwIfAborted();
    if (!journal.preconditions.ok) {
      journal.status = 'aborted';
      journal.precondition_failed = true;
      journal.reason = `precondition failed: ${failures(journal.preconditions)}`;
      return false;
    }
  }
  throwIfAborted();

  note('steady-state', 'info', `hypothesis: ${drill.steady_state.hypothesis}`);
  journal.steady_states.before = await checkProbes(
    'steady-state',
    drill.steady_state.probes,
    env,
    clock,
    note,
    signal,
  );
  throwIfAborted();
  if (!journal.steady_states.before.ok) {
    journal.status = 'failed';
    journal.reason = `the steady state did not hold before injecting, so nothing was injected: ${failures(journal.steady_states.before)}`;
    note('steady-state', 'error', journal.reason);
    return false;
  }
  throwIfAborted();

  ctx.markInjected();
  for (const action of drill.inject) {
    throwIfAborted();
    const record = await runOne('inject', action, {
      env,
      clock,
      limitClock,
      note,
      signal,
      onInFlight: ctx.onInFlight,
    });
    journal.inject.push(record);
    if (record.status === 'failed')
      throw new Error(`inject action failed: ${record.description}: ${record.detail}`);
  }
  throwIfAborted();

  await observe(drill, ctx);
  return true;
}

function failures(check: ProbeCheck): string {
  return check.probes
    .filter((p) => !p.ok)
    .map((p) => `${p.description} (${p.error ?? p.detail})`)
    .join('; ');
}

function output(named: NamedProbe, result: ProbeResult | undefined, error?: unknown): ProbeOutput {
  return {
    id: named.id,
    description: describeProbe(named.probe),
    ok: result?.ok ?? false,
    value: result?.value,
    detail: result?.detail ?? messageOf(error),
    ...(error === undefined ? {} : { error: messageOf(error) }),
  };
}

/** Evaluates probes once. A probe error counts as not ok and is recorded (callers decide what it means). */
async function checkProbes(
  phase: DrillPhase,
  probes: NamedProbe[],
  env: DrillEnvironment,
  clock: Clock,
  note: Note | undefined,
  signal?: AbortSignal,
): Promise<ProbeCheck> {
  const at = new Date(clock.now()).toISOString();
  const outputs = await Promise.all(
    probes.map(async (named) => {
      try {
        return output(named, await evaluateProbe(named, env, signal, clock));
      } catch (error) {
        return output(named, undefined, error);
      }
    }),
  );
  for (const o of outputs) {
    note?.(phase, o.ok ? 'ok' : 'error', `${o.ok ? '✓' : '✗'} ${o.description}: ${o.detail}`);
  }
  return { ok: outputs.every((o) => o.ok), at, probes: outputs };
}

async function runOne(
  phase: DrillPhase,
  action: ResolvedAction,
  ctx: {
    env: DrillEnvironment;
    clock: Clock;
    limitClock: Clock;
    note: Note;
    signal?: AbortSignal;
    onInFlight?: ForwardContext['onInFlight'];
  },
): Promise<ActionRecord> {
  const description = describeAction(action);
  const stamp = () => new Date(ctx.clock.now()).toISOString();
  const started = stamp();
  ctx.note(phase, 'info', `→ ${description}`);
  try {
    const outcome = await runAction(action, {
      env: ctx.env,
      signal: ctx.signal,
      onSettling: (message) => ctx.note(phase, 'warn', message),
      onInFlight: ctx.onInFlight,
      clock: ctx.clock,
      limitClock: ctx.limitClock,
    });
    ctx.note(phase, 'ok', `✓ ${outcome.detail}`);
    return {
      type: action.type,
      description,
      status: 'ok',
      detail: outcome.detail,
      started,
      ended: stamp(),
    };
  } catch (error) {
    if (error instanceof AbortedError) throw error;
    const detail = messageOf(error);
    if (ctx.signal?.aborted) {
      // Interrupted, and the action in flight failed as it settled (e.g. killed at its limit): say so, then stop.
      ctx.note(phase, 'error', `✗ ${description}: ${detail}`);
      throw error;
    }
    ctx.note(phase, 'error', `✗ ${description}: ${detail}`);
    return {
      type: action.type,
      description,
      status: 'failed',
      detail,
      started,
      ended: stamp(),
    };
  }
}

/** Runs every action, recording failures and carrying on: the rollback contract. */
async function runActions(
  phase: DrillPhase,
  actions: ResolvedAction[],
  ctx: { env: DrillEnvironment; clock: Clock; limitClock: Clock; note: Note },
): Promise<ActionRecord[]> {
  ctx.note(phase, 'info', `rolling back (${actions.length} action(s), each runs even if one fails)`);
  const records: ActionRecord[] = [];
  for (const action of actions) records.push(await runOne(phase, action, ctx));
  return records;
}

async function observe(drill: Drill, ctx: ForwardContext): Promise<void> {
  const { env, clock, signal, note, emit, journal } = ctx;
  const { window, interval, expect, record, stop_when_met } = drill.observe;
  const windowMs = parseDuration(window);
  const intervalMs = parseDuration(interval);
  const probes = new Map<string, NamedProbe>();
  for (const named of [...expect.map((e) => e.probe), ...record]) probes.set(named.id, named);
  const series = new Map<string, Sample[]>([...probes.keys()].map((id) => [id, []]));
  journal.observe = {
    window_ms: parseDuration(window),
    samples: Object.fromEntries(series),
    expectations: [],
  };
  note(
    'observe',
    'info',
    `observing for ${window}, every ${interval}: ${expect.map((e) => expectationStatement(e)).join('; ')}`,
  );

  const opened = clock.now();
  // The fault began with the first inject action: expectations say how long after it they were met.
  const injectStarted = Date.parse(journal.inject[0]?.started ?? '');
  const sinceFaultMs = Number.isNaN(injectStarted) ? undefined : opened - injectStarted;
  const last = new Map<string, unknown>();
  const watches = watchChanges(drill, env, clock, opened);
  let stoppedEarly = false;
  try {
    for (;;) {
      await Promise.all(
        [...probes.values()].map(async (named) => {
          const result = await evaluateProbe(named, env, signal, clock);
          // Stamped when the answer came: on a simulated lab's clock a read takes simulated time (a second at 20x).
          const t = Math.round(clock.now() - opened);
          const sample: Sample = { t, ok: result.ok, value: result.value, detail: result.detail };
          series.get(named.id)?.push(sample);
          emit({
            kind: 'sample',
            probe: named.id,
            description: describeProbe(named.probe),
            t,
            ok: result.ok,
            value: result.value,
            numeric: numericValue(result),
          });
          const previous = last.get(named.id);
          if (!last.has(named.id) || JSON.stringify(previous) !== JSON.stringify(result.value)) {
            note('observe', 'info', `${named.id}: ${result.detail}`);
            last.set(named.id, result.value);
          }
        }),
      );
      if (stop_when_met && allMet(expect, series)) {
        stoppedEarly = true;
        break;
      }
      const elapsed = clock.now() - opened;
      if (elapsed + intervalMs > windowMs) break;
      await abortableSleep(intervalMs, signal, clock);
    }
  } finally {
    journal.observe.samples = Object.fromEntries(series);
    const changes = await watches.stop();
    if (Object.keys(changes).length > 0) journal.observe.changes = changes;
    // A value expectation is judged on every value the watch saw where it saw the whole window: samples taken
    // every `interval` miss a state shorter than that (the HPA's 2 replicas for the 2 s before self-heal).
    const judged = new Map(series);
    for (const [id, seen] of Object.entries(changes)) judged.set(id, seen);
    journal.observe.expectations = judge(expect, judged, sinceFaultMs);
  }
  for (const [id, seen] of Object.entries(journal.observe.changes ?? {}))
    note(
      'observe',
      'info',
      `${id}: the watch saw ${seen.length} value${seen.length === 1 ? '' : 's'} in the window`,
    );
  if (stoppedEarly) note('observe', 'info', 'every expectation met: closing the window early');
  const records = journal.observe.expectations;
  for (const r of records) {
    note('observe', r.met ? 'ok' : 'error', `${r.met ? '✓' : '✗'} ${r.statement}: ${r.detail}`);
  }
  journal.expected_behaviour_observed = records.every((r) => r.met);
  if (!journal.expected_behaviour_observed) {
    journal.status = 'failed';
    journal.reason = 'the expected behaviour was not observed';
  }
}

/**
 * Watches, for the observe window, the object of each single-object `k8s` probe that a `flaps` or `changes`
 * expectation judges, when the environment can watch (KubeAccess.watchObject): every value the object's path took,
 * in order, stamped when seen. `stop()` ends them and returns the series of the watches that held for the whole
 * window (a watch that broke may have missed a change: its probe is judged on its samples instead).
 */
function watchChanges(
  drill: Drill,
  env: DrillEnvironment,
  clock: Clock,
  opened: number,
): { stop(): Promise<Record<string, Sample[]>> } {
  const watchObject = env.kube.watchObject?.bind(env.kube);
  if (!watchObject) return { stop: async () => ({}) };
  const controller = new AbortController();
  const running: Array<Promise<[string, Sample[]] | undefined>> = [];
  const ids = new Set<string>();
  for (const e of drill.observe.expect) {
    const { id, probe } = e.probe;
    if (ids.has(id) || (!e.flaps && !e.changes)) continue;
    if (probe.type !== 'k8s' || probe.target.name === undefined) continue;
    ids.add(id);
    const seen: Sample[] = [];
    const onObject = (object: KubeObject | undefined) => {
      const result = k8sObjectResult(probe, object);
      const previous = seen[seen.length - 1];
      if (previous && JSON.stringify(previous.value) === JSON.stringify(result.value)) return;
      seen.push({
        t: Math.round(clock.now() - opened),
        ok: result.ok,
        value: result.value,
        detail: result.detail,
      });
    };
    const ref = { ...probe.target, name: probe.target.name };
    running.push(
      watchObject(ref, onObject, { signal: controller.signal }).then(
        (ended) => (ended.error || seen.length === 0 ? undefined : [id, seen]),
        () => undefined,
      ),
    );
  }
  return {
    async stop() {
      controller.abort();
      const done = await Promise.all(running);
      return Object.fromEntries(done.filter((x): x is [string, Sample[]] => x !== undefined));
    },
  };
}

function judge(
  expect: Drill['observe']['expect'],
  series: Map<string, Sample[]>,
  sinceFaultMs?: number,
): ExpectationRecord[] {
  return expect.map((e) => {
    const verdict = evaluateExpectation(e, series.get(e.probe.id) ?? [], sinceFaultMs);
    return {
      probe: e.probe.id,
      description: e.description ?? describeProbe(e.probe.probe),
      expectation: describeExpectation(e),
      statement: expectationStatement(e),
      met: verdict.met,
      detail: verdict.detail,
    };
  });
}

/** Polls the verify probes until they all pass or `verify.within` runs out; returns the last check. */
async function verify(
  drill: Drill,
  ctx: { env: DrillEnvironment; clock: Clock; note: Note },
): Promise<ProbeCheck> {
  const { env, clock, note } = ctx;
  const deadline = clock.now() + parseDuration(drill.verify.within);
  const interval = parseDuration(drill.verify.interval);
  note('verify', 'info', `verifying the steady state again (for up to ${drill.verify.within})`);
  for (;;) {
    const check = await checkProbes('verify', drill.verify.probes, env, clock, undefined);
    if (check.ok || clock.now() + interval > deadline) {
      for (const o of check.probes) {
        note('verify', o.ok ? 'ok' : 'error', `${o.ok ? '✓' : '✗'} ${o.description}: ${o.detail}`);
      }
      note(
        'verify',
        check.ok ? 'ok' : 'error',
        check.ok ? 'the steady state holds again' : 'the steady state did not come back',
      );
      return check;
    }
    await abortableSleep(interval, undefined, clock);
  }
}

export type { DrillStatus };
