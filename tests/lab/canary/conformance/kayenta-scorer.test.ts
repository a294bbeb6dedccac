/**
 * Conformance with Kayenta's WeightedSumScorer: spinnaker/kayenta v2.46.0
 * kayenta-judge/src/test/scala/com/netflix/kayenta/judge/ScorerSuite.scala, case by case (classified results
 * in, summary score out).
 */
import { describe, expect, it } from 'vitest';
import { type MetricClass, type ScoredResult, scoreResults } from '../../../../src/lab/canary/judge.js';

const r = (name: string, cls: MetricClass, group: string, critical = false): ScoredResult => ({
  name,
  class: cls,
  groups: [group],
  critical,
  muted: false,
});

describe('Kayenta ScorerSuite.scala (WeightedSumScorer)', () => {
  it.each([
    ['Single Metric Pass', {}, [r('test-metric-pass', 'Pass', 'test-group')], 100],
    ['Single Metric Fail', {}, [r('test-metric-high', 'High', 'test-group')], 0],
    ['Single group Nodata', {}, [r('test-metric-nodata', 'NoData', 'test-group-nodata')], 0],
    [
      'Two Groups, one Pass, one Nodata',
      {},
      [
        r('test-metric-pass1a', 'Pass', 'test-group-pass'),
        r('test-metric-pass1b', 'Pass', 'test-group-pass'),
        r('test-metric-nodata', 'NoData', 'test-group-nodata'),
      ],
      100,
    ],
    [
      'One Group, Two Metrics',
      {},
      [r('test-metric-pass', 'Pass', 'test-group'), r('test-metric-high', 'High', 'test-group')],
      50,
    ],
    [
      'One Group, Three Metrics',
      {},
      [
        r('test-metric-pass', 'Pass', 'test-group'),
        r('test-metric-high', 'High', 'test-group'),
        r('test-metric-low', 'Low', 'test-group'),
      ],
      33.33,
    ],
    [
      'Two Groups, Three Metrics',
      { 'group-1': 75, 'group-2': 25 },
      [
        r('test-metric-pass-1', 'Pass', 'group-1'),
        r('test-metric-pass-2', 'Pass', 'group-1'),
        r('test-metric-fail', 'High', 'group-2'),
      ],
      75,
    ],
    [
      'Two Groups, Three Metrics (Equal Weight)',
      { 'group-1': 50, 'group-2': 50 },
      [
        r('test-metric-pass', 'Pass', 'group-1'),
        r('test-metric-fail-1', 'High', 'group-1'),
        r('test-metric-fail-2', 'High', 'group-2'),
      ],
      25,
    ],
    [
      'Two Groups, Three Metrics (Equal Weight), one NoData',
      { 'group-1': 50, 'group-2': 50 },
      [
        r('test-metric-pass', 'Pass', 'group-1'),
        r('test-metric-nodata', 'NoData', 'group-1'),
        r('test-metric-fail', 'High', 'group-2'),
      ],
      50,
    ],
    [
      'Two Metrics, one good (normal), one fail (critical)',
      {},
      [r('test-metric-pass', 'Pass', 'test-group'), r('test-metric-high', 'High', 'test-group', true)],
      0,
    ],
    [
      'Two Metrics, one low (normal), one good (critical)',
      {},
      [r('test-metric-low', 'Low', 'test-group'), r('test-metric-pass2', 'Pass', 'test-group', true)],
      50,
    ],
    [
      'Two Metrics, one good (normal), one nodata (critical)',
      {},
      [r('test-metric-pass', 'Pass', 'test-group'), r('test-metric-nodata', 'NoData', 'test-group', true)],
      0,
    ],
    [
      'Two Groups (Unequal Weight), Four Metrics',
      { group1: 15, group2: 85 },
      [
        r('test-metric-high', 'High', 'group1'),
        r('test-metric-low', 'Low', 'group1'),
        r('test-metric-pass', 'Pass', 'group1'),
        r('test-metric-pass2', 'High', 'group2'),
      ],
      5,
    ],
  ] as [string, Record<string, number>, ScoredResult[], number][])(
    'Weighted Sum Group Scorer: %s',
    (_name, weights, results, expected) => {
      expect(scoreResults(results, weights).score).toBe(expected);
    },
  );

  it('Single group Nodata: the group itself scores 0', () => {
    const { groups } = scoreResults([r('test-metric-nodata', 'NoData', 'test-group-nodata')], {});
    expect(groups).toHaveLength(1);
    expect(groups[0]?.score).toBe(0);
  });

  it('Two Groups, one Pass, one Nodata: group scores 0 and 100', () => {
    const { groups } = scoreResults(
      [
        r('a', 'Pass', 'test-group-pass'),
        r('b', 'Pass', 'test-group-pass'),
        r('c', 'NoData', 'test-group-nodata'),
      ],
      {},
    );
    expect(groups.map((g) => g.score).sort((a, b) => a - b)).toEqual([0, 100]);
  });
});
