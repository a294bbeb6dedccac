/**
 * The Prometheus side of the live lab without a real Prometheus: servePrometheusApi answers the project's own
 * Prometheus client like Prometheus' HTTP API (docs: prometheus.io/docs/prometheus/latest/querying/api/, instant
 * query JSON), and the lab falls back to it with a notice; and the range-window scaling of queries sent to a real
 * Prometheus at --speed N (Prometheus durations: prometheus/common model/time.go ParseDuration).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { PrometheusClient, PrometheusError } from '../../../../src/lab/canary/prometheus.js';
import { scaledClock } from '../../../../src/lab/clock.js';
import type { PrometheusQuery } from '../../../../src/lab/drills/access.js';
import { VirtualClock } from '../../../../src/lab/sim/clock.js';
import { type SimLab, startSimLab } from '../../../../src/lab/sim/lab.js';
import {
  type PrometheusApi,
  scaledRangeSource,
  scaleRangeWindows,
  servePrometheusApi,
} from '../../../../src/lab/sim/live/index.js';
import { promDuration, promDurationMs } from '../../../../src/lab/sim/live/windows.js';
import type { Sample, Value } from '../../../../src/lab/sim/promql/values.js';
import { runCli } from '../../../support/cli.js';
import { docqaPod } from '../../../support/sim-docqa.js';

let api: PrometheusApi | undefined;
let lab: SimLab | undefined;
let dir: string | undefined;
afterEach(async () => {
  await api?.close();
  await lab?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  api = undefined;
  lab = undefined;
  dir = undefined;
});

describe('servePrometheusApi', () => {
  const answers: Record<string, number | undefined> = { up: 1, nothing: undefined, ratio: Number.NaN };
  const query: PrometheusQuery = {
    async query(_url, promql) {
      if (!(promql in answers)) throw new Error(`unknown query ${promql}`);
      return answers[promql];
    },
  };

  it('answers instant queries (GET and POST) as Prometheus does, for the project client', async () => {
    api = await servePrometheusApi(query);
    const client = new PrometheusClient({ url: api.url });
    expect(await client.ready()).toBe(true);
    const up = await client.query('up');
    expect(up.resultType).toBe('vector');
    expect(up.resultType === 'vector' && up.vector.map((s) => s.value)).toEqual([1]);
    const nothing = await client.query('nothing');
    expect(nothing.resultType === 'vector' && nothing.vector).toEqual([]);
    const ratio = await client.query('ratio');
    expect(ratio.resultType === 'vector' && Number.isNaN(ratio.vector[0]?.value)).toBe(true);
    const get = (await fetch(`${api.url}/api/v1/query?query=up`).then((r) => r.json())) as {
      data: { result: Array<{ value: [number, string] }> };
    };
    expect(get).toMatchObject({
      status: 'success',
      data: { resultType: 'vector', result: [{ metric: {} }] },
    });
    expect(get.data.result[0]?.value[1]).toBe('1');
  });

  it("with the simulated Prometheus' evaluator: every sample with its labels, a scalar as a scalar", async () => {
    api = await servePrometheusApi(query, undefined, async (promql) => {
      if (promql === 'scalar(up)') return { kind: 'scalar', value: 2 };
      if (promql === 'up')
        return {
          kind: 'vector',
          samples: [
            { labels: { __name__: 'up', pod: 'a' }, value: 1 },
            { labels: { __name__: 'up', pod: 'b' }, value: 0 },
          ],
        };
      throw new Error(`the simulated Prometheus does not support ${promql}`);
    });
    const client = new PrometheusClient({ url: api.url });
    const up = await client.query('up');
    expect(up.resultType === 'vector' && up.vector.map((s) => [s.metric.pod, s.value])).toEqual([
      ['a', 1],
      ['b', 0],
    ]);
    expect(await client.query('scalar(up)')).toMatchObject({ resultType: 'scalar' });
    const error = await client.query('topk(1, up)').catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/bad_data: the simulated Prometheus does not support topk/);
  });

  it('rejects an unknown query with bad_data, which the client reports naming the query', async () => {
    api = await servePrometheusApi(query);
    const client = new PrometheusClient({ url: api.url });
    const error = await client.query('rate(what[2m])').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PrometheusError);
    expect((error as Error).message).toMatch(
      /rejected the query "rate\(what\[2m\]\)": bad_data: unknown query/,
    );
    const missing = await fetch(`${api.url}/api/v1/query`, { method: 'POST' });
    expect(missing.status).toBe(400);
  });
});

describe('servePrometheusApi range queries (Prometheus 2.42.0 web/api/v1/api.go queryRange)', () => {
  // The wall clock stands still at 1,000,000 s; the lab's clock is 20 times faster and reads 5,000,000 s then.
  const wall = { now: () => 1_000_000_000, setTimer: () => () => undefined };
  const asked: number[] = [];
  const source = scaledRangeSource(
    async (promql, at): Promise<Value> => {
      asked.push(at);
      if (promql === 'scalar(up)') return { kind: 'scalar', value: at / 1000 };
      if (promql === 'up[1m]') return { kind: 'matrix', series: [] };
      if (promql !== 'up') throw new Error(`unknown query ${promql}`);
      // Pod b: from sim time 4,999,000 s on, NaN at it, else the sim time in seconds; pod a only at 5,000,000 s.
      const samples: Sample[] = [];
      if (at >= 4_999_000_000)
        samples.push({
          labels: { __name__: 'up', pod: 'b' },
          value: at === 4_999_000_000 ? Number.NaN : at / 1000,
        });
      if (at === 5_000_000_000) samples.push({ labels: { __name__: 'up', pod: 'a' }, value: 1 });
      return { kind: 'vector', samples };
    },
    { now: () => 5_000_000_000, setTimer: () => () => undefined },
    20,
    wall,
  );
  const plain: PrometheusQuery = { query: async () => 1 };
  const post = async (form: Record<string, string>) =>
    (await fetch(`${api?.url}/api/v1/query_range`, {
      method: 'POST',
      body: new URLSearchParams(form),
    }).then((r) => r.json())) as unknown;

  it('answers a matrix with every series, a point at each step where it has a value, each step at its simulated time', async () => {
    asked.length = 0;
    api = await servePrometheusApi(plain, source);
    const client = new PrometheusClient({ url: api.url });
    // 200 wall seconds back is 4,000 simulated seconds back: 4,996,000 s; steps after now are evaluated at now.
    const series = await client.queryRange('up', {
      start: new Date(999_800_000),
      end: new Date(1_000_100_000),
      stepSeconds: 50,
    });
    expect(asked).toEqual([
      4_996_000_000, 4_997_000_000, 4_998_000_000, 4_999_000_000, 5_000_000_000, 5_000_000_000, 5_000_000_000,
    ]);
    expect(series).toHaveLength(2);
    // Sorted by labels as Prometheus sorts a matrix: pod a before pod b, whichever had a value first.
    expect(await post({ query: 'up', start: '999950', end: '1000000', step: '50s' })).toEqual({
      status: 'success',
      data: {
        resultType: 'matrix',
        result: [
          { metric: { __name__: 'up', pod: 'a' }, values: [[1_000_000, '1']] },
          {
            metric: { __name__: 'up', pod: 'b' },
            values: [
              [999_950, 'NaN'],
              [1_000_000, '5000000'],
            ],
          },
        ],
      },
    });
    const empty = (await fetch(
      `${api.url}/api/v1/query_range?query=up&start=1970-01-12T13:44:10Z&end=999900&step=50`,
    ).then((r) => r.json())) as unknown;
    expect(empty).toEqual({ status: 'success', data: { resultType: 'matrix', result: [] } });
  });

  it('answers a scalar query as one series without labels and refuses a range vector as Prometheus does', async () => {
    api = await servePrometheusApi(plain, source);
    expect(await post({ query: 'scalar(up)', start: '999950', end: '1000000', step: '50' })).toEqual({
      status: 'success',
      data: {
        resultType: 'matrix',
        result: [
          {
            metric: {},
            values: [
              [999_950, '4999000'],
              [1_000_000, '5000000'],
            ],
          },
        ],
      },
    });
    expect(await post({ query: 'up[1m]', start: '999950', end: '1000000', step: '50' })).toEqual({
      status: 'error',
      errorType: 'bad_data',
      error:
        'invalid parameter "query": invalid expression type "range vector" for range query, must be Scalar or instant Vector',
    });
  });

  it('refuses bad parameters with HTTP 400 bad_data and Prometheus words', async () => {
    api = await servePrometheusApi(plain, source);
    const get = async (query: string) => {
      const response = await fetch(`${api?.url}/api/v1/query_range?${query}`);
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    expect(await get('query=up&start=0&end=11001&step=1')).toEqual({
      status: 400,
      body: {
        status: 'error',
        errorType: 'bad_data',
        error:
          'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)',
      },
    });
    expect((await get('query=up&start=2&end=1&step=1')).body.error).toBe(
      'invalid parameter "end": end timestamp must not be before start time',
    );
    expect((await get('query=nope&start=0&end=1&step=1')).body).toMatchObject({
      errorType: 'bad_data',
      error: 'unknown query nope',
    });
    // Without a range source (a plain PrometheusQuery) there is no range API.
    await api.close();
    api = await servePrometheusApi(plain);
    expect((await get('query=up&start=0&end=1&step=1')).status).toBe(404);
  });
});

describe('canary compare on the fallback path (the simulated Prometheus behind the facade)', {
  timeout: 120_000,
}, () => {
  it('judges a wrong-retrieval canary against the stable version over range queries: grounded-ratio Low, fail', async () => {
    const speed = 20;
    lab = await startSimLab({ clock: scaledClock(speed) });
    const rollout = lab.cluster.get('argoproj.io/v1alpha1', 'Rollout', 'docqa', 'docqa');
    const stable = (rollout?.status as { currentPodHash?: string } | undefined)?.currentPodHash ?? '';
    expect(stable).not.toBe('');
    lab.cluster.seed(docqaPod('docqa-bad-1', 'bad', [{ name: 'DOCQA_FAULTS', value: 'wrong-retrieval' }]));
    // The eval replay's traffic to both versions, from an hour (simulated) ago: what the model's rates are made of.
    const from = lab.clock.now() - 3_600_000;
    // Pods that have run as long (the simulated Prometheus scrapes a pod from its startTime): wait for the kubelet
    // to start the new one, then date every doc-QA pod's start an hour back.
    const started = () =>
      lab?.cluster.list('v1', 'Pod', 'docqa').every((p) => (p.status as { startTime?: string })?.startTime);
    while (!started()) await new Promise((resolve) => setTimeout(resolve, 20));
    for (const pod of lab.cluster.list('v1', 'Pod', 'docqa'))
      lab.cluster.update('v1', 'Pod', pod.metadata?.name ?? '', 'docqa', (o) => {
        (o.status as { startTime?: string }).startTime = new Date(from).toISOString();
      });
    lab.prometheus.traffic.push({ hash: stable, from }, { hash: 'bad', from });
    const prometheus = lab.prometheus;
    api = await servePrometheusApi(
      prometheus,
      scaledRangeSource((promql, at) => prometheus.evaluateAt(promql, at), lab.clock, speed),
    );
    // Two wall minutes at 5 s steps: 40 simulated minutes, 25 points a series.
    const result = await runCli([
      'canary',
      'compare',
      '--prometheus',
      api.url,
      '--canary',
      'bad',
      '--baseline',
      stable,
      '--window',
      '2m',
      '--step',
      '5s',
      '--json',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as {
      verdict: string;
      metrics: Array<{ name: string; class: string; canary: { count: number } }>;
    };
    expect(report.verdict).toBe('fail');
    expect(report.metrics.find((m) => m.name === 'grounded-ratio')).toMatchObject({
      class: 'Low',
      canary: { count: 25 },
    });
    // canary check asks the same facade (its `vector(1)` probe is answered as Prometheus answers it).
    const check = await runCli([
      'canary',
      'check',
      '--prometheus',
      api.url,
      '--arg',
      'canary-hash=bad',
      '--json',
    ]);
    expect(check.stderr).toBe('');
    expect(check.code).toBe(1);
    expect(JSON.parse(check.stdout)).toMatchObject({ phase: 'Failed' });
  });
});

describe('the live lab without a real Prometheus', { timeout: 120_000 }, () => {
  it('falls back to the simulated Prometheus, says so, and serves it over HTTP', async () => {
    dir = await mkdtemp(join(tmpdir(), 'gitops-lab-live-'));
    const seen: unknown[] = [];
    lab = await startSimLab({
      clock: scaledClock(20),
      live: { dir, speed: 20, prometheusBinary: false, onEndpoints: (e) => seen.push(e) },
    });
    expect(lab.live?.prometheusReal).toBe(false);
    expect(lab.live?.prometheusNote).toMatch(/simulated/);
    // The doc-QA processes are real all the same.
    const [stable] = lab.live?.endpoints() ?? [];
    expect(stable?.role).toBe('stable');
    expect((await fetch(`${stable?.url}/readyz`)).status).toBe(200);
    expect(seen.at(-1)).toEqual(lab.live?.endpoints());
    const client = new PrometheusClient({ url: lab.live?.prometheusUrl ?? '' });
    // The probe failed until a stable pod was Ready; a minute of the lab's time (3 s at 20x) later it held all along.
    const lastMinute = async () => {
      const probe = await client.query('min_over_time(probe_success{job="blackbox-docqa"}[1m])');
      return probe.resultType === 'vector' ? probe.vector.map((s) => s.value) : [];
    };
    let values = await lastMinute();
    for (let tries = 0; tries < 100 && values[0] !== 1; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      values = await lastMinute();
    }
    expect(values).toEqual([1]);
  });
});

describe('the live lab on a virtual clock', () => {
  it('is refused: real processes and Prometheus run on wall time', async () => {
    await expect(
      startSimLab({ clock: new VirtualClock(), live: { dir: join(tmpdir(), 'never-used') } }),
    ).rejects.toThrow(/wall time.*not a VirtualClock/);
  });
});

describe('scaleRangeWindows', () => {
  it('divides range, subquery and offset durations by the speed, floored for ranges', () => {
    const q = 'sum(rate(x{a="b"}[2m])) / sum(rate(x[2m] offset 10m)) + max_over_time(y[5m:30s])';
    expect(scaleRangeWindows(q, 20, 4000)).toBe(
      'sum(rate(x{a="b"}[6s])) / sum(rate(x[6s] offset 30s)) + max_over_time(y[15s:1500ms])',
    );
    expect(scaleRangeWindows('rate(x[2m])', 60, 4000)).toBe('rate(x[4s])');
    expect(scaleRangeWindows('rate(x[1h30m])', 1, 4000)).toBe('rate(x[1h30m])');
    expect(scaleRangeWindows('histogram_quantile(0.95, rate(b[2m]))', 10, 4000)).toBe(
      'histogram_quantile(0.95, rate(b[12s]))',
    );
    expect(scaleRangeWindows('min_over_time(y[5m:])', 30, 4000)).toBe('min_over_time(y[10s:])');
  });

  it('keeps a scaled window equal to duration / speed, at least the floor (property)', () => {
    const unit = fc.constantFrom('ms', 's', 'm', 'h', 'd');
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 500 }), unit), { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 2, max: 200 }),
        fc.integer({ min: 1, max: 20_000 }),
        (parts, speed, floor) => {
          const text = parts.map(([n, u]) => `${n}${u}`).join('');
          const ms = promDurationMs(text) as number;
          const out = scaleRangeWindows(`rate(x[${text}])`, speed, floor);
          const inner = /\[(.+)\]/.exec(out)?.[1] ?? '';
          const scaled = promDurationMs(inner) as number;
          expect(scaled).toBeGreaterThanOrEqual(1);
          expect(Math.abs(scaled - Math.max(floor, ms / speed))).toBeLessThanOrEqual(0.5);
          expect(promDurationMs(promDuration(scaled))).toBe(scaled);
        },
      ),
    );
  });
});
