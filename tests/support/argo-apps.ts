/**
 * Argo CD Applications of a simulated lab as a test drives them.
 */
import type { SimLab } from '../../src/lab/sim/lab.js';
import type { KubeObject } from '../../src/lab/sim/store.js';

/** Asks for a hard refresh of Application `name` (the annotation the UI's Refresh button and `argocd app get --hard-refresh` set). */
export function forceRefresh(lab: SimLab, name: string): void {
  lab.cluster.update('argoproj.io/v1alpha1', 'Application', name, 'argocd', (o) => {
    o.metadata = {
      ...o.metadata,
      annotations: { ...o.metadata?.annotations, 'argocd.argoproj.io/refresh': 'hard' },
    };
  });
}

/** status.operationState of an Application, the fields the tests read. */
export interface OperationState {
  phase: string;
  message: string;
  startedAt?: string;
  finishedAt?: string;
  retryCount?: number;
  syncResult?: { revision: string; resources?: Array<Record<string, string>> };
}

/** An Application as the tests read it: its operation state, sync and health status, status.resources. */
export type AppView = KubeObject & {
  operation?: unknown;
  status: {
    operationState?: OperationState;
    sync?: { status?: string };
    health?: { status?: string };
    resources?: Array<Record<string, unknown>>;
    conditions?: Array<{ type: string; message: string }>;
  };
};

/** Application `name` of the lab (in argocd) as it is now. */
export const appView = (lab: SimLab, name = 'docqa'): AppView =>
  lab.cluster.get('argoproj.io/v1alpha1', 'Application', name, 'argocd') as AppView;
