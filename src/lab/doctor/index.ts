/** `gitops-lab doctor` as data: every check `up` needs, with versions and fixes. */
import type { LabConfig } from '../config.js';
import { createRunner, type Runner } from '../tools/runner.js';
import { type Finding, kindClusters, runChecks } from './checks.js';

export type { Finding } from './checks.js';

export interface DoctorReport {
  ok: boolean;
  findings: Finding[];
  /** Whether the lab's kind cluster exists (informational). */
  labCluster: { name?: string; exists: boolean };
}

/** The kind cluster behind the config: the lab's own, or the one named by a `kind-NAME` context. */
function kindClusterName(config: LabConfig): string | undefined {
  if (!config.context) return config.clusterName;
  return config.context.startsWith('kind-') ? config.context.slice('kind-'.length) : undefined;
}

export async function runDoctor(config: LabConfig, runner: Runner = createRunner()): Promise<DoctorReport> {
  const cluster = kindClusterName(config);
  const exists = cluster ? (await kindClusters(runner)).includes(cluster) : false;
  const findings = await runChecks(runner, config, {
    needKind: !!cluster,
    clusterExists: exists,
    checkPorts: !!cluster && !config.context,
  });
  return {
    ok: findings.every((f) => f.ok || !f.required),
    findings,
    labCluster: { ...(cluster ? { name: cluster } : {}), exists },
  };
}
