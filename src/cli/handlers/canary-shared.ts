/** What `canary check` and `canary compare` share: the default template and the Prometheus to ask. */
import { UsageError } from '../../errors.js';
import { portForwardPrometheus } from '../../lab/canary/lab-prometheus.js';
import { packagePath } from '../../paths.js';

export function defaultTemplatePath(): string {
  return packagePath('manifests', 'workloads', 'docqa', 'analysis-template.yaml');
}

export interface PrometheusTarget {
  url: string;
  /** Set when a port-forward was started; call before exiting. */
  stop?: () => Promise<void>;
  via?: string;
}

/** --prometheus if given, else a port-forward to the lab's Prometheus, else a usage error. */
export async function resolvePrometheus(
  flag: string | undefined,
  command: string,
): Promise<PrometheusTarget> {
  if (flag) return { url: flag };
  const forward = await portForwardPrometheus();
  if ('reason' in forward) {
    throw new UsageError(
      `gitops-lab ${command}: no --prometheus given and no lab Prometheus found (${forward.reason}).`,
      {
        hint: 'Pass --prometheus http://HOST:9090, e.g. after `kubectl port-forward -n observability svc/kube-prometheus-stack-prometheus 9090`.',
      },
    );
  }
  return { url: forward.url, stop: forward.stop, via: `port-forward to ${forward.service}` };
}
