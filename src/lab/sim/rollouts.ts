/**
 * Argo Rollouts v1.8.3's canary for the lab's docqa Rollout (github.com/argoproj/argo-rollouts at v1.8.3), with its
 * AnalysisRuns and their eval-replay Job.
 *
 * - A new pod template (hash) starts a canary; the steps of spec.strategy.canary.steps run in order
 *   (rollout/canary.go). Without traffic routing, `setWeight: W` runs ceil(W% x replicas) canary pods and keeps the
 *   stable pods (maxUnavailable 0); the step is done when the canary pods are available. `pause: {duration}` pauses
 *   the Rollout (pause condition CanaryPauseStep, phase Paused) for its duration (rollout/canary.go
 *   reconcileCanaryPause, pause.go CompletedCanaryPauseStep).
 * - `analysis` creates an AnalysisRun from the template (rollout/analysis.go), its metrics resolved and validated as
 *   `canary check` does (src/lab/canary/template.ts: args, limits, durations, dryRun, measurementRetention). The
 *   run's bookkeeping is the canary engine's (src/lab/canary/run.ts, after analysis/analysis.go): each metric
 *   measures after its initialDelay, then every interval (an Error retried after 10 s) until its count; its phase
 *   from failureLimit, inconclusiveLimit, consecutiveErrorLimit and consecutiveSuccessLimit (assessMetricStatus);
 *   the run's phase, message and summaries as assessRunStatus writes them. A template Argo would reject makes the
 *   run Error with the reason. A Job metric's measurement is Running while its Job runs (the Job named
 *   `<run uid>.<metric>.<n>`, owned by the run) and succeeds when the Job completes or fails when it fails
 *   (metricproviders/job/job.go); when another metric ends the run, the Job is deleted and its measurement is
 *   Successful, "Metric Terminated" (Terminate).
 * - A Failed or Error run aborts the rollout: phase Degraded, status.abort, the canary scaled down at once (a basic
 *   canary; with traffic routing after abortScaleDownDelaySeconds, default 30 s). An Inconclusive run pauses it (pause condition
 *   InconclusiveAnalysis, phase Paused), it does not abort (rollout/analysis.go).
 * - The status is rebuilt on each reconcile with its conditions (Progressing, Available, Healthy, Completed, Paused,
 *   ReplicaFailure), phase and message, and the events they record (rollouts-conditions.ts: rollout/sync.go
 *   calculateRolloutConditions, checkPausedConditions, sendStateChangeEvents). No progress (RolloutProgressing) for
 *   progressDeadlineSeconds (default 600) outside a pause or analysis step makes the Progressing condition
 *   ProgressDeadlineExceeded and the phase Degraded; each status queues the check of its deadline
 *   (requeueStuckRollout), so a later stall times out again. With spec.progressDeadlineAbort the timeout also aborts
 *   the update (rollout/sync.go calculateRolloutConditions: AddAbort with the timeout's message).
 * - Events: NewReplicaSetCreated and ScalingReplicaSet (rollout/sync.go createDesiredReplicaSet, scaleReplicaSet),
 *   RolloutCompleted "Initial deploy" for the first stable ReplicaSet (promoteStable).
 * - A person's patches (the kubectl-argo-rollouts plugin's pause, abort, retry, promote, promote --full) are read
 *   from the live Rollout on each reconcile and acted on as upstream does (rollouts-manual.ts, applyManualChanges);
 *   spec.paused holds the steps (rollout/canary.go completedCurrentCanaryStep).
 * - The stable and canary Services' selectors follow the stable and new ReplicaSets (rollouts-services.ts,
 *   rollout/service.go reconcileStableAndCanaryService).
 * - Going back to the stable template ends the canary at once: the canary ReplicaSet goes to 0, no steps or analysis
 *   run; an AnalysisRun still running is cancelled (spec.terminate; it ends Successful, "Run Terminated", its Job
 *   deleted).
 * - spec.replicas (the HPA's) sizes the stable pods.
 * - The model owns ReplicaSets, not pods: one per pod-template hash, `<rollout>-<hash>`, the Rollout its controller
 *   (rollout/sync.go getNewReplicaSet); sizing a template is setting its ReplicaSet's spec.replicas, and the
 *   ReplicaSet controller (replicaset.ts) creates and deletes the pods. The ReplicaSet of the Rollout's template is
 *   the new one, at the highest revision; a template whose ReplicaSet exists re-uses it at a new revision
 *   (rollouts-revisions.ts). A ReplicaSet the rollout no longer runs (the old stable after a promotion, an ended
 *   or aborted canary) is kept at 0 replicas (rollout/replicaset.go), up to spec.revisionHistoryLimit of them:
 *   beyond it the oldest are deleted, with their AnalysisRuns (cleanUp).
 * - The Rollout carries the new ReplicaSet's revision in its own revision annotation, with a `RolloutUpdated` event
 *   when it changes (rollout/sync.go setRolloutRevision, rollouts-revisions.ts). New canary steps (a steps hash that
 *   is not status.currentStepHash, rollouts-steps.ts) are a new update as a new template is: the steps restart at 0
 *   in the same ReplicaSet (restartSteps). AnalysisRuns beyond spec.analysis's history limits go on each reconcile
 *   (pruneAnalysisRuns, rollouts-analysis-history.ts).
 * The eval-replay Job's duration is `evalJobMs` (default 60 s: an assumption, not measured on a real lab).
 *
 * With `live` (the live simulated lab, src/lab/sim/live), the analysis is real: a prometheus metric's measurement is
 * the template's query run against a real Prometheus scraping the real doc-QA processes (Argo's provider turns the
 * answer into `result`, metricproviders/prometheus/prometheus.go), and the eval-replay Job runs what its container
 * runs (`gitops-lab eval --target ...`: the eval suite) against the canary hash's doc-QA process: the Job succeeds
 * when the eval gates pass and fails otherwise or at its activeDeadlineSeconds (on the lab's clock); it ends no
 * sooner than `evalJobMs` after it starts (the sim's assumption of a Job's duration in a cluster).
 */
import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { evaluateConditions, type MeasurementPhase } from '../canary/conditions.js';
import {
  type AnalysisPhase,
  assessRun,
  emptyResult,
  isCompleted,
  type Measurement,
  type MetricResult,
  nextMeasurementAt,
  type RunSummary,
  recordMeasurement,
} from '../canary/run.js';
import { type ResolvedMetric, resolveMetrics, templateFromObject } from '../canary/template.js';
import type { Clock } from '../clock.js';
import type { SimCluster } from './api.js';
import {
  getCondition,
  newCondition,
  type PodTemplate,
  type ReplicaSet,
  replicaFailure,
  setCondition,
} from './deployment-util.js';
import { type EventRecorder, eventRecorder } from './events.js';
import { podReady } from './kubelet.js';
import { type DocqaBehaviour, docqaBehaviour, faultsOf, type SimPrometheus } from './prometheus.js';
import { podActive, replicaSetFor } from './replicaset.js';
import { analysisRunsToDelete, runHistoryLimits } from './rollouts-analysis-history.js';
import {
  calculateRolloutConditions,
  calculateRolloutPhase,
  checkPausedConditions,
  type PauseCondition,
  progressCheckIn,
  type RolloutEvent,
  type RolloutFacts,
  type RolloutStatusView,
  stateChangeEvents,
} from './rollouts-conditions.js';
import { type ManualStatus, manualChanges } from './rollouts-manual.js';
import {
  DESIRED_REPLICAS,
  newReplicaSetAnnotations,
  nextRevision,
  REVISION,
  replicaSetsToDelete,
  revisionHistoryLimit,
  rolloutRevisionUpdate,
} from './rollouts-revisions.js';
import { ensureServiceTarget } from './rollouts-services.js';
import { computeStepHash, stepsChanged } from './rollouts-steps.js';
import { formatLabelSelector, type LabelSelector } from './selectors.js';
import { type KubeObject, kubeTime } from './store.js';
import { collectDependents, controllerOf, controllerUid } from './workqueue.js';

const ROLLOUT = ['argoproj.io/v1alpha1', 'Rollout'] as const;
/** pkg/apis/rollouts/v1alpha1/types.go DefaultRolloutUniqueLabelKey. */
const HASH_LABEL = 'rollouts-pod-template-hash';
/** The model's own marker of canary pods (read by live/processes.ts); a simulation marker, not a Rollouts label. */
const CANARY_MARKER = 'sim.gitops-lab/canary';

interface Step {
  setWeight?: number;
  pause?: { duration?: string | number };
  analysis?: { templates?: Array<{ templateName: string }> };
}

/** An AnalysisRun of the canary: its resolved metrics and their results, as the canary engine keeps them. */
interface SimRun {
  name: string;
  phase: AnalysisPhase;
  startedAt: Date;
  metrics: ResolvedMetric[];
  /** A measurement's detail is Argo's rendering of the value (`[0.93]`). */
  results: MetricResult<string>[];
  message?: string;
  runSummary?: RunSummary;
  dryRunSummary?: RunSummary;
  /**
   * A Job metric's measurement while its Job runs (metricproviders/job/job.go Run returns it Running), by metric
   * index: its start, its Job's name, and how to stop the Job's work.
   */
  inFlight: Map<number, { startedAt: Date; job: string; stop: () => void }>;
}

interface Canary {
  hash: string;
  revision: number;
  step: number;
  run?: SimRun;
  aborted?: boolean;
  /** When the abort happened (status.abortedAt) and the message it adds (pauseContext.AddAbort: the run's). */
  abortedAt?: number;
  abortMessage?: string;
  /** An Inconclusive run's pause (pause condition InconclusiveAnalysis), since then. */
  paused?: boolean;
  pausedAt?: number;
  /** A pause step's pause (pause condition CanaryPauseStep, rollout/canary.go reconcileCanaryPause), since then. */
  pauseStepAt?: number;
  /** A person resumed the pause step (`promote`: its pause condition cleared); it completes at the next advance. */
  pauseStepResumed?: boolean;
  /** A person asked for a full promotion (status.promoteFull, `promote --full`). */
  promoteFull?: boolean;
  timers: Array<() => void>;
}

const seconds = (d: string | number | undefined, fallback = 0): number => {
  if (d === undefined) return fallback;
  if (typeof d === 'number') return d * 1000;
  const m = /^(\d+)(ms|s|m|h)?$/.exec(d.trim());
  if (!m) return fallback;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Number(m[1]) * unit;
};

export function podTemplateHash(template: unknown): string {
  return createHash('sha256').update(JSON.stringify(template)).digest('hex').slice(0, 10);
}

/** A measurement taken for real: its phase (conditions evaluated) and Argo's rendering of the value. */
export interface LiveMeasurement {
  phase: MeasurementPhase;
  value: string;
  message?: string;
}

/** The real analysis of the live lab (src/lab/sim/live). */
export interface LiveAnalysis {
  /** Measures a prometheus metric (its args substituted); undefined: the simulated Prometheus answers. */
  measure?(metric: ResolvedMetric): Promise<LiveMeasurement>;
  /** Runs a job metric's Job against the doc-QA process of `hash`; rejects when `signal` aborts. */
  runJob(hash: string, job: unknown, signal: AbortSignal): Promise<{ succeeded: boolean; message: string }>;
}

export interface RolloutsOptions {
  clock: Clock;
  prometheus: SimPrometheus;
  behaviour?: (faults: string) => DocqaBehaviour;
  evalJobMs?: number;
  live?: LiveAnalysis;
}

/** utils/rollout/rolloututil.go CanaryStepString, for the steps the model runs. */
function canaryStepString(step: Step): string {
  if (step.setWeight !== undefined) return `setWeight: ${step.setWeight}`;
  if (step.pause) return step.pause.duration === undefined ? 'pause' : `pause: ${step.pause.duration}`;
  if (step.analysis) return 'analysis';
  return 'invalid';
}

interface CanaryStrategy {
  steps?: Step[];
  stableService?: string;
  canaryService?: string;
  abortScaleDownDelaySeconds?: number;
  trafficRouting?: unknown;
}

/**
 * How long an aborted canary keeps its pods (rollout/replicaset.go shouldDelayScaleDownOnAbort): only a canary with
 * traffic routing waits, abortScaleDownDelaySeconds or 30 s (utils/defaults GetAbortScaleDownDelaySecondsOrDefault);
 * a basic canary, like the lab's, is scaled down at once (its set weight is 0 once aborted, canary.go).
 */
export function abortScaleDownDelay(canary: CanaryStrategy | undefined): number {
  if (!canary?.trafficRouting) return 0;
  return canary.abortScaleDownDelaySeconds ?? 30;
}

export class RolloutsModel {
  private stable?: { hash: string; template: unknown };
  private canary?: Canary;
  private stop_?: () => void;
  private busy = false;
  /** The progress-deadline check queued by the last status (rollout/sync.go requeueStuckRollout). */
  private progressCheck?: () => void;

  constructor(
    private readonly cluster: SimCluster,
    private readonly options: RolloutsOptions,
    private readonly ns = 'docqa',
    private readonly name = 'docqa',
  ) {
    this.events = eventRecorder(cluster, options.clock, 'rollouts-controller');
  }

  private readonly events: EventRecorder;

  private get clock(): Clock {
    return this.options.clock;
  }

  private rollout(): KubeObject | undefined {
    return this.cluster.get(...ROLLOUT, this.name, this.ns);
  }

  start(): this {
    const live = this.rollout();
    const template = (live?.spec as { template?: unknown } | undefined)?.template;
    this.stable = { hash: podTemplateHash(template), template };
    this.reconcile();
    this.stop_ = this.cluster.onChange((event) => {
      if (this.busy) return;
      const o = event.object;
      // rollout/controller.go: a change to one of the Rollout's ReplicaSets queues the Rollout too.
      const owner = controllerOf(o);
      const mine =
        (o.kind === 'Rollout' && o.metadata?.name === this.name) ||
        (o.kind === 'Pod' && o.metadata?.namespace === this.ns && o.metadata?.labels?.[HASH_LABEL]) ||
        (o.kind === 'ReplicaSet' &&
          o.metadata?.namespace === this.ns &&
          owner?.kind === 'Rollout' &&
          owner.name === this.name);
      if (mine) this.cluster.defer(() => this.reconcile());
    });
    return this;
  }

  stop(): void {
    this.stop_?.();
    this.progressCheck?.();
    for (const t of this.canary?.timers ?? []) t();
  }

  private later(ms: number, fn: () => void): void {
    const canary = this.canary;
    if (!canary) return;
    canary.timers.push(
      this.clock.setTimer(ms, () => {
        if (this.canary === canary) fn();
      }),
    );
  }

  /**
   * The active pods of a template (of every template without `hash`), as its ReplicaSet's status counts them (replicaset.ts podActive: not Terminating,
   * not finished); the Rollout's status is made of those counts (rollout/sync.go, GetActualReplicaCountForReplicaSets).
   */
  private pods(hash?: string): KubeObject[] {
    return this.cluster.list('v1', 'Pod', this.ns).filter((p) => {
      const podHash = p.metadata?.labels?.[HASH_LABEL];
      return podHash && (hash === undefined || podHash === hash) && podActive(p);
    });
  }

  /** The ReplicaSet of a template (`<rollout>-<hash>`), if it exists. */
  private replicaSet(hash: string): ReplicaSet | undefined {
    return this.cluster.get('apps/v1', 'ReplicaSet', `${this.name}-${hash}`, this.ns) as
      | ReplicaSet
      | undefined;
  }

  /**
   * Keeps `count` pods of a template by setting its ReplicaSet's spec.replicas and, as rollout/sync.go
   * scaleReplicaSet does, its desired-replicas annotation (utils/annotations/annotations.go SetReplicasAnnotations).
   * With `pods` (the template, and whether the model marks its pods as canary pods), the ReplicaSet is created when
   * missing (rollout/sync.go getNewReplicaSet; the pods are the ReplicaSet controller's, replicaset.ts) and its pod
   * template's labels are kept to the template's; without, only an existing ReplicaSet is resized (a scale-down:
   * rollout/canary.go scaleDownOldReplicaSetsForCanary, rollout/replicaset.go reconcileOtherReplicaSets). The canary
   * marker is a simulation marker (read by live/processes.ts), not a Rollouts behaviour.
   */
  private scale(hash: string, count: number, pods?: { template: unknown; canary: boolean }): void {
    const live = this.rollout();
    if (!live) return;
    const current = this.replicaSet(hash);
    const desired = pods && this.desiredReplicaSet(live, hash, pods.template, count, pods.canary);
    if (!current) {
      if (!desired) return;
      this.cluster.seed(desired);
      // rollout/sync.go createDesiredReplicaSet: the Rollout takes the new ReplicaSet's revision once it is created.
      if (this.isNew(live, hash)) this.replicaSetCreated(desired);
      // Upstream creates it at 0 replicas and scales it up (scaleReplicaSetAndRecordEvent).
      this.scaled(desired, 0, count);
      return;
    }
    const replicas = String((live.spec as { replicas?: number } | undefined)?.replicas ?? 1);
    // rollout/sync.go syncReplicaSetRevision: the new ReplicaSet's revision (and copied annotations) kept up.
    const synced = this.isNew(live, hash)
      ? newReplicaSetAnnotations(
          live.metadata?.annotations,
          current.metadata?.annotations,
          this.revisionFor(hash),
        ).annotations
      : current.metadata?.annotations;
    const annotations: Record<string, string> = { ...synced, [DESIRED_REPLICAS]: replicas };
    const next = {
      replicas: count,
      annotations,
      labels: desired ? desired.spec?.template?.metadata?.labels : current.spec?.template?.metadata?.labels,
    };
    const now = {
      replicas: current.spec?.replicas,
      annotations: current.metadata?.annotations,
      labels: current.spec?.template?.metadata?.labels,
    };
    if (isDeepStrictEqual(next, now)) return;
    this.cluster.update('apps/v1', 'ReplicaSet', `${this.name}-${hash}`, this.ns, (o) => {
      const rs = o as ReplicaSet;
      rs.metadata = { ...rs.metadata, annotations };
      rs.spec = {
        ...rs.spec,
        replicas: count,
        template: { ...rs.spec?.template, metadata: { ...rs.spec?.template?.metadata, labels: next.labels } },
      };
    });
    this.scaled({ metadata: { name: current.metadata?.name, annotations } }, now.replicas ?? 1, count);
  }

  /**
   * The ReplicaSet of a template, as rollout/sync.go getNewReplicaSet creates it (replicaSetFor), the hash under
   * DefaultRolloutUniqueLabelKey (pkg/apis/rollouts/v1alpha1/types.go), with the annotations of
   * utils/annotations/annotations.go: SetNewReplicaSetAnnotations' (the revision, rollouts-revisions.ts) and
   * DesiredReplicasAnnotation, the Rollout's spec.replicas (SetReplicasAnnotations).
   */
  private desiredReplicaSet(
    live: KubeObject,
    hash: string,
    template: unknown,
    count: number,
    canary: boolean,
  ): ReplicaSet {
    const spec = live.spec as { replicas?: number; minReadySeconds?: number; selector?: LabelSelector };
    return replicaSetFor({
      owner: live,
      namespace: this.ns,
      hashLabel: HASH_LABEL,
      hash,
      template: (template ?? {}) as PodTemplate,
      selector: spec.selector,
      minReadySeconds: spec.minReadySeconds,
      replicas: count,
      annotations: {
        ...newReplicaSetAnnotations(
          live.metadata?.annotations,
          {},
          this.isNew(live, hash) ? this.revisionFor(hash) : 0,
        ).annotations,
        [DESIRED_REPLICAS]: String(spec.replicas ?? 1),
      },
      podLabels: canary ? { [CANARY_MARKER]: 'true' } : {},
    });
  }

  /**
   * rollout/sync.go syncReplicaSetRevision, at the start of a reconcile (rollout/canary.go rolloutCanary
   * getAllReplicaSetsAndSyncRevision): when the new ReplicaSet exists, its annotations are brought in step
   * (rollouts-revisions.ts newReplicaSetAnnotations) and, if that changed them, the update queues the Rollout again
   * (rollout/controller.go watches its ReplicaSets) and this reconcile leaves the Rollout's revision alone; a
   * reconcile that finds them in step gives the Rollout the ReplicaSet's revision (setRolloutRevision).
   */
  private syncRevision(live: KubeObject, found: ReplicaSet[], hash: string): void {
    const name = `${this.name}-${hash}`;
    const rs = found.find((r) => r.metadata?.name === name);
    if (!rs) return;
    const synced = newReplicaSetAnnotations(
      live.metadata?.annotations,
      rs.metadata?.annotations,
      nextRevision(found.filter((r) => r.metadata?.name !== name)),
    );
    if (!synced.changed) {
      this.setRolloutRevision(rs.metadata?.annotations?.[REVISION] ?? '');
      // syncReplicaSetRevision: a Rollout without a Progressing condition starts counting progress from here.
      if (!getCondition((this.rollout()?.status ?? {}) as RolloutStatusView, 'Progressing'))
        this.setProgressing('FoundNewReplicaSet', `Found new replica set "${name}"`);
      return;
    }
    this.cluster.update('apps/v1', 'ReplicaSet', name, this.ns, (o) => {
      o.metadata = { ...o.metadata, annotations: synced.annotations };
    });
    this.cluster.defer(() => this.reconcile());
  }

  /**
   * rollout/sync.go setRolloutRevision: the Rollout's `rollout.argoproj.io/revision` annotation set to `revision`,
   * and a `RolloutUpdated` event when it changes (rollouts-revisions.ts rolloutRevisionUpdate).
   */
  private setRolloutRevision(revision: string): void {
    const live = this.rollout();
    const message = live && rolloutRevisionUpdate(live.metadata?.annotations, revision);
    if (!live || !message) return;
    this.cluster.update(...ROLLOUT, this.name, this.ns, (o) => {
      o.metadata = { ...o.metadata, annotations: { ...o.metadata?.annotations, [REVISION]: revision } };
    });
    this.events.record(live, 'Normal', 'RolloutUpdated', message);
  }

  /**
   * rollout/sync.go createDesiredReplicaSet, once the new ReplicaSet exists: the Rollout takes its revision
   * (setRolloutRevision), records `NewReplicaSetCreated` "Created ReplicaSet x (revision N)" and its Progressing
   * condition becomes True NewReplicaSetCreated "Created new replica set \"x\"" (written at once, UpdateStatus).
   */
  private replicaSetCreated(rs: ReplicaSet): void {
    const revision = rs.metadata?.annotations?.[REVISION] ?? '';
    this.setRolloutRevision(revision);
    const live = this.rollout();
    if (!live) return;
    const name = rs.metadata?.name ?? '';
    this.events.record(
      live,
      'Normal',
      'NewReplicaSetCreated',
      `Created ReplicaSet ${name} (revision ${revision})`,
    );
    this.setProgressing('NewReplicaSetCreated', `Created new replica set "${name}"`);
  }

  /** The Rollout's Progressing condition set True with `reason` (SetRolloutCondition), written at once. */
  private setProgressing(reason: string, message: string): void {
    const live = this.rollout();
    if (!live) return;
    const status = { ...(live.status as RolloutStatusView | undefined) };
    setCondition(status, newCondition('Progressing', 'True', reason, message, kubeTime(this.clock.now())));
    if (isDeepStrictEqual(status.conditions, (live.status as RolloutStatusView | undefined)?.conditions))
      return;
    this.cluster.update(...ROLLOUT, this.name, this.ns, (o) => {
      o.status = { ...(o.status as object), conditions: status.conditions };
    });
  }

  /**
   * rollout/sync.go scaleReplicaSet: a ReplicaSet whose size changes records `ScalingReplicaSet` "Scaled up|down
   * ReplicaSet x (revision N) from A to B" on the Rollout, N the ReplicaSet's revision after the update.
   */
  private scaled(rs: Pick<ReplicaSet, 'metadata'>, from: number, to: number): void {
    const live = this.rollout();
    if (!live || from === to) return;
    const revision = Number(rs.metadata?.annotations?.[REVISION] ?? 0);
    this.events.record(
      live,
      'Normal',
      'ScalingReplicaSet',
      `Scaled ${from < to ? 'up' : 'down'} ReplicaSet ${rs.metadata?.name} (revision ${revision}) from ${from} to ${to}`,
    );
  }

  /**
   * rollout/analysis.go reconcileAnalysisRuns' clean-up: of the AnalysisRuns the Rollout controls, all but the
   * current step's run (utils/analysis/filter.go FilterCurrentRolloutAnalysisRuns), those
   * rollouts-analysis-history.ts analysisRunsToDelete names are deleted (deleteAnalysisRuns), their Jobs with them
   * (the garbage collector's background propagation, workqueue.ts collectDependents). An aborted rollout skips it
   * (reconcileAnalysisRuns only cancels its runs then).
   */
  private pruneAnalysisRuns(live: KubeObject): void {
    if (this.canary?.aborted) return;
    const runs = this.cluster
      .list('argoproj.io/v1alpha1', 'AnalysisRun', this.ns)
      .filter(
        (run) => controllerUid(run) === live.metadata?.uid && run.metadata?.name !== this.canary?.run?.name,
      );
    const limits = runHistoryLimits(live.spec as Parameters<typeof runHistoryLimits>[0]);
    for (const run of analysisRunsToDelete(runs, this.replicaSets(live), limits)) {
      if (run.metadata?.deletionTimestamp) continue;
      this.cluster.remove('argoproj.io/v1alpha1', 'AnalysisRun', run.metadata?.name ?? '', this.ns);
      collectDependents(this.cluster, run, 'batch/v1', 'Job');
    }
  }

  /**
   * rollout/sync.go reconcileRevisionHistoryLimit, as rollout/canary.go rolloutCanary runs it: after the new
   * ReplicaSet's revision is synced and before any scaling, over the ReplicaSets as the reconcile found them
   * (`found`: what the model has already scaled in this reconcile does not count), all but the new and the stable
   * one (utils/replicaset/canary.go GetOtherRSs); which ones go is rollouts-revisions.ts replicaSetsToDelete. A ReplicaSet scaled down in this reconcile goes in a later one, once
   * the ReplicaSet controller has seen its pods gone (its status changes queue the Rollout again). With a ReplicaSet
   * go the AnalysisRuns of its hash that are not the current ones (utils/analysis/filter.go
   * SortAnalysisRunByPodHash, rollout/analysis.go deleteAnalysisRuns). The garbage collector's part is played as
   * elsewhere in the sim: the ReplicaSet controller deletes a deleted ReplicaSet's pods (replicaset.ts), and here a
   * deleted AnalysisRun's Jobs go (background propagation, workqueue.ts collectDependents).
   */
  private cleanUp(live: KubeObject, found: ReplicaSet[], newHash: string): void {
    const current = new Set([`${this.name}-${newHash}`, `${this.name}-${this.stable?.hash}`]);
    const others = found.filter((rs) => !current.has(rs.metadata?.name ?? ''));
    const limit = revisionHistoryLimit(live.spec as { revisionHistoryLimit?: number } | undefined);
    for (const rs of replicaSetsToDelete(others, limit)) {
      if (!this.cluster.get('apps/v1', 'ReplicaSet', rs.metadata?.name ?? '', this.ns)) continue;
      this.cluster.remove('apps/v1', 'ReplicaSet', rs.metadata?.name ?? '', this.ns);
      const hash = rs.metadata?.labels?.[HASH_LABEL];
      if (!hash) continue;
      for (const run of this.cluster.list('argoproj.io/v1alpha1', 'AnalysisRun', this.ns)) {
        const ours = controllerUid(run) === live.metadata?.uid;
        const currentRun = run.metadata?.name === this.canary?.run?.name;
        if (
          !ours ||
          currentRun ||
          run.metadata?.labels?.[HASH_LABEL] !== hash ||
          run.metadata?.deletionTimestamp
        )
          continue;
        this.cluster.remove('argoproj.io/v1alpha1', 'AnalysisRun', run.metadata?.name ?? '', this.ns);
        collectDependents(this.cluster, run, 'batch/v1', 'Job');
      }
    }
  }

  /** The ReplicaSets the Rollout controls. */
  private replicaSets(live: KubeObject): ReplicaSet[] {
    const uid = live.metadata?.uid;
    return this.cluster.list('apps/v1', 'ReplicaSet', this.ns).filter((rs) => controllerUid(rs) === uid);
  }

  /** Whether `hash` is the Rollout's pod template's: its ReplicaSet is the new one (FindNewReplicaSet). */
  private isNew(live: KubeObject, hash: string): boolean {
    return podTemplateHash((live.spec as { template?: unknown } | undefined)?.template) === hash;
  }

  /** The revision of the template's ReplicaSet as the new one: above every other's (rollouts-revisions.ts). */
  private revisionFor(hash: string): number {
    const live = this.rollout();
    const name = `${this.name}-${hash}`;
    return nextRevision(live ? this.replicaSets(live).filter((rs) => rs.metadata?.name !== name) : []);
  }

  private endCanary(): void {
    if (!this.canary) return;
    if (this.canary.run) this.cancelRun(this.canary.run);
    for (const t of this.canary.timers) t();
    this.scale(this.canary.hash, 0);
    this.canary = undefined;
  }

  reconcile(): void {
    const live = this.rollout();
    if (!live || !this.stable) return;
    // A Rollout marked for deletion is not reconciled (rollout/controller.go syncHandler: "No reconciliation as
    // rollout marked for deletion"); the garbage collector removes its ReplicaSets and AnalysisRuns.
    if (live.metadata?.deletionTimestamp) return;
    this.busy = true;
    try {
      this.step(live);
    } finally {
      this.busy = false;
    }
  }

  private step(live: KubeObject): void {
    const stable = this.stable as { hash: string; template: unknown };
    const spec = live.spec as {
      replicas?: number;
      template?: unknown;
      progressDeadlineSeconds?: number;
      strategy?: { canary?: CanaryStrategy };
    };
    const replicas = spec.replicas ?? 1;
    const hash = podTemplateHash(spec.template);
    this.checkPausedConditions(live);
    // The ReplicaSets as this reconcile found them (rollout/controller.go newRolloutContext lists them first).
    const found = this.replicaSets(live);
    this.syncRevision(live, found, hash);
    // rollout/canary.go rolloutCanary: a reconcile that finds a new update (utils/replicaset/replicaset.go
    // PodTemplateOrStepsChanged: a pod template that is not status.currentPodHash, or steps whose hash is not
    // status.currentStepHash, rollouts-steps.ts) only syncs the status; the clean-up waits for the next.
    const status = live.status as
      | { currentPodHash?: string; currentStepHash?: string; stableRS?: string }
      | undefined;
    const templateChanged = status?.currentPodHash !== hash;
    const newSteps = stepsChanged(status?.currentStepHash, spec.strategy);
    this.scale(stable.hash, replicas, { template: stable.template, canary: false });

    if (hash === stable.hash) this.endCanary();
    else if (this.canary?.hash !== hash) {
      this.endCanary();
      this.canary = {
        hash,
        revision: this.revisionFor(hash),
        step: 0,
        timers: [],
      };
    } else if (newSteps) this.restartSteps(this.canary);
    if (this.canary) this.applyManualChanges(live, this.canary);
    if (templateChanged || newSteps) this.skipSteps(live, found, hash, status?.stableRS);
    else {
      this.cleanUp(live, found, hash);
      this.reconcileServices(live, status?.stableRS, hash);
      this.pruneAnalysisRuns(live);
    }

    const canary = this.canary;
    if (canary) {
      const steps = spec.strategy?.canary?.steps ?? [];
      let weight = 0;
      for (let i = 0; i < Math.min(canary.step + 1, steps.length); i++)
        weight = steps[i]?.setWeight ?? weight;
      if (canary.step >= steps.length) weight = 100;
      const want = canary.aborted ? 0 : Math.ceil((weight / 100) * replicas);
      // An aborted canary keeps its size until the scale-down delay is over (abort() then scales it to 0).
      if (!canary.aborted) this.scale(hash, want, { template: spec.template, canary: true });
      const pods = this.pods(hash);
      const ready = pods.filter(podReady).length;
      // rollout/canary.go completedCurrentCanaryStep and reconcileCanaryPause: a Rollout paused by a person
      // (spec.paused, `kubectl argo rollouts pause`) completes no step until it is resumed.
      const userPaused = (live.spec as { paused?: boolean } | undefined)?.paused === true;
      if (!canary.aborted && !canary.paused && !userPaused) {
        this.advance(canary, steps, want, ready, spec, live);
        if (this.canary !== canary) {
          this.step(this.rollout() as KubeObject);
          return;
        }
      }
    }
    // The status of this reconcile, an abort or pause it just decided included (rollout/sync.go).
    this.writeStatus(hash);
  }

  /**
   * rollout/sync.go checkPausedConditions at the start of a reconcile (rollouts-conditions.ts), on the status the
   * reconcile found; the patch is written at once.
   */
  private checkPausedConditions(live: KubeObject): void {
    const paused = (live.spec as { paused?: boolean } | undefined)?.paused ?? false;
    const conditions = checkPausedConditions(
      { paused, now: this.clock.now() },
      (live.status ?? {}) as RolloutStatusView,
    );
    if (!conditions) return;
    this.cluster.update(...ROLLOUT, this.name, this.ns, (o) => {
      o.status = { ...(o.status as object), conditions };
    });
  }

  /**
   * rollout/service.go reconcileStableAndCanaryService (rollouts-services.ts ensureServiceTarget): the stable
   * Service to status.stableRS's ReplicaSet; the canary Service to the new ReplicaSet, or to the stable one when the
   * Rollout is aborted without traffic routing. (Its wait for an undersized stable ReplicaSet, isDynamicallyRolling-
   * BackToStable, needs dynamicStableScale, which the model does not run.) As upstream, it runs before the reconcile
   * scales anything, on the ReplicaSets as they are.
   */
  private reconcileServices(live: KubeObject, stableRS: string | undefined, hash: string): void {
    const canary = (live.spec as { strategy?: { canary?: CanaryStrategy } } | undefined)?.strategy?.canary;
    const stable = stableRS ? this.replicaSet(stableRS) : undefined;
    const switched = (message: string) => this.events.record(live, 'Normal', 'SwitchService', message);
    ensureServiceTarget(this.cluster, live, canary?.stableService, stable, HASH_LABEL, switched);
    const aborted = this.canary?.aborted && !canary?.trafficRouting;
    const target = aborted ? stable : this.replicaSet(hash);
    ensureServiceTarget(this.cluster, live, canary?.canaryService, target, HASH_LABEL, switched);
  }

  /**
   * New steps for the same canary (a steps hash that is not status.currentStepHash): rollout/canary.go
   * syncRolloutStatusCanary resets the status as for a new update (rollout/sync.go resetRolloutStatus): the steps
   * start again at 0 (utils/replicaset/replicaset.go ResetCurrentStepIndex), pause conditions and the abort are
   * cleared, and the current step's AnalysisRun is no longer current, so it is cancelled (rollout/analysis.go
   * cancelAnalysisRuns). The canary's ReplicaSet and revision stay: no new ReplicaSet. A change of steps counts as
   * progress (utils/conditions/conditions.go RolloutProgressing: the step hash changed).
   */
  private restartSteps(canary: Canary): void {
    if (canary.run) this.cancelRun(canary.run);
    canary.run = undefined;
    canary.step = 0;
    canary.aborted = false;
    canary.abortedAt = undefined;
    canary.abortMessage = undefined;
    canary.paused = false;
    canary.pausedAt = undefined;
    canary.pauseStepAt = undefined;
  }

  /**
   * What a person patched since the model's last status (rollouts-manual.ts: the kubectl-argo-rollouts plugin's
   * abort, retry, promote and promote --full), applied as rollout/canary.go syncRolloutStatusCanary and
   * rollout/analysis.go reconcileAnalysisRuns react to it: an abort or a full promotion terminates the current step's
   * AnalysisRun (isAborted / PromoteFull: the runs are cancelled); a retry starts the steps again at 0 (the aborted
   * status' currentStepIndex); a skipped step's run is no longer the current one and is cancelled
   * (cancelAnalysisRuns).
   */
  private applyManualChanges(live: KubeObject, canary: Canary): void {
    const spec = live.spec as { strategy?: { canary?: CanaryStrategy } } | undefined;
    const steps = spec?.strategy?.canary?.steps ?? [];
    const changes = manualChanges(
      (live.status ?? {}) as ManualStatus,
      {
        hash: canary.hash,
        step: canary.step,
        aborted: canary.aborted ?? false,
        inconclusivePause: canary.paused ?? false,
        pauseStep: canary.pauseStepAt !== undefined,
        promoteFull: canary.promoteFull ?? false,
      },
      computeStepHash(spec?.strategy as Parameters<typeof computeStepHash>[0]),
      steps.length,
    );
    const leaveStep = () => {
      if (canary.run) this.cancelRun(canary.run);
      canary.run = undefined;
      canary.paused = false;
      canary.pausedAt = undefined;
      canary.pauseStepAt = undefined;
      canary.pauseStepResumed = false;
    };
    for (const change of changes) {
      if (change.kind === 'abort') {
        leaveStep();
        this.abort(canary, undefined, abortScaleDownDelay(spec?.strategy?.canary));
      } else if (change.kind === 'retry' || change.kind === 'promote-full') {
        leaveStep();
        canary.aborted = false;
        canary.abortedAt = undefined;
        canary.abortMessage = undefined;
        if (change.kind === 'retry') canary.step = 0;
        else {
          canary.promoteFull = true;
          canary.step = steps.length;
        }
      } else if (change.kind === 'skip-to') {
        leaveStep();
        canary.step = change.step;
      } else if (change.kind === 'rerun-analysis') {
        // The Inconclusive run stays as it is (completed); the step starts a new one (named `<name>.1`).
        canary.run = undefined;
        canary.paused = false;
        canary.pausedAt = undefined;
      } else canary.pauseStepResumed = true;
    }
  }

  /**
   * rollout/canary.go syncRolloutStatusCanary, on a new update whose new ReplicaSet is the stable one (a template
   * back to the stable one, or new steps on a promoted Rollout): the Rollout skips its steps, with the event
   * `SkipSteps` "Rollback to stable ReplicaSets". Only with steps, and not on the first reconcile (no stable yet).
   */
  private skipSteps(live: KubeObject, found: ReplicaSet[], hash: string, stableRS: string | undefined): void {
    const steps = (live.spec as { strategy?: { canary?: CanaryStrategy } } | undefined)?.strategy?.canary
      ?.steps;
    const exists = found.some((rs) => rs.metadata?.name === `${this.name}-${hash}`);
    if (exists && (steps?.length ?? 0) > 0 && stableRS === hash)
      this.events.record(live, 'Normal', 'SkipSteps', 'Rollback to stable ReplicaSets');
  }

  private advance(
    canary: Canary,
    steps: Step[],
    want: number,
    ready: number,
    spec: {
      replicas?: number;
      template?: unknown;
      strategy?: { canary?: CanaryStrategy };
    },
    live: KubeObject,
  ): void {
    const now = this.clock.now();
    for (;;) {
      const step = steps[canary.step];
      if (!step) {
        // Every step done: the canary becomes stable.
        if (ready < (spec.replicas ?? 1)) {
          this.scale(canary.hash, spec.replicas ?? 1, { template: spec.template, canary: true });
          return;
        }
        // No traffic routing: the old stable ReplicaSet is scaled to 0 once the new one is full
        // (rollout/canary.go scaleDownOldReplicaSetsForCanary); its pods are the ReplicaSet controller's to delete.
        const old = this.stableHashBefore(canary);
        this.stable = { hash: canary.hash, template: spec.template };
        // rollout/sync.go promoteStable: the stable switched (shouldFullPromote gives the reason).
        this.events.record(
          live,
          'Normal',
          'RolloutCompleted',
          `Rollout completed update to revision ${canary.revision} (${canary.hash}): ${
            canary.promoteFull ? 'Full promotion requested' : `Completed all ${steps.length} canary steps`
          }`,
        );
        for (const t of canary.timers) t();
        this.canary = undefined;
        if (old) this.scale(old, 0);
        this.unmarkCanary(canary.hash, spec.template, spec.replicas ?? 1);
        return;
      }
      if (step.setWeight !== undefined) {
        // `want` was sized for the step this reconcile started at; a step reached in this pass sizes its own.
        const stepWant = Math.max(want, Math.ceil((step.setWeight / 100) * (spec.replicas ?? 1)));
        if (ready < stepWant) {
          this.scale(canary.hash, stepWant, { template: spec.template, canary: true });
          return;
        }
      } else if (step.pause) {
        // rollout/canary.go reconcileCanaryPause: the step pauses the Rollout (pause condition CanaryPauseStep, its
        // startTime now); pauseContext.CompletedCanaryPauseStep: done once its duration is over, the condition
        // removed (syncRolloutStatusCanary RemovePauseCondition).
        canary.pauseStepAt ??= now;
        const ms = seconds(step.pause.duration, Number.POSITIVE_INFINITY);
        if (canary.pauseStepResumed) canary.pauseStepResumed = false;
        else if (now - canary.pauseStepAt < ms) {
          if (Number.isFinite(ms)) this.later(canary.pauseStepAt + ms - now, () => this.reconcile());
          return;
        }
        canary.pauseStepAt = undefined;
      } else if (step.analysis) {
        if (!canary.run) this.startAnalysis(canary, step, live);
        const run = canary.run;
        if (!run || run.phase === 'Running' || run.phase === 'Pending') return;
        if (run.phase === 'Failed' || run.phase === 'Error') {
          this.abort(canary, run.message, abortScaleDownDelay(spec.strategy?.canary));
          return;
        }
        if (run.phase === 'Inconclusive') {
          canary.paused = true;
          canary.pausedAt = now;
          return;
        }
        canary.run = undefined;
      }
      canary.step++;
      // rollout/canary.go: the step just completed, counted from 1 (utils/rollout CanaryStepString names it).
      this.events.record(
        live,
        'Normal',
        'RolloutStepCompleted',
        `Rollout step ${canary.step}/${steps.length} completed (${canaryStepString(step)})`,
      );
    }
  }

  /**
   * The promoted canary's pods lose the model's marker label: the model takes it off its ReplicaSet's template and
   * off the pods directly (a simulation marker, not a Rollouts behaviour; live/processes.ts reads it).
   */
  private unmarkCanary(hash: string, template: unknown, replicas: number): void {
    this.scale(hash, replicas, { template, canary: false });
    for (const pod of this.pods(hash))
      if (pod.metadata?.labels?.[CANARY_MARKER])
        this.cluster.update('v1', 'Pod', pod.metadata?.name ?? '', this.ns, (o) => {
          delete o.metadata?.labels?.[CANARY_MARKER];
        });
  }

  private stableHashBefore(canary: Canary): string {
    return this.stable && this.stable.hash !== canary.hash ? this.stable.hash : '';
  }

  private abort(canary: Canary, message: string | undefined, delaySeconds: number): void {
    canary.aborted = true;
    canary.abortedAt = this.clock.now();
    // rollout/analysis.go pauseContext.AddAbort(run.Status.Message); rollout/sync.go calculateRolloutConditions
    // prefixes the revision in the Progressing condition and records the RolloutAborted Warning when it changes.
    // A person's abort (status.abort) carries no message.
    canary.abortMessage = message;
    // The canary ReplicaSet goes to 0 after the delay abortScaleDownDelay gives (0 for a basic canary).
    this.later(delaySeconds * 1000, () => {
      this.scale(canary.hash, 0);
      this.reconcile();
    });
  }

  private startAnalysis(canary: Canary, step: Step, live: KubeObject): void {
    const templateName = step.analysis?.templates?.[0]?.templateName ?? '';
    const template = this.cluster.get('argoproj.io/v1alpha1', 'AnalysisTemplate', templateName, this.ns);
    // rollout/analysis.go newAnalysisRunFromRollout names it <rollout>-<hash>-<revision>-<step>; a name taken (a step
    // run again after new steps) gets .1, .2, ... (utils/analysis/helpers.go CreateWithCollisionCounter).
    const base = `${this.name}-${canary.hash}-${canary.revision}-${canary.step}`;
    let name = base;
    for (let n = 1; this.cluster.get('argoproj.io/v1alpha1', 'AnalysisRun', name, this.ns); n++)
      name = `${base}.${n}`;
    const run: SimRun = {
      name,
      phase: 'Running',
      startedAt: new Date(this.clock.now()),
      metrics: [],
      results: [],
      inFlight: new Map(),
    };
    canary.run = run;
    try {
      if (!template) throw new Error(`AnalysisTemplate ${JSON.stringify(templateName)} not found`);
      const parsed = templateFromObject(template as Record<string, unknown>, templateName);
      run.metrics = resolveMetrics(parsed, { args: { 'canary-hash': canary.hash } });
      run.results = run.metrics.map((m) => emptyResult<string>(m.name));
    } catch (error) {
      // analysis/analysis.go reconcileAnalysisRun: a run whose metrics do not resolve or validate is Error.
      run.phase = 'Error';
      run.message = error instanceof Error ? error.message : String(error);
    }
    this.cluster.seed({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisRun',
      metadata: {
        name,
        namespace: this.ns,
        annotations: { 'rollout.argoproj.io/revision': String(canary.revision) },
        // utils/analysis/factory.go StepLabels: the hash, rollout-type Step and the step's index.
        labels: { [HASH_LABEL]: canary.hash, 'rollout-type': 'Step', 'step-index': String(canary.step) },
        // metav1.NewControllerRef: the Rollout is the run's controller.
        ownerReferences: [
          {
            apiVersion: 'argoproj.io/v1alpha1',
            kind: 'Rollout',
            name: this.name,
            uid: live.metadata?.uid,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: {
        metrics: (template?.spec as { metrics?: unknown[] } | undefined)?.metrics ?? [],
        args: [{ name: 'canary-hash', value: canary.hash }],
      },
      status: {
        phase: run.phase,
        startedAt: run.startedAt.toISOString(),
        ...(run.message ? { message: run.message } : {}),
      },
    });
    if (run.phase !== 'Running') {
      this.cluster.defer(() => this.reconcile());
      return;
    }
    for (let i = 0; i < run.metrics.length; i++) this.schedule(canary, run, i);
  }

  /** Takes the metric's next measurement when it is due (calculateNextReconcileTime), if it takes one more. */
  private schedule(canary: Canary, run: SimRun, i: number): void {
    const metric = run.metrics[i] as ResolvedMetric;
    const at = nextMeasurementAt(metric, run.results[i] as MetricResult<string>, run.startedAt);
    if (!at) return;
    this.later(Math.max(0, at.getTime() - this.clock.now()), () => {
      if (run.phase !== 'Running') return;
      if (metric.providerKind === 'job') this.runJob(canary, run, i);
      else this.measure(canary, run, i);
    });
  }

  private runJob(canary: Canary, run: SimRun, i: number): void {
    const metric = run.metrics[i] as ResolvedMetric;
    const result = run.results[i] as MetricResult<string>;
    const uid =
      this.cluster.get('argoproj.io/v1alpha1', 'AnalysisRun', run.name, this.ns)?.metadata?.uid ?? run.name;
    // metricproviders/job/job.go newJobName: <run uid>.<metric>.<measurements taken + errors + 1>.
    const jobName = `${uid}.${metric.name}.${result.count + result.error + 1}`;
    const faults = faultsOf(this.cluster, this.pods(canary.hash)[0] ?? {});
    const passes = (this.options.behaviour ?? docqaBehaviour)(faults).evalPasses;
    const started = this.clock.now();
    const window = { hash: canary.hash, from: started } as { hash: string; from: number; to?: number };
    this.options.prometheus.traffic.push(window);
    const job = metric.provider as { spec?: { activeDeadlineSeconds?: number } };
    this.cluster.seed({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name: jobName,
        namespace: this.ns,
        labels: { 'analysisrun.argoproj.io/uid': uid },
        annotations: {
          'analysisrun.argoproj.io/name': run.name,
          'analysisrun.argoproj.io/namespace': this.ns,
          'analysisrun.argoproj.io/metric-name': metric.name,
        },
        // newMetricJob: the AnalysisRun is the Job's controller owner.
        ownerReferences: [
          {
            apiVersion: 'argoproj.io/v1alpha1',
            kind: 'AnalysisRun',
            name: run.name,
            uid,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: job.spec ?? {},
      status: { active: 1, startTime: new Date(started).toISOString() },
    });
    const controller = new AbortController();
    run.inFlight.set(i, {
      startedAt: new Date(started),
      job: jobName,
      stop: () => {
        window.to = this.clock.now();
        controller.abort(new Error('the AnalysisRun terminated the Job'));
      },
    });
    this.writeRun(run);
    const finish = (succeeded: boolean, message: string) => {
      // A run that ended meanwhile (another metric failed) has terminated the Job: its result no longer counts.
      if (!run.inFlight.has(i) || this.canary !== canary) return;
      run.inFlight.delete(i);
      window.to = this.clock.now();
      this.cluster.update('batch/v1', 'Job', jobName, this.ns, (o) => {
        o.status = succeeded
          ? { succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] }
          : {
              failed: 1,
              conditions: [
                {
                  type: 'Failed',
                  status: 'True',
                  reason: /deadline/i.test(message) ? 'DeadlineExceeded' : 'BackoffLimitExceeded',
                  ...(message ? { message } : {}),
                },
              ],
            };
      });
      this.record(canary, run, i, {
        phase: succeeded ? 'Successful' : 'Failed',
        startedAt: new Date(started),
        finishedAt: new Date(this.clock.now()),
        // A Job measurement has no value; Argo keeps the Job's name in its metadata (job-name).
        detail: jobName,
        ...(message ? { message } : {}),
      });
    };
    const live = this.options.live;
    if (!live) {
      this.later(this.options.evalJobMs ?? 60_000, () => finish(passes, ''));
      return;
    }
    // The Job's pod runs for real; activeDeadlineSeconds counts on the lab's clock (batch/v1 JobSpec).
    const deadlineSeconds = job.spec?.activeDeadlineSeconds ?? 600;
    this.later(deadlineSeconds * 1000, () => {
      const message = `Job was active longer than specified deadline (${deadlineSeconds}s)`;
      controller.abort(new Error(message));
      finish(false, message);
    });
    canary.timers.push(() => controller.abort(new Error('the canary ended')));
    // The Job ends when the real eval ends, and no sooner than `evalJobMs` after it starts: at speed N this machine's
    // seconds count N times, and a Job in a cluster also waits for its pod to start; the sim keeps its assumption.
    const earliest = started + (this.options.evalJobMs ?? 60_000);
    live.runJob(canary.hash, job, controller.signal).then(
      (result) => {
        const wait = earliest - this.clock.now();
        if (wait <= 0) finish(result.succeeded, result.message);
        else this.later(wait, () => finish(result.succeeded, result.message));
      },
      (error: unknown) => finish(false, error instanceof Error ? error.message : String(error)),
    );
  }

  private measure(canary: Canary, run: SimRun, i: number): void {
    const metric = run.metrics[i] as ResolvedMetric;
    const started = new Date(this.clock.now());
    const query = String(metric.provider.query ?? '');
    const live = this.options.live;
    const taking: Promise<LiveMeasurement> = live?.measure
      ? live.measure(metric)
      : this.options.prometheus.query('', query).then((value) => {
          const outcome = evaluateConditions(
            value === undefined ? [] : [value],
            { successCondition: metric.successCondition, failureCondition: metric.failureCondition },
            { now: () => new Date(this.clock.now()) },
          );
          return {
            phase: outcome.phase,
            value: value === undefined ? '[]' : `[${value}]`,
            ...(outcome.phase === 'Error' ? { message: outcome.reason } : {}),
          };
        });
    void taking.then(
      (taken) => {
        if (run.phase !== 'Running' || this.canary !== canary) return;
        this.record(canary, run, i, {
          phase: taken.phase,
          startedAt: started,
          finishedAt: new Date(this.clock.now()),
          detail: taken.value,
          ...(taken.message ? { message: taken.message } : {}),
        });
      },
      () => undefined,
    );
  }

  /**
   * Adds a finished measurement, re-assesses the run (src/lab/canary/run.ts assessRun), writes the AnalysisRun's
   * status, and schedules the metric's next measurement or lets the Rollout react to a finished run.
   */
  private record(canary: Canary, run: SimRun, i: number, measurement: Measurement<string>): void {
    const metric = run.metrics[i] as ResolvedMetric;
    run.results[i] = recordMeasurement(
      run.results[i] as MetricResult<string>,
      measurement,
      metric.measurementLimit,
    );
    this.assess(run);
    // A run another metric ended is terminating: its in-flight measurements are terminated before it completes.
    if (isCompleted(run.phase) && run.inFlight.size > 0) {
      this.terminateInFlight(run);
      this.assess(run);
    }
    this.writeRun(run);
    if (isCompleted(run.phase)) {
      if (this.canary === canary) this.reconcile();
      return;
    }
    this.schedule(canary, run, i);
  }

  /**
   * analysis/analysis.go runMeasurements on a terminating run: each in-flight measurement is terminated
   * (metricproviders/job/job.go Terminate deletes the Job; the measurement is Successful, "Metric Terminated").
   */
  private terminateInFlight(run: SimRun): void {
    const now = new Date(this.clock.now());
    for (const [k, flight] of run.inFlight) {
      flight.stop();
      if (this.cluster.get('batch/v1', 'Job', flight.job, this.ns))
        this.cluster.remove('batch/v1', 'Job', flight.job, this.ns);
      run.results[k] = recordMeasurement(
        run.results[k] as MetricResult<string>,
        {
          phase: 'Successful',
          startedAt: flight.startedAt,
          finishedAt: now,
          detail: flight.job,
          message: 'Metric Terminated',
        },
        run.metrics[k]?.measurementLimit,
      );
    }
    run.inFlight.clear();
  }

  /**
   * A canary that ends before its analysis does (the template went back to stable, or another release replaced it):
   * rollout/analysis.go cancels the run (spec.terminate), and the analysis controller ends it as assessRunStatus
   * does for a terminated run ("Run Terminated", Successful unless a metric already completed worse).
   */
  private cancelRun(run: SimRun): void {
    if (run.phase !== 'Running' && run.phase !== 'Pending') return;
    this.terminateInFlight(run);
    this.assess(run, true);
    if (this.cluster.get('argoproj.io/v1alpha1', 'AnalysisRun', run.name, this.ns))
      this.cluster.update('argoproj.io/v1alpha1', 'AnalysisRun', run.name, this.ns, (o) => {
        o.spec = { ...(o.spec as object), terminate: true };
      });
    this.writeRun(run);
  }

  /** assessRun over the run's results (src/lab/canary/run.ts, after analysis/analysis.go assessRunStatus). */
  private assess(run: SimRun, terminated = false): void {
    const assessed = assessRun(run.metrics, run.results, terminated);
    const object = this.cluster.get('argoproj.io/v1alpha1', 'AnalysisRun', run.name, this.ns);
    if (object) {
      // analysis/analysis.go assessRunStatus: an event when a metric completes; recordAnalysisRunCompletionEvent
      // when the run does. Failed and Error are warnings.
      const level = (phase: AnalysisPhase) =>
        phase === 'Failed' || phase === 'Error' ? 'Warning' : 'Normal';
      assessed.results.forEach((result, k) => {
        if (isCompleted(result.phase) && result.phase !== run.results[k]?.phase)
          this.events.record(
            object,
            level(result.phase),
            `Metric${result.phase}`,
            `Metric '${result.name}' Completed. Result: ${result.phase}`,
          );
      });
      if (isCompleted(assessed.phase) && assessed.phase !== run.phase)
        this.events.record(
          object,
          level(assessed.phase),
          `AnalysisRun${assessed.phase}`,
          `Analysis Completed. Result: ${assessed.phase}`,
        );
    }
    run.results = assessed.results;
    run.phase = assessed.phase;
    run.message = assessed.message;
    run.runSummary = assessed.runSummary;
    run.dryRunSummary = assessed.dryRunSummary;
  }

  /**
   * The AnalysisRun's status: each metric's counters and measurements (a Job metric's carry the Job's name in their
   * metadata, not a value); a Job still running shows as the metric's last measurement, Running, and keeps the metric
   * Running (assessMetricStatus: an in-flight measurement).
   */
  private writeRun(run: SimRun): void {
    const job = (k: number) => run.metrics[k]?.providerKind === 'job';
    const metadata = (name: string) => ({ 'job-name': name, 'job-namespace': this.ns });
    const metricResults = run.results.map((r, k) => {
      const flight = run.inFlight.get(k);
      return {
        name: r.name,
        phase: flight ? 'Running' : r.phase,
        count: r.count,
        successful: r.successful,
        failed: r.failed,
        inconclusive: r.inconclusive,
        error: r.error,
        consecutiveError: r.consecutiveError,
        ...(run.metrics[k]?.dryRun ? { dryRun: true } : {}),
        measurements: [
          ...r.measurements.map((m) => ({
            phase: m.phase,
            ...(job(k) ? { metadata: metadata(m.detail) } : { value: m.detail }),
            ...(m.message ? { message: m.message } : {}),
            startedAt: m.startedAt.toISOString(),
            finishedAt: m.finishedAt.toISOString(),
          })),
          ...(flight
            ? [
                {
                  phase: 'Running',
                  metadata: metadata(flight.job),
                  startedAt: flight.startedAt.toISOString(),
                },
              ]
            : []),
        ],
      };
    });
    if (this.cluster.get('argoproj.io/v1alpha1', 'AnalysisRun', run.name, this.ns))
      this.cluster.update('argoproj.io/v1alpha1', 'AnalysisRun', run.name, this.ns, (o) => {
        const { message: _old, ...rest } = (o.status ?? {}) as { message?: string };
        o.status = {
          ...rest,
          phase: run.phase,
          metricResults,
          runSummary: run.runSummary,
          dryRunSummary: run.dryRunSummary,
          ...(run.message ? { message: run.message } : {}),
        };
      });
  }

  /**
   * The Rollout's status as rollout/canary.go syncRolloutStatusCanary and rollout/sync.go persistRolloutStatus write
   * it: built anew each reconcile (RolloutStatus' omitempty fields left out when empty: no `abort: false`, no empty
   * message), the conditions, phase and message of rollouts-conditions.ts from the status the reconcile found, and
   * the events they record (RolloutAborted, RolloutNotCompleted, RolloutPaused/RolloutResumed). A new status queues
   * the Rollout again (its own update does upstream); each status queues the progress-deadline check it calls for
   * (requeueStuckRollout).
   */
  private writeStatus(hash: string): void {
    const live = this.rollout();
    if (!live) return;
    const old = (live.status ?? {}) as RolloutStatusView & Record<string, unknown>;
    const spec = live.spec as {
      replicas?: number;
      paused?: boolean;
      progressDeadlineSeconds?: number;
      progressDeadlineAbort?: boolean;
      selector?: LabelSelector;
      strategy?: { canary?: CanaryStrategy };
    };
    const steps = spec.strategy?.canary?.steps ?? [];
    const canary = this.canary;
    const stableHash = this.stable?.hash ?? '';
    const pods = this.pods();
    const available = pods.filter(podReady).length;
    const pauseConditions = this.pauseConditions(canary);
    // syncRolloutStatusCanary: the current step; all of them once promoted (promoteStable), 0 once aborted.
    const stepIndex = canary ? (canary.aborted ? 0 : canary.step) : steps.length;
    const next: RolloutStatusView & Record<string, unknown> = {
      observedGeneration: String(live.metadata?.generation ?? 1),
      currentPodHash: hash,
      stableRS: stableHash,
      replicas: pods.length,
      updatedReplicas: this.pods(hash).length,
      availableReplicas: available,
      readyReplicas: available,
      // syncRolloutStatusCanary: the replicas of all the Rollout's ReplicaSets (GetActualReplicaCountForReplicaSets).
      HPAReplicas: pods.length,
      ...(canary?.aborted ? { abort: true, abortedAt: kubeTime(canary.abortedAt ?? this.clock.now()) } : {}),
      // rollout/sync.go calculateBaseStatus: a full promotion stays requested until the canary is stable.
      ...(canary?.promoteFull ? { promoteFull: true } : {}),
      ...(steps.length > 0 ? { currentStepIndex: stepIndex } : {}),
      // rollout/canary.go syncRolloutStatusCanary: the hash of the steps this status is for (rollouts-steps.ts).
      currentStepHash: computeStepHash(spec.strategy as Parameters<typeof computeStepHash>[0]),
      // rollout/canary.go: the selector the scale subresource (and so the HPA) reads.
      selector: formatLabelSelector(spec.selector),
      ...(pauseConditions.length > 0 ? { pauseConditions, controllerPause: true } : {}),
      conditions: old.conditions,
    };
    const facts: RolloutFacts = {
      name: this.name,
      generation: live.metadata?.generation ?? 1,
      replicas: spec.replicas ?? 1,
      stepCount: steps.length,
      paused: spec.paused ?? false,
      newReplicaSet: this.replicaSet(hash)?.metadata?.name,
      revision: Number(live.metadata?.annotations?.[REVISION] ?? 0),
      aborted: canary?.aborted ?? false,
      abortMessage: canary?.abortMessage,
      // rollout/sync.go isIndefiniteStep: the step the status found is a pause or an analysis, or Paused is True.
      indefiniteStep:
        !!(
          steps[old.currentStepIndex ?? steps.length]?.pause ||
          steps[old.currentStepIndex ?? steps.length]?.analysis
        ) || getCondition(old, 'Paused')?.status === 'True',
      progressDeadlineSeconds: spec.progressDeadlineSeconds ?? 600,
      progressDeadlineAbort: spec.progressDeadlineAbort === true,
      // rollout/sync.go calculateRolloutConditions: getReplicaFailures (deployment-util.ts replicaFailure).
      replicaFailure: replicaFailure(this.replicaSet(hash), this.replicaSets(live)),
      now: this.clock.now(),
    };
    const { conditions, events, abort } = calculateRolloutConditions(facts, old, next);
    next.conditions = conditions;
    if (abort && canary && !canary.aborted) {
      // spec.progressDeadlineAbort: the timeout aborts the update in this same status (pauseContext.AddAbort, then
      // CalculatePauseStatus: abort and abortedAt, no pause conditions); the canary goes as after a failed analysis.
      this.abort(canary, abort, abortScaleDownDelay(spec.strategy?.canary));
      next.abort = true;
      next.abortedAt = kubeTime(canary.abortedAt ?? this.clock.now());
      delete next.pauseConditions;
      delete next.controllerPause;
    }
    const { phase, message } = calculateRolloutPhase(facts, next);
    // RolloutStatus' omitempty: no 0 counts (currentStepIndex, a pointer, keeps its 0), no empty strings; the struct
    // fields canary and blueGreen are written even when empty (encoding/json does not omit a struct).
    const counts = new Set([
      'replicas',
      'updatedReplicas',
      'readyReplicas',
      'availableReplicas',
      'HPAReplicas',
    ]);
    // rollout/context.go SetCurrentAnalysisRuns: the current step's AnalysisRun, its name, phase and message
    // (RolloutAnalysisRunStatus); none once its step is done (canary.go syncRolloutStatusCanary) or without a run.
    const run = canary?.run;
    const stepRun = run
      ? { name: run.name, status: run.phase, ...(run.message ? { message: run.message } : {}) }
      : undefined;
    events.push(...stepRunEvents(old, stepRun));
    const status = Object.fromEntries(
      Object.entries({
        ...next,
        phase,
        message,
        canary: stepRun ? { currentStepAnalysisRunStatus: stepRun } : {},
        blueGreen: {},
      }).filter(([k, v]) => v !== '' && v !== undefined && !(v === 0 && counts.has(k))),
    ) as RolloutStatusView & Record<string, unknown>;
    // rollout/sync.go promoteStable: the first stable ReplicaSet ("Initial deploy").
    if (!old.stableRS && stableHash && stableHash === hash)
      events.unshift({
        type: 'Normal',
        reason: 'RolloutCompleted',
        message: `Rollout completed update to revision ${facts.revision} (${hash}): Initial deploy`,
      });
    this.queueProgressCheck(facts, status);
    if (JSON.stringify(status) === JSON.stringify(live.status)) return;
    this.cluster.update(...ROLLOUT, this.name, this.ns, (o) => {
      o.status = JSON.parse(JSON.stringify(status));
    });
    for (const e of [...events, ...stateChangeEvents(old, status)])
      this.events.record(live, e.type, e.reason, e.message);
    // rollout/controller.go: the Rollout's own update queues it again (the model ignores changes it makes itself).
    this.cluster.defer(() => this.reconcile());
  }

  /** status.pauseConditions: a pause step's and an Inconclusive run's (pauseContext.CalculatePauseStatus). */
  private pauseConditions(canary: Canary | undefined): PauseCondition[] {
    if (!canary || canary.aborted) return [];
    const at = (ms: number) => kubeTime(ms);
    return [
      ...(canary.pauseStepAt !== undefined
        ? [{ reason: 'CanaryPauseStep', startTime: at(canary.pauseStepAt) }]
        : []),
      ...(canary.paused
        ? [{ reason: 'InconclusiveAnalysis', startTime: at(canary.pausedAt ?? this.clock.now()) }]
        : []),
    ];
  }

  /** rollout/sync.go requeueStuckRollout: one progress check at a time, replaced by each status. */
  private queueProgressCheck(facts: RolloutFacts, status: RolloutStatusView): void {
    this.progressCheck?.();
    this.progressCheck = undefined;
    const ms = progressCheckIn(facts, status, status);
    if (ms !== undefined) this.progressCheck = this.clock.setTimer(ms, () => this.reconcile());
  }
}

interface StepRunStatus {
  name: string;
  status: string;
  message?: string;
}

/**
 * rollout/analysis.go emitAnalysisRunStatusChanges for the step run: an `AnalysisRun<Phase>` event on the Rollout
 * "Step Analysis Run 'x' Status New: 'P' Previous: 'Q'" when the status had no step run (Previous
 * 'NoPreviousStatus') or had this run at another phase; Warning for Failed and Error.
 */
function stepRunEvents(old: Record<string, unknown>, run: StepRunStatus | undefined): RolloutEvent[] {
  if (!run?.status) return [];
  const prev = (old.canary as { currentStepAnalysisRunStatus?: StepRunStatus } | undefined)
    ?.currentStepAnalysisRunStatus;
  if (prev && (prev.name !== run.name || prev.status === run.status)) return [];
  const warning = run.status === 'Failed' || run.status === 'Error';
  return [
    {
      type: warning ? 'Warning' : 'Normal',
      reason: `AnalysisRun${run.status}`,
      message: `Step Analysis Run '${run.name}' Status New: '${run.status}' Previous: '${prev?.status ?? 'NoPreviousStatus'}'`,
    },
  ];
}
