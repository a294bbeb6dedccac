/**
 * Property: `canary check` (evaluateConditions) gives the phase Argo Rollouts v1.8.3 gives, so it never
 * passes a metric that Argo would Error or Fail on the same data. The oracle below is written independently
 * of the engine, from expr v1.15.5's type rules (checker/checker.go: a []float64 is not a number, `%` needs
 * ints, len/all/any need an array, isNaN a float64, max numbers, no chained comparisons) and Argo's
 * EvaluateResult (utils/evaluate/evaluate.go); results are shaped as the Prometheus provider shapes them
 * (a scalar is float64, a vector []float64, possibly empty).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateConditions } from '../../../../src/lab/canary/conditions.js';

type Result = number | number[];
/** What Argo gets for a condition: a compile (type) error, a runtime error, or a bool. */
type Verdict = 'typeError' | 'runtimeError' | boolean;
interface Cond {
  text: string;
  oracle: (result: Result) => Verdict;
}

const cmp = fc.constantFrom('==', '!=', '<', '<=', '>', '>=');
const literal = fc.oneof(
  fc.integer({ min: -2, max: 5 }).map((n) => ({ text: String(n), value: n })),
  fc.constantFrom(0.05, 0.5, 0.9, 1.5, 2.25).map((n) => ({ text: n.toFixed(2), value: n })),
);
const compare = (a: number, op: string, b: number): boolean => {
  switch (op) {
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    default:
      return a >= b;
  }
};
const isVector = (r: Result): r is number[] => Array.isArray(r);

const atom: fc.Arbitrary<Cond> = fc.oneof(
  // result OP lit: a vector is not a number.
  fc.tuple(cmp, literal).map(([op, l]) => ({
    text: `result ${op} ${l.text}`,
    oracle: (r: Result) => (isVector(r) ? 'typeError' : compare(r, op, l.value)),
  })),
  // result[i] OP lit: a float64 cannot be indexed; out of range is a runtime error.
  fc.tuple(fc.integer({ min: -2, max: 2 }), cmp, literal).map(([i, op, l]) => ({
    text: `result[${i}] ${op} ${l.text}`,
    oracle: (r: Result): Verdict => {
      if (!isVector(r)) return 'typeError';
      const at = i < 0 ? r.length + i : i;
      if (at < 0 || at >= r.length) return 'runtimeError';
      return compare(r[at] as number, op, l.value);
    },
  })),
  // len(result) OP lit
  fc.tuple(cmp, literal).map(([op, l]) => ({
    text: `len(result) ${op} ${l.text}`,
    oracle: (r: Result) => (isVector(r) ? compare(r.length, op, l.value) : 'typeError'),
  })),
  // all/any/none(result, # OP lit)
  fc.tuple(fc.constantFrom('all', 'any', 'none'), cmp, literal).map(([f, op, l]) => ({
    text: `${f}(result, # ${op} ${l.text})`,
    oracle: (r: Result): Verdict => {
      if (!isVector(r)) return 'typeError';
      const hits = r.filter((x) => compare(x, op, l.value)).length;
      return f === 'all' ? hits === r.length : f === 'any' ? hits > 0 : hits === 0;
    },
  })),
  // isNaN(result) / isNaN(result[0])
  fc.boolean().map((indexed) => ({
    text: indexed ? 'isNaN(result[0])' : 'isNaN(result)',
    oracle: (r: Result): Verdict => {
      if (indexed) {
        if (!isVector(r)) return 'typeError';
        return r.length === 0 ? 'runtimeError' : Number.isNaN(r[0]);
      }
      return isVector(r) ? 'typeError' : Number.isNaN(r);
    },
  })),
  // % only on ints: result is always a float64.
  fc.constant({ text: 'result % 2 == 0', oracle: () => 'typeError' as Verdict }),
  // max takes numbers, not an array.
  fc.tuple(cmp, literal).map(([op, l]) => ({
    text: `max(result) ${op} ${l.text}`,
    oracle: (r: Result) => (isVector(r) ? 'typeError' : compare(r, op, l.value)),
  })),
  // No chained comparisons in expr v1.15.5: (a <= b) <= c compares a bool with a number.
  fc.tuple(literal, literal).map(([a, b]) => ({
    text: `${a.text} <= result <= ${b.text}`,
    oracle: () => 'typeError' as Verdict,
  })),
);

/** expr checks the whole expression before running it; && and || short-circuit at run time. */
const combine = (op: '&&' | '||', a: Cond, b: Cond): Cond => ({
  text: `(${a.text}) ${op} (${b.text})`,
  oracle: (r) => {
    const left = a.oracle(r);
    const right = b.oracle(r);
    if (left === 'typeError' || right === 'typeError') return 'typeError';
    if (left === 'runtimeError') return 'runtimeError';
    if (op === '&&' ? !left : left) return left;
    return right;
  },
});

const condition: fc.Arbitrary<Cond> = fc.letrec<{ c: Cond }>((tie) => ({
  c: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    atom,
    fc
      .tuple(fc.constantFrom('&&', '||') as fc.Arbitrary<'&&' | '||'>, tie('c'), tie('c'))
      .map(([op, a, b]) => combine(op, a, b)),
    tie('c').map((a) => ({
      text: `!(${a.text})`,
      oracle: (r: Result): Verdict => {
        const v = a.oracle(r);
        return typeof v === 'boolean' ? !v : v;
      },
    })),
  ),
})).c;

const sample = fc.oneof(fc.double({ min: -3, max: 3, noNaN: true }), fc.constantFrom(0, 0.5, 1, Number.NaN));
const result: fc.Arbitrary<Result> = fc.oneof(sample, fc.array(sample, { maxLength: 3 }));

/** argo-rollouts v1.8.3 utils/evaluate/evaluate.go EvaluateResult. */
function argoPhase(r: Result, success?: Cond, failure?: Cond): string {
  const s = success?.oracle(r);
  if (s === 'typeError' || s === 'runtimeError') return 'Error';
  const f = failure?.oracle(r);
  if (f === 'typeError' || f === 'runtimeError') return 'Error';
  if (!success && !failure) return 'Successful';
  const successValue = success ? (s as boolean) : !(f as boolean);
  const failureValue = failure ? (f as boolean) : !(s as boolean);
  if (failureValue) return 'Failed';
  if (!successValue) return 'Inconclusive';
  return 'Successful';
}

describe('canary check agrees with Argo Rollouts on generated conditions and results', () => {
  it('gives the same phase, so it never passes what Argo would Error or Fail', () => {
    fc.assert(
      fc.property(fc.option(condition), fc.option(condition), result, (success, failure, r) => {
        const expected = argoPhase(r, success ?? undefined, failure ?? undefined);
        const outcome = evaluateConditions(r, {
          successCondition: success?.text,
          failureCondition: failure?.text,
        });
        expect(outcome.phase, outcome.reason).toBe(expected);
        if (expected === 'Error' || expected === 'Failed') expect(outcome.phase).not.toBe('Successful');
      }),
      { numRuns: 3000 },
    );
  });
});
