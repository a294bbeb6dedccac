/**
 * The Deployment controller of Kubernetes v1.33 (pkg/controller/deployment), for the Deployments the simulation
 * runs pods for. A sync (deployment_controller.go syncDeployment) of a Deployment, its spec read with the apps/v1
 * defaults (deployment-util.ts withDefaults):
 * - takes the ReplicaSets it controls (adoption of orphans is not modelled);
 * - a paused Deployment gets Progressing Unknown DeploymentPaused "Deployment is paused" (and ResumedDeployment
 *   "Deployment is resumed" when resumed; sync.go checkPausedConditions) and is only scaled;
 * - a scaling event (an active ReplicaSet's desired-replicas annotation is not spec.replicas) is only scaled
 *   (sync.go sync, scale: deployment-rolling.ts);
 * - otherwise it rolls out by its strategy: RollingUpdate (rolling.go, deployment-rolling.ts) or Recreate
 *   (recreate.go: old ReplicaSets to 0, then, once no old pod runs, the new one to all replicas).
 * The new ReplicaSet (sync.go getNewReplicaSet) is `<deployment>-<pod-template-hash>` (controller.ComputeHash of the
 * template and status.collisionCount; a name taken by another template bumps collisionCount), with the template's
 * labels plus pod-template-hash, the Deployment's annotations, deployment.kubernetes.io/revision (one above the old
 * ReplicaSets'), desired-replicas and max-replicas, minReadySeconds, and a controller ownerReference with uid; the
 * Deployment takes the revision annotation. Every change of a ReplicaSet's size is an event ScalingReplicaSet
 * "Scaled up|down replica set <rs> from <old> to <new>" from deployment-controller, the wording since v1.31
 * (kubernetes/kubernetes#125118; a new ReplicaSet is "from 0 to N").
 * Status (sync.go calculateStatus, progress.go syncRolloutStatus): replicas, updatedReplicas, readyReplicas,
 * availableReplicas (sums over the ReplicaSets' status), unavailableReplicas (spec replicas of all ReplicaSets
 * minus available, not below 0), observedGeneration, collisionCount; zero counts are left out as the API
 * serializes them (omitempty). Conditions:
 * - Available: True MinimumReplicasAvailable "Deployment has minimum availability." while available >= replicas -
 *   maxUnavailable, else False MinimumReplicasUnavailable "Deployment does not have minimum availability.";
 * - Progressing: True NewReplicaSetCreated "Created new replica set \"x\"" (FoundNewReplicaSet "Found new replica
 *   set \"x\"" for one found without a Progressing condition), True ReplicaSetUpdated "ReplicaSet \"x\" is
 *   progressing." whenever the rollout gains updated, ready or available replicas or loses old ones (lastUpdateTime
 *   moves, lastTransitionTime stays), True NewReplicaSetAvailable "ReplicaSet \"x\" has successfully progressed."
 *   once complete, False ProgressDeadlineExceeded "ReplicaSet \"x\" has timed out progressing." once
 *   lastUpdateTime + progressDeadlineSeconds has passed without progress. The check runs one second after the
 *   deadline (requeueStuckDeployment adds a second), on the injected clock.
 * A condition whose status and reason hold is not rewritten; a changed one moves to the end of the list
 * (util SetDeploymentCondition). Old ReplicaSets beyond revisionHistoryLimit (10) that are scaled to 0 are deleted
 * once the rollout completes (cleanupDeployment). The garbage collector's part is played here too: a deleted
 * Deployment takes its ReplicaSets with it.
 * Sources: progress.go and the sync.go pieces were read from v1.3x-era copies (not tagged v1.33; the event wording
 * checked against the pull request that changed it).
 */
import { isDeepStrictEqual } from 'node:util';
import type { Clock } from '../clock.js';
import type { SimCluster } from './api.js';
import {
  reconcileNewReplicaSet,
  reconcileOldReplicaSets,
  type ScaleReplicaSet,
  scaleIfResized,
  scaleReplicaSets,
} from './deployment-rolling.js';
import {
  activeReplicaSets,
  actualReplicaCount,
  availableReplicaCount,
  beyondRevisionHistory,
  byRevision,
  computeHash,
  type DefaultedSpec,
  type Deployment,
  type DeploymentCondition,
  type DeploymentStatus,
  deploymentComplete,
  deploymentProgressing,
  deploymentTimedOut,
  desiredReplicasAnnotation,
  equalIgnoreHash,
  findNewReplicaSet,
  findOldReplicaSets,
  getCondition,
  hasProgressDeadline,
  maxInt32,
  maxRevision,
  maxSurge,
  maxUnavailable,
  newCondition,
  newRSNewReplicas,
  podTemplateHashLabel,
  type ReplicaSet,
  readyReplicaCount,
  removeCondition,
  replicaCount,
  replicaFailure,
  revisionAnnotation,
  setCondition,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
  specReplicas,
  withDefaults,
} from './deployment-util.js';
import { type EventRecorder, eventRecorder } from './events.js';
import { replicaSetFor } from './replicaset.js';
import { type KubeObject, kubeTime, type StoredEvent } from './store.js';
import { collectDependents, controllerUid, WorkQueue } from './workqueue.js';

export interface DeploymentControllerOptions {
  clock: Clock;
  /** The Deployments this controller runs. */
  manages: (d: KubeObject) => boolean;
}

/** What a sync needs from its controller. */
interface SyncEnv {
  cluster: SimCluster;
  clock: Clock;
  events: EventRecorder;
  /** Sync this Deployment again after `ms` (the work queue's AddAfter). */
  requeueAfter(ms: number): void;
}

/** Thrown to end a sync early, as upstream returns an error (the write it made brings the next sync). */
class SyncAborted extends Error {}

const nonZero = (fields: Record<string, number | undefined>) =>
  Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined && v !== 0));

/** One sync of one Deployment: the functions of sync.go, rolling.go, recreate.go and progress.go. */
class DeploymentSync {
  private readonly spec: DefaultedSpec;

  constructor(
    private readonly env: SyncEnv,
    private readonly d: Deployment,
  ) {
    this.spec = withDefaults(d.spec);
  }

  private get status(): DeploymentStatus {
    this.d.status ??= {};
    return this.d.status;
  }

  private get name(): string {
    return this.d.metadata?.name ?? '';
  }

  private get namespace(): string {
    return this.d.metadata?.namespace ?? 'default';
  }

  private now(): string {
    return kubeTime(this.env.clock.now());
  }

  /** syncDeployment, from the ReplicaSets on. */
  run(): void {
    const rsList = this.replicaSets();
    // A Deployment being deleted only has its status synced: nothing is created or scaled (syncStatusOnly).
    if (this.d.metadata?.deletionTimestamp) {
      this.syncStatusOnly(rsList);
      return;
    }
    this.checkPausedConditions();
    if (this.spec.paused || this.isScalingEvent(rsList)) this.syncScale(rsList);
    else if (this.spec.strategy.type === 'Recreate') this.rolloutRecreate(rsList);
    else this.rolloutRolling(rsList);
  }

  /** getReplicaSetsForDeployment: those it controls. */
  private replicaSets(): ReplicaSet[] {
    return this.env.cluster
      .list('apps/v1', 'ReplicaSet', this.namespace)
      .filter((rs) => controllerUid(rs) === this.d.metadata?.uid) as ReplicaSet[];
  }

  private checkPausedConditions(): void {
    if (!hasProgressDeadline(this.spec)) return;
    const condition = getCondition(this.status, 'Progressing');
    if (condition?.reason === 'ProgressDeadlineExceeded') return;
    const pausedShown = condition?.reason === 'DeploymentPaused';
    if (this.spec.paused === pausedShown) return;
    const [reason, message] = this.spec.paused
      ? ['DeploymentPaused', 'Deployment is paused']
      : ['DeploymentResumed', 'Deployment is resumed'];
    setCondition(this.status, newCondition('Progressing', 'Unknown', reason, message, this.now()));
    this.writeStatus();
  }

  /** isScalingEvent. */
  private isScalingEvent(rsList: ReplicaSet[]): boolean {
    const { newRS, oldRSs } = this.allReplicaSets(rsList, false);
    return activeReplicaSets([...oldRSs, newRS]).some((rs) => {
      const text = rs.metadata?.annotations?.[desiredReplicasAnnotation] ?? '';
      return /^\d+$/.test(text) && Number(text) !== this.spec.replicas;
    });
  }

  /** getAllReplicaSetsAndSyncRevision. */
  private allReplicaSets(
    rsList: ReplicaSet[],
    create: boolean,
  ): { newRS: ReplicaSet | undefined; oldRSs: ReplicaSet[] } {
    const oldRSs = findOldReplicaSets(this.spec.template, rsList);
    return { newRS: this.newReplicaSet(rsList, oldRSs, create), oldRSs };
  }

  /** getNewReplicaSet. */
  private newReplicaSet(rsList: ReplicaSet[], oldRSs: ReplicaSet[], create: boolean): ReplicaSet | undefined {
    const existing = findNewReplicaSet(this.spec.template, rsList);
    const newRevision = maxRevision(oldRSs) + 1;
    if (existing) return this.syncExistingNewReplicaSet(existing, newRevision);
    if (!create) return undefined;
    return this.createNewReplicaSet(oldRSs, newRevision);
  }

  private syncExistingNewReplicaSet(existing: ReplicaSet, newRevision: number): ReplicaSet {
    const copy = structuredClone(existing);
    const annotationsChanged = setNewReplicaSetAnnotations(this.d, this.spec, copy, newRevision, true);
    if (annotationsChanged || (copy.spec?.minReadySeconds ?? 0) !== this.spec.minReadySeconds)
      return this.writeReplicaSet(copy);
    let needsUpdate = this.setRevision(copy.metadata?.annotations?.[revisionAnnotation] ?? '');
    if (hasProgressDeadline(this.spec) && !getCondition(this.status, 'Progressing')) {
      this.markProgressing('FoundNewReplicaSet', `Found new replica set "${copy.metadata?.name}"`);
      needsUpdate = true;
    }
    if (needsUpdate) this.writeStatus();
    return copy;
  }

  private createNewReplicaSet(oldRSs: ReplicaSet[], newRevision: number): ReplicaSet {
    const newRS = this.newReplicaSetObject();
    const name = newRS.metadata?.name ?? '';
    const replicas = newRSNewReplicas(this.spec, [...oldRSs, newRS], newRS);
    newRS.spec = { ...newRS.spec, replicas };
    setNewReplicaSetAnnotations(this.d, this.spec, newRS, newRevision, false);
    const taken = this.env.cluster.get('apps/v1', 'ReplicaSet', name, this.namespace) as
      | ReplicaSet
      | undefined;
    const ours =
      taken &&
      controllerUid(taken) === this.d.metadata?.uid &&
      equalIgnoreHash(this.spec.template, taken.spec?.template);
    if (taken && !ours) {
      // A hash collision: count it and try again with the count in the hash.
      this.status.collisionCount = (this.status.collisionCount ?? 0) + 1;
      this.writeStatus();
      throw new SyncAborted(`replica set "${name}" already exists`);
    }
    const created = (taken ?? this.env.cluster.seed(newRS)[0]) as ReplicaSet;
    if (!taken && replicas > 0)
      this.env.events.record(
        this.d,
        'Normal',
        'ScalingReplicaSet',
        `Scaled up replica set ${name} from 0 to ${replicas}`,
      );
    let needsUpdate = this.setRevision(String(newRevision));
    if (!taken && hasProgressDeadline(this.spec)) {
      this.markProgressing('NewReplicaSetCreated', `Created new replica set "${name}"`);
      needsUpdate = true;
    }
    if (needsUpdate) this.writeStatus();
    return created;
  }

  private markProgressing(reason: string, message: string): void {
    setCondition(this.status, newCondition('Progressing', 'True', reason, message, this.now()));
  }

  /** The ReplicaSet getNewReplicaSet creates, before its replicas and annotations. */
  private newReplicaSetObject(): ReplicaSet {
    const { template, selector, minReadySeconds } = this.spec;
    const hash = computeHash(template, this.status.collisionCount);
    return replicaSetFor({
      owner: this.d,
      namespace: this.namespace,
      hashLabel: podTemplateHashLabel,
      hash,
      template,
      selector,
      minReadySeconds,
      replicas: 0,
    });
  }

  /** SetDeploymentRevision. */
  private setRevision(revision: string): boolean {
    this.d.metadata ??= {};
    this.d.metadata.annotations ??= {};
    const annotations = this.d.metadata.annotations;
    if (annotations[revisionAnnotation] === revision) return false;
    annotations[revisionAnnotation] = revision;
    return true;
  }

  /** scaleReplicaSet: the size and the replicas annotations, an event when the size changed. */
  private readonly scale: ScaleReplicaSet = (rs, newScale) => {
    const copy = structuredClone(rs);
    const oldScale = specReplicas(rs);
    const annotationsChanged = setReplicasAnnotations(
      copy,
      this.spec.replicas,
      this.spec.replicas + maxSurge(this.spec),
    );
    if (oldScale === newScale && !annotationsChanged) return { scaled: false, rs };
    copy.spec = { ...copy.spec, replicas: newScale };
    const written = this.writeReplicaSet(copy);
    if (oldScale !== newScale) {
      const direction = oldScale < newScale ? 'up' : 'down';
      const message = `Scaled ${direction} replica set ${rs.metadata?.name} from ${oldScale} to ${newScale}`;
      this.env.events.record(this.d, 'Normal', 'ScalingReplicaSet', message);
    }
    return { scaled: oldScale !== newScale, rs: written };
  };

  /** sync: scale (proportionally while several ReplicaSets are active), then the status. */
  private syncScale(rsList: ReplicaSet[]): void {
    const { newRS, oldRSs } = this.allReplicaSets(rsList, false);
    scaleReplicaSets(this.spec, this.status.replicas ?? 0, newRS, oldRSs, this.scale);
    if (this.spec.paused) this.cleanup(oldRSs);
    const next = this.calculateStatus([...oldRSs, newRS], newRS);
    if (!isDeepStrictEqual(this.status, next)) this.writeStatus(next);
  }

  /** syncStatusOnly: the status of the ReplicaSets as they are, no new one made. */
  private syncStatusOnly(rsList: ReplicaSet[]): void {
    const { newRS, oldRSs } = this.allReplicaSets(rsList, false);
    const next = this.calculateStatus([...oldRSs, newRS], newRS);
    if (!isDeepStrictEqual(this.status, next)) this.writeStatus(next);
  }

  /** rolloutRolling. */
  private rolloutRolling(rsList: ReplicaSet[]): void {
    const { newRS, oldRSs } = this.allReplicaSets(rsList, true);
    if (!newRS) return;
    const allRSs = [...oldRSs, newRS];
    const scaled =
      reconcileNewReplicaSet(this.spec, allRSs, newRS, this.scale) ||
      reconcileOldReplicaSets(this.spec, allRSs, activeReplicaSets(oldRSs), newRS, this.scale);
    if (!scaled && this.complete(this.status)) this.cleanup(oldRSs);
    this.syncRolloutStatus(allRSs, newRS);
  }

  /** rolloutRecreate: old ReplicaSets to 0; once no old pod runs, the new ReplicaSet (created now) to all replicas. */
  private rolloutRecreate(rsList: ReplicaSet[]): void {
    const first = this.allReplicaSets(rsList, false);
    const scaledDown = activeReplicaSets(first.oldRSs).filter((rs) => this.scale(rs, 0).scaled).length > 0;
    if (scaledDown || this.oldPodsRunning(first.newRS, first.oldRSs, rsList)) {
      this.syncRolloutStatus([...first.oldRSs, first.newRS], first.newRS);
      return;
    }
    const { newRS, oldRSs } = first.newRS ? first : this.allReplicaSets(rsList, true);
    if (newRS) scaleIfResized(this.scale, newRS, this.spec.replicas);
    if (this.complete(this.status)) this.cleanup(oldRSs);
    this.syncRolloutStatus([...oldRSs, newRS], newRS);
  }

  /** oldPodsRunning: old ReplicaSets report pods, or a pod of one is not Succeeded or Failed. */
  private oldPodsRunning(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[], rsList: ReplicaSet[]): boolean {
    if (actualReplicaCount(oldRSs) > 0) return true;
    const oldUids = new Set(
      rsList.map((rs) => rs.metadata?.uid).filter((uid) => uid !== newRS?.metadata?.uid),
    );
    const finished = (pod: KubeObject) =>
      ['Succeeded', 'Failed'].includes((pod.status as { phase?: string })?.phase ?? '');
    return this.env.cluster
      .list('v1', 'Pod', this.namespace)
      .some((pod) => oldUids.has(controllerUid(pod)) && !finished(pod));
  }

  private complete(status: DeploymentStatus): boolean {
    return deploymentComplete(this.spec, this.d.metadata?.generation ?? 0, status);
  }

  /** cleanupDeployment: the oldest revisions beyond revisionHistoryLimit, once scaled to 0 and observed so. */
  private cleanup(oldRSs: ReplicaSet[]): void {
    if (this.spec.revisionHistoryLimit === maxInt32) return;
    for (const rs of beyondRevisionHistory(oldRSs, this.spec.revisionHistoryLimit, byRevision))
      this.env.cluster.remove('apps/v1', 'ReplicaSet', rs.metadata?.name ?? '', this.namespace);
  }

  /** calculateStatus: the counts over the ReplicaSets and the Available condition. */
  private calculateStatus(
    allRSs: Array<ReplicaSet | undefined>,
    newRS: ReplicaSet | undefined,
  ): DeploymentStatus {
    const available = availableReplicaCount(allRSs);
    const status: DeploymentStatus = {
      ...nonZero({
        observedGeneration: this.d.metadata?.generation,
        replicas: actualReplicaCount(allRSs),
        updatedReplicas: actualReplicaCount([newRS]),
        readyReplicas: readyReplicaCount(allRSs),
        availableReplicas: available,
        unavailableReplicas: Math.max(0, replicaCount(allRSs) - available),
      }),
      ...(this.status.conditions ? { conditions: structuredClone(this.status.conditions) } : {}),
      ...(this.status.collisionCount !== undefined ? { collisionCount: this.status.collisionCount } : {}),
    };
    const enough = available >= this.spec.replicas - maxUnavailable(this.spec);
    const condition = enough
      ? newCondition(
          'Available',
          'True',
          'MinimumReplicasAvailable',
          'Deployment has minimum availability.',
          this.now(),
        )
      : newCondition(
          'Available',
          'False',
          'MinimumReplicasUnavailable',
          'Deployment does not have minimum availability.',
          this.now(),
        );
    setCondition(status, condition);
    return status;
  }

  /** syncRolloutStatus: the status, with the Progressing condition as the rollout goes. */
  private syncRolloutStatus(allRSs: Array<ReplicaSet | undefined>, newRS: ReplicaSet | undefined): void {
    const next = this.calculateStatus(allRSs, newRS);
    if (!hasProgressDeadline(this.spec)) removeCondition(next, 'Progressing');
    const current = getCondition(this.status, 'Progressing');
    const done = next.replicas === next.updatedReplicas && current?.reason === 'NewReplicaSetAvailable';
    if (hasProgressDeadline(this.spec) && !done) this.progress(next, current, newRS);
    // getReplicaFailures: the ReplicaSets' ReplicaFailure copied in, or removed once none has one.
    const failure = replicaFailure(newRS, allRSs);
    if (failure) setCondition(next, failure);
    else removeCondition(next, 'ReplicaFailure');
    if (isDeepStrictEqual(this.status, next)) this.requeueStuck(next);
    else this.writeStatus(next);
  }

  /** The Progressing condition of syncRolloutStatus: complete, progressing, or timed out. */
  private progress(
    next: DeploymentStatus,
    current: DeploymentCondition | undefined,
    newRS: ReplicaSet | undefined,
  ) {
    const subject = newRS ? `ReplicaSet "${newRS.metadata?.name}"` : `Deployment "${this.name}"`;
    const now = this.now();
    if (this.complete(next)) {
      const message = `${subject} has successfully progressed.`;
      setCondition(next, newCondition('Progressing', 'True', 'NewReplicaSetAvailable', message, now));
    } else if (deploymentProgressing(this.status, next)) {
      const condition = newCondition(
        'Progressing',
        'True',
        'ReplicaSetUpdated',
        `${subject} is progressing.`,
        now,
      );
      if (current?.status === 'True') condition.lastTransitionTime = current.lastTransitionTime;
      if (current) removeCondition(next, 'Progressing');
      setCondition(next, condition);
    } else if (deploymentTimedOut(this.spec, next, this.env.clock.now())) {
      const message = `${subject} has timed out progressing.`;
      setCondition(next, newCondition('Progressing', 'False', 'ProgressDeadlineExceeded', message, now));
    }
  }

  /**
   * requeueStuckDeployment: a rollout that is neither complete nor timed out is checked again one second after its
   * deadline; with less than a second left, upstream requeues it rate-limited (5 ms, doubling), which the model
   * takes as 5 ms after the deadline.
   */
  private requeueStuck(next: DeploymentStatus): void {
    const current = getCondition(this.status, 'Progressing');
    if (!hasProgressDeadline(this.spec) || !current) return;
    if (this.complete(next) || current.reason === 'ProgressDeadlineExceeded') return;
    const after =
      Date.parse(current.lastUpdateTime) + this.spec.progressDeadlineSeconds * 1000 - this.env.clock.now();
    this.env.requeueAfter(after < 1000 ? Math.max(0, after) + 5 : after + 1000);
  }

  /** UpdateStatus: the status, and the annotations (the revision), as the status subresource takes them. */
  private writeStatus(status: DeploymentStatus = this.status): void {
    this.d.status = status;
    const annotations = this.d.metadata?.annotations;
    this.env.cluster.update('apps/v1', 'Deployment', this.name, this.namespace, (o) => {
      o.status = structuredClone(status);
      if (annotations) o.metadata = { ...o.metadata, annotations: { ...annotations } };
    });
  }

  /** Update of a ReplicaSet: its size, minReadySeconds and annotations (an unchanged object is not written). */
  private writeReplicaSet(rs: ReplicaSet): ReplicaSet {
    const name = rs.metadata?.name ?? '';
    const stored = this.env.cluster.get('apps/v1', 'ReplicaSet', name, this.namespace) as
      | ReplicaSet
      | undefined;
    if (!stored) throw new SyncAborted(`replica set "${name}" not found`);
    const next = structuredClone(stored);
    const { minReadySeconds: _old, ...spec } = next.spec ?? {};
    next.spec = {
      ...spec,
      replicas: specReplicas(rs),
      ...(this.spec.minReadySeconds > 0 ? { minReadySeconds: this.spec.minReadySeconds } : {}),
    };
    next.metadata = { ...next.metadata, annotations: { ...rs.metadata?.annotations } };
    if (isDeepStrictEqual(next, stored)) return stored;
    return this.env.cluster.update('apps/v1', 'ReplicaSet', name, this.namespace, (o) => {
      o.spec = next.spec;
      o.metadata = next.metadata;
    }) as ReplicaSet;
  }
}

export class DeploymentController {
  private readonly events: EventRecorder;
  private readonly queue: WorkQueue;

  constructor(
    private readonly cluster: SimCluster,
    private readonly options: DeploymentControllerOptions,
  ) {
    this.events = eventRecorder(cluster, options.clock, 'deployment-controller');
    this.queue = new WorkQueue(cluster, options.clock, (ns, name) => this.sync(ns, name));
  }

  /** Starts watching; returns a function that stops it. */
  start(): () => void {
    const stop = this.cluster.onChange((event) => this.observe(event));
    for (const d of this.cluster.list('apps/v1', 'Deployment'))
      if (this.options.manages(d)) this.queue.add(d);
    return () => {
      stop();
      this.queue.stop();
    };
  }

  /** Which Deployment a change concerns (deployment_controller.go's event handlers). */
  private observe(event: StoredEvent): void {
    const { kind } = event.resource;
    if (kind === 'Deployment' && event.type === 'DELETED')
      collectDependents(this.cluster, event.object, 'apps/v1', 'ReplicaSet');
    else if (kind === 'Deployment' && this.options.manages(event.object)) this.queue.add(event.object);
    else if (kind === 'ReplicaSet') this.enqueueOwner(event.object);
    else if (kind === 'Pod' && event.type === 'DELETED') this.podDeleted(event.object);
  }

  private ownerOf(o: KubeObject, kind: 'Deployment' | 'ReplicaSet'): KubeObject | undefined {
    const uid = controllerUid(o);
    if (!uid) return undefined;
    return this.cluster.list('apps/v1', kind, o.metadata?.namespace).find((x) => x.metadata?.uid === uid);
  }

  private enqueueOwner(rs: KubeObject): void {
    const d = this.ownerOf(rs, 'Deployment');
    if (d && this.options.manages(d)) this.queue.add(d);
  }

  /** deletePod: a Recreate Deployment waits for its old pods to go. */
  private podDeleted(pod: KubeObject): void {
    const rs = this.ownerOf(pod, 'ReplicaSet');
    const d = rs && (this.ownerOf(rs, 'Deployment') as Deployment | undefined);
    if (d && this.options.manages(d) && d.spec?.strategy?.type === 'Recreate') this.queue.add(d);
  }

  private sync(ns: string, name: string): void {
    const d = this.cluster.get('apps/v1', 'Deployment', name, ns) as Deployment | undefined;
    if (!d || !this.options.manages(d)) return;
    const env: SyncEnv = {
      cluster: this.cluster,
      clock: this.options.clock,
      events: this.events,
      requeueAfter: (ms) => this.queue.addAfter(d, ms),
    };
    try {
      new DeploymentSync(env, d).run();
    } catch (error) {
      if (!(error instanceof SyncAborted)) throw error;
    }
  }
}
