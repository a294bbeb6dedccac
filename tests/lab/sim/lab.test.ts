/**
 * The simulated lab's own platform workloads (src/lab/sim/lab.ts, workloads.ts): the Argo CD application controller
 * and the Git server run as pods through their controllers, as on a kind cluster after `up`, and the Argo CD model
 * works only while its controller's pod is Running and Ready.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sleep } from '../../../src/lab/clock.js';
import { VirtualClock } from '../../../src/lab/sim/clock.js';
import { podReady } from '../../../src/lab/sim/kubelet.js';
import { type SimLab, startSimLab } from '../../../src/lab/sim/lab.js';
import type { KubeObject } from '../../support/fake-kube/index.js';

const controller = 'argocd-application-controller';

describe('the simulated lab’s Argo CD controller and Git server', { timeout: 60_000 }, () => {
  let lab: SimLab | undefined;
  afterEach(async () => {
    await lab?.close();
    lab = undefined;
  });

  const cluster = () => (lab as SimLab).cluster;
  const pods = (ns: string) => cluster().list('v1', 'Pod', ns);
  const image = (pod: KubeObject | undefined) =>
    (pod?.spec as { containers?: Array<{ image?: string }> } | undefined)?.containers?.[0]?.image;
  const statefulSet = () => cluster().get('apps/v1', 'StatefulSet', controller, 'argocd') as KubeObject;
  const gitServer = () => cluster().get('apps/v1', 'Deployment', 'git-server', 'lab-git') as KubeObject;
  const scale = (kind: 'StatefulSet' | 'Deployment', name: string, ns: string, replicas: number) =>
    cluster().update('apps/v1', kind, name, ns, (o) => {
      (o.spec as { replicas: number }).replicas = replicas;
    });
  const docqa = () => cluster().get('argoproj.io/v1alpha1', 'Application', 'docqa', 'argocd');
  const reconciledAt = () => (docqa()?.status as { reconciledAt?: string } | undefined)?.reconciledAt;

  it('after the warm-up both run a Ready pod, from the manifests `up` applies, in `kubectl get pods -A`', async () => {
    lab = await startSimLab({ clock: new VirtualClock({ start: 0 }) });
    const [argo, ...moreArgo] = pods('argocd');
    expect(moreArgo).toEqual([]);
    expect(argo?.metadata?.name).toBe(`${controller}-0`);
    expect(podReady(argo)).toBe(true);
    expect(image(argo)).toBe('quay.io/argoproj/argocd:v3.1.12');
    expect(argo?.metadata?.labels).toMatchObject({
      'app.kubernetes.io/name': controller,
      'statefulset.kubernetes.io/pod-name': `${controller}-0`,
      'apps.kubernetes.io/pod-index': '0',
    });
    // The vendored install's spec: serviceName, the readiness probe on :8082/healthz.
    expect(statefulSet().spec).toMatchObject({ serviceName: controller, replicas: 1 });
    expect(statefulSet().status).toMatchObject({ replicas: 1, readyReplicas: 1, availableReplicas: 1 });

    const [git, ...moreGit] = pods('lab-git');
    expect(moreGit).toEqual([]);
    expect(git?.metadata?.name).toMatch(/^git-server-[a-z0-9]+-[a-z0-9]{5}$/);
    expect(podReady(git)).toBe(true);
    expect(image(git)).toBe('gitops-lab/git-server:dev');
    expect(gitServer().spec).toMatchObject({ strategy: { type: 'Recreate' } });
    expect(gitServer().status).toMatchObject({ replicas: 1, readyReplicas: 1, availableReplicas: 1 });
    expect(cluster().list('apps/v1', 'ReplicaSet', 'lab-git')).toHaveLength(1);
  });

  it('scaled to 0, the controller reconciles nothing; scaled back, nothing until its pod is Ready, then it catches up', async () => {
    const clock = new VirtualClock({ start: 0 });
    lab = await startSimLab({ clock });
    scale('StatefulSet', controller, 'argocd', 0);
    await sleep(clock, 1);
    // Deleted gracefully: Terminating until the controller's process has ended on SIGTERM (about a second).
    expect(pods('argocd').map((p) => Boolean(p.metadata?.deletionTimestamp))).toEqual([true]);
    await sleep(clock, 3000);
    expect(pods('argocd')).toEqual([]);
    expect(statefulSet().status).toMatchObject({ replicas: 0, availableReplicas: 0 });
    const before = reconciledAt();
    await lab.repo.change(
      [{ file: 'workloads/docqa/configmap.yaml', set: { 'data.DRILL_NOTE': 'lab-test' } }],
      'a change nobody reconciles',
    );
    await sleep(clock, 180_000);
    expect(reconciledAt()).toBe(before);

    scale('StatefulSet', controller, 'argocd', 1);
    await sleep(clock, 1000);
    // The pod runs, but its readiness probe waits 5 s and ticks every 10 s: not Ready, not reconciling.
    const [pod] = pods('argocd');
    expect(pod?.metadata?.name).toBe(`${controller}-0`);
    expect(podReady(pod)).toBe(false);
    expect(reconciledAt()).toBe(before);
    await sleep(clock, 12_000);
    expect(podReady(pods('argocd')[0])).toBe(true);
    // Its first list finds docqa's reconciledAt older than timeout.reconciliation: compared and synced at once.
    await sleep(clock, 5000);
    expect(reconciledAt()).not.toBe(before);
    expect(cluster().get('v1', 'ConfigMap', 'docqa-config', 'docqa')?.data).toMatchObject({
      DRILL_NOTE: 'lab-test',
    });
  });

  it('the Git server scaled to 0 loses its pod and its readyReplicas; scaled back, its new pod is Ready', async () => {
    const clock = new VirtualClock({ start: 0 });
    lab = await startSimLab({ clock });
    const [old] = pods('lab-git');
    scale('Deployment', 'git-server', 'lab-git', 0);
    await sleep(clock, 1);
    // Its ReplicaSet stops counting the pod at once; the pod is Terminating until lighttpd has stopped on SIGTERM.
    expect((gitServer().status as { readyReplicas?: number }).readyReplicas).toBeUndefined();
    expect(pods('lab-git').map((p) => Boolean(p.metadata?.deletionTimestamp))).toEqual([true]);
    await sleep(clock, 3000);
    expect(pods('lab-git')).toEqual([]);
    scale('Deployment', 'git-server', 'lab-git', 1);
    await sleep(clock, 10_000);
    const [pod] = pods('lab-git');
    expect(pod?.metadata?.name).not.toBe(old?.metadata?.name);
    expect(podReady(pod)).toBe(true);
    expect(gitServer().status).toMatchObject({ readyReplicas: 1 });
  });
});
