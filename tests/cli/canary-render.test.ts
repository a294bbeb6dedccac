/** How `canary check` explains a metric in its table (rendering only; the verdict is the canary judge's). */
import { describe, expect, it } from 'vitest';
import { whyColumn } from '../../src/cli/handlers/canary-check.js';

const neither =
  'neither successCondition len(result) > 0 && result[0] >= 0.9 nor failureCondition len(result) > 0 && result[0] < 0.9 is true';

describe('canary check: the WHY column', () => {
  it('a NaN result (a ratio over no requests) is said to be no data, not only "neither condition is true"', () => {
    const why = whyColumn({ value: '[NaN]', reason: neither, phase: 'Inconclusive' });
    expect(why).toContain('no data');
    expect(why).toContain('NaN');
  });

  it('an empty result is no data too', () => {
    expect(whyColumn({ value: '[]', reason: neither, phase: 'Inconclusive' })).toMatch(
      /^no data \(result empty/,
    );
  });

  it('a number keeps the condition that decided', () => {
    expect(
      whyColumn({ value: '[0.5]', reason: 'failureCondition result[0] < 0.9 is true', phase: 'Failed' }),
    ).toBe('failureCondition is true');
    expect(whyColumn({ value: '[0.5]', reason: neither, phase: 'Inconclusive' })).toBe(
      'neither condition is true',
    );
  });
});
