/** The series the simulated Prometheus builds from the lab: once per query evaluation. */
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../../src/lab/sim/promql/evaluate.js';
import { labSeries } from '../../../../src/lab/sim/promql/lab-series.js';
import { parsePromql } from '../../../../src/lab/sim/promql/parse.js';

describe('labSeries', () => {
  it('lists the pods once per evaluation and asks the requests once per pod and scrape, whatever the selectors', async () => {
    let listed = 0;
    const asked: number[] = [];
    const series = labSeries({
      now: () => 120_000,
      pods: () => {
        listed++;
        const behaviour = { grounded: 0.98, abstain: 0.3, errors: 0, p95Seconds: 0.05 };
        return [
          { key: 'uid-1', name: 'docqa-a-1', hash: 'a', ip: '10.244.0.5', startMs: 0, down: [], behaviour },
        ];
      },
      requestsTo: (_pod, at) => {
        asked.push(at);
        return at / 1000;
      },
      stableReadyAt: () => true,
    });
    const query = await parsePromql(
      'sum(rate(docqa_requests_total[1m])) + sum(rate(docqa_request_duration_seconds_bucket[1m])) + sum(rate(docqa_answers_grounded_total[1m]))',
    );
    const value = evaluate(query, series, 120_000);
    // One request a second: all statuses 1, the buckets 0.95 + 7 × 1 + 1 (+Inf), the answered (grounded or not) 0.7.
    expect(value.kind === 'vector' && value.samples[0]?.value).toBeCloseTo(1 + 8.95 + 0.7, 9);
    expect(listed).toBe(1);
    // The six scrapes in (60 s, 120 s], each asked once.
    expect(asked.sort((x, y) => x - y)).toEqual([70_000, 80_000, 90_000, 100_000, 110_000, 120_000]);
  });
});
