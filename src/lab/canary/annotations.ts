/**
 * How an AnalysisTemplate tells `canary compare` which metrics are critical and how much each weighs, through
 * annotations on its metadata (valid Kubernetes metadata that Argo Rollouts ignores):
 *
 *   canary.gitops-lab.io/critical-metrics: grounded-ratio, error-ratio   (comma list of metric names)
 *   canary.gitops-lab.io/metric-weights: grounded-ratio=3, latency-p95=0.5 (comma list of name=weight)
 *
 * As in Kayenta's canary config, a critical metric that does not pass fails the whole comparison.
 *
 * The rest of Kayenta's canary config (spinnaker/kayenta v2.46.0 NetflixACAJudge.classifyMetric reads
 * `analysisConfigurations.canary.*` of each metric; the classifier config has `groupWeights`) goes in one
 * YAML annotation:
 *
 *   canary.gitops-lab.io/kayenta: |
 *     groupWeights: {quality: 70, health: 30}
 *     metrics:
 *       grounded-ratio: {groups: [quality], mustHaveData: true, effectSize: {criticalDecrease: 0.8}}
 *       latency-p95: {groups: [health], nanStrategy: replace, muted: false}
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { UsageError } from '../../errors.js';
import type { AnalysisTemplate } from './template.js';

export const CRITICAL_ANNOTATION = 'canary.gitops-lab.io/critical-metrics';
export const WEIGHTS_ANNOTATION = 'canary.gitops-lab.io/metric-weights';
export const KAYENTA_ANNOTATION = 'canary.gitops-lab.io/kayenta';

const kayentaMetric = z
  .object({
    groups: z.array(z.string().min(1)).min(1).optional(),
    nanStrategy: z.enum(['remove', 'replace']).optional(),
    mustHaveData: z.boolean().optional(),
    muted: z.boolean().optional(),
    effectSize: z
      .object({
        measure: z.enum(['meanRatio', 'cles']).optional(),
        allowedIncrease: z.number().nonnegative().optional(),
        allowedDecrease: z.number().nonnegative().optional(),
        criticalIncrease: z.number().nonnegative().optional(),
        criticalDecrease: z.number().nonnegative().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
const kayentaConfig = z
  .object({
    groupWeights: z.record(z.string(), z.number().nonnegative()).optional(),
    metrics: z.record(z.string(), kayentaMetric).optional(),
  })
  .strict();
export type KayentaConfig = z.infer<typeof kayentaConfig>;

/** Reads the Kayenta annotation (empty when absent); every metric named must be a metric of the template. */
export function parseKayentaAnnotation(
  template: Pick<AnalysisTemplate, 'file' | 'name' | 'annotations' | 'metrics'>,
): KayentaConfig {
  const text = template.annotations[KAYENTA_ANNOTATION];
  if (text === undefined || text.trim() === '') return {};
  const where = `The annotation ${KAYENTA_ANNOTATION} of the AnalysisTemplate ${template.name} (${template.file})`;
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new UsageError(`${where} is not valid YAML: ${(error as Error).message.split('\n')[0]}.`, {
      hint: 'Write it as a YAML block: groupWeights and metrics.',
    });
  }
  const parsed = kayentaConfig.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`${where}: ${issue?.path.join('.') || '(top)'}: ${issue?.message}.`, {
      hint: 'Keys: groupWeights {group: percent}, metrics {name: {groups, nanStrategy, mustHaveData, muted, effectSize}}.',
    });
  }
  const known = template.metrics.map((m) => m.name);
  const unknown = Object.keys(parsed.data.metrics ?? {}).filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new UsageError(
      `${where} names ${unknown.join(', ')}, not a metric of the template (its metrics: ${known.join(', ')}).`,
      {
        hint: 'Use the names under spec.metrics[].name.',
      },
    );
  }
  const weightSum = Object.values(parsed.data.groupWeights ?? {}).reduce((a, b) => a + b, 0);
  if (weightSum > 100) {
    throw new UsageError(`${where}: groupWeights add up to ${weightSum}, more than 100.`, {
      hint: 'Group weights are percentages of the score.',
    });
  }
  return parsed.data;
}

export interface JudgeAnnotations {
  /** Metric names marked critical, in the order written, without duplicates. */
  critical: string[];
  /** Weight per metric name. */
  weights: Record<string, number>;
}

/** Reads both annotations; every name must be a metric of the template. */
export function parseJudgeAnnotations(
  template: Pick<AnalysisTemplate, 'file' | 'name' | 'annotations' | 'metrics'>,
): JudgeAnnotations {
  const known = template.metrics.map((m) => m.name);
  const where = (key: string) =>
    `The annotation ${key} of the AnalysisTemplate ${template.name} (${template.file})`;
  const entries = (key: string): string[] => {
    const value = template.annotations[key];
    if (value === undefined || value.trim() === '') return [];
    const items = value.split(',').map((item) => item.trim());
    const empty = items.indexOf('');
    if (empty >= 0) {
      throw new UsageError(
        `${where(key)} has an empty item (item ${empty + 1} of ${JSON.stringify(value)}).`,
        {
          hint: 'Separate metric names with single commas, e.g. grounded-ratio,error-ratio.',
        },
      );
    }
    return items;
  };
  const checkKnown = (key: string, names: string[]) => {
    const unknown = names.filter((name) => !known.includes(name));
    if (unknown.length > 0) {
      throw new UsageError(
        `${where(key)} names ${unknown.join(', ')}, which ${unknown.length === 1 ? 'is not a metric' : 'are not metrics'} of the template (its metrics: ${known.join(', ')}).`,
        { hint: 'Use the names under spec.metrics[].name.' },
      );
    }
  };

  const critical = [...new Set(entries(CRITICAL_ANNOTATION))];
  checkKnown(CRITICAL_ANNOTATION, critical);

  const weights: Record<string, number> = {};
  for (const item of entries(WEIGHTS_ANNOTATION)) {
    const eq = item.lastIndexOf('=');
    const name = eq > 0 ? item.slice(0, eq).trim() : '';
    const text = eq > 0 ? item.slice(eq + 1).trim() : '';
    const weight = text === '' ? Number.NaN : Number(text);
    if (name === '' || !Number.isFinite(weight) || weight < 0) {
      throw new UsageError(
        `${where(WEIGHTS_ANNOTATION)}: ${JSON.stringify(item)} is not metric=weight (a number of 0 or more).`,
        { hint: 'Write e.g. grounded-ratio=3,latency-p95=0.5.' },
      );
    }
    if (Object.hasOwn(weights, name)) {
      throw new UsageError(`${where(WEIGHTS_ANNOTATION)} gives ${name} a weight twice.`, {
        hint: 'Keep one name=weight per metric.',
      });
    }
    weights[name] = weight;
  }
  checkKnown(WEIGHTS_ANNOTATION, Object.keys(weights));
  return { critical, weights };
}
