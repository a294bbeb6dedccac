import type { ScalePaths } from './scale.js';
/** The resource types the fake API server knows, as discovery reports them. CRDs created at run time add more. */
export interface ResourceType {
  group: string; // '' for the core group
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  /** Subresources served: 'status' and/or 'scale'. */
  subresources?: Array<'status' | 'scale'>;
  /** Discovery's shortNames (`kubectl get po`). */
  shortNames?: string[];
  /** Discovery's categories (`kubectl get all`). */
  categories?: string[];
  /** Discovery's singularName (default: the kind in lower case). */
  singular?: string;
  /**
   * Set for custom resources: the served version's additionalPrinterColumns (empty: none given), which the server's
   * Table printing uses instead of a built-in printer (src/lab/sim/printers/crd.ts).
   */
  printerColumns?: PrinterColumn[];
  /** Set for custom resources with a scale subresource: the CRD's paths (src/lab/sim/scale.ts). */
  scale?: ScalePaths;
}

export function apiVersionOf(type: Pick<ResourceType, 'group' | 'version'>): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

/** The group and version an apiVersion names (`v1`: the core group, ''), apiVersionOf's inverse. */
export function groupVersionOf(apiVersion = ''): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** A custom resource: served for a CRD (it carries the CRD's printer columns), not built into the API server. */
export function isCustomResource(type: Pick<ResourceType, 'printerColumns'>): boolean {
  return type.printerColumns !== undefined;
}

/** A CRD version's `additionalPrinterColumns` entry (apiextensions.k8s.io/v1 CustomResourceColumnDefinition). */
export interface PrinterColumn {
  name: string;
  /** integer, number, string, boolean or date. */
  type: string;
  format?: string;
  description?: string;
  priority?: number;
  jsonPath: string;
}

interface Names {
  sub?: ResourceType['subresources'];
  short?: string[];
  /** In the `all` category (`kubectl get all`). */
  all?: boolean;
  categories?: string[];
}

function resource(
  group: string,
  version: string,
  kind: string,
  plural: string,
  namespaced: boolean,
  names: Names,
): ResourceType {
  const categories = [...(names.all ? ['all'] : []), ...(names.categories ?? [])];
  return {
    group,
    version,
    kind,
    plural,
    namespaced,
    subresources: names.sub ?? [],
    ...(names.short ? { shortNames: names.short } : {}),
    ...(categories.length > 0 ? { categories } : {}),
  };
}

const of =
  (group: string, version: string) =>
  (kind: string, plural: string, namespaced = true, names: Names = {}): ResourceType =>
    resource(group, version, kind, plural, namespaced, names);

const core = of('', 'v1');
const apps = of('apps', 'v1');
const rbac = of('rbac.authorization.k8s.io', 'v1');

/**
 * An Argo custom resource as the CRDs of manifests/bootstrap/argo-cd and argo-rollouts/install.yaml define it (names,
 * printer columns; tests/lab/sim/discovery.test.ts checks them against the manifests). The sim serves these kinds
 * without the CRD objects; a CRD created at run time replaces the names and columns (Store.registerCrd).
 */
function argo(
  kind: string,
  plural: string,
  names: Names & { namespaced?: boolean; columns?: PrinterColumn[]; scale?: ScalePaths },
): ResourceType {
  return {
    ...resource('argoproj.io', 'v1alpha1', kind, plural, names.namespaced ?? true, names),
    singular: kind.toLowerCase(),
    printerColumns: names.columns ?? [],
    ...(names.scale ? { scale: names.scale } : {}),
  };
}

const ageColumn: PrinterColumn = {
  name: 'Age',
  type: 'date',
  description: 'Time since resource was created',
  jsonPath: '.metadata.creationTimestamp',
};
const phaseColumn = (of: string): PrinterColumn => ({
  name: 'Status',
  type: 'string',
  description: `${of} status`,
  jsonPath: '.status.phase',
});

/**
 * Short names and categories as Kubernetes v1.33 registers them: each resource's REST storage
 * (pkg/registry/<group>/<resource>/storage/storage.go ShortNames() and Categories(); CRDs:
 * apiextensions-apiserver pkg/registry/customresourcedefinition/etcd.go, `crd`/`crds`, category api-extensions).
 * Jobs have no short name; configmaps, secrets, events, nodes, namespaces... are in no category.
 */
export const builtinResources: ResourceType[] = [
  core('Namespace', 'namespaces', false, { sub: ['status'], short: ['ns'] }),
  core('Pod', 'pods', true, { sub: ['status'], short: ['po'], all: true }),
  core('Service', 'services', true, { sub: ['status'], short: ['svc'], all: true }),
  core('ConfigMap', 'configmaps', true, { short: ['cm'] }),
  core('Secret', 'secrets'),
  core('Event', 'events', true, { short: ['ev'] }),
  core('ServiceAccount', 'serviceaccounts', true, { short: ['sa'] }),
  core('Endpoints', 'endpoints', true, { short: ['ep'] }),
  core('PersistentVolumeClaim', 'persistentvolumeclaims', true, { sub: ['status'], short: ['pvc'] }),
  core('PersistentVolume', 'persistentvolumes', false, { sub: ['status'], short: ['pv'] }),
  core('Node', 'nodes', false, { sub: ['status'], short: ['no'] }),
  apps('Deployment', 'deployments', true, { sub: ['status', 'scale'], short: ['deploy'], all: true }),
  apps('StatefulSet', 'statefulsets', true, { sub: ['status', 'scale'], short: ['sts'], all: true }),
  apps('DaemonSet', 'daemonsets', true, { sub: ['status'], short: ['ds'], all: true }),
  apps('ReplicaSet', 'replicasets', true, { sub: ['status', 'scale'], short: ['rs'], all: true }),
  of('autoscaling', 'v2')('HorizontalPodAutoscaler', 'horizontalpodautoscalers', true, {
    sub: ['status'],
    short: ['hpa'],
    all: true,
  }),
  of('batch', 'v1')('Job', 'jobs', true, { sub: ['status'], all: true }),
  of('batch', 'v1')('CronJob', 'cronjobs', true, { sub: ['status'], short: ['cj'], all: true }),
  of('policy', 'v1')('PodDisruptionBudget', 'poddisruptionbudgets', true, {
    sub: ['status'],
    short: ['pdb'],
  }),
  // pkg/registry/discovery/endpointslice/storage: no short names, no categories.
  of('discovery.k8s.io', 'v1')('EndpointSlice', 'endpointslices', true, {}),
  of('storage.k8s.io', 'v1')('StorageClass', 'storageclasses', false, { short: ['sc'] }),
  of('scheduling.k8s.io', 'v1')('PriorityClass', 'priorityclasses', false, { short: ['pc'] }),
  of('coordination.k8s.io', 'v1')('Lease', 'leases', true, {}),
  of('networking.k8s.io', 'v1')('NetworkPolicy', 'networkpolicies', true, { short: ['netpol'] }),
  of('networking.k8s.io', 'v1')('Ingress', 'ingresses', true, { sub: ['status'], short: ['ing'] }),
  of('apiextensions.k8s.io', 'v1')('CustomResourceDefinition', 'customresourcedefinitions', false, {
    sub: ['status'],
    short: ['crd', 'crds'],
    categories: ['api-extensions'],
  }),
  rbac('Role', 'roles'),
  rbac('RoleBinding', 'rolebindings'),
  rbac('ClusterRole', 'clusterroles', false),
  rbac('ClusterRoleBinding', 'clusterrolebindings', false),
  argo('Application', 'applications', {
    sub: ['status'],
    short: ['app', 'apps'],
    columns: [
      { name: 'Sync Status', type: 'string', jsonPath: '.status.sync.status' },
      { name: 'Health Status', type: 'string', jsonPath: '.status.health.status' },
      { name: 'Revision', type: 'string', priority: 10, jsonPath: '.status.sync.revision' },
      { name: 'Project', type: 'string', priority: 10, jsonPath: '.spec.project' },
    ],
  }),
  argo('AppProject', 'appprojects', { short: ['appproj', 'appprojs'] }),
  argo('ApplicationSet', 'applicationsets', { sub: ['status'], short: ['appset', 'appsets'] }),
  argo('Rollout', 'rollouts', {
    sub: ['status', 'scale'],
    short: ['ro'],
    scale: {
      specReplicasPath: '.spec.replicas',
      statusReplicasPath: '.status.HPAReplicas',
      labelSelectorPath: '.status.selector',
    },
    columns: [
      {
        name: 'Desired',
        type: 'integer',
        description: 'Number of desired pods',
        jsonPath: '.spec.replicas',
      },
      {
        name: 'Current',
        type: 'integer',
        description: 'Total number of non-terminated pods targeted by this rollout',
        jsonPath: '.status.replicas',
      },
      {
        name: 'Up-to-date',
        type: 'integer',
        description:
          'Total number of non-terminated pods targeted by this rollout that have the desired template spec',
        jsonPath: '.status.updatedReplicas',
      },
      {
        name: 'Available',
        type: 'integer',
        description:
          'Total number of available pods (ready for at least minReadySeconds) targeted by this rollout',
        jsonPath: '.status.availableReplicas',
      },
      ageColumn,
    ],
  }),
  argo('AnalysisRun', 'analysisruns', {
    sub: ['status'],
    short: ['ar'],
    columns: [phaseColumn('AnalysisRun'), ageColumn],
  }),
  argo('AnalysisTemplate', 'analysistemplates', { short: ['at'], columns: [ageColumn] }),
  argo('ClusterAnalysisTemplate', 'clusteranalysistemplates', {
    namespaced: false,
    short: ['cat'],
    columns: [ageColumn],
  }),
  argo('Experiment', 'experiments', {
    sub: ['status'],
    short: ['exp'],
    columns: [phaseColumn('Experiment'), ageColumn],
  }),
];
