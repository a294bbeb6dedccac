/**
 * Runs a `web` metric here (`canary check --run-jobs --target URL`) as Argo Rollouts' web provider does: an
 * HTTP request (method, headers, body or jsonBody, timeoutSeconds), a non-2xx answer is Error, the JSON body
 * is narrowed by `jsonPath` (`{$.data.ok}`; default the whole body) into `result`, and the conditions apply.
 * The request goes to --target: its scheme, host and port replace the metric URL's (path and query kept),
 * since the URL in the template is an in-cluster address.
 */
import { type ConditionOutcome, evaluateConditions, type MeasurementPhase } from './conditions.js';
import type { Value } from './expr/evaluate.js';
import { renderValue } from './measure.js';
import type { ResolvedMetric } from './template.js';

export interface WebMeasurement {
  url: string;
  status?: number;
  result?: Value;
  value: string;
  outcome?: ConditionOutcome;
  reason: string;
}

/** The metric URL with the origin of `target`. */
export function retarget(url: string, target: string): string {
  const original = new URL(url);
  const to = new URL(target);
  original.protocol = to.protocol;
  original.host = to.host;
  return original.toString();
}

/** Reads `{$.a.b[0]}`-style JSONPath (dots and numeric indexes) from a parsed JSON body. */
export function selectJsonPath(
  body: unknown,
  jsonPath: string | undefined,
): { value: unknown } | { error: string } {
  const path = (jsonPath ?? '{$}')
    .trim()
    .replace(/^\{(.*)\}$/s, '$1')
    .trim();
  if (!path.startsWith('$')) return { error: `jsonPath ${jsonPath} must start with $` };
  const steps = path.slice(1).match(/\.[A-Za-z_][\w-]*|\[\d+\]|\['[^']*'\]|./g) ?? [];
  let current: unknown = body;
  for (const step of steps) {
    let key: string | number;
    if (step.startsWith('.') && step.length > 1) key = step.slice(1);
    else if (/^\[\d+\]$/.test(step)) key = Number(step.slice(1, -1));
    else if (step.startsWith("['")) key = step.slice(2, -2);
    else return { error: `jsonPath ${jsonPath}: only .field, ['field'] and [index] steps are supported` };
    if (current === null || typeof current !== 'object' || !(key in (current as object))) {
      return { error: `jsonPath ${jsonPath} matches nothing in the response` };
    }
    current = (current as Record<string | number, unknown>)[key];
  }
  return { value: current };
}

function toValue(value: unknown): Value | undefined {
  if (value === null || typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean')
    return value;
  if (Array.isArray(value)) {
    const items = value.map(toValue);
    return items.every((i) => i !== undefined) ? (items as Value[]) : undefined;
  }
  return undefined;
}

export async function measureWeb(
  metric: ResolvedMetric,
  target: string,
  options: { fetch?: typeof fetch; now?: () => Date } = {},
): Promise<{ phase: MeasurementPhase; detail: WebMeasurement }> {
  const provider = metric.provider as {
    url?: unknown;
    method?: unknown;
    headers?: { key?: unknown; value?: unknown }[];
    body?: unknown;
    jsonBody?: unknown;
    timeoutSeconds?: unknown;
    jsonPath?: unknown;
  };
  if (typeof provider.url !== 'string' || provider.url === '') {
    return { phase: 'Error', detail: { url: '', value: '', reason: 'the web metric has no url' } };
  }
  let url: string;
  try {
    url = retarget(provider.url, target);
  } catch {
    return {
      phase: 'Error',
      detail: { url: provider.url, value: '', reason: `the web metric url ${provider.url} is not a URL` },
    };
  }
  const headers: Record<string, string> = {};
  for (const h of provider.headers ?? [])
    if (typeof h.key === 'string' && typeof h.value === 'string') headers[h.key] = h.value;
  let body: string | undefined;
  if (provider.jsonBody !== undefined) {
    body = JSON.stringify(provider.jsonBody);
    headers['content-type'] ??= 'application/json';
  } else if (typeof provider.body === 'string') body = provider.body;
  const timeoutMs = (typeof provider.timeoutSeconds === 'number' ? provider.timeoutSeconds : 10) * 1000;
  const method = typeof provider.method === 'string' ? provider.method.toUpperCase() : 'GET';
  let status: number;
  let text: string;
  try {
    const response = await (options.fetch ?? fetch)(url, {
      method,
      headers,
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    status = response.status;
    text = await response.text();
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    return { phase: 'Error', detail: { url, value: '', reason: `the request to ${url} failed (${cause})` } };
  }
  if (status < 200 || status >= 300) {
    return {
      phase: 'Error',
      detail: { url, status, value: '', reason: `received non 2xx response code: ${status}` },
    };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { phase: 'Error', detail: { url, status, value: '', reason: 'the response is not JSON' } };
  }
  const selected = selectJsonPath(
    parsed,
    typeof provider.jsonPath === 'string' ? provider.jsonPath : undefined,
  );
  if ('error' in selected)
    return { phase: 'Error', detail: { url, status, value: '', reason: selected.error } };
  const result = toValue(selected.value);
  if (result === undefined) {
    return {
      phase: 'Error',
      detail: {
        url,
        status,
        value: '',
        reason: 'the selected value is an object; set jsonPath to a number, string, bool or array',
      },
    };
  }
  const outcome = evaluateConditions(result, metric, { json: true, now: options.now ?? (() => new Date()) });
  return {
    phase: outcome.phase,
    detail: { url, status, result, value: renderValue(result), outcome, reason: outcome.reason },
  };
}
