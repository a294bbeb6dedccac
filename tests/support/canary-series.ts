/**
 * Series a stub Prometheus answers the shipped AnalysisTemplate's queries with, for the canary compare tests:
 * 12 points per series, the canary (hash canary1) answers ungrounded, every other metric is the same on both.
 */
function seriesFor(query: string): number[] {
  const canary = query.includes('"canary1"');
  if (query.includes('docqa_answers_grounded_total'))
    return canary
      ? [0, 0.02, 0, 0, 0.01, 0, 0, 0.03, 0, 0, 0.02, 0]
      : [1, 0.98, 1, 0.97, 1, 0.99, 1, 1, 0.98, 1, 0.99, 1];
  if (query.includes('insufficient_context'))
    return Array.from({ length: 12 }, (_, i) => 0.3 + (i % 3) / 100);
  if (query.includes('docqa_request_duration_seconds_bucket'))
    return Array.from({ length: 12 }, (_, i) => 0.01 + (i % 4) / 1000);
  return Array(12).fill(0);
}

/** Prometheus' answer to a range query (`/api/v1/query_range`, the query in a form body) from seriesFor. */
export function rangeAnswer(formBody: string): string {
  const query = new URLSearchParams(formBody).get('query') ?? '';
  const values = seriesFor(query).map((v, i) => [1_700_000_000 + i, String(v)]);
  return JSON.stringify({
    status: 'success',
    data: { resultType: 'matrix', result: [{ metric: {}, values }] },
  });
}
