import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PreconditionError } from '../../../src/errors.js';
import { type Clock, sleep } from '../../../src/lab/clock.js';
import type { KubeAccess } from '../../../src/lab/drills/access.js';
import { runDrill } from '../../../src/lab/drills/engine.js';
import { loadDrillFile, parseDrill } from '../../../src/lab/drills/load.js';
import { lockName } from '../../../src/lab/drills/lock.js';
import { fixture, type SimLab, startSimLab } from './lab-sim.js';

const rollout = (lab: SimLab) => lab.fake.get('argoproj.io/v1alpha1', 'Rollout', 'docqa', 'docqa');
const replicas = (lab: SimLab) => (rollout(lab)?.spec as { replicas?: number } | undefined)?.replicas;
const lockObject = (lab: SimLab) => lab.fake.get('v1', 'ConfigMap', lockName, 'argocd');
/** Seeds the drill lock as another run left it. */
const seedLock = (lab: SimLab, data: Record<string, string>) =>
  lab.fake.seed({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: lockName, namespace: 'argocd' },
    data: { drill: 'scale-drill', ...data },
  });
/** A lock a run took on 1 Jan 2026 for ten minutes: stale on the lab's clock (1 Feb 2026). */
const staleLock = { holder: 'old', started: '2026-01-01T00:00:00.000Z', expires: '2026-01-01T00:10:00.000Z' };

// Generous limits: a hang guard for an overloaded machine; what the tests assert is virtual time.
describe('drill engine against the simulated API server on a virtual clock', { timeout: 180_000 }, () => {
  let lab: SimLab;

  beforeEach(async () => {
    lab = await startSimLab();
  });
  afterEach(async () => {
    await lab.close();
  });

  it('runs every rollback action even when one fails, and reports the failure', async () => {
    const drill = await loadDrillFile(fixture('failing-rollback'));
    const journal = await runDrill(drill, { env: lab.env, clock: lab.clock });
    expect(journal.rollback.map((a) => a.status)).toEqual(['failed', 'ok', 'ok']);
    expect(journal.rollback[0]?.detail).toMatch(/not ?found|no-such-config/i);
    expect(replicas(lab)).toBe(2);
    expect(rollout(lab)?.metadata?.annotations?.['gitops-lab/recovered']).toBe('yes');
    expect(journal.timeline.some((e) => e.message.includes('1 rollback action(s) failed'))).toBe(true);
    // Verify passed, but a rollback step failed: the run fails (exit 1), naming the step.
    expect(journal.steady_states.after?.ok).toBe(true);
    expect(journal.status).toBe('failed');
    expect(journal.reason).toMatch(/^1 rollback action\(s\) failed: patch a ConfigMap that is not there: /);
  });

  it('--recover fails when a rollback action fails, even though verify passes', async () => {
    const drill = await loadDrillFile(fixture('failing-rollback'));
    const journal = await runDrill(drill, { env: lab.env, recover: true });
    expect(journal.mode).toBe('recover');
    expect(journal.steady_states.after?.ok).toBe(true);
    expect(journal.rollback.map((a) => a.status)).toEqual(['failed', 'ok', 'ok']);
    expect(journal.status).toBe('failed');
  });

  it('refuses to start while another drill holds the lock, naming it', async () => {
    const drill = await loadDrillFile(fixture('scale-drill'));
    seedLock(lab, {
      holder: 'ana@laptop pid 42',
      drill: 'bad-canary',
      started: new Date(lab.clock.now()).toISOString(),
      expires: new Date(lab.clock.now() + 60_000).toISOString(),
    });
    const error = await runDrill(drill, { env: lab.env, clock: lab.clock }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PreconditionError);
    expect((error as Error).message).toContain(
      'another drill is running: bad-canary, held by ana@laptop pid 42',
    );
    expect(replicas(lab)).toBe(2);
    expect(lockObject(lab)?.data).toMatchObject({ drill: 'bad-canary' });
  });

  it('lets only one of two drills started together run', async () => {
    const drill = await loadDrillFile(fixture('scale-drill'));
    const results = await Promise.allSettled([
      runDrill(drill, { env: lab.env, clock: lab.clock }),
      runDrill(drill, { env: lab.env, clock: lab.clock }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(PreconditionError);
    expect(lockObject(lab)).toBeUndefined();
  });

  it('hints at --recover for a stale lock and --recover takes it over and rolls back', async () => {
    const drill = await loadDrillFile(fixture('scale-drill'));
    lab.fake.update('argoproj.io/v1alpha1', 'Rollout', 'docqa', 'docqa', (o) => {
      (o.spec as { replicas: number }).replicas = 5;
    });
    seedLock(lab, staleLock);
    const refused = await runDrill(drill, { env: lab.env, clock: lab.clock }).catch((e: unknown) => e);
    expect((refused as PreconditionError).hint).toMatch(/stale.*gitops-lab drill scale-drill --recover/);

    const journal = await runDrill(drill, { env: lab.env, clock: lab.clock, recover: true });
    expect(journal.mode).toBe('recover');
    expect(journal.status).toBe('completed');
    expect(journal.inject).toEqual([]);
    expect(journal.rollback.map((a) => a.status)).toEqual(['ok']);
    expect(replicas(lab)).toBe(2);
    expect(lockObject(lab)).toBeUndefined();
  });

  /**
   * `--recover` after a killed run that left a git push in flight: the push is a process group whose command line
   * says git and that never ends (unreferenced, so the virtual clock does not count it as real work under way
   * here). Returns the drill-clock times of the "found" and "killed" decisions and the signal that ended it.
   */
  async function recoverLeftoverPush(options: { limitClock?: Clock } = {}) {
    const { spawn } = await import('node:child_process');
    const { hostname } = await import('node:os');
    const push = spawn('bash', ['-c', 'exec -a git-push-leftover sleep 3600'], {
      detached: true,
      stdio: 'ignore',
    });
    push.unref();
    const ended = new Promise<NodeJS.Signals | null>((resolve) => push.on('exit', (_, sig) => resolve(sig)));
    try {
      const drill = await loadDrillFile(fixture('scale-drill'));
      const since = new Date(lab.clock.now() - 5_000).toISOString();
      seedLock(lab, {
        ...staleLock,
        inflight: JSON.stringify({ pid: push.pid, host: hostname(), command: 'git push', since }),
      });
      const journal = await runDrill(drill, { env: lab.env, clock: lab.clock, recover: true, ...options });
      const at = (pattern: RegExp) => {
        const decision = journal.decisions.find((d) => pattern.test(d.decision));
        expect(decision, `a decision matching ${pattern}`).toBeDefined();
        return Date.parse(decision?.at ?? '');
      };
      return {
        status: journal.status,
        found: at(/^recover: found git push \(pid \d+, .*\) still in flight.*at most 120s/),
        killed: at(/^recover: git push .* was still running after 120s: killed its process group$/),
        signal: await ended,
      };
    } finally {
      if (push.exitCode === null && push.signalCode === null) push.kill('SIGKILL');
    }
  }

  it('--recover waits for a leftover git push on the injected clock, then kills it, in virtual time', async () => {
    const { status, found, killed, signal } = await recoverLeftoverPush();
    expect(status).toBe('completed');
    expect(replicas(lab)).toBe(2);
    // The 120 s limit (and the 2 s grace after SIGTERM) passed on the drill's virtual clock, not the wall clock.
    expect(killed - found).toBeGreaterThanOrEqual(120_000);
    expect(killed - found).toBeLessThanOrEqual(122_100);
    expect(signal).toBe('SIGTERM');
  });

  it('--recover waits for a leftover git push on limitClock when one is given', async () => {
    // A limit clock that jumps to each timer at once: the 120 s pass there, and the drill clock stands still.
    // (The rollback's own action limits run out at once on it too: the verdict is not what is tested here.)
    let t = 0;
    const limitClock: Clock = {
      now: () => t,
      setTimer: (ms, fn) => {
        const timer = setImmediate(() => {
          t += ms;
          fn();
        });
        return () => clearImmediate(timer);
      },
    };
    const { found, killed, signal } = await recoverLeftoverPush({ limitClock });
    expect(killed - found).toBe(0);
    expect(t).toBeGreaterThanOrEqual(120_000);
    expect(signal).toBe('SIGTERM');
  });

  it('--recover refuses to race a drill that is still running on this machine', async () => {
    const { hostname } = await import('node:os');
    const drill = await loadDrillFile(fixture('scale-drill'));
    seedLock(lab, {
      holder: `me@${hostname()} pid ${process.ppid}`,
      started: new Date(lab.clock.now()).toISOString(),
      expires: new Date(lab.clock.now() + 60_000).toISOString(),
    });
    const error = await runDrill(drill, { env: lab.env, clock: lab.clock, recover: true }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PreconditionError);
    expect((error as Error).message).toBe(
      `drill scale-drill is still running on this machine (pid ${process.ppid}); --recover would race it.`,
    );
    expect(lockObject(lab)).toBeDefined();
  });

  it('rolls back when interrupted mid-observe and reports "interrupted"', async () => {
    const drill = await loadDrillFile(fixture('slow-inject'));
    const controller = new AbortController();
    const journalPromise = runDrill(drill, {
      env: lab.env,
      signal: controller.signal,
      onEvent: (event) => {
        if (event.kind === 'timeline' && event.entry.message.startsWith('✓ scaled')) controller.abort();
      },
    });
    const journal = await journalPromise;
    expect(journal.status).toBe('interrupted');
    expect(journal.observe).toBeNull();
    expect(journal.rollback.map((a) => a.status)).toEqual(['ok', 'ok', 'ok']);
    expect(replicas(lab)).toBe(2);
    expect(rollout(lab)?.metadata?.annotations?.['gitops-lab/rolled-back']).toBe('yes');
    expect(journal.timeline.some((e) => e.message.startsWith('interrupted'))).toBe(true);
  });

  it('aborts on a probe error during observe and still rolls back', async () => {
    const drill = await loadDrillFile(fixture('scale-drill'));
    const journalPromise = runDrill(drill, {
      env: lab.env,
      onEvent: (event) => {
        if (
          event.kind === 'timeline' &&
          event.entry.phase === 'observe' &&
          event.entry.message.startsWith('observing')
        ) {
          lab.fake.failOn({
            method: 'GET',
            plural: 'rollouts',
            status: 500,
            message: 'etcd is on fire',
            times: 1,
          });
        }
      },
    });
    const journal = await journalPromise;
    expect(journal.status).toBe('aborted');
    expect(journal.reason).toMatch(/probe replicas: cannot read from the cluster/);
    expect(journal.rollback.map((a) => a.status)).toEqual(['ok']);
    expect(replicas(lab)).toBe(2);
  });

  it('aborts at the drill timeout and rolls back', async () => {
    const drill = await loadDrillFile(fixture('slow-inject'));
    const journal = await runDrill({ ...drill, timeout: '300ms' }, { env: lab.env, clock: lab.clock });
    expect(journal.status).toBe('aborted');
    expect(journal.reason).toBe('timed out after 300ms');
    expect(replicas(lab)).toBe(2);
    expect(journal.rollback).toHaveLength(3);
  });

  /** The lab's KubeAccess, except that a patch matching `hangs` never returns (it records the signal it got). */
  function hangingKube(
    hangs: (patch: unknown) => boolean,
    signals: AbortSignal[] = [],
    onHang: () => void = () => {},
  ): KubeAccess {
    const kube = lab.env.kube;
    return {
      ...kube,
      patch: (ref, patch, type, options) => {
        if (!hangs(patch)) return kube.patch(ref, patch, type, options);
        if (options?.signal) signals.push(options.signal);
        onHang();
        return new Promise<never>(() => {});
      },
    };
  }
  const scaleTo = (n: number) => (patch: unknown) =>
    (patch as { spec?: { replicas?: number } }).spec?.replicas === n;

  it('fails a hung inject action at its time limit, naming it, and still rolls back', async () => {
    const signals: AbortSignal[] = [];
    const drill = await loadDrillFile(fixture('scale-drill'));
    const inject = drill.inject.map((a) => ({ ...a, timeout: '150ms' }));
    const journal = await runDrill(
      { ...drill, inject },
      { env: { ...lab.env, kube: hangingKube(scaleTo(5), signals) }, clock: lab.clock },
    );
    // The limit is virtual time: the inject gave up 150 ms after it started, on an idle or a busy machine.
    const started = Date.parse(journal.inject[0]?.started ?? '');
    expect(Date.parse(journal.inject[0]?.ended ?? '') - started).toBe(150);
    expect(journal.status).toBe('aborted');
    expect(journal.reason).toBe(
      'inject action failed: scale Rollout docqa/docqa to 5: the scale action did not finish within its time limit of 150ms (set `timeout:` on the action to change it)',
    );
    expect(journal.inject.map((a) => a.status)).toEqual(['failed']);
    expect(journal.rollback.map((a) => [a.type, a.status])).toEqual([['scale', 'ok']]);
    expect(signals.map((s) => s.aborted)).toEqual([true]);
    expect(replicas(lab)).toBe(2);
  });

  it('runs the time limits of actions on limitClock (the wall clock beside a simulated lab), not on the drill clock', async () => {
    // A limit clock the test fires by hand: the moment the inject hangs, its limit runs out.
    const limits: number[] = [];
    let fireLimit: (() => void) | undefined;
    const limitClock = {
      now: () => 0,
      setTimer: (ms: number, fn: () => void) => {
        limits.push(ms);
        fireLimit = fn;
        return () => {};
      },
    };
    const drill = await loadDrillFile(fixture('scale-drill'));
    const inject = drill.inject.map((a) => ({ ...a, timeout: '150ms' }));
    const journal = await runDrill(
      { ...drill, inject },
      {
        env: { ...lab.env, kube: hangingKube(scaleTo(5), [], () => fireLimit?.()) },
        clock: lab.clock,
        limitClock,
      },
    );
    expect(journal.reason).toContain('the scale action did not finish within its time limit of 150ms');
    // The drill's clock did not move while the inject hung: only the limit clock decided.
    expect(journal.inject[0]?.ended).toBe(journal.inject[0]?.started);
    expect(limits[0]).toBe(150);
    expect(journal.rollback.map((a) => [a.type, a.status])).toEqual([['scale', 'ok']]);
    expect(replicas(lab)).toBe(2);
  });

  it('records a hung rollback action as failed and runs the next one', async () => {
    const drill = await loadDrillFile(fixture('scale-drill'));
    const annotate = {
      type: 'annotate' as const,
      target: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', namespace: 'docqa', name: 'docqa' },
      annotations: { 'gitops-lab/stuck': 'yes' },
      timeout: '100ms',
    };
    const hangsOnAnnotate = (patch: unknown) => (patch as { metadata?: unknown }).metadata !== undefined;
    const journal = await runDrill(
      { ...drill, rollback: [annotate, ...drill.rollback] },
      { env: { ...lab.env, kube: hangingKube(hangsOnAnnotate) }, clock: lab.clock },
    );
    expect(journal.rollback.map((a) => [a.type, a.status])).toEqual([
      ['annotate', 'failed'],
      ['scale', 'ok'],
    ]);
    expect(journal.rollback[0]?.detail).toBe(
      'the annotate action did not finish within its time limit of 100ms (set `timeout:` on the action to change it)',
    );
    expect(replicas(lab)).toBe(2);
    expect(journal.timeline.some((e) => e.message.includes('1 rollback action(s) failed'))).toBe(true);
  });

  it('lets a Kubernetes action in flight settle (here: its time limit) before rolling back on an interrupt', async () => {
    const signals: AbortSignal[] = [];
    const drill = await loadDrillFile(fixture('scale-drill'));
    const inject = drill.inject.map((a) => ({ ...a, timeout: '200ms' }));
    const controller = new AbortController();
    const journal = await runDrill(
      { ...drill, inject, timeout: '60s' },
      {
        env: { ...lab.env, kube: hangingKube(scaleTo(5), signals, () => controller.abort('SIGINT')) },
        clock: lab.clock,
        signal: controller.signal,
      },
    );
    expect(journal.status).toBe('interrupted');
    expect(journal.reason).toBe('interrupted by SIGINT');
    // The interrupt did not cut the request: only the action's own limit did.
    expect(signals.map((s) => s.aborted)).toEqual([true]);
    expect(
      journal.timeline.some((e) =>
        e.message.startsWith(
          'interrupted while "scale Rollout docqa/docqa to 5" is in flight: letting it settle',
        ),
      ),
    ).toBe(true);
    expect(journal.rollback.map((a) => [a.type, a.status])).toEqual([['scale', 'ok']]);
    expect(replicas(lab)).toBe(2);
  });

  it('stops at a failed precondition without injecting or rolling back', async () => {
    lab.fake.update('argoproj.io/v1alpha1', 'Application', 'docqa', 'argocd', (o) => {
      (o.status as { sync: { status: string } }).sync.status = 'OutOfSync';
    });
    const drill = await loadDrillFile(fixture('scale-drill'));
    const journal = await runDrill(drill, { env: lab.env, clock: lab.clock });
    expect(journal.precondition_failed).toBe(true);
    expect(journal.status).toBe('aborted');
    expect(journal.reason).toMatch(
      /precondition failed: Argo CD Application argocd\/docqa is Synced \(sync OutOfSync/,
    );
    expect(journal.inject).toEqual([]);
    expect(journal.rollback).toEqual([]);
    expect(lab.fake.clientMutations().filter((m) => m.kind === 'Rollout')).toEqual([]);
  });

  it('does not inject when the steady state does not hold first', async () => {
    lab.fake.update('argoproj.io/v1alpha1', 'Rollout', 'docqa', 'docqa', (o) => {
      (o.spec as { replicas: number }).replicas = 6;
    });
    const drill = await loadDrillFile(fixture('scale-drill'));
    const journal = await runDrill(drill, { env: lab.env, clock: lab.clock });
    expect(journal.status).toBe('failed');
    expect(journal.reason).toMatch(/steady state did not hold before injecting/);
    expect(journal.steady_states.before?.probes[0]).toMatchObject({ ok: false, value: 6 });
    expect(replicas(lab)).toBe(6);
    expect(journal.rollback).toEqual([]);
  });

  it("says how long after the fault an expectation was met, in the clock's time, counting a read that takes time", async () => {
    // The inject scales, then waits 30 s; the probe's read takes 2 s of the drill's clock (as an HTTP read takes
    // simulated time on a simulated lab at 20x). The behaviour is there when the window opens: the window offset
    // alone would say "+0ms".
    const drill = parseDrill(
      `
name: fault-time
title: Fault time
teaches: Times count from the fault.
runbook: handbook/drill-drift-self-heal.md
fix: Scale it back.
steady_state:
  hypothesis: The docqa Rollout exists.
  probes:
    - { type: k8s, target: { apiVersion: argoproj.io/v1alpha1, kind: Rollout, namespace: docqa, name: docqa }, path: .spec.replicas }
inject:
  - type: scale
    target: { apiVersion: argoproj.io/v1alpha1, kind: Rollout, namespace: docqa, name: docqa }
    replicas: 5
  - type: wait
    duration: 30s
observe:
  window: 10s
  interval: 5s
  expect:
    - probe: { type: prometheus, query: errors_total, range: { min: 1 } }
      eventually: true
rollback:
  - type: scale
    target: { apiVersion: argoproj.io/v1alpha1, kind: Rollout, namespace: docqa, name: docqa }
    replicas: 2
`,
      'fault-time.yaml',
    );
    const env = {
      ...lab.env,
      prometheusUrl: 'http://prom.test',
      prometheus: {
        query: async () => {
          await sleep(lab.clock, 2000);
          return 1;
        },
      },
    };
    const journal = await runDrill(drill, { env, clock: lab.clock });
    expect(journal.status).toBe('completed');
    const samples = Object.values(journal.observe?.samples ?? {})[0];
    expect(samples?.[0]?.t).toBe(2000);
    expect(journal.observe?.expectations[0]?.detail).toMatch(/^first seen 32s after the inject began: /);
  });

  it('completes a passing drill: steady states before and after, samples, expectations', async () => {
    const drill = await loadDrillFile(fixture('scale-drill'));
    const samples: unknown[] = [];
    const journal = await runDrill(drill, {
      env: lab.env,
      onEvent: (e) => e.kind === 'sample' && samples.push(e.numeric),
    });
    expect(journal.status).toBe('completed');
    expect(journal.steady_states.before?.ok).toBe(true);
    expect(journal.steady_states.after?.ok).toBe(true);
    expect(journal.observe?.expectations[0]).toMatchObject({ met: true, expectation: 'reaches 5' });
    expect(samples).toContain(5);
    expect(journal.inject[0]).toMatchObject({ type: 'scale', status: 'ok' });
  });

  describe('flaps and changes are judged on every value a watch saw', () => {
    const burstDrill = () =>
      parseDrill(
        `
name: burst
title: A burst of changes between two samples
teaches: A state shorter than the sampling interval is still a state.
runbook: handbook/drill-argo-vs-hpa.md
fix: Nothing to fix.
probes:
  replicas:
    type: k8s
    target: { apiVersion: argoproj.io/v1alpha1, kind: Rollout, namespace: docqa, name: docqa }
    path: .spec.replicas
steady_state:
  hypothesis: The docqa Rollout exists.
  probes: [replicas]
inject:
  - type: scale
    target: { apiVersion: argoproj.io/v1alpha1, kind: Rollout, namespace: docqa, name: docqa }
    replicas: 2
observe:
  window: 30s
  interval: 10s
  expect:
    - probe: replicas
      flaps: { between: [1, 2], times: 4 }
rollback:
  - type: scale
    target: { apiVersion: argoproj.io/v1alpha1, kind: Rollout, namespace: docqa, name: docqa }
    replicas: 2
`,
        'burst.yaml',
      );
    /** 1, 2, 1, 2 half a second apart, 3 s in: between the samples at 0 s and 10 s, ending where it began. */
    const scheduleBurst = () => {
      for (const [i, n] of [1, 2, 1, 2].entries()) {
        lab.clock.setTimer(3000 + i * 500, () => {
          lab.fake.update('argoproj.io/v1alpha1', 'Rollout', 'docqa', 'docqa', (o) => {
            (o.spec as { replicas?: number }).replicas = n;
          });
        });
      }
    };

    it('sees a burst the samples miss, and reports what the watch saw', async () => {
      scheduleBurst();
      const journal = await runDrill(burstDrill(), { env: lab.env, clock: lab.clock });
      expect(journal.observe?.samples.replicas?.map((x) => x.value)).toEqual([2, 2, 2, 2]);
      expect(journal.observe?.changes?.replicas?.map((x) => x.value)).toEqual([2, 1, 2, 1, 2]);
      expect(journal.observe?.expectations[0]).toMatchObject({ met: true });
      expect(journal.observe?.expectations[0]?.detail).toMatch(/^switched 4 times/);
      expect(journal.status).toBe('completed');
    });

    it('keeps watching across the server closing the watch (resumes from the last resourceVersion)', async () => {
      const seen: unknown[] = [];
      const controller = new AbortController();
      const ref = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', namespace: 'docqa', name: 'docqa' };
      const watching = lab.env.kube.watchObject?.(
        ref,
        (o) => seen.push((o?.spec as { replicas?: number } | undefined)?.replicas),
        { signal: controller.signal },
      );
      // The adapter asks for 300 s connections: the changes come after the first one has ended.
      for (const [at, n] of [
        [310_000, 3],
        [620_000, 4],
      ] as const) {
        lab.clock.setTimer(at, () => {
          lab.fake.update('argoproj.io/v1alpha1', 'Rollout', 'docqa', 'docqa', (o) => {
            (o.spec as { replicas?: number }).replicas = n;
          });
        });
      }
      await sleep(lab.clock, 700_000);
      controller.abort();
      expect(await watching).toEqual({});
      expect(seen).toEqual([2, 3, 4]);
    });

    it('falls back to the samples where the cluster cannot be watched', async () => {
      scheduleBurst();
      const { watchObject: _unused, ...polled } = lab.env.kube;
      const journal = await runDrill(burstDrill(), { env: { ...lab.env, kube: polled }, clock: lab.clock });
      expect(journal.observe?.changes).toBeUndefined();
      expect(journal.observe?.expectations[0]).toMatchObject({ met: false });
      expect(journal.status).toBe('failed');
    });
  });
});
