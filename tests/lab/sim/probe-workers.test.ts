/**
 * The probe workers of one pod on their own (src/lab/sim/probe-workers.ts), as a v1.33 kubelet's prober runs them
 * (pkg/kubelet/prober/worker.go run and doProbe, prober_manager.go AddPod): when each worker probes, what it skips,
 * and which result changes it hands to the kubelet. The kubelet's side (Ready, kills) is in kubelet.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sleep } from '../../../src/lab/clock.js';
import { VirtualClock } from '../../../src/lab/sim/clock.js';
import {
  type ProbedContainer,
  type ProbedRun,
  type ProbeHook,
  ProbeWorkers,
} from '../../../src/lab/sim/probe-workers.js';

describe('probe workers (worker.go, prober_manager.go)', () => {
  let clock: VirtualClock;
  let workers: ProbeWorkers | undefined;
  afterEach(() => {
    workers?.stop();
    clock.stop();
  });

  const http = { httpGet: { path: '/healthz', port: 'probes' } };
  const container = (probes: Partial<ProbedContainer>): ProbedContainer => ({
    name: 'c',
    ports: [{ name: 'probes', containerPort: 8081 }],
    ...probes,
  });

  /** Workers for `containers` on a kubelet started `kubeletUpMs` ago; `runs` is the container's current run. */
  function start(
    containers: ProbedContainer[],
    options: { probe?: ProbeHook; kubeletUpMs?: number; random?: number } = {},
  ) {
    clock = new VirtualClock({ start: 0 });
    const asked: Array<[string, number]> = [];
    const changes: Array<[string, string, number]> = [];
    const recorded: string[] = [];
    const run: ProbedRun = {
      id: 1,
      startedAtMs: 0,
      running: true,
      behaviour: {
        probe: (kind, probe, target) => {
          asked.push([kind, clock.now()]);
          return options.probe?.(kind, probe, target) ?? { status: 200 };
        },
      },
    };
    const state = { run: run as ProbedRun | undefined };
    workers = new ProbeWorkers(containers, {
      clock,
      random: () => options.random ?? 0,
      kubeletStartedAt: -(options.kubeletUpMs ?? 0),
      runOf: () => state.run,
      podIP: () => '10.244.0.5',
      record: (_type, reason, message) => recorded.push(`${reason}: ${message}`),
      changed: (_name, kind, result) => changes.push([kind, result, clock.now()]),
    });
    return { asked, changes, recorded, state, workers };
  }

  it('a worker waits a random part of its period only while the kubelet started less than a period ago', async () => {
    const liveness = container({ livenessProbe: { ...http, periodSeconds: 10 } });
    const fresh = start([liveness], { random: 0.5 });
    await sleep(clock, 26_000);
    expect(fresh.asked).toEqual([
      ['liveness', 5000],
      ['liveness', 15_000],
      ['liveness', 25_000],
    ]);
    workers?.stop();
    clock.stop();
    const later = start([liveness], { random: 0.5, kubeletUpMs: 60_000 });
    await sleep(clock, 21_000);
    expect(later.asked).toEqual([
      ['liveness', 0],
      ['liveness', 10_000],
      ['liveness', 20_000],
    ]);
  });

  it('a startup probe gates the others; its passing result is handed on, and a manual trigger probes at once', async () => {
    const { asked, changes, workers } = start(
      [
        container({
          startupProbe: { ...http, periodSeconds: 2, failureThreshold: 30 },
          readinessProbe: { ...http, periodSeconds: 5 },
        }),
      ],
      { probe: (kind) => (kind === 'startup' && clock.now() < 4000 ? { status: 503 } : { status: 200 }) },
    );
    await sleep(clock, 3000);
    expect(workers.started('c')).toBe(false);
    await sleep(clock, 1000);
    expect(changes).toEqual([['startup', 'Success', 4000]]);
    expect(workers.started('c')).toBe(true);
    expect(workers.passes('c', 'readiness')).toBe(false);
    workers.trigger('c', 'readiness');
    expect(workers.passes('c', 'readiness')).toBe(true);
    expect(asked).toEqual([
      ['startup', 0],
      ['startup', 2000],
      ['startup', 4000],
      ['readiness', 4000],
    ]);
  });

  it('results change after failureThreshold failures; a new run starts over from the initial result', async () => {
    const { changes, recorded, state, workers } = start(
      [container({ readinessProbe: { ...http, periodSeconds: 5, failureThreshold: 2 } })],
      { probe: () => ({ status: 500 }) },
    );
    await sleep(clock, 5500);
    // Probes at 0 and 5 s fail: the 2nd turns the result to Failure (readiness starts as Failure: no change).
    expect(recorded).toEqual([
      'Unhealthy: Readiness probe failed: HTTP probe failed with statuscode: 500',
      'Unhealthy: Readiness probe failed: HTTP probe failed with statuscode: 500',
    ]);
    expect(changes).toEqual([]);
    state.run = { id: 2, startedAtMs: clock.now(), running: true, behaviour: {} };
    await sleep(clock, 5000);
    expect(changes).toEqual([['readiness', 'Success', 10_000]]);
    expect(workers.passes('c', 'readiness')).toBe(true);
  });

  it('no probe while the container is not running, and none after the workers stop', async () => {
    const { asked, state, workers } = start([container({ livenessProbe: { ...http, periodSeconds: 10 } })]);
    (state.run as ProbedRun).running = false;
    await sleep(clock, 15_000);
    expect(asked).toEqual([]);
    (state.run as ProbedRun).running = true;
    workers.stop();
    await sleep(clock, 20_000);
    expect(asked).toEqual([]);
  });
});
