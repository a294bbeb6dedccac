/**
 * How the workload controllers of kube-controller-manager create pods (Kubernetes v1.33
 * pkg/controller/controller_utils.go):
 * - RealPodControl.CreatePods (createPods): a POST of the pod, whose name the API server generates from
 *   generateName `<owner>-` (names.SimpleNameGenerator: 5 characters of "bcdfghjklmnpqrstvwxz2456789"); a refused
 *   create is a Warning `FailedCreate` "Error creating: <the API error>" and the error is returned; an accepted one
 *   is a Normal `SuccessfulCreate` "Created pod: <name>". The ReplicaSet and DaemonSet controllers create through
 *   it. (Upstream skips the event for a NamespaceTerminating refusal; the sim's controllers write past the
 *   NamespaceLifecycle plugin, namespace-lifecycle.ts, so they never meet one.)
 * - slowStartBatch: the creates go in batches of 1, 2, 4, ... (SlowStartInitialBatchSize 1), every create of a batch
 *   tried, and the batches after one with a failure skipped: a controller that cannot create one pod tries one a
 *   sync, not all of them.
 * The sim names the pod on the controller's side (its seeded randomness, so runs repeat) and tells the API server
 * the name stands for a generated one (store.ts CreateOptions), which admission errors then name by generateName.
 */
import type { SimCluster } from './api.js';
import type { EventRecorder } from './events.js';
import { generateName } from './replicaset.js';
import { type KubeObject, StoreError } from './store.js';

/** What the API server answered a refused create (a StoreError); anything else is the sim's own fault, rethrown. */
function refusal(error: unknown): StoreError {
  if (error instanceof StoreError) return error;
  throw error;
}

/**
 * RealPodControl.CreatePods for `pod` (its metadata.generateName set, no name): nothing when it was created, else
 * the API server's error; the controller's event about `owner` either way.
 */
export function createPodFromTemplate(
  cluster: SimCluster,
  events: EventRecorder,
  owner: KubeObject,
  pod: KubeObject,
  random: (() => number) | undefined,
): StoreError | undefined {
  const ns = owner.metadata?.namespace ?? 'default';
  const base = String(pod.metadata?.generateName ?? `${owner.metadata?.name}-`);
  let name = generateName(base, random);
  while (cluster.get('v1', 'Pod', name, ns)) name = generateName(base, random);
  const store = cluster.store;
  try {
    store.create(
      store.resourceFor('v1', 'Pod'),
      ns,
      { ...pod, metadata: { name, generateName: base, namespace: ns, ...pod.metadata } },
      { source: 'test', verb: 'create' },
      { generatedName: true },
    );
  } catch (error) {
    const refused = refusal(error);
    events.record(owner, 'Warning', 'FailedCreate', `Error creating: ${refused.message}`);
    return refused;
  }
  events.record(owner, 'Normal', 'SuccessfulCreate', `Created pod: ${name}`);
  return undefined;
}

/** The creates of one sync in slow-start batches: how many succeeded, and the first error of the failed batch. */
export function slowStartBatch(
  count: number,
  create: () => StoreError | undefined,
): { created: number; error?: StoreError } {
  let created = 0;
  let remaining = count;
  for (let size = Math.min(remaining, 1); size > 0; size = Math.min(2 * size, remaining)) {
    const errors = Array.from({ length: size }, create).filter((e) => e !== undefined);
    created += size - errors.length;
    if (errors.length > 0) return { created, error: errors[0] };
    remaining -= size;
  }
  return { created };
}

/** A refusal as an object's create would meet it (the sim's own writes, StatefulSet pods): the error, or nothing. */
export function tryCreate(write: () => void): StoreError | undefined {
  try {
    write();
    return undefined;
  } catch (error) {
    return refusal(error);
  }
}
