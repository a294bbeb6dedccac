/**
 * Argo CD Applications of a simulated lab as a test drives them.
 */
import type { SimLab } from '../../src/lab/sim/lab.js';

/** Asks for a hard refresh of Application `name` (the annotation the UI's Refresh button and `argocd app get --hard-refresh` set). */
export function forceRefresh(lab: SimLab, name: string): void {
  lab.cluster.update('argoproj.io/v1alpha1', 'Application', name, 'argocd', (o) => {
    o.metadata = {
      ...o.metadata,
      annotations: { ...o.metadata?.annotations, 'argocd.argoproj.io/refresh': 'hard' },
    };
  });
}
