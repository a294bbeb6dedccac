import { formatGoFloat } from './expr/values.js';

/**
 * The arguments a Rollout passes to the AnalysisRuns it creates, worked out as Argo Rollouts v1.8.3 does, so
 * `canary check` can judge the canary the lab is running without the person looking up its pod-template hash.
 *
 * Where a Rollout names a template: a canary step's `analysis`, the canary's background `analysis`, and the
 * blue-green pre- and post-promotion analyses (pkg/apis/rollouts/v1alpha1/types.go@v1.8.3: CanaryStep.Analysis,
 * CanaryStrategy.Analysis, BlueGreenStrategy.PrePromotionAnalysis/PostPromotionAnalysis, each a RolloutAnalysis
 * with `templates[].templateName` and `args`). Experiment steps' analyses are not read: they judge the
 * experiment's own ReplicaSets.
 */

/** An entry of a RolloutAnalysis's `args` (AnalysisRunArgument in types.go@v1.8.3). */
export interface RolloutAnalysisArg {
  name: string;
  value?: string;
  valueFrom?: {
    podTemplateHashValue?: string;
    fieldRef?: { fieldPath?: string };
  };
}

export interface AnalysisReference {
  /** Where in the Rollout: "steps[2].analysis", "canary.analysis", "blueGreen.prePromotionAnalysis". */
  where: string;
  /** The canary step index for a step analysis. */
  step?: number;
  args: RolloutAnalysisArg[];
}

/** The hashes `podTemplateHashValue` picks from. */
export interface PodTemplateHashes {
  /** The newest ReplicaSet's hash (status.currentPodHash). */
  latest?: string;
  /** The stable ReplicaSet's hash (status.stableRS). */
  stable?: string;
}

/** Why an argument could not be worked out: names the argument and the rule. */
export class RolloutArgError extends Error {}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function namesTemplate(analysis: unknown, templateName: string): analysis is Json {
  return (
    isObject(analysis) &&
    asArray(analysis.templates).some((t) => isObject(t) && t.templateName === templateName)
  );
}

function argsOf(analysis: Json): RolloutAnalysisArg[] {
  return asArray(analysis.args).flatMap((a) =>
    isObject(a) && typeof a.name === 'string'
      ? [
          {
            name: a.name,
            ...(typeof a.value === 'string' ? { value: a.value } : {}),
            ...(isObject(a.valueFrom) ? { valueFrom: a.valueFrom as RolloutAnalysisArg['valueFrom'] } : {}),
          },
        ]
      : [],
  );
}

/** Every place in `rollout` (a Rollout object as the API serves it) whose analysis runs `templateName`, in spec order. */
export function analysisReferences(rollout: unknown, templateName: string): AnalysisReference[] {
  const strategy = isObject(rollout) && isObject(rollout.spec) ? rollout.spec.strategy : undefined;
  if (!isObject(strategy)) return [];
  const found: AnalysisReference[] = [];
  const canary = isObject(strategy.canary) ? strategy.canary : undefined;
  for (const [i, step] of asArray(canary?.steps).entries()) {
    const analysis = isObject(step) ? step.analysis : undefined;
    if (namesTemplate(analysis, templateName))
      found.push({ where: `steps[${i}].analysis`, step: i, args: argsOf(analysis) });
  }
  if (namesTemplate(canary?.analysis, templateName))
    found.push({ where: 'canary.analysis', args: argsOf(canary?.analysis as Json) });
  const blueGreen = isObject(strategy.blueGreen) ? strategy.blueGreen : undefined;
  for (const key of ['prePromotionAnalysis', 'postPromotionAnalysis'] as const)
    if (namesTemplate(blueGreen?.[key], templateName))
      found.push({ where: `blueGreen.${key}`, args: argsOf(blueGreen?.[key] as Json) });
  return found;
}

/**
 * The value of each argument, as utils/analysis/factory.go@v1.8.3 BuildArgumentsForRolloutAnalysisRun gives it:
 * a plain `value`; `podTemplateHashValue: Latest` the new ReplicaSet's hash, `Stable` the stable one's; a
 * `fieldRef` whose path starts with "metadata" through Kubernetes' field-path accessor, any other path by walking
 * the Rollout's JSON. Also says where each value came from.
 */
export function buildRolloutArgs(
  args: readonly RolloutAnalysisArg[],
  hashes: PodTemplateHashes,
  rollout: unknown,
): Array<{ name: string; value: string; source: string }> {
  return args.map((arg) => {
    const from = arg.valueFrom;
    if (from?.podTemplateHashValue !== undefined) {
      const which = from.podTemplateHashValue;
      // types.go@v1.8.3 ValueFromPodTemplateHash: "Stable" or "Latest".
      if (which !== 'Latest' && which !== 'Stable')
        throw new RolloutArgError(
          `argument ${arg.name}: podTemplateHashValue ${which} is neither Latest nor Stable`,
        );
      const value = which === 'Latest' ? hashes.latest : hashes.stable;
      if (!value)
        throw new RolloutArgError(
          `argument ${arg.name}: the Rollout has no ${which === 'Latest' ? 'current pod-template hash (status.currentPodHash)' : 'stable ReplicaSet (status.stableRS)'} yet`,
        );
      return { name: arg.name, value, source: `podTemplateHashValue: ${which}` };
    }
    const path = from?.fieldRef?.fieldPath;
    if (path !== undefined) {
      const value = path.startsWith('metadata')
        ? metadataFieldPath(rollout, path)
        : extractValueFromRollout(rollout, path);
      return { name: arg.name, value, source: `fieldRef: ${path}` };
    }
    return { name: arg.name, value: arg.value ?? '', source: 'value' };
  });
}

/**
 * Kubernetes pkg/fieldpath/fieldpath.go ExtractFieldPathAsString (the version Argo Rollouts v1.8.3 vendors):
 * metadata.name, .namespace, .uid; metadata.labels / metadata.annotations as sorted `key="value"` lines; one
 * label or annotation by subscript, `metadata.labels['app']`, empty when absent. Anything else is an error.
 */
export function metadataFieldPath(object: unknown, path: string): string {
  const metadata = isObject(object) && isObject(object.metadata) ? object.metadata : {};
  const map = (key: 'labels' | 'annotations'): Record<string, string> =>
    isObject(metadata[key]) ? (metadata[key] as Record<string, string>) : {};
  // fieldpath.go SplitMaybeSubscriptedPath: `path['key']`.
  const subscripted = /^(.*)\['(.*)'\]$/.exec(path);
  if (subscripted) {
    const [, base, key] = subscripted as unknown as [string, string, string];
    if (base === 'metadata.labels') return map('labels')[key] ?? '';
    if (base === 'metadata.annotations') return map('annotations')[key] ?? '';
    throw new RolloutArgError(`fieldPath ${JSON.stringify(path)} does not support subscript`);
  }
  switch (path) {
    case 'metadata.labels':
    case 'metadata.annotations': {
      // fieldpath.go FormatMap: keys sorted, `key=%q` per line, no trailing newline.
      const m = map(path === 'metadata.labels' ? 'labels' : 'annotations');
      return Object.keys(m)
        .sort()
        .map((k) => `${k}=${JSON.stringify(m[k])}`)
        .join('\n');
    }
    case 'metadata.name':
    case 'metadata.namespace':
    case 'metadata.uid': {
      const value = metadata[path.slice('metadata.'.length)];
      return typeof value === 'string' ? value : '';
    }
    default:
      throw new RolloutArgError(`unsupported fieldPath: ${path}`);
  }
}

/**
 * utils/analysis/factory.go@v1.8.3 extractValueFromRollout: the path is split on runs of ".", "[" and "]"; a
 * section indexes an array (it must be an integer in range) or names a map key; the end must be a primitive,
 * printed as Go's %v prints it. The error texts are upstream's.
 */
export function extractValueFromRollout(rollout: unknown, path: string): string {
  let at: unknown = rollout;
  for (const section of path.split(/[.[\]]+/)) {
    if (section === '') continue;
    if (Array.isArray(at)) {
      if (!/^[-+]?\d+$/.test(section)) throw new RolloutArgError(`invalid index '${section}'`);
      const i = Number(section);
      if (i >= at.length) throw new RolloutArgError(`index ${i} out of range`);
      at = at[i];
    } else if (isObject(at)) {
      at = at[section];
    } else {
      throw new RolloutArgError(`invalid path ${path} in rollout`);
    }
  }
  if (at === undefined || at === null) throw new RolloutArgError(`invalid path ${path} in rollout`);
  if (typeof at === 'object')
    throw new RolloutArgError(`path ${path} in rollout must terminate in a primitive value`);
  return typeof at === 'number' ? formatGoFloat(at) : String(at);
}
