/**
 * The docqa Services of the live simulated lab, reachable from the host: one port on 127.0.0.1 per Service
 * (manifests/workloads/docqa/services.yaml: docqa-stable and docqa-canary, port 8080), forwarding each TCP connection
 * to one of the Service's endpoints, as kube-proxy forwards a ClusterIP connection (layer 4: a kept-alive connection
 * stays with the endpoint it was opened to).
 *
 * The endpoints are those of the Service's EndpointSlices (the sim's EndpointSlice controller, endpointslice.ts), as
 * kube-proxy reads them (pkg/proxy/topology.go CategorizeEndpoints, Kubernetes v1.33): the ready ones; only when
 * none is ready, the serving ones that are terminating (a rolling update's last pods still finishing their
 * requests). Each docqa pod is served by its pod-template hash's doc-QA process. kube-proxy in iptables mode, kind's
 * default, picks an endpoint at random with equal probability (pkg/proxy/iptables/proxier.go, the `statistic --mode
 * random` rules), so a process is picked in proportion to its endpoints: with 4 stable pods and 1 canary pod behind
 * one selector, about 1 connection in 5 reaches the canary, the split a canary without traffic routing gets. An
 * endpoint whose pod has no process listening (yet) is left out.
 *
 * Argo Rollouts narrows the selectors (v1.8.3 rollout/service.go reconcileStableAndCanaryService: docqa-stable gets
 * the stable ReplicaSet's `rollouts-pod-template-hash`, docqa-canary the newest ReplicaSet's), and the slices follow.
 *
 * A Service with no usable endpoint: kube-proxy REJECTs the connection (iptables proxier.go, the KUBE-SERVICES rule
 * "has no endpoints" with `-j REJECT`, an ICMP port-unreachable), which a TCP client sees as ECONNREFUSED. Here the
 * Service's port stops listening while it has none (`refresh`, called whenever its slices change), so a client
 * connecting gets ECONNREFUSED from the host's own stack; the port is taken again, the same number, once an endpoint
 * is back. Connections already open stay open, as conntrack keeps them. A connection that arrives in the instant
 * between the last endpoint going and the port closing is reset (ECONNRESET).
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { DocqaEndpoint } from './processes.js';

export type DocqaServiceName = 'docqa-stable' | 'docqa-canary';

export interface ServiceProxies {
  /** Each Service's address as a URL, http://127.0.0.1:<port>. */
  urls: Record<DocqaServiceName, string>;
  /** Listens on the ports of Services that have endpoints and stops listening on the others. */
  refresh(): Promise<void>;
  close(): Promise<void>;
}

/** A process behind a Service, and how many of the Service's usable endpoints it serves. */
export interface ServiceTarget {
  url: string;
  endpoints: number;
}

/** The fields of a discovery.k8s.io/v1 EndpointSlice kube-proxy reads here. */
export interface SliceView {
  endpoints?: Array<{
    conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean };
    targetRef?: { name?: string };
  }> | null;
}

/**
 * CategorizeEndpoints for a cluster-wide Service: the pods of the ready endpoints of all the Service's slices (each
 * pod once), or, when none is ready, of those serving and terminating.
 */
export function usableEndpoints(slices: readonly SliceView[]): string[] {
  const all = slices.flatMap((s) => s.endpoints ?? []);
  const pick = (keep: (c: NonNullable<(typeof all)[number]['conditions']>) => boolean) => [
    ...new Set(all.filter((e) => keep(e.conditions ?? {})).map((e) => e.targetRef?.name ?? '')),
  ];
  const ready = pick((c) => c.ready === true);
  return ready.length > 0 ? ready : pick((c) => c.serving === true && c.terminating === true);
}

/** The processes a Service's slices reach, each with the number of its usable endpoints. */
export function serviceTargets(
  slices: readonly SliceView[],
  processes: readonly Pick<DocqaEndpoint, 'url' | 'pods'>[],
): ServiceTarget[] {
  const counts = new Map<string, number>();
  for (const pod of usableEndpoints(slices)) {
    const process = processes.find((p) => p.pods.includes(pod));
    if (process) counts.set(process.url, (counts.get(process.url) ?? 0) + 1);
  }
  return [...counts].map(([url, endpoints]) => ({ url, endpoints }));
}

/** kube-proxy's pick: one endpoint at random, so a process in proportion to its endpoints. */
export function pickTarget(targets: readonly ServiceTarget[], random: () => number): string | undefined {
  const total = targets.reduce((n, t) => n + t.endpoints, 0);
  let ticket = Math.floor(random() * total);
  for (const t of targets) {
    if (ticket < t.endpoints) return t.url;
    ticket -= t.endpoints;
  }
  return undefined;
}

function forward(client: Socket, target: string | undefined): void {
  if (!target) {
    client.resetAndDestroy();
    return;
  }
  const { hostname, port } = new URL(target);
  const upstream = createConnection({ host: hostname, port: Number(port) });
  // Either side closing or failing ends both, as a proxied TCP connection does.
  upstream.on('error', () => client.resetAndDestroy());
  client.on('error', () => upstream.destroy());
  client.pipe(upstream).pipe(client);
}

/** One Service's port on 127.0.0.1: listening while the Service has endpoints, the same port number each time. */
class ServicePort {
  private server: Server | undefined;
  private port = 0;
  private pending = Promise.resolve();

  constructor(
    private readonly onConnection: (client: Socket) => void,
    private readonly servers: Set<Server>,
  ) {}

  get number(): number {
    return this.port;
  }

  /** Opens or shuts the port, after what was asked before. A port taken meanwhile is tried again next time. */
  set(open: boolean): Promise<void> {
    this.pending = this.pending.then(() => (open ? this.open() : this.shut())).catch(() => {});
    return this.pending;
  }

  async open(): Promise<void> {
    if (this.server) return;
    const server = createServer(this.onConnection);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('the Service port has no TCP address');
    this.port = address.port;
    this.server = server;
    this.servers.add(server);
    server.once('close', () => this.servers.delete(server));
  }

  /** Stops accepting: new connections are refused; the open ones go on. */
  private shut(): void {
    this.server?.close();
    this.server = undefined;
  }
}

export async function startServiceProxies(
  targets: (service: DocqaServiceName) => ServiceTarget[],
  random: () => number = Math.random,
): Promise<ServiceProxies> {
  const names: DocqaServiceName[] = ['docqa-stable', 'docqa-canary'];
  const sockets = new Set<Socket>();
  const servers = new Set<Server>();
  const ports = names.map(
    (name) =>
      new ServicePort((client) => {
        sockets.add(client);
        client.once('close', () => sockets.delete(client));
        forward(client, pickTarget(targets(name), random));
      }, servers),
  );
  let closed = false;
  const refresh = async () => {
    if (closed) return;
    await Promise.all(names.map((name, i) => ports[i]?.set(targets(name).length > 0)));
  };
  const close = async () => {
    closed = true;
    for (const socket of sockets) socket.destroy();
    await Promise.all([...servers].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  };
  try {
    // Each port's number is taken once, then held or refused by refresh.
    await Promise.all(ports.map((p) => p.open()));
    await refresh();
  } catch (error) {
    await close();
    throw error;
  }
  const urls = Object.fromEntries(names.map((n, i) => [n, `http://127.0.0.1:${ports[i]?.number}`])) as Record<
    DocqaServiceName,
    string
  >;
  return { urls, refresh, close };
}
