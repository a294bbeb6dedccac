/**
 * The control plane of a kind v0.29.0 node (kindest/node:v1.33.1): the four static pods kubeadm writes to
 * /etc/kubernetes/manifests, and the mirror pods the node's kubelet creates for them in the API server, which is what
 * `kubectl get pods -n kube-system` shows as etcd-<node>, kube-apiserver-<node>, kube-controller-manager-<node> and
 * kube-scheduler-<node>.
 *
 * The manifests (kubeadm cmd/kubeadm/app/phases/controlplane/manifests.go GetStaticPodSpecs, phases/etcd/local.go
 * GetEtcdPodSpec, util/staticpod/utils.go ComponentPod, ComponentResources, LivenessProbe, ReadinessProbe,
 * StartupProbe; v1.33 behaviour as running kind clusters show it):
 * - labels component=<name> and tier=control-plane, priorityClassName system-node-critical, hostNetwork, the
 *   RuntimeDefault seccomp profile;
 * - requests as kubeadm sets them: kube-apiserver cpu 250m, kube-controller-manager 200m, kube-scheduler 100m, etcd
 *   cpu 100m and memory 100Mi;
 * - images of the cluster's version (registry.k8s.io/kube-*:v1.33.1) and kubeadm v1.33's etcd (3.5.21-0);
 * - probes: liveness every 10 s after 10 s, timeout 15 s, 8 failures; startup the same with 24 failures; readiness
 *   (kube-apiserver's /readyz, etcd's /readyz) every second, 3 failures; kube-apiserver's on the node's address and
 *   6443 over HTTPS, the others on 127.0.0.1 (controller-manager 10257 and scheduler 10259 over HTTPS, etcd's metrics
 *   port 2381 over HTTP);
 * - kube-apiserver's annotation `kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint` and etcd's
 *   `kubeadm.kubernetes.io/etcd.advertise-client-urls`. The commands carry the flags kubeadm sets for kind's
 *   configuration that a user looks at (addresses, ranges, ports); certificate paths and volumes are not modelled.
 *
 * The mirror pods (pkg/kubelet/config/common.go applyDefaults, read at kubernetes commit 00090001; the kubelet's file
 * source; pkg/kubelet/pod/mirror_client.go CreateMirrorPod, read in a v1.5 copy, and the Node owner reference it sets
 * since v1.17): the name `<manifest name>-<node>`, `spec.nodeName` the node, the toleration of every NoExecute taint
 * added, annotations `kubernetes.io/config.hash` (the static pod's UID, an MD5 in hex), `kubernetes.io/config.mirror`
 * (the same hash), `kubernetes.io/config.seen` (when the kubelet first saw the file) and `kubernetes.io/config.source:
 * file`, and the Node as controller owner. The hash here is an MD5 of the node's name and the manifest, not of Go's
 * DeepHashObject, so it has the form of a real one but not its value. The kubelet model (kubelet.ts) runs these pods
 * as it runs any other: no scheduling (they name their node), the node's address (hostNetwork), Running and Ready.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from './deployment-util.js';
import { KUBE_DNS_IP } from './kind-baseline.js';
import type { KubeObject } from './store.js';

/** The control plane's images (kubeadm v1.33 for Kubernetes v1.33.1; preloaded in the node image). */
export const controlPlaneImages = {
  etcd: 'registry.k8s.io/etcd:3.5.21-0',
  apiserver: 'registry.k8s.io/kube-apiserver:v1.33.1',
  controllerManager: 'registry.k8s.io/kube-controller-manager:v1.33.1',
  scheduler: 'registry.k8s.io/kube-scheduler:v1.33.1',
};

/** kind's service subnet (KUBE_DNS_IP's range) and pod subnet. */
const SERVICE_SUBNET = `${KUBE_DNS_IP.split('.').slice(0, 2).join('.')}.0.0/16`;
const POD_SUBNET = '10.244.0.0/16';

interface ProbeAt {
  host: string;
  port: number;
  scheme: 'HTTP' | 'HTTPS';
}

/** staticpod LivenessProbe / StartupProbe / ReadinessProbe: kubeadm's timings. */
function probes(at: ProbeAt, paths: { liveness: string; readiness?: string; startup: string }) {
  const get = (path: string) => ({ httpGet: { host: at.host, path, port: at.port, scheme: at.scheme } });
  const slow = { initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 15 };
  return {
    livenessProbe: { ...get(paths.liveness), ...slow, failureThreshold: 8 },
    ...(paths.readiness
      ? {
          readinessProbe: {
            ...get(paths.readiness),
            periodSeconds: 1,
            timeoutSeconds: 15,
            failureThreshold: 3,
          },
        }
      : {}),
    startupProbe: { ...get(paths.startup), ...slow, failureThreshold: 24 },
  };
}

/** ComponentPod: one container, the component's labels, hostNetwork, system-node-critical, RuntimeDefault seccomp. */
function componentPod(
  name: string,
  container: Record<string, unknown>,
  requests: Record<string, string>,
  annotations?: Record<string, string>,
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'kube-system',
      labels: { component: name, tier: 'control-plane' },
      ...(annotations ? { annotations } : {}),
    },
    spec: {
      containers: [{ name, imagePullPolicy: 'IfNotPresent', ...container, resources: { requests } }],
      hostNetwork: true,
      priorityClassName: 'system-node-critical',
      securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
    },
  };
}

/** The four static pods kubeadm writes on a kind control-plane node whose address is `nodeIp`. */
export function controlPlaneManifests(nodeIp: string): KubeObject[] {
  const local = (port: number, scheme: ProbeAt['scheme']) => ({ host: '127.0.0.1', port, scheme });
  return [
    componentPod(
      'etcd',
      {
        image: controlPlaneImages.etcd,
        command: [
          'etcd',
          `--advertise-client-urls=https://${nodeIp}:2379`,
          '--data-dir=/var/lib/etcd',
          `--initial-advertise-peer-urls=https://${nodeIp}:2380`,
          `--listen-client-urls=https://127.0.0.1:2379,https://${nodeIp}:2379`,
          '--listen-metrics-urls=http://127.0.0.1:2381',
          `--listen-peer-urls=https://${nodeIp}:2380`,
        ],
        ...probes(local(2381, 'HTTP'), { liveness: '/livez', readiness: '/readyz', startup: '/readyz' }),
      },
      { cpu: '100m', memory: '100Mi' },
      { 'kubeadm.kubernetes.io/etcd.advertise-client-urls': `https://${nodeIp}:2379` },
    ),
    componentPod(
      'kube-apiserver',
      {
        image: controlPlaneImages.apiserver,
        command: [
          'kube-apiserver',
          `--advertise-address=${nodeIp}`,
          '--allow-privileged=true',
          '--authorization-mode=Node,RBAC',
          '--enable-admission-plugins=NodeRestriction',
          '--etcd-servers=https://127.0.0.1:2379',
          '--secure-port=6443',
          '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
          `--service-cluster-ip-range=${SERVICE_SUBNET}`,
        ],
        ...probes(
          { host: nodeIp, port: 6443, scheme: 'HTTPS' },
          { liveness: '/livez', readiness: '/readyz', startup: '/livez' },
        ),
      },
      { cpu: '250m' },
      { 'kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint': `${nodeIp}:6443` },
    ),
    componentPod(
      'kube-controller-manager',
      {
        image: controlPlaneImages.controllerManager,
        command: [
          'kube-controller-manager',
          '--allocate-node-cidrs=true',
          '--bind-address=127.0.0.1',
          `--cluster-cidr=${POD_SUBNET}`,
          '--cluster-name=kind',
          '--controllers=*,bootstrapsigner,tokencleaner',
          '--leader-elect=true',
          `--service-cluster-ip-range=${SERVICE_SUBNET}`,
          '--use-service-account-credentials=true',
        ],
        ...probes(local(10257, 'HTTPS'), { liveness: '/healthz', startup: '/healthz' }),
      },
      { cpu: '200m' },
    ),
    componentPod(
      'kube-scheduler',
      {
        image: controlPlaneImages.scheduler,
        command: ['kube-scheduler', '--bind-address=127.0.0.1', '--leader-elect=true'],
        ...probes(local(10259, 'HTTPS'), { liveness: '/livez', startup: '/livez' }),
      },
      { cpu: '100m' },
    ),
  ];
}

/** The node a mirror pod belongs to (its name and the Node object's uid). */
export interface MirrorNode {
  name: string;
  uid: string;
}

/**
 * The mirror pod the kubelet of `node` creates for a static pod it read from its manifest directory at `seenAt`
 * (applyDefaults and CreateMirrorPod).
 */
export function mirrorPod(manifest: KubeObject, node: MirrorNode, seenAt: string): KubeObject {
  const hash = createHash('md5')
    .update(`host:${node.name}file:/etc/kubernetes/manifests${canonicalJson(manifest)}`)
    .digest('hex');
  const spec = manifest.spec as { tolerations?: unknown[] };
  return {
    ...manifest,
    metadata: {
      ...manifest.metadata,
      name: `${manifest.metadata?.name}-${node.name.toLowerCase()}`,
      annotations: {
        ...manifest.metadata?.annotations,
        'kubernetes.io/config.hash': hash,
        'kubernetes.io/config.mirror': hash,
        'kubernetes.io/config.seen': seenAt,
        'kubernetes.io/config.source': 'file',
      },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: node.name, uid: node.uid, controller: true }],
    },
    spec: {
      ...spec,
      nodeName: node.name,
      tolerations: [...(spec.tolerations ?? []), { operator: 'Exists', effect: 'NoExecute' }],
    },
  };
}

/** The mirror pods of the control plane of `node` (address `nodeIp`), seen by its kubelet at `seenAt`. */
export function controlPlaneMirrorPods(node: MirrorNode, nodeIp: string, seenAt: string): KubeObject[] {
  return controlPlaneManifests(nodeIp).map((m) => mirrorPod(m, node, seenAt));
}
