/**
 * An instant query's value over a SeriesSource, with Prometheus' semantics (prometheus/promql/engine.go, functions.go,
 * quantile.go at v3.x). What it does not evaluate is an UnsupportedPromqlError naming it.
 */
import { type Expr, type Matcher, UnsupportedPromqlError } from './ast.js';
import { aggregate, binary } from './operators.js';
import { bucketQuantile } from './quantile.js';
import { extrapolatedRate, instantRate, overTime } from './rate.js';
import { item, type Labels, type Sample, type Series, signature, type Value, withoutName } from './values.js';

/** The raw samples of every series the matchers select, with timestamps in (fromMs, toMs]. */
export interface SeriesSource {
  select(matchers: Matcher[], fromMs: number, toMs: number): Series[];
}

/** engine.go: the default lookback of an instant vector selector (--query.lookback-delta). */
export const lookbackDeltaMs = 5 * 60_000;

/** Each regex matcher's compiled pattern, made at its first use (a parsed query is kept, so once per query). */
const compiled = new WeakMap<Matcher, RegExp>();

/**
 * labels/matcher.go: a regex matcher is anchored at both ends (`^(?:re)$`), compiled once when the matcher is made
 * (NewMatcher); here once per matcher, at its first test.
 */
export function matches(m: Matcher, value: string): boolean {
  switch (m.type) {
    case '=':
      return value === m.value;
    case '!=':
      return value !== m.value;
    default: {
      let re = compiled.get(m);
      if (!re) {
        re = new RegExp(`^(?:${m.value})$`, 'su');
        compiled.set(m, re);
      }
      const hit = re.test(value);
      return m.type === '=~' ? hit : !hit;
    }
  }
}

/** The label set `labels` that every matcher accepts (an absent label is the empty string). */
export function selects(matchers: Matcher[], labels: Labels): boolean {
  return matchers.every((m) => matches(m, labels[m.name] ?? ''));
}

export function evaluate(expr: Expr, source: SeriesSource, at: number): Value {
  return new Evaluator(source, at).eval(expr);
}

class Evaluator {
  constructor(
    private readonly source: SeriesSource,
    private readonly at: number,
  ) {}

  eval(expr: Expr): Value {
    switch (expr.kind) {
      case 'number':
        return { kind: 'scalar', value: expr.value };
      case 'string':
        return { kind: 'string', value: expr.value };
      case 'selector':
        return this.selector(expr);
      case 'unary': {
        const v = this.eval(expr.expr);
        if (expr.op === '+') return v;
        if (v.kind === 'scalar') return { kind: 'scalar', value: -v.value };
        if (v.kind === 'vector')
          return {
            kind: 'vector',
            samples: v.samples.map((s) => ({ labels: withoutName(s.labels), value: -s.value })),
          };
        throw new Error('unary minus needs a scalar or an instant vector');
      }
      case 'call':
        return this.call(expr.name, expr.args);
      case 'aggregate':
        return aggregate(
          expr.op,
          expr.grouping,
          expr.args.map((a) => this.eval(a)),
        );
      case 'binary':
        return binary(expr.op, expr.bool, expr.matching, this.eval(expr.lhs), this.eval(expr.rhs));
    }
  }

  private selector(expr: Extract<Expr, { kind: 'selector' }>): Value {
    if (!expr.matchers.some((m) => !matches(m, '')))
      throw new Error('vector selector must contain at least one non-empty matcher');
    const end = this.at - expr.offsetMs;
    if (expr.rangeMs !== undefined) {
      // engine.go matrixIterSlice: samples in (t-range, t] (left-open since Prometheus 3.0), staleness markers
      // left out.
      const series: Series[] = [];
      for (const s of this.source.select(expr.matchers, end - expr.rangeMs, end)) {
        const points = s.points.filter((p) => p[2] !== 'stale');
        if (points.length > 0) series.push({ labels: s.labels, points });
      }
      return { kind: 'matrix', series };
    }
    // engine.go vectorSelectorSingle: the latest sample within the lookback delta; none when it is a staleness marker.
    const samples: Sample[] = [];
    for (const s of this.source.select(expr.matchers, end - lookbackDeltaMs, end)) {
      const last = s.points[s.points.length - 1];
      if (last && last[2] !== 'stale') samples.push({ labels: s.labels, value: last[1] });
    }
    return { kind: 'vector', samples };
  }

  private call(name: string, args: Expr[]): Value {
    const values = args.map((a) => this.eval(a));
    const matrixArg = (): { series: Series[]; rangeMs: number } => {
      const arg = args[0];
      const v = values[0];
      if (arg?.kind !== 'selector' || arg.rangeMs === undefined || v?.kind !== 'matrix')
        throw new Error(`expected a range vector in call to function "${name}"`);
      return { series: v.series, rangeMs: arg.rangeMs };
    };
    const perSeries = (f: (s: Series, start: number, end: number) => number | undefined): Value => {
      const { series, rangeMs } = matrixArg();
      const selector = args[0] as Extract<Expr, { kind: 'selector' }>;
      const end = this.at - selector.offsetMs;
      const samples: Sample[] = [];
      for (const s of series) {
        const value = f(s, end - rangeMs, end);
        if (value !== undefined) samples.push({ labels: withoutName(s.labels), value });
      }
      return { kind: 'vector', samples };
    };
    switch (name) {
      // functions.go funcRate / funcIncrease / funcIrate.
      case 'rate':
        return perSeries((s, start, end) => extrapolatedRate(s, start, end, true, true));
      case 'increase':
        return perSeries((s, start, end) => extrapolatedRate(s, start, end, true, false));
      case 'irate':
        return perSeries((s) => instantRate(s));
      case 'histogram_quantile':
        return this.histogramQuantile(values);
      // functions.go funcScalar: the value of a one-sample vector, else NaN.
      case 'scalar': {
        const v = vectorArg(name, values[0]);
        return { kind: 'scalar', value: v.length === 1 ? item(v, 0).value : Number.NaN };
      }
      // functions.go funcVector: one sample without labels.
      case 'vector':
        return { kind: 'vector', samples: [{ labels: {}, value: scalarArg(name, values[0]) }] };
      // functions.go funcAbs, funcClamp, funcClampMin, funcClampMax (clamp with min > max: empty).
      case 'abs':
        return mapVector(name, values[0], Math.abs);
      case 'clamp': {
        const [min, max] = [scalarArg(name, values[1]), scalarArg(name, values[2])];
        if (max < min) return { kind: 'vector', samples: [] };
        return mapVector(name, values[0], (x) => Math.max(min, Math.min(max, x)));
      }
      case 'clamp_min': {
        const min = scalarArg(name, values[1]);
        return mapVector(name, values[0], (x) => Math.max(min, x));
      }
      case 'clamp_max': {
        const max = scalarArg(name, values[1]);
        return mapVector(name, values[0], (x) => Math.min(max, x));
      }
      default: {
        const over = overTime[name];
        if (!over) throw new UnsupportedPromqlError(`the function ${name}()`);
        const { series } = matrixArg();
        return {
          kind: 'vector',
          samples: series.map((s) => ({
            labels: name === 'last_over_time' ? s.labels : withoutName(s.labels),
            value: over(s.points.map((p) => p[1])),
          })),
        };
      }
    }
  }

  /**
   * functions.go funcHistogramQuantile: the series of one `le` family (all labels but `le` and the name) are one
   * histogram; a series without a parseable `le` is left out.
   */
  private histogramQuantile(values: Value[]): Value {
    const q = scalarArg('histogram_quantile', values[0]);
    const groups = new Map<
      string,
      { labels: Labels; buckets: Array<{ upperBound: number; count: number }> }
    >();
    for (const s of vectorArg('histogram_quantile', values[1])) {
      const le = s.labels.le;
      const upperBound = le === undefined ? Number.NaN : parseLe(le);
      if (Number.isNaN(upperBound)) continue;
      const { le: _, ...rest } = withoutName(s.labels);
      const key = signature(rest);
      const group = groups.get(key) ?? { labels: rest, buckets: [] };
      group.buckets.push({ upperBound, count: s.value });
      groups.set(key, group);
    }
    return {
      kind: 'vector',
      samples: [...groups.values()].map((g) => ({ labels: g.labels, value: bucketQuantile(q, g.buckets) })),
    };
  }
}

function parseLe(le: string): number {
  if (/^\+?inf$/i.test(le)) return Number.POSITIVE_INFINITY;
  if (le.trim() === '') return Number.NaN;
  return Number(le);
}

function scalarArg(name: string, v: Value | undefined): number {
  if (v?.kind !== 'scalar') throw new Error(`expected a scalar argument in call to function "${name}"`);
  return v.value;
}

function vectorArg(name: string, v: Value | undefined): Sample[] {
  if (v?.kind !== 'vector')
    throw new Error(`expected an instant vector argument in call to function "${name}"`);
  return v.samples;
}

function mapVector(name: string, v: Value | undefined, f: (x: number) => number): Value {
  return {
    kind: 'vector',
    samples: vectorArg(name, v).map((s) => ({ labels: withoutName(s.labels), value: f(s.value) })),
  };
}
