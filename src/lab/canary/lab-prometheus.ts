/**
 * The default --prometheus: when a lab is up (kubectl on PATH, the lab's context answering), find the
 * kube-prometheus-stack Prometheus Service and port-forward a free local port to it for as long as the
 * command runs. Any step failing means "no lab": the caller turns that into a usage error asking for
 * --prometheus. kubectl always gets the lab's context (never its current one), and its klog lines
 * (`E1202 10:00:00.000 1 memcache.go:265] ...`) are not passed on: only its one-sentence message is.
 */
import { execa, type ResultPromise } from 'execa';
import { createRunner } from '../tools/index.js';

export interface PortForward {
  url: string;
  service: string;
  stop(): Promise<void>;
}

interface ServiceList {
  items?: {
    metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
    spec?: { ports?: { port?: number }[] };
  }[];
}

/** Which cluster to look in: the lab's kube context and kubeconfig (see LabConfig). */
export interface LabCluster {
  context: string;
  kubeconfig?: string;
}

const clusterArgs = (cluster: LabCluster) => [
  '--context',
  cluster.context,
  ...(cluster.kubeconfig ? ['--kubeconfig', cluster.kubeconfig] : []),
];

/** A klog line: severity, MMDD, time, thread id, file:line] message. */
const klogLine = /^[IWEF]\d{4} \d{2}:\d{2}:\d{2}\.\d+\s+\d+ [^\s\]]+:\d+\]/;

/** kubectl's own message from its stderr, without the klog lines it logs before it. */
export function kubectlMessage(stderr: string): string | undefined {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !klogLine.test(l));
  return lines[0]?.replace(/^error: /, '');
}

/** Finds the lab's Prometheus Service, or returns why not. */
export async function findLabPrometheus(
  cluster: LabCluster,
): Promise<{ namespace: string; name: string; port: number } | { reason: string }> {
  const runner = createRunner({ mode: 'run' });
  if (!(await runner.which('kubectl'))) return { reason: 'kubectl is not on PATH' };
  const result = await runner.run({
    program: 'kubectl',
    args: [
      ...clusterArgs(cluster),
      'get',
      'services',
      '--all-namespaces',
      '-l',
      'app=kube-prometheus-stack-prometheus',
      '-o',
      'json',
    ],
    readOnly: true,
    allowFailure: true,
    timeoutMs: 15_000,
  });
  if (result.exitCode !== 0) {
    const why = kubectlMessage(result.stderr);
    return {
      reason: `kubectl could not list services in context ${cluster.context}${why ? `: ${why.replace(/\.$/, '')}` : ''}`,
    };
  }
  let list: ServiceList;
  try {
    list = JSON.parse(result.stdout) as ServiceList;
  } catch {
    return { reason: 'kubectl returned unreadable JSON' };
  }
  const service = (list.items ?? []).find((s) => s.spec?.ports?.some((p) => p.port === 9090));
  if (!service?.metadata?.name || !service.metadata.namespace) {
    return {
      reason: `no kube-prometheus-stack Prometheus Service (port 9090) in context ${cluster.context}`,
    };
  }
  return { namespace: service.metadata.namespace, name: service.metadata.name, port: 9090 };
}

/** Starts `kubectl port-forward` on a free local port and waits until it forwards. */
export async function portForwardPrometheus(
  cluster: LabCluster,
  options: { timeoutMs?: number } = {},
): Promise<PortForward | { reason: string }> {
  const found = await findLabPrometheus(cluster);
  if ('reason' in found) return found;
  const child: ResultPromise = execa(
    'kubectl',
    [
      ...clusterArgs(cluster),
      'port-forward',
      '-n',
      found.namespace,
      `svc/${found.name}`,
      `:${found.port}`,
      '--address',
      '127.0.0.1',
    ],
    { reject: false, stdin: 'ignore', buffer: false },
  );
  const stop = async () => {
    child.kill();
    await child.catch(() => undefined);
  };
  const url = await new Promise<string | undefined>((resolve) => {
    const timer = setTimeout(() => resolve(undefined), options.timeoutMs ?? 15_000);
    let seen = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(seen);
      if (match) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${match[1]}`);
      }
    });
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(undefined);
    });
  });
  if (!url) {
    await stop();
    return { reason: `kubectl port-forward to ${found.namespace}/${found.name} did not start` };
  }
  return { url, service: `${found.namespace}/${found.name}`, stop };
}
