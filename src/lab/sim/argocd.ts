/**
 * Argo CD v3.1.12's application controller and repo-server, as they time things, for the lab's `lab-root` and
 * `docqa` Applications. Each rule cites the upstream file (github.com/argoproj/argo-cd at v3.1.12).
 *
 * Refresh (controller/appcontroller.go):
 * - The Application informer resyncs every timeout.reconciliation; each resync enqueues the app after a random
 *   jitter in [0, timeout.reconciliation.jitter) (newApplicationInformerAndLister, UpdateFunc); the app is compared
 *   with Git only when `reconciledAt + timeout.reconciliation` has passed (needRefreshAppStatus, softExpired), so a
 *   resync whose jitter is smaller than the previous one does nothing and the next comes a period later.
 * - A change to a managed live object requests a refresh at once, comparing with the revision already resolved
 *   (CompareWithRecent: no Git access); a change of the Application's spec (e.g. ignoreDifferences) compares with
 *   the latest revision; the `argocd.argoproj.io/refresh` annotation forces a new resolution (CompareWithLatestForceResolve).
 * - reconciledAt moves only on comparisons with the latest revision (processAppRefreshQueueItem).
 * - Requests and resyncs are separate queue items: a request raises the requested level (refreshRequestedApps) and
 *   queues the app at once; when processed, an expired comparison goes to the latest revision first and leaves the
 *   requested level for a later item; a request never pulls a pending resync forward.
 * Repo-server (reposerver/cache/cache.go, util/git/client.go getRefs): the branch's refs are cached for
 * --revision-cache-expiration (= timeout.reconciliation); a forced refresh skips the cache (noRevisionCache).
 * Repo errors (controller/state.go CompareAppState): the first error is ignored and remembered, later ones are
 * ignored for controller.repo.error.grace.period.seconds; after that (or at once on a forced refresh) the app gets
 * a ComparisonError condition and sync status Unknown. Cached manifests keep CompareWithRecent working.
 * Auto-sync (autoSync, alreadyAttemptedSync, shouldSelfHeal): a new revision, or a changed spec.source (the last
 * sync's syncResult.source differs), syncs at once; a drift from an already
 * synced revision self-heals after a back-off of 0, 2 s, 6 s, 18 s ... capped at 300 s (attempt count), measured from
 * the last operation's finishedAt; the count starts over after the app stayed Synced for the cooldown (330 s).
 * The diff and what a sync writes are gitops-engine's three-way diff and `kubectl apply` (argocd-diff.ts): lists
 * of built-in kinds merge by key, a field no configuration names is no difference. ignoreDifferences hides a field
 * from the diff; with RespectIgnoreDifferences=true a sync keeps the live value too (gitops-engine sync option). The
 * app's health is the worst of its resources' (argo-health.ts). The docqa app renders workloads/docqa as kustomize
 * does (kustomize.ts).
 * Events (util/argo/audit_logger.go, one new event per call): OperationStarted, OperationCompleted, and
 * ResourceUpdated for each change of sync or health status; health.lastTransitionTime moves with the health status.
 * The app's objects (argocd-prune.ts): those it renders, paired with the live object of each key, and the live
 * objects that carry its tracking id and no owner (the cluster cache's GetManagedLiveObjs), which are live only when
 * Git no longer has them: OutOfSync and requiring pruning. A sync prunes them (deleted with the PrunePropagationPolicy
 * sync option, foreground by default; PruneSkipped without automated.prune or with the Prune=false annotation;
 * PruneLast=true a wave later), each listed in syncResult.resources; autoSync with automated.prune false does not sync
 * when pruning is all there is to do, and with it refuses a sync that would prune everything (a SyncError condition).
 * The resources finalizer deletes the same live set. syncResult.resources lists each task's result (prunes, then
 * applies with kubectl's line); a self-heal syncs only the resources that are not Synced (operation.sync.resources).
 * Sync operations (argocd-operation.ts, the operation worker): the auto-sync sets the app's `operation`, and so may a
 * user; the operation runs in passes of gitops-engine's sync context (argocd-sync.ts: waves, each waiting for the
 * earlier waves' health), is retried on failure with its retry strategy (argocd-retry.ts) and, once completed, clears
 * `operation`; a revision whose sync failed is not auto-synced again (a SyncError condition).
 * Hooks (argocd-hooks.ts) are split from the managed resources (reconcile.go splitHooks) and run by the sync context,
 * except in a sync of named resources (a self-heal's) or with the apply strategy (controller/sync.go skipHooks).
 * status.resources: one entry per managed object (argocd-resources.ts: controller/state.go CompareAppState,
 * sorted by controller/appcontroller.go resourceStatusKey); its health is not stored by default (--persist-resource-health).
 * While the argocd-application-controller pod is not Running and Ready (its StatefulSet scaled to 0, or the pod
 * starting: statefulset.ts, kubelet.ts) nothing of this runs; when it is up again its informer's initial list queues
 * every app, and an app whose reconciledAt is older than timeout.reconciliation is compared at once.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Clock } from '../clock.js';
import type { SimCluster } from './api.js';
import { applicationHealth } from './argo-health.js';
import { keyOf, pointerPaths, samePath, section } from './argocd-apply.js';
import {
  type Application,
  type AppSpec,
  type Operation,
  type OperationSlot,
  type OperationState,
  OperationWorker,
  type SyncResource,
} from './argocd-operation.js';

export { type ResourceStatus, resourceStatuses } from './argocd-resources.js';

import { fieldPatchMeta, predictedLive, sameJson } from './argocd-diff.js';
import { ignoredHook, isHook } from './argocd-hooks.js';
import { appLiveObjects, approvedSince, pruneOnlySkip, trackedBy, wipeOutCondition } from './argocd-prune.js';
import {
  compareResources,
  type Managed,
  type ResourceStatus,
  resourceStatuses,
  resourceStatusKey,
} from './argocd-resources.js';
import { asApplied, withTracking } from './argocd-tracking.js';
import type { DeleteOptions } from './delete-options.js';
import { type EventRecorder, eventRecorder } from './events.js';
import { podReady } from './kubelet.js';
import { kustomizeBuild } from './kustomize.js';
import { type Deletion, deleteUnlessGone } from './object-deletion.js';
import type { GitSource } from './repo.js';
import { groupVersionOf } from './resources.js';
import type { ArgoSettings } from './settings.js';
import { type KubeObject, kubeTime } from './store.js';

type Json = unknown;
type Level = 1 | 2 | 3; // CompareWithRecent, CompareWithLatest, CompareWithLatestForceResolve

interface AppDef {
  name: string;
  /** Desired objects at a revision. */
  render(repo: GitSource, sha: string): KubeObject[];
}

interface AppState extends OperationSlot {
  repoErrorSince?: number;
  /** refreshRequestedApps: the highest comparison level asked for since the app was last processed. */
  requested?: Level;
  /** The appRefreshQueue items waiting for this app: the time each is due (one item per time). */
  queued: Map<number, () => void>;
  /** Requests waiting in the comparison-type queue (a delayed level, e.g. a self-heal back-off). */
  delayed: Set<() => void>;
  lastSpec?: string;
}

/** kube.GetResourceKey: group, kind, namespace and name. */
const resourceKey = (o: KubeObject) =>
  `${groupVersionOf(o.apiVersion).group}/${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;
/** The docqa app: workloads/docqa as `kustomize build` renders it (kustomize.ts). */
export const docqaApp: AppDef = {
  name: 'docqa',
  render: (repo, sha) => kustomizeBuild(repo, 'workloads/docqa', sha),
};

/** The root app: the Applications in apps/ (only docqa is simulated further). */
export const rootApp: AppDef = {
  name: 'lab-root',
  render(repo, sha) {
    const app = repo.yaml('apps/docqa.yaml', sha) as KubeObject;
    return app?.kind ? [{ ...app, metadata: { ...app.metadata, namespace: 'argocd' } }] : [];
  },
};

const refreshAnnotation = 'argocd.argoproj.io/refresh';
/** pkg/apis/application/v1alpha1/application_defaults.go: the finalizers that delete an app's resources with it. */
const backgroundFinalizer = 'resources-finalizer.argocd.argoproj.io/background';
const propagationFinalizers = [
  'resources-finalizer.argocd.argoproj.io',
  'resources-finalizer.argocd.argoproj.io/foreground',
  backgroundFinalizer,
];

/** shouldBeDeleted: not a CRD, not the app itself, not kept by Delete=false or Helm's keep policy. */
function shouldBeDeleted(o: KubeObject, app: string): boolean {
  const annotations = o.metadata?.annotations ?? {};
  // resourceutil.HasAnnotationOption: the annotation's comma-separated options.
  const has = (key: string, option: string) =>
    (annotations[key] ?? '')
      .split(',')
      .map((x) => x.trim())
      .includes(option);
  return (
    o.kind !== 'CustomResourceDefinition' &&
    !(o.kind === 'Application' && o.metadata?.name === app) &&
    !has('argocd.argoproj.io/sync-options', 'Delete=false') &&
    !has('helm.sh/resource-policy', 'keep')
  );
}
const controllerName = 'argocd-application-controller';

/** An Application's sync and health status before a status write, and since when its health has been so. */
interface Before {
  sync?: string;
  health?: string;
  since?: string;
}

interface AppStatus {
  sync?: { status?: string };
  health?: { status?: string; lastTransitionTime?: string };
  resources?: ResourceStatus[];
  resourceHealthSource?: string;
}

export interface ArgoCdOptions {
  clock: Clock;
  repo: GitSource;
  settings: ArgoSettings;
  /** Random numbers in [0, 1) for the resync jitter (seeded in tests). */
  random: () => number;
  /** Whether the repo-server can reach Git (default: the lab-git/git-server Deployment has a ready replica). */
  gitReachable?: () => boolean;
  apps?: AppDef[];
  /** How long a sync operation runs before its changes land (default 2 s: an assumption, kubectl apply of a few objects). */
  syncMs?: number;
  /**
   * --persist-resource-health: store each resource's health in status.resources. Off by default, as the flag
   * (cmd/argocd-application-controller/commands/argocd_application_controller.go@v3.1.12).
   */
  persistResourceHealth?: boolean;
}

export class ArgoCdModel {
  private readonly apps: AppDef[];
  private readonly state = new Map<string, AppState>();
  private revisionCache?: { sha: string; at: number };
  private stops: Array<() => void> = [];
  private wasUp = true;
  private writing = false;
  private readonly events: EventRecorder;
  private readonly worker: OperationWorker;

  constructor(
    private readonly cluster: SimCluster,
    private readonly options: ArgoCdOptions,
  ) {
    // Application events come from the audit logger (util/argo/audit_logger.go): one new event per call, no
    // repeat counting, the destination in annotations, the controller's name as source (common.ApplicationController).
    this.events = eventRecorder(cluster, options.clock, 'argocd-application-controller', {
      aggregate: false,
      annotations: (app) => {
        const destination = (
          app.spec as { destination?: { server?: string; namespace?: string } } | undefined
        )?.destination;
        return { 'dest-server': destination?.server ?? '', 'dest-namespace': destination?.namespace ?? '' };
      },
    });
    this.apps = options.apps ?? [rootApp, docqaApp];
    for (const app of this.apps)
      this.state.set(app.name, {
        lastApplied: new Map(),
        queued: new Map(),
        delayed: new Set(),
        cancels: new Set(),
      });
    this.worker = new OperationWorker({
      clock: options.clock,
      cluster,
      events: this.events,
      syncMs: options.syncMs ?? 2000,
      slot: (name) => this.state.get(name) as AppState,
      controllerUp: () => this.controllerUp(),
      appObject: (name) => this.appObject(name),
      request: (name, level, delayMs) => this.request(name, level, delayMs),
      enqueue: (name, delayMs) => this.enqueue(name, delayMs),
      resolveLatest: () => this.resolve(3),
      headSha: () => this.options.repo.head.sha,
      compare: (name, sha, live) => this.compare(this.apps.find((a) => a.name === name) as AppDef, sha, live),
      asController: (write) => this.asController(write),
      deleteLive: (o, policy) => this.deleteLive(o, policy),
    });
  }

  private get clock(): Clock {
    return this.options.clock;
  }

  start(): this {
    const { resyncMs } = this.options.settings;
    // Seed lastApplied from the current Git head, as if the lab had been synced once (kubectl.kubernetes.io/last-applied).
    for (const app of this.apps) {
      const st = this.state.get(app.name) as AppState;
      for (const o of this.desiredOf(app, this.options.repo.head.sha, this.appObject(app.name)))
        if (!isHook(o)) st.lastApplied.set(keyOf(o), structuredClone(o));
      st.lastSpec = JSON.stringify(this.appObject(app.name)?.spec);
    }
    const resync = () => {
      // The informer's resync asks for no comparison level: it queues the app after a jitter, and needRefreshAppStatus
      // decides then (controller/appcontroller.go UpdateFunc with an unchanged resourceVersion).
      for (const app of this.apps)
        this.enqueue(app.name, this.options.random() * this.options.settings.jitterMs);
      this.stops.push(this.clock.setTimer(resyncMs, resync));
    };
    this.stops.push(this.clock.setTimer(resyncMs, resync));
    this.stops.push(this.cluster.onChange((event) => this.observe(event.object, event.type)));
    return this;
  }

  stop(): void {
    for (const stop of this.stops) stop();
    for (const st of this.state.values())
      for (const cancel of [...st.queued.values(), ...st.delayed, ...st.cancels]) cancel();
  }

  /**
   * The controller's process runs: its StatefulSet's pod argocd-application-controller-0 is Running and Ready (the
   * StatefulSet model, statefulset.ts, runs it; a scaled-down or starting controller reconciles nothing). Without
   * the StatefulSet (a test that runs only this model) the controller is taken as running.
   */
  private controllerUp(): boolean {
    if (!this.cluster.get('apps/v1', 'StatefulSet', controllerName, 'argocd')) return true;
    const pod = this.cluster.get('v1', 'Pod', `${controllerName}-0`, 'argocd');
    return (pod?.status as { phase?: string } | undefined)?.phase === 'Running' && podReady(pod);
  }

  private gitReachable(): boolean {
    if (this.options.gitReachable) return this.options.gitReachable();
    const server = this.cluster.get('apps/v1', 'Deployment', 'git-server', 'lab-git');
    if (!server) return true;
    return ((server.status as { readyReplicas?: number } | undefined)?.readyReplicas ?? 0) > 0;
  }

  /** Runs `write` as the controller's own write: the model's watch does not react to it (observe). */
  private asController<T>(write: () => T): T {
    this.writing = true;
    try {
      return write();
    } finally {
      this.writing = false;
    }
  }

  private appObject(name: string): KubeObject | undefined {
    return this.cluster.get('argoproj.io/v1alpha1', 'Application', name, 'argocd');
  }

  /** Reacts to a live change the way the controller's watches do. */
  private observe(obj: KubeObject, type: string): void {
    // The Application informer sees every update of an Application, whoever wrote it: lab-root's own sync writing
    // the docqa Application's new spec too (controller/appcontroller.go UpdateFunc enqueues it; needRefreshAppStatus
    // then compares with the latest revision, "spec.ignoreDifferences differs").
    if (obj.kind === 'Application') {
      const app = this.apps.find((a) => a.name === obj.metadata?.name);
      if (!app || type === 'DELETED') return;
      const st = this.state.get(app.name) as AppState;
      if (obj.metadata?.deletionTimestamp || (obj as Application).operation) this.enqueue(app.name, 0);
      if (obj.metadata?.annotations?.[refreshAnnotation]) this.request(app.name, 3, 0);
      const spec = JSON.stringify(obj.spec);
      if (spec !== st.lastSpec) {
        st.lastSpec = spec;
        this.request(app.name, 2, 0);
      }
    }
    if (this.writing) return;
    if (
      (obj.kind === 'StatefulSet' && obj.metadata?.name === controllerName) ||
      (obj.kind === 'Pod' &&
        obj.metadata?.namespace === 'argocd' &&
        obj.metadata?.name === `${controllerName}-0`)
    ) {
      // A controller that starts lists every Application (its informer's AddFunc queues each one, with no
      // comparison asked for); needRefreshAppStatus then compares those whose reconciledAt has expired
      // (controller/appcontroller.go).
      const up = this.controllerUp();
      if (up && !this.wasUp) for (const app of this.apps) this.enqueue(app.name, 0);
      this.wasUp = up;
      return;
    }
    // A managed object changed live: the apps that manage it (that applied it, or whose tracking id it carries with
    // no owner: controller/cache/cache.go, the app of a resource) refresh against the revision they know.
    for (const app of this.apps) {
      const st = this.state.get(app.name) as AppState;
      if ((st.lastApplied.has(keyOf(obj)) || trackedBy(obj, app.name)) && obj.kind !== 'Application')
        this.request(app.name, 1, 0);
      if (app.name === 'lab-root' && obj.kind === 'Application' && obj.metadata?.name !== 'lab-root')
        this.request(app.name, 1, 0);
    }
  }

  /**
   * requestAppRefresh (controller/appcontroller.go): a level asked for with a delay waits in the comparison-type
   * queue; when due (or at once without a delay) it raises refreshRequestedApps to at least that level and queues
   * the app. A queued resync is a separate item: a request neither cancels it nor inherits its time.
   */
  private request(name: string, level: Level, delayMs: number): void {
    const st = this.state.get(name);
    if (!st) return;
    const raise = () => {
      st.requested = Math.max(level, st.requested ?? 1) as Level;
      this.enqueue(name, 0);
    };
    if (delayMs <= 0) {
      raise();
      return;
    }
    const cancel = this.clock.setTimer(delayMs, () => {
      st.delayed.delete(cancel);
      raise();
    });
    st.delayed.add(cancel);
  }

  /** appRefreshQueue.AddAfter: the app is processed when due; an item already waiting for that time is the same item. */
  private enqueue(name: string, delayMs: number): void {
    const st = this.state.get(name);
    if (!st) return;
    const at = this.clock.now() + delayMs;
    if (st.queued.has(at)) return;
    const cancel = this.clock.setTimer(delayMs, () => {
      st.queued.delete(at);
      this.process(name);
    });
    st.queued.set(at, cancel);
  }

  /**
   * processAppRefreshQueueItem → needRefreshAppStatus: a forced refresh (the annotation) resolves the revision anew;
   * a comparison older than timeout.reconciliation (softExpired) compares with the latest revision and leaves a
   * requested level for later; else the requested level, consumed; else nothing happens.
   */
  private process(name: string): void {
    const st = this.state.get(name) as AppState;
    if (!this.controllerUp()) {
      st.requested = undefined; // the controller's memory goes with it
      return;
    }
    const live = this.appObject(name);
    if (!live) return;
    // processAppOperationQueueItem: an operation first (it goes on while the app is being deleted), else the deletion.
    if (live.metadata?.deletionTimestamp) {
      if ((live as Application).operation) this.worker.operate(name);
      else this.finalizeDeletion(name, live);
      return;
    }
    const reconciledAt = (live.status as { reconciledAt?: string } | undefined)?.reconciledAt;
    const expired =
      reconciledAt === undefined ||
      Date.parse(reconciledAt) + this.options.settings.resyncMs < this.clock.now();
    const requested = st.requested;
    if (requested === 3 || (!expired && requested !== undefined)) st.requested = undefined;
    const level = requested === 3 ? 3 : expired ? 2 : requested;
    if (level !== undefined) this.refresh(name, level);
    // The refresh queue hands the app to the operation queue once it is processed (processAppRefreshQueueItem).
    this.worker.operate(name);
  }

  /**
   * finalizeApplicationDeletion (controller/appcontroller.go): an Application being deleted is no longer compared or
   * synced (autoSync: "Skipping auto-sync: deletion in progress"; the sim skips its refresh too). With a propagation
   * finalizer (`resources-finalizer.argocd.argoproj.io`, `/foreground` or `/background`; isPropagationPolicyFinalizer)
   * its live objects are deleted, in the foreground, or the background for `/background` (GetPropagationPolicy),
   * except CRDs, the app itself and objects annotated `argocd.argoproj.io/sync-options: Delete=false` or
   * `helm.sh/resource-policy: keep` (shouldBeDeleted); while any of them is still there, or already being deleted,
   * it waits (retried when they change); then the propagation finalizers are removed (UnSetCascadedDeletion) and the
   * API server removes the app once no other finalizer is left (finalizers.ts). Without such a finalizer the app goes
   * and its objects stay. The app's live objects are those of the cluster cache that carry its tracking id and have
   * no owner (getPermittedAppLiveObjects: GetManagedLiveObjs with no desired objects; argocd-prune.ts
   * appLiveObjects), so an object removed from Git but still live goes too. An object whose status entry says
   * requiresDeletionConfirmation (sync option Delete=confirm) holds the whole deletion until the app is annotated
   * `argocd.argoproj.io/deletion-approved` with an RFC 3339 time not before its deletionTimestamp
   * (Application.IsDeletionConfirmed, pkg/apis/application/v1alpha1/types.go@v3.1.12).
   */
  private finalizeDeletion(name: string, live: KubeObject): void {
    const finalizers = (live.metadata?.finalizers ?? []) as string[];
    const propagation = finalizers.filter((f) => propagationFinalizers.includes(f));
    if (propagation.length === 0) return;
    const policy = propagation[0] === backgroundFinalizer ? 'Background' : 'Foreground';
    const toDelete = (all: KubeObject[]) => all.filter((o) => shouldBeDeleted(o, name));
    const liveObjects = appLiveObjects(this.cluster.store, name);
    // Any of the app's live objects already being deleted, kept ones included, is waited for first
    // (finalizeApplicationDeletion@v3.1.12: the loop over getPermittedAppLiveObjects before shouldBeDeleted).
    if (liveObjects.some((o) => o.metadata?.deletionTimestamp)) return;
    const objects = toDelete(liveObjects);
    if (!approvedSince(live, Date.parse(live.metadata?.deletionTimestamp ?? ''))) {
      const held = new Set(
        ((live.status as { resources?: ResourceStatus[] } | undefined)?.resources ?? [])
          .filter((r) => r.requiresDeletionConfirmation)
          .map(resourceStatusKey),
      );
      if (objects.some((o) => held.has(resourceKey(o)))) return;
    }
    for (const o of objects) this.deleteLive(o, policy);
    if (toDelete(appLiveObjects(this.cluster.store, name)).length > 0) return;
    this.cluster.update('argoproj.io/v1alpha1', 'Application', name, 'argocd', (o) => {
      const kept = finalizers.filter((f) => !propagationFinalizers.includes(f));
      if (!o.metadata) return;
      if (kept.length > 0) o.metadata.finalizers = kept;
      else delete o.metadata.finalizers;
    });
  }

  private resolve(level: Level): { sha?: string; error?: string } {
    const now = this.clock.now();
    const cache = this.revisionCache;
    if (level < 3 && cache && now - cache.at < this.options.settings.revisionCacheMs)
      return { sha: cache.sha };
    if (!this.gitReachable())
      return {
        error:
          'Failed to load target state: failed to generate manifest for source 1 of 1: rpc error: code = Unknown desc = failed to list refs: Get "http://git-server.lab-git.svc.cluster.local/lab.git/info/refs?service=git-upload-pack": dial tcp: connect: connection refused',
      };
    const sha = this.options.repo.head.sha;
    this.revisionCache = { sha, at: now };
    return { sha };
  }

  /** The app's health from its resources' (argo-health.ts: controller/health.go setApplicationHealth). */
  private health(managed: Managed[]): string {
    // lab-root's resources are Applications, which have no health check in v3.1 (none built in, no Lua override):
    // they do not count, and lab-root is Healthy.
    return applicationHealth(managed.map((m) => ({ desired: m.target, live: m.live })));
  }

  private liveOf(d: KubeObject): KubeObject | undefined {
    return this.cluster.get(d.apiVersion ?? '', d.kind ?? '', d.metadata?.name ?? '', d.metadata?.namespace);
  }

  /**
   * Stores status.resources; without --persist-resource-health setApplicationHealth also marks the resources'
   * health as kept in the resource tree (resourceHealthSource "appTree"; inline is the empty string, omitted)
   * (controller/health.go@v3.1.12).
   */
  private storeResources(s: Record<string, Json>, resources: ResourceStatus[]): void {
    s.resources = resources;
    if (this.options.persistResourceHealth) delete s.resourceHealthSource;
    else s.resourceHealthSource = 'appTree';
  }

  private refresh(name: string, level: Level): void {
    const app = this.apps.find((a) => a.name === name) as AppDef;
    const st = this.state.get(name) as AppState;
    const live = this.appObject(name);
    if (!live) return;
    const status = (live.status ?? {}) as {
      sync?: { status?: string; revision?: string };
      reconciledAt?: string;
      operationState?: {
        phase?: string;
        finishedAt?: string;
        operation?: { sync?: { revision?: string; autoHealAttemptsCount?: number } };
        syncResult?: { revision?: string; source?: unknown };
      };
    };
    const now = this.clock.now();
    if (level === 1 && !status.sync?.revision) level = 2;
    const stamp = new Date(now).toISOString();

    let sha: string | undefined;
    if (level === 1) sha = status.sync?.revision;
    else {
      const resolved = this.resolve(level);
      if (resolved.error) {
        if (level < 3) {
          if (st.repoErrorSince === undefined) {
            st.repoErrorSince = now;
            return;
          }
          if (now - st.repoErrorSince <= this.options.settings.repoErrorGraceMs) return;
        }
        // With no desired state, CompareAppState pairs the app's live objects with nothing: each is live only
        // (requiresPruning) and Unknown (failedToLoadObjs) (controller/state.go@v3.1.12).
        const liveOnly = appLiveObjects(this.cluster.store, name).map((o) => ({ live: o }));
        const resources = resourceStatuses(liveOnly, {
          differs: () => true,
          failedToLoad: true,
          persistHealth: this.options.persistResourceHealth,
        });
        this.writeStatus(
          name,
          (s) => {
            s.sync = { ...(s.sync as object), status: 'Unknown' };
            s.conditions = [{ type: 'ComparisonError', message: resolved.error, lastTransitionTime: stamp }];
            s.reconciledAt = stamp;
            this.storeResources(s, resources);
          },
          level === 3,
        );
        return;
      }
      st.repoErrorSince = undefined;
      sha = resolved.sha;
    }
    if (!sha) return;

    const { managed, differs } = this.compare(app, sha, live);
    const spec = live.spec as AppSpec;
    // The app is OutOfSync when one of its resources is (controller/state.go@v3.1.12 CompareAppState, syncCode).
    const { resources, outOfSync } = compareResources(managed, {
      differs,
      persistHealth: this.options.persistResourceHealth,
    });
    const syncStatus = outOfSync ? 'OutOfSync' : 'Synced';
    const syncError = outOfSync ? this.autoSync(name, live, sha, resources) : undefined;
    const health = this.health(managed);
    this.writeStatus(
      name,
      (s) => {
        s.sync = {
          status: syncStatus,
          revision: sha,
          comparedTo: { ignoreDifferences: spec.ignoreDifferences },
        };
        s.health = { status: health };
        this.storeResources(s, resources);
        // processAppRefreshQueueItem: autoSync's SyncError condition (SetConditions keeps the one already there
        // with the same message, and its lastTransitionTime).
        const kept = ((s.conditions ?? []) as Array<{ type?: string; message?: string }>).find(
          (c) => c.type === 'SyncError' && c.message === syncError,
        );
        s.conditions = syncError
          ? [kept ?? { type: 'SyncError', message: syncError, lastTransitionTime: stamp }]
          : [];
        if (level >= 2 || !s.reconciledAt) s.reconciledAt = stamp;
      },
      level === 3,
    );
  }

  /**
   * CompareAppState's pairing at a revision: each desired object with the live one of its key, then the app's other
   * live objects (argocd-prune.ts appLiveObjects) as live only; and whether a pair differs (argocd-diff.ts: the
   * three-way diff against the last applied configuration, ignoreDifferences hidden).
   */
  private compare(
    app: AppDef,
    sha: string,
    live: KubeObject,
  ): { desired: KubeObject[]; hooks: KubeObject[]; managed: Managed[]; differs: (m: Managed) => boolean } {
    const st = this.state.get(app.name) as AppState;
    // gitops-engine pkg/sync/reconcile.go splitHooks: the desired hooks are not managed resources (only their live
    // objects are, once created), and a hook of no known phase is left out altogether (ignore.Ignore).
    const rendered = this.desiredOf(app, sha, live).filter((o) => !ignoredHook(o));
    const desired = rendered.filter((o) => !isHook(o));
    const hooks = rendered.filter(isHook);
    const spec = live.spec as AppSpec;
    const managed: Managed[] = [
      ...desired.map((target) => ({ target, live: this.liveOf(target) })),
      ...this.liveOnly(app.name, desired).map((o) => ({ live: o })),
    ];
    const differs = ({ target, live: liveObj }: Managed) => {
      if (!target || !liveObj) return true;
      const ignored = pointerPaths(spec.ignoreDifferences, target);
      const last = st.lastApplied.get(keyOf(target)) as Record<string, Json> | undefined;
      return [section(target), 'metadata'].some((part) => {
        const current = (liveObj as Record<string, Json>)[part];
        const predicted = predictedLive(
          (target as Record<string, Json>)[part],
          current,
          last?.[part],
          [part],
          (p) => ignored.some((i) => samePath(i, p)),
          fieldPatchMeta(target.apiVersion ?? '', target.kind ?? '', part),
        );
        return !sameJson(predicted, current);
      });
    };
    return { desired, hooks, managed, differs };
  }

  /**
   * autoSync (controller/appcontroller.go@v3.1.12) for an OutOfSync app: sets the app's `operation` (a sync of
   * the compared revision, prune from automated.prune, the app's sync options, initiated by automation, with the
   * app's retry strategy or a limit of 5) unless one is already set, or the app is being deleted, or pruning is all
   * there is to do without automated.prune, or this revision and source were already attempted (a failed attempt
   * gives the SyncError condition "Failed sync attempt to <revision>: <message>"; a succeeded one self-heals after
   * the back-off, selfHeal only), or the sync would prune everything. Returns the SyncError condition's message.
   */
  private autoSync(
    name: string,
    live: KubeObject,
    sha: string,
    resources: ResourceStatus[],
  ): string | undefined {
    const spec = live.spec as AppSpec;
    const automated = spec.syncPolicy?.automated;
    // SyncPolicy.IsAutomatedSyncEnabled: an automated block not switched off by `enabled: false`.
    if (!automated || automated.enabled === false) return undefined;
    if ((live as Application).operation || live.metadata?.deletionTimestamp) return undefined;
    // autoSync: with automated.prune false, nothing to do when all that is out of sync only needs pruning.
    if (pruneOnlySkip(resources, automated)) return undefined;
    const status = (live.status ?? {}) as { sync?: { status?: string }; operationState?: OperationState };
    const op = status.operationState;
    const now = this.clock.now();
    // alreadyAttemptedSync@v3.1.12: the last sync was of this revision and of the source the app has now.
    const source = spec.source;
    const alreadyAttempted =
      op?.operation?.sync !== undefined &&
      op.syncResult !== undefined &&
      op.syncResult.revision === sha &&
      isDeepStrictEqual(op.syncResult.source, source);
    const selfHeal = automated.selfHeal ?? false;
    if (alreadyAttempted && (!selfHeal || op?.phase !== 'Succeeded')) {
      if (op?.phase !== 'Succeeded') return `Failed sync attempt to ${sha}: ${op?.message ?? ''}`;
      return undefined;
    }
    let count = op?.operation?.sync?.autoHealAttemptsCount ?? 0;
    let selected: SyncResource[] | undefined;
    if (!alreadyAttempted) count = 0;
    else {
      // shouldSelfHeal: a back-off of 0, 2 s, 6 s, 18 s ... from the last operation's finishedAt, by attempt count;
      // the count starts over after the app stayed Synced for the cooldown.
      const finished = op?.finishedAt ? Date.parse(op.finishedAt) : undefined;
      const since = finished === undefined ? undefined : now - finished;
      if (
        since !== undefined &&
        since >= this.options.settings.selfHealCooldownMs &&
        status.sync?.status === 'Synced'
      )
        count = 0;
      const { initialMs, factor, capMs } = this.options.settings.selfHealBackoff;
      const delay = count === 0 ? 0 : Math.min(capMs, initialMs * factor ** (count - 1));
      const retryAfter = delay - (since ?? 0);
      if (retryAfter > 0) {
        this.request(name, 2, retryAfter);
        return undefined;
      }
      count++;
      // A self-heal syncs only what is not Synced (op.Sync.Resources, by kind, group and name).
      selected = resources
        .filter((r) => r.status !== 'Synced')
        .map((r) => ({ ...(r.group ? { group: r.group } : {}), kind: r.kind ?? '', name: r.name ?? '' }));
    }
    // autoSync: a sync that would prune every resource is refused, with a SyncError condition.
    const wipeOut = wipeOutCondition(resources, automated, sha);
    if (wipeOut) return wipeOut;
    const prune = automated.prune ?? false;
    const syncOptions = spec.syncPolicy?.syncOptions;
    const operation: Operation = {
      sync: {
        revision: sha,
        ...(prune ? { prune } : {}),
        ...(selected ? { resources: selected } : {}),
        ...(syncOptions?.length ? { syncOptions } : {}),
        // SyncOperation.SelfHealAttemptsCount, serialized as autoHealAttemptsCount and left out at 0
        // (pkg/apis/application/v1alpha1/types.go@v3.1.12: omitempty).
        ...(count ? { autoHealAttemptsCount: count } : {}),
      },
      initiatedBy: { automated: true },
      // Operation.Retry is a struct, not a pointer: written even when empty.
      retry: structuredClone(spec.syncPolicy?.retry ?? { limit: 5 }),
    };
    this.asController(() =>
      this.cluster.update('argoproj.io/v1alpha1', 'Application', name, 'argocd', (o) => {
        (o as Application).operation = operation;
      }),
    );
    this.events.record(live, 'Normal', 'OperationStarted', `Initiated automated sync to '${sha}'`);
    return undefined;
  }

  /** The app's live objects (argocd-prune.ts appLiveObjects) that `desired` does not name: live only. */
  private liveOnly(name: string, desired: KubeObject[]): KubeObject[] {
    const wanted = new Set(desired.map(resourceKey));
    return appLiveObjects(this.cluster.store, name).filter((o) => !wanted.has(resourceKey(o)));
  }

  /** kubectl.DeleteResource of a live object with `policy`; one already gone is done (no deletion). */
  private deleteLive(o: KubeObject, policy: DeleteOptions['propagationPolicy']): Deletion | undefined {
    const resource = this.cluster.store.resourceFor(o.apiVersion ?? '', o.kind ?? '');
    const { namespace, name = '' } = o.metadata ?? {};
    return deleteUnlessGone(
      this.cluster.store,
      resource,
      namespace,
      name,
      { propagationPolicy: policy },
      this.clock.now(),
      'test',
    );
  }

  /** What an app wants live at a revision: its rendered objects, each with its tracking annotation. */
  private desiredOf(app: AppDef, sha: string, appObject: KubeObject | undefined): KubeObject[] {
    // The root app of the sim is seeded without a destination; lab-root's (manifests/bootstrap/root-app.yaml) is argocd.
    const destination =
      (appObject?.spec as { destination?: { namespace?: string } } | undefined)?.destination?.namespace ??
      'argocd';
    return app.render(this.options.repo, sha).map((o) => withTracking(o, app.name, destination));
  }

  private writeStatus(
    name: string,
    change: (status: Record<string, Json>) => void,
    clearRefresh: boolean,
  ): void {
    let before: Before | undefined;
    const after = this.asController(() =>
      this.cluster.update('argoproj.io/v1alpha1', 'Application', name, 'argocd', (o) => {
        const s = (o.status ?? {}) as AppStatus;
        before = { sync: s.sync?.status, health: s.health?.status, since: s.health?.lastTransitionTime };
        change(s as Record<string, Json>);
        o.status = s;
        if (clearRefresh && o.metadata?.annotations) delete o.metadata.annotations[refreshAnnotation];
        this.persisted(before, s);
      }),
    );
    if (before && after) this.statusEvents(before, after);
  }

  /**
   * What persistAppStatus (controller/appcontroller.go) adds to every status write: the health's lastTransitionTime
   * moves when the health status changes and is kept otherwise.
   */
  private persisted(before: Before, after: AppStatus): void {
    if (!after.health) return;
    if (before.health !== after.health.status) after.health.lastTransitionTime = kubeTime(this.clock.now());
    else if (before.since) after.health.lastTransitionTime = before.since;
  }

  /**
   * persistAppStatus's events: "Updated sync status: A -> B" and "Updated health status: A -> B" (ResourceUpdated),
   * about the Application (a status write leaves its name, uid and destination as they were).
   */
  private statusEvents(before: Before, after: KubeObject): void {
    const now = (after.status ?? {}) as AppStatus;
    for (const part of ['sync', 'health'] as const) {
      const from = before[part] ?? '';
      const to = now[part]?.status ?? '';
      if (from !== to)
        this.events.record(after, 'Normal', 'ResourceUpdated', `Updated ${part} status: ${from} -> ${to}`);
    }
  }
}

/** The lab's docqa and lab-root Applications as Argo CD shows them once synced at `sha`. */
export function syncedApplications(repo: GitSource, at: string): KubeObject[] {
  const docqa = repo.yaml('apps/docqa.yaml') as KubeObject;
  // Every managed object live as desired: each resource Synced.
  const synced = (app: AppDef) =>
    resourceStatuses(
      app.render(repo, repo.head.sha).map((o) => ({ target: o, live: o })),
      { differs: () => false },
    );
  const status = (revision: string, app: AppDef, source?: unknown) => ({
    sync: { status: 'Synced', revision },
    health: { status: 'Healthy' },
    resources: synced(app),
    resourceHealthSource: 'appTree',
    reconciledAt: at,
    operationState: {
      phase: 'Succeeded',
      startedAt: at,
      finishedAt: at,
      operation: { sync: { revision } },
      syncResult: { revision, ...(source === undefined ? {} : { source }) },
    },
    // The sync that deployed it (persistRevisionHistory), by the auto-sync.
    history: [
      {
        revision,
        deployedAt: at,
        id: 0,
        ...(source === undefined ? {} : { source }),
        deployStartedAt: at,
        initiatedBy: { automated: true },
      },
    ],
  });
  return [
    {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'lab-root', namespace: 'argocd' },
      spec: { project: 'default', syncPolicy: { automated: { prune: true, selfHeal: true } } },
      status: status(repo.head.sha, rootApp),
    },
    {
      ...asApplied(
        withTracking(
          { ...docqa, metadata: { ...docqa.metadata, namespace: 'argocd' } },
          rootApp.name,
          'argocd',
        ),
      ),
      status: status(repo.head.sha, docqaApp, (docqa.spec as { source?: unknown } | undefined)?.source),
    },
  ];
}
