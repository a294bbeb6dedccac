import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { speedOption } from '../../src/cli/option-schemas.js';
import { parseOptions } from '../../src/cli/validate.js';
import { UsageError } from '../../src/errors.js';

const schema = z.object({
  var: z.array(z.string().regex(/^[A-Za-z_]\w*=/, { message: 'expected name=value' })).default([]),
  reportsDir: z.string().min(1, { error: 'expected a folder' }).optional(),
});

function messageOf(options: unknown): string {
  try {
    parseOptions(schema, options, 'drill');
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  return '';
}

describe('parseOptions: errors name the flag as typed', () => {
  it('a bad value of a repeatable flag names the flag, the value and which one it was', () => {
    expect(messageOf({ var: ['a=b', '=x'] })).toBe(
      'gitops-lab drill --var: expected name=value, got "=x" (--var number 2).',
    );
  });

  it('camelCase options are their kebab-case flags', () => {
    expect(messageOf({ reportsDir: '' })).toBe('gitops-lab drill --reports-dir: expected a folder, got "".');
  });

  it('never names a flag with an index, whatever the values (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { minLength: 1, maxLength: 5 }), (values) => {
        const message = messageOf({ var: values });
        if (values.every((v) => /^[A-Za-z_]\w*=/.test(v))) return message === '';
        return message.startsWith('gitops-lab drill --var: ') && !/--var\.\d/.test(message);
      }),
    );
  });
});

describe('--speed (a simulated lab speed)', () => {
  const speedSchema = z.object({ speed: speedOption });
  const parse = (speed: unknown) => parseOptions(speedSchema, { speed }, 'drill').speed;

  it('accepts any number above 0, as typed on the command line (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: Number.MIN_VALUE, max: 1e6, noNaN: true }), (speed) => {
        expect(parse(String(speed))).toBe(speed);
      }),
    );
  });

  it('rejects zero, negatives, words and infinities with a UsageError naming --speed (property)', () => {
    const bad = fc.oneof(
      fc.double({ max: 0, noNaN: true }).map(String),
      fc.constantFrom('', 'fast', '20x', 'Infinity', 'NaN', '-0'),
    );
    fc.assert(
      fc.property(bad, (speed) => {
        expect(() => parse(speed)).toThrow(UsageError);
        expect(() => parse(speed)).toThrow(
          /^gitops-lab drill --speed: expected a number above 0, such as 20/,
        );
      }),
    );
  });

  it('leaves it unset when not given', () => {
    expect(parse(undefined)).toBeUndefined();
  });
});
