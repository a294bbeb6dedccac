/**
 * The lab's AppProject lets its Applications create only the cluster-scoped kinds the lab deploys: derived here
 * from manifests/ (the vendored Argo installs, the lab's own folders) and, for the Helm charts that cannot be
 * rendered offline, from the charts' templates at the pinned versions (listed below with their source).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

const root = join(import.meta.dirname, '..', '..', 'manifests');

/** Cluster-scoped kinds of the Kubernetes API (kubectl api-resources --namespaced=false), by group. */
const clusterScoped: Record<string, string> = {
  Namespace: '',
  Node: '',
  PersistentVolume: '',
  CustomResourceDefinition: 'apiextensions.k8s.io',
  ClusterRole: 'rbac.authorization.k8s.io',
  ClusterRoleBinding: 'rbac.authorization.k8s.io',
  MutatingWebhookConfiguration: 'admissionregistration.k8s.io',
  ValidatingWebhookConfiguration: 'admissionregistration.k8s.io',
  ValidatingAdmissionPolicy: 'admissionregistration.k8s.io',
  APIService: 'apiregistration.k8s.io',
  StorageClass: 'storage.k8s.io',
  CSIDriver: 'storage.k8s.io',
  PriorityClass: 'scheduling.k8s.io',
  IngressClass: 'networking.k8s.io',
  RuntimeClass: 'node.k8s.io',
};

/**
 * Cluster-scoped kinds the Helm charts render with the lab's values (apps/*.yaml), read from each chart's
 * templates at the pinned version.
 */
const chartKinds: Record<string, string[]> = {
  // prometheus-community/helm-charts kube-prometheus-stack 79.7.1: charts/crds (Prometheus Operator CRDs),
  // templates/prometheus-operator/{clusterrole,clusterrolebinding}.yaml, templates/prometheus/clusterrole*.yaml,
  // templates/prometheus-operator/admission-webhooks/{mutatingWebhookConfiguration,validatingWebhookConfiguration}.yaml
  // (admissionWebhooks.enabled: true by default); kube-state-metrics and grafana subcharts' clusterrole*.yaml.
  'kube-prometheus-stack': [
    'CustomResourceDefinition',
    'ClusterRole',
    'ClusterRoleBinding',
    'MutatingWebhookConfiguration',
    'ValidatingWebhookConfiguration',
  ],
  // kubernetes-sigs/metrics-server chart 3.13.0: templates/apiservice.yaml, clusterrole*.yaml.
  'metrics-server': ['APIService', 'ClusterRole', 'ClusterRoleBinding'],
  // open-telemetry/opentelemetry-helm-charts opentelemetry-collector 0.140.0: templates/clusterrole*.yaml
  // (rendered when clusterRole.create or a preset needs it; listed so the chart may enable them).
  'opentelemetry-collector': ['ClusterRole', 'ClusterRoleBinding'],
  // prometheus-blackbox-exporter 11.4.1: nothing cluster-scoped.
  'prometheus-blackbox-exporter': [],
};

// biome-ignore lint/suspicious/noExplicitAny: manifest objects
type Obj = Record<string, any>;
function yamlObjects(dir: string): Obj[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) return yamlObjects(p);
    if (!/\.ya?ml$/.test(e)) return [];
    return parseAllDocuments(readFileSync(p, 'utf8'))
      .map((d) => d.toJS() as Obj)
      .filter((o) => o?.kind);
  });
}

const apps = yamlObjects(join(root, 'apps')).filter((o) => o.kind === 'Application');
const project = yamlObjects(join(root, 'apps')).find(
  (o) => o.kind === 'AppProject' && o.metadata.name === 'lab',
);

function deployedClusterKinds(): Set<string> {
  const kinds = new Set<string>();
  for (const app of apps) {
    const source = app.spec.source;
    if (app.spec.syncPolicy?.syncOptions?.includes('CreateNamespace=true')) kinds.add('Namespace');
    if (source.chart) {
      const known = chartKinds[source.chart];
      expect(known, `cluster-scoped kinds of chart ${source.chart} are listed in this test`).toBeDefined();
      for (const k of known ?? []) kinds.add(k);
    } else if (source.path && !source.repoURL.includes('argocd-example-apps')) {
      for (const o of yamlObjects(join(root, source.path))) if (o.kind in clusterScoped) kinds.add(o.kind);
    }
  }
  return kinds;
}

describe('the lab AppProject', () => {
  it('allows exactly the cluster-scoped kinds the lab deploys, no wildcard', () => {
    const allowed = (project?.spec.clusterResourceWhitelist ?? []) as Array<{ group: string; kind: string }>;
    expect(allowed.some((a) => a.group === '*' || a.kind === '*')).toBe(false);
    const want = [...deployedClusterKinds()].sort();
    expect(allowed.map((a) => a.kind).sort()).toEqual(want);
    for (const a of allowed) expect(a.group, a.kind).toBe(clusterScoped[a.kind]);
  });

  it('is what every lab Application uses', () => {
    for (const app of apps) expect(app.spec.project, app.metadata.name).toBe('lab');
  });
});
