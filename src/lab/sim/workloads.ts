/**
 * The Deployment controller, for the Deployments the simulation runs pods for (the lab's Git server): it keeps
 * `spec.replicas` pods from the pod template and reports how many are ready (Kubernetes v1.33,
 * pkg/controller/deployment: status.readyReplicas / availableReplicas count Ready pods; minReadySeconds 0).
 */
import { createHash } from 'node:crypto';
import type { SimCluster } from './api.js';
import { podReady } from './kubelet.js';
import type { KubeObject, StoredEvent } from './store.js';

type Deployment = KubeObject & {
  spec?: {
    replicas?: number;
    template?: { metadata?: { labels?: Record<string, string> }; spec?: Record<string, unknown> };
  };
};

const hashOf = (value: unknown) =>
  createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 10);

/** Runs pods for the Deployments `manages` picks; returns a function that stops it. */
export function deploymentPods(cluster: SimCluster, manages: (d: KubeObject) => boolean): () => void {
  const reconcile = (deployment: Deployment) => {
    const ns = deployment.metadata?.namespace ?? 'default';
    const name = deployment.metadata?.name ?? '';
    const template = deployment.spec?.template ?? {};
    const hash = hashOf(template);
    const want = deployment.spec?.replicas ?? 1;
    const owned = cluster
      .list('v1', 'Pod', ns)
      .filter((p) => p.metadata?.labels?.['sim.gitops-lab/deployment'] === name);
    for (const pod of owned) {
      const index = Number(pod.metadata?.name?.split('-').at(-1));
      if (pod.metadata?.labels?.['pod-template-hash'] !== hash || index >= want)
        cluster.remove('v1', 'Pod', pod.metadata?.name ?? '', ns);
    }
    for (let i = 0; i < want; i++) {
      const podName = `${name}-${hash}-${i}`;
      if (cluster.get('v1', 'Pod', podName, ns)) continue;
      cluster.seed({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: podName,
          namespace: ns,
          labels: {
            ...template.metadata?.labels,
            'pod-template-hash': hash,
            'sim.gitops-lab/deployment': name,
          },
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${name}-${hash}` }],
        },
        spec: template.spec ?? {},
      });
    }
    report(deployment);
  };
  const report = (deployment: Deployment) => {
    const ns = deployment.metadata?.namespace ?? 'default';
    const name = deployment.metadata?.name ?? '';
    const live = cluster.get('apps/v1', 'Deployment', name, ns) as Deployment | undefined;
    if (!live) return;
    const pods = cluster
      .list('v1', 'Pod', ns)
      .filter((p) => p.metadata?.labels?.['sim.gitops-lab/deployment'] === name);
    const ready = pods.filter(podReady).length;
    const want = live.spec?.replicas ?? 1;
    const status = {
      observedGeneration: live.metadata?.generation,
      replicas: pods.length,
      updatedReplicas: pods.length,
      readyReplicas: ready,
      availableReplicas: ready,
      conditions: [
        {
          type: 'Available',
          status: ready >= want ? 'True' : 'False',
          reason: ready >= want ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
        },
      ],
    };
    if (JSON.stringify(live.status) === JSON.stringify(status)) return;
    cluster.update('apps/v1', 'Deployment', name, ns, (o) => {
      o.status = status;
    });
  };
  const onEvent = (event: StoredEvent) => {
    if (event.resource.kind === 'Deployment' && event.type !== 'DELETED' && manages(event.object)) {
      cluster.defer(() => {
        const live = cluster.get(
          'apps/v1',
          'Deployment',
          event.object.metadata?.name ?? '',
          event.object.metadata?.namespace,
        );
        if (live) reconcile(live as Deployment);
      });
    }
    if (event.resource.kind === 'Pod' && event.object.metadata?.labels?.['sim.gitops-lab/deployment']) {
      const name = event.object.metadata.labels['sim.gitops-lab/deployment'];
      cluster.defer(() => {
        const live = cluster.get('apps/v1', 'Deployment', name, event.object.metadata?.namespace);
        if (live) report(live as Deployment);
      });
    }
  };
  const stop = cluster.onChange(onEvent);
  for (const d of cluster.list('apps/v1', 'Deployment')) if (manages(d)) reconcile(d as Deployment);
  return stop;
}
