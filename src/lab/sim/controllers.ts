/**
 * Stand-ins for the controllers a real cluster runs, for tests that need objects to progress
 * (e.g. a Deployment becoming Available). Attach with `fake.addController(controllers.deploymentsAvailable())`.
 */
import type { SimCluster } from './api.js';
import type { KubeObject, StoredEvent } from './store.js';

export type Controller = (event: StoredEvent, fake: SimCluster) => void;

type Status = Record<string, unknown>;

function workloadReady(obj: KubeObject): Status {
  const replicas = (obj.spec as { replicas?: number } | undefined)?.replicas ?? 1;
  return {
    observedGeneration: obj.metadata?.generation,
    replicas,
    readyReplicas: replicas,
    availableReplicas: replicas,
    updatedReplicas: replicas,
    conditions: [{ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' }],
  };
}

function settle(fake: SimCluster, event: StoredEvent, status: Status): void {
  if (event.type === 'DELETED') return;
  const current = event.object.status;
  if (JSON.stringify(current) === JSON.stringify({ ...(current as object), ...status })) return;
  const { apiVersion = '', kind = '' } = event.object;
  const { name = '', namespace } = event.object.metadata ?? {};
  fake.update(apiVersion, kind, name, namespace, (obj) => {
    obj.status = { ...(obj.status as object), ...status };
  });
}

/**
 * Deployments, StatefulSets and DaemonSets report all replicas ready for their current generation, at once: for the
 * workloads whose pods the simulation does not run (`except` picks those it does, see workloads.ts).
 */
export function workloadsAvailable(except: (obj: KubeObject) => boolean = () => false): Controller {
  return (event, fake) => {
    if (except(event.object)) return;
    if (!['Deployment', 'StatefulSet'].includes(event.resource.kind)) {
      if (event.resource.kind === 'DaemonSet')
        settle(fake, event, {
          desiredNumberScheduled: 1,
          numberReady: 1,
          numberAvailable: 1,
          updatedNumberScheduled: 1,
          observedGeneration: event.object.metadata?.generation,
        });
      return;
    }
    settle(fake, event, workloadReady(event.object));
  };
}

/** CustomResourceDefinitions become Established. */
export function crdsEstablished(): Controller {
  return (event, fake) => {
    if (event.resource.kind !== 'CustomResourceDefinition') return;
    settle(fake, event, {
      conditions: [
        { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts' },
        { type: 'Established', status: 'True', reason: 'InitialNamesAccepted' },
      ],
    });
  };
}

/** Argo CD Applications become Synced and Healthy at `revision` (or whatever `health` says). */
export function applicationsSynced(
  options: { revision?: string; health?: (app: KubeObject) => 'Healthy' | 'Progressing' | 'Degraded' } = {},
): Controller {
  return (event, fake) => {
    if (event.resource.kind !== 'Application') return;
    const revision = options.revision ?? '0123456789abcdef0123456789abcdef01234567';
    settle(fake, event, {
      sync: { status: 'Synced', revision },
      health: { status: options.health?.(event.object) ?? 'Healthy' },
      operationState: { phase: 'Succeeded', finishedAt: '2026-01-01T00:00:00Z', syncResult: { revision } },
      reconciledAt: '2026-01-01T00:00:00Z',
    });
  };
}
