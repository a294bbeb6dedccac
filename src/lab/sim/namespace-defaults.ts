/**
 * What kube-controller-manager puts in every namespace, as Kubernetes v1.33 does (read in untagged copies of
 * kubernetes/kubernetes of the v1.3x line): the `default` ServiceAccount and the `kube-root-ca.crt` ConfigMap.
 * `kubectl get sa,cm -n docqa` on a kind cluster shows both a moment after the namespace is created.
 *
 * ServiceAccounts controller (pkg/controller/serviceaccount/serviceaccounts_controller.go):
 * - the accounts to ensure are DefaultServiceAccountsControllerOptions': one, named `default`;
 * - a namespace is synced when it is added or updated and when a ServiceAccount in it is deleted (namespaceAdded,
 *   namespaceUpdated, serviceAccountDeleted), so a deleted `default` comes back;
 * - syncNamespace does nothing for a namespace that is gone or whose phase is not Active (a terminating namespace
 *   gets nothing new), and creates each missing account with only its name and namespace; AlreadyExists is no error.
 *
 * Root CA certificate publisher (pkg/controller/certificates/rootcacertpublisher/publisher.go):
 * - a namespace is synced when it is added, when it is updated and Active, and when its `kube-root-ca.crt` is updated
 *   or deleted (namespaceAdded, namespaceUpdated, configMapUpdated, configMapDeleted);
 * - syncNamespace creates the ConfigMap with data `ca.crt` (the cluster's CA bundle) and the `kubernetes.io/description`
 *   annotation when it is missing; when its data differ or the annotation is empty it writes both back (other keys,
 *   labels and annotations a user added to it stay); a create refused because the namespace is gone or terminating is
 *   not retried.
 * The CA is the API server's: the sim serving HTTPS (the simulated lab's daemon) publishes its certificate. Over plain
 * HTTP (as most tests run it) the sim has no CA, and no kube-root-ca.crt is published.
 * Upstream both run from informers, a moment after the change; here they run deferred after the change
 * (SimCluster.addController).
 * A cluster that runs the ServiceAccounts controller has its pods' accounts checked: while it runs, pod admission
 * refuses a pod whose ServiceAccount does not exist (Store.refusesMissingServiceAccount, pod-admission.ts). A bare
 * test cluster without it has no `default` account anywhere and admits such pods.
 */
import type { SimCluster } from './api.js';
import type { KubeObject, StoredEvent } from './store.js';

/** DefaultServiceAccountsControllerOptions: the ServiceAccounts every namespace gets. */
export const DEFAULT_SERVICE_ACCOUNTS = ['default'];
/** rootcacertpublisher.RootCACertConfigMapName. */
export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
/** rootcacertpublisher.DescriptionAnnotation and its value (Description). */
export const ROOT_CA_DESCRIPTION_ANNOTATION = 'kubernetes.io/description';
export const ROOT_CA_DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the ' +
  'internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes ' +
  'clusters.';

const isNamespace = (event: StoredEvent) =>
  event.resource.kind === 'Namespace' && event.resource.group === '';
const ofKind = (event: StoredEvent, kind: string) =>
  event.resource.kind === kind && event.resource.group === '';
const active = (ns: KubeObject | undefined) =>
  (ns?.status as { phase?: string } | undefined)?.phase === 'Active' && !ns?.metadata?.deletionTimestamp;

/** serviceaccounts_controller.go syncNamespace: the missing accounts of an Active namespace created. */
function ensureServiceAccounts(cluster: SimCluster, namespace: string): void {
  if (!active(cluster.get('v1', 'Namespace', namespace))) return;
  for (const name of DEFAULT_SERVICE_ACCOUNTS) {
    if (cluster.get('v1', 'ServiceAccount', name, namespace)) continue;
    cluster.seed({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } });
  }
}

/** publisher.go syncNamespace: the namespace's kube-root-ca.crt created, or its data and description restored. */
function publishRootCa(cluster: SimCluster, namespace: string, rootCa: string): void {
  const ns = cluster.get('v1', 'Namespace', namespace);
  if (!active(ns)) return; // upstream's create is refused in a namespace that is gone or terminating
  const data = { 'ca.crt': rootCa };
  const current = cluster.get('v1', 'ConfigMap', ROOT_CA_CONFIGMAP, namespace);
  if (!current) {
    cluster.seed({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: ROOT_CA_CONFIGMAP,
        namespace,
        annotations: { [ROOT_CA_DESCRIPTION_ANNOTATION]: ROOT_CA_DESCRIPTION },
      },
      data,
    });
    return;
  }
  const sameData = JSON.stringify(current.data ?? {}) === JSON.stringify(data);
  if (sameData && (current.metadata?.annotations?.[ROOT_CA_DESCRIPTION_ANNOTATION] ?? '') !== '') return;
  cluster.update('v1', 'ConfigMap', ROOT_CA_CONFIGMAP, namespace, (cm) => {
    cm.data = data;
    if (cm.metadata)
      cm.metadata.annotations = {
        ...cm.metadata.annotations,
        [ROOT_CA_DESCRIPTION_ANNOTATION]: ROOT_CA_DESCRIPTION,
      };
  });
}

export interface NamespaceDefaultsOptions {
  /** The cluster's CA bundle (PEM) for kube-root-ca.crt. Default: none, and no ConfigMap is published. */
  rootCa?: string;
}

/**
 * Starts the ServiceAccounts controller and, with a CA, the root CA publisher. Existing namespaces are synced at
 * once (the informers' initial list). Returns a function that stops both.
 */
export function startNamespaceDefaults(
  cluster: SimCluster,
  options: NamespaceDefaultsOptions = {},
): () => void {
  const { rootCa } = options;
  cluster.store.refusesMissingServiceAccount = true;
  const stop = cluster.addController((event) => {
    const namespace = isNamespace(event) ? event.object.metadata?.name : event.object.metadata?.namespace;
    if (!namespace) return;
    if (isNamespace(event)) {
      if (event.type === 'DELETED') return;
      ensureServiceAccounts(cluster, namespace);
      if (rootCa !== undefined) publishRootCa(cluster, namespace, rootCa);
      return;
    }
    if (ofKind(event, 'ServiceAccount') && event.type === 'DELETED')
      ensureServiceAccounts(cluster, namespace);
    if (
      rootCa !== undefined &&
      ofKind(event, 'ConfigMap') &&
      event.object.metadata?.name === ROOT_CA_CONFIGMAP &&
      event.type !== 'ADDED'
    )
      publishRootCa(cluster, namespace, rootCa);
  });
  return () => {
    stop();
    cluster.store.refusesMissingServiceAccount = false;
  };
}
