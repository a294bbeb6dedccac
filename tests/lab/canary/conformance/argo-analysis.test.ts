/**
 * Conformance with Argo Rollouts v1.8.3 analysis/analysis_test.go (assessMetricStatus) and
 * utils/analysis/factory.go ValidateMetric (rules and messages; cases from utils/analysis/factory_test.go
 * TestValidateMetrics). Each case names the upstream test function; inputs and asserted phases are upstream's.
 */
import { describe, expect, it } from 'vitest';
import {
  assessMetric,
  assessRun,
  emptyResult,
  type LoopMetric,
  type Measurement,
  type MetricResult,
  nextMeasurementAt,
  recordMeasurement,
} from '../../../../src/lab/canary/run.js';
import { validateMetricLimits } from '../../../../src/lab/canary/template.js';

const UPSTREAM = 'argo-rollouts v1.8.3 analysis/analysis_test.go';
const at = new Date('2026-01-01T00:00:00Z');
const measurement = (phase: Measurement['phase']): Measurement => ({
  phase,
  startedAt: at,
  finishedAt: at,
  detail: null,
});

function metric(m: Partial<LoopMetric> & { interval?: string; rawCount?: number }): LoopMetric {
  const intervalMs = m.interval ? 60_000 : undefined;
  const count =
    m.rawCount === undefined || m.rawCount === 0 ? (intervalMs === undefined ? 1 : undefined) : m.rawCount;
  return {
    name: 'success-rate',
    intervalMs,
    count,
    failureLimit: m.failureLimit ?? 0,
    inconclusiveLimit: m.inconclusiveLimit ?? 0,
    consecutiveErrorLimit: m.consecutiveErrorLimit ?? 4,
    consecutiveSuccessLimit: m.consecutiveSuccessLimit ?? 0,
    dryRun: false,
  };
}

function result(counts: Partial<MetricResult>, last: Measurement['phase'] | null = 'Failed'): MetricResult {
  return { ...emptyResult('success-rate'), ...counts, measurements: last ? [measurement(last)] : [] };
}

const phases = (m: LoopMetric, r: MetricResult) => [
  assessMetric(m, r, false).phase,
  assessMetric(m, r, true).phase,
];

describe(`assessMetricStatus (${UPSTREAM})`, () => {
  it('TestAssessMetricStatusNoMeasurements', () => {
    expect(phases(metric({}), result({}, null))).toEqual(['Pending', 'Successful']);
  });

  it('TestAssessMetricStatusFailureLimit', () => {
    const r = result({ failed: 3, count: 3 });
    expect(phases(metric({ failureLimit: 2, interval: '60s' }), r)).toEqual(['Failed', 'Failed']);
    expect(phases(metric({ failureLimit: 3, interval: '60s' }), r)).toEqual(['Running', 'Successful']);
  });

  it('TestAssessMetricStatusConsecutiveSuccessLimit', () => {
    const r = result({ failed: 3, successful: 4, consecutiveSuccess: 3, count: 7 });
    const m = (consecutiveSuccessLimit: number, rawCount?: number) =>
      metric({ failureLimit: -1, consecutiveSuccessLimit, interval: '60s', rawCount });
    expect(phases(m(3), r)).toEqual(['Successful', 'Successful']);
    expect(phases(m(5), r)).toEqual(['Running', 'Successful']);
    expect(phases(m(5, 7), r)).toEqual(['Failed', 'Failed']);
    expect(phases(m(3, 7), r)).toEqual(['Successful', 'Successful']);
    expect(phases(m(3, 9), r)).toEqual(['Successful', 'Successful']);
    expect(phases(m(5, 9), r)).toEqual(['Running', 'Successful']);
  });

  it('TestAssessMetricStatusFailureLimitAndConsecutiveSuccessLimit', () => {
    const m = (rawCount?: number) =>
      metric({ failureLimit: 4, consecutiveSuccessLimit: 4, interval: '60s', rawCount });
    const r = (failed: number, successful: number, count: number, consecutiveSuccess: number) =>
      result({ failed, successful, count, consecutiveSuccess });
    // indefinite analysis
    expect(phases(m(), r(3, 4, 7, 3))).toEqual(['Running', 'Successful']);
    expect(phases(m(), r(5, 9, 9, 0))).toEqual(['Failed', 'Failed']);
    expect(phases(m(), r(3, 5, 8, 4))).toEqual(['Successful', 'Successful']);
    expect(phases(m(), r(5, 5, 10, 4))).toEqual(['Failed', 'Failed']);
    // count 10, reached
    expect(phases(m(10), r(4, 6, 10, 3))).toEqual(['Inconclusive', 'Inconclusive']);
    expect(phases(m(10), r(5, 5, 10, 3))).toEqual(['Failed', 'Failed']);
    expect(phases(m(10), r(4, 6, 10, 4))).toEqual(['Successful', 'Successful']);
    expect(phases(m(10), r(5, 5, 10, 4))).toEqual(['Failed', 'Failed']);
    // count 10, not reached
    expect(phases(m(10), r(3, 5, 8, 3))).toEqual(['Running', 'Successful']);
    expect(phases(m(10), r(5, 3, 8, 3))).toEqual(['Failed', 'Failed']);
    expect(phases(m(10), r(3, 5, 8, 4))).toEqual(['Successful', 'Successful']);
    expect(phases(m(10), r(5, 4, 9, 4))).toEqual(['Failed', 'Failed']);
  });

  it('TestAssessMetricStatusInconclusiveLimit', () => {
    const r = result({ inconclusive: 3, count: 3 }, 'Inconclusive');
    expect(phases(metric({ inconclusiveLimit: 2, interval: '60s' }), r)).toEqual([
      'Inconclusive',
      'Inconclusive',
    ]);
    expect(phases(metric({ inconclusiveLimit: 3, interval: '60s' }), r)).toEqual(['Running', 'Successful']);
  });

  it('TestAssessMetricStatusConsecutiveErrors', () => {
    const m = metric({ interval: '60s' });
    expect(phases(m, result({ consecutiveError: 5, count: 5 }, 'Error'))).toEqual(['Error', 'Error']);
    expect(phases(m, result({ consecutiveError: 4, count: 5 }, 'Error'))).toEqual(['Running', 'Successful']);
  });

  it('TestAssessMetricStatusCountReached', () => {
    const m = metric({ rawCount: 10 });
    expect(assessMetric(m, result({ successful: 10, count: 10 }, 'Successful'), false).phase).toBe(
      'Successful',
    );
    expect(
      assessMetric(m, result({ successful: 5, inconclusive: 5, count: 10 }, 'Successful'), false).phase,
    ).toBe('Inconclusive');
  });

  it('TestRunMeasurementsResetConsecutiveErrorCounter / runMeasurements counters: a success resets the error streak, anything else the success streak', () => {
    let r = emptyResult('m');
    for (const phase of [
      'Error',
      'Error',
      'Successful',
      'Successful',
      'Inconclusive',
      'Successful',
    ] as const) {
      r = recordMeasurement(r, measurement(phase));
    }
    expect(r.consecutiveError).toBe(0);
    expect(r.consecutiveSuccess).toBe(1);
    expect(r.count).toBe(4);
    expect(r.error).toBe(2);
  });
});

// analysis/analysis.go calculateNextReconcileTime, per metric (the run waits for the earliest).
describe(`calculateNextReconcileTime (${UPSTREAM})`, () => {
  const now = at.getTime();
  const finished = (phase: Measurement['phase'], agoMs: number): Measurement => ({
    phase,
    startedAt: new Date(now - agoMs),
    finishedAt: new Date(now - agoMs),
    detail: null,
  });
  const runStarted = new Date(now - 30_000);

  it('TestCalculateNextReconcileTimeInterval: the interval after the last measurement; none once completed', () => {
    const m = { ...metric({ interval: '60s' }), intervalMs: 60_000 };
    const running = {
      ...emptyResult('success-rate'),
      phase: 'Running' as const,
      count: 1,
      measurements: [finished('Successful', 30_000)],
    };
    expect(nextMeasurementAt(m, running, runStarted)?.getTime()).toBe(now + 30_000);
    expect(nextMeasurementAt(m, { ...running, phase: 'Successful' }, runStarted)).toBeNull();
  });

  it('TestCalculateNextReconcileTimeInitialDelay: a metric not measured yet waits its initialDelay from the run start', () => {
    const delayed = {
      ...metric({ interval: '60s' }),
      name: 'start-delay',
      intervalMs: 60_000,
      initialDelayMs: 40_000,
    };
    expect(nextMeasurementAt(delayed, emptyResult('start-delay'), runStarted)?.getTime()).toBe(now + 10_000);
  });

  it('TestCalculateNextReconcileTimeNoInterval: count 1 reached, nothing more', () => {
    const once = metric({ rawCount: 1 });
    const done = {
      ...emptyResult('success-rate'),
      count: 1,
      successful: 1,
      measurements: [finished('Successful', 0)],
    };
    expect(nextMeasurementAt(once, done, runStarted)).toBeNull();
  });

  it('TestCalculateNextReconcileUponError: an Error is retried after 10 s, with or without an interval', () => {
    const errored = {
      ...emptyResult('success-rate'),
      phase: 'Running' as const,
      error: 1,
      measurements: [finished('Error', 0)],
    };
    expect(nextMeasurementAt(metric({}), errored, runStarted)?.getTime()).toBe(now + 10_000);
    const everyFiveMinutes = { ...metric({ interval: '5m' }), intervalMs: 300_000 };
    expect(nextMeasurementAt(everyFiveMinutes, errored, runStarted)?.getTime()).toBe(now + 10_000);
  });
});

// analysis_test.go newTerminatingRun: "run-forever" and "failed-metric" (one Failed measurement), optionally both in
// dry-run. The run-level cases set run-forever's phase so that every metric has completed.
describe(`assessRunStatus (${UPSTREAM})`, () => {
  const named = (name: string, dryRun = false) => ({ ...metric({}), name, dryRun });
  const completed = (name: string, phase: MetricResult['phase'], counts: Partial<MetricResult> = {}) => ({
    ...emptyResult(name),
    phase,
    ...counts,
  });
  const terminatingRun = (dryRun: boolean, runForever: MetricResult, providerMessage?: string) => {
    const failed = { ...measurement('Failed'), ...(providerMessage ? { message: providerMessage } : {}) };
    return assessRun(
      [named('run-forever', dryRun), named('failed-metric', dryRun)],
      [
        runForever,
        { ...completed('failed-metric', 'Failed', { count: 1, failed: 1 }), measurements: [failed] },
      ],
    );
  };
  const none = { count: 0, successful: 0, failed: 0, inconclusive: 0, error: 0 };

  it('TestAssessRunStatus: Running while a metric runs; the worst completed phase, with no message without a broken limit', () => {
    const metrics = [named('latency'), named('success-rate')];
    const running = assessRun(metrics, [
      completed('latency', 'Successful'),
      completed('success-rate', 'Running'),
    ]);
    expect([running.phase, running.message]).toEqual(['Running', undefined]);
    const failed = assessRun(metrics, [
      completed('latency', 'Successful'),
      completed('success-rate', 'Failed'),
    ]);
    expect([failed.phase, failed.message]).toEqual(['Failed', undefined]);
  });

  it('TestAssessRunStatusErrorMessageAnalysisPhaseFail (and in dry-run mode)', () => {
    const run = terminatingRun(false, completed('run-forever', 'Successful'));
    expect([run.phase, run.message]).toEqual([
      'Failed',
      'Metric "failed-metric" assessed Failed due to failed (1) > failureLimit (0)',
    ]);
    expect(run.dryRunSummary).toEqual(none);
    const dry = terminatingRun(true, completed('run-forever', 'Successful'));
    expect([dry.phase, dry.message]).toEqual(['Successful', undefined]);
    expect(dry.dryRunSummary).toEqual({ count: 2, successful: 1, failed: 1, inconclusive: 0, error: 0 });
  });

  it('TestAssessRunStatusErrorMessageFromProvider (and in dry-run mode)', () => {
    const run = terminatingRun(false, completed('run-forever', 'Successful'), 'Provider Error');
    expect([run.phase, run.message]).toEqual([
      'Failed',
      'Metric "failed-metric" assessed Failed due to failed (1) > failureLimit (0): "Error Message: Provider Error"',
    ]);
    const dry = terminatingRun(true, completed('run-forever', 'Successful'), 'Provider Error');
    expect([dry.phase, dry.message]).toEqual(['Successful', undefined]);
    expect(dry.dryRunSummary).toEqual({ count: 2, successful: 1, failed: 1, inconclusive: 0, error: 0 });
  });

  it('TestAssessRunStatusMultipleFailures (and in dry-run mode): the first of equally bad metrics names the run', () => {
    const runForever = completed('run-forever', 'Failed', { failed: 1 });
    const run = terminatingRun(false, runForever);
    expect([run.phase, run.message]).toEqual([
      'Failed',
      'Metric "run-forever" assessed Failed due to failed (1) > failureLimit (0)',
    ]);
    expect(run.runSummary).toEqual({ count: 2, successful: 0, failed: 2, inconclusive: 0, error: 0 });
    const dry = terminatingRun(true, runForever);
    expect([dry.phase, dry.message]).toEqual(['Successful', undefined]);
    expect(dry.dryRunSummary).toEqual({ count: 2, successful: 0, failed: 2, inconclusive: 0, error: 0 });
    expect(dry.runSummary).toEqual(none);
    // TestAssessRunStatusWorstMessageInReconcileAnalysisRunInDryRunMode: each dry-run metric keeps its reason.
    expect(dry.results.map((r) => r.message)).toEqual([
      'Metric assessed Failed due to failed (1) > failureLimit (0)',
      'Metric assessed Failed due to failed (1) > failureLimit (0)',
    ]);
  });

  it('TestAssessRunStatusWithOnlyDryRunMetrics and TestAssessRunStatusWithMixedMetrics', () => {
    const onlyDry = assessRun(
      [named('success-metric', true)],
      [
        {
          ...completed('success-metric', 'Successful', { count: 1, successful: 1 }),
          measurements: [measurement('Successful')],
        },
      ],
    );
    expect(onlyDry.phase).toBe('Successful');
    // run-forever's in-flight measurement came back Successful; it had one Inconclusive before.
    const mixed = assessRun(
      [named('run-forever'), named('success-metric', true)],
      [
        {
          ...completed('run-forever', 'Running', { count: 2, successful: 1, inconclusive: 1 }),
          measurements: [measurement('Successful')],
        },
        {
          ...completed('success-metric', 'Successful', { count: 1, failed: 1 }),
          measurements: [measurement('Failed')],
        },
      ],
    );
    expect([mixed.phase, mixed.message]).toEqual([
      'Inconclusive',
      'Metric "run-forever" assessed Inconclusive due to inconclusive (1) > inconclusiveLimit (0)',
    ]);
  });

  it('a terminated run (spec.terminate) says so when no metric broke a limit; a metric that never measured keeps it Running', () => {
    const metrics = [named('a'), named('b')];
    const terminated = assessRun(
      metrics,
      [completed('a', 'Running', { count: 1, successful: 1 }), emptyResult('b')],
      true,
    );
    expect([terminated.phase, terminated.message]).toEqual(['Successful', 'Run Terminated']);
    const waiting = assessRun(metrics, [
      completed('a', 'Successful', { count: 1, successful: 1 }),
      emptyResult('b'),
    ]);
    expect(waiting.phase).toBe('Running');
  });
});

describe('TestValidateMetrics (argo-rollouts v1.8.3 utils/analysis/factory_test.go, rules of factory.go ValidateMetric)', () => {
  const base = {
    count: 0,
    failureLimit: 0,
    inconclusiveLimit: 0,
    consecutiveSuccessLimit: 0,
    interval: false,
  };
  it.each([
    [
      'Ensure count >= failureLimit + consecutiveSuccessLimit',
      { count: 1, failureLimit: 2 },
      'count (1) must be >= failureLimit + consecutiveSuccessLimit (2 + 0) if both >= 0',
    ],
    [
      'Ensure count >= failureLimit + consecutiveSuccessLimit (count 0)',
      { count: 0, failureLimit: 2 },
      undefined,
    ],
    [
      'Ensure count must be >= inconclusiveLimit',
      { count: 1, inconclusiveLimit: 2 },
      'count must be >= inconclusiveLimit',
    ],
    ['Ensure count must be >= inconclusiveLimit (count 0)', { count: 0, inconclusiveLimit: 2 }, undefined],
    ['Validate metric', { count: 2, interval: true, failureLimit: 2 }, undefined],
    ['Ensure interval set when count > 1', { count: 2 }, 'interval must be specified when count > 1'],
    ['Ensure failureLimit >= -1', { failureLimit: -2 }, 'failureLimit must be >= 0, or -1 to be disabled'],
    ['Ensure inconclusiveLimit >= 0', { inconclusiveLimit: -1 }, 'inconclusiveLimit must be >= 0'],
    [
      'Ensure consecutiveErrorLimit >= 0',
      { consecutiveErrorLimit: -1 },
      'consecutiveErrorLimit must be >= 0',
    ],
    [
      'Ensure consecutiveSuccessLimit >= 0',
      { consecutiveSuccessLimit: -1 },
      'consecutiveSuccessLimit must be >= 0',
    ],
    [
      'Ensure consecutiveSuccessLimit and failureLimit are not both disabled',
      { consecutiveSuccessLimit: 0, failureLimit: -1 },
      'failureLimit and consecutiveSuccessLimit cannot both be disabled',
    ],
  ] as [string, Partial<typeof base> & { consecutiveErrorLimit?: number }, string | undefined][])(
    '%s',
    (_name, limits, message) => {
      expect(validateMetricLimits({ ...base, ...limits })).toBe(message);
    },
  );
});

describe('measurement retention (argo-rollouts v1.8.3 analysis/analysis.go garbageCollectMeasurements)', () => {
  it('keeps the newest `limit` measurements; the counters keep counting', () => {
    let r = emptyResult('m');
    for (let i = 0; i < 12; i++) r = recordMeasurement(r, measurement(i % 2 ? 'Successful' : 'Failed'), 10);
    expect(r.measurements).toHaveLength(10);
    expect(r.count).toBe(12);
    r = recordMeasurement(r, measurement('Successful'), 3);
    expect(r.measurements).toHaveLength(3);
  });
});
