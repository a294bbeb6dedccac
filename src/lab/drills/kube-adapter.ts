/**
 * The drill engine's KubeAccess over the lab's kube layer (src/lab/kube): the real API server, or the test fake.
 * Every call's `signal` goes on to the HTTP request, so an action over its time limit or a probe given up on
 * closes its request instead of leaving it open (the engine also races the call against the limit:
 * src/lab/drills/actions.ts).
 */
import type { KubeClient } from '../kube/client.js';
import { KubeApiError } from '../kube/errors.js';
import type { JsonPatchOperation } from '../kube/types.js';
import { type KubeAccess, KubeConflictError } from './access.js';

export function kubeAccessFrom(client: KubeClient): KubeAccess {
  return {
    get: (ref, options) => client.get(ref, { signal: options?.signal }),
    list: async (apiVersion, kind, namespace, labelSelector, options) =>
      (await client.list({ apiVersion, kind }, { namespace, labelSelector, signal: options?.signal })).items,
    create: async (object, options) => {
      try {
        return await client.create(object, { signal: options?.signal });
      } catch (error) {
        if (error instanceof KubeApiError && error.conflict) throw new KubeConflictError(error.message);
        throw error;
      }
    },
    patch: (ref, patch, type, options) => {
      const request = { signal: options?.signal };
      return type === 'json'
        ? client.jsonPatch(ref, patch as JsonPatchOperation[], undefined, request)
        : client.mergePatch(ref, patch, undefined, request);
    },
    delete: (ref, options) => client.delete(ref, { signal: options?.signal }),
  };
}
