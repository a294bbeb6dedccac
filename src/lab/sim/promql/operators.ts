/** Aggregations and binary operators: prometheus/promql/engine.go (aggregation, VectorBinop, VectorAnd/Or/Unless). */
import { UnsupportedPromqlError } from './ast.js';
import { grouped, type Labels, type Sample, signature, type Value, withoutName } from './values.js';

type Grouping = { without: boolean; labels: string[] } | undefined;
type Matching = { on: boolean; labels: string[] } | undefined;

const aggregations: Record<string, (values: number[]) => number> = {
  sum: (v) => v.reduce((s, x) => s + x, 0),
  avg: (v) => v.reduce((s, x) => s + x, 0) / v.length,
  count: (v) => v.length,
  // engine.go aggregation: min/max take a number over NaN.
  min: (v) => v.reduce((m, x) => (x < m || Number.isNaN(m) ? x : m)),
  max: (v) => v.reduce((m, x) => (x > m || Number.isNaN(m) ? x : m)),
};

/** engine.go aggregation: one sample per group (by: the listed labels; without: all but those and the name). */
export function aggregate(op: string, grouping: Grouping, args: Value[]): Value {
  const f = aggregations[op];
  if (!f) throw new UnsupportedPromqlError(`the aggregation ${op}`);
  const input = args[args.length - 1];
  if (args.length !== 1 || input?.kind !== 'vector')
    throw new Error(`expected one instant vector in aggregation expression ${op}`);
  const groups = new Map<string, { labels: Labels; values: number[] }>();
  for (const s of input.samples) {
    const labels = grouping ? grouped(s.labels, grouping.labels, !grouping.without) : {};
    const key = signature(labels);
    const group = groups.get(key) ?? { labels, values: [] };
    group.values.push(s.value);
    groups.set(key, group);
  }
  return {
    kind: 'vector',
    samples: [...groups.values()].map((g) => ({ labels: g.labels, value: f(g.values) })),
  };
}

const comparisons = new Set(['==', '!=', '>', '<', '>=', '<=']);

/** engine.go scalarBinop / vectorElemBinop: NaN compares false. */
function apply(op: string, a: number, b: number): number {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return a / b;
    case '%':
      return a % b;
    case '==':
      return Number(a === b);
    case '!=':
      return Number(a !== b);
    case '>':
      return Number(a > b);
    case '<':
      return Number(a < b);
    case '>=':
      return Number(a >= b);
    default:
      return Number(a <= b);
  }
}

function matchKey(labels: Labels, matching: Matching): string {
  return signature(matching ? grouped(labels, matching.labels, matching.on) : withoutName(labels));
}

export function binary(op: string, bool: boolean, matching: Matching, lhs: Value, rhs: Value): Value {
  const comparison = comparisons.has(op);
  if (op === 'and' || op === 'or' || op === 'unless') return setOperation(op, matching, lhs, rhs);
  if (lhs.kind === 'scalar' && rhs.kind === 'scalar') {
    // parser/parse.go: a comparison between scalars needs `bool`.
    if (comparison && !bool) throw new Error('comparisons between scalars must use BOOL modifier');
    return { kind: 'scalar', value: apply(op, lhs.value, rhs.value) };
  }
  if (lhs.kind === 'vector' && rhs.kind === 'scalar')
    return vectorScalar(op, bool, lhs.samples, rhs.value, false);
  if (lhs.kind === 'scalar' && rhs.kind === 'vector')
    return vectorScalar(op, bool, rhs.samples, lhs.value, true);
  if (lhs.kind === 'vector' && rhs.kind === 'vector')
    return vectorVector(op, bool, matching, lhs.samples, rhs.samples);
  throw new Error(`binary expression must contain only scalar and instant vector types (${op})`);
}

/** engine.go VectorscalarBinop: a comparison without `bool` keeps the sample (and its name) where it holds. */
function vectorScalar(op: string, bool: boolean, samples: Sample[], scalar: number, swap: boolean): Value {
  const comparison = comparisons.has(op);
  const out: Sample[] = [];
  for (const s of samples) {
    const value = swap ? apply(op, scalar, s.value) : apply(op, s.value, scalar);
    if (comparison && !bool) {
      if (value === 1) out.push(s);
    } else out.push({ labels: withoutName(s.labels), value });
  }
  return { kind: 'vector', samples: out };
}

/**
 * engine.go VectorBinop, one-to-one: samples pair by their labels (without the name; `on(...)` only those,
 * `ignoring(...)` all but those); a right-hand side with two samples of one match group is an error. The result
 * has the left side's labels (only the `on` labels with `on`), without the name unless a filtering comparison.
 */
function vectorVector(op: string, bool: boolean, matching: Matching, lhs: Sample[], rhs: Sample[]): Value {
  const comparison = comparisons.has(op);
  const right = new Map<string, Sample>();
  for (const s of rhs) {
    const key = matchKey(s.labels, matching);
    if (right.has(key))
      throw new Error('found duplicate series for the match group on the right hand-side of the operation');
    right.set(key, s);
  }
  const out: Sample[] = [];
  const seen = new Set<string>();
  for (const s of lhs) {
    const key = matchKey(s.labels, matching);
    const other = right.get(key);
    if (!other) continue;
    if (seen.has(key))
      throw new Error('found duplicate series for the match group on the left hand-side of the operation');
    seen.add(key);
    const value = apply(op, s.value, other.value);
    if (comparison && !bool && value !== 1) continue;
    let labels = comparison && !bool ? s.labels : withoutName(s.labels);
    if (matching?.on) labels = grouped(labels, matching.labels, true);
    else if (matching) labels = grouped(labels, matching.labels, false);
    out.push({ labels, value: comparison && !bool ? s.value : value });
  }
  return { kind: 'vector', samples: out };
}

/** engine.go VectorAnd / VectorOr / VectorUnless: set operations on the match groups; the left side's samples. */
function setOperation(op: string, matching: Matching, lhs: Value, rhs: Value): Value {
  if (lhs.kind !== 'vector' || rhs.kind !== 'vector')
    throw new Error(`set operator "${op}" not allowed in binary scalar expression`);
  const rightKeys = new Set(rhs.samples.map((s) => matchKey(s.labels, matching)));
  if (op === 'and')
    return {
      kind: 'vector',
      samples: lhs.samples.filter((s) => rightKeys.has(matchKey(s.labels, matching))),
    };
  if (op === 'unless')
    return {
      kind: 'vector',
      samples: lhs.samples.filter((s) => !rightKeys.has(matchKey(s.labels, matching))),
    };
  const leftKeys = new Set(lhs.samples.map((s) => matchKey(s.labels, matching)));
  return {
    kind: 'vector',
    samples: [...lhs.samples, ...rhs.samples.filter((s) => !leftKeys.has(matchKey(s.labels, matching)))],
  };
}
