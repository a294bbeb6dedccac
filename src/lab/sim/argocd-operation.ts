/**
 * The sync operations of Argo CD v3.1.12's application controller for one Application: the operation worker's part
 * (controller/appcontroller.go@v3.1.12 processRequestedAppOperation, setOperationState; controller/sync.go SyncAppState,
 * persistRevisionHistory). The model (argocd.ts) decides when an app is processed and hands it here; each call runs one
 * pass of gitops-engine's sync context (argocd-sync.ts) over what the comparison gives, applies and prunes through
 * the cluster, retries a failed operation with its retry strategy (argocd-retry.ts) and stores the operation's state.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Clock } from '../clock.js';
import type { SimCluster } from './api.js';
import { resourceHealth } from './argo-health.js';
import { applyDesired, type IgnoreRule, keyOf, pointerPaths } from './argocd-apply.js';
import { HOOK_FINALIZER } from './argocd-hooks.js';
import {
  approvedSince,
  isSelfReferenced,
  pruneDecision,
  prunePropagationPolicy,
  type ResourceResult,
  taskResult,
} from './argocd-prune.js';
import type { Managed } from './argocd-resources.js';
import { kitchen, nextRetryAt, type RetryStrategy } from './argocd-retry.js';
import {
  completed,
  type OperationPhase,
  type SyncHost,
  type SyncPassInput,
  syncPass,
  terminatePass,
} from './argocd-sync.js';
import type { DeleteOptions } from './delete-options.js';
import type { EventRecorder } from './events.js';
import type { Deletion } from './object-deletion.js';
import { groupVersionOf } from './resources.js';
import { type KubeObject, kubeTime } from './store.js';

/** A resource an operation names (SyncOperationResource). */
export interface SyncResource {
  group?: string;
  kind: string;
  name: string;
  namespace?: string;
}

/** SyncOperation (pkg/apis/application/v1alpha1/types.go@v3.1.12), the fields the sim reads. */
export interface SyncOperation {
  revision?: string;
  prune?: boolean;
  resources?: SyncResource[];
  syncOptions?: string[];
  autoHealAttemptsCount?: number;
  /** SyncStrategy: `apply` syncs without hooks (IsApplyStrategy), `hook` (the default) with them. */
  syncStrategy?: { apply?: unknown; hook?: unknown };
}

/** Operation: what the app is asked to do (app.operation), with its retry strategy. */
export interface Operation {
  sync?: SyncOperation;
  initiatedBy?: { automated?: boolean; username?: string };
  retry?: RetryStrategy;
}

/** OperationState: status.operationState. */
export interface OperationState {
  operation: Operation;
  phase: OperationPhase;
  message?: string;
  syncResult?: { resources?: ResourceResult[]; revision: string; source?: unknown };
  startedAt: string;
  finishedAt?: string;
  retryCount?: number;
}

export type Application = KubeObject & { operation?: Operation };

/** The parts of an Application's spec the model reads. */
export interface AppSpec {
  source?: unknown;
  ignoreDifferences?: IgnoreRule[];
  syncPolicy?: {
    automated?: { enabled?: boolean; selfHeal?: boolean; prune?: boolean; allowEmpty?: boolean };
    syncOptions?: string[];
    retry?: RetryStrategy;
  };
}

/** What the operation worker keeps per app: the last applied configurations, and the pass in progress. */
export interface OperationSlot {
  /** Each managed object as the last sync applied it (its kubectl.kubernetes.io/last-applied-configuration). */
  lastApplied: Map<string, KubeObject>;
  /** The operation worker is inside a sync pass of this app (applying, or waiting between waves). */
  busy?: boolean;
  /** The app was queued for its operation while the worker was busy with it. */
  again?: boolean;
  /** Timers of the pass in progress. */
  cancels: Set<() => void>;
}

/** What the operation worker needs of the model (argocd.ts). */
export interface OperationHost {
  readonly clock: Clock;
  readonly cluster: SimCluster;
  readonly events: EventRecorder;
  /** How long the first pass takes to apply (its dry run and first wave): an assumption, 2 s by default. */
  readonly syncMs: number;
  slot(name: string): OperationSlot;
  /** The application controller's pod runs (nothing is done while it does not). */
  controllerUp(): boolean;
  appObject(name: string): KubeObject | undefined;
  /** requestAppRefresh with a comparison level (2: CompareWithLatest, 3: forced) after `delayMs`. */
  request(name: string, level: 2 | 3, delayMs: number): void;
  /** appRefreshQueue.AddAfter. */
  enqueue(name: string, delayMs: number): void;
  /** The branch head, resolved anew (no revision cache). */
  resolveLatest(): { sha?: string; error?: string };
  headSha(): string;
  /** CompareAppState at `sha`: the desired hooks, the managed pairs and whether a pair differs. */
  compare(
    name: string,
    sha: string,
    live: KubeObject,
  ): { hooks: KubeObject[]; managed: Managed[]; differs: (m: Managed) => boolean };
  /** Runs `write` as the controller's own write (its watch does not react to it). */
  asController<T>(write: () => T): T;
  /** kubectl.DeleteResource of a live object; none when it was already gone. */
  deleteLive(o: KubeObject, policy: DeleteOptions['propagationPolicy']): Deletion | undefined;
}

/** controller/sync.go delayBetweenSyncWaves: 2 s after every wave but the last (ARGOCD_SYNC_WAVE_DELAY unset). */
const syncWaveDelayMs = 2000;

/** The operation worker of the simulated Argo CD. */
export class OperationWorker {
  constructor(private readonly host: OperationHost) {}

  /**
   * processRequestedAppOperation (controller/appcontroller.go@v3.1.12), run after every processing of the app (the
   * refresh queue hands each app to the operation queue) while the app has an `operation`, whoever set it (the
   * auto-sync, or a user: `kubectl patch application ... --type merge -p '{"operation": {"sync": {}}}'`). A new
   * operation starts (status.operationState Running, startedAt now); one in progress resumes; a failed one waiting
   * for its retry is retried once `retry.backoff` has passed (RetryStrategy.NextRetryAt), its earlier results
   * dropped. Each call runs one pass of the sync (syncAppState).
   */
  operate(name: string): void {
    const st = this.host.slot(name);
    if (!this.host.controllerUp()) return;
    const app = this.host.appObject(name) as Application | undefined;
    const operation = app?.operation;
    if (!app || !operation) return;
    if (st.busy) {
      st.again = true;
      return;
    }
    const current = (app.status as { operationState?: OperationState } | undefined)?.operationState;
    let state: OperationState;
    if (current && !completed(current.phase)) {
      state = structuredClone(current);
      if (state.finishedAt && state.phase !== 'Terminating') {
        const next = nextRetryAt(state.operation.retry, Date.parse(state.finishedAt), state.retryCount ?? 0);
        if ('error' in next) {
          state.phase = 'Failed';
          state.message = next.error;
          this.setOperationState(name, state);
          return;
        }
        const retryAfter = next.at - this.host.clock.now();
        if (retryAfter > 0) {
          this.host.request(name, 2, retryAfter);
          return;
        }
        delete state.finishedAt;
        this.setOperationState(name, state);
        delete state.syncResult;
      }
    } else {
      state = {
        phase: 'Running',
        operation: structuredClone(operation),
        startedAt: kubeTime(this.host.clock.now()),
      };
      this.setOperationState(name, state);
    }
    this.syncAppState(name, state, state.phase === 'Terminating');
  }
  /**
   * SyncAppState (controller/sync.go@v3.1.12): the operation's revision (the one its first pass resolved and kept in
   * syncResult.revision, else the requested one resolved now), the comparison at that revision, the resources the
   * sync covers (operation.sync.resources by kind, group, name and namespace; a live object whose tracking id names
   * another object is not the app's own), then one pass of the sync context (argocd-sync.ts). A pass that applies or
   * prunes lands its changes after the sync's `kubectl apply` time (syncMs); after a wave that is not the last,
   * Argo CD waits 2 s before it stores the pass (delayBetweenSyncWaves, ARGOCD_SYNC_WAVE_DELAY unset).
   */
  private syncAppState(name: string, state: OperationState, terminating = false): void {
    const st = this.host.slot(name);
    const sync = state.operation.sync;
    if (!sync) {
      state.phase = 'Failed';
      state.message = 'Invalid operation request: no operation specified';
      this.finishOperation(name, state);
      return;
    }
    const pass = (host: SyncHost | undefined) => {
      const live = this.host.appObject(name);
      if (!live) return undefined;
      const spec = live.spec as AppSpec;
      state.syncResult ??= { revision: '', ...(spec.source === undefined ? {} : { source: spec.source }) };
      // A commit SHA is synced as it is; anything else (HEAD, a branch, nothing) is the repository's head, resolved
      // anew (CompareAppState with noRevisionCache).
      let sha = state.syncResult.revision || sync.revision || '';
      if (sha !== this.host.headSha() && !/^[0-9a-f]{40}$/.test(sha)) {
        const resolved = this.host.resolveLatest();
        if (resolved.error || !resolved.sha)
          return { phase: 'Error' as const, message: resolved.error ?? '' };
        sha = resolved.sha;
      }
      state.syncResult.revision = sha;
      const comparisonError = (
        (live.status as { conditions?: Array<{ type?: string; message?: string }> } | undefined)
          ?.conditions ?? []
      ).find((c) => c.type === 'ComparisonError' || c.type === 'InvalidSpecError');
      if (comparisonError)
        return { phase: 'Error' as const, message: `${comparisonError.type}: ${comparisonError.message}` };
      const { hooks, managed, differs } = this.host.compare(name, sha, live);
      const options = sync.syncOptions ?? [];
      // controller/sync.go@v3.1.12 WithOperationSettings: hooks are skipped by the apply strategy and by a sync of
      // named resources (a self-heal's among them).
      const skipHooks = sync.syncStrategy?.apply !== undefined || (sync.resources?.length ?? 0) > 0;
      // WithResourcesFilter: argo.ContainsSyncResource (kind, group and name, and the namespace when given), and
      // isSelfReferencedObj for what is live only.
      const covered = managed.filter(({ target, live: liveObj }) => {
        const o = (target ?? liveObj) as KubeObject;
        if (!target && liveObj && !isSelfReferenced(liveObj)) return false;
        return (
          !sync.resources?.length ||
          sync.resources.some(
            (r) =>
              r.kind === o.kind &&
              (r.group ?? '') === groupVersionOf(o.apiVersion).group &&
              r.name === o.metadata?.name &&
              (!r.namespace || r.namespace === o.metadata?.namespace),
          )
        );
      });
      const destinationNamespace =
        (spec as { destination?: { namespace?: string } }).destination?.namespace ?? '';
      const input: SyncPassInput = {
        resources: covered,
        reconciled: managed,
        hooks: skipHooks ? [] : hooks,
        revision: sha,
        startedAtMs: Date.parse(state.startedAt),
        namespace: destinationNamespace,
        ...(options.includes('CreateNamespace=true')
          ? { createNamespace: { live: this.host.cluster.get('v1', 'Namespace', destinationNamespace) } }
          : {}),
        initial: { phase: state.phase, message: state.message ?? '' },
        results: state.syncResult.resources ?? [],
        pruneLast: options.includes('PruneLast=true'),
        pruneConfirmed: approvedSince(live, Date.parse(state.startedAt)),
        ...(options.includes('ApplyOutOfSyncOnly=true')
          ? {
              applyOutOfSyncOnly: {
                modified: (target: KubeObject, l: KubeObject) => differs({ target, live: l }),
              },
            }
          : {}),
      };
      return (terminating ? terminatePass : syncPass)(input, host ?? this.syncHost(st, sync, live, true));
    };
    const store = (result: ReturnType<typeof pass>) => {
      if (!result) return;
      state.phase = result.phase;
      state.message = result.message;
      if ('results' in result && state.syncResult) {
        if (result.results.length > 0) state.syncResult.resources = result.results;
        else delete state.syncResult.resources;
      }
    };
    // Terminate (controller/sync.go@v3.1.12 SyncAppState, sync_context.go Terminate): the running hooks are deleted
    // and the operation fails, not to be retried.
    if (terminating) {
      const live = this.host.appObject(name);
      store(live ? pass(this.syncHost(st, sync, live, false)) : undefined);
      this.finishOperation(name, state, true);
      return;
    }
    // The pass for real; after a wave that is not the last, the state is stored 2 s later.
    const run = () => {
      const live = this.host.appObject(name);
      const result = live ? pass(this.syncHost(st, sync, live, false)) : undefined;
      store(result);
      // SyncAppState: a sync of the whole app that succeeded is recorded in status.history.
      if (result?.phase === 'Succeeded' && !sync.resources?.length && state.syncResult)
        this.persistRevisionHistory(name, state);
      if (!(result && 'ran' in result && result.ran && !result.ran.final)) {
        this.finishOperation(name, state);
        this.idle(name);
        return;
      }
      st.busy = true;
      const cancelWave = this.host.clock.setTimer(syncWaveDelayMs, () => {
        st.cancels.delete(cancelWave);
        this.finishOperation(name, state);
        this.idle(name);
      });
      st.cancels.add(cancelWave);
    };
    // The first pass (sc.started() false: no results yet) dry-runs and then applies its first wave: its changes land
    // after the sync's apply time (syncMs, an assumption). A later wave's applies are a few quick API calls.
    const first = !state.syncResult?.resources?.length;
    const plan = first ? pass(undefined) : undefined;
    if (!plan || !('ran' in plan) || !plan.ran) {
      run();
      return;
    }
    st.busy = true;
    const cancelApply = this.host.clock.setTimer(this.host.syncMs ?? 2000, () => {
      st.cancels.delete(cancelApply);
      if (!this.host.controllerUp()) {
        this.idle(name);
        return;
      }
      run();
    });
    st.cancels.add(cancelApply);
  }
  /**
   * persistRevisionHistory (controller/state.go@v3.1.12): one entry per successful sync of the whole app (a partial
   * one, such as a self-heal's, is not recorded): its revision, deployedAt now, an id one above the last entry's (0
   * first), the source it synced, deployStartedAt (the operation's start) and who started it; the newest
   * spec.revisionHistoryLimit entries are kept (10 unless set: application_defaults.go).
   */
  private persistRevisionHistory(name: string, state: OperationState): void {
    this.host.asController(() =>
      this.host.cluster.update('argoproj.io/v1alpha1', 'Application', name, 'argocd', (o) => {
        const status = (o.status ?? {}) as { history?: Array<{ id?: number }> };
        const history = status.history ?? [];
        const limit = (o.spec as { revisionHistoryLimit?: number } | undefined)?.revisionHistoryLimit ?? 10;
        const entry = {
          revision: state.syncResult?.revision ?? '',
          deployedAt: kubeTime(this.host.clock.now()),
          id: history.length > 0 ? (history.at(-1)?.id ?? 0) + 1 : 0,
          ...(state.syncResult?.source === undefined ? {} : { source: state.syncResult.source }),
          deployStartedAt: state.startedAt,
          // OperationInitiator is a struct: written even when empty.
          initiatedBy: state.operation.initiatedBy ?? {},
        };
        // RevisionHistories.Trunc: the last `limit` entries, none for a limit of 0 or less.
        status.history = limit > 0 ? [...history, entry].slice(-limit) : [];
        o.status = status;
      }),
    );
  }
  /** The operation worker is free again; an app queued meanwhile is processed now. */
  private idle(name: string): void {
    const st = this.host.slot(name);
    st.busy = false;
    if (st.again) {
      st.again = false;
      this.host.enqueue(name, 0);
    }
  }
  /**
   * The applies and prunes of a pass (gitops-engine sync_context.go applyObject, pruneObject), or, `planning`, what
   * they would give without touching the cluster.
   */
  private syncHost(st: OperationSlot, sync: SyncOperation, app: KubeObject, planning: boolean): SyncHost {
    const options = sync.syncOptions ?? [];
    const respect = options.includes('RespectIgnoreDifferences=true');
    const rules = (app.spec as AppSpec).ignoreDifferences;
    return {
      apply: (target) => {
        if (planning) return { status: 'Synced', message: '' };
        try {
          return {
            status: 'Synced',
            message: this.host.asController(() =>
              applyDesired(
                this.host.cluster,
                target,
                st.lastApplied,
                respect ? pointerPaths(rules, target) : [],
              ),
            ),
          };
        } catch (error) {
          return { status: 'SyncFailed', message: (error as Error).message };
        }
      },
      prune: (live) => {
        const decision = pruneDecision(live, sync.prune ?? false);
        if (planning || !decision.delete) return { status: decision.result, message: decision.message };
        try {
          this.host.asController(() => this.host.deleteLive(live, prunePropagationPolicy(options)));
          // Its last-applied annotation goes with it.
          st.lastApplied.delete(keyOf(live));
          return { status: decision.result, message: decision.message };
        } catch (error) {
          return { status: 'SyncFailed', message: (error as Error).message };
        }
      },
      delete: (live) => {
        if (planning) return 'deleted';
        try {
          const deletion = this.host.asController(() =>
            this.host.deleteLive(live, prunePropagationPolicy(options)),
          );
          return deletion ? 'deleted' : 'gone';
        } catch (error) {
          return { error: (error as Error).message };
        }
      },
      removeFinalizer: (live) => {
        if (planning) return undefined;
        const { namespace, name = '' } = live.metadata ?? {};
        const current = this.host.cluster.get(live.apiVersion ?? '', live.kind ?? '', name, namespace);
        const finalizers = (current?.metadata?.finalizers as string[] | undefined) ?? [];
        if (!finalizers.includes(HOOK_FINALIZER)) return undefined;
        try {
          this.host.asController(() =>
            this.host.cluster.update(live.apiVersion ?? '', live.kind ?? '', name, namespace, (o) => {
              const rest = finalizers.filter((f) => f !== HOOK_FINALIZER);
              o.metadata = { ...o.metadata, finalizers: rest };
              // An empty list is not kept (metadata.finalizers is omitempty).
              if (rest.length === 0) delete o.metadata.finalizers;
            }),
          );
          return undefined;
        } catch (error) {
          return (error as Error).message;
        }
      },
      health: (live) => resourceHealth(live),
      result: taskResult,
    };
  }
  /**
   * The end of processRequestedAppOperation: a failed operation (not a terminated one) with retries left (retry.limit, or no limit when
   * negative) stays Running with finishedAt now and the retry's attempt and time in its message ("... due to
   * application controller sync timeout. Retrying attempt #1 at 3:04PM.": the controller's own words, whatever
   * failed); one without says how often it was retried. Then the state is stored, and a completed operation asks
   * for a comparison with the latest revision, resolved anew (CompareWithLatestForceResolve).
   */
  private finishOperation(name: string, state: OperationState, terminating = false): void {
    // An operation terminated while this pass ran (`argocd app terminate-op` sets the phase Terminating) stays so.
    const stored = (this.host.appObject(name)?.status as { operationState?: OperationState } | undefined)
      ?.operationState;
    if (state.phase === 'Running' && stored?.phase === 'Terminating') {
      state.phase = 'Terminating';
      state.message = 'operation is terminating';
    }
    if (!terminating && (state.phase === 'Failed' || state.phase === 'Error')) {
      const limit = state.operation.retry?.limit ?? 0;
      const count = state.retryCount ?? 0;
      if (count < limit || limit < 0) {
        const now = this.host.clock.now();
        const next = nextRetryAt(state.operation.retry, now, count);
        state.finishedAt = kubeTime(now);
        if ('error' in next) {
          state.phase = 'Failed';
          state.message = `${state.message} (failed to retry: ${next.error})`;
        } else {
          state.phase = 'Running';
          state.retryCount = count + 1;
          state.message = `${state.message} due to application controller sync timeout. Retrying attempt #${count + 1} at ${kitchen(next.at)}.`;
        }
      } else if (count > 0) state.message = `${state.message} (retried ${count} times).`;
    }
    this.setOperationState(name, state);
    if (completed(state.phase)) this.host.request(name, 3, 0);
  }
  /**
   * setOperationState (controller/appcontroller.go@v3.1.12): a completed operation gets its finishedAt and the app's
   * `operation` is cleared; an unchanged state is not written. The write is seen by the app informer, which has the
   * app processed again (the next pass). A completed operation's event: OperationCompleted, "Sync operation to
   * <revision> succeeded" (Normal) or "... failed: <message>" (Warning); "Partial sync operation" when it named
   * resources.
   */
  private setOperationState(name: string, state: OperationState): void {
    const done = completed(state.phase);
    if (done) state.finishedAt = kubeTime(this.host.clock.now());
    const app = this.host.appObject(name);
    if (!app) return;
    const stored = (app.status as { operationState?: OperationState } | undefined)?.operationState;
    if (isDeepStrictEqual(stored, state) && !(done && (app as Application).operation)) return;
    const after = this.host.asController(() =>
      this.host.cluster.update('argoproj.io/v1alpha1', 'Application', name, 'argocd', (o) => {
        o.status = { ...(o.status as object), operationState: structuredClone(state) };
        if (done) delete (o as Application).operation;
      }),
    );
    if (done) {
      const partial = (state.operation.sync?.resources?.length ?? 0) > 0;
      const revision = state.syncResult ? ` to ${state.syncResult.revision}` : '';
      const what = `${partial ? 'Partial sync operation' : 'Sync operation'}${revision}`;
      if (state.phase === 'Succeeded')
        this.host.events.record(after, 'Normal', 'OperationCompleted', `${what} succeeded`);
      else
        this.host.events.record(
          after,
          'Warning',
          'OperationCompleted',
          `${what} failed: ${state.message ?? ''}`,
        );
    } else this.host.enqueue(name, 0);
  }
}
