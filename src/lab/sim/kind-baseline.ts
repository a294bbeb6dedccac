/**
 * What every fresh kind v0.29.0 cluster (kindest/node:v1.33.1) holds before anything is installed, as far as a user
 * sees it with kubectl: `kubectl get ns` and `kubectl get svc -A`.
 *
 * - kind's `standard` StorageClass, the default (standardStorageClass below; volumes.ts provisions its claims).
 * - The namespaces kube-apiserver makes at start (pkg/controlplane/controller/systemnamespaces: kube-system,
 *   kube-public, kube-node-lease; `default` by the kubernetesservice controller), Active as every namespace is on
 *   create (store.ts), and kind's `local-path-storage`, where its default StorageClass provisioner runs.
 * - The `kubernetes` Service in `default` (pkg/controlplane/controller/kubernetesservice/controller.go
 *   CreateOrUpdateMasterServiceIfNeeded): labels component=apiserver and provider=kubernetes, no selector (its
 *   endpoints are the API server's, pkg/controlplane/reconcilers: endpoints.ts apiServerEndpoints), the first address of the service range
 *   (10.96.0.1 for kind's 10.96.0.0/16), one TCP port `https` 443 to the API server's 6443, single-stack ClusterIP.
 * - kubeadm's CoreDNS Service `kube-dns` in `kube-system` (cmd/kubeadm/app/phases/addons/dns/manifests.go, as kind
 *   deploys it): the tenth address of the range (10.96.0.10), ports dns 53/UDP, dns-tcp 53/TCP and metrics 9153/TCP,
 *   selector k8s-app=kube-dns, the Prometheus scrape annotations.
 * Both Services ask for their address by name, so the service-IP allocator (service-ips.ts) holds them as taken
 * from the start, as kube-apiserver's does. The workloads a kind cluster runs are elsewhere: the add-ons' Deployments
 * and DaemonSets (CoreDNS, kube-proxy, kindnet, local-path-provisioner) in kind-addons.ts, whose pods the simulated
 * controllers make (so CoreDNS's two pods fill kube-dns's Endpoints and EndpointSlice), and the control plane's static
 * pods as the kubelet's mirror pods in static-pods.ts. Each namespace's `default` ServiceAccount and kube-root-ca.crt
 * come from the controllers of namespace-defaults.ts, the add-ons' own ServiceAccounts from kind-addons.ts. Not
 * modelled: the add-ons' ConfigMaps and RBAC objects.
 */
import type { KubeObject } from './store.js';

/** The namespaces kube-apiserver creates at start (and the sim's API server serves from the first request). */
export const systemNamespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** kubernetesservice controller: the API server's Service address and ports (kind: secure port 6443). */
export const KUBERNETES_SERVICE_IP = '10.96.0.1';
/** kubeadm's DNS address: the tenth of the service subnet (kubeadm constants GetDNSIP). */
export const KUBE_DNS_IP = '10.96.0.10';

/**
 * kind's default StorageClass (pkg/build/nodeimage/const_storage.go at v0.29.0): `standard`, the default class,
 * provisioned by its local-path-provisioner, bound when the first pod using a claim is scheduled, deleted with its
 * claim. Cluster-scoped: the manifest's `namespace: kube-system` is dropped by the API server.
 */
export function standardStorageClass(): KubeObject {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: 'standard', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
    provisioner: 'rancher.io/local-path',
    volumeBindingMode: 'WaitForFirstConsumer',
    reclaimPolicy: 'Delete',
  } as KubeObject;
}

/** The objects a kind cluster has from the start, beyond the system namespaces: to seed before anything else. */
export function kindBaseline(): KubeObject[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'local-path-storage' } },
    standardStorageClass(),
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'kubernetes',
        namespace: 'default',
        labels: { component: 'apiserver', provider: 'kubernetes' },
      },
      spec: {
        type: 'ClusterIP',
        clusterIP: KUBERNETES_SERVICE_IP,
        ipFamilyPolicy: 'SingleStack',
        sessionAffinity: 'None',
        ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }],
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'kube-dns',
        namespace: 'kube-system',
        labels: {
          'k8s-app': 'kube-dns',
          'kubernetes.io/cluster-service': 'true',
          'kubernetes.io/name': 'CoreDNS',
        },
        annotations: { 'prometheus.io/port': '9153', 'prometheus.io/scrape': 'true' },
      },
      spec: {
        clusterIP: KUBE_DNS_IP,
        selector: { 'k8s-app': 'kube-dns' },
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
          { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
          { name: 'metrics', port: 9153, protocol: 'TCP', targetPort: 9153 },
        ],
      },
    },
  ];
}
