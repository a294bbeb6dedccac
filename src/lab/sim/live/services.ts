/**
 * The docqa Services of the live simulated lab, reachable from the host: one port on 127.0.0.1 per Service
 * (manifests/workloads/docqa/services.yaml: docqa-stable and docqa-canary, port 8080), forwarding each TCP connection
 * to the doc-QA process that serves the Service's pods, as kube-proxy forwards a ClusterIP connection to one of the
 * Service's endpoints (layer 4: a kept-alive connection stays with the endpoint it was opened to).
 *
 * Which pods each Service selects is Argo Rollouts' doing (v1.8.3 rollout/service.go reconcileStableAndCanaryService):
 * docqa-stable selects the stable ReplicaSet's pod-template hash, docqa-canary the newest ReplicaSet's (the stable
 * one again once a canary is promoted) or, after an abort, the stable one. So docqa-canary reaches the canary's
 * process while a canary runs, and the stable one otherwise. (The roles come from the live fleet, which follows the
 * Rollout's status; the simulated Rollouts model does not write the Services' selectors.)
 *
 * A Service with no ready endpoint: kube-proxy rejects the connection (pkg/proxy/iptables/proxier.go, the REJECT rule
 * for a Service without endpoints); a port that has already accepted the connection cannot refuse it, so the proxy
 * resets it at once. Clients see ECONNRESET rather than ECONNREFUSED; either way, no answer.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { DocqaEndpoint } from './processes.js';

export type DocqaServiceName = 'docqa-stable' | 'docqa-canary';

export interface ServiceProxies {
  /** Each Service's address as a URL, http://127.0.0.1:<port>. */
  urls: Record<DocqaServiceName, string>;
  close(): Promise<void>;
}

/** The endpoint the Service sends a new connection to (undefined: none is ready). */
export function serviceEndpoint(
  service: DocqaServiceName,
  endpoints: readonly Pick<DocqaEndpoint, 'role' | 'url'>[],
): string | undefined {
  const stable = endpoints.find((e) => e.role === 'stable');
  if (service === 'docqa-stable') return stable?.url;
  return (endpoints.find((e) => e.role === 'canary') ?? stable)?.url;
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

export async function startServiceProxies(endpoints: () => DocqaEndpoint[]): Promise<ServiceProxies> {
  const names: DocqaServiceName[] = ['docqa-stable', 'docqa-canary'];
  const sockets = new Set<Socket>();
  const servers = names.map((name) =>
    createServer((client) => {
      sockets.add(client);
      client.once('close', () => sockets.delete(client));
      forward(client, serviceEndpoint(name, endpoints()));
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
