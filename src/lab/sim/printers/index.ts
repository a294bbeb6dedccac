/**
 * Which printer a resource gets: a custom resource its CRD's columns (crd.ts); a built-in kind its printer from
 * Kubernetes v1.33 pkg/printers/internalversion/printers.go (pods.ts, workloads.ts, core.ts); any other built-in
 * (roles, clusterroles, CRDs themselves, ...) the generic server's default, NAME and CREATED AT, the creation time
 * in RFC 3339 UTC (apiserver pkg/registry/rest/table.go defaultTableConvertor).
 */
import type { ResourceType } from '../resources.js';
import { kubeTime } from '../store.js';
import {
  configMapPrinter,
  endpointSlicePrinter,
  endpointsPrinter,
  eventPrinter,
  ingressPrinter,
  leasePrinter,
  namespacePrinter,
  networkPolicyPrinter,
  nodePrinter,
  persistentVolumeClaimPrinter,
  persistentVolumePrinter,
  priorityClassPrinter,
  secretPrinter,
  serviceAccountPrinter,
  servicePrinter,
  storageClassPrinter,
} from './core.js';
import { crdPrinter } from './crd.js';
import { timeOf } from './duration.js';
import { nameOf } from './format.js';
import { podPrinter } from './pods.js';
import { roleBindingPrinter } from './rbac.js';
import { nameColumn, type Printer } from './table.js';
import {
  cronJobPrinter,
  daemonSetPrinter,
  deploymentPrinter,
  hpaPrinter,
  jobPrinter,
  pdbPrinter,
  replicaSetPrinter,
  statefulSetPrinter,
} from './workloads.js';

const builtin: Record<string, Printer> = {
  '/Pod': podPrinter,
  '/Service': servicePrinter,
  '/ConfigMap': configMapPrinter,
  '/Secret': secretPrinter,
  '/Namespace': namespacePrinter,
  '/Node': nodePrinter,
  '/Event': eventPrinter,
  '/Endpoints': endpointsPrinter,
  'discovery.k8s.io/EndpointSlice': endpointSlicePrinter,
  '/ServiceAccount': serviceAccountPrinter,
  '/PersistentVolumeClaim': persistentVolumeClaimPrinter,
  '/PersistentVolume': persistentVolumePrinter,
  'storage.k8s.io/StorageClass': storageClassPrinter,
  'scheduling.k8s.io/PriorityClass': priorityClassPrinter,
  'coordination.k8s.io/Lease': leasePrinter,
  'apps/ReplicaSet': replicaSetPrinter,
  'apps/Deployment': deploymentPrinter,
  'apps/StatefulSet': statefulSetPrinter,
  'apps/DaemonSet': daemonSetPrinter,
  'batch/Job': jobPrinter,
  'batch/CronJob': cronJobPrinter,
  'autoscaling/HorizontalPodAutoscaler': hpaPrinter,
  'policy/PodDisruptionBudget': pdbPrinter,
  'networking.k8s.io/Ingress': ingressPrinter,
  'networking.k8s.io/NetworkPolicy': networkPolicyPrinter,
  'rbac.authorization.k8s.io/RoleBinding': roleBindingPrinter,
  'rbac.authorization.k8s.io/ClusterRoleBinding': roleBindingPrinter,
};

export const defaultPrinter: Printer = {
  columns: [nameColumn, { name: 'Created At', type: 'date' }],
  row(obj) {
    const created = timeOf(obj.metadata?.creationTimestamp);
    // Go's zero time when there is none.
    return { cells: [nameOf(obj), created === undefined ? '0001-01-01T00:00:00Z' : kubeTime(created)] };
  },
};

export function printerFor(resource: ResourceType): Printer {
  if (resource.printerColumns) return crdPrinter(resource.printerColumns);
  return builtin[`${resource.group}/${resource.kind}`] ?? defaultPrinter;
}

export { printTable, type TableRequest, TableRequestError, tableContentType, tableRequest } from './table.js';
