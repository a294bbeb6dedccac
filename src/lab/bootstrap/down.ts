/**
 * `gitops-lab down`: deletes the lab's kind cluster and local state; with an existing context (--context) it removes
 * only what `up` applied there (recorded in the state), root app first so Argo CD can clean up what it created.
 */
import { type LabConfig, labContext } from '../config.js';
import { kindClusters } from '../doctor/checks.js';
import { createKubeClient } from '../kube/client.js';
import { AbortedError, KubeApiError } from '../kube/errors.js';
import { describeRef, Kinds, type ObjectRef } from '../kube/types.js';
import { createRunner, type Runner } from '../tools/runner.js';
import { loadState, removeState, stateFile } from './state.js';

export interface DownPlan {
  context: string;
  /** The kind cluster to delete, when the lab owns one. */
  kindCluster?: string;
  /** Objects to delete in an existing cluster, in order. */
  objects: ObjectRef[];
  stateFile: string;
}

export interface DownResult extends DownPlan {
  deleted: string[];
  alreadyGone: string[];
}

const kindOrder = [
  'Application',
  'Secret',
  'Service',
  'Deployment',
  'StatefulSet',
  'CustomResourceDefinition',
  'Namespace',
];

export async function planDown(config: LabConfig, runner: Runner = createRunner()): Promise<DownPlan> {
  const state = await loadState(config);
  if (!config.context) {
    const exists = (await kindClusters(runner)).includes(config.clusterName);
    return {
      context: labContext(config),
      ...(exists ? { kindCluster: config.clusterName } : {}),
      objects: [],
      stateFile: stateFile(config),
    };
  }
  // The root Application goes first (its finalizer makes Argo CD delete what it created), namespaces last.
  const rank = (r: ObjectRef) => {
    if (r.kind === 'Application') return -1;
    const i = kindOrder.indexOf(r.kind);
    return i === -1 ? kindOrder.length - 3 : i;
  };
  const objects = [...state.installed].reverse().sort((a, b) => rank(a) - rank(b));
  return { context: labContext(config), objects, stateFile: stateFile(config) };
}

export async function runDown(
  config: LabConfig,
  plan: DownPlan,
  options: { signal?: AbortSignal; runner?: Runner; onProgress?: (line: string) => void } = {},
): Promise<DownResult> {
  const runner = options.runner ?? createRunner();
  const result: DownResult = { ...plan, deleted: [], alreadyGone: [] };
  if (plan.kindCluster) {
    await runner.run(
      { program: 'kind', args: ['delete', 'cluster', '--name', plan.kindCluster], timeoutMs: 300_000 },
      { signal: options.signal },
    );
    result.deleted.push(`kind cluster ${plan.kindCluster}`);
  }
  if (plan.objects.length) {
    const kube = createKubeClient({ kubeconfig: config.kubeconfig, context: labContext(config) });
    for (const ref of plan.objects) {
      if (options.signal?.aborted) throw new AbortedError('down');
      try {
        const gone = !(await kube.delete(ref, { propagationPolicy: 'Foreground' }));
        (gone ? result.alreadyGone : result.deleted).push(describeRef(ref));
        options.onProgress?.(`${gone ? 'already gone' : 'deleted'}: ${describeRef(ref)}`);
        if (!gone && ref.kind === 'Application')
          await kube
            .waitFor(
              { ...Kinds.Application, name: ref.name, namespace: ref.namespace },
              (o) => o === undefined,
              {
                timeoutMs: 180_000,
                signal: options.signal,
                describe: 'deleted (Argo CD removing what it created)',
              },
            )
            .catch((error: unknown) => {
              if (error instanceof AbortedError) throw error;
              options.onProgress?.(`${describeRef(ref)} is still being deleted; continuing`);
            });
      } catch (error) {
        if (error instanceof KubeApiError && error.status === 404) result.alreadyGone.push(describeRef(ref));
        else throw error;
      }
    }
  }
  await removeState(config);
  return result;
}
