/**
 * The add-on workloads a fresh kind v0.29.0 cluster (kindest/node:v1.33.1) runs, as kind and kubeadm apply them and
 * the API server then holds them (what `kubectl get deploy,ds -A -o yaml` shows before anything else is installed):
 *
 * - kubeadm's CoreDNS Deployment `coredns` in kube-system (cmd/kubeadm/app/phases/addons/dns/manifests.go
 *   CoreDNSDeployment, read at kubernetes commit 008b3652, a v1.2x/v1.3x copy): 2 replicas (kubeadm's default),
 *   RollingUpdate with maxUnavailable 1, label and selector k8s-app=kube-dns, priorityClassName
 *   system-cluster-critical, a preferred pod anti-affinity on the hostname, tolerations CriticalAddonsOnly and the
 *   control-plane taint, nodeSelector kubernetes.io/os=linux, requests cpu 100m / memory 70Mi and a 170Mi memory limit,
 *   the liveness probe /health on 8080 and the readiness probe /ready on 8181, dnsPolicy Default. The image is
 *   kubeadm v1.33's CoreDNS (constants.go CoreDNSVersion v1.12.0).
 * - kubeadm's kube-proxy DaemonSet (cmd/kubeadm/app/phases/addons/proxy/manifests.go KubeProxyDaemonSet19, read at
 *   commit 0e998fac, an older copy whose securityContext lists capabilities; clusters of the v1.2x/v1.3x line run it
 *   privileged, as written here): k8s-app=kube-proxy, priorityClassName system-node-critical, hostNetwork, tolerations
 *   CriticalAddonsOnly and every taint, nodeSelector kubernetes.io/os=linux, no resources, the image of the cluster's
 *   version (registry.k8s.io/kube-proxy:v1.33.1).
 * - kind's kindnet DaemonSet (kubernetes-sigs/kind pkg/build/nodeimage/const_cni.go at tag v0.29.0): labels tier=node,
 *   app=kindnet, k8s-app=kindnet, selector app=kindnet, hostNetwork, toleration of every taint, nodeSelector
 *   kubernetes.io/os=linux, requests and limits cpu 100m / memory 50Mi, image docker.io/kindest/kindnetd:v20250512-df8de77b,
 *   no priorityClassName.
 * - kind's local-path-provisioner Deployment in local-path-storage (pkg/build/nodeimage/const_storage.go at tag
 *   v0.29.0): 1 replica, app=local-path-provisioner, nodeSelector kubernetes.io/os=linux, the control-plane and master
 *   NoSchedule tolerations, image docker.io/kindest/local-path-provisioner:v20250214-acbabc1a with its helper image as
 *   an argument, no resources.
 * The DaemonSets carry the annotation the API server's strategy adds to an apps/v1 DaemonSet at create
 * (pkg/registry/apps/daemonset/strategy.go: templateGeneration 1, shown as `deprecated.daemonset.template.generation`).
 * Their ServiceAccounts are here, by name only. Not modelled: their RBAC objects, ConfigMaps (coredns, kube-proxy,
 * local-path-config) and the volumes' contents (the volumes are named as the manifests name them). The `standard` StorageClass is in
 * kind-baseline.ts; what the provisioner does is in persistent-volumes.ts.
 */
import type { KubeObject } from './store.js';

/** The images a kind v0.29.0 node image holds for its add-ons (preloaded: "already present on machine"). */
export const kindAddonImages = {
  coredns: 'registry.k8s.io/coredns/coredns:v1.12.0',
  kubeProxy: 'registry.k8s.io/kube-proxy:v1.33.1',
  kindnet: 'docker.io/kindest/kindnetd:v20250512-df8de77b',
  localPath: 'docker.io/kindest/local-path-provisioner:v20250214-acbabc1a',
  localPathHelper: 'docker.io/kindest/local-path-helper:v20241212-8ac705d0',
};

/** kind's default pod subnet (the kindnet manifest's POD_SUBNET). */
const POD_SUBNET = '10.244.0.0/16';

const linux = { 'kubernetes.io/os': 'linux' };
const hostPath = (name: string, path: string, type?: string) => ({
  name,
  hostPath: { path, ...(type ? { type } : {}) },
});
const fieldRef = (name: string, fieldPath: string) => ({ name, valueFrom: { fieldRef: { fieldPath } } });

function coreDns(): KubeObject {
  const labels = { 'k8s-app': 'kube-dns' };
  const port = (name: string, containerPort: number, protocol: string) => ({ containerPort, name, protocol });
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'coredns', namespace: 'kube-system', labels },
    spec: {
      replicas: 2,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          priorityClassName: 'system-cluster-critical',
          serviceAccountName: 'coredns',
          affinity: {
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                {
                  weight: 100,
                  podAffinityTerm: {
                    labelSelector: {
                      matchExpressions: [{ key: 'k8s-app', operator: 'In', values: ['kube-dns'] }],
                    },
                    topologyKey: 'kubernetes.io/hostname',
                  },
                },
              ],
            },
          },
          tolerations: [
            { key: 'CriticalAddonsOnly', operator: 'Exists' },
            { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' },
          ],
          nodeSelector: linux,
          containers: [
            {
              name: 'coredns',
              image: kindAddonImages.coredns,
              imagePullPolicy: 'IfNotPresent',
              resources: { limits: { memory: '170Mi' }, requests: { cpu: '100m', memory: '70Mi' } },
              args: ['-conf', '/etc/coredns/Corefile'],
              volumeMounts: [{ name: 'config-volume', mountPath: '/etc/coredns', readOnly: true }],
              ports: [
                port('dns', 53, 'UDP'),
                port('dns-tcp', 53, 'TCP'),
                port('metrics', 9153, 'TCP'),
                port('liveness-probe', 8080, 'TCP'),
                port('readiness-probe', 8181, 'TCP'),
              ],
              livenessProbe: {
                httpGet: { path: '/health', port: 'liveness-probe', scheme: 'HTTP' },
                initialDelaySeconds: 60,
                timeoutSeconds: 5,
                successThreshold: 1,
                failureThreshold: 5,
              },
              readinessProbe: { httpGet: { path: '/ready', port: 'readiness-probe', scheme: 'HTTP' } },
              securityContext: {
                allowPrivilegeEscalation: false,
                capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] },
                readOnlyRootFilesystem: true,
              },
            },
          ],
          dnsPolicy: 'Default',
          volumes: [
            {
              name: 'config-volume',
              configMap: { name: 'coredns', items: [{ key: 'Corefile', path: 'Corefile' }] },
            },
          ],
        },
      },
    },
  };
}

/** The annotation the API server's DaemonSet strategy writes at create (templateGeneration 1). */
const templateGenerationOne = { 'deprecated.daemonset.template.generation': '1' };

function kubeProxy(): KubeObject {
  const labels = { 'k8s-app': 'kube-proxy' };
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'kube-proxy', namespace: 'kube-system', labels, annotations: templateGenerationOne },
    spec: {
      selector: { matchLabels: labels },
      updateStrategy: { type: 'RollingUpdate' },
      template: {
        metadata: { labels },
        spec: {
          priorityClassName: 'system-node-critical',
          containers: [
            {
              name: 'kube-proxy',
              image: kindAddonImages.kubeProxy,
              imagePullPolicy: 'IfNotPresent',
              command: [
                '/usr/local/bin/kube-proxy',
                '--config=/var/lib/kube-proxy/config.conf',
                '--hostname-override=$(NODE_NAME)',
              ],
              securityContext: { privileged: true },
              volumeMounts: [
                { mountPath: '/var/lib/kube-proxy', name: 'kube-proxy' },
                { mountPath: '/run/xtables.lock', name: 'xtables-lock', readOnly: false },
                { mountPath: '/lib/modules', name: 'lib-modules', readOnly: true },
              ],
              env: [fieldRef('NODE_NAME', 'spec.nodeName')],
            },
          ],
          hostNetwork: true,
          serviceAccountName: 'kube-proxy',
          volumes: [
            { name: 'kube-proxy', configMap: { name: 'kube-proxy' } },
            hostPath('xtables-lock', '/run/xtables.lock', 'FileOrCreate'),
            hostPath('lib-modules', '/lib/modules'),
          ],
          tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists' }, { operator: 'Exists' }],
          nodeSelector: linux,
        },
      },
    },
  };
}

function kindnet(): KubeObject {
  const labels = { tier: 'node', app: 'kindnet', 'k8s-app': 'kindnet' };
  const limits = { cpu: '100m', memory: '50Mi' };
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'kindnet', namespace: 'kube-system', labels, annotations: templateGenerationOne },
    spec: {
      selector: { matchLabels: { app: 'kindnet' } },
      template: {
        metadata: { labels },
        spec: {
          hostNetwork: true,
          nodeSelector: linux,
          tolerations: [{ operator: 'Exists' }],
          serviceAccountName: 'kindnet',
          containers: [
            {
              name: 'kindnet-cni',
              image: kindAddonImages.kindnet,
              env: [
                fieldRef('HOST_IP', 'status.hostIP'),
                fieldRef('POD_IP', 'status.podIP'),
                { name: 'POD_SUBNET', value: POD_SUBNET },
              ],
              volumeMounts: [
                { name: 'cni-cfg', mountPath: '/etc/cni/net.d' },
                { name: 'xtables-lock', mountPath: '/run/xtables.lock', readOnly: false },
                { name: 'lib-modules', mountPath: '/lib/modules', readOnly: true },
                { name: 'nri-plugin', mountPath: '/var/run/nri' },
              ],
              resources: { requests: limits, limits },
              securityContext: { privileged: false, capabilities: { add: ['NET_RAW', 'NET_ADMIN'] } },
            },
          ],
          volumes: [
            hostPath('cni-cfg', '/etc/cni/net.d'),
            hostPath('xtables-lock', '/run/xtables.lock', 'FileOrCreate'),
            hostPath('lib-modules', '/lib/modules'),
            hostPath('nri-plugin', '/var/run/nri'),
          ],
        },
      },
    },
  };
}

function localPathProvisioner(): KubeObject {
  const labels = { app: 'local-path-provisioner' };
  const noSchedule = (key: string) => ({ key, operator: 'Equal', effect: 'NoSchedule' });
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'local-path-provisioner', namespace: 'local-path-storage' },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          nodeSelector: linux,
          tolerations: [
            noSchedule('node-role.kubernetes.io/control-plane'),
            noSchedule('node-role.kubernetes.io/master'),
          ],
          serviceAccountName: 'local-path-provisioner-service-account',
          containers: [
            {
              name: 'local-path-provisioner',
              image: kindAddonImages.localPath,
              imagePullPolicy: 'IfNotPresent',
              command: [
                'local-path-provisioner',
                '--debug',
                'start',
                '--helper-image',
                kindAddonImages.localPathHelper,
                '--config',
                '/etc/config/config.json',
              ],
              volumeMounts: [{ name: 'config-volume', mountPath: '/etc/config/' }],
              env: [
                fieldRef('POD_NAMESPACE', 'metadata.namespace'),
                { name: 'CONFIG_MOUNT_PATH', value: '/etc/config/' },
              ],
            },
          ],
          volumes: [{ name: 'config-volume', configMap: { name: 'local-path-config' } }],
        },
      },
    },
  };
}

const serviceAccount = (name: string, namespace: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ServiceAccount',
  metadata: { name, namespace },
});

/**
 * The add-ons' ServiceAccounts, which their pods name (pod admission refuses a pod whose account is missing,
 * pod-admission.ts): kubeadm's `coredns` and `kube-proxy` (created by its dns and proxy phases), kind's `kindnet`
 * (const_cni.go) and `local-path-provisioner-service-account` (const_storage.go).
 */
function addonServiceAccounts(): KubeObject[] {
  return [
    serviceAccount('coredns', 'kube-system'),
    serviceAccount('kindnet', 'kube-system'),
    serviceAccount('kube-proxy', 'kube-system'),
    serviceAccount('local-path-provisioner-service-account', 'local-path-storage'),
  ];
}

/**
 * The ServiceAccounts, Deployments and DaemonSets of a fresh kind cluster: coredns, kube-proxy, kindnet,
 * local-path-provisioner.
 */
export function kindAddons(): KubeObject[] {
  return [...addonServiceAccounts(), coreDns(), kindnet(), kubeProxy(), localPathProvisioner()];
}
