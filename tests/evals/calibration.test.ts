import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectedCalibrationError, fitIsotonic, reliabilityBins } from '../../src/evals/calibration.js';

const outcome = fc.record({ score: fc.double({ min: 0, max: 1, noNaN: true }), right: fc.boolean() });

describe('calibration', () => {
  it('fits a non-decreasing map from score to share right, within 0..1', () => {
    fc.assert(
      fc.property(fc.array(outcome, { minLength: 1, maxLength: 60 }), (outcomes) => {
        const knots = fitIsotonic(outcomes);
        for (let i = 1; i < knots.length; i++) {
          const [x0, y0] = knots[i - 1] as [number, number];
          const [x1, y1] = knots[i] as [number, number];
          expect(x1).toBeGreaterThanOrEqual(x0);
          expect(y1).toBeGreaterThanOrEqual(y0);
        }
        for (const [, y] of knots) expect(y >= 0 && y <= 1).toBe(true);
      }),
    );
  });

  it('pools violators: a right answer at a low score and a wrong one above it average out', () => {
    expect(
      fitIsotonic([
        { score: 0.2, right: true },
        { score: 0.4, right: false },
        { score: 0.9, right: true },
      ]),
    ).toEqual([
      [0.2, 0.5],
      [0.4, 0.5],
      [0.9, 1],
    ]);
  });

  it('bins answers by confidence and measures the expected calibration error', () => {
    const perfect = Array.from({ length: 10 }, (_, i) => ({ score: 0.85, right: i !== 0 }));
    // 0.85 confidence, 9 of 10 right: |0.9 - 0.85| = 0.05
    const bins = reliabilityBins(perfect, 10);
    expect(bins[8]).toMatchObject({ count: 10, confidence: 0.85, accuracy: 0.9 });
    expect(expectedCalibrationError(bins)).toBeCloseTo(0.05, 6);
    expect(expectedCalibrationError(reliabilityBins([], 10))).toBeNull();
    // an overconfident engine: always 1.0, right half the time
    const overconfident = Array.from({ length: 8 }, (_, i) => ({ score: 1, right: i % 2 === 0 }));
    expect(expectedCalibrationError(reliabilityBins(overconfident))).toBe(0.5);
  });
});
