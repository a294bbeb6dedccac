/**
 * The hash of an Argo Rollouts v1.8.3 Rollout's canary steps (github.com/argoproj/argo-rollouts at v1.8.3), kept in
 * status.currentStepHash. utils/conditions/conditions.go ComputeStepHash: FNV-32a of encoding/json's rendering of
 * spec.strategy.canary.steps, its decimal value passed through rand.SafeEncodeString; "" for a Rollout that is not a
 * canary (or is blue-green). utils/replicaset/replicaset.go checkStepHashChange: steps whose hash is not the status'
 * (or a status with none) are a new update, as a new pod template is (PodTemplateOrStepsChanged).
 *
 * encoding/json renders a struct's fields in the order the Go type declares them, drops `omitempty` fields that are
 * nil or empty, and renders a non-pointer struct field even when empty (so `analysisRunMetadata: {}` is always
 * there): the shapes below follow pkg/apis/rollouts/v1alpha1/types.go (CanaryStep, RolloutPause, RolloutAnalysis,
 * AnalysisTemplateRef, AnalysisRunArgument, ArgumentValueFrom, AnalysisRunMetadata), so the hash of steps made of
 * setWeight, pause and analysis is upstream's value. Fields a type does not declare are dropped, as Go's decoder
 * drops them. The other step kinds (experiment, setCanaryScale, setHeaderRoute, setMirrorRoute, plugin) are
 * rendered with their keys sorted: the same steps give the same hash, but not necessarily upstream's value.
 */

import { byKey } from './compare.js';
import { canonicalJson, fnv32a, safeEncodeString } from './deployment-util.js';

type Shape =
  /** A string, number or bool; `zero` is rendered when the field is missing, else it is omitted when empty. */
  | { kind: 'scalar'; zero?: string }
  /** A pointer: omitted when nil. */
  | { kind: 'pointer'; to: Shape }
  /** A slice with omitempty: omitted when nil or empty. */
  | { kind: 'list'; of: Shape }
  /** A map[string]string with omitempty: omitted when empty; keys sorted, as encoding/json sorts them. */
  | { kind: 'map' }
  /** A struct (a field of struct type is never omitted). */
  | { kind: 'struct'; fields: Array<[string, Shape]> }
  /** A type the model does not spell out: its keys sorted. */
  | { kind: 'other' };

const omitEmpty: Shape = { kind: 'scalar' };
const required: Shape = { kind: 'scalar', zero: '""' };
const pointer = (to: Shape): Shape => ({ kind: 'pointer', to });
const struct = (fields: Array<[string, Shape]>): Shape => ({ kind: 'struct', fields });
const list = (of: Shape): Shape => ({ kind: 'list', of });
const other: Shape = { kind: 'other' };

/** pkg/apis/rollouts/v1alpha1/types.go RolloutAnalysis and the types of its fields. */
const rolloutAnalysis = struct([
  [
    'templates',
    list(
      struct([
        ['templateName', required],
        ['clusterScope', omitEmpty],
      ]),
    ),
  ],
  [
    'args',
    list(
      struct([
        ['name', required],
        ['value', omitEmpty],
        [
          'valueFrom',
          pointer(
            struct([
              ['podTemplateHashValue', pointer(omitEmpty)],
              ['fieldRef', pointer(struct([['fieldPath', required]]))],
            ]),
          ),
        ],
      ]),
    ),
  ],
  ['dryRun', list(struct([['metricName', required]]))],
  [
    'measurementRetention',
    list(
      struct([
        ['metricName', required],
        ['limit', { kind: 'scalar', zero: '0' }],
      ]),
    ),
  ],
  [
    'analysisRunMetadata',
    struct([
      ['labels', { kind: 'map' }],
      ['annotations', { kind: 'map' }],
    ]),
  ],
]);

/** pkg/apis/rollouts/v1alpha1/types.go CanaryStep, its fields in declaration order. */
const canaryStep = struct([
  ['setWeight', pointer(omitEmpty)],
  ['pause', pointer(struct([['duration', pointer(omitEmpty)]]))],
  ['experiment', pointer(other)],
  ['analysis', pointer(rolloutAnalysis)],
  ['setCanaryScale', pointer(other)],
  ['setHeaderRoute', pointer(other)],
  ['setMirrorRoute', pointer(other)],
  ['plugin', pointer(other)],
]);

/** encoding/json's string: JSON with <, >, & and U+2028/U+2029 escaped (HTML-safe, as Marshal escapes them). */
function goString(s: string): string {
  return JSON.stringify(s).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`,
  );
}

function goScalar(value: unknown): string {
  return typeof value === 'string' ? goString(value) : JSON.stringify(value);
}

const isEmpty = (value: unknown) =>
  value === undefined || value === null || value === '' || value === 0 || value === false;

/** encoding/json's rendering of `value` as a field of `shape`; undefined when the field is omitted. */
function render(value: unknown, shape: Shape): string | undefined {
  switch (shape.kind) {
    case 'scalar':
      if (isEmpty(value))
        return shape.zero === undefined ? undefined : value === undefined ? shape.zero : goScalar(value);
      return goScalar(value);
    case 'pointer':
      if (value === undefined || value === null) return undefined;
      // A pointer to a zero value is rendered (setWeight: 0 is "setWeight":0).
      return shape.to.kind === 'scalar' ? goScalar(value) : (render(value, shape.to) ?? '{}');
    case 'list':
      if (!Array.isArray(value) || value.length === 0) return undefined;
      return `[${value.map((item) => render(item, shape.of) ?? 'null').join(',')}]`;
    case 'map': {
      const entries = Object.entries((value ?? {}) as Record<string, unknown>).sort(byKey);
      if (entries.length === 0) return undefined;
      return `{${entries.map(([k, v]) => `${goString(k)}:${goScalar(v)}`).join(',')}}`;
    }
    case 'struct': {
      const object = (value ?? {}) as Record<string, unknown>;
      const fields = shape.fields.flatMap(([name, field]) => {
        const rendered = render(object[name], field);
        return rendered === undefined ? [] : [`${goString(name)}:${rendered}`];
      });
      return `{${fields.join(',')}}`;
    }
    case 'other':
      return canonicalJson(value);
  }
}

/** encoding/json Marshal of spec.strategy.canary.steps: `null` for no steps (a nil slice), `[]` for an empty list. */
export function stepsJson(steps: unknown): string {
  if (!Array.isArray(steps)) return 'null';
  return `[${steps.map((step) => render(step, canaryStep) ?? '{}').join(',')}]`;
}

/** utils/conditions/conditions.go ComputeStepHash, for a Rollout's spec.strategy. */
export function computeStepHash(
  strategy: { canary?: { steps?: unknown }; blueGreen?: unknown } | undefined,
): string {
  if (strategy?.blueGreen !== undefined || strategy?.canary === undefined) return '';
  return safeEncodeString(String(fnv32a(new TextEncoder().encode(stepsJson(strategy.canary.steps)))));
}

/** utils/replicaset/replicaset.go checkStepHashChange: the status has no step hash, or not the steps' one. */
export function stepsChanged(
  currentStepHash: string | undefined,
  strategy: Parameters<typeof computeStepHash>[0],
): boolean {
  return !currentStepHash || currentStepHash !== computeStepHash(strategy);
}
