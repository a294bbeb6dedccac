/**
 * The hash of a Rollout's canary steps (src/lab/sim/rollouts-steps.ts) against argo-rollouts v1.8.3's
 * utils/conditions/rollouts_test.go TestComputeStepHash (its asserted values), and the form encoding/json gives the
 * lab's steps.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeStepHash, stepsChanged, stepsJson } from '../../../src/lab/sim/rollouts-steps.js';

const labSteps = [
  { setWeight: 25 },
  { pause: { duration: '30s' } },
  {
    analysis: {
      templates: [{ templateName: 'docqa-quality' }],
      args: [{ name: 'canary-hash', valueFrom: { podTemplateHashValue: 'Latest' } }],
    },
  },
];

describe('ComputeStepHash (utils/conditions/conditions.go)', () => {
  it('gives upstream’s values: one empty pause, two, no steps (rollouts_test.go TestComputeStepHash)', () => {
    expect(computeStepHash({ canary: { steps: [{ pause: {} }] } })).toBe('6b9b86fbd5');
    expect(computeStepHash({ canary: { steps: [{ pause: {} }, { pause: {} }] } })).toBe('79c9b9f6bf');
    expect(computeStepHash({ canary: {} })).toBe('5ffbfbbd64');
  });

  it('is empty for a blue-green Rollout or one with no canary strategy', () => {
    expect(computeStepHash({ blueGreen: {} })).toBe('');
    expect(computeStepHash({ canary: { steps: [] }, blueGreen: {} })).toBe('');
    expect(computeStepHash(undefined)).toBe('');
  });

  it('renders the steps as encoding/json does: Go field order, omitempty, an empty analysisRunMetadata kept', () => {
    expect(stepsJson(labSteps)).toBe(
      '[{"setWeight":25},{"pause":{"duration":"30s"}},{"analysis":{"templates":[{"templateName":"docqa-quality"}],' +
        '"args":[{"name":"canary-hash","valueFrom":{"podTemplateHashValue":"Latest"}}],"analysisRunMetadata":{}}}]',
    );
    expect(stepsJson([{ pause: { duration: 10 }, setWeight: 0 }])).toBe(
      '[{"setWeight":0,"pause":{"duration":10}}]',
    );
    expect(stepsJson([])).toBe('[]');
    expect(stepsJson(undefined)).toBe('null');
  });

  it('a different step gives a different hash; the hash has rand.SafeEncodeString’s form', () => {
    const hash = computeStepHash({ canary: { steps: labSteps } });
    expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    const longer = [...labSteps.slice(0, 1), { pause: { duration: '60s' } }, ...labSteps.slice(2)];
    expect(computeStepHash({ canary: { steps: longer } })).not.toBe(hash);
  });

  it('does not depend on the order of a step’s keys, nor on fields CanaryStep does not declare (property)', () => {
    const step = fc.record(
      {
        setWeight: fc.integer({ min: 0, max: 100 }),
        pause: fc.record(
          { duration: fc.oneof(fc.integer({ min: 0, max: 600 }), fc.constantFrom('30s', '1m')) },
          {
            requiredKeys: [],
          },
        ),
        analysis: fc.record({
          templates: fc.array(fc.record({ templateName: fc.string() }), { maxLength: 2 }),
        }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 5 }), fc.string(), (steps, extra) => {
        const reordered = steps.map((s) => ({
          [`x-${extra}`]: extra,
          ...Object.fromEntries(Object.entries(s).reverse()),
        }));
        expect(computeStepHash({ canary: { steps: reordered } })).toBe(
          computeStepHash({ canary: { steps } }),
        );
      }),
    );
  });
});

describe('checkStepHashChange (utils/replicaset/replicaset.go)', () => {
  const strategy = { canary: { steps: [{ pause: {} }] } };
  it('a status without a step hash is a change; the steps’ own hash is none; another hash is one', () => {
    expect(stepsChanged(undefined, strategy)).toBe(true);
    expect(stepsChanged('', strategy)).toBe(true);
    expect(stepsChanged('6b9b86fbd5', strategy)).toBe(false);
    expect(stepsChanged('79c9b9f6bf', strategy)).toBe(true);
  });
});
