/**
 * Prometheus runs on wall time; the simulated lab's clock runs `speed` times faster. A query written for the real
 * lab, `rate(x[2m])`, asks for two minutes of samples: at --speed 20 that is 40 simulated minutes, far more than the
 * drill or AnalysisRun means. So the live lab rewrites the durations of a query it sends to the real Prometheus
 * into wall time: every range selector `[d]`, subquery `[d:step]` and `offset d` becomes d / speed, never below
 * `minMs` (a rate needs at least two scrapes in its window; the lab floors windows at four scrape intervals, so at
 * high speeds a window covers more simulated time than the query says). At speed 1 nothing changes.
 *
 * Durations follow Prometheus' model.ParseDuration (prometheus/common model/time.go): one or more `<n><unit>`,
 * units y w d h m s ms, largest first.
 */
const UNIT_MS: Record<string, number> = {
  y: 365 * 86_400_000,
  w: 7 * 86_400_000,
  d: 86_400_000,
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
};

const DURATION = String.raw`(?:\d+(?:ms|[ywdhms]))+`;

/** Milliseconds of a Prometheus duration such as `2m` or `1h30m`; undefined when it is not one. */
export function promDurationMs(text: string): number | undefined {
  if (!new RegExp(`^${DURATION}$`).test(text)) return undefined;
  let total = 0;
  for (const [, n, unit] of text.matchAll(/(\d+)(ms|[ywdhms])/g))
    total += Number(n) * (UNIT_MS[unit as string] ?? 0);
  return total;
}

/** A duration in milliseconds as Prometheus reads it (`6000ms`, `2m`). */
export function promDuration(ms: number): string {
  const whole = Math.max(1, Math.round(ms));
  if (whole % 60_000 === 0) return `${whole / 60_000}m`;
  if (whole % 1000 === 0) return `${whole / 1000}s`;
  return `${whole}ms`;
}

/** `promql` with its range, subquery and offset durations divided by `speed` (floored at `minMs`). */
export function scaleRangeWindows(promql: string, speed: number, minMs: number): string {
  if (speed === 1) return promql;
  const scale = (text: string, floor: number) => {
    const ms = promDurationMs(text);
    return ms === undefined ? text : promDuration(Math.max(floor, ms / speed));
  };
  return promql
    .replace(
      new RegExp(String.raw`\[\s*(${DURATION})\s*(?::\s*(${DURATION})?\s*)?\]`, 'g'),
      (whole: string, range: string, step: string | undefined) => {
        const scaledRange = scale(range, minMs);
        // A subquery has a colon even when its step is left out (`[5m:]`).
        if (!whole.includes(':')) return `[${scaledRange}]`;
        return `[${scaledRange}:${step ? scale(step, 1) : ''}]`;
      },
    )
    .replace(
      new RegExp(String.raw`\boffset\s+(-?)(${DURATION})`, 'g'),
      (_whole, sign: string, d: string) => `offset ${sign}${scale(d, 0)}`,
    );
}
