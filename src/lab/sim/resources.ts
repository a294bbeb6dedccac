/** The resource types the fake API server knows, as discovery reports them. CRDs created at run time add more. */
export interface ResourceType {
  group: string; // '' for the core group
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  /** Subresources served: 'status' and/or 'scale'. */
  subresources?: Array<'status' | 'scale'>;
}

export function apiVersionOf(type: Pick<ResourceType, 'group' | 'version'>): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

const core = (kind: string, plural: string, namespaced = true, sub: ResourceType['subresources'] = []) => ({
  group: '',
  version: 'v1',
  kind,
  plural,
  namespaced,
  subresources: sub,
});
const of =
  (group: string, version: string) =>
  (
    kind: string,
    plural: string,
    namespaced = true,
    sub: ResourceType['subresources'] = [],
  ): ResourceType => ({
    group,
    version,
    kind,
    plural,
    namespaced,
    subresources: sub,
  });

const apps = of('apps', 'v1');
const argo = of('argoproj.io', 'v1alpha1');
const rbac = of('rbac.authorization.k8s.io', 'v1');

export const builtinResources: ResourceType[] = [
  core('Namespace', 'namespaces', false, ['status']),
  core('Pod', 'pods', true, ['status']),
  core('Service', 'services', true, ['status']),
  core('ConfigMap', 'configmaps'),
  core('Secret', 'secrets'),
  core('Event', 'events'),
  core('ServiceAccount', 'serviceaccounts'),
  core('Endpoints', 'endpoints'),
  core('PersistentVolumeClaim', 'persistentvolumeclaims', true, ['status']),
  core('Node', 'nodes', false, ['status']),
  apps('Deployment', 'deployments', true, ['status', 'scale']),
  apps('StatefulSet', 'statefulsets', true, ['status', 'scale']),
  apps('DaemonSet', 'daemonsets', true, ['status']),
  apps('ReplicaSet', 'replicasets', true, ['status', 'scale']),
  of('autoscaling', 'v2')('HorizontalPodAutoscaler', 'horizontalpodautoscalers', true, ['status']),
  of('batch', 'v1')('Job', 'jobs', true, ['status']),
  of('batch', 'v1')('CronJob', 'cronjobs', true, ['status']),
  of('policy', 'v1')('PodDisruptionBudget', 'poddisruptionbudgets', true, ['status']),
  of('networking.k8s.io', 'v1')('NetworkPolicy', 'networkpolicies'),
  of('networking.k8s.io', 'v1')('Ingress', 'ingresses', true, ['status']),
  of('apiextensions.k8s.io', 'v1')('CustomResourceDefinition', 'customresourcedefinitions', false, [
    'status',
  ]),
  rbac('Role', 'roles'),
  rbac('RoleBinding', 'rolebindings'),
  rbac('ClusterRole', 'clusterroles', false),
  rbac('ClusterRoleBinding', 'clusterrolebindings', false),
  argo('Application', 'applications', true, ['status']),
  argo('AppProject', 'appprojects'),
  argo('ApplicationSet', 'applicationsets', true, ['status']),
  argo('Rollout', 'rollouts', true, ['status', 'scale']),
  argo('AnalysisRun', 'analysisruns', true, ['status']),
  argo('AnalysisTemplate', 'analysistemplates'),
  argo('ClusterAnalysisTemplate', 'clusteranalysistemplates', false),
  argo('Experiment', 'experiments', true, ['status']),
];
