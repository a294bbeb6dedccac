/**
 * Loads an Argo Rollouts AnalysisTemplate (or ClusterAnalysisTemplate) from YAML and resolves its arguments
 * the way Argo Rollouts does: every `{{args.NAME}}` (spaces inside the braces allowed) in every string of a
 * metric is replaced by the argument's value; an argument with no value, or a `{{...}}` left unresolved, is
 * an error. Values come from `--arg name=value` first, then the template's own `value`.
 */
import { parseAllDocuments } from 'yaml';
import { UsageError } from '../../errors.js';
import { readInputFile } from '../../evals/input-file.js';
import { parseDuration } from './duration.js';

export type ProviderKind = 'prometheus' | 'job' | 'web' | string;

export interface TemplateArg {
  name: string;
  value?: string;
  /** The template reads it from a Secret or a field of the Rollout: only --arg can supply it here. */
  valueFrom?: unknown;
}

export interface RawMetric {
  name: string;
  [key: string]: unknown;
}

export interface AnalysisTemplate {
  file: string;
  kind: string;
  name: string;
  /** metadata.annotations (see annotations.ts for the ones `canary compare` reads). */
  annotations: Record<string, string>;
  args: TemplateArg[];
  metrics: RawMetric[];
  /** spec.dryRun[].metricName: regular expressions, as Argo matches them. */
  dryRunMetrics: string[];
  /** spec.measurementRetention[]: a metricName regular expression and a limit. */
  measurementRetention: { metricName: string; limit: number }[];
}

export interface ResolvedMetric {
  name: string;
  providerKind: ProviderKind;
  /** The provider block after substitution, e.g. { address, query } for prometheus. */
  provider: Record<string, unknown>;
  successCondition?: string;
  failureCondition?: string;
  /** Milliseconds between measurements; undefined when the template sets no interval. */
  intervalMs?: number;
  initialDelayMs?: number;
  /** Argo's effective count: `count`, or 1 when neither count nor interval is set, or undefined (unbounded). */
  count?: number;
  failureLimit: number;
  inconclusiveLimit: number;
  consecutiveErrorLimit: number;
  /** Argo Rollouts 1.8's consecutiveSuccessLimit; 0 disables it. */
  consecutiveSuccessLimit: number;
  dryRun: boolean;
  /** measurementRetention limit (Argo keeps the last 10 measurements by default). */
  measurementLimit: number;
}

/** Argo Rollouts' default consecutiveErrorLimit. */
export const DEFAULT_CONSECUTIVE_ERROR_LIMIT = 4;
/** argo-rollouts v1.8.3 analysis/analysis.go DefaultMeasurementHistoryLimit. */
export const DEFAULT_MEASUREMENT_HISTORY_LIMIT = 10;

export async function loadTemplate(file: string): Promise<AnalysisTemplate> {
  const text = await readInputFile(
    file,
    'AnalysisTemplate',
    'Pass --template an AnalysisTemplate YAML file that exists, or leave --template out to use the shipped doc-QA template.',
  );
  return parseTemplate(text, file);
}

const templateError = (file: string, detail: string) =>
  new UsageError(`AnalysisTemplate ${file}: ${detail}.`, {
    hint: 'See https://argo-rollouts.readthedocs.io/en/stable/features/analysis/ for the format.',
  });

export function parseTemplate(text: string, file: string): AnalysisTemplate {
  const docs = parseAllDocuments(text, { logLevel: 'error' });
  const bad = (detail: string) => templateError(file, detail);
  const objects: Record<string, unknown>[] = [];
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    if (doc.errors.length > 0) throw bad(`invalid YAML: ${doc.errors[0]?.message.split('\n')[0]}`);
    const value = doc.toJS() as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value))
      objects.push(value as Record<string, unknown>);
  }
  const found = objects.find((o) => o.kind === 'AnalysisTemplate' || o.kind === 'ClusterAnalysisTemplate');
  if (!found) throw bad('no document of kind AnalysisTemplate or ClusterAnalysisTemplate');
  return templateFromObject(found, file);
}

/** An AnalysisTemplate object (as the API server holds it), checked as parseTemplate checks a file's. */
export function templateFromObject(found: Record<string, unknown>, file: string): AnalysisTemplate {
  const bad = (detail: string) => templateError(file, detail);
  const metadata = (found.metadata ?? {}) as { name?: unknown; annotations?: unknown };
  const annotations: Record<string, string> = {};
  if (metadata.annotations !== undefined && metadata.annotations !== null) {
    if (typeof metadata.annotations !== 'object' || Array.isArray(metadata.annotations))
      throw bad('metadata.annotations must be a map of strings');
    for (const [key, value] of Object.entries(metadata.annotations)) {
      if (typeof value !== 'string')
        throw bad(`metadata.annotations.${key} must be a string (quote it in the YAML)`);
      annotations[key] = value;
    }
  }
  const spec = found.spec as { args?: unknown; metrics?: unknown; dryRun?: unknown } | undefined;
  if (!spec || typeof spec !== 'object') throw bad('spec is missing');
  if (!Array.isArray(spec.metrics) || spec.metrics.length === 0)
    throw bad('spec.metrics must be a non-empty list');
  const args: TemplateArg[] = [];
  for (const [i, raw] of (Array.isArray(spec.args) ? spec.args : []).entries()) {
    const arg = raw as { name?: unknown; value?: unknown; valueFrom?: unknown };
    if (typeof arg?.name !== 'string' || arg.name === '') throw bad(`spec.args[${i}].name must be a string`);
    if (arg.value !== undefined && typeof arg.value !== 'string')
      throw bad(`spec.args[${i}].value must be a string`);
    args.push({ name: arg.name, value: arg.value as string | undefined, valueFrom: arg.valueFrom });
  }
  const names = new Set<string>();
  const metrics: RawMetric[] = spec.metrics.map((raw, i) => {
    const metric = raw as RawMetric;
    if (!metric || typeof metric !== 'object' || typeof metric.name !== 'string' || metric.name === '') {
      throw bad(`spec.metrics[${i}].name must be a string`);
    }
    if (names.has(metric.name)) throw bad(`spec.metrics[${i}]: the metric name ${metric.name} is used twice`);
    names.add(metric.name);
    const provider = metric.provider as Record<string, unknown> | undefined;
    if (!provider || typeof provider !== 'object' || Object.keys(provider).length !== 1) {
      throw bad(`spec.metrics[${i}] (${metric.name}).provider must name exactly one provider`);
    }
    return metric;
  });
  const dryRunMetrics = (Array.isArray(spec.dryRun) ? spec.dryRun : []).map((d, i) => {
    const name = (d as { metricName?: unknown })?.metricName;
    if (typeof name !== 'string' || name === '') throw bad(`spec.dryRun[${i}].metricName must be a string`);
    return name;
  });
  const retention = (spec as { measurementRetention?: unknown }).measurementRetention;
  const measurementRetention = (Array.isArray(retention) ? retention : []).map((r, i) => {
    const { metricName, limit } = (r ?? {}) as { metricName?: unknown; limit?: unknown };
    if (typeof metricName !== 'string' || metricName === '')
      throw bad(`spec.measurementRetention[${i}].metricName must be a string`);
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0)
      throw bad(`spec.measurementRetention[${i}].limit must be a non-negative integer`);
    return { metricName, limit };
  });
  // argo-rollouts v1.8.3 utils/analysis/helpers.go GetDryRunMetrics / GetMeasurementRetentionMetrics: each
  // rule is a regular expression (regexp.MatchString, unanchored) that must match at least one metric.
  const matching = (pattern: string, where: string) => {
    let re: RegExp;
    try {
      re = new RegExp(pattern);
    } catch {
      throw bad(`${where}.metricName ${JSON.stringify(pattern)} is not a valid regular expression`);
    }
    if (!metrics.some((m) => re.test(m.name))) throw bad(`${where}: Rule didn't match any metric name(s)`);
  };
  for (const [i, pattern] of dryRunMetrics.entries()) matching(pattern, `dryRun[${i}]`);
  for (const [i, r] of measurementRetention.entries()) matching(r.metricName, `measurementRetention[${i}]`);
  return {
    file,
    kind: String(found.kind),
    name: typeof metadata.name === 'string' ? metadata.name : '(unnamed)',
    annotations,
    args,
    metrics,
    dryRunMetrics,
    measurementRetention,
  };
}

/** `['a=1', 'b=x=y']` → { a: '1', b: 'x=y' }; a malformed entry is a UsageError naming --arg. */
export function parseArgFlags(flags: readonly string[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    if (eq <= 0) {
      throw new UsageError(`--arg ${JSON.stringify(flag)} is not name=value.`, {
        hint: 'Write it like --arg canary-hash=6d4f9c7b8.',
      });
    }
    values[flag.slice(0, eq).trim()] = flag.slice(eq + 1);
  }
  return values;
}

/** Replaces `{{ args.x }}` tags; collects the tags it could not resolve. */
export function substitute(
  text: string,
  values: Readonly<Record<string, string>>,
  unresolved: Set<string>,
): string {
  return text.replace(/\{\{(.*?)\}\}/g, (whole, tag: string) => {
    const key = tag.trim();
    if (key.startsWith('args.') && Object.hasOwn(values, key.slice(5))) return values[key.slice(5)] as string;
    unresolved.add(whole);
    return '';
  });
}

function substituteDeep(
  value: unknown,
  values: Readonly<Record<string, string>>,
  unresolved: Set<string>,
): unknown {
  if (typeof value === 'string') return substitute(value, values, unresolved);
  if (Array.isArray(value)) return value.map((v) => substituteDeep(v, values, unresolved));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, substituteDeep(v, values, unresolved)]),
    );
  }
  return value;
}

export interface ResolveOptions {
  /** --arg values. */
  args?: Readonly<Record<string, string>>;
  /** Replaces the address of every prometheus metric (the --prometheus flag). */
  prometheusAddress?: string;
  /** Transforms each metric's raw prometheus query before substitution (used by compare's selectors). */
  rewriteQuery?: (query: string, metric: string) => string;
}

export function resolveArgs(
  template: AnalysisTemplate,
  given: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const declared = new Set(template.args.map((a) => a.name));
  for (const name of Object.keys(given)) {
    if (!declared.has(name)) {
      const list = template.args.map((a) => a.name).join(', ') || 'none';
      throw new UsageError(
        `--arg ${name}: the template ${template.name} (${template.file}) declares no argument ${name} (it declares: ${list}).`,
        {
          hint: 'Check the spelling against spec.args in the template.',
        },
      );
    }
  }
  const values: Record<string, string> = {};
  for (const arg of template.args) {
    const value = given[arg.name] ?? arg.value;
    if (value === undefined) {
      throw new UsageError(
        `The template ${template.name} needs the argument ${arg.name}, which has no value${arg.valueFrom ? ' here (it is read from the cluster by Argo Rollouts)' : ''}.`,
        {
          hint: `Pass --arg ${arg.name}=VALUE.`,
        },
      );
    }
    values[arg.name] = value;
  }
  return values;
}

export function resolveMetrics(template: AnalysisTemplate, options: ResolveOptions = {}): ResolvedMetric[] {
  const values = resolveArgs(template, options.args);
  return template.metrics.map((raw) => {
    const metric = { ...raw } as Record<string, unknown>;
    const provider = { ...(metric.provider as Record<string, unknown>) };
    const providerKind = Object.keys(provider)[0] as string;
    if (providerKind === 'prometheus' && options.rewriteQuery) {
      const prom = { ...(provider.prometheus as Record<string, unknown>) };
      if (typeof prom.query === 'string') prom.query = options.rewriteQuery(prom.query, raw.name);
      provider.prometheus = prom;
    }
    metric.provider = provider;
    const unresolved = new Set<string>();
    const resolved = substituteDeep(metric, values, unresolved) as Record<string, unknown>;
    if (unresolved.size > 0) {
      throw new UsageError(
        `Metric ${raw.name} of ${template.file}: failed to resolve ${[...unresolved].join(', ')}.`,
        {
          hint: 'Only {{args.NAME}} tags of declared arguments can be resolved here.',
        },
      );
    }
    const resolvedProvider = (resolved.provider as Record<string, unknown>)[providerKind] as Record<
      string,
      unknown
    >;
    if (providerKind === 'prometheus') {
      if (typeof resolvedProvider?.query !== 'string' || resolvedProvider.query.trim() === '') {
        throw new UsageError(
          `Metric ${raw.name} of ${template.file}: provider.prometheus.query must be a non-empty string.`,
        );
      }
      if (options.prometheusAddress) resolvedProvider.address = options.prometheusAddress;
    }
    const where = `metric ${raw.name} of ${template.file}`;
    const intervalMs = optionalDuration(resolved.interval, `${where}: interval`);
    const count = optionalInt(resolved.count, `${where}: count`, true);
    const limits = {
      count: count ?? 0,
      failureLimit: optionalInt(resolved.failureLimit, `${where}: failureLimit`, true) ?? 0,
      inconclusiveLimit: optionalInt(resolved.inconclusiveLimit, `${where}: inconclusiveLimit`, true) ?? 0,
      consecutiveSuccessLimit:
        optionalInt(resolved.consecutiveSuccessLimit, `${where}: consecutiveSuccessLimit`, true) ?? 0,
      consecutiveErrorLimit: optionalInt(
        resolved.consecutiveErrorLimit,
        `${where}: consecutiveErrorLimit`,
        true,
      ),
      interval: intervalMs !== undefined,
    };
    const invalid = validateMetricLimits(limits);
    if (invalid) {
      throw new UsageError(`Argo Rollouts rejects ${where}: ${invalid}.`, {
        hint: 'Fix the metric as the message says; Argo Rollouts validates templates the same way (utils/analysis/factory.go ValidateMetric).',
      });
    }
    const retention = template.measurementRetention
      .filter((r) => new RegExp(r.metricName).test(raw.name))
      .pop();
    return {
      name: raw.name,
      providerKind,
      provider: resolvedProvider ?? {},
      successCondition: optionalString(resolved.successCondition, `${where}: successCondition`),
      failureCondition: optionalString(resolved.failureCondition, `${where}: failureCondition`),
      intervalMs,
      initialDelayMs: optionalDuration(resolved.initialDelay, `${where}: initialDelay`),
      count: count === undefined || count === 0 ? (intervalMs === undefined ? 1 : undefined) : count,
      failureLimit: limits.failureLimit,
      inconclusiveLimit: limits.inconclusiveLimit,
      consecutiveErrorLimit: limits.consecutiveErrorLimit ?? DEFAULT_CONSECUTIVE_ERROR_LIMIT,
      consecutiveSuccessLimit: limits.consecutiveSuccessLimit,
      dryRun: template.dryRunMetrics.some((pattern) => new RegExp(pattern).test(raw.name)),
      measurementLimit: retention?.limit ?? DEFAULT_MEASUREMENT_HISTORY_LIMIT,
    };
  });
}

/**
 * argo-rollouts v1.8.3 utils/analysis/factory.go ValidateMetric, the rules about limits, count and interval
 * (with Argo's messages); undefined when the metric is valid. Unset limits count as 0, as there.
 */
export function validateMetricLimits(m: {
  count: number;
  failureLimit: number;
  inconclusiveLimit: number;
  consecutiveSuccessLimit: number;
  consecutiveErrorLimit?: number;
  interval: boolean;
}): string | undefined {
  if (m.consecutiveSuccessLimit < 0) return 'consecutiveSuccessLimit must be >= 0';
  if (m.failureLimit < -1) return 'failureLimit must be >= 0, or -1 to be disabled';
  if (m.consecutiveSuccessLimit === 0 && m.failureLimit === -1)
    return 'failureLimit and consecutiveSuccessLimit cannot both be disabled';
  if (m.inconclusiveLimit < 0) return 'inconclusiveLimit must be >= 0';
  if (m.consecutiveErrorLimit !== undefined && m.consecutiveErrorLimit < 0)
    return 'consecutiveErrorLimit must be >= 0';
  if (m.count > 0) {
    if (m.consecutiveSuccessLimit >= 0 && m.failureLimit >= 0) {
      if (m.count < m.failureLimit + m.consecutiveSuccessLimit)
        return `count (${m.count}) must be >= failureLimit + consecutiveSuccessLimit (${m.failureLimit} + ${m.consecutiveSuccessLimit}) if both >= 0`;
    } else if (m.consecutiveSuccessLimit >= 0 && m.failureLimit < 0) {
      if (m.count < m.consecutiveSuccessLimit) return 'count must be >= consecutiveSuccessLimit';
    }
    if (m.count < m.inconclusiveLimit) return 'count must be >= inconclusiveLimit';
  }
  if (m.count > 1 && !m.interval) return 'interval must be specified when count > 1';
  return undefined;
}

function optionalString(value: unknown, where: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new UsageError(`${where} must be a string.`);
  return value;
}

function optionalInt(value: unknown, where: string, allowNegative = false): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : Number.NaN;
  if (!Number.isInteger(n) || (!allowNegative && n < 0)) {
    throw new UsageError(
      `${where} must be ${allowNegative ? 'an' : 'a non-negative'} integer, got ${JSON.stringify(value)}.`,
    );
  }
  return n;
}

function optionalDuration(value: unknown, where: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const ms = typeof value === 'string' ? parseDuration(value) : null;
  if (ms === null)
    throw new UsageError(`${where} must be a duration like 30s or 5m, got ${JSON.stringify(value)}.`);
  return ms;
}
