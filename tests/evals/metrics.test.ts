import { describe, expect, it } from 'vitest';
import { computeMetrics, percentile } from '../../src/evals/metrics.js';
import type { CaseRun } from '../../src/evals/score.js';

function run(partial: Partial<CaseRun> & Pick<CaseRun, 'expected'>): CaseRun {
  return {
    id: 'x',
    run: 0,
    passed: false,
    cited_docs: [],
    completed: true,
    schema_valid: true,
    f1: 0,
    exact_match: 0,
    latency_ms: 10,
    ...partial,
  };
}

const answerable = { status: 'answered' as const, answer_contains: ['k'], doc: 'a.md' };
const noDoc = { status: 'answered' as const };
const abstain = { status: 'insufficient_context' as const };

describe('summary metrics', () => {
  const runs: CaseRun[] = [
    // 4 answerable: 3 correct answers, 2 correct citations (one case has no expected doc)
    run({
      expected: answerable,
      status: 'answered',
      answer_correct: true,
      citation_correct: true,
      f1: 1,
      latency_ms: 10,
    }),
    run({
      expected: answerable,
      status: 'answered',
      answer_correct: true,
      citation_correct: false,
      f1: 0.5,
      latency_ms: 20,
    }),
    run({ expected: noDoc, status: 'answered', answer_correct: true, f1: 1, latency_ms: 30 }),
    run({
      expected: answerable,
      status: 'insufficient_context',
      answer_correct: false,
      citation_correct: false,
      latency_ms: 40,
    }),
    // 3 should abstain: 2 did, 1 answered
    run({ expected: abstain, status: 'insufficient_context', f1: 1, latency_ms: 50 }),
    run({ expected: abstain, status: 'insufficient_context', f1: 1, latency_ms: 60 }),
    run({ expected: abstain, status: 'answered', latency_ms: 70 }),
    // a timeout and a schema-invalid response
    run({ expected: abstain, completed: false, schema_valid: undefined, latency_ms: 1000 }),
    run({
      expected: answerable,
      completed: false,
      schema_valid: false,
      answer_correct: false,
      citation_correct: false,
      latency_ms: 90,
    }),
  ];
  const { metrics, counts } = computeMetrics(runs);

  it('computes each ratio over its own denominator', () => {
    expect(counts).toMatchObject({
      runs: 9,
      answerable: 5,
      with_expected_doc: 4,
      should_abstain: 4,
      abstained: 3,
    });
    expect(metrics.answer_accuracy).toBe(0.6); // 3 of 5 answerable
    expect(metrics.citation_accuracy).toBe(0.25); // 1 of 4 with an expected doc
    expect(metrics.abstain_precision).toBeCloseTo(2 / 3, 4); // 2 right of 3 abstentions
    expect(metrics.abstain_recall).toBe(0.5); // 2 of 4 that should
    expect(metrics.schema_validity).toBe(0.875); // 7 of 8 2xx responses
    expect(metrics.workflow_completion_ratio).toBeCloseTo(7 / 9, 4);
    expect(metrics.f1).toBeCloseTo(4.5 / 9, 4);
  });

  it('reports nearest-rank latency percentiles', () => {
    expect(metrics.latency_ms).toEqual({ p50: 50, p95: 1000, p99: 1000 });
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50)).toBe(5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)).toBe(10);
    expect(percentile([5], 99)).toBe(5);
    expect(percentile([], 50)).toBeNull();
  });

  it('reports null, not a guess, when a metric has nothing to measure', () => {
    // The service never abstained: precision has no denominator; recall is 0.
    const never = computeMetrics([
      run({ expected: abstain, status: 'answered' }),
      run({ expected: answerable, status: 'answered', answer_correct: true, citation_correct: true }),
    ]).metrics;
    expect(never.abstain_precision).toBeNull();
    expect(never.abstain_recall).toBe(0);
    // No answerable cases at all.
    const onlyAbstain = computeMetrics([
      run({ expected: abstain, status: 'insufficient_context', f1: 1 }),
    ]).metrics;
    expect(onlyAbstain.answer_accuracy).toBeNull();
    expect(onlyAbstain.citation_accuracy).toBeNull();
    expect(onlyAbstain.abstain_precision).toBe(1);
    // Nothing ran.
    const empty = computeMetrics([]).metrics;
    expect(empty.f1).toBeNull();
    expect(empty.workflow_completion_ratio).toBeNull();
    expect(empty.latency_ms).toEqual({ p50: null, p95: null, p99: null });
  });
});
