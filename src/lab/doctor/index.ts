/** `gitops-lab doctor` as data: every check `up` needs, with versions and fixes. */
import type { LabConfig } from '../config.js';
import { createRunner, type Runner } from '../tools/runner.js';
import { type Finding, kindClusters, runChecks } from './checks.js';

export type { Finding } from './checks.js';

/** Whether a way of running the lab works on this machine, and if not, what it needs. */
export interface LabMode {
  available: boolean;
  /** The names of the missing pieces (failed required checks). */
  needs: string[];
  /** One line: "available", or what is missing. */
  detail: string;
}

export interface DoctorReport {
  /** Everything `up` (the kind lab, or --context's cluster) needs is there. */
  ok: boolean;
  findings: Finding[];
  /** Whether the lab's kind cluster exists (informational). */
  labCluster: { name?: string; exists: boolean };
  /** The two ways to run the lab: `up` (kind, or an existing context) and `up --simulate` (no Docker). */
  modes: {
    kind: LabMode;
    simulated: LabMode & {
      /** `real` when Debian's prometheus is on PATH (the simulated lab runs it), else `simulated`. */
      prometheus: 'real' | 'simulated';
      prometheusPath?: string;
    };
  };
}

function mode(missing: Finding[], what: string): LabMode {
  const needs = missing.map((f) => f.name);
  return {
    available: needs.length === 0,
    needs,
    detail: needs.length === 0 ? 'available' : `needs ${needs.join(', ')} (${what})`,
  };
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
  const prometheusPath = await runner.which('prometheus');
  const simulated = mode(
    findings.filter((f) => f.id === 'git' && !f.ok),
    'the simulated lab keeps its Git repository with git',
  );
  return {
    ok: findings.every((f) => f.ok || !f.required),
    findings,
    labCluster: { ...(cluster ? { name: cluster } : {}), exists },
    modes: {
      kind: mode(
        findings.filter((f) => f.required && !f.ok),
        'each failed check says how to fix it',
      ),
      simulated: {
        ...simulated,
        prometheus: prometheusPath ? 'real' : 'simulated',
        ...(prometheusPath ? { prometheusPath } : {}),
      },
    },
  };
}
