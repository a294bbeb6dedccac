/**
 * The kubelet, as far as the lab can see it: a pod's containers pull their image, start, become Ready, or crash, and
 * the pod's status says so as a Kubernetes v1.33 kubelet writes it (the lab pins kindest/node:v1.33.1; alpha
 * feature gates off, as they are by default).
 *
 * Containers:
 * - Every container of `spec.containers` is run on its own (init containers are not modelled). An image that cannot
 *   be pulled shows `ErrImagePull` (the pull's error as message), then `ImagePullBackOff` with `Back-off pulling
 *   image "<image>": ErrImagePull: <the pull's error>` (image_manager.go keeps the last pull's error for the back-off
 *   message since v1.32) while the kubelet waits before the next pull: 10 s after the first failure, doubling each
 *   time, capped at 300 s (pkg/kubelet/kubelet.go `imageBackOffPeriod = 10s`, `MaxImageBackOff = 300s`;
 *   pkg/kubelet/images/image_manager.go; doubled by flowcontrol.Backoff). A present image is taken as pulled at once (it is cached on the node; the sim
 *   cannot know registry speed, and says so).
 * - A container that exits is restarted as `spec.restartPolicy` says (Always, the default: always; OnFailure: after a
 *   non-zero exit; Never: not). Before a restart it waits a back-off of 10 s, doubling, capped at 300 s
 *   (pkg/kubelet/kubelet.go `initialCrashLoopBackOff = 10s`, `MaxCrashLoopBackOff` = the kubelet config's
 *   `MaxContainerBackOff` 300 s; the alpha gates ReduceDefaultCrashLoopBackOffDecay and KubeletCrashLoopBackOffMax
 *   are off), and shows `CrashLoopBackOff` with `back-off <duration> restarting failed container=<c>
 *   pod=<name>_<namespace>(<uid>)` (pkg/kubelet/kuberuntime/kuberuntime_manager.go doBackOff; the duration as Go
 *   prints it, e.g. 1m20s), its `restartCount` and `lastState.terminated`; its log holds what the process wrote.
 * - A running container is Ready after its first successful readiness probe. The sim takes `readyAfterMs` (default
 *   5 s, the lab's readinessProbe periodSeconds) from start.
 *
 * The pod (each status write):
 * - `phase` (pkg/kubelet/kubelet_pods.go getPhase): Pending while any container waits without having run before
 *   (a failing image pull); Running once every container has started and one runs, and while containers that ran
 *   wait to restart (CrashLoopBackOff) under Always or OnFailure; Succeeded or Failed when every container has
 *   stopped for good. Before the kubelet's first write the pod is Pending as the API server created it (store.ts).
 * - `conditions`, in the kubelet's order (kubelet_pods.go generateAPIPodStatus; pkg/kubelet/status/generate.go):
 *   PodReadyToStartContainers (beta, on by default since v1.29; True once the sandbox exists),
 *   Initialized True, Ready and ContainersReady (False with reason ContainersNotReady and message
 *   `containers with unready status: [a b]`, or PodCompleted / PodFailed once the pod is terminal), PodScheduled
 *   True. Conditions the kubelet does not own are kept. Readiness gates are not modelled.
 * - `lastTransitionTime` of a condition changes only when its status does, and `startTime` is written once, at the
 *   first write, and kept (pkg/kubelet/status/status_manager.go updateStatusInternal, updateLastTransitionTime);
 *   times have whole seconds, as the API server stores them.
 * - The pod's addresses (kubelet_pods.go generateAPIPodStatus): `hostIP`/`hostIPs`, the node's address, in every
 *   write; `podIP`/`podIPs`, the sandbox's address from the node's pod CIDR (pod-ips.ts; the node's own address for
 *   a hostNetwork pod), once the sandbox exists. `qosClass` is the API server's, written at creation (qos.ts).
 * - The first sync (kubelet.go SyncPod) writes the status before it asks the runtime for a sandbox and containers: no
 *   sandbox yet, so every container waits with reason `ContainerCreating` and no message
 *   (kubelet_pods.go convertToAPIContainerStatuses, its default waiting state), PodReadyToStartContainers is False
 *   (status/generate.go: a new sandbox is still needed) and there is no pod IP. The sim makes the sandbox and pulls a
 *   present image at once, so the next write (pod IP, containers started or failing to pull) follows at the same
 *   virtual instant: ContainerCreating is the state of the first write, which a watch sees, and lasts no time (a kind
 *   node takes about a second).
 *
 * Events (`kubectl describe pod`), each about the pod, as a v1.33 cluster records them:
 * - the scheduler (`default-scheduler`) when it binds the pod: Normal `Scheduled` "Successfully assigned
 *   <ns>/<pod> to <node>" (pkg/scheduler/schedule_one.go). The real scheduler writes it through events.k8s.io/v1
 *   (reportingController default-scheduler); kubectl shows the same From and message. `spec.nodeName` is not
 *   written.
 * - the kubelet (source component `kubelet`, host and reportingInstance the node's name; client-go
 *   tools/record/event.go), reasons from pkg/kubelet/events/event.go:
 *   - a present image: Normal `Pulled` 'Container image "<image>" already present on machine'
 *     (pkg/kubelet/images/image_manager.go; the "... and can be accessed by the pod" wording comes only with the
 *     KubeletEnsureSecretPulledImages gate, alpha and off in v1.33). Each start pulls again, so a restart repeats it.
 *     The sim takes every image it can pull as present on the node; a pull under `imagePullPolicy: Always` (and its
 *     "Successfully pulled image ... Image size" event) is not modelled.
 *   - then Normal `Created` "Created container: <c>" and Normal `Started` "Started container <c>"
 *     (pkg/kubelet/kuberuntime/kuberuntime_container.go startContainer).
 *   - a failed pull: Normal `Pulling` 'Pulling image "<image>"', Warning `Failed` 'Failed to pull image "<image>":
 *     <error>' (image_manager.go) and Warning `Failed` "Error: ErrImagePull" (startContainer); while the pull backs
 *     off, each sync of the pod records Normal `BackOff` 'Back-off pulling image "<image>"' (image_manager.go; a
 *     Normal event) and Warning `Failed` "Error: ImagePullBackOff".
 *   - a crash loop: each sync while the restart backs off records Warning `BackOff` "Back-off restarting failed
 *     container <c> in pod <pod>_<ns>(<uid>)" (kuberuntime_manager.go doBackOff; the wording read in a copy of the
 *     v1.28 line; `kubectl describe` output of later clusters shows the same).
 *   - a deleted pod: Normal `Killing` "Stopping container <c>" for each running container
 *     (kuberuntime_container.go killContainer, no message given).
 *   A pod whose sync fails (a pull or a restart backing off) is synced again after the pod worker's back-off,
 *   10 s (pkg/kubelet/pod_workers.go, kubelet.go `backOffPeriod`; its jitter of up to 5 s is not modelled); the
 *   recorder counts the repeats (events.ts). Not modelled: probes (`Unhealthy`), the container's fieldPath in the
 *   event's involvedObject (so identical messages about two containers of one pod count as one event).
 * The image_manager.go and kuberuntime_container.go read are copies of the v1.33 development line, not identified by
 * tag (they carry v1.33's KubeletServiceAccountTokenForCredentialProviders gate and allocation manager).
 * What a container does is the simulation's `behaviour` hook: by default it runs and stays up.
 */

import { formatDuration } from '../canary/expr/gotime.js';
import type { Clock } from '../clock.js';
import type { SimCluster } from './api.js';
import { containerEnv } from './env.js';
import { type EventRecorder, eventRecorder } from './events.js';
import { PodIpPool } from './pod-ips.js';
import { type KubeObject, kubeTime } from './store.js';

export const imageBackOffMs = 10_000;
export const maxImageBackOffMs = 300_000;
export const crashLoopBackOffMs = 10_000;
export const maxCrashLoopBackOffMs = 300_000;
/** How soon the pod worker syncs a pod again after a sync that failed (kubelet.go `backOffPeriod`). */
export const podSyncBackOffMs = 10_000;

/** What a container does when it starts. */
export interface ContainerBehaviour {
  /** The container's process exits this long after start (with `exitCode` and these log lines). */
  exits?: { afterMs: number; exitCode: number; log: string[] };
  /** Log lines written at start (a running service). */
  log?: string[];
  /**
   * The readiness probe of a container backed by a real process (the live lab's doc-QA services): the container is
   * Ready only once this resolves, never if it rejects.
   */
  ready?: Promise<void>;
}

export interface KubeletOptions {
  clock: Clock;
  /** Whether the registry has the image (default: every image exists). */
  imageExists?: (image: string) => boolean;
  behaviour?: (pod: KubeObject, container: { name: string; image: string }) => ContainerBehaviour;
  readyAfterMs?: number;
  /** Which pods this kubelet runs (default: all). */
  runs?: (pod: KubeObject) => boolean;
  /** The node the pods run on (default: the lab's kind node). */
  node?: Partial<NodeInfo>;
}

/** The node as the pods see it. */
export interface NodeInfo {
  name: string;
  /** Its InternalIP: a kind cluster's first node on the `kind` docker network. */
  ip: string;
  /** The node's pod CIDR and the first pod IP it gives (pod-ips.ts). */
  podCidr: string;
  firstPodIp: string;
}

export const defaultNode: NodeInfo = {
  name: 'gitops-lab-control-plane',
  ip: '172.18.0.2',
  podCidr: '10.244.0.0/24',
  firstPodIp: '10.244.0.5',
};

interface Container {
  name: string;
  image: string;
}

interface Terminated {
  exitCode: number;
  reason: string;
  startedAt: string;
  finishedAt: string;
}

interface ContainerState {
  waiting?: { reason: string; message?: string };
  running?: { startedAt: string };
  terminated?: Terminated;
}

interface ContainerStatus {
  name: string;
  image: string;
  ready: boolean;
  restartCount: number;
  started: boolean;
  state: ContainerState;
  lastState?: ContainerState;
}

interface PodCondition {
  type: string;
  status: 'True' | 'False';
  lastProbeTime: null;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

interface PodStatus {
  phase?: string;
  conditions?: PodCondition[];
  hostIP?: string;
  hostIPs?: Array<{ ip: string }>;
  podIP?: string;
  podIPs?: Array<{ ip: string }>;
  startTime?: string;
  containerStatuses?: ContainerStatus[];
}

/** The addresses a status write carries: the node's, and the sandbox's once it exists. */
interface PodAddresses {
  hostIP: string;
  podIP?: string;
}

/** A pod this kubelet runs: its timers, its sandbox's address and what it knows of each container. */
interface PodRun {
  cancels: Array<() => void>;
  containers: Map<string, ContainerStatus>;
  /** While the first sync starts every container: one status write at its end. */
  starting: boolean;
  podIP?: string;
}

/** The conditions a kubelet owns, in the order it writes them. */
const kubeletConditions = [
  'PodReadyToStartContainers',
  'Initialized',
  'Ready',
  'ContainersReady',
  'PodScheduled',
];

/** The next delay of a doubling back-off from `initial`, capped at `max` (flowcontrol.Backoff). */
export function backOff(failures: number, initial: number, max: number): number {
  return Math.min(max, initial * 2 ** Math.max(0, failures - 1));
}

const specOf = (pod: KubeObject) =>
  (pod.spec ?? {}) as {
    containers?: Container[];
    restartPolicy?: 'Always' | 'OnFailure' | 'Never';
    hostNetwork?: boolean;
  };

/** A container of a pod whose sandbox is not made yet (convertToAPIContainerStatuses' default waiting state). */
const creating = (c: Container): ContainerStatus => ({
  name: c.name,
  image: c.image,
  ready: false,
  restartCount: 0,
  started: false,
  state: { waiting: { reason: 'ContainerCreating' } },
});

/** Whether a container that exited with `exitCode` is started again (the pod's restartPolicy). */
function restarts(pod: KubeObject, exitCode: number): boolean {
  const policy = specOf(pod).restartPolicy ?? 'Always';
  return policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0);
}

/** The pod's phase from its containers' statuses (getPhase, regular containers). */
function podPhase(pod: KubeObject, statuses: ContainerStatus[]): string {
  let unknown = 0;
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const c of specOf(pod).containers ?? []) {
    const state = statuses.find((s) => s.name === c.name);
    if (!state) unknown++;
    else if (state.state.running) running++;
    else if (state.state.terminated) {
      stopped++;
      if (state.state.terminated.exitCode === 0) succeeded++;
    } else if (state.state.waiting) {
      // A container waiting to restart has run before: it counts as stopped, not as never started.
      if (state.lastState?.terminated) stopped++;
      else waiting++;
    } else unknown++;
  }
  if (waiting > 0) return 'Pending';
  if (running > 0 && unknown === 0) return 'Running';
  if (running === 0 && stopped > 0 && unknown === 0) {
    const policy = specOf(pod).restartPolicy ?? 'Always';
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    return policy === 'Never' ? 'Failed' : 'Running';
  }
  return 'Pending';
}

/** ContainersReady as generate.go words it; Ready takes the same status, reason and message. */
function containersReady(pod: KubeObject, statuses: ContainerStatus[], phase: string) {
  if (phase === 'Succeeded') return { status: 'False' as const, reason: 'PodCompleted' };
  if (phase === 'Failed') return { status: 'False' as const, reason: 'PodFailed' };
  const names = (specOf(pod).containers ?? []).map((c) => c.name);
  const unknown = names.filter((n) => !statuses.some((s) => s.name === n));
  const unready = names.filter((n) => statuses.some((s) => s.name === n && !s.ready));
  const messages = [
    ...(unknown.length > 0 ? [`containers with unknown status: [${unknown.join(' ')}]`] : []),
    ...(unready.length > 0 ? [`containers with unready status: [${unready.join(' ')}]`] : []),
  ];
  if (messages.length === 0) return { status: 'True' as const };
  return { status: 'False' as const, reason: 'ContainersNotReady', message: messages.join(', ') };
}

/**
 * The status the kubelet writes over `old`: phase, its own conditions after the ones it does not own (each keeping
 * its lastTransitionTime while its status holds), the addresses, startTime kept from the first write, containers
 * sorted by name.
 */
function podStatus(
  pod: KubeObject,
  old: PodStatus,
  statuses: ContainerStatus[],
  at: string,
  addresses: PodAddresses,
): PodStatus {
  const containerStatuses = [...statuses].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const phase = podPhase(pod, containerStatuses);
  const ready = containersReady(pod, containerStatuses, phase);
  const generated: Array<Omit<PodCondition, 'lastProbeTime'>> = [
    { type: 'PodReadyToStartContainers', status: addresses.podIP ? 'True' : 'False' },
    { type: 'Initialized', status: 'True', ...(phase === 'Succeeded' ? { reason: 'PodCompleted' } : {}) },
    { type: 'Ready', ...ready },
    { type: 'ContainersReady', ...ready },
    { type: 'PodScheduled', status: 'True' },
  ];
  const before = old.conditions ?? [];
  const conditions: PodCondition[] = [
    ...before.filter((c) => !kubeletConditions.includes(c.type)),
    ...generated.map(({ type, status, reason, message }) => {
      const previous = before.find((c) => c.type === type);
      const since = previous?.status === status ? (previous.lastTransitionTime ?? at) : at;
      return {
        type,
        status,
        lastProbeTime: null,
        lastTransitionTime: since,
        ...(reason ? { reason } : {}),
        ...(message ? { message } : {}),
      };
    }),
  ];
  const { hostIP, podIP } = addresses;
  return {
    ...old,
    phase,
    conditions,
    hostIP,
    hostIPs: [{ ip: hostIP }],
    ...(podIP ? { podIP, podIPs: [{ ip: podIP }] } : {}),
    startTime: old.startTime ?? at,
    containerStatuses,
  };
}

/** The error a pull of a missing image fails with (containerd's, shortened: the sim has no registry to resolve). */
const pullError = (image: string) => `failed to pull and unpack image "${image}": not found`;

export class Kubelet {
  private running = new Map<string, PodRun>();
  private stopListening?: () => void;
  private readonly node: NodeInfo;
  private readonly podIps: PodIpPool;
  private readonly scheduler: EventRecorder;
  private readonly events: EventRecorder;

  constructor(
    private readonly cluster: SimCluster,
    private readonly options: KubeletOptions,
  ) {
    this.node = { ...defaultNode, ...options.node };
    this.podIps = new PodIpPool({ cidr: this.node.podCidr, first: this.node.firstPodIp });
    this.scheduler = eventRecorder(cluster, options.clock, 'default-scheduler');
    // client-go's recorder copies its source (component kubelet, host the node) into reportingInstance too.
    this.events = eventRecorder(cluster, options.clock, 'kubelet', { host: this.node.name });
  }

  start(): this {
    this.stopListening = this.cluster.onChange((event) => {
      if (event.resource.kind !== 'Pod') return;
      if (event.type === 'DELETED') return this.remove(event.object);
      if (event.type === 'ADDED') this.admit(event.object);
    });
    // Pods created before this kubelet started that no kubelet has reported on yet.
    for (const pod of this.cluster.list('v1', 'Pod')) {
      const status = pod.status as PodStatus | undefined;
      if (!status || (status.phase === 'Pending' && !status.startTime)) this.admit(pod);
    }
    return this;
  }

  stop(): void {
    this.stopListening?.();
    for (const run of this.running.values()) for (const cancel of run.cancels) cancel();
    this.running.clear();
  }

  private admit(pod: KubeObject): void {
    const key = keyOf(pod);
    if (this.running.has(key) || !(this.options.runs?.(pod) ?? true)) return;
    this.running.set(key, { cancels: [], containers: new Map(), starting: false });
    // Outside the write that created the pod, as a real kubelet sees it later; the scheduler has bound it first.
    this.after(key, 0, () => {
      const { namespace, name } = pod.metadata ?? {};
      this.scheduler.record(
        pod,
        'Normal',
        'Scheduled',
        `Successfully assigned ${namespace}/${name} to ${this.node.name}`,
      );
      this.startPod(pod);
    });
  }

  /** A deleted pod: its running containers are stopped, its timers cancelled and its IP freed. */
  private remove(pod: KubeObject): void {
    const key = keyOf(pod);
    const run = this.running.get(key);
    for (const c of run?.containers.values() ?? [])
      if (c.state.running) this.events.record(pod, 'Normal', 'Killing', `Stopping container ${c.name}`);
    for (const cancel of run?.cancels ?? []) cancel();
    this.running.delete(key);
    this.podIps.release(key);
    for (const c of specOf(pod).containers ?? []) this.cluster.store.env.delete(`${key}/${c.name}`);
  }

  private after(key: string, ms: number, fn: () => void): void {
    const run = this.running.get(key);
    if (!run) return;
    run.cancels.push(this.options.clock.setTimer(ms, () => this.running.has(key) && fn()));
  }

  /** `fn` at each sync of a pod whose last sync failed, from `firstMs` until (not at) `untilMs`. */
  private whileBackingOff(key: string, firstMs: number, untilMs: number, fn: () => void): void {
    for (let at = firstMs; at < untilMs; at += podSyncBackOffMs) this.after(key, at, fn);
  }

  /** Records what the kubelet now knows of a container and writes the pod's status (unless the first sync is on). */
  private report(pod: KubeObject, status: ContainerStatus): void {
    const run = this.running.get(keyOf(pod));
    if (!run) return;
    run.containers.set(status.name, status);
    if (!run.starting) this.write(pod, run);
  }

  private write(pod: KubeObject, run: PodRun): void {
    const ns = pod.metadata?.namespace ?? 'default';
    const name = pod.metadata?.name ?? '';
    if (!this.cluster.get('v1', 'Pod', name, ns)) return;
    const at = kubeTime(this.options.clock.now());
    const addresses = { hostIP: this.node.ip, ...(run.podIP ? { podIP: run.podIP } : {}) };
    this.cluster.update('v1', 'Pod', name, ns, (o) => {
      o.status = podStatus(o, (o.status ?? {}) as PodStatus, [...run.containers.values()], at, addresses);
    });
  }

  /**
   * The first sync: the status without a sandbox (every container ContainerCreating), then the sandbox and its IP,
   * then each container pulled and started, written once. With no free pod IP the sandbox cannot be made and the
   * containers stay ContainerCreating (the runtime's FailedCreatePodSandBox event is not modelled).
   */
  private startPod(pod: KubeObject): void {
    const key = keyOf(pod);
    const run = this.running.get(key);
    if (!run) return;
    const containers = specOf(pod).containers ?? [];
    for (const c of containers) run.containers.set(c.name, creating(c));
    this.write(pod, run);
    run.podIP = specOf(pod).hostNetwork ? this.node.ip : this.podIps.allocate(key);
    if (!run.podIP) return;
    const exists = this.options.imageExists ?? (() => true);
    run.starting = true;
    for (const c of containers) {
      const container = { name: c.name, image: c.image };
      if (exists(c.image)) this.run(pod, key, container, 0);
      else this.pullFails(pod, key, container, 1);
    }
    run.starting = false;
    this.write(pod, run);
  }

  private pullFails(pod: KubeObject, key: string, c: Container, failures: number): void {
    const waiting = (reason: string, message: string) =>
      this.report(pod, {
        name: c.name,
        image: c.image,
        ready: false,
        restartCount: 0,
        started: false,
        state: { waiting: { reason, message } },
      });
    const error = pullError(c.image);
    this.events.record(pod, 'Normal', 'Pulling', `Pulling image "${c.image}"`);
    this.events.record(pod, 'Warning', 'Failed', `Failed to pull image "${c.image}": ${error}`);
    this.events.record(pod, 'Warning', 'Failed', 'Error: ErrImagePull');
    waiting('ErrImagePull', error);
    const wait = backOff(failures, imageBackOffMs, maxImageBackOffMs);
    const backingOff = () => {
      this.events.record(pod, 'Normal', 'BackOff', `Back-off pulling image "${c.image}"`);
      this.events.record(pod, 'Warning', 'Failed', 'Error: ImagePullBackOff');
    };
    // The kubelet reports the back-off on its next pod sync, about a second later, and again at each sync after.
    this.after(key, 1000, () => {
      backingOff();
      waiting('ImagePullBackOff', `Back-off pulling image "${c.image}": ErrImagePull: ${error}`);
    });
    this.whileBackingOff(key, 1000 + podSyncBackOffMs, wait, backingOff);
    this.after(key, wait, () => this.pullFails(pod, key, c, failures + 1));
  }

  private run(pod: KubeObject, key: string, c: Container, restartCount: number, last?: ContainerState): void {
    const logKey = `${key}/${c.name}`;
    // The environment is built when the container starts (each restart builds it again): envFrom, then env.
    this.cluster.store.env.set(logKey, containerEnv(this.cluster, pod, c.name));
    const behaviour = this.options.behaviour?.(pod, c) ?? {};
    const log = this.cluster.store.logs;
    const lines = [...(behaviour.log ?? []), ...(behaviour.exits?.log ?? [])];
    // `kubectl logs` shows the current run; the previous run's lines are gone after a restart.
    log.set(logKey, lines);
    this.events.record(pod, 'Normal', 'Pulled', `Container image "${c.image}" already present on machine`);
    this.events.record(pod, 'Normal', 'Created', `Created container: ${c.name}`);
    this.events.record(pod, 'Normal', 'Started', `Started container ${c.name}`);
    const startedAt = kubeTime(this.options.clock.now());
    const base = { name: c.name, image: c.image, restartCount, ...(last ? { lastState: last } : {}) };
    const runningState = { running: { startedAt } };
    this.report(pod, { ...base, ready: false, started: true, state: runningState });
    if (behaviour.exits) {
      const { afterMs, exitCode } = behaviour.exits;
      this.after(key, afterMs, () => this.exited(pod, key, base, startedAt, exitCode));
      return;
    }
    const markReady = () => this.report(pod, { ...base, ready: true, started: true, state: runningState });
    const probe = behaviour.ready;
    this.after(key, this.options.readyAfterMs ?? 5000, () => {
      if (!probe) return markReady();
      probe.then(
        () => this.running.has(key) && markReady(),
        () => undefined,
      );
    });
  }

  /** A container's process ended: it stays terminated, or waits in CrashLoopBackOff to be started again. */
  private exited(
    pod: KubeObject,
    key: string,
    run: Container & { restartCount: number; lastState?: ContainerState },
    startedAt: string,
    exitCode: number,
  ): void {
    const terminated: Terminated = {
      exitCode,
      reason: exitCode === 0 ? 'Completed' : 'Error',
      startedAt,
      finishedAt: kubeTime(this.options.clock.now()),
    };
    if (!restarts(pod, exitCode)) {
      this.report(pod, { ...run, ready: false, started: false, state: { terminated } });
      return;
    }
    const { name, image, restartCount } = run;
    const wait = backOff(restartCount + 1, crashLoopBackOffMs, maxCrashLoopBackOffMs);
    // The pod as the kubelet names it in messages (format.Pod): <name>_<namespace>(<uid>).
    const podName = `${pod.metadata?.name}_${pod.metadata?.namespace}(${pod.metadata?.uid})`;
    const message = `back-off ${formatDuration(BigInt(wait) * 1_000_000n)} restarting failed container=${name} pod=${podName}`;
    this.report(pod, {
      name,
      image,
      ready: false,
      started: false,
      restartCount: restartCount + 1,
      lastState: { terminated },
      state: { waiting: { reason: 'CrashLoopBackOff', message } },
    });
    this.whileBackingOff(key, 0, wait, () =>
      this.events.record(
        pod,
        'Warning',
        'BackOff',
        `Back-off restarting failed container ${name} in pod ${podName}`,
      ),
    );
    this.after(key, wait, () => this.run(pod, key, { name, image }, restartCount + 1, { terminated }));
  }
}

const keyOf = (pod: KubeObject) => `${pod.metadata?.namespace}/${pod.metadata?.name}`;

/** Pods of a Deployment are Ready: the Deployment's status counts them (the Deployment controller's part). */
export function podReady(pod: KubeObject | undefined): boolean {
  const conditions = (pod?.status as { conditions?: Array<{ type: string; status: string }> } | undefined)
    ?.conditions;
  return conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}
