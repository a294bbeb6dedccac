import { stringify } from 'yaml';
import type { LabConfig } from '../config.js';

/** The kind cluster config: pinned node image, host ports for the Argo CD UI, Grafana, Prometheus and the Git server. */
export function kindClusterConfig(config: LabConfig): string {
  const mapping = (name: keyof LabConfig['ports']) => ({
    containerPort: config.nodePorts[name],
    hostPort: config.ports[name],
    listenAddress: '127.0.0.1',
    protocol: 'TCP',
  });
  return stringify({
    kind: 'Cluster',
    apiVersion: 'kind.x-k8s.io/v1alpha4',
    name: config.clusterName,
    nodes: [
      {
        role: 'control-plane',
        image: config.kindNodeImage,
        extraPortMappings: [mapping('argocd'), mapping('grafana'), mapping('git'), mapping('prometheus')],
      },
    ],
  });
}
