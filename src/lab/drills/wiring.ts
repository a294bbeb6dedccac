/**
 * The real DrillEnvironment for the CLI: the lab's kube client, a clone of the lab's Git repository,
 * the Prometheus client from src/lab/canary and the eval runner from src/evals.
 */
import { evaluate } from '../../evals/evaluate.js';
import { httpTarget } from '../../evals/targets.js';
import { packagePath } from '../../paths.js';
import { PrometheusClient } from '../canary/prometheus.js';
import type { KubeClient } from '../kube/client.js';
import type { DrillEnvironment, EvalProbeRunner, PrometheusQuery } from './access.js';
import { kubeAccessFrom } from './kube-adapter.js';
import { ClonedLabRepo } from './lab-repo.js';

export const prometheusQuery: PrometheusQuery = {
  async query(url, promql) {
    const result = await new PrometheusClient({ url, timeoutMs: 10_000 }).query(promql);
    switch (result.resultType) {
      case 'vector':
        return result.vector[0]?.value;
      case 'scalar':
        return result.value;
      case 'matrix':
        return result.matrix[0]?.points.at(-1)?.value;
      default:
        return undefined;
    }
  },
};

export const evalRunner: EvalProbeRunner = {
  async run({ target, cases }) {
    const result = await evaluate({
      casesPath: cases ?? packagePath('evals', 'cases'),
      gatesPath: packagePath('evals', 'gates.yaml'),
      createTarget: async () => httpTarget(target, { timeoutMs: 10_000 }),
      mode: 'extractive',
    });
    const passRate = result.total === 0 ? 0 : result.passed / result.total;
    const failedGates = result.gates.filter((g) => !g.ok).map((g) => g.metric);
    return {
      passed: result.ok,
      passRate,
      summary: `${result.passed}/${result.total} cases passed${failedGates.length ? `, gates failed: ${failedGates.join(', ')}` : ', gates pass'}`,
    };
  },
};

export interface EnvironmentOptions {
  client: KubeClient;
  /** The lab's Git repository (URL or path); Git actions need it. */
  repo?: string;
  /** Token for an https `repo`. */
  repoToken?: string;
  prometheusUrl?: string;
}

export function drillEnvironment(options: EnvironmentOptions): DrillEnvironment {
  return {
    kube: kubeAccessFrom(options.client),
    repo: options.repo ? new ClonedLabRepo(options.repo, { token: options.repoToken }) : undefined,
    prometheus: prometheusQuery,
    prometheusUrl: options.prometheusUrl,
    evals: evalRunner,
  };
}
