import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

export interface KubeconfigOptions {
  /** The API server URL, e.g. the fake's `http://127.0.0.1:PORT`. */
  server: string;
  /** Context (and cluster/user) name; `kind-gitops-lab` is what kind names the lab's context. */
  context?: string;
  /** Folder to write `kubeconfig` into; a new temp folder when omitted. */
  dir?: string;
  namespace?: string;
  /** The user's bearer token (default: a placeholder the test fakes do not check). */
  token?: string;
  /** The server's certificate authority (PEM), for an HTTPS server. */
  ca?: string;
}

/**
 * Renders a kubeconfig for a plain-HTTP API server. client-node 1.4 refuses `http:` servers unless
 * `insecure-skip-tls-verify: true` is set, so it is. With `ca` (an HTTPS server) it names the CA instead.
 */
export function kubeconfigYaml(options: KubeconfigOptions): string {
  const name = options.context ?? 'kind-gitops-lab';
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': name,
    clusters: [{ name, cluster: kubeconfigCluster(options.server, options.ca) }],
    users: [{ name, user: { token: options.token ?? 'fake-token' } }],
    contexts: [
      {
        name,
        context: {
          cluster: name,
          user: name,
          ...(options.namespace ? { namespace: options.namespace } : {}),
        },
      },
    ],
  });
}

/** The `cluster` entry of a kubeconfig for the simulation's API server. */
export function kubeconfigCluster(server: string, ca?: string): Record<string, unknown> {
  return ca
    ? { server, 'certificate-authority-data': Buffer.from(ca).toString('base64') }
    : { server, 'insecure-skip-tls-verify': true };
}

/** Writes a kubeconfig file and returns its path. */
export function writeKubeconfig(options: KubeconfigOptions): string {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'gitops-lab-kubeconfig-'));
  const path = join(dir, 'kubeconfig');
  writeFileSync(path, kubeconfigYaml(options));
  return path;
}
