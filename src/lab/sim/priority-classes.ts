/**
 * The PriorityClasses every Kubernetes v1.33 API server creates at start (pkg/registry/scheduling/rest/
 * storage_scheduling.go's post-start hook AddSystemPriorityClasses, from pkg/apis/scheduling/helpers.go
 * systemPriorityClasses; read in an untagged copy of the v1.3x line): `system-node-critical` at
 * SystemCriticalPriority + 1000 and `system-cluster-critical` at SystemCriticalPriority (2,000,000,000), not global
 * defaults, with preemptionPolicy PreemptLowerPriority (pkg/apis/scheduling/v1/defaults.go SetDefaults_PriorityClass).
 * kind's and kubeadm's add-ons name them (kind-addons.ts, static-pods.ts).
 */
import type { KubeObject } from './store.js';

/** pkg/apis/scheduling/types.go SystemCriticalPriority. */
export const SYSTEM_CRITICAL_PRIORITY = 2_000_000_000;

export function systemPriorityClasses(): KubeObject[] {
  const priorityClass = (name: string, value: number, description: string) =>
    ({
      apiVersion: 'scheduling.k8s.io/v1',
      kind: 'PriorityClass',
      metadata: { name },
      value,
      globalDefault: false,
      description,
      preemptionPolicy: 'PreemptLowerPriority',
    }) as KubeObject;
  return [
    priorityClass(
      'system-node-critical',
      SYSTEM_CRITICAL_PRIORITY + 1000,
      'Used for system critical pods that must not be moved from their current node.',
    ),
    priorityClass(
      'system-cluster-critical',
      SYSTEM_CRITICAL_PRIORITY,
      'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.',
    ),
  ];
}
