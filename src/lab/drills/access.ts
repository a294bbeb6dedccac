/**
 * What the drill engine needs from the outside world, as small interfaces. The CLI wires real implementations
 * (the lab's kube layer, a clone of the lab's Git repository, Prometheus, the eval runner); tests wire fakes.
 */
import type { KubeObject } from '../kube/types.js';
import type { ObjectRef } from './schema.js';

/** The one shape of a Kubernetes object in the lab: src/lab/kube/types.ts. */
export type { KubeObject } from '../kube/types.js';

/** Lets a caller give up on a write: the drill's per-action time limit or an interrupt. */
export interface CallOptions {
  signal?: AbortSignal;
  /**
   * An interrupt (Ctrl-C): stops the steps that change nothing outside (a clone, a commit not pushed yet), but a
   * push already under way is let finish, so the caller knows whether it landed. `signal` still stops it.
   */
  interrupt?: AbortSignal;
  /** Told when a process that changes the outside world starts (its pid) and ends (undefined). */
  onInFlight?: (process: { pid: number; command: string } | undefined) => void;
}

/** Thrown by `create` when the object already exists (HTTP 409). */
export class KubeConflictError extends Error {}

/**
 * The drill's view of the cluster. `options.signal` cancels the request under way (the drill's time limit, a
 * probe's timeout, an interrupt), so a request the drill gave up on does not stay open.
 */
export interface KubeAccess {
  /** The object, or undefined when it does not exist. */
  get(ref: ObjectRef, options?: CallOptions): Promise<KubeObject | undefined>;
  list(
    apiVersion: string,
    kind: string,
    namespace?: string,
    labelSelector?: string,
    options?: CallOptions,
  ): Promise<KubeObject[]>;
  /** Creates an object; throws KubeConflictError when it exists already. */
  create(object: KubeObject, options?: CallOptions): Promise<KubeObject>;
  patch(ref: ObjectRef, patch: unknown, type: 'merge' | 'json', options?: CallOptions): Promise<KubeObject>;
  /** True when deleted, false when it did not exist. */
  delete(ref: ObjectRef, options?: CallOptions): Promise<boolean>;
  /**
   * Optional: follows one object by watch, calling `onObject` with its state when the watch starts and after every
   * change (undefined once deleted), in the API server's order, until `signal` aborts. Resolves then; resolves with
   * an `error` when the watch broke and could not resume, so the caller knows it may have missed changes.
   */
  watchObject?(
    ref: ObjectRef & { name: string },
    onObject: (object: KubeObject | undefined) => void,
    options: { signal: AbortSignal },
  ): Promise<{ error?: unknown }>;
}

/** One edit of a file in the lab's Git repository. */
export interface RepoEdit {
  file: string;
  set?: Record<string, unknown>;
  delete?: string[];
  document?: { kind?: string; name?: string };
}

export interface RepoChangeResult {
  /** The new commit, or undefined when the edits changed nothing (already in that state). */
  commit?: string;
  files: string[];
}

/** The lab's GitOps repository: edits become commits pushed to the branch Argo CD follows. */
export interface LabRepo {
  /** Where it lives (a URL or a path), for messages. */
  readonly location: string;
  /** `signal` stops the Git commands under way (clone, commit, push). */
  change(edits: RepoEdit[], message: string, options?: CallOptions): Promise<RepoChangeResult>;
  /** Reverts (newest first) the commits whose subject contains `match` and that are not reverted yet. */
  revert(match: string, options?: CallOptions): Promise<{ reverted: string[] }>;
  /** The commits on the remote now whose subject is one of `subjects` and that are not reverted, newest first. */
  unreverted?(subjects: string[], options?: CallOptions): Promise<DrillCommit[]>;
  /** Reverts (newest first) the commits whose subject is one of `subjects` and that are not reverted yet. */
  revertSubjects?(subjects: string[], options?: CallOptions): Promise<{ reverted: string[] }>;
  /** The sha of the newest commit on the remote's default branch (what Argo CD resolves `HEAD` to). */
  newest?(options?: CallOptions): Promise<string>;
}

export interface DrillCommit {
  sha: string;
  subject: string;
}

export interface PrometheusQuery {
  /** The value of an instant query (first sample of a vector, or a scalar); undefined when it returns nothing. */
  query(url: string, promql: string, signal?: AbortSignal): Promise<number | undefined>;
}

export interface EvalOutcome {
  passed: boolean;
  passRate: number;
  summary: string;
}

export interface EvalProbeRunner {
  run(options: { target: string; cases?: string; signal?: AbortSignal }): Promise<EvalOutcome>;
}

/** Everything a drill run touches. Only `kube` is always needed; the rest when a drill uses it. */
export interface DrillEnvironment {
  kube: KubeAccess;
  repo?: LabRepo;
  prometheus?: PrometheusQuery;
  /** The Prometheus a probe without `url` queries. */
  prometheusUrl?: string;
  evals?: EvalProbeRunner;
  fetch?: typeof fetch;
}
