/**
 * What the simulation knows of the lab's container processes, shared by the bare simulated lab and the live one:
 * how each answers the SIGTERM of a pod deletion (kubelet.ts `stops`). A process that ignored it would be killed
 * at the end of its pod's grace period (30 s by default); none of the lab's does:
 * - the doc-QA service closes on SIGTERM (src/service/server.ts: unready, stops listening, drains, exits 0). An idle
 *   service is done at once; the sim gives it one second (the drain of a busy one is not measured);
 * - CoreDNS, with kubeadm's Corefile (`health { lameduck 5s }`, cmd/kubeadm/app/phases/addons/dns/manifests.go),
 *   keeps answering for 5 s after SIGTERM, then exits;
 * - every other image is a Go program (Argo CD, Argo Rollouts, kind's kindnet, kube-proxy and local-path-provisioner,
 *   metrics-server, Prometheus, Grafana, the exporters and the OpenTelemetry Collector), which ends on SIGTERM (its
 *   own handler, or the Go runtime's, which exits even as PID 1), or lighttpd (the Git server's, which stops on it).
 *   The sim gives each one second and exit code 0.
 * The control plane's static pods are the kubelet's own and are not deleted through the API.
 *
 * A Job's pod (its controller a batch/v1 Job, job.ts) runs a command the simulation cannot run. A simulation
 * assumption, not upstream behaviour: each of its containers exits `sim.gitops-lab.dev/exit-code` (default 0)
 * `sim.gitops-lab.dev/run-seconds` (default 5) after it starts, read from the pod's annotations (the Job's pod
 * template carries them to its pods), unless the behaviour it was given already says when it exits. Under
 * restartPolicy OnFailure a non-zero exit is restarted by the kubelet and exits the same way again.
 */

import { isJobPod } from './job-util.js';
import type { ContainerBehaviour } from './kubelet.js';
import type { KubeObject } from './store.js';

export const exitCodeAnnotation = 'sim.gitops-lab.dev/exit-code';
export const runSecondsAnnotation = 'sim.gitops-lab.dev/run-seconds';
/** How long a Job's container runs when its pod does not say (a simulation assumption). */
export const defaultJobRunSeconds = 5;

/** A pod of the docqa Rollout: in the docqa namespace, named docqa, with a ReplicaSet's template hash. */
export const isDocqaPod = (pod: KubeObject): boolean =>
  pod.metadata?.namespace === 'docqa' &&
  pod.metadata?.labels?.['app.kubernetes.io/name'] === 'docqa' &&
  Boolean(pod.metadata?.labels?.['rollouts-pod-template-hash']);

/** The doc-QA service's answer to SIGTERM (above). */
export const docqaStopsOnSigterm = { afterMs: 1000, exitCode: 0 };

const corednsStopsOnSigterm = { afterMs: 5000, exitCode: 0 };
const goStopsOnSigterm = { afterMs: 1000, exitCode: 0 };

const isCoredns = (pod: KubeObject) =>
  pod.metadata?.namespace === 'kube-system' && pod.metadata?.labels?.['k8s-app'] === 'kube-dns';

const numberAnnotation = (pod: KubeObject, key: string, pattern: RegExp): number | undefined => {
  const text = pod.metadata?.annotations?.[key]?.trim();
  return text !== undefined && pattern.test(text) ? Number(text) : undefined;
};

/** `base` for a container of `pod`, with the exit a Job's container makes (above) unless `base` gives one. */
export function jobContainerBehaviour(pod: KubeObject, base: ContainerBehaviour): ContainerBehaviour {
  if (base.exits || !isJobPod(pod)) return base;
  const exitCode = numberAnnotation(pod, exitCodeAnnotation, /^\d{1,3}$/) ?? 0;
  const seconds = numberAnnotation(pod, runSecondsAnnotation, /^\d+(\.\d+)?$/) ?? defaultJobRunSeconds;
  return { ...base, exits: { afterMs: Math.round(seconds * 1000), exitCode, log: [] } };
}

/**
 * `base` for a container of the lab's pod `pod`: a Job's container's exit (jobContainerBehaviour) and its answer to
 * SIGTERM unless `base` gives one.
 */
export function labContainerBehaviour(pod: KubeObject, given: ContainerBehaviour): ContainerBehaviour {
  const base = jobContainerBehaviour(pod, given);
  if (base.stops) return base;
  const stops = isDocqaPod(pod)
    ? docqaStopsOnSigterm
    : isCoredns(pod)
      ? corednsStopsOnSigterm
      : goStopsOnSigterm;
  return { ...base, stops };
}
