/**
 * How long ago, as the API server's printers write it: k8s.io/apimachinery pkg/util/duration/duration.go
 * HumanDuration (kubectl's AGE, RESTARTS "(5m ago)", a Job's DURATION). About two or three significant figures:
 * whole seconds below 2 minutes, minutes and seconds below 10 minutes, minutes below 3 hours, hours and minutes
 * below 8 hours, hours below 2 days, days and hours below 8 days, days below 2 years, years and days below 8 years,
 * years after that. A duration up to a second below zero (clock skew) reads "0s"; further below, "<invalid>". Every
 * unit is truncated towards zero, as Go's integer division of a time.Duration does.
 */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes < 10) return joined(minutes, 'm', seconds % 60, 's');
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.trunc(minutes / 60);
  if (hours < 8) return joined(hours, 'h', minutes % 60, 'm');
  if (hours < 48) return `${hours}h`;
  const days = Math.trunc(hours / 24);
  if (hours < 24 * 8) return joined(days, 'd', hours % 24, 'h');
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.trunc(days / 365);
  if (hours < 24 * 365 * 8) return joined(years, 'y', days % 365, 'd');
  return `${years}y`;
}

/** "5m", or "5m30s" when the smaller unit is not zero. */
function joined(big: number, bigUnit: string, small: number, smallUnit: string): string {
  return small === 0 ? `${big}${bigUnit}` : `${big}${bigUnit}${small}${smallUnit}`;
}

/** Milliseconds of a metav1.Time / MicroTime as JSON carries it (RFC 3339); undefined for none (Go's zero time). */
export function timeOf(value: unknown): number | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * The age of a timestamp at the server's `now` (printers.go translateTimestampSince; the tableconvertor's date
 * columns, apimachinery pkg/api/meta/table ConvertToHumanReadableDateType): "<unknown>" when there is none.
 */
export function since(timestamp: unknown, now: number): string {
  const at = timeOf(timestamp);
  return at === undefined ? '<unknown>' : humanDuration(now - at);
}
