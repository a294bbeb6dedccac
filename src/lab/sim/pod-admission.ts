/**
 * What the mutating admission plugins of a Kubernetes v1.33 API server (kind's kubeadm enables the default set)
 * write into a pod when it is created, after the scheme's defaults (api-defaults.ts), in the plugins' order:
 *
 * - ServiceAccount (plugin/pkg/admission/serviceaccount/admission.go): a pod that names no service account gets
 *   `default`. (The plugin also refuses a pod whose account does not exist yet, and mounts the account's token as a
 *   projected `kube-api-access-<5>` volume in every container; neither is modelled.)
 * - DefaultTolerationSeconds (plugin/pkg/admission/defaulttolerationseconds/admission.go): a pod that does not
 *   already tolerate the NoExecute taints `node.kubernetes.io/not-ready` and `node.kubernetes.io/unreachable` (a
 *   toleration of that key, or of every key, with effect NoExecute or any effect) gets one with operator Exists and
 *   tolerationSeconds 300 for each, appended to its own.
 * - Priority (plugin/pkg/admission/priority/admission.go): a pod without priorityClassName gets the global default
 *   class's priority, and with no global default (none in kind) priority 0 and preemptionPolicy
 *   PreemptLowerPriority; a pod naming a class gets that class's value and preemption policy; a class that does not
 *   exist is refused: 403 Forbidden, `no PriorityClass with name <name> was found`, and so is a pod whose own
 *   priority or preemptionPolicy differs from what its class gives.
 */
import type { KubeObject } from './store.js';

type Json = Record<string, unknown>;

/** scheduling.DefaultPriorityWhenNoDefaultClassExists. */
const DEFAULT_PRIORITY = 0;
const DEFAULT_TOLERATION_SECONDS = 300;
const noExecuteTaints = ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable'];

export interface PodAdmissionContext {
  /** The PriorityClass of that name, if the cluster has it. */
  priorityClass(name: string): KubeObject | undefined;
  /** Every PriorityClass (to find a global default). */
  priorityClasses(): KubeObject[];
}

/** Why a pod is refused (the plugin's message; the API server answers 403 Forbidden). */
export class PodAdmissionError extends Error {}

/** Admits `pod` (its spec already defaulted) in place, or throws PodAdmissionError. */
export function admitPod(pod: KubeObject, context: PodAdmissionContext): void {
  const o = pod as Json;
  if (typeof o.spec !== 'object' || o.spec === null) o.spec = {};
  const spec = o.spec as Json;
  if (!spec.serviceAccountName) {
    spec.serviceAccountName = 'default';
    spec.serviceAccount = 'default';
  }
  defaultTolerations(spec);
  priority(spec, context);
}

function defaultTolerations(spec: Json): void {
  const tolerations = Array.isArray(spec.tolerations) ? (spec.tolerations as Json[]) : [];
  const tolerates = (key: string) =>
    tolerations.some((t) => (t.key === key || !t.key) && (t.effect === 'NoExecute' || !t.effect));
  const added = noExecuteTaints
    .filter((key) => !tolerates(key))
    .map((key) => ({
      key,
      operator: 'Exists',
      effect: 'NoExecute',
      tolerationSeconds: DEFAULT_TOLERATION_SECONDS,
    }));
  if (added.length > 0) spec.tolerations = [...tolerations, ...added];
}

function priority(spec: Json, context: PodAdmissionContext): void {
  const name = typeof spec.priorityClassName === 'string' ? spec.priorityClassName : '';
  let value = DEFAULT_PRIORITY;
  let policy = 'PreemptLowerPriority';
  const pc = name
    ? context.priorityClass(name)
    : context.priorityClasses().find((c) => (c as Json).globalDefault === true);
  if (name && !pc) throw new PodAdmissionError(`no PriorityClass with name ${name} was found`);
  if (pc) {
    value = Number((pc as Json).value ?? 0);
    policy = String((pc as Json).preemptionPolicy ?? policy);
    if (!name && pc.metadata?.name) spec.priorityClassName = pc.metadata.name;
  }
  // A pod may not bring its own numbers unless they are the ones the class gives.
  if (spec.priority !== undefined && spec.priority !== null && spec.priority !== value)
    throw new PodAdmissionError(
      `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${value} from the given PriorityClass name`,
    );
  if (spec.preemptionPolicy && spec.preemptionPolicy !== policy)
    throw new PodAdmissionError(
      `the string value of PreemptionPolicy (${spec.preemptionPolicy}) must not be provided in pod spec; priority admission controller computed ${policy} from the given PriorityClass name`,
    );
  spec.priority = value;
  spec.preemptionPolicy = policy;
}
