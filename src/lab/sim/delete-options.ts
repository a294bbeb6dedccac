/**
 * The DeleteOptions of a DELETE request, for every kind, parsed once (Kubernetes v1.33): from the request's body when
 * it has one, else from its query (staging/src/k8s.io/apiserver/pkg/endpoints/handlers/delete.go DeleteResource), and
 * validated as staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/validation ValidateDeleteOptions does:
 * - propagationPolicy is Orphan, Background or Foreground (or absent);
 * - orphanDependents (deprecated) and propagationPolicy cannot both be set;
 * - dryRun is absent or `All` (ValidateDryRun); kubectl sends it in the body (`"dryRun": ["All"]`).
 * gracePeriodSeconds is a whole number; preconditions carry a uid and/or a resourceVersion.
 */
import { type KubeObject, StoreError } from './store.js';

export type PropagationPolicy = 'Orphan' | 'Background' | 'Foreground';

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: PropagationPolicy;
  /** Deprecated: true is Orphan, false is "delete the dependents" (and makes an unfinished delete answer 202). */
  orphanDependents?: boolean;
  /** `dryRun=All`: answered as the delete would be, nothing kept. */
  dryRun?: boolean;
}

const propagationPolicies: readonly string[] = ['Orphan', 'Background', 'Foreground'];

/** A 422 on the request's options (their kind: CreateOptions, DeleteOptions...), as ValidateDeleteOptions words it. */
export const invalidOptions = (message: string, options = 'DeleteOptions') =>
  new StoreError(422, 'Invalid', `${options}.meta.k8s.io "" is invalid: ${message}`, {
    kind: options,
    group: 'meta.k8s.io',
  });

/**
 * The `dryRun` option of a write: absent, or `All` (apimachinery pkg/apis/meta/v1/validation ValidateDryRun); any
 * other value is the API server's 422 on the request's options.
 */
export function dryRunRequested(value: string | undefined, options: string): boolean {
  if (value === undefined) return false;
  if (value === 'All') return true;
  throw invalidOptions(`dryRun: Unsupported value: "${value}": supported values: "All"`, options);
}

/** A whole number of seconds (an int64 in the API), from JSON or from the query's text. */
function seconds(value: unknown, from: 'body' | 'query'): number | undefined {
  if (value === undefined) return undefined;
  const n = from === 'query' && typeof value === 'string' && /^[+-]?\d+$/.test(value) ? Number(value) : value;
  if (typeof n === 'number' && Number.isSafeInteger(n)) return n;
  throw new StoreError(
    400,
    'BadRequest',
    from === 'query'
      ? `couldn't parse gracePeriodSeconds: ${JSON.stringify(value)} is not an integer`
      : 'invalid body: gracePeriodSeconds must be an integer',
  );
}

function flag(value: unknown, from: 'body' | 'query'): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  if (from === 'query' && (value === 'true' || value === 'false')) return value === 'true';
  throw new StoreError(400, 'BadRequest', `invalid ${from}: orphanDependents must be a boolean`);
}

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

interface RawOptions {
  gracePeriodSeconds?: number;
  uid?: string;
  resourceVersion?: string;
  propagationPolicy?: string;
  orphanDependents?: boolean;
  dryRun?: string;
}

function fromBody(body: string): RawOptions {
  const parsed = JSON.parse(body) as unknown;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new StoreError(400, 'BadRequest', 'invalid body: DeleteOptions must be an object');
  const raw = parsed as Record<string, unknown>;
  const pre = (raw.preconditions ?? {}) as Record<string, unknown>;
  return {
    gracePeriodSeconds: seconds(raw.gracePeriodSeconds ?? undefined, 'body'),
    uid: text(pre.uid),
    resourceVersion: text(pre.resourceVersion),
    propagationPolicy: text(raw.propagationPolicy),
    orphanDependents: flag(raw.orphanDependents, 'body'),
    dryRun: Array.isArray(raw.dryRun) && raw.dryRun.length > 0 ? raw.dryRun.join(',') : undefined,
  };
}

function fromQuery(query: Record<string, string>): RawOptions {
  return {
    gracePeriodSeconds: seconds(query.gracePeriodSeconds, 'query'),
    propagationPolicy: query.propagationPolicy,
    orphanDependents: flag(query.orphanDependents, 'query'),
    dryRun: query.dryRun,
  };
}

/** The request's DeleteOptions: its body's when it has one, else its query's (DeleteResource), validated. */
export function deleteOptions(query: Record<string, string>, body: string): DeleteOptions {
  const raw = body.trim() !== '' ? fromBody(body) : fromQuery(query);
  const policy = raw.propagationPolicy;
  if (policy !== undefined && raw.orphanDependents !== undefined)
    throw invalidOptions(
      `propagationPolicy: Invalid value: "${policy}": orphanDependents and deletionPropagation cannot be both set`,
    );
  if (policy !== undefined && !propagationPolicies.includes(policy))
    throw invalidOptions(
      `propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan", "nil"`,
    );
  const dryRun = dryRunRequested(raw.dryRun, 'DeleteOptions');
  const { uid, resourceVersion } = raw;
  return {
    ...(raw.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: raw.gracePeriodSeconds } : {}),
    ...(uid !== undefined || resourceVersion !== undefined
      ? {
          preconditions: {
            ...(uid !== undefined ? { uid } : {}),
            ...(resourceVersion ? { resourceVersion } : {}),
          },
        }
      : {}),
    ...(policy !== undefined ? { propagationPolicy: policy as PropagationPolicy } : {}),
    ...(raw.orphanDependents !== undefined ? { orphanDependents: raw.orphanDependents } : {}),
    ...(dryRun ? { dryRun } : {}),
  };
}

/**
 * The preconditions of a DELETE (staging/src/k8s.io/apiserver/pkg/registry/rest/delete.go BeforeDelete): a uid or
 * resourceVersion that differs from the object's is a 409 Conflict naming its kind (the group-qualified kind, as
 * BeforeDelete's NewConflict on schema.GroupResource{Group, Resource: Kind} prints it).
 */
export function checkPreconditions(
  target: { kind: string; group: string },
  object: KubeObject,
  options: DeleteOptions,
): void {
  const meta = object.metadata ?? {};
  const { uid, resourceVersion } = options.preconditions ?? {};
  const { kind, group } = target;
  const qualified = group ? `${kind}.${group}` : kind;
  const conflict = (why: string) =>
    new StoreError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified} "${meta.name}": ${why}`, {
      name: meta.name,
      kind,
      group,
    });
  if (uid !== undefined && uid !== meta.uid)
    throw conflict(
      `the UID in the precondition (${uid}) does not match the UID in record (${meta.uid}). The object might have been deleted and then recreated`,
    );
  if (resourceVersion !== undefined && resourceVersion !== meta.resourceVersion)
    throw conflict(
      `the ResourceVersion in the precondition (${resourceVersion}) does not match the ResourceVersion in record (${meta.resourceVersion}). The object might have been modified`,
    );
}
