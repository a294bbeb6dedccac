/**
 * The helpers of the Kubernetes v1.33 Deployment controller (pkg/controller/deployment/util/deployment_util.go),
 * with what they take from elsewhere: intstr.GetScaledValueFromIntOrPercent (apimachinery pkg/util/intstr),
 * controller.ComputeHash and the ReplicaSet orderings (pkg/controller/controller_utils.go), rand.SafeEncodeString
 * (apimachinery pkg/util/rand) and the apps/v1 defaults the API server writes (pkg/apis/apps/v1/defaults.go).
 * deployment.ts, deployment-rolling.ts and replicaset.ts build on them; tests/lab/sim/workloads.test.ts checks them
 * against upstream's own tables (deployment_util_test.go).
 *
 * Sources: the copies read were not tagged; they are of the v1.33/v1.34 era (they know the ReplicaSet's
 * terminatingReplicas, alpha in v1.33 and off by default, which the model leaves out). Where a copy showed v1.34
 * additions (the DeploymentPodReplacementPolicy gate, alpha in v1.34), the v1.33 behaviour is the one with the gate
 * off.
 */

import { byKey, compareStrings } from './compare.js';
import type { LabelSelector } from './selectors.js';
import type { KubeObject } from './store.js';

export const revisionAnnotation = 'deployment.kubernetes.io/revision';
export const revisionHistoryAnnotation = 'deployment.kubernetes.io/revision-history';
export const desiredReplicasAnnotation = 'deployment.kubernetes.io/desired-replicas';
export const maxReplicasAnnotation = 'deployment.kubernetes.io/max-replicas';
/** apps.DefaultDeploymentUniqueLabelKey. */
export const podTemplateHashLabel = 'pod-template-hash';
/** math.MaxInt32: progressDeadlineSeconds or revisionHistoryLimit set to it means "none" (HasProgressDeadline). */
export const maxInt32 = 2147483647;

export type IntOrPercent = number | string;

export interface PodTemplate {
  metadata?: {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  spec?: Record<string, unknown>;
}

export interface DeploymentStrategy {
  type?: 'RollingUpdate' | 'Recreate';
  rollingUpdate?: { maxSurge?: IntOrPercent; maxUnavailable?: IntOrPercent };
}

export interface DeploymentSpec {
  replicas?: number;
  selector?: LabelSelector;
  template?: PodTemplate;
  strategy?: DeploymentStrategy;
  minReadySeconds?: number;
  revisionHistoryLimit?: number;
  progressDeadlineSeconds?: number;
  paused?: boolean;
}

/** A Deployment's spec as the API server stores it, defaults filled in. */
export interface DefaultedSpec extends DeploymentSpec {
  replicas: number;
  strategy: DeploymentStrategy;
  minReadySeconds: number;
  revisionHistoryLimit: number;
  progressDeadlineSeconds: number;
  paused: boolean;
  template: PodTemplate;
}

export interface DeploymentCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastUpdateTime: string;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

export interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  conditions?: DeploymentCondition[];
  collisionCount?: number;
}

export interface Deployment extends KubeObject {
  spec?: DeploymentSpec;
  status?: DeploymentStatus;
}

/** apps/v1 ReplicaSetCondition (no lastUpdateTime). */
export interface ReplicaSetCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface ReplicaSetStatus {
  replicas?: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: ReplicaSetCondition[];
}

export interface ReplicaSet extends KubeObject {
  spec?: { replicas?: number; minReadySeconds?: number; selector?: LabelSelector; template?: PodTemplate };
  status?: ReplicaSetStatus;
}

/**
 * The apps/v1 defaults (SetDefaults_Deployment): 1 replica, RollingUpdate with maxSurge and maxUnavailable 25%,
 * revisionHistoryLimit 10, progressDeadlineSeconds 600. The simulated API server does not default objects, so the
 * controllers read a Deployment's spec through this.
 */
export function withDefaults(spec: DeploymentSpec = {}): DefaultedSpec {
  const type = spec.strategy?.type ?? 'RollingUpdate';
  const rolling = spec.strategy?.rollingUpdate;
  const strategy: DeploymentStrategy =
    type === 'RollingUpdate'
      ? {
          type,
          rollingUpdate: {
            maxUnavailable: rolling?.maxUnavailable ?? '25%',
            maxSurge: rolling?.maxSurge ?? '25%',
          },
        }
      : { type };
  return {
    ...spec,
    replicas: spec.replicas ?? 1,
    strategy,
    minReadySeconds: spec.minReadySeconds ?? 0,
    revisionHistoryLimit: spec.revisionHistoryLimit ?? 10,
    progressDeadlineSeconds: spec.progressDeadlineSeconds ?? 600,
    paused: spec.paused ?? false,
    template: spec.template ?? {},
  };
}

/**
 * intstr.GetScaledValueFromIntOrPercent: an int as it is; "N%" of `total`, rounded up or down. Anything else (a
 * string without %, or not a whole number before it) throws, as upstream returns an error.
 */
export function scaledValue(value: IntOrPercent | undefined, total: number, roundUp: boolean): number {
  if (value === undefined) throw new Error('nil value for IntOrString');
  if (typeof value === 'number') return value;
  if (!value.endsWith('%'))
    throw new Error('invalid value for IntOrString: invalid type: string is not a percentage');
  const digits = value.slice(0, -1);
  if (!/^[+-]?\d+$/.test(digits)) throw new Error(`invalid value for IntOrString: invalid value "${value}"`);
  const scaled = (Number(digits) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

/**
 * ResolveFenceposts: maxSurge rounded up, maxUnavailable rounded down (an absent one counts as 0); when both come
 * to 0 (validation forbids setting both to 0, but rounding down can get there), maxUnavailable is 1.
 */
export function resolveFenceposts(
  maxSurge: IntOrPercent | undefined,
  maxUnavailable: IntOrPercent | undefined,
  desired: number,
): { surge: number; unavailable: number } {
  const surge = scaledValue(maxSurge ?? 0, desired, true);
  const unavailable = scaledValue(maxUnavailable ?? 0, desired, false);
  return { surge, unavailable: surge === 0 && unavailable === 0 ? 1 : unavailable };
}

const isRollingUpdate = (spec: Pick<DeploymentSpec, 'strategy'>) => spec.strategy?.type === 'RollingUpdate';

/** ResolveFenceposts of a RollingUpdate Deployment, (0, 0) when the values cannot be read, as upstream ignores the error. */
function fenceposts(spec: Pick<DefaultedSpec, 'replicas' | 'strategy'>): {
  surge: number;
  unavailable: number;
} {
  const { maxSurge, maxUnavailable } = spec.strategy.rollingUpdate ?? {};
  try {
    return resolveFenceposts(maxSurge, maxUnavailable, spec.replicas);
  } catch {
    return { surge: 0, unavailable: 0 };
  }
}

/** MaxSurge: 0 unless RollingUpdate. */
export function maxSurge(spec: Pick<DefaultedSpec, 'replicas' | 'strategy'>): number {
  return isRollingUpdate(spec) ? fenceposts(spec).surge : 0;
}

/** MaxUnavailable: 0 unless RollingUpdate with replicas; never more than the replicas. */
export function maxUnavailable(spec: Pick<DefaultedSpec, 'replicas' | 'strategy'>): number {
  if (!isRollingUpdate(spec) || spec.replicas === 0) return 0;
  return Math.min(fenceposts(spec).unavailable, spec.replicas);
}

/**
 * controller.ComputeHash: FNV-32a of the pod template, then of the collision count (uint32 little-endian in 8
 * bytes) when there is one, the decimal sum rendered by rand.SafeEncodeString. Upstream hashes the template as
 * hashutil.DeepHashObject prints the Go struct (spew, every field of the defaulted PodTemplateSpec); the simulation
 * hashes the template's JSON with sorted keys instead, so the names differ from a real cluster's for the same
 * template while keeping their form (up to 10 characters of "bcdfghjklmnpqrstvwxz2456789", in practice of
 * "4-9bcdf", one per decimal digit).
 */
export function computeHash(template: PodTemplate, collisionCount?: number): string {
  const bytes = [...new TextEncoder().encode(canonicalJson(template))];
  if (collisionCount !== undefined) {
    const n = collisionCount >>> 0;
    bytes.push(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff, 0, 0, 0, 0);
  }
  return safeEncodeString(String(fnv32a(bytes)));
}

/** FNV-1 (multiply, then xor), 32 bits: hash/fnv New32, which history.HashControllerRevision uses. */
export function fnv32(bytes: Iterable<number>): number {
  let hash = 0x811c9dc5;
  for (const byte of bytes) hash = (Math.imul(hash, 0x01000193) ^ byte) >>> 0;
  return hash;
}

/** hash/fnv New32a over `bytes`. */
export function fnv32a(bytes: Iterable<number>): number {
  let hash = 0x811c9dc5;
  for (const byte of bytes) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash;
}

/** rand's alphabet: no vowels (no words), no 0/1/3 (no confusion with letters). */
export const safeAlphabet = 'bcdfghjklmnpqrstvwxz2456789';

/** rand.SafeEncodeString: each character mapped to the alphabet by its code modulo 27. */
export function safeEncodeString(s: string): string {
  return [...s].map((c) => safeAlphabet[(c.codePointAt(0) ?? 0) % safeAlphabet.length]).join('');
}

/** JSON with object keys sorted at every level: the same template always gives the same text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(byKey))
      : v,
  );
}

/**
 * EqualIgnoreHash: two pod templates are the same but for the pod-template-hash label (semantic equality, where an
 * empty label map equals none).
 */
export function equalIgnoreHash(a: PodTemplate | undefined, b: PodTemplate | undefined): boolean {
  const strip = (t: PodTemplate | undefined) => {
    const { [podTemplateHashLabel]: _hash, ...labels } = t?.metadata?.labels ?? {};
    const { labels: _labels, ...metadata } = t?.metadata ?? {};
    const meta = Object.keys(labels).length > 0 ? { ...metadata, labels } : metadata;
    return canonicalJson({ ...t, metadata: Object.keys(meta).length > 0 ? meta : undefined });
  };
  return strip(a) === strip(b);
}

// --- ReplicaSet counts and orderings -------------------------------------------------------------------------

/** A ReplicaSet's spec.replicas (the API server defaults it to 1). */
export const specReplicas = (rs: ReplicaSet | undefined): number => rs?.spec?.replicas ?? 1;

const sum = (rss: Array<ReplicaSet | undefined>, of: (rs: ReplicaSet) => number) =>
  rss.reduce((total, rs) => total + (rs ? of(rs) : 0), 0);

/** GetReplicaCountForReplicaSets: the sum of spec.replicas. */
export const replicaCount = (rss: Array<ReplicaSet | undefined>) => sum(rss, (rs) => specReplicas(rs));
/** GetActualReplicaCountForReplicaSets: the sum of status.replicas. */
export const actualReplicaCount = (rss: Array<ReplicaSet | undefined>) =>
  sum(rss, (rs) => rs.status?.replicas ?? 0);
/** GetReadyReplicaCountForReplicaSets. */
export const readyReplicaCount = (rss: Array<ReplicaSet | undefined>) =>
  sum(rss, (rs) => rs.status?.readyReplicas ?? 0);
/** GetAvailableReplicaCountForReplicaSets. */
export const availableReplicaCount = (rss: Array<ReplicaSet | undefined>) =>
  sum(rss, (rs) => rs.status?.availableReplicas ?? 0);

/** controller.FilterActiveReplicaSets: those with spec.replicas above 0. */
export const activeReplicaSets = (rss: Array<ReplicaSet | undefined>): ReplicaSet[] =>
  rss.filter((rs): rs is ReplicaSet => rs !== undefined && specReplicas(rs) > 0);

const createdAt = (o: KubeObject) => Date.parse(o.metadata?.creationTimestamp ?? '') || 0;

/** controller.ReplicaSetsByCreationTimestamp: older first, then by name. */
export function byCreationTimestamp(a: ReplicaSet, b: ReplicaSet): number {
  const diff = createdAt(a) - createdAt(b);
  if (diff !== 0) return diff;
  return compareStrings(a.metadata?.name ?? '', b.metadata?.name ?? '');
}

/** controller.ReplicaSetsBySizeNewer: larger first; of the same size, newer first. */
export const bySizeNewer = (a: ReplicaSet, b: ReplicaSet) =>
  specReplicas(b) - specReplicas(a) || byCreationTimestamp(b, a);

/** controller.ReplicaSetsBySizeOlder: larger first; of the same size, older first. */
export const bySizeOlder = (a: ReplicaSet, b: ReplicaSet) =>
  specReplicas(b) - specReplicas(a) || byCreationTimestamp(a, b);

/**
 * Revision: the revision annotation as a number (0 when absent or not a number). `key` is the annotation: the
 * Deployment's unless given (Argo Rollouts reads its own the same way, utils/replicaset/replicaset.go Revision).
 */
export function revisionOf(rs: ReplicaSet, key = revisionAnnotation): number {
  const text = rs.metadata?.annotations?.[key] ?? '';
  return /^\d+$/.test(text) ? Number(text) : 0;
}

/** ReplicaSetsByRevision: lower revision first, then older first. */
export const byRevision = (a: ReplicaSet, b: ReplicaSet) =>
  revisionOf(a) - revisionOf(b) || byCreationTimestamp(a, b);

/**
 * The old ReplicaSets a revision history limit deletes, as the Deployment controller (sync.go cleanupDeployment,
 * `order` byRevision) and Argo Rollouts (rollout/sync.go@v1.8.3 reconcileRevisionHistoryLimit, `order`
 * byCreationTimestamp) pick them: of those not being deleted, the first (count - limit) in `order`; one of them that
 * still wants or has pods, or whose latest spec the ReplicaSet controller has not yet observed, is skipped (kept, and
 * not replaced by a later one).
 */
export function beyondRevisionHistory(
  oldRSs: ReplicaSet[],
  limit: number,
  order: (a: ReplicaSet, b: ReplicaSet) => number,
): ReplicaSet[] {
  const alive = oldRSs.filter((rs) => !rs.metadata?.deletionTimestamp);
  const excess = alive.length - limit;
  if (excess <= 0) return [];
  return [...alive]
    .sort(order)
    .slice(0, excess)
    .filter(
      (rs) =>
        (rs.status?.replicas ?? 0) === 0 &&
        specReplicas(rs) === 0 &&
        (rs.metadata?.generation ?? 0) <= (rs.status?.observedGeneration ?? 0),
    );
}

/** MaxRevision (of `key`, revisionOf's). */
export const maxRevision = (rss: ReplicaSet[], key = revisionAnnotation) =>
  Math.max(0, ...rss.map((rs) => revisionOf(rs, key)));

// --- new and old ReplicaSets ---------------------------------------------------------------------------------

/** FindNewReplicaSet: the oldest ReplicaSet whose template is the Deployment's (but for the hash label). */
export function findNewReplicaSet(template: PodTemplate, rsList: ReplicaSet[]): ReplicaSet | undefined {
  return [...rsList].sort(byCreationTimestamp).find((rs) => equalIgnoreHash(rs.spec?.template, template));
}

/** FindOldReplicaSets (its second result): every ReplicaSet but the new one. */
export function findOldReplicaSets(template: PodTemplate, rsList: ReplicaSet[]): ReplicaSet[] {
  const newRS = findNewReplicaSet(template, rsList);
  return rsList.filter((rs) => rs.metadata?.uid !== newRS?.metadata?.uid);
}

/**
 * FindActiveOrLatest: the one active ReplicaSet; with none active, the new one or else the newest old one; with
 * several active, none.
 */
export function findActiveOrLatest(
  newRS: ReplicaSet | undefined,
  oldRSs: ReplicaSet[],
): ReplicaSet | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const newestFirst = [...oldRSs].sort((a, b) => byCreationTimestamp(b, a));
  const active = activeReplicaSets([...newestFirst, newRS]);
  if (active.length === 0) return newRS ?? newestFirst[0];
  return active.length === 1 ? active[0] : undefined;
}

/** IsSaturated: the ReplicaSet runs, wants and has available all the Deployment's replicas. */
export function isSaturated(spec: Pick<DefaultedSpec, 'replicas'>, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const desired = Number.parseInt(rs.metadata?.annotations?.[desiredReplicasAnnotation] ?? '', 10);
  return (
    specReplicas(rs) === spec.replicas &&
    desired === spec.replicas &&
    (rs.status?.availableReplicas ?? 0) === spec.replicas
  );
}

/**
 * NewRSNewReplicas: how many replicas the new ReplicaSet may have now. RollingUpdate: up to replicas + maxSurge pods
 * in all, never more than the Deployment's replicas; Recreate: all of them.
 */
export function newRSNewReplicas(spec: DefaultedSpec, allRSs: ReplicaSet[], newRS: ReplicaSet): number {
  if (spec.strategy.type === 'Recreate') return spec.replicas;
  const surge = scaledValue(spec.strategy.rollingUpdate?.maxSurge, spec.replicas, true);
  const current = replicaCount(allRSs);
  const maxTotal = spec.replicas + surge;
  if (current >= maxTotal) return specReplicas(newRS);
  return specReplicas(newRS) + Math.min(maxTotal - current, spec.replicas - specReplicas(newRS));
}

// --- annotations ---------------------------------------------------------------------------------------------

const annotationsToSkip = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  revisionAnnotation,
  revisionHistoryAnnotation,
  desiredReplicasAnnotation,
  maxReplicasAnnotation,
  'deprecated.deployment.rollback.to',
]);

const annotationsOf = (o: KubeObject): Record<string, string> => {
  o.metadata ??= {};
  o.metadata.annotations ??= {};
  return o.metadata.annotations;
};

/**
 * copyDeploymentAnnotationsToReplicaSet (and Argo Rollouts' copyRolloutAnnotationsToReplicaSet, with its own `skip`):
 * the owner's annotations but those skipped; true when something changed.
 */
export function copyAnnotations(
  source: Record<string, string> | undefined,
  target: Record<string, string>,
  skip: Set<string>,
): boolean {
  let changed = false;
  for (const [key, value] of Object.entries(source ?? {})) {
    if (skip.has(key) || target[key] === value) continue;
    target[key] = value;
    changed = true;
  }
  return changed;
}

/** SetReplicasAnnotations: desired-replicas and max-replicas; true when either changed. */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  const annotations = annotationsOf(rs);
  const changed =
    annotations[desiredReplicasAnnotation] !== String(desired) ||
    annotations[maxReplicasAnnotation] !== String(max);
  annotations[desiredReplicasAnnotation] = String(desired);
  annotations[maxReplicasAnnotation] = String(max);
  return changed;
}

/** maxRevHistoryLengthInChars (sync.go). */
const maxRevisionHistoryChars = 2000;

/**
 * SetNewReplicaSetAnnotations: the Deployment's annotations, the revision when it is higher (keeping the one it
 * replaces in revision-history, within 2000 characters), and for a ReplicaSet about to be created the replicas
 * annotations. True when something changed.
 */
export function setNewReplicaSetAnnotations(
  d: Deployment,
  spec: DefaultedSpec,
  rs: ReplicaSet,
  newRevision: number,
  exists: boolean,
): boolean {
  let changed = copyAnnotations(d.metadata?.annotations, annotationsOf(rs), annotationsToSkip);
  const annotations = annotationsOf(rs);
  const old = annotations[revisionAnnotation];
  if (old !== undefined && !/^\d+$/.test(old)) return changed;
  const oldRevision = old === undefined ? 0 : Number(old);
  if (oldRevision < newRevision) {
    annotations[revisionAnnotation] = String(newRevision);
    changed = true;
    if (old !== undefined) appendRevisionHistory(annotations, old);
  }
  if (!exists && setReplicasAnnotations(rs, spec.replicas, spec.replicas + maxSurge(spec))) changed = true;
  return changed;
}

/**
 * The revision a ReplicaSet served before, appended to its revision-history annotation (`key`, comma-separated),
 * the oldest dropped to keep it within `maxChars` (the Deployment's 2000; Argo Rollouts has no limit).
 */
export function appendRevisionHistory(
  annotations: Record<string, string>,
  old: string,
  key = revisionHistoryAnnotation,
  maxChars = maxRevisionHistoryChars,
): void {
  const history = annotations[key] ?? '';
  if (history === '') {
    annotations[key] = old;
    return;
  }
  const revisions = history.split(',');
  let length = history.length + old.length + 1;
  let start = 0;
  while (length > maxChars && start < revisions.length) length -= (revisions[start++]?.length ?? 0) + 1;
  if (length <= maxChars) annotations[key] = [...revisions.slice(start), old].join(',');
}

// --- proportional scaling ------------------------------------------------------------------------------------

/** integer.RoundToInt32: Go's math.Round, half away from zero. */
const roundHalfAwayFromZero = (x: number) => Math.sign(x) * Math.round(Math.abs(x));

/**
 * getReplicaSetFraction: the share of a scale change a ReplicaSet takes, by its size against the Deployment's
 * size when it was last scaled (max-replicas annotation; without a usable one, status.replicas, and 0 when that is
 * 0 too). Scaling to 0 takes the whole ReplicaSet.
 */
export function replicaSetFraction(
  rs: ReplicaSet,
  spec: Pick<DefaultedSpec, 'replicas' | 'strategy'>,
  statusReplicas: number,
): number {
  if (spec.replicas === 0) return -specReplicas(rs);
  const maxNow = spec.replicas + maxSurge(spec);
  const annotated = Number.parseInt(rs.metadata?.annotations?.[maxReplicasAnnotation] ?? '', 10);
  const before = Number.isFinite(annotated) && annotated > 0 ? annotated : statusReplicas;
  if (before === 0) return 0;
  return roundHalfAwayFromZero((specReplicas(rs) * maxNow) / before) - specReplicas(rs);
}

/** GetProportion: the fraction, bounded by what is left to add (or remove). */
export function proportion(
  rs: ReplicaSet | undefined,
  spec: Pick<DefaultedSpec, 'replicas' | 'strategy'>,
  statusReplicas: number,
  toAdd: number,
  added: number,
): number {
  if (!rs || specReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, spec, statusReplicas);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

// --- conditions and progress ---------------------------------------------------------------------------------

/** NewDeploymentCondition: both times now (metav1.Time, whole seconds). */
export function newCondition(
  type: string,
  status: DeploymentCondition['status'],
  reason: string,
  message: string,
  now: string,
): DeploymentCondition {
  return { type, status, lastUpdateTime: now, lastTransitionTime: now, reason, message };
}

/** A status with conditions: a Deployment's, or an Argo Rollout's (the same SetCondition rules). */
type WithConditions = Pick<DeploymentStatus, 'conditions'>;

export const getCondition = (status: WithConditions, type: string) =>
  status.conditions?.find((c) => c.type === type);

/**
 * SetDeploymentCondition: nothing changes when a condition of that type has the same status and reason; otherwise
 * it replaces it at the end of the list, keeping lastTransitionTime while the status holds.
 */
export function setCondition(status: WithConditions, condition: DeploymentCondition): void {
  const current = getCondition(status, condition.type);
  if (current && current.status === condition.status && current.reason === condition.reason) return;
  const next =
    current && current.status === condition.status
      ? { ...condition, lastTransitionTime: current.lastTransitionTime }
      : condition;
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== condition.type), next];
}

export function removeCondition(status: WithConditions, type: string): void {
  const kept = (status.conditions ?? []).filter((c) => c.type !== type);
  if (kept.length > 0) status.conditions = kept;
  else delete status.conditions;
}

/**
 * getReplicaFailures (pkg/controller/deployment/progress.go; Argo Rollouts v1.8.3 rollout/sync.go has the same): the
 * new ReplicaSet's ReplicaFailure condition, else the first of the others', as a Deployment (or Rollout) condition
 * (util.ReplicaSetToDeploymentCondition, conditions.go ReplicaSetToRolloutCondition: lastUpdateTime is the
 * ReplicaSet condition's lastTransitionTime).
 */
export function replicaFailure(
  newRS: ReplicaSet | undefined,
  allRSs: Array<ReplicaSet | undefined>,
): DeploymentCondition | undefined {
  const failureOf = (rs: ReplicaSet | undefined) =>
    rs?.status?.conditions?.find((c) => c.type === 'ReplicaFailure');
  const found = failureOf(newRS) ?? allRSs.map(failureOf).find((c) => c);
  if (!found) return undefined;
  const time = found.lastTransitionTime ?? '';
  return {
    type: 'ReplicaFailure',
    status: found.status,
    lastUpdateTime: time,
    lastTransitionTime: time,
    reason: found.reason ?? '',
    message: found.message ?? '',
  };
}

export const hasProgressDeadline = (spec: DefaultedSpec) => spec.progressDeadlineSeconds !== maxInt32;

/** DeploymentComplete: every replica updated and available, and the latest generation observed. */
export function deploymentComplete(
  spec: Pick<DefaultedSpec, 'replicas'>,
  generation: number,
  status: DeploymentStatus,
): boolean {
  return (
    (status.updatedReplicas ?? 0) === spec.replicas &&
    (status.replicas ?? 0) === spec.replicas &&
    (status.availableReplicas ?? 0) === spec.replicas &&
    (status.observedGeneration ?? 0) >= generation
  );
}

/** DeploymentProgressing: more updated, fewer old, more ready or more available replicas than before. */
export function deploymentProgressing(old: DeploymentStatus, next: DeploymentStatus): boolean {
  const n = (v: number | undefined) => v ?? 0;
  const oldOld = n(old.replicas) - n(old.updatedReplicas);
  const newOld = n(next.replicas) - n(next.updatedReplicas);
  return (
    n(next.updatedReplicas) > n(old.updatedReplicas) ||
    newOld < oldOld ||
    n(next.readyReplicas) > n(old.readyReplicas) ||
    n(next.availableReplicas) > n(old.availableReplicas)
  );
}

/**
 * DeploymentTimedOut: the Progressing condition's lastUpdateTime (whole seconds) plus progressDeadlineSeconds is
 * before now; never after NewReplicaSetAvailable, always once ProgressDeadlineExceeded.
 */
export function deploymentTimedOut(spec: DefaultedSpec, status: DeploymentStatus, now: number): boolean {
  if (!hasProgressDeadline(spec)) return false;
  const condition = getCondition(status, 'Progressing');
  if (!condition || condition.reason === 'NewReplicaSetAvailable') return false;
  if (condition.reason === 'ProgressDeadlineExceeded') return true;
  return Date.parse(condition.lastUpdateTime) + spec.progressDeadlineSeconds * 1000 < now;
}
