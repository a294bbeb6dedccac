/**
 * A container's environment as the kubelet builds it when the container starts (Kubernetes v1.33,
 * pkg/kubelet/kubelet_pods.go makeEnvironmentVariables): first every key of each `envFrom` source (a ConfigMap or
 * Secret, with its `prefix`), then `env` in order, which overrides the same name from envFrom; an `env` entry takes
 * its `value`, or `valueFrom.configMapKeyRef` / `secretKeyRef`. A missing source is skipped (the kubelet skips an
 * `optional` one; a required one stops the container with CreateContainerConfigError, which the sim does not model).
 * The value is read once, at start: a later ConfigMap change reaches only containers started after it (the lesson
 * of the config-no-reload drill).
 */
import type { SimCluster } from './api.js';
import type { KubeObject } from './store.js';

interface Source {
  name?: string;
  key?: string;
  optional?: boolean;
}

interface Container {
  name?: string;
  env?: Array<{
    name: string;
    value?: string;
    valueFrom?: { configMapKeyRef?: Source; secretKeyRef?: Source };
  }>;
  envFrom?: Array<{ prefix?: string; configMapRef?: Source; secretRef?: Source }>;
}

/** Data of a ConfigMap (or the decoded data of a Secret) in the pod's namespace; undefined when it does not exist. */
function sourceData(cluster: SimCluster, ns: string, kind: 'ConfigMap' | 'Secret', name: string) {
  const object = cluster.get('v1', kind, name, ns) as
    | (KubeObject & { data?: Record<string, string>; stringData?: Record<string, string> })
    | undefined;
  if (!object) return undefined;
  if (kind === 'ConfigMap') return object.data ?? {};
  const decoded: Record<string, string> = { ...(object.stringData ?? {}) };
  for (const [key, value] of Object.entries(object.data ?? {}))
    decoded[key] = Buffer.from(value, 'base64').toString('utf8');
  return decoded;
}

/** The environment of `pod`'s container (default: its first), as it would start now. */
export function containerEnv(
  cluster: SimCluster,
  pod: KubeObject,
  containerName?: string,
): Record<string, string> {
  const ns = pod.metadata?.namespace ?? 'default';
  const containers = (pod.spec as { containers?: Container[] } | undefined)?.containers ?? [];
  const container = containerName ? containers.find((c) => c.name === containerName) : containers[0];
  const env: Record<string, string> = {};
  for (const from of container?.envFrom ?? []) {
    const ref = from.configMapRef ?? from.secretRef;
    const data = ref?.name
      ? sourceData(cluster, ns, from.configMapRef ? 'ConfigMap' : 'Secret', ref.name)
      : undefined;
    for (const [key, value] of Object.entries(data ?? {})) env[`${from.prefix ?? ''}${key}`] = String(value);
  }
  for (const entry of container?.env ?? []) {
    if (entry.value !== undefined || !entry.valueFrom) {
      env[entry.name] = entry.value ?? '';
      continue;
    }
    const ref = entry.valueFrom.configMapKeyRef ?? entry.valueFrom.secretKeyRef;
    const kind = entry.valueFrom.configMapKeyRef ? 'ConfigMap' : 'Secret';
    const value = ref?.name && ref.key ? sourceData(cluster, ns, kind, ref.name)?.[ref.key] : undefined;
    if (value !== undefined) env[entry.name] = value;
  }
  return env;
}

/**
 * The environment `pod`'s container (default: its first) runs with: the one the kubelet model built when it started
 * the container (Store.env), so a ConfigMap changed since does not reach it; for a container not started yet, the
 * one it would start with now.
 */
export function startedEnv(
  cluster: SimCluster,
  pod: KubeObject,
  containerName?: string,
): Record<string, string> {
  const containers = (pod.spec as { containers?: Container[] } | undefined)?.containers ?? [];
  const name = containerName ?? containers[0]?.name;
  const started = cluster.store.env.get(`${pod.metadata?.namespace}/${pod.metadata?.name}/${name}`);
  return started ?? containerEnv(cluster, pod, containerName);
}
