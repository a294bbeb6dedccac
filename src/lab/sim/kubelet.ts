/**
 * The kubelet, as far as the lab can see it: a pod's containers pull their image, start, become Ready, or crash.
 *
 * Rules (Kubernetes v1.31, pkg/kubelet/kubelet.go and pkg/kubelet/images/image_manager.go):
 * - An image that cannot be pulled shows `ErrImagePull`, then `ImagePullBackOff` while the kubelet waits before the
 *   next pull: 10 s after the first failure, doubling each time, capped at 300 s (`imageBackOffPeriod = 10s`,
 *   `MaxImageBackOff = 300s`, doubled by flowcontrol.Backoff).
 * - A container that exits is restarted after a back-off of 10 s, doubling, capped at 300 s
 *   (`initialCrashLoopBackOff = 10s`, `MaxContainerBackOff = 300s`); meanwhile it shows `CrashLoopBackOff` with its
 *   `restartCount` and `lastState.terminated` (exit code), and its log holds what the process wrote.
 * - A running container is Ready after its first successful readiness probe. The sim takes `readyAfterMs` (default
 *   5 s, the lab's readinessProbe periodSeconds) from start; a pull of a present image is taken as instant (it is
 *   cached on the node; the sim cannot know registry speed, and says so).
 * What a container does is the simulation's `behaviour` hook: by default it runs and stays up.
 */
import type { Clock } from '../clock.js';
import type { SimCluster } from './api.js';
import { containerEnv } from './env.js';
import type { KubeObject } from './store.js';

export const imageBackOffMs = 10_000;
export const maxImageBackOffMs = 300_000;
export const crashLoopBackOffMs = 10_000;
export const maxCrashLoopBackOffMs = 300_000;

/** What a container does when it starts. */
export interface ContainerBehaviour {
  /** The container's process exits this long after start (with `exitCode` and these log lines). */
  exits?: { afterMs: number; exitCode: number; log: string[] };
  /** Log lines written at start (a running service). */
  log?: string[];
  /**
   * The readiness probe of a container backed by a real process (the live lab's doc-QA services): the container is
   * Ready only once this resolves, never if it rejects.
   */
  ready?: Promise<void>;
}

export interface KubeletOptions {
  clock: Clock;
  /** Whether the registry has the image (default: every image exists). */
  imageExists?: (image: string) => boolean;
  behaviour?: (pod: KubeObject, container: { name: string; image: string }) => ContainerBehaviour;
  readyAfterMs?: number;
  /** Which pods this kubelet runs (default: all). */
  runs?: (pod: KubeObject) => boolean;
}

interface Container {
  name: string;
  image: string;
}

/** The next delay of a doubling back-off from `initial`, capped at `max` (flowcontrol.Backoff). */
export function backOff(failures: number, initial: number, max: number): number {
  return Math.min(max, initial * 2 ** Math.max(0, failures - 1));
}

export class Kubelet {
  private running = new Map<string, Array<() => void>>();
  private stopListening?: () => void;

  constructor(
    private readonly cluster: SimCluster,
    private readonly options: KubeletOptions,
  ) {}

  start(): this {
    this.stopListening = this.cluster.onChange((event) => {
      if (event.resource.kind !== 'Pod') return;
      const key = `${event.object.metadata?.namespace}/${event.object.metadata?.name}`;
      if (event.type === 'DELETED') {
        for (const cancel of this.running.get(key) ?? []) cancel();
        this.running.delete(key);
        for (const c of this.containers(event.object)) this.cluster.store.env.delete(`${key}/${c.name}`);
        return;
      }
      if (event.type === 'ADDED' && !this.running.has(key) && (this.options.runs?.(event.object) ?? true)) {
        this.running.set(key, []);
        // Outside the write that created the pod, as a real kubelet sees it later.
        this.after(key, 0, () => this.startPod(event.object));
      }
    });
    for (const pod of this.cluster.list('v1', 'Pod')) {
      const key = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
      if (!pod.status && (this.options.runs?.(pod) ?? true)) {
        this.running.set(key, []);
        this.after(key, 0, () => this.startPod(pod));
      }
    }
    return this;
  }

  stop(): void {
    this.stopListening?.();
    for (const cancels of this.running.values()) for (const cancel of cancels) cancel();
    this.running.clear();
  }

  private after(key: string, ms: number, fn: () => void): void {
    const cancels = this.running.get(key);
    if (!cancels) return;
    cancels.push(this.options.clock.setTimer(ms, () => this.running.has(key) && fn()));
  }

  private containers(pod: KubeObject): Container[] {
    return ((pod.spec as { containers?: Container[] } | undefined)?.containers ?? []).map((c) => ({
      name: c.name,
      image: c.image,
    }));
  }

  private setStatus(pod: KubeObject, containerStatuses: unknown[], ready: boolean): void {
    const ns = pod.metadata?.namespace ?? 'default';
    const name = pod.metadata?.name ?? '';
    if (!this.cluster.get('v1', 'Pod', name, ns)) return;
    const at = new Date(this.options.clock.now()).toISOString();
    this.cluster.update('v1', 'Pod', name, ns, (o) => {
      o.status = {
        ...(o.status as object),
        phase: 'Running',
        conditions: [
          { type: 'PodScheduled', status: 'True' },
          { type: 'ContainersReady', status: ready ? 'True' : 'False', lastTransitionTime: at },
          { type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: at },
        ],
        containerStatuses,
      };
    });
  }

  private startPod(pod: KubeObject): void {
    const key = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
    const containers = this.containers(pod);
    const exists = this.options.imageExists ?? (() => true);
    const missing = containers.find((c) => !exists(c.image));
    if (missing) {
      this.pullFails(pod, key, missing, 1);
      return;
    }
    const container = containers[0];
    if (!container) return;
    this.run(pod, key, container, 0);
  }

  private pullFails(pod: KubeObject, key: string, c: Container, failures: number): void {
    const waiting = (reason: string, message: string) =>
      this.setStatus(
        pod,
        [
          {
            name: c.name,
            image: c.image,
            ready: false,
            restartCount: 0,
            state: { waiting: { reason, message } },
          },
        ],
        false,
      );
    waiting('ErrImagePull', `failed to pull and unpack image "${c.image}": not found`);
    const wait = backOff(failures, imageBackOffMs, maxImageBackOffMs);
    // The kubelet reports the back-off on its next pod sync, about a second later.
    this.after(key, 1000, () => waiting('ImagePullBackOff', `Back-off pulling image "${c.image}"`));
    this.after(key, wait, () => this.pullFails(pod, key, c, failures + 1));
  }

  private run(pod: KubeObject, key: string, c: Container, restarts: number, last?: unknown): void {
    const logKey = `${key}/${c.name}`;
    // The environment is built when the container starts (each restart builds it again): envFrom, then env.
    this.cluster.store.env.set(logKey, containerEnv(this.cluster, pod, c.name));
    const behaviour = this.options.behaviour?.(pod, c) ?? {};
    const log = this.cluster.store.logs;
    const lines = [...(behaviour.log ?? []), ...(behaviour.exits?.log ?? [])];
    // `kubectl logs` shows the current run; the previous run's lines are gone after a restart.
    log.set(logKey, lines);
    const startedAt = new Date(this.options.clock.now()).toISOString();
    const base = {
      name: c.name,
      image: c.image,
      restartCount: restarts,
      ...(last ? { lastState: last } : {}),
    };
    this.setStatus(pod, [{ ...base, ready: false, started: true, state: { running: { startedAt } } }], false);
    if (behaviour.exits) {
      const { afterMs, exitCode } = behaviour.exits;
      this.after(key, afterMs, () => {
        const terminated = {
          terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt },
        };
        const wait = backOff(restarts + 1, crashLoopBackOffMs, maxCrashLoopBackOffMs);
        this.setStatus(
          pod,
          [
            {
              ...base,
              restartCount: restarts + 1,
              ready: false,
              lastState: terminated,
              state: {
                waiting: {
                  reason: 'CrashLoopBackOff',
                  message: `back-off ${wait / 1000}s restarting failed container=${c.name} pod=${pod.metadata?.name}`,
                },
              },
            },
          ],
          false,
        );
        this.after(key, wait, () => this.run(pod, key, c, restarts + 1, terminated));
      });
      return;
    }
    const markReady = () =>
      this.setStatus(pod, [{ ...base, ready: true, started: true, state: { running: { startedAt } } }], true);
    const probe = behaviour.ready;
    this.after(key, this.options.readyAfterMs ?? 5000, () => {
      if (!probe) return markReady();
      probe.then(
        () => this.running.has(key) && markReady(),
        () => undefined,
      );
    });
  }
}

/** Pods of a Deployment are Ready: the Deployment's status counts them (the Deployment controller's part). */
export function podReady(pod: KubeObject | undefined): boolean {
  const conditions = (pod?.status as { conditions?: Array<{ type: string; status: string }> } | undefined)
    ?.conditions;
  return conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}
