/**
 * The docqa pods' endpoints in the live simulated lab: one REAL doc-QA service process per pod-template hash, the
 * container's own entry point (`node dist/service/main.js`, what the image runs), on 127.0.0.1 at a port it picks
 * (PORT=0), with the environment the kubelet gives the pod's container (env.ts: the docqa-config ConfigMap through
 * envFrom, then the container's env, so DOCQA_FAULTS and DOCQA_MODE arrive as in the real lab).
 *
 * - A process starts when the first container of its hash starts (the kubelet's behaviour hook calls `ready(pod)`).
 *   The kubelet's probes (rollout.yaml: readiness GET /readyz and liveness GET /healthz on the port `probes`) ask the
 *   process itself over HTTP (`address` maps a pod's port to the process' port; index.ts); `ready` resolves once it
 *   answers /readyz, for the fleet's own list of ready endpoints.
 * - One process stands in for every pod of its hash (their answers would be identical: same image, same env): the
 *   process count is bounded by the hashes, not the replicas. Prometheus scrapes it once, labelled with the name of
 *   one of its pods, so sums over pods count its requests once.
 * - It stops when no pod of its hash is left (scale to zero, an aborted canary scaled down, a promoted canary's old
 *   stable), and every process stops on close().
 * - Graceful deletion (pod-deletion.ts, kubelet.ts): when every pod of its hash is terminating, the process gets
 *   SIGTERM, as the runtime sends the container's process at the start of the grace period; when the last of them is
 *   removed (the kubelet's SIGKILL at the end of the grace period, or every container stopped), a process still
 *   alive gets SIGKILL. While another pod of the hash is not terminating (a ReplicaSet's replacement has the same
 *   hash), the process goes on serving it.
 * - Variables that point into the cluster and mean nothing here are not passed on: OTEL_EXPORTER_OTLP_ENDPOINT (the
 *   sim runs no OpenTelemetry collector) and GEMINI_API_KEY (no Secret is created in the sim). PORT and
 *   DOCQA_PROBE_PORT are 0 (every pod has its own 8080 and 8081, but these processes share one host): each process
 *   picks its service and probe ports and logs both (`listening`: url, probe_url).
 */

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packagePath } from '../../../paths.js';
import type { SimCluster } from '../api.js';
import { containerEnv } from '../env.js';
import { isDocqaPod } from '../lab-containers.js';
import type { KubeObject } from '../store.js';
import { type GuardedChild, spawnGuarded, waitUntil } from './child.js';

export interface DocqaEndpoint {
  hash: string;
  /** http://127.0.0.1:PORT */
  url: string;
  faults: string;
  role: 'stable' | 'canary';
  /** The pods this process stands in for. */
  pods: string[];
  pid: number;
}

interface Running {
  hash: string;
  child: GuardedChild;
  url?: string;
  /** The probe port's /healthz and /readyz (DOCQA_PROBE_PORT=0: a port of its own). */
  probeUrl?: string;
  ready: Promise<void>;
  isReady: boolean;
  faults: string;
  mode: string;
  /** Sent SIGTERM: every pod of its hash is terminating. */
  terminating?: boolean;
}

const NS = 'docqa';
const DROPPED = new Set([
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'GEMINI_API_KEY',
  'PORT',
  'DOCQA_HOST',
  'DOCQA_PROBE_PORT',
]);

const hashOf = (pod: KubeObject) => pod.metadata?.labels?.['rollouts-pod-template-hash'] ?? '';

/** The built service entry point (`npm run build` makes it; the published package ships it). */
export function serviceEntry(): string {
  return packagePath('dist', 'service', 'main.js');
}

export interface DocqaFleetOptions {
  dir: string;
  log: (line: string) => void;
  /** Called whenever the set of ready endpoints (or their pods or roles) may have changed. */
  changed: () => void;
  /** Wall-time bound on one process's start (default 60 s). */
  startTimeoutMs?: number;
}

export class DocqaFleet {
  private readonly running = new Map<string, Running>();
  private stopListening?: () => void;
  private closed = false;

  constructor(
    private readonly cluster: SimCluster,
    private readonly options: DocqaFleetOptions,
  ) {}

  start(): this {
    const entry = serviceEntry();
    if (!existsSync(entry))
      throw new Error(`the doc-QA service is not built (${entry} is missing): run \`npm run build\``);
    this.stopListening = this.cluster.onChange((event) => {
      if (event.resource.kind === 'Pod' && isDocqaPod(event.object))
        this.cluster.defer(() => this.reconcile());
      if (event.resource.kind === 'Rollout') this.options.changed();
    });
    return this;
  }

  /** Starts (or joins) the process of `pod`'s hash; resolves when it answers /readyz (the readiness probe). */
  ready(pod: KubeObject): Promise<void> {
    const hash = hashOf(pod);
    const current = this.running.get(hash);
    if (current?.child.alive() && !current.terminating) return current.ready;
    // A new pod of a hash whose process was told to stop: a new process serves it; the old one ends.
    if (current?.terminating) void current.child.stop();
    if (this.closed) return new Promise(() => undefined);
    const env = containerEnv(this.cluster, pod);
    const passed: Record<string, string> = {};
    for (const [key, value] of Object.entries(env)) if (!DROPPED.has(key)) passed[key] = value;
    const faults = passed.DOCQA_FAULTS ?? '';
    const mode = passed.DOCQA_MODE || 'extractive';
    const running: Running = {
      hash,
      faults,
      mode,
      isReady: false,
      ready: Promise.resolve(),
      child: spawnGuarded(process.execPath, [serviceEntry()], {
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          ...passed,
          PORT: '0',
          DOCQA_PROBE_PORT: '0',
          DOCQA_HOST: '127.0.0.1',
        },
        logFile: join(this.options.dir, `docqa-${hash}.log`),
        onLine: (line) => {
          if (running.url) return;
          try {
            const record = JSON.parse(line) as { msg?: string; url?: string; probe_url?: string };
            if (record.msg === 'listening' && record.url) {
              running.url = record.url;
              running.probeUrl = record.probe_url;
              this.options.changed();
            }
          } catch {
            // Not a JSON log line.
          }
        },
      }),
    };
    this.running.set(hash, running);
    this.options.log(
      `docqa ${hash}: started pid ${running.child.pid} (DOCQA_FAULTS=${JSON.stringify(faults)}, DOCQA_MODE=${mode})`,
    );
    running.ready = waitUntil(
      `doc-QA ${hash}`,
      running.child,
      this.options.startTimeoutMs ?? 60_000,
      async () => {
        if (!running.url) return false;
        const response = await fetch(`${running.url}/readyz`, { signal: AbortSignal.timeout(2000) });
        await response.arrayBuffer();
        return response.ok;
      },
    ).then(
      () => {
        running.isReady = true;
        this.options.log(`docqa ${hash}: ready at ${running.url}`);
        this.options.changed();
      },
      (error: unknown) => {
        this.options.log(`docqa ${hash}: ${error instanceof Error ? error.message : String(error)}`);
        void running.child.stop();
        if (this.running.get(hash) === running) this.running.delete(hash);
        throw error;
      },
    );
    running.ready.catch(() => undefined);
    void running.child.exited.then(({ code, signal }) => {
      if (this.running.get(hash) !== running) return;
      this.running.delete(hash);
      this.options.log(`docqa ${hash}: exited (${signal ?? `code ${code}`})`);
      this.options.changed();
    });
    return running.ready;
  }

  /**
   * Where the process standing in for `pod` answers what the pod answers on `port`: the probe port for the port the
   * pod's DOCQA_PROBE_PORT names (8081), the service for its PORT (8080 by default); undefined while the process is not
   * listening (or not running), as a connection to the pod would be refused.
   */
  address(pod: KubeObject, port: number): string | undefined {
    const running = this.running.get(hashOf(pod));
    if (!running?.child.alive()) return undefined;
    const env = containerEnv(this.cluster, pod);
    if (env.DOCQA_PROBE_PORT !== undefined && Number(env.DOCQA_PROBE_PORT) === port) return running.probeUrl;
    if (Number(env.PORT ?? '8080') === port) return running.url;
    return undefined;
  }

  private pods(hash?: string): KubeObject[] {
    return this.cluster
      .list('v1', 'Pod', NS)
      .filter((p) => isDocqaPod(p) && (hash === undefined || hashOf(p) === hash));
  }

  /** SIGTERM to the processes whose pods are all terminating; stops those whose hash has no pod left. */
  private reconcile(): void {
    const pods = this.pods();
    const hashes = new Set(pods.map(hashOf));
    const serving = new Set(pods.filter((p) => !p.metadata?.deletionTimestamp).map(hashOf));
    for (const [hash, running] of this.running) {
      if (serving.has(hash)) continue;
      if (hashes.has(hash)) {
        if (running.terminating) continue;
        running.terminating = true;
        this.options.log(`docqa ${hash}: every pod is terminating, SIGTERM to pid ${running.child.pid}`);
        running.child.process.kill('SIGTERM');
        continue;
      }
      this.running.delete(hash);
      this.options.log(`docqa ${hash}: no pod left, stopping pid ${running.child.pid}`);
      // Already told to stop: the grace period is over, SIGKILL at once.
      void running.child.stop(running.terminating ? 0 : undefined);
    }
    this.options.changed();
  }

  private stableHash(): string | undefined {
    const rollout = this.cluster.get('argoproj.io/v1alpha1', 'Rollout', 'docqa', NS);
    return (rollout?.status as { stableRS?: string } | undefined)?.stableRS;
  }

  /** The processes answering /readyz, with the pods they stand in for. */
  endpoints(): DocqaEndpoint[] {
    return this.listening().filter((e) => this.running.get(e.hash)?.isReady);
  }

  /**
   * The processes listening, ready or not: Prometheus' pod discovery finds a pod before it is Ready (the PodMonitor
   * scrapes every running pod), so its target exists while the readiness probe still fails.
   */
  listening(): DocqaEndpoint[] {
    const stable = this.stableHash();
    const out: DocqaEndpoint[] = [];
    for (const running of this.running.values()) {
      if (!running.url || !running.child.alive()) continue;
      const pods = this.pods(running.hash);
      const canaryLabel = pods.some((p) => p.metadata?.labels?.['sim.gitops-lab/canary'] === 'true');
      const role = stable
        ? running.hash === stable
          ? 'stable'
          : 'canary'
        : canaryLabel
          ? 'canary'
          : 'stable';
      out.push({
        hash: running.hash,
        url: running.url,
        faults: running.faults,
        role,
        pods: pods.map((p) => p.metadata?.name ?? '').sort(),
        pid: running.child.pid,
      });
    }
    return out.sort((a, b) => a.hash.localeCompare(b.hash));
  }

  /** Every process the fleet has running (ready or not), for tests and `down`. */
  pids(): number[] {
    return [...this.running.values()].map((r) => r.child.pid);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stopListening?.();
    const all = [...this.running.values()];
    this.running.clear();
    await Promise.all(all.map((r) => r.child.stop()));
  }
}
