/**
 * Conformance with Kayenta's MannWhitneyClassifier: every MannWhitneyClassifier case of spinnaker/kayenta
 * v2.46.0 kayenta-judge/src/test/scala/com/netflix/kayenta/judge/ClassifierSuite.scala, with its inputs and
 * asserted results (tests/fixtures/canary/kayenta/classifier-suite.json, one entry per upstream test, named
 * as upstream names it). The classifier's constructor defaults are upstream's: effect-size and critical
 * thresholds (1.0, 1.0), measure meanRatio.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classifyMetric, defaultJudgeOptions, type MetricClass } from '../../../../src/lab/canary/judge.js';

interface Case {
  test: string;
  experiment: number[];
  control: number[];
  tolerance: number;
  confLevel: number;
  effectSizeThresholds?: [number, number];
  criticalThresholds?: [number, number];
  effectSizeMeasure?: 'meanRatio' | 'cles';
  direction: 'increase' | 'decrease' | 'either';
  nanStrategy: 'remove' | 'replace';
  critical: boolean;
  classification?: string;
  resultCritical?: boolean;
  deviationNaN?: boolean;
  deviation?: number;
  reasonNotEmpty?: boolean;
}

const { cases } = JSON.parse(
  readFileSync(new URL('../../../fixtures/canary/kayenta/classifier-suite.json', import.meta.url), 'utf8'),
) as { cases: Case[] };

// Kayenta's labels and this judge's names for them.
const label: Record<string, MetricClass> = { Pass: 'Pass', High: 'High', Low: 'Low', Nodata: 'NoData' };

describe('Kayenta ClassifierSuite.scala (MannWhitneyClassifier)', () => {
  it('holds every upstream case', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it.each(cases.map((c) => [c.test, c] as const))('%s', (_name, c) => {
    const [allowedDecrease, allowedIncrease] = c.effectSizeThresholds ?? [1, 1];
    const [criticalDecrease, criticalIncrease] = c.criticalThresholds ?? [1, 1];
    const result = classifyMetric(
      {
        name: 'metric',
        canary: c.experiment,
        baseline: c.control,
        direction: c.direction,
        critical: c.critical,
        nanStrategy: c.nanStrategy,
        effectSize: {
          measure: c.effectSizeMeasure ?? 'meanRatio',
          allowedDecrease,
          allowedIncrease,
          criticalDecrease,
          criticalIncrease,
        },
      },
      { ...defaultJudgeOptions, tolerance: c.tolerance, confidence: c.confLevel },
    );
    if (c.classification) expect(result.class).toBe(label[c.classification]);
    if (c.resultCritical !== undefined) expect(result.critical).toBe(c.resultCritical);
    if (c.deviationNaN) expect(result.deviation).toBeNull();
    if (c.deviation !== undefined) expect(result.deviation).toBe(c.deviation);
    if (c.reasonNotEmpty) expect(result.reason).not.toBe('');
  });
});
