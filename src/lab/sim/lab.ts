/**
 * The simulated lab the drills run against: the in-memory API server seeded with what every kind cluster has
 * (kind-baseline.ts) and what a synced lab holds (the
 * docqa and lab-root Applications, everything workloads/docqa renders (the Rollout, its ConfigMap, Services, HPA,
 * PodDisruptionBudget and AnalysisTemplate), the Argo CD application controller and the lab's Git server), an
 * in-memory lab repository, and the calibrated models of Argo CD (argocd.ts), Argo Rollouts (rollouts.ts), the
 * ReplicaSet controller for the Rollout's ReplicaSets (replicaset.ts), the Deployment and StatefulSet controllers
 * that run the Git server's and the Argo CD controller's pods (workloads.ts, statefulset.ts) and kind's own (CoreDNS,
 * local-path-provisioner; kind-addons.ts), the DaemonSet controller of kindnet and kube-proxy (daemonset.ts), the
 * control plane's mirror pods (static-pods.ts), the Job and TTL-after-finished controllers (job.ts,
 * ttl-after-finished.ts) for Jobs other than the AnalysisRuns' own, the HPA (hpa.ts), the
 * disruption controller (disruption.ts), the EndpointSlice and Endpoints controllers (endpointslice.ts, endpoints.ts), the
 * garbage collector and the namespace controller (garbage-collector.ts, namespace-controller.ts), the kubelet (kubelet.ts) and Prometheus (prometheus.ts), all on one clock. Argo CD's timing comes from the lab's own manifests (settings.ts).
 */

import { seededRandom } from '../../random.js';
import { type Clock, sleep } from '../clock.js';
import type { DrillEnvironment, LabRepo } from '../drills/access.js';
import { kubeAccessFrom } from '../drills/kube-adapter.js';
import { createKubeClient } from '../kube/client.js';
import { type SimCluster, startSimCluster } from './api.js';
import { ArgoCdModel, docqaApp, syncedApplications } from './argocd.js';
import { isHook } from './argocd-hooks.js';
import { asApplied, withTracking } from './argocd-tracking.js';
import { VirtualClock } from './clock.js';
import { type StatusCondition, setCondition } from './conditions.js';
import { DaemonSetController } from './daemonset.js';
import { startDisruptionController } from './disruption.js';
import { apiServerEndpoints, EndpointsController } from './endpoints.js';
import { EndpointSliceController } from './endpointslice.js';
import { GarbageCollector } from './garbage-collector.js';
import { holding, kubeAccessWaits } from './hold.js';
import { type HpaControllerOptions, startHpaController } from './hpa.js';
import { kindAddonImages, kindAddons } from './kind-addons.js';
import { kindBaseline } from './kind-baseline.js';
import { type ContainerBehaviour, defaultNode, Kubelet, podReady } from './kubelet.js';
import { labContainerBehaviour } from './lab-containers.js';
import { type LiveOptions, type LiveWorkloads, type SimLabLive, startLiveWorkloads } from './live/index.js';
import { NamespaceController } from './namespace-controller.js';
import { startNamespaceDefaults } from './namespace-defaults.js';
import { registerNode } from './node.js';
import { startVolumeControllers } from './persistent-volumes.js';
import { type DocqaBehaviour, SimPrometheus } from './prometheus.js';
import { ReplicaSetController } from './replicaset.js';
import { type GitSource, MemoryRepo } from './repo.js';
import { podTemplateHash, RolloutsModel } from './rollouts.js';
import { formatLabelSelector, type LabelSelector } from './selectors.js';
import { type ArgoSettings, labArgoSettings } from './settings.js';
import { StatefulSetController } from './statefulset.js';
import { controlPlaneImages, controlPlaneMirrorPods } from './static-pods.js';
import { type KubeObject, kubeTime } from './store.js';
import { deploymentPods, jobPods, labPlatformWorkloads } from './workloads.js';
import { controllerOf } from './workqueue.js';

/** A condition the lab seeds into a controller's status. */
type SeededCondition = StatusCondition & { reason: string; message: string };

export interface SimLabOptions {
  /** Default: a new VirtualClock. */
  clock?: Clock;
  /** Seed of the random numbers (Argo CD's resync jitter). */
  seed?: number;
  /** The API server's bearer token (requests without it get 401); default none. */
  token?: string;
  /** Serve the API over HTTPS with this certificate and key (PEM); needed for kubectl to send the token. */
  tls?: { cert: string; key: string };
  /** Default: read from manifests/bootstrap/argo-cd (labArgoSettings). */
  settings?: ArgoSettings;
  /**
   * The lab repository (default: a MemoryRepo of the package's manifests): what drills commit to, and what the
   * repo-server model reads. `source` reads it when it is a real repository (BareRepoSource).
   */
  repo?: LabRepo;
  source?: GitSource;
  /** Images the registry has, besides those the lab's manifests name at start. */
  images?: string[];
  behaviour?: (faults: string) => DocqaBehaviour;
  containers?: (pod: KubeObject, container: { name: string; image: string }) => ContainerBehaviour;
  evalJobMs?: number;
  /** The HPA controller's settings and the pods' resource usage (default: an idle service; src/lab/sim/hpa.ts). */
  hpa?: HpaControllerOptions;
  /** How long the lab has been running before the drill starts (pods Ready, controllers settled). Default 60 s. */
  warmUpMs?: number;
  /** Called just before the warm-up's simulated time starts to pass (the daemon speeds its clock up here). */
  beforeWarmUp?: () => void;
  /**
   * Called once the warm-up's simulated time has passed, before the live lab's waits for real processes and
   * Prometheus (wall-time waits): the daemon switches its clock from the warm-up's speed to the user's here.
   */
  afterWarmUp?: () => void;
  /**
   * Live workloads (src/lab/sim/live): real doc-QA processes as the docqa pods' endpoints, a real Prometheus scraping
   * them (or the simulated one served over HTTP when Prometheus is not installed), a real AnalysisRun. Needs a clock
   * that follows wall time (systemClock or scaledClock; pass its speed as `live.speed`), not a VirtualClock.
   */
  live?: LiveOptions;
}

export interface SimLab {
  clock: Clock;
  cluster: SimCluster;
  repo: LabRepo;
  source: GitSource;
  prometheus: SimPrometheus;
  settings: ArgoSettings;
  env: DrillEnvironment;
  /** Set when the lab runs live workloads (`options.live`). */
  live?: SimLabLive;
  close(): Promise<void>;
}

export { seededRandom } from '../../random.js';

function imagesOf(objects: KubeObject[]): string[] {
  return objects.flatMap(
    (o) =>
      (
        o.spec as { template?: { spec?: { containers?: Array<{ image?: string }> } } } | undefined
      )?.template?.spec?.containers
        ?.map((c) => c.image ?? '')
        .filter(Boolean) ?? [],
  );
}

/**
 * Waits (wall time, bounded) until every docqa pod is Ready, i.e. its real doc-QA process answers /readyz and
 * Prometheus scrapes it: the warm-up on the lab's clock may end before real processes have started on a busy machine.
 */
async function liveSettled(cluster: SimCluster, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pods = cluster
      .list('v1', 'Pod', 'docqa')
      .filter((p) => p.metadata?.labels?.['rollouts-pod-template-hash']);
    if (pods.length > 0 && pods.every(podReady)) return;
    if (Date.now() > deadline)
      throw new Error(`the live doc-QA processes were not ready within ${timeoutMs / 1000} s (see the log)`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function startSimLab(options: SimLabOptions = {}): Promise<SimLab> {
  const clock = options.clock ?? new VirtualClock();
  // The models tick in the background: time moves only while the drill (or a test) waits on the clock.
  const models = clock instanceof VirtualClock ? clock.background() : clock;
  const memory = options.repo || options.source ? undefined : new MemoryRepo();
  const repo: LabRepo = options.repo ?? (memory as MemoryRepo);
  const source: GitSource = options.source ?? (memory as MemoryRepo);
  const settings = options.settings ?? labArgoSettings();
  const at = new Date(clock.now()).toISOString();
  // A seeded status's only condition: set now (UpdatePodCondition / SetStatusCondition on an empty list).
  const condition = (type: string, status: string, reason: string, message: string) =>
    setCondition<SeededCondition>([], { type, status, reason, message }, kubeTime(clock.now()))[0];
  const ns = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  // The docqa app's objects as Argo CD last synced them; the Rollout, HPA and PDB as their controllers left them. Its
  // hooks are not among them: they ran during that sync (argocd-hooks.ts), and a hook is no managed resource.
  const synced = docqaApp.render(source, source.head.sha).filter((o) => !isHook(o));
  const workloads = synced.map((rendered) => {
    // As a sync left it: tracked by the docqa app, with kubectl's last-applied annotation (argocd-tracking.ts).
    const o = asApplied(withTracking(rendered, docqaApp.name, 'docqa'));
    if (o.kind === 'Rollout')
      return {
        ...o,
        status: {
          phase: 'Healthy',
          observedGeneration: '1',
          currentPodHash: podTemplateHash((o.spec as { template?: unknown }).template),
          selector: formatLabelSelector((o.spec as { selector?: LabelSelector }).selector),
        },
      };
    // The HPA and PDB controllers rewrite these at their first sync; seeded, Argo CD rates them Healthy from the start.
    if (o.kind === 'HorizontalPodAutoscaler')
      return {
        ...o,
        status: {
          desiredReplicas: 2,
          currentReplicas: 2,
          conditions: [
            condition('AbleToScale', 'True', 'ReadyForNewScale', 'recommended size matches current size'),
          ],
        },
      };
    if (o.kind === 'PodDisruptionBudget')
      return {
        ...o,
        status: {
          currentHealthy: 2,
          desiredHealthy: 1,
          expectedPods: 2,
          disruptionsAllowed: 1,
          observedGeneration: 1,
          conditions: [
            { ...condition('DisruptionAllowed', 'True', 'SufficientPods', ''), observedGeneration: 1 },
          ],
        },
      };
    return o;
  });
  // The Argo CD application controller and the Git server as `up` applied them (workloads.ts).
  const platform = labPlatformWorkloads();
  // The node image's preloaded images (kind-addons.ts, static-pods.ts) are on the node from the start.
  const preloaded = [...Object.values(kindAddonImages), ...Object.values(controlPlaneImages)];
  const registry = new Set([
    ...preloaded,
    ...imagesOf(workloads),
    ...imagesOf(platform),
    ...(options.images ?? []),
  ]);
  const cluster = await startSimCluster({
    clock,
    token: options.token,
    tls: options.tls,
    seed: [
      // What every kind cluster has from the start (kind-baseline.ts): `kubernetes` and `kube-dns` Services; its
      // add-ons' Deployments and DaemonSets (kind-addons.ts), whose pods the controllers below run.
      ...kindBaseline(),
      ...kindAddons(),
      // The API server's endpoints for the `kubernetes` Service: the node's address, port 6443 (endpoints.ts).
      ...apiServerEndpoints(defaultNode.ip),
      ns('argocd'),
      ns('docqa'),
      ns('lab-git'),
      ...syncedApplications(source, at),
      ...workloads,
      ...platform,
    ],
  });
  // Every namespace's `default` ServiceAccount and, over HTTPS, its kube-root-ca.crt (namespace-defaults.ts): started
  // first, so the accounts exist before the workload controllers' first pods (which admission checks against them).
  const stops: Array<() => void> = [startNamespaceDefaults(cluster, { rootCa: options.tls?.cert })];
  const prometheus = new SimPrometheus(cluster, models, options.behaviour);
  let live: LiveWorkloads | undefined;
  if (options.live) {
    if (clock instanceof VirtualClock) {
      await cluster.close();
      throw new Error(
        'startSimLab: live workloads run on wall time; give a systemClock or scaledClock, not a VirtualClock',
      );
    }
    try {
      live = await startLiveWorkloads(cluster, prometheus, options.live);
    } catch (error) {
      await cluster.close();
      throw error;
    }
  }
  const containers = options.containers;
  const kubelet = new Kubelet(cluster, {
    clock: models,
    imageExists: (image) => registry.has(image),
    random: seededRandom((options.seed ?? 1) + 2),
    // How each container runs; every one of the lab's ends soon after SIGTERM (lab-containers.ts).
    behaviour: (pod, container) => {
      const base = containers?.(pod, container) ?? {};
      return labContainerBehaviour(pod, live ? live.container(pod, base) : base);
    },
  }).start();
  // The ReplicaSets of the docqa Rollout: the Rollouts model sizes them, the ReplicaSet controller runs their pods
  // (names seeded, so they are the same in every run).
  const replicaSets = new ReplicaSetController(cluster, {
    clock: models,
    manages: (rs) => rs.metadata?.ownerReferences?.some((r) => r.controller && r.kind === 'Rollout') ?? false,
    random: seededRandom((options.seed ?? 1) + 1),
  }).start();
  stops.push(
    deploymentPods(cluster, () => true, { clock: models, random: seededRandom((options.seed ?? 1) + 3) }),
  );
  stops.push(new StatefulSetController(cluster, { clock: models }).start());
  // Jobs added to the cluster (job.ts, ttl-after-finished.ts); the AnalysisRuns' eval Jobs are the Rollouts model's.
  stops.push(
    jobPods(cluster, (job) => controllerOf(job)?.kind !== 'AnalysisRun', {
      clock: models,
      random: seededRandom((options.seed ?? 1) + 6),
    }),
  );
  // kind's kindnet and kubeadm's kube-proxy: one pod on the node each (daemonset.ts).
  stops.push(
    new DaemonSetController(cluster, {
      clock: models,
      random: seededRandom((options.seed ?? 1) + 5),
    }).start(),
  );
  const rollouts = new RolloutsModel(cluster, {
    clock: models,
    prometheus,
    behaviour: options.behaviour,
    evalJobMs: options.evalJobMs,
    live: live?.analysis,
  }).start();
  const argo = new ArgoCdModel(cluster, {
    clock: models,
    repo: source,
    settings,
    random: seededRandom(options.seed ?? 1),
  }).start();
  // The kubelet registers its node (node.ts): `kubectl get nodes` shows the kind cluster's one node.
  stops.push(registerNode(cluster, models, defaultNode));
  // Its kubelet's mirror pods of the control plane's static pods (static-pods.ts), which the kubelet model runs.
  const node = {
    name: defaultNode.name,
    uid: cluster.get('v1', 'Node', defaultNode.name)?.metadata?.uid ?? '',
  };
  cluster.seed(...controlPlaneMirrorPods(node, defaultNode.ip, new Date(clock.now()).toISOString()));
  stops.push(startDisruptionController(cluster, models));
  // Claims of kind's `standard` class: the PersistentVolume controller and local-path-provisioner
  // (persistent-volumes.ts); the scheduler binds a pod once its claims are (volume-binding.ts, in the kubelet model).
  stops.push(startVolumeControllers(cluster, { clock: models }));
  // Every Service with a selector gets EndpointSlices and Endpoints of the pods it selects (endpointslice.ts,
  // endpoints.ts); the live Service ports route by the slices.
  stops.push(
    new EndpointSliceController(cluster, {
      clock: models,
      random: seededRandom((options.seed ?? 1) + 4),
    }).start(),
    new EndpointsController(cluster, { clock: models }).start(),
  );
  // The garbage collector deletes what lost its owners (garbage-collector.ts); the namespace controller empties a
  // namespace being deleted, then lets it go (namespace-controller.ts).
  stops.push(
    new GarbageCollector(cluster, { clock: models }).start(),
    new NamespaceController(cluster, { clock: models }).start(),
  );
  // The live lab's doc-QA pods report their real processes' CPU and memory.
  stops.push(startHpaController(cluster, models, { ...(live ? { usage: live.usage } : {}), ...options.hpa }));
  stops.push(
    () => kubelet.stop(),
    () => rollouts.stop(),
    replicaSets,
    () => argo.stop(),
  );
  const client = createKubeClient({ kubeconfig: cluster.kubeconfigPath });
  const close = async () => {
    for (const stop of stops) stop();
    if (clock instanceof VirtualClock) clock.stop();
    await live?.close();
    await cluster.close();
  };
  try {
    options.beforeWarmUp?.();
    await sleep(clock, options.warmUpMs ?? 60_000);
    options.afterWarmUp?.();
    if (live) {
      await liveSettled(cluster);
      await live.settled();
    }
  } catch (error) {
    await close();
    throw error;
  }
  return {
    clock,
    cluster,
    repo,
    source,
    prometheus,
    settings,
    env: {
      kube: holding(kubeAccessFrom(client), clock, kubeAccessWaits),
      repo: holding(repo, clock),
      prometheus: live?.query ?? prometheus,
      prometheusUrl: live?.prometheusUrl ?? 'http://prometheus.sim',
    },
    ...(live
      ? {
          live: {
            prometheusUrl: live.prometheusUrl,
            prometheusReal: live.prometheusReal,
            prometheusNote: live.prometheusNote,
            endpoints: () => (live as LiveWorkloads).endpoints(),
            services: live.services,
          },
        }
      : {}),
    close,
  };
}
