/**
 * Conformance with Kayenta's Mann-Whitney implementation: spinnaker/kayenta v2.46.0
 * kayenta-mannwhitney/src/test/scala/com/netflix/kayenta/mannwhitney/MannWhitneySuite.scala. Input arrays
 * are in tests/fixtures/canary/kayenta/mann-whitney-suite.json under the upstream test's name; the asserted
 * values and tolerances (1e-6, the R tie-outs' estimates 1e-4) are upstream's.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  brentSolve,
  kayentaMannWhitney,
  wilcoxonDiff,
} from '../../../../src/lab/canary/stats/kayenta-mann-whitney.js';
import { normalQuantile } from '../../../../src/lab/canary/stats/normal.js';

const { tests } = JSON.parse(
  readFileSync(new URL('../../../fixtures/canary/kayenta/mann-whitney-suite.json', import.meta.url), 'utf8'),
) as { tests: Record<string, Record<string, number[]>> };
const data = (test: string, name: string): number[] => {
  const values = tests[test]?.[name];
  if (!values) throw new Error(`fixture has no ${name} for ${test}`);
  return values;
};
const E = 1e-6;
const close = (actual: number, expected: number, tolerance = E) =>
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance);

describe('Kayenta MannWhitneySuite.scala', () => {
  it('Wilcoxon Diff Function', () => {
    const x = data('Wilcoxon Diff Function', 'x');
    const y = data('Wilcoxon Diff Function', 'y');
    close(wilcoxonDiff(0, 0, x, y), -1.229416);
    close(wilcoxonDiff(5, 0, x, y), -35.80606);
  });

  it('Test zQuant', () => {
    close(normalQuantile(0.02 / 2), -2.326348);
  });

  it('Mann-Whitney Confidence Interval & Estimate', () => {
    const t = 'Mann-Whitney Confidence Interval & Estimate';
    const result = kayentaMannWhitney(data(t, 'experimentData'), data(t, 'controlData'), 0.95);
    close(result.lower, 6);
    close(result.upper, 39);
    close(result.estimate, 22.5);
  });

  it('Mann-Whitney Confidence Interval & Estimate: Problem Case', () => {
    const t = 'Mann-Whitney Confidence Interval & Estimate: Problem Case';
    const result = kayentaMannWhitney(data(t, 'experiment'), data(t, 'control'), 0.98);
    close(result.lower, -1.4808028936386108e-5);
    close(result.upper, 1.808255910873413e-5);
    close(result.estimate, 1.808255910873413e-5);
  });

  it('Mann-Whitney Confidence Interval & Estimate: Tie out with R Version', () => {
    const t = 'Mann-Whitney Confidence Interval & Estimate: Tie out with R Version';
    const result = kayentaMannWhitney(data(t, 'experiment'), data(t, 'control'), 0.95);
    close(result.lower, -0.500002521696696);
    close(result.upper, -3.486287505871302e-5);
    close(result.estimate, -0.4999393907180323, 1e-4);
  });

  it('Mann-Whitney Confidence Interval & Estimate: Tie out with R Version (Large)', () => {
    const t = 'Mann-Whitney Confidence Interval & Estimate: Tie out with R Version (Large)';
    const result = kayentaMannWhitney(data(t, 'experiment'), data(t, 'control'), 0.98);
    close(result.lower, -0.4999173250549087);
    close(result.upper, -6.912685789769486e-6);
    close(result.estimate, -3.45044082729315e-5, 1e-4);
  });

  it('Mann-Whitney Intermediate Values / Variables', () => {
    const t = 'Mann-Whitney Intermediate Values / Variables';
    const x = data(t, 'x');
    const y = data(t, 'y');
    const muMin = Math.min(...x) - Math.max(...y);
    const muMax = Math.max(...x) - Math.min(...y);
    const zqLower = -normalQuantile(0.05 / 2);
    const zqUpper = normalQuantile(0.05 / 2);
    close(muMin, -3.124999999999986);
    close(muMax, 5.555555555555557);
    close(zqLower, 1.9599639845400536);
    close(zqUpper, -1.9599639845400536);
    const f = (mu: number, zq: number) => wilcoxonDiff(mu, zq, x, y);
    close(f(muMin, zqLower), 17.090968923762254);
    close(f(muMax, zqLower), -20.997687930433106);
    close(f(muMin, zqUpper), 21.01089689284236);
    close(f(muMax, zqUpper), -17.077759961353);
    const solve = (zq: number) => brentSolve(muMin, muMax, f(muMin, zq), f(muMax, zq), (mu) => f(mu, zq));
    close(solve(zqLower), 3.521755377702165e-5);
    close(solve(zqUpper), 2.02456461662334e-5);
    close(solve(0), 2.6279243045155653e-5);
  });
});
