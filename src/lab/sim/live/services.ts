/**
 * The docqa Services of the live simulated lab, reachable from the host: one port on 127.0.0.1 per Service
 * (manifests/workloads/docqa/services.yaml: docqa-stable and docqa-canary, port 8080), forwarding each TCP connection
 * to one of the Service's endpoints, as kube-proxy forwards a ClusterIP connection (layer 4: a kept-alive connection
 * stays with the endpoint it was opened to).
 *
 * The endpoints are the Ready pods the Service's selector matches (the EndpointSlice controller lists only Ready pods
 * as serving); each docqa pod is served by its pod-template hash's doc-QA process. kube-proxy in iptables mode, kind's
 * default, picks an endpoint at random with equal probability (pkg/proxy/iptables/proxier.go, the `statistic --mode
 * random` rules), so a process is picked in proportion to its hash's Ready pods: with 4 stable pods and 1 canary pod
 * behind one selector, about 1 connection in 5 reaches the canary, the split a canary without traffic routing gets.
 *
 * Argo Rollouts narrows the selectors (v1.8.3 rollout/service.go reconcileStableAndCanaryService: docqa-stable gets
 * the stable ReplicaSet's `rollouts-pod-template-hash`, docqa-canary the newest ReplicaSet's, the stable one again
 * after a promotion or an abort); until it does, a selector without that key matches every docqa pod.
 *
 * A Service with no ready endpoint: kube-proxy rejects the connection (the REJECT rule for a Service without
 * endpoints); a port that has already accepted the connection cannot refuse it, so the proxy resets it at once.
 * Clients see ECONNRESET rather than ECONNREFUSED; either way, no answer.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { DocqaEndpoint } from './processes.js';

export type DocqaServiceName = 'docqa-stable' | 'docqa-canary';

export interface ServiceProxies {
  /** Each Service's address as a URL, http://127.0.0.1:<port>. */
  urls: Record<DocqaServiceName, string>;
  close(): Promise<void>;
}

/** A process behind a Service, and how many of the Service's Ready pods it serves. */
export interface ServiceTarget {
  url: string;
  readyPods: number;
}

/**
 * The processes a Service with `selector` reaches: those of the hashes whose Ready pods it matches. Every docqa pod
 * carries the Services' other selector key (app.kubernetes.io/name), so only `rollouts-pod-template-hash` narrows it;
 * no selector at all (or no Service) reaches nothing, as a selectorless Service gets no endpoints from the controller.
 */
export function serviceTargets(
  selector: Record<string, string> | undefined,
  endpoints: readonly Pick<DocqaEndpoint, 'hash' | 'url'>[],
  readyPods: (hash: string) => number,
): ServiceTarget[] {
  if (!selector || Object.keys(selector).length === 0) return [];
  const hash = selector['rollouts-pod-template-hash'];
  return endpoints
    .filter((e) => hash === undefined || e.hash === hash)
    .map((e) => ({ url: e.url, readyPods: readyPods(e.hash) }))
    .filter((t) => t.readyPods > 0);
}

/** kube-proxy's pick: one Ready pod at random, so a process in proportion to its Ready pods. */
export function pickTarget(targets: readonly ServiceTarget[], random: () => number): string | undefined {
  const total = targets.reduce((n, t) => n + t.readyPods, 0);
  let ticket = Math.floor(random() * total);
  for (const t of targets) {
    if (ticket < t.readyPods) return t.url;
    ticket -= t.readyPods;
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

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the Service port has no TCP address');
  return address.port;
}

export async function startServiceProxies(
  targets: (service: DocqaServiceName) => ServiceTarget[],
  random: () => number = Math.random,
): Promise<ServiceProxies> {
  const names: DocqaServiceName[] = ['docqa-stable', 'docqa-canary'];
  const sockets = new Set<Socket>();
  const servers = names.map((name) =>
    createServer((client) => {
      sockets.add(client);
      client.once('close', () => sockets.delete(client));
      forward(client, pickTarget(targets(name), random));
    }),
  );
  const close = async () => {
    for (const socket of sockets) socket.destroy();
    await Promise.all(
      servers.map(
        (s) => new Promise<void>((resolve) => (s.listening ? s.close(() => resolve()) : resolve())),
      ),
    );
  };
  try {
    const ports = await Promise.all(servers.map(listen));
    const urls = Object.fromEntries(names.map((n, i) => [n, `http://127.0.0.1:${ports[i]}`])) as Record<
      DocqaServiceName,
      string
    >;
    return { urls, close };
  } catch (error) {
    await close();
    throw error;
  }
}
