/** What `canary check` and `canary compare` share: the default template, the lab and the Prometheus to ask. */
import { UsageError } from '../../errors.js';
import { portForwardPrometheus } from '../../lab/canary/lab-prometheus.js';
import { labContext } from '../../lab/config.js';
import type { LabTarget } from '../../lab/simulate/connect.js';
import { packagePath } from '../../paths.js';

/**
 * The lab for --context, resolved at most once per command however many parts ask (the Rollout's arguments, the
 * Prometheus), and only when one does.
 */
export function labOnce(context: string | undefined): () => Promise<LabTarget> {
  let pending: Promise<LabTarget> | undefined;
  return () => {
    pending ??= import('../../lab/simulate/connect.js').then(({ resolveLab }) => resolveLab(context));
    return pending;
  };
}

export function defaultTemplatePath(): string {
  return packagePath('manifests', 'workloads', 'docqa', 'analysis-template.yaml');
}

export interface PrometheusTarget {
  url: string;
  /** Set when a port-forward was started; call before exiting. */
  stop?: () => Promise<void>;
  via?: string;
}

/**
 * --prometheus if given, else the simulated lab's Prometheus when the context in use is gitops-lab-sim (from its
 * state file), else a port-forward to the lab's Prometheus in the lab's kube context (--context, else the lab
 * config's), else a usage error. Whatever answers must be a Prometheus: a server that answers but not
 * with Prometheus' query API (the doc-QA service, a web page) is a usage error, not a string of empty results.
 */
export async function resolvePrometheus(
  flag: string | undefined,
  command: string,
  lab: () => Promise<LabTarget>,
): Promise<PrometheusTarget> {
  if (flag) {
    await assertPrometheus(flag, `--prometheus ${flag}`, command);
    return { url: flag };
  }
  const { config, sim } = await lab();
  if (sim) {
    await assertPrometheus(sim.prometheusUrl, "the simulated lab's Prometheus", command);
    return {
      url: sim.prometheusUrl,
      via: `the simulated lab's${sim.state.prometheus.real ? '' : ', metrics simulated'}`,
    };
  }
  const cluster = { context: labContext(config), kubeconfig: config.kubeconfig };
  const forward = await portForwardPrometheus(cluster);
  if ('reason' in forward) {
    throw new UsageError(
      `gitops-lab ${command}: no --prometheus given and no lab Prometheus found (${forward.reason}).`,
      {
        hint: `Pass --prometheus http://HOST:9090 (a lab made by \`gitops-lab up\` serves it on http://127.0.0.1:${config.ports.prometheus}), or --context for the lab's kube context.`,
      },
    );
  }
  const target = { url: forward.url, stop: forward.stop, via: `port-forward to ${forward.service}` };
  try {
    await assertPrometheus(forward.url, `the port-forward to ${forward.service}`, command);
  } catch (error) {
    await forward.stop();
    throw error;
  }
  return target;
}

/**
 * Asks `url` the query `vector(1)` the way Prometheus' HTTP API is asked; an answer that is not
 * `{"status":"success",...}` means this is not a Prometheus. No answer at all is left to the caller (an
 * unreachable Prometheus is an Error measurement under Argo Rollouts' semantics, exit 2).
 */
export async function assertPrometheus(url: string, what: string, command: string): Promise<void> {
  const probe = new URL('api/v1/query?query=vector(1)', url.endsWith('/') ? url : `${url}/`);
  let response: Response;
  try {
    response = await fetch(probe, { signal: AbortSignal.timeout(10_000) });
  } catch {
    return;
  }
  const body = await response.text().catch(() => '');
  let status: unknown;
  try {
    status = (JSON.parse(body) as { status?: unknown }).status;
  } catch {
    status = undefined;
  }
  if (status === 'success') return;
  const looksLikeDocQa = /"error"\s*:\s*\{\s*"code"/.test(body) || response.headers.has('x-request-id');
  throw new UsageError(
    `gitops-lab ${command}: ${what} answered, but it is not a Prometheus (GET ${probe.pathname}?query=vector(1) gave HTTP ${response.status}${looksLikeDocQa ? ', from what looks like the doc-QA service' : ''}).`,
    {
      hint: 'Point --prometheus at a Prometheus server (its query API answers /api/v1/query), e.g. http://127.0.0.1:9090.',
    },
  );
}
