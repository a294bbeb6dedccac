/**
 * The drill engine's KubeAccess over the lab's kube layer (src/lab/kube): the real API server, or the test fake.
 * Every call's `signal` goes on to the HTTP request, so an action over its time limit or a probe given up on
 * closes its request instead of leaving it open (the engine also races the call against the limit:
 * src/lab/drills/actions.ts).
 */
import type { KubeClient } from '../kube/client.js';
import { KubeApiError } from '../kube/errors.js';
import type { JsonPatchOperation, KubeObject } from '../kube/types.js';
import { type KubeAccess, KubeConflictError } from './access.js';
import type { ObjectRef } from './schema.js';

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
    watchObject: (ref, onObject, options) => watchObject(client, ref, onObject, options.signal),
  };
}

/**
 * One object by watch (a field selector on its name): the first connection lists it (ADDED), each later one
 * resumes from the last resourceVersion seen, as client-go's reflector does after a server-side timeout; a resumed
 * connection that brought nothing new starts over from the current state. A connection that fails (the request
 * errs) ends the watch with that error.
 */
async function watchObject(
  client: KubeClient,
  ref: ObjectRef & { name: string },
  onObject: (object: KubeObject | undefined) => void,
  signal: AbortSignal,
): Promise<{ error?: unknown }> {
  let resourceVersion: string | undefined;
  while (!signal.aborted) {
    const ended = await client.watch(
      { apiVersion: ref.apiVersion, kind: ref.kind },
      {
        namespace: ref.namespace,
        fieldSelector: `metadata.name=${ref.name}`,
        resourceVersion,
        timeoutSeconds: 300,
        signal,
      },
      (event) => {
        if (event.type === 'BOOKMARK') return;
        onObject(event.type === 'DELETED' ? undefined : event.object);
      },
    );
    if (signal.aborted) break;
    if (ended.error) return { error: ended.error };
    // No progress on a resumed connection (the server answered 410 Gone in the stream, or nothing changed):
    // start again from the current state, as the reflector relists, rather than resume from the same version.
    resourceVersion =
      resourceVersion !== undefined && ended.resourceVersion === resourceVersion
        ? undefined
        : ended.resourceVersion;
  }
  return {};
}
