/**
 * Strict schema validation with ajv over the bundled JSON schemas (schemas/*.json, built by
 * scripts/build-schemas.mjs): core kinds from the Kubernetes models, Argo CD and Rollouts kinds from their
 * CRDs, and kustomization files. Unknown fields are errors, as with `kubectl --validate=strict`.
 *
 * Compiling is the expensive part (the Argo CRD schemas take hundreds of milliseconds each), so nothing is
 * compiled up front: a kind's validator is compiled when the first object of that kind is validated and
 * kept for later objects (and later runs in the same process); a bundle is handed to ajv only when one of
 * its kinds is first compiled. A repository pays only for the kinds it holds.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { packagePath } from '../../paths.js';
import { crdKindSchemas } from './crd-schema.js';

/**
 * Kubernetes minor versions whose built-in kinds the bundled schemas describe (kind's node image of the lab:
 * v1.33; scripts/build-schemas.mjs). Other versions need their own schemas.
 */
export const bundledKubernetesVersions = ['1.33'] as const;

/** `1.33`, `v1.33` or `1.33.4` → `1.33`; undefined for anything else. */
export function minorVersion(version: string): string | undefined {
  return version.trim().match(/^v?(\d+\.\d+)(\.\d+)?$/)?.[1];
}

export interface SchemaProblem {
  /** Path of the offending node, e.g. ['spec', 'syncPolicy', 'automated', 'selfheal']. */
  path: Array<string | number>;
  message: string;
  fix: string;
}

interface SchemaBundle {
  kinds: Record<string, unknown>;
}

/**
 * Bundle files, in the order ajv gets them (CRD kinds refer to Kubernetes definitions such as ObjectMeta).
 * prometheus-operator.json: ServiceMonitor, PodMonitor, Probe, PrometheusRule of Prometheus Operator v0.86.2,
 * the CRDs kube-prometheus-stack 79.7.1 ships (schemas/crds/prometheus-operator-v0.86.2-*-crd.yaml).
 */
const bundleNames = ['kubernetes.json', 'argo.json', 'prometheus-operator.json'] as const;

export class SchemaValidator {
  private readonly schemaDir: string;
  private ajvInstance: Ajv | undefined;
  private readonly bundles = new Map<string, SchemaBundle>();
  private readonly added = new Set<string>();
  private readonly kinds = new Map<string, string>();
  private readonly compiled = new Map<string, ValidateFunction>();
  private kustomization: ValidateFunction | undefined;
  private readonly custom = new Map<string, ValidateFunction>();

  constructor(schemaDir: string = packagePath('schemas')) {
    this.schemaDir = schemaDir;
    // Reading the bundles is cheap and tells which kinds have a schema; compiling waits until needed.
    for (const name of bundleNames) {
      const bundle = JSON.parse(readFileSync(`${schemaDir}/${name}`, 'utf8')) as SchemaBundle;
      this.bundles.set(name, bundle);
      for (const key of Object.keys(bundle.kinds)) this.kinds.set(key, name);
    }
  }

  /** `apiVersion/kind` keys that have a schema. */
  knownKinds(): string[] {
    return [...this.kinds.keys()];
  }

  has(apiVersion: string, kind: string): boolean {
    return this.kinds.has(`${apiVersion}/${kind}`);
  }

  /** apiVersions with a schema for this kind (to say "use apps/v1" when someone wrote extensions/v1beta1). */
  versionsOf(kind: string): string[] {
    return this.knownKinds()
      .filter((key) => key.endsWith(`/${kind}`))
      .map((key) => key.slice(0, key.length - kind.length - 1));
  }

  validate(apiVersion: string, kind: string, object: unknown): SchemaProblem[] {
    const fn = this.validatorOf(`${apiVersion}/${kind}`);
    if (!fn) return [];
    const decoded = withoutNulls(object);
    return fn(decoded) ? [] : toProblems(fn.errors ?? []);
  }

  /**
   * Validators for the kinds that CustomResourceDefinitions found in a repository define (those without a
   * bundled schema), compiled once per distinct schema.
   */
  repositoryKinds(crds: Array<Record<string, unknown>>): Map<string, (object: unknown) => SchemaProblem[]> {
    const out = new Map<string, (object: unknown) => SchemaProblem[]>();
    for (const crd of crds) {
      for (const [key, schema] of crdKindSchemas(crd)) {
        if (this.kinds.has(key) || out.has(key)) continue;
        const text = JSON.stringify(schema);
        let fn = this.custom.get(text);
        if (!fn) {
          const ajv = this.ajv();
          if (!this.added.has('kubernetes.json')) {
            ajv.addSchema(this.bundles.get('kubernetes.json') as object, 'kubernetes.json');
            this.added.add('kubernetes.json');
          }
          try {
            fn = ajv.compile(schema);
          } catch {
            continue; // a schema ajv cannot compile: the kind stays unvalidated (reported as info)
          }
          this.custom.set(text, fn);
        }
        const validate = fn;
        out.set(key, (object) => (validate(withoutNulls(object)) ? [] : toProblems(validate.errors ?? [])));
      }
    }
    return out;
  }

  validateKustomization(object: unknown): SchemaProblem[] {
    if (!this.kustomization) {
      const schema = JSON.parse(readFileSync(`${this.schemaDir}/kustomization.json`, 'utf8')) as object;
      this.kustomization = this.ajv().compile(schema);
    }
    return this.kustomization(object) ? [] : toProblems(this.kustomization.errors ?? []);
  }

  /** The compiled validator of an `apiVersion/kind` key, compiled on first use; undefined without a schema. */
  private validatorOf(key: string): ValidateFunction | undefined {
    const cached = this.compiled.get(key);
    if (cached) return cached;
    const bundle = this.kinds.get(key);
    if (!bundle) return undefined;
    const ajv = this.ajv();
    // A CRD bundle's kinds refer to Kubernetes definitions only, so kubernetes.json is added first.
    for (const name of new Set(['kubernetes.json', bundle])) {
      if (this.added.has(name)) continue;
      ajv.addSchema(this.bundles.get(name) as object, name);
      this.added.add(name);
    }
    const fn = ajv.compile({ $ref: `${bundle}#/kinds/${key.replaceAll('~', '~0').replaceAll('/', '~1')}` });
    this.compiled.set(key, fn);
    return fn;
  }

  private ajv(): Ajv {
    // `code.optimize: false` skips ajv's passes over the generated source: the validators accept, reject
    // and report exactly the same, and compiling the large CRD schemas takes about half the time.
    this.ajvInstance ??= new Ajv({
      allErrors: true,
      strict: false,
      validateFormats: false,
      verbose: true,
      code: { optimize: false, regExp: goPattern },
    });
    return this.ajvInstance;
  }
}

/**
 * The object as the API server decodes it: a field set to `null` is as if it were absent (Go's
 * encoding/json, which apimachinery's JSON/YAML decoding follows, leaves a pointer, slice or map nil for
 * null and leaves other types untouched; `creationTimestamp: null` from generators, `args: null`). A
 * required field that is null is therefore still reported as missing. Nulls inside lists stay.
 */
export function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) if (v !== null) out[key] = withoutNulls(v);
  return out;
}

function pathOf(instancePath: string): Array<string | number> {
  if (!instancePath) return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

export function dotted(path: Array<string | number>): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${p}` : p;
  return out || 'the top level';
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function toProblems(errors: ErrorObject[]): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    const path = pathOf(error.instancePath);
    let problem: SchemaProblem | undefined;
    switch (error.keyword) {
      case 'additionalProperties': {
        const field = String((error.params as { additionalProperty: string }).additionalProperty);
        const known = Object.keys(
          ((error.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties ??
            {}) as object,
        );
        const suggestion = closest(field, known);
        problem = {
          path: [...path, field],
          message: `unknown field "${field}" in ${dotted(path)}${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`,
          fix: suggestion
            ? `Rename "${field}" to "${suggestion}" (an unknown field is rejected by strict validation or silently dropped).`
            : `Remove "${field}" or move it where it belongs; known fields here: ${known.slice(0, 12).join(', ')}.`,
        };
        break;
      }
      case 'required': {
        const field = String((error.params as { missingProperty: string }).missingProperty);
        problem = {
          path,
          message: `missing required field "${field}" in ${dotted(path)}`,
          fix: `Add ${dotted([...path, field])}.`,
        };
        break;
      }
      case 'type': {
        const expected = (error.params as { type: string | string[] }).type;
        const list = Array.isArray(expected) ? expected.join(' or ') : expected;
        problem = {
          path,
          message: `${dotted(path)} must be ${list}, got ${typeName(error.data)}`,
          fix:
            list === 'string' && typeof error.data !== 'object'
              ? `Quote the value: "${String(error.data)}".`
              : `Change ${dotted(path)} to ${list}.`,
        };
        break;
      }
      case 'const': {
        const allowed = (error.params as { allowedValue: unknown }).allowedValue;
        problem = {
          path,
          message: `${dotted(path)} must be ${JSON.stringify(allowed)}, got ${JSON.stringify(error.data)}`,
          fix: `Set ${dotted(path)} to ${JSON.stringify(allowed)}.`,
        };
        break;
      }
      case 'enum': {
        const allowed = (error.params as { allowedValues: unknown[] }).allowedValues;
        problem = {
          path,
          message: `${dotted(path)} must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${JSON.stringify(error.data)}`,
          fix: `Use one of the allowed values for ${dotted(path)}.`,
        };
        break;
      }
      default:
        problem = {
          path,
          message: `${dotted(path)} ${error.message ?? 'is invalid'}`,
          fix: `Correct ${dotted(path)} against the schema of this kind.`,
        };
    }
    const key = `${dotted(problem.path)}|${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problem);
  }
  return problems;
}

/** The known field closest to a misspelt one (case-insensitive match, or edit distance ≤ 2). */
export function closest(field: string, known: string[]): string | undefined {
  const lower = field.toLowerCase();
  const exact = known.find((k) => k.toLowerCase() === lower);
  if (exact) return exact;
  let best: string | undefined;
  let bestDistance = Math.min(3, Math.ceil(field.length / 3) + 1);
  for (const k of known) {
    const d = editDistance(lower, k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] as number;
      row[j] = Math.min(
        (row[j] as number) + 1,
        (row[j - 1] as number) + 1,
        prev + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      prev = tmp;
    }
  }
  return row[b.length] as number;
}

/**
 * A CRD's `pattern` is a Go (RE2) regular expression: the API server compiles it with Go's regexp
 * (k8s.io/kube-openapi pkg/validation/validate, the validator apiextensions-apiserver uses). RE2 allows leading
 * inline flags that JavaScript does not, e.g. Prometheus Operator v0.86.2's PrometheusRule
 * `spec.groups[].partial_response_strategy` pattern `^(?i)(abort|warn)?$`; those become RegExp flags here.
 */
function goPatternImpl(source: string, flags: string): RegExp {
  // Flags at the start, before or after the `^` anchor, apply to the whole pattern.
  const inline = source.match(/^(\^?)\(\?([ims]+)\)/);
  if (!inline) return new RegExp(source, flags);
  const rest = inline[1] + source.slice(inline[0].length);
  return new RegExp(rest, flags + [...new Set(inline[2])].join(''));
}
const goPattern = Object.assign(goPatternImpl, { code: 'goPattern' });
