/**
 * The pure parts of the Kubernetes v1.33 Job controller (pkg/controller/job), for job.ts:
 * - completion indexes (indexed_job_utils.go): the index a pod carries in its `batch.kubernetes.io/job-completion-index`
 *   annotation (getCompletionIndex: a non-negative integer, else none), the succeeded indexes as ordered intervals
 *   written to status.completedIndexes as "0-2,4,6,7" (orderedIntervals.String: a run of two is "6,7", of three or
 *   more "a-b"; succeededIndexesFromString drops what is at or past `completions`), the first pending indexes to
 *   create (firstPendingIndexes: below `completions`, neither succeeded nor held by an active pod), and the
 *   generateName `<job>-<index>-` (podGenerateNameWithIndex, the job name cut so the prefix fits 58 characters);
 * - the pod failure back-off (backoff_utils.go): failures since the last success and the time of the last one
 *   (newBackoffRecord, getFinishedTime), and the wait before the next pod (getRemainingTimeForFailuresCount: 10 s
 *   doubling per failure, capped at MaxJobPodFailureBackOff, less the time since the last failure). The cap is 10
 *   minutes in job_controller.go (`MaxJobPodFailureBackOff = 10 * time.Minute`, in every copy read), where the
 *   Kubernetes documentation says six minutes; the code is followed;
 * - the job conditions (job_controller.go newCondition, ensureJobConditionStatus): both times set when a
 *   condition is written or changes, a False condition never appended.
 * Sources: kubernetes/kubernetes copies of the v1.3x development line (the tool that served them names no tag);
 * indexed_job_utils.go read at 03709128, backoff_utils.go at 21da0b6d.
 */
import type { KubeObject } from './store.js';
import { controllerOf } from './workqueue.js';

/** A pod's controller is a batch/v1 Job. */
export const isJobPod = (pod: KubeObject) => {
  const ref = controllerOf(pod);
  return ref?.kind === 'Job' && ref.apiVersion === 'batch/v1';
};

export const completionIndexKey = 'batch.kubernetes.io/job-completion-index';
/** DefaultJobPodFailureBackOff and MaxJobPodFailureBackOff (job_controller.go). */
export const defaultPodFailureBackOffMs = 10_000;
export const maxPodFailureBackOffMs = 10 * 60_000;
/** names.MaxGeneratedNameLength: a generateName is cut to this before its 5 random characters. */
const MAX_GENERATED_NAME_LENGTH = 58;

export interface JobCondition {
  type: string;
  status: string;
  lastProbeTime: string;
  lastTransitionTime: string;
  reason?: string;
  message?: string;
}

/** newCondition: reason and message left out when empty (omitempty). */
export function newCondition(
  type: string,
  status: string,
  reason: string,
  message: string,
  at: string,
): JobCondition {
  return {
    type,
    status,
    lastProbeTime: at,
    lastTransitionTime: at,
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
  };
}

/**
 * The terminal condition `type` (Failed, Complete) an interim one (FailureTarget, SuccessCriteriaMet) leads to, with
 * its reason and message (newFailedConditionForFailureTarget, and the Complete of trackJobStatusAndRemoveFinalizers).
 */
export const terminalCondition = (type: string, interim: JobCondition, at: string): JobCondition =>
  newCondition(type, 'True', interim.reason ?? '', interim.message ?? '', at);

/**
 * ensureJobConditionStatus: the condition of `type` replaced (both times now) when its status, reason or message
 * differ; appended when missing, unless it is False. Returns the list and whether it changed.
 */
export function ensureCondition(
  list: JobCondition[],
  next: Omit<JobCondition, 'lastProbeTime' | 'lastTransitionTime'>,
  at: string,
): { conditions: JobCondition[]; changed: boolean } {
  const made = newCondition(next.type, next.status, next.reason ?? '', next.message ?? '', at);
  const old = list.find((c) => c.type === next.type);
  if (old) {
    const same =
      old.status === next.status &&
      (old.reason ?? '') === (next.reason ?? '') &&
      (old.message ?? '') === (next.message ?? '');
    if (same) return { conditions: list, changed: false };
    return { conditions: list.map((c) => (c === old ? made : c)), changed: true };
  }
  if (next.status === 'False') return { conditions: list, changed: false };
  return { conditions: [...list, made], changed: true };
}

/** getCompletionIndex: the pod's completion index, or -1 (unknownCompletionIndex). */
export function completionIndex(pod: KubeObject): number {
  const text = pod.metadata?.annotations?.[completionIndexKey];
  if (text === undefined || !/^[+-]?\d+$/.test(text)) return -1;
  const index = Number(text);
  return index < 0 ? -1 : index;
}

/** succeededIndexesFromString: the indexes of status.completedIndexes below `completions`, sorted. */
export function parseIndexes(text: string | undefined, completions: number): number[] {
  const out: number[] = [];
  for (const part of (text ?? '').split(',').filter(Boolean)) {
    const [first, last] = part.split('-').map((n) => (/^[+-]?\d+$/.test(n) ? Number(n) : Number.NaN));
    if (first === undefined || Number.isNaN(first)) continue;
    if (first >= completions) break;
    const end = last === undefined ? first : Math.min(last, completions - 1);
    if (Number.isNaN(end)) continue;
    for (let i = first; i <= end; i++) out.push(i);
  }
  return [...new Set(out)].sort((a, b) => a - b);
}

/** orderedIntervals.String of sorted, distinct indexes. */
export function formatIndexes(indexes: number[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < indexes.length) {
    const first = indexes[i] as number;
    let last = first;
    while (indexes[i + 1] === last + 1) last = indexes[++i] as number;
    parts.push(last === first ? `${first}` : last === first + 1 ? `${first},${last}` : `${first}-${last}`);
    i++;
  }
  return parts.join(',');
}

/** firstPendingIndexes: the first `count` indexes below `completions` not succeeded and not held by an active pod. */
export function firstPendingIndexes(
  active: KubeObject[],
  succeeded: number[],
  count: number,
  completions: number,
): number[] {
  const taken = new Set([...succeeded, ...active.map(completionIndex).filter((ix) => ix >= 0)]);
  const out: number[] = [];
  for (let ix = 0; ix < completions && out.length < count; ix++) if (!taken.has(ix)) out.push(ix);
  return out;
}

/** podGenerateNameWithIndex. */
export function generateNameWithIndex(job: string, index: number): string {
  const suffix = `-${index}-`;
  const prefix = `${job}${suffix}`;
  return prefix.length > MAX_GENERATED_NAME_LENGTH
    ? `${prefix.slice(0, MAX_GENERATED_NAME_LENGTH - suffix.length)}${suffix}`
    : prefix;
}

/** The back-off of a Job's pod creations (backoffRecord): failures since the last success, and when the last was. */
export interface BackoffRecord {
  failuresAfterLastSuccess: number;
  lastFailureTime?: number;
}

interface PodTimes {
  phase?: string;
  conditions?: Array<{ type: string; status: string; lastTransitionTime?: string }>;
  containerStatuses?: Array<{ state?: { terminated?: { finishedAt?: string } } }>;
}

/**
 * getFinishedTime: the latest container finish when every container has finished, else when Ready turned False,
 * else the deletion time less the grace period, else the pod's creation.
 */
export function finishedTime(pod: KubeObject): number {
  const status = (pod.status ?? {}) as PodTimes;
  const finishes = (status.containerStatuses ?? []).map((c) =>
    Date.parse(c.state?.terminated?.finishedAt ?? ''),
  );
  if (finishes.length > 0 && finishes.every(Number.isFinite)) return Math.max(...finishes);
  const ready = status.conditions?.find((c) => c.type === 'Ready');
  const readySince = Date.parse(ready?.lastTransitionTime ?? '');
  if (ready?.status === 'False' && Number.isFinite(readySince)) return readySince;
  const deletion = Date.parse(pod.metadata?.deletionTimestamp ?? '');
  const grace = Number(pod.metadata?.deletionGracePeriodSeconds ?? 0);
  if (Number.isFinite(deletion)) return deletion - grace * 1000;
  return Date.parse(pod.metadata?.creationTimestamp ?? '');
}

/** newBackoffRecord: the record after the pods that newly succeeded or failed. */
export function nextBackoffRecord(
  old: BackoffRecord | undefined,
  succeeded: KubeObject[],
  failed: KubeObject[],
): BackoffRecord {
  const record: BackoffRecord = { failuresAfterLastSuccess: 0, ...old };
  const failures = failed.map(finishedTime).sort((a, b) => a - b);
  if (succeeded.length === 0) {
    if (failures.length === 0) return record;
    return {
      failuresAfterLastSuccess: record.failuresAfterLastSuccess + failures.length,
      lastFailureTime: failures[failures.length - 1],
    };
  }
  const lastSuccess = Math.max(...succeeded.map(finishedTime));
  const after = failures.filter((t) => t > lastSuccess);
  return after.length === 0
    ? { failuresAfterLastSuccess: 0 }
    : { failuresAfterLastSuccess: after.length, lastFailureTime: after[after.length - 1] };
}

/** getRemainingTimeForFailuresCount: how long the next pod creation still waits, in ms. */
export function remainingBackoffMs(record: BackoffRecord, now: number): number {
  const { failuresAfterLastSuccess: failures, lastFailureTime } = record;
  if (failures === 0 || lastFailureTime === undefined) return 0;
  let backoff = defaultPodFailureBackOffMs;
  for (let i = 1; i < failures; i++) {
    backoff *= 2;
    if (backoff >= maxPodFailureBackOffMs) {
      backoff = maxPodFailureBackOffMs;
      break;
    }
  }
  const elapsed = now - lastFailureTime;
  return backoff < elapsed ? 0 : backoff - elapsed;
}
