/**
 * The lab's one node as its kubelet registers it (Kubernetes v1.33 pkg/kubelet/kubelet_node_status.go initialNode
 * and the setters of pkg/kubelet/nodestatus/setters.go), for a kind v0.29.0 cluster of one control-plane node
 * (kindest/node:v1.33.1): `kubectl get nodes` shows it Ready with the control-plane role and v1.33.1.
 *
 * - Labels: the well-known os/arch/hostname ones the kubelet sets (and their beta twins), and kubeadm's
 *   `node-role.kubernetes.io/control-plane`. kind removes the control-plane taint and, since v0.22, the
 *   exclude-from-external-load-balancers label on a single-node cluster, so neither is there.
 * - `spec.podCIDR(s)` the node's pod range (the controller-manager's node IPAM; pod-ips.ts), `providerID` as kind
 *   sets it (`kind://docker/<cluster>/<node>`).
 * - Status: the node's address and hostname; capacity and allocatable of the machine, as a kind node (a container)
 *   sees its host (kind reserves nothing); 110 pods; the four conditions with setters.go's reasons and messages; the
 *   kubelet's endpoint port; nodeInfo with the kubelet's version, containerd 2.1.1 (kind v0.29.0's), the host's
 *   kernel and the node image's Debian 12.
 * - The kubelet reports its status again every `nodeStatusReportFrequency` (5 minutes by default) when nothing
 *   changed: `lastHeartbeatTime` moves, `lastTransitionTime` stays.
 * - Its heartbeat is the node Lease (k8s.io/component-helpers/apimachinery/lease/controller.go newLease and
 *   renewal, as pkg/kubelet/kubelet.go configures it): `kube-node-lease/<node>`, holder the node, leaseDurationSeconds
 *   40, owned by the Node, its renewTime (a MicroTime) written again every 10 s (nodeLeaseRenewIntervalFraction 0.25 of
 *   the duration).
 */
import { arch, availableParallelism, release, totalmem } from 'node:os';
import type { Clock } from '../clock.js';
import type { SimCluster } from './api.js';
import { type KubeObject, kubeTime } from './store.js';

export interface NodeRegistration {
  name: string;
  ip: string;
  podCidr: string;
  /** The kind cluster's name, for the provider ID (default gitops-lab). */
  cluster?: string;
  kubeletVersion?: string;
}

/** kubelet config nodeLeaseDurationSeconds, and the renew interval (0.25 of it). */
export const NODE_LEASE_SECONDS = 40;
export const NODE_LEASE_RENEW_MS = NODE_LEASE_SECONDS * 250;

/** metav1.MicroTime as JSON: RFC 3339 with six fractional digits, UTC. */
export const microTime = (ms: number) => `${new Date(ms).toISOString().slice(0, -1)}000Z`;

/** kubelet config nodeStatusReportFrequency: 5 minutes. */
export const NODE_STATUS_REPORT_MS = 5 * 60_000;

const goArch = (a: string) => (a === 'x64' ? 'amd64' : a === 'ia32' ? '386' : a);

/** The Node object as the kubelet creates it at `now`. */
export function nodeObject(node: NodeRegistration, now: number): KubeObject {
  const architecture = goArch(arch());
  const capacity = {
    cpu: String(availableParallelism()),
    memory: `${Math.floor(totalmem() / 1024)}Ki`,
    pods: '110',
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
  };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: node.name,
      labels: {
        'beta.kubernetes.io/arch': architecture,
        'beta.kubernetes.io/os': 'linux',
        'kubernetes.io/arch': architecture,
        'kubernetes.io/hostname': node.name,
        'kubernetes.io/os': 'linux',
        'node-role.kubernetes.io/control-plane': '',
      },
      annotations: {
        'kubeadm.alpha.kubernetes.io/cri-socket': 'unix:///run/containerd/containerd.sock',
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
      },
    },
    spec: {
      podCIDR: node.podCidr,
      podCIDRs: [node.podCidr],
      providerID: `kind://docker/${node.cluster ?? 'gitops-lab'}/${node.name}`,
    },
    status: {
      addresses: [
        { type: 'InternalIP', address: node.ip },
        { type: 'Hostname', address: node.name },
      ],
      capacity,
      allocatable: { ...capacity },
      conditions: conditions(now, now),
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        architecture,
        containerRuntimeVersion: 'containerd://2.1.1',
        kernelVersion: release(),
        kubeletVersion: node.kubeletVersion ?? 'v1.33.1',
        operatingSystem: 'linux',
        osImage: 'Debian GNU/Linux 12 (bookworm)',
      },
    },
  };
}

/** setters.go MemoryPressureCondition, DiskPressureCondition, PIDPressureCondition, ReadyCondition. */
function conditions(transition: number, heartbeat: number) {
  const at = { lastHeartbeatTime: kubeTime(heartbeat), lastTransitionTime: kubeTime(transition) };
  return [
    {
      type: 'MemoryPressure',
      status: 'False',
      ...at,
      reason: 'KubeletHasSufficientMemory',
      message: 'kubelet has sufficient memory available',
    },
    {
      type: 'DiskPressure',
      status: 'False',
      ...at,
      reason: 'KubeletHasNoDiskPressure',
      message: 'kubelet has no disk pressure',
    },
    {
      type: 'PIDPressure',
      status: 'False',
      ...at,
      reason: 'KubeletHasSufficientPID',
      message: 'kubelet has sufficient PID available',
    },
    {
      type: 'Ready',
      status: 'True',
      ...at,
      reason: 'KubeletReady',
      message: 'kubelet is posting ready status',
    },
  ];
}

/**
 * Registers the node (unless it exists) and reports its status every NODE_STATUS_REPORT_MS; returns a function that
 * stops the reports.
 */
export function registerNode(cluster: SimCluster, clock: Clock, node: NodeRegistration): () => void {
  if (!cluster.get('v1', 'Node', node.name)) cluster.seed(nodeObject(node, clock.now()));
  let cancel = () => {};
  const report = () => {
    const now = clock.now();
    if (cluster.get('v1', 'Node', node.name))
      cluster.update('v1', 'Node', node.name, undefined, (o) => {
        const status = (o.status ?? {}) as { conditions?: Array<{ lastHeartbeatTime?: string }> };
        for (const c of status.conditions ?? []) c.lastHeartbeatTime = kubeTime(now);
      });
    cancel = clock.setTimer(NODE_STATUS_REPORT_MS, report);
  };
  cancel = clock.setTimer(NODE_STATUS_REPORT_MS, report);
  const stopLease = renewNodeLease(cluster, clock, node.name);
  return () => {
    cancel();
    stopLease();
  };
}

/** The kubelet's node lease: created at once, its renewTime written every NODE_LEASE_RENEW_MS. */
function renewNodeLease(cluster: SimCluster, clock: Clock, name: string): () => void {
  const ns = 'kube-node-lease';
  let cancel = () => {};
  const renew = () => {
    const renewTime = microTime(clock.now());
    if (cluster.get('coordination.k8s.io/v1', 'Lease', name, ns))
      cluster.update('coordination.k8s.io/v1', 'Lease', name, ns, (lease) => {
        lease.spec = { ...(lease.spec as object), renewTime };
      });
    else {
      const owner = cluster.get('v1', 'Node', name);
      cluster.seed({
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: {
          name,
          namespace: ns,
          ...(owner
            ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid: owner.metadata?.uid ?? '' }] }
            : {}),
        },
        spec: { holderIdentity: name, leaseDurationSeconds: NODE_LEASE_SECONDS, renewTime },
      });
    }
    cancel = clock.setTimer(NODE_LEASE_RENEW_MS, renew);
  };
  renew();
  return () => cancel();
}
