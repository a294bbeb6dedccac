import { describe, expect, it } from 'vitest';
import type { MeasurementPhase } from '../../../src/lab/canary/conditions.js';
import {
  assessMetric,
  type Clock,
  ERROR_RETRY_INTERVAL_MS,
  emptyResult,
  type LoopMetric,
  recordMeasurement,
  runAnalysis,
} from '../../../src/lab/canary/run.js';

function metric(overrides: Partial<LoopMetric> = {}): LoopMetric {
  return {
    name: 'm',
    count: 3,
    intervalMs: 30_000,
    failureLimit: 0,
    inconclusiveLimit: 0,
    consecutiveErrorLimit: 4,
    dryRun: false,
    ...overrides,
  };
}

/** A clock that only moves when the loop sleeps. */
function fakeClock(): Clock & { slept: number[] } {
  let now = Date.parse('2026-01-01T00:00:00Z');
  const slept: number[] = [];
  return {
    slept,
    now: () => new Date(now),
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

function withPhases(phases: MeasurementPhase[]) {
  let result = emptyResult('m');
  const at = new Date();
  for (const phase of phases)
    result = recordMeasurement(result, { phase, startedAt: at, finishedAt: at, detail: null });
  return result;
}

/** Runs the loop with a scripted sequence of measurement phases; returns the outcome and the call times. */
async function script(m: LoopMetric, phases: MeasurementPhase[]) {
  const clock = fakeClock();
  const start = clock.now().getTime();
  const times: number[] = [];
  let i = 0;
  const outcome = await runAnalysis({
    metrics: [m],
    clock,
    measure: async () => {
      times.push(clock.now().getTime() - start);
      const phase = phases[i++];
      if (!phase) throw new Error('the loop took more measurements than scripted');
      return { phase, detail: null };
    },
  });
  return { outcome, times, taken: i };
}

describe('AnalysisRun metric assessment', () => {
  it('counts Successful, Failed and Inconclusive towards count, not Error', () => {
    const r = withPhases(['Successful', 'Error', 'Failed', 'Inconclusive', 'Error', 'Error']);
    expect(r.count).toBe(3);
    expect(r.error).toBe(3);
    expect(r.consecutiveError).toBe(2);
  });

  it('fails when failed > failureLimit, not at failureLimit', () => {
    expect(assessMetric(metric({ failureLimit: 1 }), withPhases(['Failed']), false).phase).toBe('Running');
    const failed = assessMetric(metric({ failureLimit: 1 }), withPhases(['Failed', 'Failed']), false);
    expect(failed.phase).toBe('Failed');
    expect(failed.message).toBe('failed (2) > failureLimit (1)');
  });

  it('ignores failures with a negative failureLimit', () => {
    expect(
      assessMetric(metric({ failureLimit: -1 }), withPhases(['Failed', 'Failed', 'Failed']), false).phase,
    ).toBe('Successful');
  });

  it('is Inconclusive when inconclusive > inconclusiveLimit', () => {
    expect(assessMetric(metric({ inconclusiveLimit: 1 }), withPhases(['Inconclusive']), false).phase).toBe(
      'Running',
    );
    expect(
      assessMetric(metric({ inconclusiveLimit: 1 }), withPhases(['Inconclusive', 'Inconclusive']), false)
        .phase,
    ).toBe('Inconclusive');
  });

  it('is Error after more than consecutiveErrorLimit errors in a row; a counted measurement resets the streak', () => {
    const m = metric({ consecutiveErrorLimit: 2 });
    expect(assessMetric(m, withPhases(['Error', 'Error', 'Successful', 'Error', 'Error']), false).phase).toBe(
      'Running',
    );
    expect(assessMetric(m, withPhases(['Error', 'Error', 'Error']), false).phase).toBe('Error');
  });

  it('is Successful once count is reached within the limits', () => {
    const m = metric({ count: 3, failureLimit: 1 });
    expect(assessMetric(m, withPhases(['Successful', 'Failed', 'Successful']), false).phase).toBe(
      'Successful',
    );
  });

  it('is Successful when the run terminates before or after measurements', () => {
    expect(assessMetric(metric(), emptyResult('m'), true).phase).toBe('Successful');
    expect(assessMetric(metric({ count: undefined }), withPhases(['Successful']), true).phase).toBe(
      'Successful',
    );
  });
});

describe('AnalysisRun loop', () => {
  it('takes count measurements interval apart, after initialDelay, then succeeds', async () => {
    const { outcome, times } = await script(metric({ initialDelayMs: 30_000 }), [
      'Successful',
      'Successful',
      'Successful',
    ]);
    expect(outcome.phase).toBe('Successful');
    expect(times).toEqual([30_000, 60_000, 90_000]);
    expect(outcome.results[0]?.count).toBe(3);
  });

  it('tolerates failures up to failureLimit and still succeeds at count', async () => {
    const { outcome } = await script(metric({ failureLimit: 1 }), ['Failed', 'Successful', 'Successful']);
    expect(outcome.phase).toBe('Successful');
  });

  it('stops at the first failure beyond failureLimit without taking the remaining measurements', async () => {
    const { outcome, taken } = await script(metric({ count: 5, failureLimit: 1 }), [
      'Failed',
      'Successful',
      'Failed',
    ]);
    expect(outcome.phase).toBe('Failed');
    expect(taken).toBe(3);
    expect(outcome.message).toContain('failed (2) > failureLimit (1)');
  });

  it('ends Inconclusive when inconclusive measurements exceed inconclusiveLimit', async () => {
    const { outcome, taken } = await script(metric({ count: 5, inconclusiveLimit: 2 }), [
      'Inconclusive',
      'Successful',
      'Inconclusive',
      'Inconclusive',
    ]);
    expect(outcome.phase).toBe('Inconclusive');
    expect(taken).toBe(4);
  });

  it('retries an Error after 10 s without counting it', async () => {
    const { outcome, times } = await script(metric({ count: 2, intervalMs: 60_000 }), [
      'Successful',
      'Error',
      'Successful',
    ]);
    expect(outcome.phase).toBe('Successful');
    expect(times).toEqual([0, 60_000, 60_000 + ERROR_RETRY_INTERVAL_MS]);
  });

  it('takes one measurement when neither count nor interval is set', async () => {
    const { outcome, taken } = await script(metric({ count: 1, intervalMs: undefined }), ['Failed']);
    expect(outcome.phase).toBe('Failed');
    expect(taken).toBe(1);
  });

  it('terminates the other metrics when one fails, and the run takes the worst phase', async () => {
    const clock = fakeClock();
    const outcome = await runAnalysis({
      metrics: [metric({ name: 'slow', count: 10 }), metric({ name: 'bad', count: 10 })],
      clock,
      measure: async (m) => ({ phase: m.name === 'bad' ? 'Failed' : 'Successful', detail: null }),
    });
    expect(outcome.phase).toBe('Failed');
    expect(outcome.results.map((r) => r.phase)).toEqual(['Successful', 'Failed']);
    expect(outcome.results[0]?.count).toBe(1);
  });

  it('does not let a dry-run metric decide the run', async () => {
    const clock = fakeClock();
    const outcome = await runAnalysis({
      metrics: [metric({ name: 'ok', count: 1 }), metric({ name: 'dry', count: 1, dryRun: true })],
      clock,
      measure: async (m) => ({ phase: m.name === 'dry' ? 'Failed' : 'Successful', detail: null }),
    });
    expect(outcome.phase).toBe('Successful');
  });

  it('stops when interrupted, counting a still-running metric as Successful', async () => {
    const controller = new AbortController();
    const clock = fakeClock();
    let taken = 0;
    const outcome = await runAnalysis({
      metrics: [metric({ count: undefined, intervalMs: 1000 })],
      clock,
      signal: controller.signal,
      measure: async () => {
        taken++;
        if (taken === 3) controller.abort();
        return { phase: 'Successful', detail: null };
      },
    });
    expect(outcome.interrupted).toBe(true);
    expect(outcome.phase).toBe('Successful');
    expect(taken).toBe(3);
  });
});
