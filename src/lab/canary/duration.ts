/**
 * Durations as Argo Rollouts and Prometheus write them: one or more number+unit pairs, e.g. `30s`, `10m`,
 * `1h30m`, `500ms`, `1.5s` (units ms, s, m, h, d, w). Returns milliseconds; anything else is null, so the
 * caller can name the field in its error.
 */
const units: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

export function parseDuration(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed === '0') return trimmed === '0' ? 0 : null;
  const pattern = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/y;
  let total = 0;
  let index = 0;
  while (index < trimmed.length) {
    pattern.lastIndex = index;
    const match = pattern.exec(trimmed);
    if (!match) return null;
    total += Number(match[1]) * (units[match[2] as string] as number);
    index = pattern.lastIndex;
  }
  return total;
}

export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
