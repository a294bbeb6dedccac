/**
 * `canary compare`: gathers a canary series and a baseline series per metric and hands them to the judge.
 * From Prometheus: each prometheus metric of the template (or one --query) is scoped to the canary and to the
 * baseline selector and range-queried over the window at the step; all points of all returned series form
 * the sample (NaN points, e.g. a ratio with no traffic, are dropped by the judge). From files: two JSON
 * arrays of numbers, compared as one metric. Critical metrics and weights come from the template's annotations
 * (annotations.ts), with --critical added to the critical set and --weight overriding a weight.
 */
import { UsageError } from '../../errors.js';
import { readInputFile } from '../../evals/input-file.js';
import {
  CRITICAL_ANNOTATION,
  type KayentaConfig,
  parseJudgeAnnotations,
  parseKayentaAnnotation,
  WEIGHTS_ANNOTATION,
} from './annotations.js';
import { inferDirection } from './direction.js';
import { type Direction, type Judgement, type JudgeOptions, judge, type MetricInput } from './judge.js';
import { PrometheusClient } from './prometheus.js';
import { parseSelector, scopeQuery } from './selectors.js';
import { type AnalysisTemplate, resolveMetrics } from './template.js';

export interface SeriesSource {
  name: string;
  canaryQuery?: string;
  baselineQuery?: string;
  canary: number[];
  baseline: number[];
  direction: Direction;
  weight: number;
}

export interface CompareReport extends Judgement {
  source:
    | {
        kind: 'prometheus';
        prometheus: string;
        canary: string;
        baseline: string;
        window: string;
        step: string;
        start: string;
        end: string;
      }
    | { kind: 'files'; canaryFile: string; baselineFile: string };
  /** The critical metrics judged, and which of them the template's annotation marked. */
  critical: { metrics: string[]; fromTemplate: string[] };
  queries: Record<string, { canary?: string; baseline?: string }>;
}

export interface PrometheusCompareOptions {
  prometheus: string;
  canary: string;
  baseline: string;
  windowMs: number;
  stepMs: number;
  windowText: string;
  stepText: string;
  end?: Date;
  template?: AnalysisTemplate;
  args?: Record<string, string>;
  /** Compare this one query instead of the template's metrics. */
  query?: string;
  /** Per metric bad direction; `*` sets the default. */
  directions?: Record<string, Direction>;
  /** Weights by metric name (--weight); they override the template's weights annotation. */
  weights?: Record<string, number>;
  /** Metric names classified as critical (--critical), added to those the template's annotation marks. */
  critical?: string[];
  judge: JudgeOptions;
  fetch?: typeof fetch;
}

/** A UsageError naming the flag's values that are not among the compared metrics. */
function checkFlagNames(flag: string, names: readonly string[], compared: readonly string[]): void {
  const unknown = [...new Set(names)].filter((name) => !compared.includes(name));
  if (unknown.length > 0) {
    throw new UsageError(
      `${flag} ${unknown.join(', ')}: no such metric to compare (compared: ${compared.join(', ')}).`,
      { hint: `Name one of the compared metrics, e.g. ${flag} ${compared[0] ?? 'NAME'}.` },
    );
  }
}

function directionFor(
  name: string,
  directions: Record<string, Direction> | undefined,
  inferred: Direction,
): Direction {
  return directions?.[name] ?? directions?.['*'] ?? inferred;
}

export async function compareFromPrometheus(options: PrometheusCompareOptions): Promise<CompareReport> {
  const canaryScope = parseSelector(options.canary, '--canary');
  const baselineScope = parseSelector(options.baseline, '--baseline');
  const end = options.end ?? new Date();
  const start = new Date(end.getTime() - options.windowMs);
  const stepSeconds = options.stepMs / 1000;
  if (options.windowMs / options.stepMs > 11_000) {
    throw new UsageError(
      '--window / --step gives more than 11,000 points per series, which Prometheus refuses.',
      {
        hint: 'Use a larger --step or a shorter --window.',
      },
    );
  }
  const client = new PrometheusClient({ url: options.prometheus, fetch: options.fetch });

  type Plan = { name: string; canaryQuery: string; baselineQuery: string; direction: Direction };
  const plans: Plan[] = [];
  let templateCritical: string[] = [];
  let templateWeights: Record<string, number> = {};
  let kayenta: KayentaConfig = {};
  if (options.query) {
    plans.push({
      name: 'query',
      canaryQuery: scopeQuery(options.query, canaryScope),
      baselineQuery: scopeQuery(options.query, baselineScope),
      direction: directionFor('query', options.directions, 'either'),
    });
  } else if (options.template) {
    const template = options.template;
    ({ critical: templateCritical, weights: templateWeights } = parseJudgeAnnotations(template));
    kayenta = parseKayentaAnnotation(template);
    // Arguments only used inside replaced matchers need no value here.
    const args = { ...(options.args ?? {}) };
    for (const side of [canaryScope, baselineScope] as const) {
      const metrics = resolveMetrics(template, {
        args: withPlaceholders(template, args),
        rewriteQuery: (query) => scopeQuery(query, side),
      });
      for (const metric of metrics.filter((m) => m.providerKind === 'prometheus')) {
        const query = String(metric.provider.query).trim();
        if (query.includes(PLACEHOLDER)) {
          const missing = template.args
            .filter((a) => a.value === undefined && args[a.name] === undefined)
            .map((a) => a.name);
          throw new UsageError(
            `Metric ${metric.name} still needs the argument ${missing.join(' or ')} after scoping to the selector.`,
            {
              hint: `Pass --arg ${missing[0] ?? 'NAME'}=VALUE, or a selector that sets the label it fills.`,
            },
          );
        }
        let plan = plans.find((p) => p.name === metric.name);
        if (!plan) {
          plan = {
            name: metric.name,
            canaryQuery: '',
            baselineQuery: '',
            direction: directionFor(metric.name, options.directions, inferDirection(metric)),
          };
          plans.push(plan);
        }
        if (side === canaryScope) plan.canaryQuery = query;
        else plan.baselineQuery = query;
      }
    }
    if (plans.length === 0) {
      throw new UsageError(`The template ${template.name} has no prometheus metrics to compare.`, {
        hint: 'Pass --query to compare one PromQL expression instead.',
      });
    }
    for (const [key, names] of [
      [CRITICAL_ANNOTATION, templateCritical],
      [WEIGHTS_ANNOTATION, Object.keys(templateWeights)],
    ] as const) {
      const uncompared = names.filter((name) => !plans.some((p) => p.name === name));
      if (uncompared.length > 0) {
        throw new UsageError(
          `The annotation ${key} of the AnalysisTemplate ${template.name} (${template.file}) names ${uncompared.join(', ')}, which compare cannot judge: only prometheus metrics are compared.`,
          { hint: `Name only prometheus metrics there (${plans.map((p) => p.name).join(', ')}).` },
        );
      }
    }
  } else {
    throw new UsageError('Nothing to compare: pass --query, or a template with prometheus metrics.');
  }

  const compared = plans.map((p) => p.name);
  checkFlagNames('--critical', options.critical ?? [], compared);
  checkFlagNames('--weight', Object.keys(options.weights ?? {}), compared);
  const critical = [...new Set([...templateCritical, ...(options.critical ?? [])])];
  const weights = { ...templateWeights, ...(options.weights ?? {}) };

  const fetchPoints = async (query: string): Promise<number[]> => {
    const series = await client.queryRange(query, { start, end, stepSeconds });
    return series.flatMap((s) => s.points.map((p) => p.value));
  };
  const inputs: MetricInput[] = await Promise.all(
    plans.map(async (plan) => ({
      name: plan.name,
      canary: await fetchPoints(plan.canaryQuery),
      baseline: await fetchPoints(plan.baselineQuery),
      direction: plan.direction,
      weight: weights[plan.name] ?? 1,
      critical: critical.includes(plan.name),
      ...kayenta.metrics?.[plan.name],
    })),
  );
  const judgement = judge(
    inputs,
    kayenta.groupWeights ? { ...options.judge, groupWeights: kayenta.groupWeights } : options.judge,
  );
  return {
    ...judgement,
    source: {
      kind: 'prometheus',
      prometheus: client.url,
      canary: options.canary,
      baseline: options.baseline,
      window: options.windowText,
      step: options.stepText,
      start: start.toISOString(),
      end: end.toISOString(),
    },
    critical: { metrics: compared.filter((name) => critical.includes(name)), fromTemplate: templateCritical },
    queries: Object.fromEntries(
      plans.map((p) => [p.name, { canary: p.canaryQuery, baseline: p.baselineQuery }]),
    ),
  };
}

const PLACEHOLDER = '__gitops_lab_unset_argument__';

function withPlaceholders(template: AnalysisTemplate, args: Record<string, string>): Record<string, string> {
  const out = { ...args };
  for (const arg of template.args)
    if (out[arg.name] === undefined && arg.value === undefined) out[arg.name] = PLACEHOLDER;
  return out;
}

export async function readSeriesFile(file: string, flag: string): Promise<number[]> {
  const text = await readInputFile(
    file,
    flag,
    `Pass ${flag} a JSON file holding an array of numbers, e.g. [0.97, 0.99, 0.98].`,
  );
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${flag} ${file} is not JSON: ${(error as Error).message}.`, {
      hint: 'Write a JSON array of numbers, e.g. [0.93, 0.95, 0.91].',
    });
  }
  if (!Array.isArray(value)) {
    throw new UsageError(`${flag} ${file} must hold a JSON array of numbers.`, {
      hint: 'e.g. [0.93, 0.95, 0.91]',
    });
  }
  return value.map((item, i) => {
    if (typeof item === 'number') return item;
    if (item === 'NaN' || item === null) return Number.NaN;
    throw new UsageError(`${flag} ${file}: item ${i} is ${JSON.stringify(item)}, not a number.`);
  });
}

export async function compareFromFiles(options: {
  canaryFile: string;
  baselineFile: string;
  name?: string;
  direction: Direction;
  /** --critical: only the one compared metric's name can be given. */
  critical?: string[];
  weights?: Record<string, number>;
  judge: JudgeOptions;
}): Promise<CompareReport> {
  const name = options.name ?? 'series';
  checkFlagNames('--critical', options.critical ?? [], [name]);
  checkFlagNames('--weight', Object.keys(options.weights ?? {}), [name]);
  const canary = await readSeriesFile(options.canaryFile, '--canary-file');
  const baseline = await readSeriesFile(options.baselineFile, '--baseline-file');
  const critical = (options.critical ?? []).includes(name);
  const judgement = judge(
    [{ name, canary, baseline, direction: options.direction, weight: options.weights?.[name], critical }],
    options.judge,
  );
  return {
    ...judgement,
    source: { kind: 'files', canaryFile: options.canaryFile, baselineFile: options.baselineFile },
    critical: { metrics: critical ? [name] : [], fromTemplate: [] },
    queries: {},
  };
}
