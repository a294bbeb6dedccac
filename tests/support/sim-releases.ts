/**
 * Releases to the simulated lab's docqa Rollout as a drill makes them (a commit to the lab repository, then an Argo
 * CD refresh), and a wait on the virtual clock: for the tests of the simulated Argo Rollouts.
 */
import { sleep } from '../../src/lab/clock.js';
import type { VirtualClock } from '../../src/lab/sim/clock.js';
import type { SimLab } from '../../src/lab/sim/lab.js';
import { docqaBehaviour } from '../../src/lab/sim/prometheus.js';

/** Asks Argo CD to refresh the docqa Application, as a drill does after a commit. */
export function refresh(lab: SimLab): void {
  lab.cluster.update('argoproj.io/v1alpha1', 'Application', 'docqa', 'argocd', (o) => {
    o.metadata = {
      ...o.metadata,
      annotations: { ...o.metadata?.annotations, 'argocd.argoproj.io/refresh': 'normal' },
    };
  });
}

/** Commits a change to the Rollout's pod template and asks Argo CD to refresh, as a drill's release does. */
export async function release(lab: SimLab, set: Record<string, unknown>, message: string): Promise<void> {
  await lab.repo.change([{ file: 'workloads/docqa/rollout.yaml', set }], message);
  refresh(lab);
}

/** The doc-QA image at `tag`, for the registry of a lab a test releases it to. */
export const docqa = (tag: string) => `ghcr.io/gitops-lab/docqa:${tag}`;

/** Sets the doc-QA image's tag in the kustomization (as `gitops-lab pin` edits it) and refreshes. */
export async function image(lab: SimLab, tag: string): Promise<void> {
  await lab.repo.change(
    [{ file: 'workloads/docqa/kustomization.yaml', set: { 'images[0].newTag': tag } }],
    `test: docqa ${tag}`,
  );
  refresh(lab);
}

/** Waits on the virtual clock, 1 s at a time, until `done` (at most `ms`). */
export async function until(clock: VirtualClock, done: () => boolean, ms: number): Promise<void> {
  for (let waited = 0; !done() && waited < ms; waited += 1000) await sleep(clock, 1000);
}

/** A doc-QA whose answers cannot be measured (every ratio NaN): the canary's analysis ends Inconclusive. */
export const unmeasurable = (faults: string) => ({
  ...docqaBehaviour(faults),
  grounded: Number.NaN,
  abstain: Number.NaN,
});

/**
 * One commit: the Rollout's pod template gets `env` as its second variable (a release), and the ConfigMap moves to
 * sync wave 1 with DOCQA_MODE extractive-v2, so Argo CD applies it only once the Rollout is healthy. Then a refresh.
 */
export async function releaseInWaves(l: SimLab, env: Record<string, string>): Promise<string> {
  const { commit } = await l.repo.change(
    [
      { file: 'workloads/docqa/rollout.yaml', set: { 'spec.template.spec.containers[0].env[1]': env } },
      {
        file: 'workloads/docqa/configmap.yaml',
        set: {
          'metadata.annotations': { 'argocd.argoproj.io/sync-wave': '1' },
          'data.DOCQA_MODE': 'extractive-v2',
        },
      },
    ],
    'test: a release, its settings a wave later',
  );
  refresh(l);
  return commit ?? '';
}
