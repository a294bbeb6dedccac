/**
 * The Deployments the simulation runs pods for (the lab's Git server): the Kubernetes v1.33 Deployment controller
 * (deployment.ts) creates and sizes their ReplicaSets, the ReplicaSet controller (replicaset.ts) their pods, and the
 * kubelet model (kubelet.ts) runs those pods; and the lab's own platform workloads as `gitops-lab up` applies them.
 * Workloads no model runs are reported Available at once by controllers.ts workloadsAvailable. Jobs run through the
 * Job controller (job.ts) and are deleted after their ttlSecondsAfterFinished by the TTL-after-finished controller
 * (ttl-after-finished.ts): `jobPods`.
 */
import type { Clock } from '../clock.js';
import type { SimCluster } from './api.js';
import { DeploymentController } from './deployment.js';
import { JobController } from './job.js';
import { kustomizeBuild } from './kustomize.js';
import { ReplicaSetController } from './replicaset.js';
import { MemoryRepo } from './repo.js';
import type { KubeObject } from './store.js';
import { TtlAfterFinishedController } from './ttl-after-finished.js';
import { controllerUid } from './workqueue.js';

export interface DeploymentPodsOptions {
  /** The controllers' clock (default: the cluster's); give a VirtualClock's background() in tests. */
  clock?: Clock;
  /** Randomness for pod names (default Math.random). */
  random?: () => number;
}

/** One function that stops every controller of `stops`. */
const stopAll = (stops: Array<() => void>) => () => {
  for (const stop of stops) stop();
};

/** Runs the Deployment and ReplicaSet controllers for the Deployments `manages` picks; returns a function that stops them. */
export function deploymentPods(
  cluster: SimCluster,
  manages: (d: KubeObject) => boolean,
  options: DeploymentPodsOptions = {},
): () => void {
  const clock = options.clock ?? cluster.clock;
  const ownedByManaged = (rs: KubeObject) => {
    const uid = controllerUid(rs);
    const owner = cluster
      .list('apps/v1', 'Deployment', rs.metadata?.namespace)
      .find((d) => uid !== undefined && d.metadata?.uid === uid);
    return owner !== undefined && manages(owner);
  };
  const stops = [
    new DeploymentController(cluster, { clock, manages }).start(),
    new ReplicaSetController(cluster, { clock, manages: ownedByManaged, random: options.random }).start(),
  ];
  return stopAll(stops);
}

/**
 * Runs the Job and TTL-after-finished controllers for the Jobs `manages` picks; returns a function that stops them.
 */
export function jobPods(
  cluster: SimCluster,
  manages: (job: KubeObject) => boolean,
  options: DeploymentPodsOptions = {},
): () => void {
  const clock = options.clock ?? cluster.clock;
  const stops = [
    new JobController(cluster, { clock, manages, random: options.random }).start(),
    new TtlAfterFinishedController(cluster, { clock, manages }).start(),
  ];
  return stopAll(stops);
}

let platform: KubeObject[] | undefined;

/**
 * The workloads `gitops-lab up` installs besides the apps: the argocd-application-controller StatefulSet of the
 * vendored Argo CD install (`kustomize build manifests/bootstrap/argo-cd`, kustomize.ts) with the ServiceAccount of
 * that name its pod runs as (pod admission refuses a pod whose account is missing), and the git-server
 * Deployment of manifests/bootstrap/git-server/git-server.yaml with its git-server-data claim (provisioned as kind
 * provisions it, persistent-volumes.ts, before the pod is scheduled), with its manifest's image (`up` puts the image it
 * built there instead: a content tag of the same name). Read once: the install is large.
 */
export function labPlatformWorkloads(): KubeObject[] {
  if (!platform) {
    const argo = 'bootstrap/argo-cd';
    const git = 'bootstrap/git-server/git-server.yaml';
    const repo = new MemoryRepo([`${argo}/kustomization.yaml`, `${argo}/install.yaml`, git]);
    const sha = repo.head.sha;
    platform = [
      ...kustomizeBuild(repo, argo, sha).filter(
        (o) =>
          ['ServiceAccount', 'StatefulSet'].includes(o.kind ?? '') &&
          o.metadata?.name === 'argocd-application-controller',
      ),
      ...(repo.documents(git, sha) as KubeObject[]).filter(
        (o) => o.kind === 'PersistentVolumeClaim' || o.kind === 'Deployment',
      ),
    ];
  }
  return structuredClone(platform);
}
