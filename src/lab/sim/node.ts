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
 *   changed: `lastHeartbeatTime` moves, `lastTransitionTime` stays. Node leases are not modelled.
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
  return () => cancel();
}
