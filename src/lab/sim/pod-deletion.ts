/**
 * Deleting a pod, as a Kubernetes v1.33 API server does it: graceful deletion. A DELETE of a pod running on a node
 * does not remove it; it marks it (metadata.deletionTimestamp, deletionGracePeriodSeconds) and answers with the
 * marked pod; the kubelet then stops the containers and removes the pod with a grace period of 0 (kubelet.ts).
 *
 * The rules, read in untagged copies of the v1.3x line (they carry the `period < 0` rule of v1.32+):
 * - the DeleteOptions come from the request's body when it has one, else from its query (`gracePeriodSeconds`,
 *   `propagationPolicy`; staging/src/k8s.io/apiserver/pkg/endpoints/handlers/delete.go DeleteResource); a
 *   propagationPolicy other than Orphan, Background or Foreground is invalid
 *   (staging/.../apimachinery/pkg/api/validation ValidateDeleteOptions);
 * - preconditions: a uid or resourceVersion that differs from the pod's is a 409 Conflict
 *   (staging/src/k8s.io/apiserver/pkg/registry/rest/delete.go BeforeDelete);
 * - the grace period (pkg/registry/core/pod/strategy.go CheckGracefulDelete): the request's, else the pod's
 *   spec.terminationGracePeriodSeconds (the API server defaults it to 30; the sim's pods may lack it, so 30 here);
 *   0 for a pod not bound to a node or already Succeeded or Failed; a negative period is 1;
 * - a pod already being deleted (BeforeDelete): with no or a 0 grace period it is removed at once; a request may
 *   only shorten its grace period (the deletionTimestamp moves back by the difference); a longer or no period leaves
 *   it as it is;
 * - a graceful deletion writes deletionTimestamp = now + period, deletionGracePeriodSeconds = period and bumps
 *   metadata.generation (BeforeDelete); with a period above 0 the pod stays and the answer is the pod as written;
 *   with 0 it is then removed (pkg/registry/generic/registry/store.go Delete, updateForGracefulDeletionAndFinalizers:
 *   the marking write, then the removal). The answer is the pod either way (the pod registry returns the deleted
 *   object), with HTTP 200 (delete.go: 202 only for orphanDependents=false).
 * In the store's mutation log the marking write is a `delete` too (the request's verb); the kubelet's removal is
 * another. Only pods are deleted gracefully (the one registry with CheckGracefulDelete); other kinds go at once.
 */
import { type KubeObject, kubeTime, type Mutation, type Store, StoreError } from './store.js';

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: string;
}

/** The API server's default spec.terminationGracePeriodSeconds (pkg/apis/core/v1/defaults.go; types.go). */
export const DEFAULT_TERMINATION_GRACE_SECONDS = 30;

const propagationPolicies = ['Orphan', 'Background', 'Foreground'];

const invalid = (message: string) =>
  new StoreError(422, 'Invalid', `DeleteOptions.meta.k8s.io "" is invalid: ${message}`, {
    kind: 'DeleteOptions',
    group: 'meta.k8s.io',
  });

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

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

/** The request's DeleteOptions: its body's when it has one, else its query's (DeleteResource). */
export function deleteOptions(query: Record<string, string>, body: string): DeleteOptions {
  let options: DeleteOptions;
  if (body.trim() !== '') {
    const parsed = JSON.parse(body) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new StoreError(400, 'BadRequest', 'invalid body: DeleteOptions must be an object');
    const raw = parsed as Record<string, unknown>;
    const pre = (raw.preconditions ?? {}) as Record<string, unknown>;
    const grace = seconds(raw.gracePeriodSeconds ?? undefined, 'body');
    const uid = text(pre.uid);
    const resourceVersion = text(pre.resourceVersion);
    const policy = text(raw.propagationPolicy);
    options = {
      ...(grace !== undefined ? { gracePeriodSeconds: grace } : {}),
      ...(uid !== undefined || resourceVersion !== undefined
        ? {
            preconditions: {
              ...(uid !== undefined ? { uid } : {}),
              ...(resourceVersion ? { resourceVersion } : {}),
            },
          }
        : {}),
      ...(policy !== undefined ? { propagationPolicy: policy } : {}),
    };
  } else {
    const grace = seconds(query.gracePeriodSeconds, 'query');
    options = {
      ...(grace !== undefined ? { gracePeriodSeconds: grace } : {}),
      ...(query.propagationPolicy !== undefined ? { propagationPolicy: query.propagationPolicy } : {}),
    };
  }
  const policy = options.propagationPolicy;
  if (policy !== undefined && !propagationPolicies.includes(policy))
    throw invalid(
      `propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan", "nil"`,
    );
  return options;
}

interface PodFields {
  spec?: { nodeName?: string; terminationGracePeriodSeconds?: number };
  status?: { phase?: string };
}

/** CheckGracefulDelete: the grace period a deletion of `pod` gets when `requested` (or nothing) was asked for. */
export function podGracePeriod(pod: KubeObject, requested?: number): number {
  const { spec, status } = pod as PodFields;
  let period = requested ?? spec?.terminationGracePeriodSeconds ?? DEFAULT_TERMINATION_GRACE_SECONDS;
  if (!spec?.nodeName) period = 0;
  if (status?.phase === 'Failed' || status?.phase === 'Succeeded') period = 0;
  if (period < 0) period = 1;
  return period;
}

/** What a DELETE does to a pod (BeforeDelete): remove it now, mark it, or leave it as it is. */
export type DeletionStep =
  | { step: 'remove' }
  | { step: 'pending' }
  | { step: 'mark'; deletionTimestamp: string; deletionGracePeriodSeconds: number };

export function deletionStep(pod: KubeObject, options: DeleteOptions, nowMs: number): DeletionStep {
  const meta = pod.metadata ?? {};
  const { uid, resourceVersion } = options.preconditions ?? {};
  const conflict = (why: string) =>
    new StoreError(409, 'Conflict', `Operation cannot be fulfilled on Pod "${meta.name}": ${why}`, {
      name: meta.name,
      kind: 'Pod',
      group: '',
    });
  if (uid !== undefined && uid !== meta.uid)
    throw conflict(
      `the UID in the precondition (${uid}) does not match the UID in record (${meta.uid}). The object might have been deleted and then recreated`,
    );
  if (resourceVersion !== undefined && resourceVersion !== meta.resourceVersion)
    throw conflict(
      `the ResourceVersion in the precondition (${resourceVersion}) does not match the ResourceVersion in record (${meta.resourceVersion}). The object might have been modified`,
    );
  // BeforeDelete: a negative period asked for is 1 s.
  const requested =
    options.gracePeriodSeconds !== undefined && options.gracePeriodSeconds < 0
      ? 1
      : options.gracePeriodSeconds;
  if (meta.deletionTimestamp) {
    const current = meta.deletionGracePeriodSeconds as number | undefined;
    if (current === undefined || current === 0) return { step: 'remove' };
    if (requested === undefined || requested >= current) return { step: 'pending' };
    const at = Date.parse(meta.deletionTimestamp) - current * 1000 + requested * 1000;
    return { step: 'mark', deletionTimestamp: kubeTime(at), deletionGracePeriodSeconds: requested };
  }
  const period = podGracePeriod(pod, requested);
  return {
    step: 'mark',
    deletionTimestamp: kubeTime(nowMs + period * 1000),
    deletionGracePeriodSeconds: period,
  };
}

/**
 * DELETE of pod `name` at `nowMs`: marks it for graceful deletion, or removes it (see above). Returns the pod as the
 * API server answers (the marked pod, or the removed one) and whether it is gone. Throws the StoreError the server
 * would answer with.
 */
export function deletePod(
  store: Store,
  namespace: string,
  name: string,
  options: DeleteOptions,
  nowMs: number,
  source: Mutation['source'],
): { pod: KubeObject; removed: boolean } {
  const pods = store.resourceFor('v1', 'Pod');
  const pod = store.get(pods, namespace, name);
  if (!pod) throw store.notFound(pods, name);
  const step = deletionStep(pod, options, nowMs);
  if (step.step === 'pending') return { pod: structuredClone(pod), removed: false };
  if (step.step === 'mark') {
    const next = structuredClone(pod);
    next.metadata = {
      ...next.metadata,
      deletionTimestamp: step.deletionTimestamp,
      deletionGracePeriodSeconds: step.deletionGracePeriodSeconds,
    };
    const marked = store.replace(
      pods,
      namespace,
      name,
      next,
      { source, verb: 'delete' },
      undefined,
      // BeforeDelete bumps the generation only when it first marks the object.
      { bumpGeneration: !pod.metadata?.deletionTimestamp },
    );
    if (step.deletionGracePeriodSeconds > 0) return { pod: marked, removed: false };
  }
  return { pod: store.delete(pods, namespace, name, { source }), removed: true };
}
