/**
 * Argo Rollouts v1.8.3's canary for the lab's docqa Rollout (github.com/argoproj/argo-rollouts at v1.8.3), with its
 * AnalysisRuns and their eval-replay Job.
 *
 * - A new pod template (hash) starts a canary; the steps of spec.strategy.canary.steps run in order
 *   (rollout/canary.go). Without traffic routing, `setWeight: W` runs ceil(W% x replicas) canary pods and keeps the
 *   stable pods (maxUnavailable 0); the step is done when the canary pods are available. `pause: {duration}` waits.
 * - `analysis` creates an AnalysisRun from the template (rollout/analysis.go). Each metric measures after its
 *   initialDelay, then every interval, `count` times (analysis/analysis.go calculateNextReconcileTime). A metric is
 *   Failed when failed > failureLimit, Inconclusive when inconclusive > inconclusiveLimit, Error when consecutive
 *   errors > consecutiveErrorLimit (default 4, utils/defaults), Successful when count is reached
 *   (assessMetricStatus, assessMetricFailureInconclusiveOrError); the run takes its worst metric's phase. A Job
 *   metric succeeds when its Job completes and fails when the Job fails (metricproviders/job).
 * - A Failed or Error run aborts the rollout: phase Degraded, status.abort, the canary scaled down after
 *   abortScaleDownDelaySeconds (default 30 s). An Inconclusive run pauses it (pause condition
 *   InconclusiveAnalysis, phase Paused), it does not abort (rollout/analysis.go).
 * - No progress for progressDeadlineSeconds (default 600) makes the Progressing condition ProgressDeadlineExceeded
 *   and the phase Degraded; with progressDeadlineAbort false (the default) nothing is aborted
 *   (utils/conditions/conditions.go, rollout/sync.go).
 * - Going back to the stable template ends the canary at once: the canary pods go, no steps or analysis run.
 * - spec.replicas (the HPA's) sizes the stable pods.
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
import { evaluateConditions, type MeasurementPhase } from '../canary/conditions.js';
import type { Clock } from '../clock.js';
import type { SimCluster } from './api.js';
import { podReady } from './kubelet.js';
import { type DocqaBehaviour, docqaBehaviour, faultsOf, type SimPrometheus } from './prometheus.js';
import type { KubeObject } from './store.js';

const ROLLOUT = ['argoproj.io/v1alpha1', 'Rollout'] as const;

interface Step {
  setWeight?: number;
  pause?: { duration?: string | number };
  analysis?: { templates?: Array<{ templateName: string }> };
}

export interface MetricSpec {
  name: string;
  initialDelay?: string;
  interval?: string;
  count?: number;
  failureLimit?: number;
  inconclusiveLimit?: number;
  consecutiveErrorLimit?: number;
  successCondition?: string;
  failureCondition?: string;
  provider: { prometheus?: { query: string }; job?: unknown };
}

interface MetricState {
  spec: MetricSpec;
  count: number;
  failed: number;
  inconclusive: number;
  consecutiveError: number;
  phase: string;
  measurements: Array<{ phase: string; value?: string; message?: string; finishedAt: string }>;
}

interface Canary {
  hash: string;
  revision: number;
  step: number;
  stepStarted: number;
  progressAt: number;
  run?: { name: string; metrics: MetricState[]; phase: string };
  aborted?: boolean;
  abortMessage?: string;
  scaledDown?: boolean;
  paused?: boolean;
  deadlineExceeded?: boolean;
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
  /** Measures a prometheus metric (`query` with its args substituted); undefined: the simulated Prometheus answers. */
  measure?(metric: MetricSpec, query: string): Promise<LiveMeasurement>;
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

export class RolloutsModel {
  private stable?: { hash: string; template: unknown };
  private canary?: Canary;
  private revision = 1;
  private stop_?: () => void;
  private busy = false;

  constructor(
    private readonly cluster: SimCluster,
    private readonly options: RolloutsOptions,
    private readonly ns = 'docqa',
    private readonly name = 'docqa',
  ) {}

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
      const mine =
        (o.kind === 'Rollout' && o.metadata?.name === this.name) ||
        (o.kind === 'Pod' &&
          o.metadata?.namespace === this.ns &&
          o.metadata?.labels?.['rollouts-pod-template-hash']);
      if (mine) this.cluster.defer(() => this.reconcile());
    });
    return this;
  }

  stop(): void {
    this.stop_?.();
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

  private pods(hash: string): KubeObject[] {
    return this.cluster
      .list('v1', 'Pod', this.ns)
      .filter((p) => p.metadata?.labels?.['rollouts-pod-template-hash'] === hash);
  }

  /** Keeps `count` pods of a template. */
  private scale(hash: string, template: unknown, count: number, canary: boolean): void {
    const pods = this.pods(hash);
    for (const pod of pods) {
      const index = Number(pod.metadata?.name?.split('-').at(-1));
      if (index >= count) this.cluster.remove('v1', 'Pod', pod.metadata?.name ?? '', this.ns);
    }
    const t = template as { metadata?: { labels?: Record<string, string> }; spec?: unknown };
    for (let i = 0; i < count; i++) {
      const name = `${this.name}-${hash}-${i}`;
      if (this.cluster.get('v1', 'Pod', name, this.ns)) continue;
      this.cluster.seed({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name,
          namespace: this.ns,
          labels: {
            ...t.metadata?.labels,
            'rollouts-pod-template-hash': hash,
            ...(canary ? { 'sim.gitops-lab/canary': 'true' } : {}),
          },
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${this.name}-${hash}` }],
        },
        spec: structuredClone(t.spec ?? {}),
      });
    }
  }

  private endCanary(): void {
    if (!this.canary) return;
    for (const t of this.canary.timers) t();
    for (const pod of this.pods(this.canary.hash))
      this.cluster.remove('v1', 'Pod', pod.metadata?.name ?? '', this.ns);
    this.canary = undefined;
  }

  reconcile(): void {
    const live = this.rollout();
    if (!live || !this.stable) return;
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
      strategy?: { canary?: { steps?: Step[]; abortScaleDownDelaySeconds?: number } };
    };
    const replicas = spec.replicas ?? 1;
    const hash = podTemplateHash(spec.template);
    const now = this.clock.now();
    this.scale(stable.hash, stable.template, replicas, false);

    if (hash === stable.hash) this.endCanary();
    else if (this.canary?.hash !== hash) {
      this.endCanary();
      this.revision++;
      this.canary = { hash, revision: this.revision, step: 0, stepStarted: now, progressAt: now, timers: [] };
      const deadline = (spec.progressDeadlineSeconds ?? 600) * 1000;
      const canary = this.canary;
      const check = () => {
        if (this.canary !== canary || canary.aborted || canary.paused) return;
        const stalled = this.clock.now() - canary.progressAt;
        if (stalled >= deadline) {
          canary.deadlineExceeded = true;
          this.reconcile();
        } else this.later(deadline - stalled, check);
      };
      this.later(deadline, check);
    }

    const canary = this.canary;
    let phase = 'Healthy';
    let message = '';
    if (canary) {
      const steps = spec.strategy?.canary?.steps ?? [];
      let weight = 0;
      for (let i = 0; i < Math.min(canary.step + 1, steps.length); i++)
        weight = steps[i]?.setWeight ?? weight;
      if (canary.step >= steps.length) weight = 100;
      const want = canary.aborted ? 0 : Math.ceil((weight / 100) * replicas);
      if (!canary.aborted || !canary.scaledDown)
        this.scale(hash, spec.template, canary.aborted ? this.pods(hash).length : want, true);
      const pods = this.pods(hash);
      const ready = pods.filter(podReady).length;
      if (canary.aborted) {
        phase = 'Degraded';
        message = canary.abortMessage ?? 'RolloutAborted';
      } else if (canary.paused) {
        phase = 'Paused';
        message = 'InconclusiveAnalysis';
      } else {
        this.advance(canary, steps, want, ready, spec, live);
        if (this.canary !== canary) {
          this.step(this.rollout() as KubeObject);
          return;
        }
        phase = canary.deadlineExceeded ? 'Degraded' : 'Progressing';
        message = canary.deadlineExceeded
          ? `ProgressDeadlineExceeded: ReplicaSet "${this.name}-${hash}" has timed out progressing.`
          : 'more replicas need to be updated';
      }
    }
    this.writeStatus(live, hash, phase, message);
  }

  private advance(
    canary: Canary,
    steps: Step[],
    want: number,
    ready: number,
    spec: {
      replicas?: number;
      template?: unknown;
      strategy?: { canary?: { abortScaleDownDelaySeconds?: number } };
    },
    live: KubeObject,
  ): void {
    const now = this.clock.now();
    for (;;) {
      const step = steps[canary.step];
      if (!step) {
        // Every step done: the canary becomes stable.
        if (ready < (spec.replicas ?? 1)) {
          if (this.pods(canary.hash).length < (spec.replicas ?? 1))
            this.scale(canary.hash, spec.template, spec.replicas ?? 1, true);
          return;
        }
        // The old stable's pods go (no traffic routing: the old ReplicaSet is scaled down as the new one is full).
        const old = this.pods(this.stableHashBefore(canary)).map((p) => p.metadata?.name ?? '');
        this.stable = { hash: canary.hash, template: spec.template };
        for (const t of canary.timers) t();
        this.canary = undefined;
        for (const name of old) this.cluster.remove('v1', 'Pod', name, this.ns);
        for (const pod of this.pods(canary.hash))
          this.cluster.update('v1', 'Pod', pod.metadata?.name ?? '', this.ns, (o) => {
            delete o.metadata?.labels?.['sim.gitops-lab/canary'];
          });
        return;
      }
      if (step.setWeight !== undefined) {
        // `want` was sized for the step this reconcile started at; a step reached in this pass sizes its own.
        const stepWant = Math.max(want, Math.ceil((step.setWeight / 100) * (spec.replicas ?? 1)));
        if (ready < stepWant) {
          if (this.pods(canary.hash).length < stepWant)
            this.scale(canary.hash, spec.template, stepWant, true);
          return;
        }
      } else if (step.pause) {
        const ms = seconds(step.pause.duration, Number.POSITIVE_INFINITY);
        if (now - canary.stepStarted < ms) {
          if (Number.isFinite(ms)) this.later(canary.stepStarted + ms - now, () => this.reconcile());
          return;
        }
      } else if (step.analysis) {
        if (!canary.run) this.startAnalysis(canary, step, live);
        const run = canary.run;
        if (!run || run.phase === 'Running' || run.phase === 'Pending') return;
        if (run.phase === 'Failed' || run.phase === 'Error') {
          this.abort(canary, run, spec.strategy?.canary?.abortScaleDownDelaySeconds ?? 30);
          return;
        }
        if (run.phase === 'Inconclusive') {
          canary.paused = true;
          return;
        }
        canary.run = undefined;
      }
      canary.step++;
      canary.stepStarted = now;
      canary.progressAt = now;
      canary.deadlineExceeded = false;
    }
  }

  private stableHashBefore(canary: Canary): string {
    return this.stable && this.stable.hash !== canary.hash ? this.stable.hash : '';
  }

  private abort(canary: Canary, run: { name: string; metrics: MetricState[] }, delaySeconds: number): void {
    const failed = run.metrics.find((m) => m.phase === 'Failed' || m.phase === 'Error');
    canary.aborted = true;
    canary.abortMessage = `RolloutAborted: Rollout aborted update to revision ${canary.revision}: Metric "${failed?.spec.name}" assessed ${failed?.phase} due to failed (${failed?.failed}) > failureLimit (${failed?.spec.failureLimit ?? 0})`;
    this.later(delaySeconds * 1000, () => {
      canary.scaledDown = true;
      for (const pod of this.pods(canary.hash))
        this.cluster.remove('v1', 'Pod', pod.metadata?.name ?? '', this.ns);
      this.reconcile();
    });
  }

  private startAnalysis(canary: Canary, step: Step, live: KubeObject): void {
    const templateName = step.analysis?.templates?.[0]?.templateName ?? '';
    const template = this.cluster.get('argoproj.io/v1alpha1', 'AnalysisTemplate', templateName, this.ns);
    const metrics = ((template?.spec as { metrics?: MetricSpec[] } | undefined)?.metrics ?? []).map(
      (spec): MetricState => ({
        spec,
        count: 0,
        failed: 0,
        inconclusive: 0,
        consecutiveError: 0,
        phase: 'Pending',
        measurements: [],
      }),
    );
    const name = `${this.name}-${canary.hash}-${canary.revision}-${canary.step}`;
    const run = { name, metrics, phase: 'Running' };
    canary.run = run;
    this.cluster.seed({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisRun',
      metadata: {
        name,
        namespace: this.ns,
        annotations: { 'rollout.argoproj.io/revision': String(canary.revision) },
        labels: { 'rollouts-pod-template-hash': canary.hash },
        ownerReferences: [
          { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: this.name, uid: live.metadata?.uid },
        ],
      },
      spec: { metrics: metrics.map((m) => m.spec), args: [{ name: 'canary-hash', value: canary.hash }] },
      status: { phase: 'Running', startedAt: new Date(this.clock.now()).toISOString() },
    });
    for (const metric of metrics) {
      if (metric.spec.provider.job) this.runJob(canary, run, metric);
      else this.later(seconds(metric.spec.initialDelay), () => this.measure(canary, run, metric));
    }
  }

  private runJob(
    canary: Canary,
    run: { name: string; metrics: MetricState[]; phase: string },
    metric: MetricState,
  ): void {
    const jobName = `${run.name}-${metric.spec.name}`;
    const faults = faultsOf(this.cluster, this.pods(canary.hash)[0] ?? {});
    const passes = (this.options.behaviour ?? docqaBehaviour)(faults).evalPasses;
    const started = this.clock.now();
    const window = { hash: canary.hash, from: started } as { hash: string; from: number; to?: number };
    this.options.prometheus.traffic.push(window);
    this.cluster.seed({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name: jobName,
        namespace: this.ns,
        // metricproviders/job/job.go newMetricJob: the AnalysisRun is the Job's controller owner.
        ownerReferences: [{ apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun', name: run.name }],
      },
      spec: (metric.spec.provider.job as { spec?: unknown }).spec ?? {},
      status: { active: 1, startTime: new Date(started).toISOString() },
    });
    metric.phase = 'Running';
    const finish = (succeeded: boolean, message: string) => {
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
      if (!succeeded) metric.failed++;
      metric.count++;
      metric.phase = succeeded
        ? 'Successful'
        : metric.failed > (metric.spec.failureLimit ?? 0)
          ? 'Failed'
          : 'Running';
      this.record(
        run,
        metric,
        succeeded ? 'Successful' : 'Failed',
        succeeded ? 'job succeeded' : 'job failed',
        message,
      );
      this.assess(canary, run);
    };
    const live = this.options.live;
    if (!live) {
      this.later(this.options.evalJobMs ?? 60_000, () => finish(passes, ''));
      return;
    }
    // The Job's pod runs for real; activeDeadlineSeconds counts on the lab's clock (batch/v1 JobSpec).
    const controller = new AbortController();
    const job = metric.spec.provider.job as { spec?: { activeDeadlineSeconds?: number } };
    const deadlineSeconds = job.spec?.activeDeadlineSeconds ?? 600;
    let done = false;
    const end = (succeeded: boolean, message: string) => {
      // A run that ended meanwhile (another metric failed) has terminated its Job: the result no longer counts.
      if (done || this.canary !== canary || run.phase !== 'Running') return;
      done = true;
      finish(succeeded, message);
    };
    this.later(deadlineSeconds * 1000, () => {
      const message = `Job was active longer than specified deadline (${deadlineSeconds}s)`;
      controller.abort(new Error(message));
      end(false, message);
    });
    canary.timers.push(() => controller.abort(new Error('the canary ended')));
    // The Job ends when the real eval ends, and no sooner than `evalJobMs` after it starts: at speed N this machine's
    // seconds count N times, and a Job in a cluster also waits for its pod to start; the sim keeps its assumption.
    const earliest = started + (this.options.evalJobMs ?? 60_000);
    live.runJob(canary.hash, job, controller.signal).then(
      (result) => {
        const wait = earliest - this.clock.now();
        if (wait <= 0) end(result.succeeded, result.message);
        else this.later(wait, () => end(result.succeeded, result.message));
      },
      (error: unknown) => end(false, error instanceof Error ? error.message : String(error)),
    );
  }

  private measure(
    canary: Canary,
    run: { name: string; metrics: MetricState[]; phase: string },
    metric: MetricState,
  ): void {
    if (run.phase !== 'Running') return;
    const query = (metric.spec.provider.prometheus?.query ?? '').replace(
      /\{\{\s*args\.canary-hash\s*\}\}/g,
      canary.hash,
    );
    const live = this.options.live;
    const taking: Promise<LiveMeasurement> = live?.measure
      ? live.measure(metric.spec, query)
      : this.options.prometheus.query('', query).then((value) => {
          const outcome = evaluateConditions(
            value === undefined ? [] : [value],
            {
              successCondition: metric.spec.successCondition,
              failureCondition: metric.spec.failureCondition,
            },
            { now: () => new Date(this.clock.now()) },
          );
          return { phase: outcome.phase, value: value === undefined ? '[]' : `[${value}]` };
        });
    void taking.then(
      (measurement) => {
        if (run.phase !== 'Running' || this.canary !== canary) return;
        metric.count++;
        if (measurement.phase === 'Failed') metric.failed++;
        if (measurement.phase === 'Inconclusive') metric.inconclusive++;
        metric.consecutiveError = measurement.phase === 'Error' ? metric.consecutiveError + 1 : 0;
        const limits = metric.spec;
        if (metric.failed > (limits.failureLimit ?? 0)) metric.phase = 'Failed';
        else if (metric.inconclusive > (limits.inconclusiveLimit ?? 0)) metric.phase = 'Inconclusive';
        else if (metric.consecutiveError > (limits.consecutiveErrorLimit ?? 4)) metric.phase = 'Error';
        else if (metric.count >= (limits.count ?? 1)) metric.phase = 'Successful';
        else {
          metric.phase = 'Running';
          this.later(seconds(limits.interval, 30_000), () => this.measure(canary, run, metric));
        }
        this.record(run, metric, measurement.phase, measurement.value, measurement.message);
        this.assess(canary, run);
      },
      () => undefined,
    );
  }

  private record(
    run: { name: string; metrics: MetricState[] },
    metric: MetricState,
    phase: string,
    value: string,
    message?: string,
  ): void {
    metric.measurements.push({
      phase,
      value,
      ...(message ? { message } : {}),
      finishedAt: new Date(this.clock.now()).toISOString(),
    });
    const metricResults = run.metrics.map((m) => ({
      name: m.spec.name,
      phase: m.phase,
      count: m.count,
      failed: m.failed,
      inconclusive: m.inconclusive,
      measurements: m.measurements,
    }));
    if (this.cluster.get('argoproj.io/v1alpha1', 'AnalysisRun', run.name, this.ns))
      this.cluster.update('argoproj.io/v1alpha1', 'AnalysisRun', run.name, this.ns, (o) => {
        o.status = { ...(o.status as object), metricResults };
      });
  }

  /** The run's phase is its worst metric's; a finished run stops its other measurements. */
  private assess(canary: Canary, run: { name: string; metrics: MetricState[]; phase: string }): void {
    const phases = run.metrics.map((m) => m.phase);
    const phase = phases.includes('Failed')
      ? 'Failed'
      : phases.includes('Error')
        ? 'Error'
        : phases.includes('Inconclusive')
          ? 'Inconclusive'
          : phases.every((p) => p === 'Successful')
            ? 'Successful'
            : 'Running';
    if (phase === run.phase) return;
    run.phase = phase;
    if (this.cluster.get('argoproj.io/v1alpha1', 'AnalysisRun', run.name, this.ns))
      this.cluster.update('argoproj.io/v1alpha1', 'AnalysisRun', run.name, this.ns, (o) => {
        o.status = { ...(o.status as object), phase };
      });
    if (this.canary === canary) this.reconcile();
  }

  private writeStatus(live: KubeObject, hash: string, phase: string, message: string): void {
    const stableHash = this.stable?.hash ?? '';
    const pods = this.cluster
      .list('v1', 'Pod', this.ns)
      .filter((p) => p.metadata?.labels?.['rollouts-pod-template-hash']);
    const available = pods.filter(podReady).length;
    const status = {
      ...(live.status as object),
      phase,
      message,
      observedGeneration: String(live.metadata?.generation ?? 1),
      currentPodHash: hash,
      stableRS: stableHash,
      replicas: pods.length,
      updatedReplicas: this.pods(hash).length,
      availableReplicas: available,
      readyReplicas: available,
      abort: this.canary?.aborted ?? false,
      currentStepIndex: this.canary?.step,
      pauseConditions: this.canary?.paused ? [{ reason: 'InconclusiveAnalysis' }] : undefined,
    };
    if (JSON.stringify(status) === JSON.stringify(live.status)) return;
    this.cluster.update(...ROLLOUT, this.name, this.ns, (o) => {
      o.status = JSON.parse(JSON.stringify(status));
    });
  }
}
