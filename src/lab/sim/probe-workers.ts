/**
 * The probe workers of one pod, as a Kubernetes v1.33 kubelet runs them (pkg/kubelet/prober/prober_manager.go,
 * worker.go; prober.ts holds the rules that need no pod: defaults, thresholds, HTTP outcomes, messages). Each
 * container's startupProbe, readinessProbe and livenessProbe has a worker from the moment the pod is added
 * (prober_manager.go AddPod), probing every periodSeconds on the cluster's clock; only while the kubelet itself started
 * less than a period ago does a worker first wait a random part of its period (worker.go run). A probe runs once
 * initialDelaySeconds have passed since the container started (whole seconds), readiness and liveness only once the
 * container has started (its startup probe passed), startup only until then (worker.go doProbe). Each worker keeps its
 * result for the container run it probed (the results manager); a result that changes is handed to the kubelet
 * (`changed`), which syncs the pod: it kills a container whose liveness or startup result is Failure and writes the
 * readiness of the others.
 * The rules were read in worker.go at kubernetes commit 00421113 and prober_manager.go at 0181833d (copies of the
 * development line, not tagged).
 */

import type { Clock } from '../clock.js';
import {
  httpOutcome,
  joinHostPort,
  kindName,
  otherOutcome,
  type Probe,
  type ProbeAnswer,
  type ProbeKind,
  type ProbeOutcome,
  type ProbeResult,
  type ProbeSpec,
  ProbeState,
  probeUrl,
  resolvePort,
  tcpOutcome,
  withDefaults,
} from './prober.js';

/** What a probe asks (prober.go runProbe). */
export interface ProbeTarget {
  url?: string;
  port?: number;
  path?: string;
  /** timeoutSeconds in ms of the cluster's clock. */
  timeoutMs: number;
}

/** The container's answer to one of its probes (the simulation's behaviour hook). */
export type ProbeHook = (
  kind: ProbeKind,
  probe: Probe,
  target: ProbeTarget,
) => ProbeAnswer | Promise<ProbeAnswer>;

/** A container of the pod spec, with what the probes read. */
export interface ProbedContainer {
  name: string;
  ports?: Array<{ name?: string; containerPort: number }>;
  readinessProbe?: ProbeSpec;
  livenessProbe?: ProbeSpec;
  startupProbe?: ProbeSpec;
}

/** One run of a container as the workers see it: its id is the worker's containerID. */
export interface ProbedRun {
  id: number;
  startedAtMs: number;
  running: boolean;
  behaviour: { probe?: ProbeHook };
}

/** What the workers need of the kubelet. */
export interface ProbeWorkersHost {
  clock: Clock;
  /** The start-up jitter's random numbers (seeded: the simulation must repeat). */
  random: () => number;
  /** When the kubelet itself started. */
  kubeletStartedAt: number;
  /** The container's current run, if it has one. */
  runOf: (container: string) => ProbedRun | undefined;
  /** The pod's IP, once its sandbox exists. */
  podIP: () => string | undefined;
  /** Records an event about the pod (Warning `Unhealthy`, `ProbeWarning`). */
  record: (type: 'Normal' | 'Warning', reason: string, message: string) => void;
  /** A worker's result changed (the results manager's update: kubelet.go syncLoopIteration handleProbeSync). */
  changed: (container: string, kind: ProbeKind, result: ProbeResult, probe: Probe) => void;
}

/** A probe worker of one container (worker.go): its result, and its loop's state (the ticker and manual trigger). */
interface Worker {
  container: ProbedContainer;
  kind: ProbeKind;
  state: ProbeState;
  /** The run whose result the state holds (the worker's containerID). */
  seen?: number;
  /** The first probe has run (after the start-up jitter). */
  begun: boolean;
  inFlight: boolean;
  /** A tick or a manual trigger that came while a probe ran: Go's channels keep one of each. */
  pendingTick: boolean;
  pendingTrigger: boolean;
  /** Stopped while the rest of the pod's workers go on (a terminating pod's liveness and startup workers). */
  halted?: boolean;
}

export class ProbeWorkers {
  private readonly workers: Worker[] = [];
  private readonly cancels: Array<() => void> = [];
  private stopped = false;

  /**
   * The workers of each container's probes, in prober_manager.go AddPod's order (startup, readiness, liveness). A
   * worker waits a random part of its period before its first probe only while the kubelet itself started less than
   * a period ago (worker.go run: after a kubelet restart its probes would otherwise all fire at once); a pod added to
   * a kubelet that has been up longer starts probing at once. Then it probes every period.
   */
  constructor(
    containers: ProbedContainer[],
    private readonly host: ProbeWorkersHost,
  ) {
    for (const container of containers) {
      const specs: Array<[ProbeKind, ProbeSpec | undefined]> = [
        ['startup', container.startupProbe],
        ['readiness', container.readinessProbe],
        ['liveness', container.livenessProbe],
      ];
      for (const [kind, spec] of specs) {
        if (!spec) continue;
        const worker: Worker = {
          container,
          kind,
          state: new ProbeState(kind, withDefaults(spec)),
          begun: false,
          inFlight: false,
          pendingTick: false,
          pendingTrigger: false,
        };
        this.workers.push(worker);
        const periodMs = worker.state.probe.periodSeconds * 1000;
        const sinceStart = host.clock.now() - host.kubeletStartedAt;
        const jitterMs = periodMs > sinceStart ? Math.floor(host.random() * periodMs) : 0;
        this.every(jitterMs, periodMs, () => this.tick(worker));
      }
    }
  }

  /** The pod is gone: no more ticks, and results of probes still in flight are dropped. */
  stop(): void {
    this.stopped = true;
    for (const cancel of this.cancels) cancel();
  }

  /**
   * The pod is terminating: its liveness and startup workers stop, its readiness workers go on, so that a terminating
   * endpoint's `serving` follows readiness (pkg/kubelet/kubelet.go SyncTerminatingPod: probeManager
   * StopLivenessAndStartup).
   */
  stopLivenessAndStartup(): void {
    for (const worker of this.workers) if (worker.kind !== 'readiness') worker.halted = true;
  }

  /** Started: running, and its startup probe (if any) has succeeded for this run. */
  started(container: string): boolean {
    return (this.host.runOf(container)?.running ?? false) && this.passes(container, 'startup');
  }

  /**
   * Whether the container passes its probe of `kind`: true without such a probe (a container without a readiness
   * probe is Ready once it runs); else the worker's result for this very run is Success (a new run has no result
   * yet: not ready, not started).
   */
  passes(container: string, kind: ProbeKind): boolean {
    const worker = this.find(container, kind);
    if (!worker) return true;
    return worker.seen === this.host.runOf(container)?.id && worker.state.result === 'Success';
  }

  /** A manual run of a container's worker of `kind` (its trigger channel keeps one while the worker is busy). */
  trigger(container: string, kind: ProbeKind): void {
    const worker = this.find(container, kind);
    if (!worker || this.stopped || worker.halted) return;
    if (!worker.begun || worker.inFlight) worker.pendingTrigger = true;
    else this.doProbe(worker);
  }

  private find(container: string, kind: ProbeKind): Worker | undefined {
    return this.workers.find((w) => w.container.name === container && w.kind === kind);
  }

  /** `fn` after `firstMs`, then every `periodMs` until the pod goes (one timer at a time). */
  private every(firstMs: number, periodMs: number, fn: () => void): void {
    let cancel = () => {};
    const schedule = (ms: number) => {
      cancel = this.host.clock.setTimer(ms, () => {
        if (this.stopped) return;
        fn();
        schedule(periodMs);
      });
    };
    schedule(firstMs);
    this.cancels.push(() => cancel());
  }

  /** The worker's ticker fired (or its start-up wait ended): probe, or keep the tick while a probe runs. */
  private tick(worker: Worker): void {
    if (worker.halted) return;
    if (!worker.begun) {
      worker.begun = true;
      this.doProbe(worker);
    } else if (worker.inFlight) worker.pendingTick = true;
    else this.doProbe(worker);
  }

  /** The next probe a busy worker owes: a kept trigger, then a kept tick. */
  private owed(worker: Worker): void {
    if (worker.pendingTrigger) worker.pendingTrigger = false;
    else if (worker.pendingTick) worker.pendingTick = false;
    else return;
    this.doProbe(worker);
  }

  /**
   * One probe (worker.go doProbe): nothing before the container exists; a new run resets the result to the initial
   * value and lifts a hold; nothing while on hold, while the container is not running (upstream stores a Failure
   * then, which no one reads until the next run), within initialDelaySeconds of the start (whole seconds,
   * truncated), for a startup probe once the container has started, or for the others before it has.
   */
  private doProbe(worker: Worker): void {
    const name = worker.container.name;
    const run = this.host.runOf(name);
    if (!run) {
      this.owed(worker);
      return;
    }
    if (worker.seen !== run.id) {
      worker.seen = run.id;
      worker.state.newContainer();
    }
    const { state } = worker;
    const sinceStartS = Math.floor((this.host.clock.now() - run.startedAtMs) / 1000);
    const started = this.started(name);
    if (
      state.onHold ||
      !run.running ||
      sinceStartS < state.probe.initialDelaySeconds ||
      (worker.kind === 'startup' ? started : !started)
    ) {
      this.owed(worker);
      return;
    }
    const asked = this.ask(run, worker);
    if (asked instanceof Error) {
      this.host.record(
        'Warning',
        'Unhealthy',
        `${kindName[worker.kind]} probe errored and resulted in unknown state: ${asked.message}`,
      );
      this.owed(worker);
      return;
    }
    const { answer, judge } = asked;
    const settle = (outcome: ProbeOutcome | undefined) => {
      worker.inFlight = false;
      // A probe of a container that has gone meanwhile (the pod deleted, the container replaced) is dropped.
      if (outcome && !this.stopped && !worker.halted && this.host.runOf(name) === run)
        this.settle(worker, outcome);
      this.owed(worker);
    };
    if (answer instanceof Promise) {
      worker.inFlight = true;
      answer.then(
        (a) => settle(judge(a)),
        () => settle(undefined),
      );
    } else settle(judge(answer));
  }

  /** Asks the container (its behaviour hook; default: success) what the probe would ask at its URL or port. */
  private ask(
    run: ProbedRun,
    worker: Worker,
  ): Error | { answer: ProbeAnswer | Promise<ProbeAnswer>; judge: (answer: ProbeAnswer) => ProbeOutcome } {
    const probe = worker.state.probe;
    const target: ProbeTarget = { timeoutMs: probe.timeoutSeconds * 1000 };
    let judge: (answer: ProbeAnswer) => ProbeOutcome = otherOutcome;
    const socket = probe.httpGet ?? probe.tcpSocket;
    const podIP = this.host.podIP();
    if (socket) {
      const port = resolvePort(socket.port, worker.container);
      if (port instanceof Error) return port;
      target.port = port;
      if (probe.httpGet) {
        const url = probeUrl(probe.httpGet, podIP ?? '', port);
        Object.assign(target, { url, path: probe.httpGet.path });
        judge = (a) => httpOutcome(url, a);
      } else {
        const address = joinHostPort(socket.host || podIP || '', port);
        judge = (a) => tcpOutcome(address, a);
      }
    }
    const hook = run.behaviour.probe;
    let answer: ProbeAnswer | Promise<ProbeAnswer>;
    try {
      answer = hook ? hook(worker.kind, probe, target) : { ok: true, output: '' };
    } catch (error) {
      answer = { ok: false, output: error instanceof Error ? error.message : String(error) };
    }
    return { answer, judge };
  }

  /** A probe's outcome: its event, the run of outcomes, and the kubelet told of a changed result. */
  private settle(worker: Worker, outcome: ProbeOutcome): void {
    const kind = kindName[worker.kind];
    if (outcome.result === 'Failure')
      this.host.record('Warning', 'Unhealthy', `${kind} probe failed: ${outcome.output}`);
    if (outcome.result === 'Warning')
      this.host.record('Warning', 'ProbeWarning', `${kind} probe warning: ${outcome.output}`);
    if (!worker.state.record(outcome.result === 'Failure' ? 'Failure' : 'Success')) return;
    this.host.changed(worker.container.name, worker.kind, worker.state.result, worker.state.probe);
  }
}
