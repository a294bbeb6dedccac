import { describe, expect, it } from 'vitest';
import { runCheck } from '../../../src/lab/canary/check.js';
import { parseTemplate } from '../../../src/lab/canary/template.js';

/** A fetch that answers Prometheus API calls from a table keyed by query. */
function fakePrometheus(answers: Record<string, unknown>): typeof fetch {
  return (async (_url: string | URL | Request, init?: RequestInit) => {
    const query = new URLSearchParams(String(init?.body ?? '')).get('query') ?? '';
    const data = query === '1' ? { resultType: 'scalar', result: [0, '1'] } : answers[query];
    if (data === undefined) {
      return new Response(
        JSON.stringify({ status: 'error', errorType: 'bad_data', error: `unknown query ${query}` }),
        {
          status: 400,
        },
      );
    }
    return new Response(JSON.stringify({ status: 'success', data }));
  }) as typeof fetch;
}

function template(metrics: string): ReturnType<typeof parseTemplate> {
  return parseTemplate(
    `kind: AnalysisTemplate\nmetadata: {name: t}\nspec:\n  metrics:\n${metrics}`,
    't.yaml',
  );
}

describe('runCheck: how Prometheus answers become `result`', () => {
  it('passes a scalar as a number, NaN included', async () => {
    const report = await runCheck({
      template: template(
        `    - {name: s, successCondition: "isNaN(result)", provider: {prometheus: {query: q}}}\n`,
      ),
      prometheus: 'http://prom.test',
      fetch: fakePrometheus({ q: { resultType: 'scalar', result: [1, 'NaN'] } }),
    });
    expect(report.metrics[0]).toMatchObject({ phase: 'Successful', value: 'NaN' });
  });

  it('evaluates an empty vector as Argo does and notes that the verdict was reached on no data', async () => {
    const report = await runCheck({
      template: template(
        `    - {name: v, successCondition: "all(result, # < 0.05)", provider: {prometheus: {query: q}}}\n`,
      ),
      prometheus: 'http://prom.test',
      fetch: fakePrometheus({ q: { resultType: 'vector', result: [] } }),
    });
    expect(report.metrics[0]).toMatchObject({ phase: 'Successful', value: '[]' });
    expect(report.metrics[0]?.notes?.[0]).toContain('no data');
  });

  it('is Error for result == 0 on a vector, as expr type-checks it in Argo', async () => {
    const report = await runCheck({
      template: template(
        `    - {name: v, failureCondition: "result == 0", provider: {prometheus: {query: q}}}\n`,
      ),
      prometheus: 'http://prom.test',
      fetch: fakePrometheus({ q: { resultType: 'vector', result: [{ metric: {}, value: [1, '0'] }] } }),
    });
    expect(report.metrics[0]?.phase).toBe('Error');
    expect(report.metrics[0]?.reason).toContain('mismatched types []float64 and int');
  });

  it('flattens a matrix into one array, as Argo Rollouts does', async () => {
    const report = await runCheck({
      template: template(
        `    - {name: m, successCondition: "len(result) == 3 && all(result, # < 1)", provider: {prometheus: {query: q}}}\n`,
      ),
      prometheus: 'http://prom.test',
      fetch: fakePrometheus({
        q: {
          resultType: 'matrix',
          result: [
            {
              metric: {},
              values: [
                [1, '0.1'],
                [2, '0.2'],
              ],
            },
            { metric: {}, values: [[1, '0.3']] },
          ],
        },
      }),
    });
    expect(report.metrics[0]).toMatchObject({ phase: 'Successful', value: '[0.1,0.2,0.3]' });
  });

  it('is Error for a string result and for a query Prometheus rejects, and the verdict is Error (exit 2)', async () => {
    const report = await runCheck({
      template: template(
        `    - {name: str, provider: {prometheus: {query: s}}}\n    - {name: bad, provider: {prometheus: {query: "rate(x"}}}\n`,
      ),
      prometheus: 'http://prom.test',
      fetch: fakePrometheus({ s: { resultType: 'string', result: [1, 'hello'] } }),
    });
    expect(report.metrics[0]).toMatchObject({
      phase: 'Error',
      reason: 'Prometheus metric type string is not supported',
    });
    expect(report.metrics[1]?.phase).toBe('Error');
    expect(report.metrics[1]?.reason).toContain('bad_data: unknown query rate(x');
    expect(report.phase).toBe('Error');
    expect(report.exitCode).toBe(2);
  });

  it('takes the worst measurement as the verdict, ignoring dry-run metrics', async () => {
    const report = await runCheck({
      template: parseTemplate(
        `kind: AnalysisTemplate
metadata: {name: t}
spec:
  dryRun: [{metricName: dry}]
  metrics:
    - {name: ok, successCondition: "result[0] > 0.5", provider: {prometheus: {query: high}}}
    - {name: meh, successCondition: "result[0] > 0.5", failureCondition: "result[0] < 0.1", provider: {prometheus: {query: mid}}}
    - {name: dry, successCondition: "result[0] > 0.5", provider: {prometheus: {query: low}}}
`,
        't.yaml',
      ),
      prometheus: 'http://prom.test',
      fetch: fakePrometheus({
        high: { resultType: 'vector', result: [{ metric: {}, value: [1, '0.9'] }] },
        mid: { resultType: 'vector', result: [{ metric: {}, value: [1, '0.3'] }] },
        low: { resultType: 'vector', result: [{ metric: {}, value: [1, '0.0'] }] },
      }),
    });
    expect(report.metrics.map((m) => [m.name, m.phase, m.dryRun])).toEqual([
      ['ok', 'Successful', false],
      ['meh', 'Inconclusive', false],
      ['dry', 'Failed', true],
    ]);
    expect(report.phase).toBe('Inconclusive');
    expect(report.exitCode).toBe(2);
  });
});
