/**
 * Conformance with Prometheus' own PromQL tests (prometheus/promql/promqltest/testdata/*.test, read at commit
 * 0043f1e4 for functions.test and 01cbe3d2 for histograms.test): the inputs and the asserted outputs are theirs, the
 * tests are ours (staleness.test read at v3.7.3). A `load 5m` series `0+10x10` holds 0, 10, ..., 100 at 0m, 5m, ...,
 * 50m; `stale` is a staleness marker.
 */
import { describe, expect, it } from 'vitest';
import type { Matcher } from '../../../../src/lab/sim/promql/ast.js';
import { evaluate, type SeriesSource, selects } from '../../../../src/lab/sim/promql/evaluate.js';
import { parsePromql } from '../../../../src/lab/sim/promql/parse.js';
import type { Labels, Point, Series } from '../../../../src/lab/sim/promql/values.js';

const minute = 60_000;

/** promqltest's `load <interval>` notation: `a+bxn` expands to n+1 values, space-separated runs follow on. */
function load(intervalMs: number, lines: Array<[Labels, string]>): SeriesSource {
  const series: Series[] = lines.map(([labels, text]) => {
    const values: Array<number | 'stale'> = [];
    for (const run of text.trim().split(/\s+/)) {
      const m = /^(-?[\d.e]+)([+-][\d.e]+)x(\d+)$/.exec(run);
      if (run === 'stale') values.push('stale');
      else if (!m) values.push(Number(run));
      else for (let i = 0; i <= Number(m[3]); i++) values.push(Number(m[1]) + i * Number(m[2]));
    }
    return {
      labels,
      points: values.map(
        (v, i): Point => (v === 'stale' ? [i * intervalMs, Number.NaN, 'stale'] : [i * intervalMs, v]),
      ),
    };
  });
  return {
    select: (matchers: Matcher[], from: number, to: number) =>
      series
        .filter((s) => selects(matchers, s.labels))
        .map((s) => ({ labels: s.labels, points: s.points.filter(([t]) => t > from && t <= to) })),
  };
}

async function instant(source: SeriesSource, atMs: number, query: string): Promise<Record<string, number>> {
  const value = evaluate(await parsePromql(query), source, atMs);
  if (value.kind === 'scalar') return { scalar: value.value };
  if (value.kind !== 'vector') throw new Error(`got a ${value.kind}`);
  const out: Record<string, number> = {};
  for (const s of value.samples) {
    const key = Object.entries(s.labels)
      .sort()
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    out[key] = s.value;
  }
  return out;
}

/** The same series as `want`, each value within 1e-12 (Prometheus' tests compare floats with a tolerance too). */
function expectValues(got: Record<string, number>, want: Record<string, number>): void {
  expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
  for (const [key, value] of Object.entries(want)) expect(got[key]).toBeCloseTo(value, 12);
}

describe('rate and increase (functions.test)', () => {
  const counters = load(5 * minute, [
    [{ __name__: 'http_requests_total', path: '/foo' }, '0+10x10'],
    [{ __name__: 'http_requests_total', path: '/bar' }, '0+18x5 0+18x5'],
    [{ __name__: 'http_requests_total', path: '/dings' }, '10+10x10'],
    [{ __name__: 'http_requests_total', path: '/bumms' }, '1+10x10'],
  ]);

  it('increase adds counter resets back and extrapolates to the window edges', async () => {
    expect(await instant(counters, 50 * minute, 'increase(http_requests_total[50m])')).toEqual({
      'path=/foo': 100,
      'path=/bar': 160,
      'path=/dings': 100,
      'path=/bumms': 100,
    });
  });

  it('does not extrapolate a counter below zero', async () => {
    expectValues(await instant(counters, 50 * minute, 'increase(http_requests_total[100m])'), {
      'path=/foo': 100,
      'path=/bar': 162,
      'path=/dings': 105,
      'path=/bumms': 101,
    });
  });

  it('reads a fall as a reset to zero', async () => {
    const source = load(5 * minute, [[{ __name__: 'http_requests_total', path: '/foo' }, '0 1 2 3 2 3 4']]);
    expect(await instant(source, 30 * minute, 'increase(http_requests_total[30m])')).toEqual({
      'path=/foo': 7,
    });
  });

  it('rate is per second, with offset moving the window back', async () => {
    const source = load(5 * minute, [
      [{ __name__: 'testcounter_reset_middle_total' }, '0+27x4 0+27x5'],
      [{ __name__: 'calculate_rate_offset_total', x: 'a' }, '0+10x10'],
      [{ __name__: 'calculate_rate_offset_total', x: 'b' }, '0+20x10'],
      [{ __name__: 'calculate_rate_window_total' }, '0+80x10'],
    ]);
    expect((await instant(source, 50 * minute, 'rate(testcounter_reset_middle_total[50m])'))['']).toBeCloseTo(
      0.08,
      12,
    );
    expect((await instant(source, 50 * minute, 'rate(calculate_rate_window_total[50m])'))['']).toBeCloseTo(
      0.26666666666666666,
      12,
    );
    expectValues(await instant(source, 50 * minute, 'rate(calculate_rate_offset_total[10m] offset 5m)'), {
      'x=a': 0.03333333333333333,
      'x=b': 0.06666666666666667,
    });
  });

  it('a counter near zero at the window start is extrapolated only to its zero point', async () => {
    const source = load(4 * minute, [
      [{ __name__: 'c_total', start: '0m' }, '0+240x10'],
      [{ __name__: 'c_total', start: '1m' }, '60+240x10'],
      [{ __name__: 'c_total', start: '5m' }, '300+240x10'],
    ]);
    expectValues(await instant(source, 10 * minute, 'rate(c_total[20m])'), {
      'start=0m': 0.5,
      'start=1m': 0.55,
      'start=5m': 0.6,
    });
  });

  it('irate: the last two samples, or the last value after a reset', async () => {
    const source = load(5 * minute, [
      [{ __name__: 'http_requests_total', path: '/foo' }, '0+10x10'],
      [{ __name__: 'http_requests_total', path: '/bar' }, '0+10x5 0+10x5'],
    ]);
    expectValues(await instant(source, 30 * minute, 'irate(http_requests_total[50m])'), {
      'path=/foo': 1 / 30,
      'path=/bar': 0,
    });
  });
});

describe('histogram_quantile over classic buckets (histograms.test)', () => {
  const h = (labels: Labels, text: string): [Labels, string] => [labels, text];
  const source = load(5 * minute, [
    h({ __name__: 'testhistogram_bucket', le: '0.1', start: 'positive' }, '0+5x10'),
    h({ __name__: 'testhistogram_bucket', le: '.2', start: 'positive' }, '0+7x10'),
    h({ __name__: 'testhistogram_bucket', le: '1e0', start: 'positive' }, '0+11x10'),
    h({ __name__: 'testhistogram_bucket', le: '+Inf', start: 'positive' }, '0+12x10'),
    h({ __name__: 'testhistogram_bucket', le: '-.2', start: 'negative' }, '0+1x10'),
    h({ __name__: 'testhistogram_bucket', le: '-0.1', start: 'negative' }, '0+2x10'),
    h({ __name__: 'testhistogram_bucket', le: '0.3', start: 'negative' }, '0+2x10'),
    h({ __name__: 'testhistogram_bucket', le: '+Inf', start: 'negative' }, '0+3x10'),
    ...(['ins1', 'ins2'] as const).flatMap((instance, i) =>
      (['job1', 'job2'] as const).flatMap((job, j) => {
        const counts = [
          [1, 3, 4],
          [2, 5, 6],
          [3, 4, 6],
          [4, 7, 9],
        ][j * 2 + i] as number[];
        return ['0.1', '0.2', '+Inf'].map((le, k) =>
          h({ __name__: 'request_duration_seconds_bucket', job, instance, le }, `0+${counts[k]}x10`),
        );
      }),
    ),
  ]);

  it('interpolates within the bucket, answers the lowest bound at 0 and the highest finite bound at 1', async () => {
    const q = (x: string) => instant(source, 50 * minute, `histogram_quantile(${x}, testhistogram_bucket)`);
    expectValues(await q('0.2'), { 'start=positive': 0.048, 'start=negative': -0.2 });
    expect(await q('0')).toEqual({ 'start=positive': 0, 'start=negative': -0.2 });
    expect(await q('1')).toEqual({ 'start=positive': 1, 'start=negative': 0.3 });
    expectValues(await q('0.8'), { 'start=positive': 0.72, 'start=negative': 0.3 });
  });

  it('answers -Inf, +Inf and NaN for a quantile out of [0, 1] or NaN', async () => {
    const q = (x: string) => instant(source, 50 * minute, `histogram_quantile(${x}, testhistogram_bucket)`);
    expect(await q('-0.1')).toEqual({ 'start=positive': -Infinity, 'start=negative': -Infinity });
    expect(await q('1.01')).toEqual({ 'start=positive': Infinity, 'start=negative': Infinity });
    expect(Object.values(await q('NaN')).every(Number.isNaN)).toBe(true);
  });

  it('over rates summed by le, and by le and job', async () => {
    const all = await instant(
      source,
      50 * minute,
      'histogram_quantile(0.5, sum(rate(request_duration_seconds_bucket[10m])) by (le))',
    );
    expect(all['']).toBeCloseTo(0.1277777777777778, 12);
    const byJob = await instant(
      source,
      50 * minute,
      'histogram_quantile(0.3, sum by (le, job) (rate(request_duration_seconds_bucket[10m])))',
    );
    expectValues(byJob, { 'job=job1': 0.1, 'job=job2': 0.0642857142857143 });
  });
});

describe('aggregations, vector matching and set operators (operators.test, commit 03083556)', () => {
  const lines: Array<[Labels, string]> = [];
  let step = 10;
  for (const job of ['api-server', 'app-server'])
    for (const group of ['production', 'canary'])
      for (const instance of ['0', '1']) {
        lines.push([{ __name__: 'http_requests_total', job, instance, group }, `0+${step}x10`]);
        step += 10;
      }
  lines.push([{ __name__: 'vector_matching_a', l: 'x' }, '0+1x100']);
  lines.push([{ __name__: 'vector_matching_a', l: 'y' }, '0+2x50']);
  const source = load(5 * minute, lines);
  const at = (query: string) => instant(source, 50 * minute, query);

  it('sum and count by a label, and arithmetic between the aggregates', async () => {
    expect(await at('SUM(http_requests_total) BY (job) - COUNT(http_requests_total) BY (job)')).toEqual({
      'job=api-server': 996,
      'job=app-server': 2596,
    });
    expect(await at('2 - SUM(http_requests_total) BY (job)')).toEqual({
      'job=api-server': -998,
      'job=app-server': -2598,
    });
    expect(await at('min by (job) (http_requests_total)')).toEqual({
      'job=api-server': 100,
      'job=app-server': 500,
    });
    expect(await at('max without (instance, group) (http_requests_total)')).toEqual({
      'job=api-server': 400,
      'job=app-server': 800,
    });
    expect(await at('avg(http_requests_total)')).toEqual({ '': 450 });
  });

  it('unary minus drops the metric name; division by zero is ±Inf or NaN', async () => {
    expect(await at('-http_requests_total{job="api-server",instance="0",group="production"}')).toEqual({
      'group=production,instance=0,job=api-server': -100,
    });
    expect(await at('SUM(http_requests_total) BY (job) / 0')).toEqual({
      'job=api-server': Infinity,
      'job=app-server': Infinity,
    });
  });

  it('one-to-one matching on(...) and ignoring(...) keeps the matched labels', async () => {
    const expected = {
      'instance=0,job=api-server': 3,
      'instance=0,job=app-server': 1.4,
      'instance=1,job=api-server': 2,
      'instance=1,job=app-server': 1.3333333333333333,
    };
    expect(
      await at(
        'http_requests_total{group="canary"} / on(instance,job) http_requests_total{group="production"}',
      ),
    ).toEqual(expected);
    expect(
      await at(
        'http_requests_total{group="canary"} / ignoring(group) http_requests_total{group="production"}',
      ),
    ).toEqual(expected);
  });

  it('or keeps the left side and adds the right side where no left sample matches', async () => {
    expect(
      await at('(http_requests_total{group="canary"} + 1) or http_requests_total{instance="1"}'),
    ).toEqual({
      'group=canary,instance=0,job=api-server': 301,
      'group=canary,instance=0,job=app-server': 701,
      'group=canary,instance=1,job=api-server': 401,
      'group=canary,instance=1,job=app-server': 801,
      '__name__=http_requests_total,group=production,instance=1,job=api-server': 200,
      '__name__=http_requests_total,group=production,instance=1,job=app-server': 600,
    });
    expect(
      await at(
        '(http_requests_total{group="canary"} + 1) or on(instance) (http_requests_total or vector_matching_a)',
      ),
    ).toMatchObject({ '__name__=vector_matching_a,l=x': 10, '__name__=vector_matching_a,l=y': 20 });
  });

  it('and / unless by match group; comparisons filter or, with bool, answer 0 and 1', async () => {
    expect(
      await at('http_requests_total{group="canary"} unless on(job) http_requests_total{instance="0"}'),
    ).toEqual({});
    expect(Object.keys(await at('http_requests_total AND ON (dummy) vector(1)'))).toHaveLength(8);
    expect(await at('SUM(http_requests_total) BY (job) > 1000')).toEqual({ 'job=app-server': 2600 });
    expect(await at('SUM(http_requests_total) BY (job) == bool 1000')).toEqual({
      'job=api-server': 1,
      'job=app-server': 0,
    });
    expect(await at('0 == bool 1')).toEqual({ scalar: 0 });
  });
});

describe('staleness markers (staleness.test)', () => {
  const second = 1000;
  const metric = load(10 * second, [[{ __name__: 'metric' }, '0 1 stale 2']]);

  it('an instant vector has no sample where the latest one is a marker, else the latest within 5 minutes', async () => {
    const at = (s: number) => instant(metric, s * second, 'metric');
    expect(await at(10)).toEqual({ '__name__=metric': 1 });
    expect(await at(20)).toEqual({});
    expect(await at(30)).toEqual({ '__name__=metric': 2 });
    expect(await at(40)).toEqual({ '__name__=metric': 2 });
    expect(await at(329)).toEqual({ '__name__=metric': 2 });
    expect(await at(330)).toEqual({});
  });

  it('a range vector leaves markers out', async () => {
    const count = (s: number, range: string) =>
      instant(metric, s * second, `count_over_time(metric[${range}])`);
    expect(await count(30, '1m')).toEqual({ '': 3 });
    expect(await count(10, '1s')).toEqual({ '': 1 });
    expect(await count(20, '1s')).toEqual({});
    expect(await count(20, '10s')).toEqual({});
    expect(await count(20, '20s')).toEqual({ '': 1 });
  });
});
