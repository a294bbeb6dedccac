/**
 * The drill engine's KubeAccess over the lab's kube layer (src/lab/kube): the real API server, or the test fake.
 * The kube layer's writes take no AbortSignal, so the `signal` of a write is not passed on: the engine's action
 * time limit races the request instead (src/lab/drills/actions.ts).
 */
import type { KubeClient } from '../kube/client.js';
import { KubeApiError } from '../kube/errors.js';
import type { JsonPatchOperation } from '../kube/types.js';
import { type KubeAccess, KubeConflictError } from './access.js';

export function kubeAccessFrom(client: KubeClient): KubeAccess {
  return {
    get: (ref) => client.get(ref),
    list: async (apiVersion, kind, namespace, labelSelector) =>
      (await client.list({ apiVersion, kind }, { namespace, labelSelector })).items,
    create: async (object) => {
      try {
        return await client.create(object);
      } catch (error) {
        if (error instanceof KubeApiError && error.conflict) throw new KubeConflictError(error.message);
        throw error;
      }
    },
    patch: (ref, patch, type) =>
      type === 'json' ? client.jsonPatch(ref, patch as JsonPatchOperation[]) : client.mergePatch(ref, patch),
    delete: (ref) => client.delete(ref),
  };
}
