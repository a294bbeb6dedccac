import { describe, expect, it } from 'vitest';
import {
  countFlaps,
  evaluateExpectation,
  expectationStatement,
  type Sample,
} from '../../../src/lab/drills/expectations.js';
import type { ResolvedExpectation } from '../../../src/lab/drills/load.js';
import { withinTolerance } from '../../../src/lab/drills/tolerance.js';

const series = (values: unknown[], ok: (v: unknown) => boolean = () => true, stepMs = 5000): Sample[] =>
  values.map((value, i) => ({ t: i * stepMs, value, ok: ok(value), detail: `value ${String(value)}` }));

describe('observe expectations', () => {
  it('flaps: counts switches between the low and the high side, ignoring values in between', () => {
    expect(countFlaps(series([2, 1, 2, 1, 2]), [1, 2])).toBe(4);
    expect(countFlaps(series([1, 1, 3, 3, 1]), [1, 3])).toBe(2);
    expect(countFlaps(series([1, 2, 1, 2, 1]), [1, 3])).toBe(0);
    expect(countFlaps(series([0, 5, 1, 4]), [1, 3])).toBe(3);
    expect(countFlaps(series(['Synced', 'OutOfSync', 'Synced']), ['Synced', 'OutOfSync'])).toBe(2);
    const verdict = evaluateExpectation({ flaps: { between: [1, 2], times: 2 } }, series([2, 1, 2]));
    expect(verdict).toEqual({ met: true, detail: 'switched 2 times (wanted ≥ 2): 2 1 2' });
    expect(evaluateExpectation({ flaps: { between: [1, 2], times: 3 } }, series([2, 1, 2])).met).toBe(false);
  });

  it('holds: every sample must pass, and the first failure is named', () => {
    const ok = (v: unknown) => v === 200;
    expect(evaluateExpectation({ holds: true }, series([200, 200, 200], ok))).toEqual({
      met: true,
      detail: 'held on all 3 samples',
    });
    const broken = evaluateExpectation({ holds: true }, series([200, 503, 200, 503], ok));
    expect(broken.met).toBe(false);
    expect(broken.detail).toBe('broken on 2 of 4 samples, first at +5s: value 503');
  });

  it('eventually and reaches: one passing sample is enough, within limits the window', () => {
    const ok = (v: unknown) => v === 'Degraded';
    const values = ['Healthy', 'Progressing', 'Degraded'];
    expect(evaluateExpectation({ eventually: true }, series(values, ok)).detail).toBe(
      'first seen at +10s: value Degraded',
    );
    expect(evaluateExpectation({ eventually: true, within: '5s' }, series(values, ok)).met).toBe(false);
    expect(evaluateExpectation({ reaches: 'Degraded' }, series(values)).met).toBe(true);
    expect(evaluateExpectation({ reaches: 3 }, series(['1', '2', '3'])).met).toBe(true);
    expect(evaluateExpectation({ reaches: 4 }, series([1, 2, 3])).detail).toBe(
      'never reached 4; last value 3',
    );
  });

  it('changes: counts value changes, with min and max', () => {
    const values = ['a', 'a', 'b', 'b', 'c'];
    expect(evaluateExpectation({ changes: true }, series(values)).met).toBe(true);
    expect(evaluateExpectation({ changes: { min: 3 } }, series(values))).toEqual({
      met: false,
      detail: 'changed 2 times (wanted ≥ 3)',
    });
    expect(evaluateExpectation({ changes: { max: 0 } }, series(['x', 'x', 'x'])).met).toBe(true);
    expect(evaluateExpectation({ changes: { max: 0 } }, series(['x', 'y'])).met).toBe(false);
  });

  it('no samples means not met', () => {
    expect(evaluateExpectation({ holds: true }, [])).toEqual({ met: false, detail: 'no samples were taken' });
  });
});

describe('tolerances', () => {
  it('compares numbers held as strings, ranges, sets, patterns and presence', () => {
    expect(withinTolerance('3', { equals: 3 })).toBe(true);
    expect(withinTolerance(7, { range: [2, 6] })).toBe(false);
    expect(withinTolerance(2, { range: { min: 2 } })).toBe(true);
    expect(withinTolerance('n/a', { range: { max: 1 } })).toBe(false);
    expect(withinTolerance('Degraded', { in: ['Degraded', 'Aborted'] })).toBe(true);
    expect(withinTolerance(['True', 'True'], { matches: '^True(,True)*$' })).toBe(true);
    expect(withinTolerance(['True', 'False'], { matches: '^True(,True)*$' })).toBe(false);
    expect(withinTolerance(undefined, { exists: false })).toBe(true);
    expect(withinTolerance(undefined, {})).toBe(false);
  });

  describe('the sentence a verdict prints', () => {
    const analysis = {
      id: 'analysis-failed',
      probe: {
        type: 'rollout',
        description: "the canary's AnalysisRun fails",
        name: 'docqa',
        namespace: 'docqa',
        analysis: ['Failed'],
      },
    } as unknown as ResolvedExpectation['probe'];
    const replicas = {
      id: 'replicas',
      probe: {
        type: 'k8s',
        target: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', namespace: 'docqa', name: 'docqa' },
        path: '.spec.replicas',
      },
    } as unknown as ResolvedExpectation['probe'];

    it("a pass/fail expectation qualifies the probe's condition; its description labels it, never as a subject", () => {
      const e = {
        probe: analysis,
        eventually: true,
        description: 'the quality analysis',
      } as ResolvedExpectation;
      expect(expectationStatement(e)).toBe(
        "the quality analysis: the canary's AnalysisRun fails, at least once",
      );
      expect(
        expectationStatement({ probe: analysis, holds: true, within: '90s' } as ResolvedExpectation),
      ).toBe("the canary's AnalysisRun fails, throughout the first 90s");
      expect(expectationStatement(e)).not.toMatch(/the quality analysis (passes|holds)/);
    });

    it('a value expectation follows the value its description names', () => {
      const e = {
        probe: replicas,
        flaps: { between: [1, 2], times: 2 },
        description: 'the replica count',
      } as ResolvedExpectation;
      expect(expectationStatement(e)).toBe('the replica count flaps between 1 and 2 at least 2 times');
      expect(expectationStatement({ probe: replicas, changes: { max: 0 } } as ResolvedExpectation)).toMatch(
        /^Rollout docqa\/docqa \.spec\.replicas.* stays unchanged$/,
      );
    });
  });
});
