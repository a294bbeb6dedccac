/**
 * `kubectl get pods` as a Kubernetes v1.33 API server prints it: pkg/printers/internalversion/printers.go
 * (printPod, hasPodReadyCondition, isPodInitializedConditionTrue; column definitions in AddHandlers).
 */
import type { KubeObject } from '../store.js';
import { humanDuration, timeOf } from './duration.js';
import { ageOf, int, nameOf } from './format.js';
import { ageColumn, column, nameColumn, type PrintedRow, type Printer } from './table.js';

interface State {
  waiting?: { reason?: string };
  running?: object;
  terminated?: { reason?: string; exitCode?: number; signal?: number; finishedAt?: string };
}

interface ContainerStatus {
  name?: string;
  ready?: boolean;
  started?: boolean;
  restartCount?: number;
  state?: State;
  lastState?: State;
}

interface Condition {
  type?: string;
  status?: string;
  reason?: string;
}

interface PodSpec {
  containers?: unknown[];
  initContainers?: Array<{ name?: string; restartPolicy?: string }>;
  nodeName?: string;
  readinessGates?: Array<{ conditionType?: string }>;
}

interface PodStatus {
  phase?: string;
  reason?: string;
  conditions?: Condition[];
  initContainerStatuses?: ContainerStatus[];
  containerStatuses?: ContainerStatus[];
  podIP?: string;
  podIPs?: Array<{ ip?: string }>;
  nominatedNodeName?: string;
}

const conditionTrue = (conditions: Condition[] | undefined, type: string) =>
  (conditions ?? []).some((c) => c.type === type && c.status === 'True');

/** isPodInitializedConditionTrue: the first Initialized condition decides. */
function initialized(conditions: Condition[] | undefined): boolean {
  return (conditions ?? []).find((c) => c.type === 'Initialized')?.status === 'True';
}

/** The later of a restart date so far and a container's last termination (undefined: Go's zero time). */
function later(date: number | undefined, status: ContainerStatus): number | undefined {
  const finished = timeOf(status.lastState?.terminated?.finishedAt);
  if (finished === undefined) return date;
  return date === undefined || date < finished ? finished : date;
}

function exitText(t: NonNullable<State['terminated']>): string {
  return t.signal ? `Signal:${t.signal}` : `ExitCode:${int(t.exitCode)}`;
}

function printPod(pod: KubeObject, now: number): PrintedRow {
  const spec = (pod.spec ?? {}) as PodSpec;
  const status = (pod.status ?? {}) as PodStatus;
  const initSpecs = spec.initContainers ?? [];
  // A restartable init container (a sidecar: restartPolicy Always) counts among the pod's containers.
  const sidecar = (name: string | undefined) =>
    initSpecs.some((c) => c.name === name && c.restartPolicy === 'Always');
  const total = (spec.containers ?? []).length + initSpecs.filter((c) => c.restartPolicy === 'Always').length;
  let ready = 0;
  let restarts = 0;
  let sidecarRestarts = 0;
  let lastRestart: number | undefined;
  let lastSidecarRestart: number | undefined;

  const phase = status.phase ?? '';
  let reason = status.reason || phase;
  if ((status.conditions ?? []).some((c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated'))
    reason = 'SchedulingGated';

  // Init containers in order, up to the first that has not finished: its state is the pod's STATUS.
  let initializing = false;
  const initStatuses = status.initContainerStatuses ?? [];
  for (const [i, c] of initStatuses.entries()) {
    restarts += int(c.restartCount);
    lastRestart = later(lastRestart, c);
    if (sidecar(c.name)) {
      sidecarRestarts += int(c.restartCount);
      lastSidecarRestart = later(lastSidecarRestart, c);
    }
    const terminated = c.state?.terminated;
    const waiting = c.state?.waiting;
    if (terminated && int(terminated.exitCode) === 0) continue;
    if (sidecar(c.name) && c.started) {
      if (c.ready) ready++;
      continue;
    }
    if (terminated) reason = terminated.reason ? `Init:${terminated.reason}` : `Init:${exitText(terminated)}`;
    else if (waiting?.reason && waiting.reason !== 'PodInitializing') reason = `Init:${waiting.reason}`;
    else reason = `Init:${i}/${initSpecs.length}`;
    initializing = true;
    break;
  }

  if (!initializing || initialized(status.conditions)) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let running = false;
    // Last container first, so the first container's state has the last word.
    for (const c of [...(status.containerStatuses ?? [])].reverse()) {
      restarts += int(c.restartCount);
      lastRestart = later(lastRestart, c);
      const terminated = c.state?.terminated;
      if (c.state?.waiting?.reason) reason = c.state.waiting.reason;
      else if (terminated?.reason) reason = terminated.reason;
      else if (terminated) reason = exitText(terminated);
      else if (c.ready && c.state?.running) {
        running = true;
        ready++;
      }
    }
    // A pod whose containers completed but one still runs is Running (or NotReady without the Ready condition).
    if (reason === 'Completed' && running)
      reason = conditionTrue(status.conditions, 'Ready') ? 'Running' : 'NotReady';
  }

  // Being deleted: NodeLost (pkg/util/node NodeUnreachablePodReason) reads Unknown; a pod not yet terminal, Terminating.
  if (pod.metadata?.deletionTimestamp && status.reason === 'NodeLost') reason = 'Unknown';
  else if (pod.metadata?.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed')
    reason = 'Terminating';

  const restartText =
    restarts !== 0 && lastRestart !== undefined
      ? `${restarts} (${humanDuration(now - lastRestart)} ago)`
      : String(restarts);

  const gates = spec.readinessGates ?? [];
  const gatesText =
    gates.length === 0
      ? '<none>'
      : `${gates.filter((g) => (status.conditions ?? []).find((c) => c.type === g.conditionType)?.status === 'True').length}/${gates.length}`;

  return {
    cells: [
      nameOf(pod),
      `${ready}/${total}`,
      reason,
      restartText,
      ageOf(pod, now),
      status.podIPs?.[0]?.ip || status.podIP || '<none>',
      spec.nodeName || '<none>',
      status.nominatedNodeName || '<none>',
      gatesText,
    ],
    ...(phase === 'Succeeded' || phase === 'Failed'
      ? { conditions: [{ type: 'Completed', status: 'True', reason: phase, message: `The pod ${phase}.` }] }
      : {}),
  };
}

export const podPrinter: Printer = {
  columns: [
    nameColumn,
    column('Ready'),
    column('Status'),
    column('Restarts'),
    ageColumn,
    column('IP', 'string', true),
    column('Node', 'string', true),
    column('Nominated Node', 'string', true),
    column('Readiness Gates', 'string', true),
  ],
  row: printPod,
};
