/**
 * What the mutating admission plugins of a Kubernetes v1.33 API server (kind's kubeadm enables the default set)
 * write into a pod when it is created, after the scheme's defaults (api-defaults.ts), in the plugins' order:
 *
 * - ServiceAccount (plugin/pkg/admission/serviceaccount/admission.go), for every pod but a static pod's mirror: a
 *   pod that names no service account gets `default`; unless the pod, or else its account, sets
 *   automountServiceAccountToken false (shouldAutomount), every container and init container without a mount at
 *   /var/run/secrets/kubernetes.io/serviceaccount mounts the pod's `kube-api-access-<5 random>` volume there,
 *   read-only, and the volume is added when a container needed it and the pod has none of that prefix
 *   (mountServiceAccountToken): projected, defaultMode 420, the account's token (expirationSeconds 3607,
 *   WarnOnlyBoundTokenExpirationSeconds; path `token`), `ca.crt` of the ConfigMap kube-root-ca.crt and the pod's
 *   namespace (serviceaccount.TokenVolumeSource). A pod whose account does not exist in its namespace is refused
 *   (Admit, getServiceAccount: the lister, then a GET, 10 tries a few hundred ms apart for `default`, then
 *   NotFound): 403 Forbidden, `error looking up service account <ns>/<sa>: serviceaccount "<sa>" not found`, the
 *   pod named in the Status as admission names it (staging/src/k8s.io/apiserver/pkg/admission/errors.go
 *   extractResourceName: metadata.name, else generateName, since admission runs before the name is generated; so
 *   `pods "web-7d4b9c8f5d-" is forbidden: ...` for a ReplicaSet's pod). Only in a cluster that runs the
 *   ServiceAccounts controller (namespace-defaults.ts sets `requireServiceAccount`): a bare test cluster has no
 *   `default` account and admits every pod. A missing `default` is admitted: the plugin's retries of it outlast the
 *   moment the controller takes to make it (in a new namespace, or again after a user deleted it).
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
  /** The pod's namespace's ServiceAccount of that name, if it exists. */
  serviceAccount(name: string): KubeObject | undefined;
  /** Refuse a pod whose ServiceAccount does not exist (the cluster runs the ServiceAccounts controller). */
  requireServiceAccount?: boolean;
  /** The random numbers of the token volume's name (seeded in the sim). */
  random: () => number;
}

/** Why a pod is refused (the plugin's message; the API server answers 403 Forbidden). */
export class PodAdmissionError extends Error {}

/** Admits `pod` (its spec already defaulted) in place, or throws PodAdmissionError. */
export function admitPod(pod: KubeObject, context: PodAdmissionContext): void {
  const o = pod as Json;
  if (typeof o.spec !== 'object' || o.spec === null) o.spec = {};
  const spec = o.spec as Json;
  if (!pod.metadata?.annotations?.[MIRROR_POD_ANNOTATION])
    serviceAccount(spec, pod.metadata?.namespace ?? 'default', context);
  defaultTolerations(spec);
  priority(spec, context);
}

/** DefaultServiceAccountName. */
const DEFAULT_SERVICE_ACCOUNT = 'default';
/** A mirror pod's annotation (kubetypes.ConfigMirrorAnnotationKey): the ServiceAccount plugin leaves it alone. */
const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';
/** DefaultAPITokenMountPath. */
const TOKEN_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
/** ServiceAccountVolumeName and the generated name's separator. */
const TOKEN_VOLUME_PREFIX = 'kube-api-access-';
/** serviceaccount.WarnOnlyBoundTokenExpirationSeconds: an hour and 7 s. */
const TOKEN_EXPIRATION_SECONDS = 3607;
/** names.SimpleNameGenerator's 5 characters (utilrand.String). */
const nameAlphabet = 'bcdfghjklmnpqrstvwxz2456789';

function serviceAccount(spec: Json, namespace: string, context: PodAdmissionContext): void {
  if (!spec.serviceAccountName) {
    spec.serviceAccountName = DEFAULT_SERVICE_ACCOUNT;
    spec.serviceAccount = DEFAULT_SERVICE_ACCOUNT;
  }
  const name = String(spec.serviceAccountName);
  const account = context.serviceAccount(name);
  // admission.go Admit: getServiceAccount's NotFound (api.Resource("serviceaccount")), wrapped. `default` is looked
  // up 10 times, 100-200 ms apart: the ServiceAccounts controller, which runs wherever the check does, has made it
  // by then (a new namespace's, or one a user deleted), so it is admitted.
  if (!account && context.requireServiceAccount && name !== DEFAULT_SERVICE_ACCOUNT)
    throw new PodAdmissionError(
      `error looking up service account ${namespace}/${name}: serviceaccount "${name}" not found`,
    );
  const automount =
    typeof spec.automountServiceAccountToken === 'boolean'
      ? spec.automountServiceAccountToken
      : typeof (account as Json | undefined)?.automountServiceAccountToken === 'boolean'
        ? ((account as Json).automountServiceAccountToken as boolean)
        : true;
  if (automount) mountToken(spec, context.random);
}

function tokenVolume(name: string): Json {
  return {
    name,
    projected: {
      sources: [
        { serviceAccountToken: { expirationSeconds: TOKEN_EXPIRATION_SECONDS, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        {
          downwardAPI: {
            items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }],
          },
        },
      ],
      defaultMode: 0o644,
    },
  };
}

/** mountServiceAccountToken (see above). */
function mountToken(spec: Json, random: () => number): void {
  const volumes = Array.isArray(spec.volumes) ? (spec.volumes as Json[]) : [];
  const existing = volumes.find((v) => String(v.name ?? '').startsWith(TOKEN_VOLUME_PREFIX));
  let name = typeof existing?.name === 'string' ? existing.name : TOKEN_VOLUME_PREFIX;
  if (!existing) for (let i = 0; i < 5; i++) name += nameAlphabet[Math.floor(random() * nameAlphabet.length)];
  let needed = false;
  for (const list of ['initContainers', 'containers']) {
    for (const container of Array.isArray(spec[list]) ? (spec[list] as Json[]) : []) {
      const mounts = Array.isArray(container.volumeMounts) ? (container.volumeMounts as Json[]) : [];
      if (mounts.some((m) => m.mountPath === TOKEN_MOUNT_PATH)) continue;
      container.volumeMounts = [...mounts, { name, readOnly: true, mountPath: TOKEN_MOUNT_PATH }];
      needed = true;
    }
  }
  if (!existing && needed) spec.volumes = [...volumes, tokenVolume(name)];
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
