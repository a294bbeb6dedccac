/** Readiness predicates and one-line summaries of the objects the lab waits on and reports. */
import type {
  Application,
  Condition,
  Deployment,
  HorizontalPodAutoscaler,
  HpaMetric,
  KubeObject,
  MetricValue,
  Pod,
  Rollout,
} from './types.js';

export function condition(
  obj: { status?: { conditions?: Condition[] } } | undefined,
  type: string,
): Condition | undefined {
  return obj?.status?.conditions?.find((c) => c.type === type);
}

/** A Deployment (or StatefulSet) whose controller has seen its latest spec and has every replica available. */
export function isWorkloadAvailable(obj: Deployment | undefined): boolean {
  if (!obj) return false;
  const want = obj.spec?.replicas ?? 1;
  const status = obj.status ?? {};
  const observed =
    status.observedGeneration === undefined || status.observedGeneration >= (obj.metadata.generation ?? 0);
  return (
    observed &&
    (status.availableReplicas ?? status.readyReplicas ?? 0) >= want &&
    (status.updatedReplicas ?? want) >= want
  );
}

export function isCrdEstablished(obj: KubeObject | undefined): boolean {
  return condition(obj as { status?: { conditions?: Condition[] } }, 'Established')?.status === 'True';
}

export function appSync(app: Application): string {
  return app.status?.sync?.status ?? 'Unknown';
}

export function appHealth(app: Application): string {
  return app.status?.health?.status ?? 'Unknown';
}

export function isAppSyncedHealthy(app: Application | undefined): boolean {
  return !!app && appSync(app) === 'Synced' && appHealth(app) === 'Healthy';
}

/**
 * A canary's weights as `kubectl argo rollouts get rollout` shows them (argo-rollouts v1.8.3
 * pkg/kubectl-argo-rollouts/info/rollout_info.go, utils/replicaset/canary.go GetCurrentSetWeight): `set` is the last
 * setWeight at or before the current step (0 after an abort, 100 past the last step); `actual` is, without traffic
 * routing, the canary's share of the available pods (its available pods × 100 / status.availableReplicas, in whole
 * numbers), and with traffic routing status.canary.weights' canary weight, else the set weight. Undefined when no
 * canary runs: the newest pods are the stable ones.
 */
export function canaryWeights(
  rollout: Rollout,
  canaryAvailable: number,
): { set: number; actual: number } | undefined {
  const canary = rollout.spec?.strategy?.canary;
  const status = rollout.status;
  if (!canary || !status?.currentPodHash || status.currentPodHash === status.stableRS) return undefined;
  const steps = canary.steps ?? [];
  const index = status.currentStepIndex ?? 0;
  const current = index < steps.length ? index : undefined;
  let set = 100;
  if (status.abort) set = 0;
  else if (current !== undefined) {
    const earlier = steps.slice(0, current + 1).reverse();
    set = Number(earlier.find((s) => typeof s.setWeight === 'number')?.setWeight ?? 0);
  }
  let actual = 0;
  if (current === undefined) actual = 100;
  else if ((status.availableReplicas ?? 0) > 0)
    actual = canary.trafficRouting
      ? (status.canary?.weights?.canary?.weight ?? set)
      : Math.floor((canaryAvailable * 100) / (status.availableReplicas ?? 1));
  return { set, actual };
}

/** Why a pod is not ready, in a few words (e.g. `ImagePullBackOff`, `CrashLoopBackOff (3 restarts)`), or undefined when it is. */
export function podProblem(pod: Pod): string | undefined {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded') return undefined;
  for (const c of pod.status?.containerStatuses ?? []) {
    const waiting = c.state?.waiting?.reason;
    if (waiting) return c.restartCount ? `${waiting} (${c.restartCount} restarts)` : waiting;
    const terminated = c.state?.terminated?.reason;
    if (terminated && !c.ready) return terminated;
  }
  const ready = condition(pod, 'Ready');
  if (phase === 'Running' && ready?.status === 'True') return undefined;
  const scheduled = condition(pod, 'PodScheduled');
  if (scheduled?.status === 'False') return scheduled.reason ?? 'Unschedulable';
  if (pod.status?.reason) return pod.status.reason;
  if (ready && ready.status !== 'True') return ready.reason ?? 'NotReady';
  return phase ?? 'Unknown';
}

/** One metric's source: its target and current value sit under the key its `type` names. */
function metricSource(m: HpaMetric) {
  const key = `${m.type.charAt(0).toLowerCase()}${m.type.slice(1)}` as keyof HpaMetric;
  return m[key] as
    | { name?: string; metric?: { name: string }; target?: MetricValue; current?: MetricValue }
    | undefined;
}

/**
 * An HPA's metrics as `kubectl get hpa` prints its TARGETS column (kubectl's printers.go formatHPAMetrics):
 * `cpu: 1%/70%`, `cpu: 250m/500m`, `<unknown>` for a value the HPA has not read; at most two, then `+ N more...`.
 */
export function hpaTargets(hpa: HorizontalPodAutoscaler): string {
  const specs = hpa.spec?.metrics ?? [];
  const shown = specs.slice(0, 2).map((spec, i) => {
    const source = metricSource(spec);
    const current = hpa.status?.currentMetrics?.[i];
    const now = current?.type === spec.type ? metricSource(current)?.current : undefined;
    const target = source?.target;
    const name = source?.name ?? source?.metric?.name ?? spec.type;
    if (target?.averageUtilization !== undefined)
      return `${name}: ${now?.averageUtilization === undefined ? '<unknown>' : `${now.averageUtilization}%`}/${target.averageUtilization}%`;
    const wanted = target?.averageValue ?? target?.value;
    return `${name}: ${now?.averageValue ?? now?.value ?? '<unknown>'}/${wanted ?? '<unknown>'}`;
  });
  if (specs.length > 2) shown.push(`+ ${specs.length - 2} more...`);
  return shown.join(', ') || '<none>';
}

/** Why an HPA cannot do its job: the message of a False AbleToScale or ScalingActive condition. */
export function hpaProblem(hpa: HorizontalPodAutoscaler): string | undefined {
  for (const type of ['AbleToScale', 'ScalingActive']) {
    const c = condition(hpa, type);
    if (c?.status === 'False') return `${c.reason}: ${c.message ?? ''}`.trim();
  }
  return undefined;
}

/**
 * Why a paused Rollout waits for a person, and what to run, or undefined when it resumes by itself (a pause step with
 * a duration). Argo Rollouts v1.8.3 resumes none of these on its own: an Inconclusive analysis (pause condition
 * InconclusiveAnalysis, rollout/analysis.go), a pause step without a duration (rollout/canary.go
 * reconcileCanaryPause) and spec.paused (rollout/canary.go completedCurrentCanaryStep). The commands are the
 * kubectl-argo-rollouts plugin's.
 */
export function rolloutWaitsFor(rollout: Rollout): string | undefined {
  const name = rollout.metadata.name;
  const ns = rollout.metadata.namespace ?? 'default';
  const plugin = (verb: string) => `kubectl argo rollouts ${verb} ${name} -n ${ns}`;
  const reasons = ((rollout.status?.pauseConditions ?? []) as Array<{ reason?: string }>).map(
    (c) => c.reason,
  );
  if (rollout.status?.abort) return undefined;
  if (reasons.includes('InconclusiveAnalysis'))
    return `its analysis was Inconclusive: promote it (\`${plugin('promote')}\`) or abort it (\`${plugin('abort')}\`)`;
  if (rollout.spec?.paused === true)
    return `it was paused by hand (spec.paused): resume it with \`${plugin('promote')}\``;
  if (reasons.includes('CanaryPauseStep')) {
    const steps = rollout.spec?.strategy?.canary?.steps ?? [];
    const step = steps[rollout.status?.currentStepIndex ?? steps.length] as
      | { pause?: { duration?: unknown } }
      | undefined;
    if (step?.pause && step.pause.duration === undefined)
      return `its step ${(rollout.status?.currentStepIndex ?? 0) + 1} is a pause until promoted: \`${plugin('promote')}\``;
  }
  return undefined;
}
