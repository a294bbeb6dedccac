import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { CRITICAL_ANNOTATION, KAYENTA_ANNOTATION } from '../../../src/lab/canary/annotations.js';
import {
  compareFromFiles,
  compareFromPrometheus,
  type PrometheusCompareOptions,
} from '../../../src/lab/canary/compare.js';
import { defaultJudgeOptions } from '../../../src/lab/canary/judge.js';
import { type AnalysisTemplate, loadTemplate } from '../../../src/lab/canary/template.js';
import { rangeAnswer } from '../../support/canary-series.js';

const shipped = fileURLToPath(
  new URL('../../../manifests/workloads/docqa/analysis-template.yaml', import.meta.url),
);

/** A fetch that answers Prometheus range queries from the shared stub series (tests/support/canary-series.ts). */
const fakePrometheus: typeof fetch = async (_url, init) =>
  new Response(rangeAnswer(String(init?.body)), { headers: { 'content-type': 'application/json' } });

async function compare(overrides: Partial<PrometheusCompareOptions> & { template?: AnalysisTemplate } = {}) {
  return compareFromPrometheus({
    prometheus: 'http://prometheus.test:9090',
    canary: 'canary1',
    baseline: 'stable1',
    windowMs: 360_000,
    stepMs: 30_000,
    windowText: '6m',
    stepText: '30s',
    end: new Date('2026-01-01T00:00:00Z'),
    template: await loadTemplate(shipped),
    judge: defaultJudgeOptions,
    fetch: fakePrometheus,
    ...overrides,
  });
}

describe('compareFromPrometheus with the shipped template', () => {
  it('fails a canary whose grounded ratio is worse, other metrics equal, with no --critical', async () => {
    const report = await compare();
    expect(report.metrics.find((m) => m.name === 'grounded-ratio')).toMatchObject({
      class: 'Low',
      critical: true,
    });
    for (const name of ['error-ratio', 'abstain-ratio', 'latency-p95'])
      expect(report.metrics.find((m) => m.name === name)).toMatchObject({ class: 'Pass', critical: false });
    expect(report).toMatchObject({ score: 0, verdict: 'fail' });
    expect(report.reason).toContain('critical metric grounded-ratio Low');
    expect(report.critical).toEqual({ metrics: ['grounded-ratio'], fromTemplate: ['grounded-ratio'] });
  });

  it('fails the canary when its critical grounded ratio goes dark (no canary series), as Kayenta does', async () => {
    const dark: typeof fetch = async (url, init) => {
      const query = new URLSearchParams(String(init?.body)).get('query') ?? '';
      if (query.includes('docqa_answers_grounded_total') && query.includes('"canary1"')) {
        return new Response(
          JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [] } }),
          {
            headers: { 'content-type': 'application/json' },
          },
        );
      }
      return fakePrometheus(url, init);
    };
    const report = await compare({ fetch: dark });
    expect(report.metrics.find((m) => m.name === 'grounded-ratio')).toMatchObject({
      class: 'NoData',
      critical: true,
    });
    expect(report).toMatchObject({ score: 0, verdict: 'fail' });
    expect(report.reason).toContain('critical metric grounded-ratio NoData');
  });

  it("reads Kayenta's groups, group weights, muted and mustHaveData from the canary.gitops-lab.io/kayenta annotation", async () => {
    const template = await loadTemplate(shipped);
    const kayenta = [
      'groupWeights: {quality: 60, health: 40}',
      'metrics:',
      '  grounded-ratio: {groups: [quality]}',
      '  abstain-ratio: {groups: [quality]}',
      '  error-ratio: {groups: [health]}',
      '  latency-p95: {groups: [health], muted: true}',
    ].join('\n');
    const report = await compare({
      template: { ...template, annotations: { [KAYENTA_ANNOTATION]: kayenta } },
    });
    // quality: 1 Pass of 2 -> 50 x 0.6; health: error-ratio Pass (latency muted) -> 100 x 0.4.
    expect(report.score).toBe(70);
    expect(report.groups.map((g) => [g.name, g.score])).toEqual([
      ['quality', 50],
      ['health', 100],
    ]);
    expect(report.metrics.find((m) => m.name === 'latency-p95')?.muted).toBe(true);
  });

  it('rejects a Kayenta annotation naming an unknown metric or an unknown key', async () => {
    const template = await loadTemplate(shipped);
    for (const text of [
      'metrics: {nope: {muted: true}}',
      'metrics: {error-ratio: {mute: true}}',
      'groupWeights: {a: 80, b: 30}',
    ]) {
      await expect(
        compare({ template: { ...template, annotations: { [KAYENTA_ANNOTATION]: text } } }),
      ).rejects.toThrow(UsageError);
    }
  });

  it('would only be marginal without the annotation: the score alone is 75', async () => {
    const template = await loadTemplate(shipped);
    const report = await compare({ template: { ...template, annotations: {} } });
    expect(report).toMatchObject({ score: 75, verdict: 'marginal' });
  });

  it('adds --critical to the annotated set and lets --weight override the weights annotation', async () => {
    const template = await loadTemplate(shipped);
    const report = await compare({
      template: { ...template, annotations: { 'canary.gitops-lab.io/metric-weights': 'error-ratio=5' } },
      critical: ['latency-p95'],
      weights: { 'error-ratio': 2 },
    });
    expect(report.critical).toEqual({ metrics: ['latency-p95'], fromTemplate: [] });
    expect(report.metrics.find((m) => m.name === 'error-ratio')?.weight).toBe(2);
    // grounded-ratio is not critical here: weighted share of Pass = (2 + 1 + 1) / (1 + 2 + 1 + 1).
    expect(report.score).toBe(80);
    const both = await compare({ critical: ['latency-p95'] });
    expect(both.critical.metrics).toEqual(['grounded-ratio', 'latency-p95']);
  });

  it('rejects unknown --critical and --weight names before querying, naming them', async () => {
    let queried = false;
    const spy: typeof fetch = async (url, init) => {
      queried = true;
      return fakePrometheus(url, init);
    };
    await expect(compare({ critical: ['grounded', 'latency-p95'], fetch: spy })).rejects.toThrow(
      '--critical grounded: no such metric to compare (compared: grounded-ratio, error-ratio, abstain-ratio, latency-p95).',
    );
    await expect(compare({ weights: { nope: 1 } })).rejects.toThrow(UsageError);
    expect(queried).toBe(false);
  });

  it('rejects an annotation naming a metric compare cannot judge (the eval-replay job)', async () => {
    const template = await loadTemplate(shipped);
    await expect(
      compare({ template: { ...template, annotations: { [CRITICAL_ANNOTATION]: 'eval-replay' } } }),
    ).rejects.toThrow(
      `The annotation ${CRITICAL_ANNOTATION} of the AnalysisTemplate docqa-quality (${shipped}) names eval-replay, which compare cannot judge: only prometheus metrics are compared.`,
    );
  });
});

describe('compareFromFiles', () => {
  it('accepts --critical for its one metric, named series, and rejects any other name', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gitops-lab-compare-'));
    try {
      const canaryFile = join(dir, 'canary.json');
      const baselineFile = join(dir, 'baseline.json');
      await writeFile(canaryFile, JSON.stringify([5, 6, 5, 7, 6, 5, 6, 7, 5, 6]));
      await writeFile(baselineFile, JSON.stringify([1, 2, 1, 1, 2, 1, 2, 1, 1, 2]));
      const options = {
        canaryFile,
        baselineFile,
        direction: 'increase' as const,
        judge: defaultJudgeOptions,
      };
      const report = await compareFromFiles({ ...options, critical: ['series'] });
      expect(report).toMatchObject({ score: 0, verdict: 'fail', critical: { metrics: ['series'] } });
      expect(report.reason).toContain('critical metric series High');
      await expect(compareFromFiles({ ...options, critical: ['grounded-ratio'] })).rejects.toThrow(
        '--critical grounded-ratio: no such metric to compare (compared: series).',
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('compareFromFiles and the mostly-zero regression', () => {
  it('fails the mostly-zero regression: an error ratio zero 70% of the time (mean 0.66) against 92% (mean 0.15)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'compare-'));
    try {
      const spread = (n: number, mean: number) =>
        Array.from({ length: n }, (_, i) => mean * (0.5 + i / Math.max(1, n - 1)));
      const canaryFile = join(dir, 'canary.json');
      const baselineFile = join(dir, 'baseline.json');
      await writeFile(canaryFile, JSON.stringify([...Array(70).fill(0), ...spread(30, 2.2)]));
      await writeFile(baselineFile, JSON.stringify([...Array(92).fill(0), ...spread(8, 1.875)]));
      const report = await compareFromFiles({
        canaryFile,
        baselineFile,
        direction: 'increase',
        judge: defaultJudgeOptions,
      });
      expect(report.metrics[0]?.class).toBe('High');
      expect(report.verdict).toBe('fail');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
