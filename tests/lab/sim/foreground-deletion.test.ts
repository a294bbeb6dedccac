/**
 * Foreground deletions in the simulated lab complete as on a cluster: the owner's controller stops managing it while
 * it is being deleted (a StatefulSet only writes its status, a DaemonSet, Deployment or ReplicaSet does nothing,
 * a Service gets no new EndpointSlices), so the garbage collector's deletion of its dependents is not undone and
 * the owner goes once they are gone. Before, the controllers recreated what the collector deleted, for ever.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sleep } from '../../../src/lab/clock.js';
import { VirtualClock } from '../../../src/lab/sim/clock.js';
import { type SimLab, startSimLab } from '../../../src/lab/sim/lab.js';

let lab: SimLab | undefined;
afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

async function deleteForeground(l: SimLab, path: string): Promise<number> {
  const res = await fetch(`${l.cluster.url}${path}`, {
    method: 'DELETE',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ propagationPolicy: 'Foreground' }),
  });
  await res.arrayBuffer();
  return res.status;
}

describe('--cascade=foreground in the simulated lab', () => {
  it('a StatefulSet, a DaemonSet, a Deployment and a Service go, their pods and slices first', async () => {
    const clock = new VirtualClock({ start: 0 });
    const l = await startSimLab({ clock });
    lab = l;
    const c = l.cluster;
    const cases: Array<[string, () => unknown, () => unknown[]]> = [
      [
        '/apis/apps/v1/namespaces/argocd/statefulsets/argocd-application-controller',
        () => c.get('apps/v1', 'StatefulSet', 'argocd-application-controller', 'argocd'),
        () => c.list('v1', 'Pod', 'argocd'),
      ],
      [
        '/apis/apps/v1/namespaces/kube-system/daemonsets/kindnet',
        () => c.get('apps/v1', 'DaemonSet', 'kindnet', 'kube-system'),
        () => c.list('v1', 'Pod', 'kube-system').filter((p) => p.metadata?.name?.startsWith('kindnet-')),
      ],
      [
        '/apis/apps/v1/namespaces/lab-git/deployments/git-server',
        () => c.get('apps/v1', 'Deployment', 'git-server', 'lab-git'),
        () => [...c.list('apps/v1', 'ReplicaSet', 'lab-git'), ...c.list('v1', 'Pod', 'lab-git')],
      ],
      [
        '/api/v1/namespaces/kube-system/services/kube-dns',
        () => c.get('v1', 'Service', 'kube-dns', 'kube-system'),
        () =>
          c
            .list('discovery.k8s.io/v1', 'EndpointSlice', 'kube-system')
            .filter((s) => s.metadata?.labels?.['kubernetes.io/service-name'] === 'kube-dns'),
      ],
    ];
    for (const [path, owner, dependents] of cases) {
      expect(await deleteForeground(l, path), path).toBe(200);
      await sleep(clock, 60_000);
      expect(owner(), path).toBeUndefined();
      expect(dependents(), path).toEqual([]);
    }
  }, 120_000);
});
