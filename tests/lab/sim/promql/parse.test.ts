/** The PromQL parser wrapper: any text gives an expression or an Error with a message, never anything else. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../../src/lab/sim/promql/evaluate.js';
import { parsePromql } from '../../../../src/lab/sim/promql/parse.js';

const empty = { select: () => [] };

/** Parse and evaluate `text` over no series: the value's kind, or the error's message. */
async function outcome(text: string): Promise<string> {
  try {
    return evaluate(await parsePromql(text), empty, 0).kind;
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message.length).toBeGreaterThan(0);
    return (error as Error).message;
  }
}

const tokens = (
  'sum rate histogram_quantile vector scalar abs clamp by without on ignoring bool or and unless offset x le ( ) { } ' +
  '[5m] [ ] , = != =~ !~ "a" ".*" "(" 1 -2.5 NaN Inf + - * / % ^ > == <= @ : label_replace'
).split(' ');

describe('parsePromql', () => {
  it('any string: a value or an Error with a message (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 60 }), async (text) => void (await outcome(text))),
    );
  });

  it('any sequence of PromQL tokens: a value or an Error with a message (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...tokens), { maxLength: 12 }),
        async (parts) => void (await outcome(parts.join(' '))),
      ),
      { numRuns: 300 },
    );
  });

  it('names what the simulated Prometheus does not evaluate', async () => {
    for (const [query, what] of [
      ['predict_linear(x[5m], 60)', 'the function predict_linear()'],
      ['topk(3, x)', 'the aggregation topk'],
      ['x * on(a) group_left y', 'group_left/group_right'],
      ['rate(x[5m:1m])', 'subqueries'],
    ] as const) {
      const message = await outcome(query);
      expect(message).toContain(`the simulated Prometheus does not support ${what}`);
      expect(message).toContain("install Debian's prometheus package");
    }
  });

  it('reports a syntax error with its position', async () => {
    expect(await outcome('sum(rate(x[5m])')).toMatch(/bad PromQL at character \d+/);
  });

  it('answers a number literal as a scalar and vector(1) as a vector', async () => {
    expect(await outcome('1')).toBe('scalar');
    expect(await outcome('vector(1)')).toBe('vector');
  });
});
