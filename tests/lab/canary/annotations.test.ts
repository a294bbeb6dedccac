import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import {
  CRITICAL_ANNOTATION,
  parseJudgeAnnotations,
  WEIGHTS_ANNOTATION,
} from '../../../src/lab/canary/annotations.js';
import { loadTemplate, parseTemplate } from '../../../src/lab/canary/template.js';

const shipped = fileURLToPath(
  new URL('../../../manifests/workloads/docqa/analysis-template.yaml', import.meta.url),
);
const names = ['grounded-ratio', 'error-ratio', 'latency-p95'];

function template(annotations: Record<string, string>) {
  return {
    file: 't.yaml',
    name: 'docqa-quality',
    annotations,
    metrics: names.map((name) => ({ name })),
  };
}

function usageError(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error('expected a UsageError');
}

describe('judge annotations of an AnalysisTemplate', () => {
  it('marks grounded-ratio critical in the shipped template, read from its YAML metadata', async () => {
    const shippedTemplate = await loadTemplate(shipped);
    expect(shippedTemplate.annotations[CRITICAL_ANNOTATION]).toBe('grounded-ratio');
    expect(parseJudgeAnnotations(shippedTemplate)).toEqual({ critical: ['grounded-ratio'], weights: {} });
  });

  it('reads a comma list of critical metrics and name=weight pairs, spaces allowed', () => {
    expect(
      parseJudgeAnnotations(
        template({
          [CRITICAL_ANNOTATION]: ' grounded-ratio , error-ratio,grounded-ratio',
          [WEIGHTS_ANNOTATION]: 'grounded-ratio=3, latency-p95 = 0.5,error-ratio=0',
        }),
      ),
    ).toEqual({
      critical: ['grounded-ratio', 'error-ratio'],
      weights: { 'grounded-ratio': 3, 'latency-p95': 0.5, 'error-ratio': 0 },
    });
  });

  it('reads nothing from a template without the annotations, or with empty values', () => {
    expect(parseJudgeAnnotations(template({}))).toEqual({ critical: [], weights: {} });
    expect(parseJudgeAnnotations(template({ [CRITICAL_ANNOTATION]: ' ' }))).toEqual({
      critical: [],
      weights: {},
    });
  });

  it('rejects a metric the template does not have, naming the annotation and the metric', () => {
    const error = usageError(() =>
      parseJudgeAnnotations(template({ [CRITICAL_ANNOTATION]: 'grounded-ratio,groundedness' })),
    );
    expect(error.message).toBe(
      `The annotation ${CRITICAL_ANNOTATION} of the AnalysisTemplate docqa-quality (t.yaml) names groundedness, which is not a metric of the template (its metrics: grounded-ratio, error-ratio, latency-p95).`,
    );
    expect(
      usageError(() => parseJudgeAnnotations(template({ [WEIGHTS_ANNOTATION]: 'nope=2' }))).message,
    ).toContain(`${WEIGHTS_ANNOTATION} of the AnalysisTemplate docqa-quality (t.yaml) names nope`);
  });

  it.each([
    [CRITICAL_ANNOTATION, 'grounded-ratio,,error-ratio', 'has an empty item (item 2'],
    [WEIGHTS_ANNOTATION, 'grounded-ratio', '"grounded-ratio" is not metric=weight'],
    [WEIGHTS_ANNOTATION, 'grounded-ratio=-1', '"grounded-ratio=-1" is not metric=weight'],
    [WEIGHTS_ANNOTATION, 'grounded-ratio=heavy', '"grounded-ratio=heavy" is not metric=weight'],
    [WEIGHTS_ANNOTATION, 'grounded-ratio=', '"grounded-ratio=" is not metric=weight'],
    [WEIGHTS_ANNOTATION, '=2', '"=2" is not metric=weight'],
    [WEIGHTS_ANNOTATION, 'error-ratio=1,error-ratio=2', 'gives error-ratio a weight twice'],
  ])('rejects %s: %j', (key, value, message) => {
    const error = usageError(() => parseJudgeAnnotations(template({ [key]: value })));
    expect(error.message).toContain(`The annotation ${key} of the AnalysisTemplate docqa-quality (t.yaml)`);
    expect(error.message).toContain(message);
    expect(error.hint).toBeTruthy();
  });

  it('rejects an annotation value that is not a string when the YAML is loaded', () => {
    const yaml = `kind: AnalysisTemplate
metadata:
  name: t
  annotations:
    ${WEIGHTS_ANNOTATION}: 3
spec:
  metrics:
    - name: m
      provider: {prometheus: {query: up}}
`;
    expect(() => parseTemplate(yaml, 'x.yaml')).toThrow(
      `AnalysisTemplate x.yaml: metadata.annotations.${WEIGHTS_ANNOTATION} must be a string (quote it in the YAML).`,
    );
  });

  it('property: any comma list of known names with any spacing parses to those names, in order, once each', () => {
    const spacing = fc.constantFrom('', ' ', '  ', '\t');
    fc.assert(
      fc.property(
        fc.array(fc.tuple(spacing, fc.constantFrom(...names), spacing), { minLength: 1, maxLength: 6 }),
        (items) => {
          const value = items.map(([a, name, b]) => `${a}${name}${b}`).join(',');
          const expected = [...new Set(items.map(([, name]) => name))];
          expect(parseJudgeAnnotations(template({ [CRITICAL_ANNOTATION]: value })).critical).toEqual(
            expected,
          );
        },
      ),
    );
  });

  it('property: any string either parses to known metrics or is a UsageError naming the annotation', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (critical, weights) => {
        try {
          const parsed = parseJudgeAnnotations(
            template({ [CRITICAL_ANNOTATION]: critical, [WEIGHTS_ANNOTATION]: weights }),
          );
          for (const name of [...parsed.critical, ...Object.keys(parsed.weights)])
            expect(names).toContain(name);
          for (const weight of Object.values(parsed.weights)) expect(weight).toBeGreaterThanOrEqual(0);
        } catch (error) {
          expect(error).toBeInstanceOf(UsageError);
          expect((error as UsageError).message).toMatch(
            new RegExp(
              `^The annotation (${CRITICAL_ANNOTATION}|${WEIGHTS_ANNOTATION}) of the AnalysisTemplate`,
            ),
          );
        }
      }),
    );
  });
});
