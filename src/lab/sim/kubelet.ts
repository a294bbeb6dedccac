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
 *   non-zero exit; Never: not; container/helpers.go ShouldContainerBeRestarted). The kubelet notices the exit at its
 *   next PLEG relist (every second; the sim takes the whole second) and syncs the pod: that sync writes the container
 *   `terminated` (exit code, reason Error, or Completed for 0; `restartCount` of the run that ended), then starts it
 *   again unless the crash-loop back-off refuses (pkg/kubelet/kuberuntime/kuberuntime_manager.go doBackOff, with the
 *   per-container client-go flowcontrol.Backoff of crash-loop-backoff.ts). The first exit has no back-off entry: the
 *   container is restarted in that very sync (restartCount 1, the ended run as `lastState.terminated`), and the start
 *   records a window of 10 s. An exit within the window of the one before is refused: Warning `BackOff`, the sync
 *   fails and the pod worker syncs again 10 s later; from that sync on the container shows `CrashLoopBackOff` with
 *   `back-off <window> restarting failed container=<c> pod=<name>_<namespace>(<uid>)` (kubelet_pods.go
 *   convertToAPIContainerStatuses takes the reason the last sync cached; the window as Go prints a duration, e.g.
 *   1m20s) and the ended run as `lastState`; the first sync past the window starts it. Each start doubles the window
 *   up to 300 s; so the restarts come 0, 10, 20, 40 ... 300 s after the exits, each plus the relist's second. The
 *   back-off starts over at 10 s when more than 600 s passed since the last restart (kubelet.go HasExpiredFunc: a
 *   container that ran that long; the entry's GC at housekeeping has the same effect). Its log holds what the
 *   process wrote.
 * - Probes: each container's startupProbe, readinessProbe and livenessProbe has a worker from the moment the pod is
 *   added (probe-workers.ts: ticks, manual triggers, each probe and its result; prober.ts: the rules that need no
 *   pod). What the container answers is the behaviour's `probe` hook (default: success; the live lab asks its real
 *   processes over HTTP). A result that changes syncs the pod (below).
 * - A container is Ready when it runs, has started and its readiness result is Success; one without a readiness
 *   probe is Ready as soon as it runs, and one without a startup probe has started as soon as it runs
 *   (prober_manager.go UpdatePodStatus). The sync that sees a container running asks its readiness worker for a probe
 *   at once, and so does each sync of a started, unready container that a probe result causes (UpdatePodStatus'
 *   manual trigger): a container whose probe passes is Ready at start, and one whose readiness just turned Failure
 *   is probed again at once. The pod worker's periodic resync (1 min plus jitter), which also triggers that probe,
 *   is not modelled.
 * - Results change only after failureThreshold failures or successThreshold successes in a row: a Ready container
 *   whose readiness probe fails that often becomes unready (the pod's Ready and ContainersReady False), and Ready
 *   again after successThreshold successes. Each failure records Warning `Unhealthy` "Readiness probe failed:
 *   <output>" (counted as it repeats, events.ts).
 * - A failed liveness (or startup) result kills the container (pkg/kubelet/kuberuntime/kuberuntime_manager.go
 *   computePodActions): Normal `Killing` "Container <c> failed liveness probe, will be restarted", SIGTERM, SIGKILL
 *   after the grace period (the probe's terminationGracePeriodSeconds, else the pod's, default 30 s;
 *   kuberuntime_container.go setTerminationGracePeriod) unless the behaviour's `stops` ends it sooner; exit code 137
 *   for a SIGKILL, reason Error (containerd: Error for a non-zero code). The sync that killed it then starts it again
 *   (restartCount + 1, lastState.terminated), even under OnFailure with exit code 0, not under Never, at once unless
 *   the back-off refuses: that sync still sees the run before the killed one as the container's newest exited run, so
 *   a first kill is never refused (and records no window), and a later one is refused when it ends within the window
 *   of that earlier run's end. A refused kill is then handled as a refused exit (same back-off entry, the container's
 *   key), from the next relist's sync.
 *
 * A pod marked for deletion (graceful deletion, pod-deletion.ts; see `terminate`): its containers get SIGTERM and,
 *   when its deletionGracePeriodSeconds are over, SIGKILL, unless the behaviour's `stops` ends them sooner; nothing
 *   restarts; the liveness and startup probes stop while readiness goes on; once no container runs the kubelet
 *   writes the terminal status (Succeeded or Failed, every container terminated) and removes the pod with a DELETE
 *   of grace period 0 (status_manager.go). A pod removed at once (grace period 0, --force) is only stopped: its
 *   containers get `Killing` and its timers end. preStop hooks are not modelled (the lab's pods have none).
 *
 * The pod (each status write):
 * - `phase` (pkg/kubelet/kubelet_pods.go getPhase): Pending while any container waits without having run before
 *   (a failing image pull); Running once every container has started and one runs, and while containers that ran
 *   have stopped or wait to restart (CrashLoopBackOff) under Always or OnFailure; Succeeded or Failed when every
 *   container has stopped for good. Before the kubelet's first write the pod is Pending as the API server created it
 *   (store.ts).
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
 *   (reportingController default-scheduler); kubectl shows the same From and message. The event follows the bind
 *   (binding.ts), which sets `spec.nodeName` and the PodScheduled condition at the same instant; a pod created with
 *   a node gets neither the bind nor the event.
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
 *   - a crash loop: each sync that the back-off refuses records Warning `BackOff` "Back-off restarting failed
 *     container <c> in pod <pod>_<ns>(<uid>)" (kuberuntime_manager.go doBackOff; the wording read in a copy of the
 *     v1.28 line; `kubectl describe` output of later clusters shows the same); none after a first exit.
 *   - a deleted pod: Normal `Killing` "Stopping container <c>" for each running container
 *     (kuberuntime_container.go killContainer, no message given).
 *   A pod whose sync fails (a pull or a restart backing off) is synced again after the pod worker's back-off,
 *   10 s (pkg/kubelet/pod_workers.go completeWork, kubelet.go `backOffPeriod`; its jitter of up to 5 s is not
 *   modelled). kubelet.go SyncPod means to let a sync that only backs off succeed, but the check never passes (the
 *   sandbox's config result, without error, is always among the results: kubernetes issue 123602, changed after
 *   v1.33), so a crash loop is synced every 10 s too. The recorder counts the repeats (events.ts). Syncs that
 *   probe results cause do not look at containers backing off here; the pod worker's periodic resync (1 min) is not
 *   modelled.
 *   - probes: Warning `Unhealthy` "<Kind> probe failed: <output>" at each failure, Warning `ProbeWarning` for a
 *     redirect, Normal `Killing` for a failed liveness or startup probe (above).
 *   Not modelled: the container's fieldPath in the event's involvedObject (so identical messages about two
 *   containers of one pod count as one event).
 * The image_manager.go and kuberuntime_container.go read are copies of the v1.33 development line, not identified by
 * tag (they carry v1.33's KubeletServiceAccountTokenForCredentialProviders gate and allocation manager).
 * The probe rules were read in pkg/kubelet/prober/worker.go at kubernetes commit 00421113, prober_manager.go at
 * 0181833d and kuberuntime/kuberuntime_manager.go at 000f2605 (copies of the development line, not tagged: the
 * tool that served them names no tag; they carry contexts and loggers of the v1.3x line). The restart rules: doBackOff
 * in a copy of kuberuntime_manager.go of the v1.3x line (klog, the message with the window); kubelet.go SyncPod's
 * back-off check, `genericPlegRelistPeriod` and `backOffPeriod` at 000d9543 (v1.3x line); its HasExpiredFunc in
 * copies of v1.32 and of the v1.33 line (newCrashLoopBackOff); convertToAPIContainerStatuses' reasonCache rule in
 * copies of kubelet_pods.go from several lines (unchanged); pod_workers.go completeWork of the v1.2x-v1.3x lines.
 * What a container does is the simulation's `behaviour` hook: by default it runs, stays up and answers its probes.
 */

import { seededRandom } from '../../random.js';
import { formatDuration } from '../canary/expr/gotime.js';
import type { Clock } from '../clock.js';
import type { SimCluster } from './api.js';
import { bindPod } from './binding.js';
import { compareStrings } from './compare.js';
import { type PodCondition, setCondition, transitionTime } from './conditions.js';
import { CrashLoopBackOff } from './crash-loop-backoff.js';
import { containerEnv } from './env.js';
import { type EventRecorder, eventRecorder } from './events.js';
import { deletePod } from './pod-deletion.js';
import { PodIpPool } from './pod-ips.js';
import { type ProbedContainer, type ProbeHook, ProbeWorkers } from './probe-workers.js';
import type { Probe, ProbeKind, ProbeResult } from './prober.js';
import { type KubeObject, kubeTime, StoreError } from './store.js';
import { bindPodVolumes, podClaims, unschedulableMessage } from './volume-binding.js';

/** BindPodVolumes' poll of the claims it is waiting for (binder.go). */
const VOLUME_BIND_POLL_MS = 1000;
/** podMaxInUnschedulablePodsDuration: an unschedulable pod is tried again after this at the latest. */
const UNSCHEDULABLE_FLUSH_MS = 5 * 60_000;

export const imageBackOffMs = 10_000;
export const maxImageBackOffMs = 300_000;
/** How soon the pod worker syncs a pod again after a sync that failed (kubelet.go `backOffPeriod`). */
export const podSyncBackOffMs = 10_000;
/**
 * How soon the kubelet notices that a container has stopped: the generic PLEG relists the runtime's containers every
 * second (kubelet.go `genericPlegRelistPeriod`; the Evented PLEG is beta and off by default) and a ContainerDied event
 * syncs the pod at once. An exit lands anywhere within a relist period; the sim takes the whole second.
 */
export const plegRelistMs = 1000;

/** What a container does when it starts. */
export interface ContainerBehaviour {
  /** The container's process exits this long after start (with `exitCode` and these log lines). */
  exits?: { afterMs: number; exitCode: number; log: string[] };
  /** Log lines written at start (a running service). */
  log?: string[];
  /**
   * The container's answer to one of its probes (default: success, as a simulated container with no process answers
   * them). The live lab asks its real doc-QA processes over HTTP. `target` is what the kubelet would ask: the URL (on
   * the pod's IP), the resolved port and path of an httpGet probe, and the probe's timeout in the cluster's ms.
   */
  probe?: ProbeHook;
  /**
   * How the process answers the runtime's SIGTERM when the kubelet kills the container (a failed liveness or startup
   * probe): it ends `afterMs` later with `exitCode`. Default: it ignores SIGTERM, as a process running as PID 1
   * without a handler does, and the runtime kills it with SIGKILL when the grace period ends (exit code 137).
   */
  stops?: { afterMs: number; exitCode: number };
}

export type { ProbeTarget } from './probe-workers.js';

export interface KubeletOptions {
  clock: Clock;
  /** Whether the registry has the image (default: every image exists). */
  imageExists?: (image: string) => boolean;
  behaviour?: (pod: KubeObject, container: { name: string; image: string }) => ContainerBehaviour;
  /**
   * The random numbers of the probe workers' start-up jitter (worker.go run); default seeded, so runs repeat. Never
   * Math.random: the simulation must be reproducible.
   */
  random?: () => number;
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

/** A container of the pod spec, with what the probes read. */
type ContainerSpec = Container & ProbedContainer;

interface Terminated {
  exitCode: number;
  reason: string;
  message?: string;
  startedAt?: string;
  finishedAt?: string;
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

/** One run of a container (a container ID to the probe workers). */
interface Instance {
  id: number;
  startedAtMs: number;
  startedAt: string;
  running: boolean;
  /** The kubelet has killed it (a failed probe) and waits for it to end. */
  killing: boolean;
  behaviour: ContainerBehaviour;
  base: Container & { restartCount: number; lastState?: ContainerState };
  /** When the run before this one finished, in ms (the runtime keeps that dead container). */
  previousFinishedAtMs?: number;
  /** How it ended, once it has (the runtime's exited container: its state and precise finish). */
  terminated?: Terminated;
  finishedAtMs?: number;
}

/** A pod this kubelet runs: its timers, its sandbox's address and what it knows of each container. */
interface PodRun {
  cancels: Array<() => void>;
  containers: Map<string, ContainerStatus>;
  instances: Map<string, Instance>;
  /** The probe workers of its containers (probe-workers.ts). */
  probes: ProbeWorkers;
  /** While a sync changes several containers: one status write at its end. */
  starting: boolean;
  podIP?: string;
  /** The crash-loop back-off of each container, by name (the kubelet's flowcontrol.Backoff, keyed per container). */
  backOff: CrashLoopBackOff;
  /**
   * Why each container's last start was refused (the kubelet's reasonCache, kubelet.go SyncPod `reasonCache.Update`):
   * set when doBackOff refuses, cleared when the container starts.
   */
  reasons: Map<string, { reason: string; message: string }>;
  /** Cancels the pod worker's queued sync (its work queue holds one time per pod; each sync replaces it). */
  queued?: () => void;
  /** The pod is being deleted (pod-termination below): when each container still running gets SIGKILL. */
  terminating?: { killAt: number; kills: Map<string, () => void> };
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
    containers?: ContainerSpec[];
    restartPolicy?: 'Always' | 'OnFailure' | 'Never';
    hostNetwork?: boolean;
    terminationGracePeriodSeconds?: number;
  };

/** The API server's default grace period (pkg/apis/core/types.go DefaultTerminationGracePeriodSeconds). */
const DEFAULT_GRACE_SECONDS = 30;
/** The exit code of a process killed by SIGKILL (128 + 9), which containerd reports with reason Error. */
const SIGKILL_EXIT = 137;
/** A container the runtime no longer reports when its pod is terminated (status_manager.go TerminatePod). */
const statusUnknown: Terminated = {
  exitCode: SIGKILL_EXIT,
  reason: 'ContainerStatusUnknown',
  message: 'The container could not be located when the pod was terminated',
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

/**
 * The pod's phase from its containers' statuses (getPhase, regular containers). `terminal`: the kubelet has stopped
 * every container of a pod being deleted (getPhase's podIsTerminal): Succeeded if all exited 0, else Failed.
 */
function podPhase(pod: KubeObject, statuses: ContainerStatus[], terminal = false): string {
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
    if (terminal) return stopped === succeeded ? 'Succeeded' : 'Failed';
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
  terminal = false,
): PodStatus {
  const containerStatuses = [...statuses].sort((a, b) => compareStrings(a.name, b.name));
  const phase = podPhase(pod, containerStatuses, terminal);
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
      const since = transitionTime(
        before.find((c) => c.type === type),
        status,
        at,
      );
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
  private readonly random: () => number;
  private startedAt = 0;
  private instances = 0;

  constructor(
    private readonly cluster: SimCluster,
    private readonly options: KubeletOptions,
  ) {
    this.node = { ...defaultNode, ...options.node };
    this.podIps = new PodIpPool({ cidr: this.node.podCidr, first: this.node.firstPodIp });
    this.scheduler = eventRecorder(cluster, options.clock, 'default-scheduler');
    // client-go's recorder copies its source (component kubelet, host the node) into reportingInstance too.
    this.events = eventRecorder(cluster, options.clock, 'kubelet', { host: this.node.name });
    this.random = options.random ?? seededRandom(1);
  }

  start(): this {
    this.startedAt = this.options.clock.now();
    this.stopListening = this.cluster.onChange((event) => {
      if (event.resource.kind !== 'Pod') return;
      if (event.type === 'DELETED') return this.remove(event.object);
      if (event.type === 'ADDED') this.admit(event.object);
      // A pod marked for deletion (pod-deletion.ts): its pod worker terminates it, outside the write.
      else if (event.object.metadata?.deletionTimestamp) {
        const pod = event.object;
        this.after(keyOf(pod), 0, () => this.terminate(pod));
      }
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
    for (const run of this.running.values()) {
      for (const cancel of run.cancels) cancel();
      run.probes.stop();
    }
    this.running.clear();
  }

  private admit(pod: KubeObject): void {
    const key = keyOf(pod);
    if (this.running.has(key) || !(this.options.runs?.(pod) ?? true)) return;
    const run: PodRun = {
      cancels: [],
      containers: new Map(),
      instances: new Map(),
      probes: this.probeWorkers(pod, key),
      starting: false,
      backOff: new CrashLoopBackOff(() => this.options.clock.now()),
      reasons: new Map(),
    };
    // The probe manager's workers start when the pod is added, before its first sync creates any container
    // (kubelet.go HandlePodAdditions: probeManager.AddPod, then the pod worker's sync).
    run.cancels.push(() => run.queued?.());
    this.running.set(key, run);
    // Outside the write that created the pod, as a real kubelet sees it later; the scheduler has bound it first.
    this.after(key, 0, () => this.scheduleAndStart(pod, 0));
  }

  /**
   * The scheduler's cycle for a pod: a pod that uses claims is bound only once they are (volume-binding.ts: PreBind
   * polls every second), and one whose claims make it unschedulable waits, FailedScheduling, until a claim, volume or
   * class changes (the VolumeBinding plugin's cluster events) or 5 minutes pass (podMaxInUnschedulablePodsDuration),
   * and then its back-off (1 s doubling to 10 s: podInitialBackoffSeconds, podMaxBackoffSeconds;
   * pkg/scheduler/backend/queue/scheduling_queue.go). Then it is bound and started.
   */
  private scheduleAndStart(pod: KubeObject, attempt: number): void {
    const key = keyOf(pod);
    const { namespace = 'default', name = '' } = pod.metadata ?? {};
    if (!(pod.spec as { nodeName?: string } | undefined)?.nodeName && podClaims(pod).length > 0) {
      const current = this.cluster.get('v1', 'Pod', name, namespace);
      if (!current) return;
      const volumes = bindPodVolumes(this.cluster, current, this.node.name);
      if (volumes.state === 'waiting') {
        this.after(key, VOLUME_BIND_POLL_MS, () => this.scheduleAndStart(pod, attempt));
        return;
      }
      if (volumes.state === 'unschedulable') {
        this.unschedulable(current, volumes.reason, attempt);
        return;
      }
    }
    if (this.schedule(pod)) this.startPod(pod);
  }

  /** handleSchedulingFailure: the event and condition, then a retry when a volume event comes (or 5 minutes pass). */
  private unschedulable(pod: KubeObject, reason: string, attempt: number): void {
    const key = keyOf(pod);
    const { namespace = 'default', name = '' } = pod.metadata ?? {};
    const message = unschedulableMessage(reason);
    this.scheduler.record(pod, 'Warning', 'FailedScheduling', message);
    const at = kubeTime(this.options.clock.now());
    this.cluster.update('v1', 'Pod', name, namespace, (p) => {
      const status = (p.status ?? {}) as { conditions?: PodCondition[] };
      p.status = {
        ...status,
        conditions: setCondition(
          status.conditions ?? [],
          { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message, lastProbeTime: null },
          at,
        ),
      };
    });
    const backOff = Math.min(1000 * 2 ** attempt, 10_000);
    let retried = false;
    const retry = () => {
      if (retried) return;
      retried = true;
      stopWatching();
      cancelFlush();
      this.after(key, backOff, () => this.scheduleAndStart(pod, attempt + 1));
    };
    const stopWatching = this.cluster.onChange((event) => {
      const { group, kind } = event.resource;
      if (
        (group === '' && (kind === 'PersistentVolumeClaim' || kind === 'PersistentVolume')) ||
        (group === 'storage.k8s.io' && kind === 'StorageClass')
      )
        this.cluster.defer(retry);
    });
    const cancelFlush = this.options.clock.setTimer(UNSCHEDULABLE_FLUSH_MS, retry);
    this.running.get(key)?.cancels.push(stopWatching, cancelFlush);
  }

  /**
   * The scheduler's part, for a pod that names no node: it binds the pod to this node through the pods/binding
   * subresource (binding.ts: spec.nodeName and PodScheduled True, at this instant) and then records `Scheduled`
   * (pkg/scheduler/schedule_one.go bindingCycle, after a successful bind). A pod created with spec.nodeName never
   * meets the scheduler: no binding, no event. False when the pod is gone.
   */
  private schedule(pod: KubeObject): boolean {
    const { namespace = 'default', name = '' } = pod.metadata ?? {};
    if ((pod.spec as { nodeName?: string } | undefined)?.nodeName) return true;
    const binding = { metadata: { name }, target: { kind: 'Node', name: this.node.name } };
    try {
      bindPod(this.cluster.store, namespace, name, binding, this.options.clock.now(), 'test');
    } catch (error) {
      if (!(error instanceof StoreError)) throw error;
      // Bound meanwhile by someone else (a 409): the scheduler's bind fails and it records nothing.
      return error.code !== 404;
    }
    this.scheduler.record(
      pod,
      'Normal',
      'Scheduled',
      `Successfully assigned ${namespace}/${name} to ${this.node.name}`,
    );
    return true;
  }

  /** A deleted pod: its running containers are stopped, its timers cancelled and its IP freed. */
  private remove(pod: KubeObject): void {
    const key = keyOf(pod);
    const run = this.running.get(key);
    for (const c of run?.containers.values() ?? [])
      if (c.state.running) this.events.record(pod, 'Normal', 'Killing', `Stopping container ${c.name}`);
    for (const cancel of run?.cancels ?? []) cancel();
    run?.probes.stop();
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

  /**
   * Writes the pod's status from what the kubelet knows. `terminal`: the last write of a deleted pod, its containers
   * all stopped and its sandbox gone (PodReadyToStartContainers False; the pod keeps its IP in the status).
   */
  private write(pod: KubeObject, run: PodRun, terminal = false): void {
    const ns = pod.metadata?.namespace ?? 'default';
    const name = pod.metadata?.name ?? '';
    if (!this.cluster.get('v1', 'Pod', name, ns)) return;
    const at = kubeTime(this.options.clock.now());
    const sandbox = run.podIP && !terminal ? { podIP: run.podIP } : {};
    const addresses = { hostIP: this.node.ip, ...sandbox };
    this.cluster.update('v1', 'Pod', name, ns, (o) => {
      const statuses = [...run.containers.values()];
      o.status = podStatus(o, (o.status ?? {}) as PodStatus, statuses, at, addresses, terminal);
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

  /** Starts a run of the container: its first (restartCount 0), or the one after `previous` ended. */
  private run(pod: KubeObject, key: string, c: Container, restartCount: number, previous?: Instance): void {
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
    const now = this.options.clock.now();
    const startedAt = kubeTime(now);
    const last = previous?.terminated ? { terminated: previous.terminated } : undefined;
    const base = { name: c.name, image: c.image, restartCount, ...(last ? { lastState: last } : {}) };
    const run = this.running.get(key);
    if (!run) return;
    const instance: Instance = {
      id: ++this.instances,
      startedAtMs: now,
      startedAt,
      running: true,
      killing: false,
      behaviour,
      base,
      ...(previous?.finishedAtMs !== undefined ? { previousFinishedAtMs: previous.finishedAtMs } : {}),
    };
    run.instances.set(c.name, instance);
    // A start that succeeds clears the reason the last one was refused (reasonCache.Update).
    run.reasons.delete(c.name);
    this.refresh(pod, key, c.name);
    if (behaviour.exits) {
      const { afterMs, exitCode } = behaviour.exits;
      this.after(key, afterMs, () => this.ended(pod, key, instance, exitCode));
    }
    // The sync that sees the container running asks for a readiness probe at once (prober_manager.go
    // UpdatePodStatus: a started container without a readiness result triggers its worker), so a container whose
    // probe passes is Ready without waiting a period. A status write of its own, at the same instant.
    if (run.probes.started(c.name)) this.after(key, 0, () => run.probes.trigger(c.name, 'readiness'));
  }

  /** The container's `ready` and `started` from its probes' results (prober_manager.go UpdatePodStatus). */
  private refresh(pod: KubeObject, key: string, name: string): void {
    const run = this.running.get(key);
    const instance = run?.instances.get(name);
    if (!run || !instance?.running) return;
    const started = run.probes.started(name);
    const ready = started && run.probes.passes(name, 'readiness');
    this.report(pod, {
      ...instance.base,
      ready,
      started,
      state: { running: { startedAt: instance.startedAt } },
    });
  }

  /**
   * A container's process ended: it exited, or the kubelet's kill took effect. The runtime records the exit (the
   * reason containerd gives: Completed for 0, Error else). An exit is noticed at the next PLEG relist, whose sync
   * writes the status and restarts the container if it may (`syncPod`). A kill ends inside the sync that killed it,
   * which goes on to start the container again (`restartKilled`).
   */
  private ended(pod: KubeObject, key: string, instance: Instance, exitCode: number): void {
    const run = this.running.get(key);
    if (!run || !instance.running || run.instances.get(instance.base.name) !== instance) return;
    this.exited(instance, exitCode);
    if (instance.killing && (specOf(pod).restartPolicy ?? 'Always') !== 'Never')
      this.restartKilled(pod, key, instance);
    else this.after(key, plegRelistMs, () => this.syncPod(pod, key));
  }

  /** The runtime records a run's end: its exit code and containerd's reason (Completed for 0, Error else). */
  private exited(instance: Instance, exitCode: number): void {
    const now = this.options.clock.now();
    instance.running = false;
    instance.finishedAtMs = now;
    instance.terminated = {
      exitCode,
      reason: exitCode === 0 ? 'Completed' : 'Error',
      startedAt: instance.startedAt,
      finishedAt: kubeTime(now),
    };
  }

  /**
   * The rest of the sync that killed a container (kuberuntime_manager.go SyncPod: the kill, then the containers to
   * start, with the pod's status as it was before the kill). doBackOff finds the run before the killed one, if the
   * runtime still has it, as the newest exited container: without one the container starts at once and no back-off
   * is recorded; with one it starts at once unless that run's finish is still within the back-off window, and then
   * the next relist sees the killed run and syncs the pod (`syncPod`).
   */
  private restartKilled(pod: KubeObject, key: string, instance: Instance): void {
    const run = this.running.get(key);
    if (!run) return;
    const { name, image, restartCount } = instance.base;
    if (instance.previousFinishedAtMs !== undefined) {
      run.backOff.gc();
      if (this.backingOff(pod, run, name, instance.previousFinishedAtMs)) {
        this.after(key, plegRelistMs, () => this.syncPod(pod, key));
        return;
      }
    }
    this.run(pod, key, { name, image }, restartCount + 1, instance);
  }

  /**
   * A sync of a pod with containers that have stopped (kubelet.go SyncPod). First the status: a stopped container is
   * `terminated`, or, when it will be restarted and its last start was refused, waiting with that reason and its run
   * as `lastState` (kubelet_pods.go convertToAPIContainerStatuses: the reasonCache makes the Waiting state; with no
   * reason the container is shown terminated). Then each container the restartPolicy restarts
   * (container/helpers.go ShouldContainerBeRestarted) is started unless its back-off refuses (doBackOff). A refusal
   * fails the sync, and the pod worker syncs the pod again 10 s later (pod_workers.go completeWork; kubelet.go
   * SyncPod's check that was meant to let back-off failures pass does not, as the sandbox's config result is always
   * there: kubernetes issue 123602, changed after v1.33); a sync replaces the one queued before.
   */
  private syncPod(pod: KubeObject, key: string): void {
    const run = this.running.get(key);
    if (!run) return;
    const stopped = [...run.instances.values()].filter((i) => !i.running && i.terminated);
    if (stopped.length === 0) return;
    this.together(pod, run, () => {
      for (const instance of stopped) {
        const status = this.stoppedStatus(pod, run, instance);
        if (JSON.stringify(status) !== JSON.stringify(run.containers.get(status.name)))
          this.report(pod, status);
      }
    });
    run.backOff.gc();
    let refused = false;
    this.together(pod, run, () => {
      for (const instance of stopped) {
        const { name, image, restartCount } = instance.base;
        if (!restarts(pod, instance.terminated?.exitCode ?? 0)) continue;
        if (this.backingOff(pod, run, name, instance.finishedAtMs ?? 0)) refused = true;
        else this.run(pod, key, { name, image }, restartCount + 1, instance);
      }
    });
    run.queued?.();
    run.queued = undefined;
    if (refused)
      run.queued = this.options.clock.setTimer(podSyncBackOffMs, () => {
        run.queued = undefined;
        if (this.running.get(key) === run) this.syncPod(pod, key);
      });
  }

  /** A stopped container's status in a sync (see `syncPod`). */
  private stoppedStatus(pod: KubeObject, run: PodRun, instance: Instance): ContainerStatus {
    const terminated = instance.terminated as Terminated;
    const reason = restarts(pod, terminated.exitCode) ? run.reasons.get(instance.base.name) : undefined;
    const status = { ...instance.base, ready: false, started: false };
    if (!reason) return { ...status, state: { terminated } };
    return { ...status, lastState: { terminated }, state: { waiting: reason } };
  }

  /** The reports `fn` makes, written as one status write (one sync's). */
  private together(pod: KubeObject, run: PodRun, fn: () => void): void {
    const before = new Map(run.containers);
    run.starting = true;
    try {
      fn();
    } finally {
      run.starting = false;
    }
    const changed = [...run.containers].some(([name, status]) => before.get(name) !== status);
    if (changed) this.write(pod, run);
  }

  /**
   * doBackOff for a container whose newest run finished at `finishedAtMs`: in back-off, Warning `BackOff` "Back-off
   * restarting failed container <c> in pod <pod>" and the reason `CrashLoopBackOff` with "back-off <window> restarting
   * failed container=<c> pod=<pod>" (the window in force, as Go prints a duration: 10s, 1m20s, 5m0s); else the entry
   * moves on (Next) and the caller starts the container.
   */
  private backingOff(pod: KubeObject, run: PodRun, name: string, finishedAtMs: number): boolean {
    if (!run.backOff.isInBackOffSince(name, finishedAtMs)) {
      run.backOff.next(name, finishedAtMs);
      return false;
    }
    // The pod as the kubelet names it in messages (format.Pod): <name>_<namespace>(<uid>).
    const podName = `${pod.metadata?.name}_${pod.metadata?.namespace}(${pod.metadata?.uid})`;
    const window = formatDuration(BigInt(run.backOff.get(name)) * 1_000_000n);
    this.events.record(
      pod,
      'Warning',
      'BackOff',
      `Back-off restarting failed container ${name} in pod ${podName}`,
    );
    run.reasons.set(name, {
      reason: 'CrashLoopBackOff',
      message: `back-off ${window} restarting failed container=${name} pod=${podName}`,
    });
    return true;
  }

  /** The probe workers of a pod being added: their view of its runs, its IP and its events (probe-workers.ts). */
  private probeWorkers(pod: KubeObject, key: string): ProbeWorkers {
    return new ProbeWorkers(specOf(pod).containers ?? [], {
      clock: this.options.clock,
      random: this.random,
      kubeletStartedAt: this.startedAt,
      runOf: (name) => this.running.get(key)?.instances.get(name),
      podIP: () => this.running.get(key)?.podIP,
      record: (type, reason, message) => this.events.record(pod, type, reason, message),
      changed: (name, kind, result, probe) => this.probeResult(pod, key, name, kind, result, probe),
    });
  }

  /**
   * A probe result that changed makes the kubelet sync the pod (kubelet.go syncLoopIteration, handleProbeSync): a
   * liveness or startup Failure kills the container; a readiness or startup change is written, and that sync's
   * status asks an unready, started container's readiness worker for a probe at once (prober_manager.go
   * UpdatePodStatus): after its readiness turned Failure, or once its startup probe passed.
   */
  private probeResult(
    pod: KubeObject,
    key: string,
    name: string,
    kind: ProbeKind,
    result: ProbeResult,
    probe: Probe,
  ): void {
    if (kind === 'liveness' || (kind === 'startup' && result === 'Failure')) {
      if (result === 'Failure') this.kill(pod, key, name, kind, probe);
      return;
    }
    this.refresh(pod, key, name);
    const run = this.running.get(key);
    if (run?.probes.started(name) && !run.probes.passes(name, 'readiness'))
      run.probes.trigger(name, 'readiness');
  }

  /**
   * A pod marked for deletion (pod-deletion.ts), as its pod worker terminates it (pkg/kubelet/pod_workers.go,
   * kubelet.go SyncTerminatingPod): nothing more is started or restarted (pending syncs, back-offs and exits the
   * behaviour had planned are dropped); the liveness and startup probes stop, readiness goes on; each running
   * container gets Normal `Killing` "Stopping container <c>" and SIGTERM, and SIGKILL when the grace period ends
   * (kuberuntime_container.go killContainer) unless the behaviour's `stops` ends it sooner. The grace period is the
   * pod's deletionGracePeriodSeconds, at least 1 s (pod_workers.go calculateEffectiveGracePeriod, passed to
   * killContainer as its override). A later, shorter grace period (a second DELETE) brings the SIGKILL forward: the
   * pod worker cancels its sync and kills again with the shorter period; a longer one changes nothing.
   */
  private terminate(pod: KubeObject): void {
    const key = keyOf(pod);
    const run = this.running.get(key);
    if (!run) return;
    const now = this.options.clock.now();
    const seconds =
      (pod.metadata?.deletionGracePeriodSeconds as number | undefined) ??
      specOf(pod).terminationGracePeriodSeconds ??
      DEFAULT_GRACE_SECONDS;
    const killAt = now + Math.max(1, seconds) * 1000;
    if (run.terminating) {
      if (killAt >= run.terminating.killAt) return;
      run.terminating.killAt = killAt;
      for (const [name, cancel] of run.terminating.kills) {
        cancel();
        const instance = run.instances.get(name);
        if (instance) this.killAt(pod, key, run, instance, killAt);
      }
      return;
    }
    for (const cancel of run.cancels) cancel();
    run.cancels = [];
    run.queued = undefined;
    run.probes.stopLivenessAndStartup();
    run.terminating = { killAt, kills: new Map() };
    const running = [...run.instances.values()].filter((i) => i.running);
    for (const instance of running) {
      this.events.record(pod, 'Normal', 'Killing', `Stopping container ${instance.base.name}`);
      instance.killing = true;
      const stops = instance.behaviour.stops;
      if (stops && now + stops.afterMs < killAt)
        this.after(key, stops.afterMs, () => this.killed(pod, key, instance, stops.exitCode));
      this.killAt(pod, key, run, instance, killAt);
    }
    if (running.length === 0) this.after(key, 0, () => this.terminated(pod, key));
  }

  /** The runtime's SIGKILL of a terminating pod's container at `at` (ms). */
  private killAt(pod: KubeObject, key: string, run: PodRun, instance: Instance, at: number): void {
    const cancel = this.options.clock.setTimer(at - this.options.clock.now(), () => {
      if (this.running.get(key) === run) this.killed(pod, key, instance, SIGKILL_EXIT);
    });
    run.terminating?.kills.set(instance.base.name, cancel);
  }

  /** A terminating pod's container has ended; when none runs any more the pod is terminated. */
  private killed(pod: KubeObject, key: string, instance: Instance, exitCode: number): void {
    const run = this.running.get(key);
    if (!run?.terminating || !instance.running) return;
    this.exited(instance, exitCode);
    run.terminating.kills.get(instance.base.name)?.();
    run.terminating.kills.delete(instance.base.name);
    if (![...run.instances.values()].some((i) => i.running)) this.terminated(pod, key);
  }

  /**
   * Every container of a deleted pod has stopped. The last status (kubelet.go SyncTerminatedPod, status_manager.go
   * TerminatePod): each container `terminated`, the ones killed with their exit, a container that was not running
   * (waiting to restart or to pull) as "ContainerStatusUnknown" with exit code 137 and its lastState kept; the phase
   * terminal (Succeeded when every container exited 0, else Failed; getPhase with podIsTerminal), not Ready. Then
   * the status manager removes the pod: a DELETE with grace period 0 and the pod's uid as precondition
   * (status_manager.go syncPod, canBeDeleted), the DELETED event.
   */
  private terminated(pod: KubeObject, key: string): void {
    const run = this.running.get(key);
    if (!run) return;
    for (const status of [...run.containers.values()]) {
      const instance = run.instances.get(status.name);
      const base = { ...status, ready: false, started: false };
      if (instance?.killing && instance.terminated)
        run.containers.set(status.name, { ...base, state: { terminated: instance.terminated } });
      else if (!status.state.terminated)
        run.containers.set(status.name, { ...base, state: { terminated: statusUnknown } });
      else run.containers.set(status.name, base);
    }
    this.write(pod, run, true);
    const { namespace = 'default', name = '', uid } = pod.metadata ?? {};
    const options = { gracePeriodSeconds: 0, ...(uid ? { preconditions: { uid } } : {}) };
    try {
      deletePod(this.cluster.store, namespace, name, options, this.options.clock.now(), 'test');
    } catch (error) {
      // Gone already (a forced deletion), or another pod of that name now: nothing to remove.
      if (!(error instanceof StoreError)) throw error;
    }
  }

  /**
   * A container that failed its liveness or startup probe (kuberuntime_manager.go computePodActions): killed, with
   * Normal `Killing` "Container <c> failed liveness probe, will be restarted" (", will be restarted" unless the
   * restartPolicy is Never), and started again. The runtime stops it with SIGTERM and kills it with SIGKILL when the
   * grace period ends: the probe's terminationGracePeriodSeconds, else the pod's (kuberuntime_container.go
   * setTerminationGracePeriod; the API server defaults the pod's to 30 s). It then ends as an exit does: its
   * lastState.terminated has the exit code and containerd's reason (Error for a non-zero code, Completed for 0),
   * and the sync that killed it starts it again unless the crash-loop back-off refuses (see `restartKilled`).
   */
  private kill(pod: KubeObject, key: string, name: string, kind: ProbeKind, probe: Probe): void {
    const instance = this.running.get(key)?.instances.get(name);
    if (!instance?.running || instance.killing) return;
    instance.killing = true;
    const restart = (specOf(pod).restartPolicy ?? 'Always') !== 'Never';
    this.events.record(
      pod,
      'Normal',
      'Killing',
      `Container ${name} failed ${kind} probe${restart ? ', will be restarted' : ''}`,
    );
    const graceMs =
      1000 *
      (probe.terminationGracePeriodSeconds ??
        specOf(pod).terminationGracePeriodSeconds ??
        DEFAULT_GRACE_SECONDS);
    const stops = instance.behaviour.stops;
    const [afterMs, exitCode] =
      stops && stops.afterMs < graceMs ? [stops.afterMs, stops.exitCode] : [graceMs, SIGKILL_EXIT];
    this.after(key, afterMs, () => this.ended(pod, key, instance, exitCode));
  }
}

const keyOf = (pod: KubeObject) => `${pod.metadata?.namespace}/${pod.metadata?.name}`;

/** Pods of a Deployment are Ready: the Deployment's status counts them (the Deployment controller's part). */
export function podReady(pod: KubeObject | undefined): boolean {
  const conditions = (pod?.status as { conditions?: Array<{ type: string; status: string }> } | undefined)
    ?.conditions;
  return conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}
