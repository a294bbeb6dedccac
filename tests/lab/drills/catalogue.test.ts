/**
 * Every drill of the catalogue against the simulated lab (src/lab/sim) on a virtual clock, at the real 1x timing of
 * Argo CD 3.1, Argo Rollouts 1.8 and Kubernetes as the models calibrate it: each holds, and each fails when its window
 * (or wait) is shorter than the delay the model says the real lab needs. Runs are seeded, so the result is the same on
 * an idle and on a busy machine.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runDrill } from '../../../src/lab/drills/engine.js';
import { evaluateExpectation } from '../../../src/lab/drills/expectations.js';
import type { DrillJournal } from '../../../src/lab/drills/journal.js';
import { type Drill, findDrill } from '../../../src/lab/drills/load.js';
import { VirtualClock } from '../../../src/lab/sim/clock.js';
import { type SimLab, type SimLabOptions, startSimLab } from '../../../src/lab/sim/lab.js';
import { argoSettings, labArgoConfig } from '../../../src/lab/sim/settings.js';

let lab: SimLab | undefined;
afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

async function run(drill: Drill, options: SimLabOptions = {}): Promise<DrillJournal> {
  const clock = new VirtualClock();
  lab = await startSimLab({ seed: 7, ...options, clock });
  const journal = await runDrill(drill, { env: lab.env, clock });
  await lab.close();
  lab = undefined;
  return journal;
}

/** When the last expectation that needs something to happen was first met (ms into the window). */
function delayOf(drill: Drill, journal: DrillJournal): number {
  let latest = 0;
  for (const e of drill.observe.expect) {
    const samples = journal.observe?.samples[e.probe.id] ?? [];
    const k = samples.findIndex((_, i) => evaluateExpectation(e, samples.slice(0, i + 1)).met);
    latest = Math.max(latest, samples[k]?.t ?? 0);
  }
  return latest;
}

const seconds = (ms: number) => `${Math.floor(ms / 1000)}s`;
const met = (journal: DrillJournal) => journal.observe?.expectations.map((e) => [e.probe, e.met]);

// Generous limits: a hang guard for an overloaded machine; what the tests assert is virtual time.
describe('the catalogue on the simulated lab at real (1x) timing', { timeout: 180_000 }, () => {
  // git-unreachable and latency-slo do not hold as written: see their own tests below.
  it.each(['argo-vs-hpa', 'bad-canary', 'bad-image', 'config-no-reload', 'drift-self-heal'])(
    '%s holds, and fails with its window cut below the delay it needs',
    async (name) => {
      const drill = await findDrill(name);
      const journal = await run(drill);
      expect(journal.reason).toBeUndefined();
      expect(journal.status).toBe('completed');
      expect(journal.rollback.every((a) => a.status === 'ok')).toBe(true);
      expect(journal.steady_states.after?.ok).toBe(true);
      const delay = delayOf(drill, journal);
      const interval = journal.observe?.samples
        ? Number.parseInt(drill.observe.interval, 10) * (drill.observe.interval.endsWith('m') ? 60_000 : 1000)
        : 0;
      // The real lab needs `delay` (seconds to minutes): a window that closes before it cannot see the behaviour.
      expect(delay).toBeGreaterThanOrEqual(interval);
      const short = await run({ ...drill, observe: { ...drill.observe, window: seconds(delay - interval) } });
      expect(short.status).toBe('failed');
      expect(short.reason).toBe('the expected behaviour was not observed');
      expect(short.rollback.every((a) => a.status === 'ok')).toBe(true);
    },
  );

  it('argo-controller-down holds; the catch-up after the controller returns needs its wait', async () => {
    const drill = await findDrill('argo-controller-down');
    const journal = await run(drill);
    expect(journal.reason).toBeUndefined();
    expect(journal.status).toBe('completed');
    expect(met(journal)).toEqual([
      ['drill-note-absent', true],
      ['docqa-serving', true],
      ['reconciled-at', true],
    ]);
    // Nothing reaches the cluster while the controller is down, however long the window: its timing is the
    // catch-up after the rollback starts the controller (a comparison at start, then the sync).
    const wait = journal.rollback[1];
    expect(wait?.type).toBe('wait');
    const caughtUp = Date.parse(wait?.ended ?? '') - Date.parse(journal.rollback[0]?.ended ?? '');
    expect(caughtUp).toBeGreaterThan(0);
    const rollback = drill.rollback.map((a, i) =>
      i === 1 ? { ...a, timeout: seconds(caughtUp - 1000) } : a,
    );
    const short = await run({ ...drill, rollback });
    expect(short.rollback.map((a) => [a.type, a.status])).toEqual([
      ['scale', 'ok'],
      ['wait', 'failed'],
      ['git-revert', 'ok'],
    ]);
    expect(short.rollback[1]?.detail).toMatch(/^gave up waiting after \d+s/);
  });

  it('git-unreachable does not hold at 1x: ComparisonError can come after the 4-minute window', async () => {
    // After the repo-server's cached refs expire (timeout.reconciliation), Argo CD 3.1 ignores repo errors for
    // controller.repo.error.grace.period.seconds (180 s unless the lab sets it): with the lab's 60 s resync and
    // its jitter the error shows 190 to 260 s after Git went away (seeds 1 to 8); seed 5 is a late one.
    const drill = await findDrill('git-unreachable');
    const today = { seed: 5, settings: argoSettings(labArgoConfig().cm, {}) };
    const journal = await run(drill, today);
    expect(journal.status).toBe('failed');
    expect(met(journal)).toEqual([
      ['comparison-error', false],
      ['sync-unknown', false],
      ['docqa-serving', true],
      ['docqa-pods-available', true],
    ]);
    const longer = await run(
      { ...drill, timeout: '20m', observe: { ...drill.observe, window: '7m' } },
      today,
    );
    expect(longer.status).toBe('completed');
    expect(delayOf(drill, longer)).toBeGreaterThan(240_000);
  });

  it('git-unreachable holds at 1x once argocd-cmd-params-cm shortens the repo error grace period', async () => {
    const drill = await findDrill('git-unreachable');
    const params = { 'controller.repo.error.grace.period.seconds': '30' };
    const journal = await run(drill, { seed: 5, settings: argoSettings(labArgoConfig().cm, params) });
    expect(journal.reason).toBeUndefined();
    expect(journal.status).toBe('completed');
    const delay = delayOf(drill, journal);
    const short = await run(
      { ...drill, observe: { ...drill.observe, window: seconds(delay - 10_000) } },
      { seed: 5, settings: argoSettings(labArgoConfig().cm, params) },
    );
    expect(short.status).toBe('failed');
  });

  it('git-unreachable holds at 1x when the drill asks Argo CD for a hard refresh after stopping Git', async () => {
    const drill = await findDrill('git-unreachable');
    const refresh = {
      type: 'annotate' as const,
      description:
        'ask Argo CD to compare with Git now (a hard refresh skips the revision cache and the grace period)',
      target: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', namespace: 'argocd', name: 'docqa' },
      annotations: { 'argocd.argoproj.io/refresh': 'hard' },
    };
    const fixed = { ...drill, inject: [...drill.inject, refresh] };
    const journal = await run(fixed);
    expect(journal.reason).toBeUndefined();
    expect(journal.status).toBe('completed');
    // The forced comparison reports the error at the next sample.
    expect(delayOf(fixed, journal)).toBeLessThanOrEqual(10_000);
  });

  it('latency-slo does not hold as written: with no traffic the grounded ratio is NaN, and `or vector(1)` keeps NaN', async () => {
    const drill = await findDrill('latency-slo');
    const journal = await run(drill);
    expect(journal.status).toBe('failed');
    expect(met(journal)).toEqual([
      ['p95-over-slo', true],
      ['analysis-failed', true],
      ['rollout-aborted', true],
      ['grounded-holds', false],
    ]);
    // The same query with NaN filtered out before `or` (NaN compares false) holds; a short window misses the abort.
    const grounded = drill.observe.expect[3];
    const probe = grounded?.probe.probe as { query: string };
    const fixed = structuredClone(drill);
    (fixed.observe.expect[3]?.probe.probe as { query: string }).query = probe.query
      .replace(/\) or vector\(1\)$/, ') >= 0) or vector(1)')
      .replace(/^\(\(/, '(((');
    const held = await run(fixed);
    expect(held.reason).toBeUndefined();
    expect(held.status).toBe('completed');
    const delay = delayOf(fixed, held);
    const short = await run({ ...fixed, observe: { ...fixed.observe, window: seconds(delay - 10_000) } });
    expect(short.status).toBe('failed');
  });
});
