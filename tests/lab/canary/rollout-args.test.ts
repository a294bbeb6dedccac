/**
 * The arguments a Rollout passes to its AnalysisRuns (src/lab/canary/rollout-args.ts). The cases are Argo Rollouts
 * v1.8.3's own: utils/analysis/factory_test.go TestBuildArgumentsForRolloutAnalysisRun and
 * Test_extractValueFromRollout (inputs and asserted outputs; the tests are written here).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatGoFloat as goFloat } from '../../../src/lab/canary/expr/values.js';
import {
  analysisReferences,
  buildRolloutArgs,
  extractValueFromRollout,
  metadataFieldPath,
} from '../../../src/lab/canary/rollout-args.js';

const rollout = {
  metadata: {
    name: 'test',
    namespace: 'default',
    uid: '6f1c1d2e-0000-4000-8000-000000000001',
    annotations: { 'rollout.argoproj.io/revision': '1' },
    labels: { app: 'app', env: 'test' },
  },
  spec: { replicas: 1 },
  status: { pauseConditions: [{ reason: 'test-reason' }] },
};

describe('buildRolloutArgs (factory_test.go TestBuildArgumentsForRolloutAnalysisRun)', () => {
  const args = [
    { name: 'hard-coded-value-key', value: 'hard-coded-value' },
    { name: 'stable-key', valueFrom: { podTemplateHashValue: 'Stable' } },
    { name: 'new-key', valueFrom: { podTemplateHashValue: 'Latest' } },
    { name: "metadata.labels['app']", valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
    { name: "metadata.labels['env']", valueFrom: { fieldRef: { fieldPath: "metadata.labels['env']" } } },
    {
      name: "metadata.annotations['rollout.argoproj.io/revision']",
      valueFrom: { fieldRef: { fieldPath: "metadata.annotations['rollout.argoproj.io/revision']" } },
    },
    {
      name: 'status.pauseConditions[0].reason',
      valueFrom: { fieldRef: { fieldPath: 'status.pauseConditions[0].reason' } },
    },
  ];

  it('gives each argument its value: plain, the stable and latest hashes, labels, annotations, status fields', () => {
    const built = buildRolloutArgs(args, { stable: 'abcdef', latest: '123456' }, rollout);
    expect(Object.fromEntries(built.map((a) => [a.name, a.value]))).toEqual({
      'hard-coded-value-key': 'hard-coded-value',
      'stable-key': 'abcdef',
      'new-key': '123456',
      "metadata.labels['app']": 'app',
      "metadata.labels['env']": 'test',
      "metadata.annotations['rollout.argoproj.io/revision']": '1',
      'status.pauseConditions[0].reason': 'test-reason',
    });
    expect(built.find((a) => a.name === 'new-key')?.source).toBe('podTemplateHashValue: Latest');
  });

  it('a hash the Rollout does not have yet is an error naming the argument', () => {
    expect(() => buildRolloutArgs(args.slice(1, 2), { latest: '123456' }, rollout)).toThrow(
      /argument stable-key: .*status\.stableRS/,
    );
  });
});

describe('extractValueFromRollout (factory_test.go Test_extractValueFromRollout)', () => {
  const cases: Array<[string, string, string?]> = [
    ['metadata.name', 'test'],
    ['metadata.labels.app', 'app'],
    ["metadata.labels['app']", '', "invalid path metadata.labels['app'] in rollout"],
    ['status.pauseConditions[0].reason', 'test-reason'],
    ['status.pauseConditions[blah].reason', '', "invalid index 'blah'"],
    ['status.pauseConditions[12].reason', '', 'index 12 out of range'],
    [
      'status.pauseConditions[0].startTime',
      '',
      'invalid path status.pauseConditions[0].startTime in rollout',
    ],
    ['some.invalid[2].non.existing.path', '', 'invalid path some.invalid[2].non.existing.path in rollout'],
    [
      'status.pauseConditions[0]',
      '',
      'path status.pauseConditions[0] in rollout must terminate in a primitive value',
    ],
  ];
  for (const [path, want, error] of cases)
    it(`${path} → ${error ? `error "${error}"` : want}`, () => {
      if (error) expect(() => extractValueFromRollout(rollout, path)).toThrow(error);
      else expect(extractValueFromRollout(rollout, path)).toBe(want);
    });

  it('numbers print as Go prints a float64 with %v', () => {
    expect(extractValueFromRollout(rollout, 'spec.replicas')).toBe('1');
    expect(extractValueFromRollout({ spec: { n: 1_000_000 } }, 'spec.n')).toBe('1e+06');
    expect(extractValueFromRollout({ spec: { n: 0.5 } }, 'spec.n')).toBe('0.5');
  });
});

describe('metadataFieldPath (Kubernetes pkg/fieldpath ExtractFieldPathAsString)', () => {
  it('reads name, namespace and uid; a missing label is empty', () => {
    expect(metadataFieldPath(rollout, 'metadata.namespace')).toBe('default');
    expect(metadataFieldPath(rollout, 'metadata.uid')).toBe(rollout.metadata.uid);
    expect(metadataFieldPath(rollout, "metadata.labels['absent']")).toBe('');
  });

  it('prints all labels as sorted key="value" lines', () => {
    expect(metadataFieldPath(rollout, 'metadata.labels')).toBe('app="app"\nenv="test"');
  });

  it('refuses other paths and subscripts of other fields', () => {
    expect(() => metadataFieldPath(rollout, 'metadata.generation')).toThrow(
      'unsupported fieldPath: metadata.generation',
    );
    expect(() => metadataFieldPath(rollout, "metadata.name['x']")).toThrow('does not support subscript');
    // A metadata path goes to the field-path accessor, which does not walk dots (factory.go routes by prefix).
    expect(() =>
      buildRolloutArgs(
        [{ name: 'a', valueFrom: { fieldRef: { fieldPath: 'metadata.labels.app' } } }],
        {},
        rollout,
      ),
    ).toThrow('unsupported fieldPath: metadata.labels.app');
  });
});

describe('goFloat', () => {
  it('matches Go %v: plain between 1e-4 and 1e6, exponent form outside', () => {
    expect([123456, 1234567, 0.0001, 0.00001, -2.5e21, 1e21].map(goFloat)).toEqual([
      '123456',
      '1.234567e+06',
      '0.0001',
      '1e-05',
      '-2.5e+21',
      '1e+21',
    ]);
  });

  it('reads back as the same number', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (n) => {
        expect(Number(goFloat(n))).toBe(n);
      }),
    );
  });
});

describe('analysisReferences', () => {
  const docqa = {
    spec: {
      strategy: {
        canary: {
          analysis: { templates: [{ templateName: 'quality' }], args: [{ name: 'bg', value: 'x' }] },
          steps: [
            { setWeight: 20 },
            { analysis: { templates: [{ templateName: 'other' }] } },
            {
              analysis: {
                templates: [{ templateName: 'quality' }],
                args: [{ name: 'canary-hash', valueFrom: { podTemplateHashValue: 'Latest' } }],
              },
            },
          ],
        },
      },
    },
  };

  it('finds step analyses in order, then the background analysis', () => {
    expect(analysisReferences(docqa, 'quality').map((r) => r.where)).toEqual([
      'steps[2].analysis',
      'canary.analysis',
    ]);
    expect(analysisReferences(docqa, 'quality')[0]?.args).toEqual([
      { name: 'canary-hash', valueFrom: { podTemplateHashValue: 'Latest' } },
    ]);
  });

  it('finds blue-green analyses and nothing in an object that is not a Rollout', () => {
    const bg = {
      spec: {
        strategy: { blueGreen: { postPromotionAnalysis: { templates: [{ templateName: 'quality' }] } } },
      },
    };
    expect(analysisReferences(bg, 'quality').map((r) => r.where)).toEqual([
      'blueGreen.postPromotionAnalysis',
    ]);
    fc.assert(fc.property(fc.anything(), (junk) => Array.isArray(analysisReferences(junk, 'quality'))));
  });
});
