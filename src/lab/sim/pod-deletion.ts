/**
 * Deleting a pod, as a Kubernetes v1.33 API server does it: graceful deletion. A DELETE of a pod running on a node
 * does not remove it; it marks it (metadata.deletionTimestamp, deletionGracePeriodSeconds) and answers with the
 * marked pod; the kubelet then stops the containers and removes the pod with a grace period of 0 (kubelet.ts).
 *
 * The rules, read in untagged copies of the v1.3x line (they carry the `period < 0` rule of v1.32+):
 * - the DeleteOptions come from the request's body when it has one, else from its query, as for every kind
 *   (delete-options.ts: staging/src/k8s.io/apiserver/pkg/endpoints/handlers/delete.go DeleteResource,
 *   ValidateDeleteOptions);
 * - preconditions: a uid or resourceVersion that differs from the pod's is a 409 Conflict
 *   (staging/src/k8s.io/apiserver/pkg/registry/rest/delete.go BeforeDelete);
 * - the grace period (pkg/registry/core/pod/strategy.go CheckGracefulDelete): the request's, else the pod's
 *   spec.terminationGracePeriodSeconds (the API server defaults it to 30; the sim's pods may lack it, so 30 here);
 *   0 for a pod not bound to a node or already Succeeded or Failed; a negative period is 1;
 * - a pod already being deleted (BeforeDelete): with no or a 0 grace period it is removed at once; a request may
 *   only shorten its grace period (the deletionTimestamp moves back by the difference); a longer or no period leaves
 *   it as it is;
 * - a graceful deletion writes deletionTimestamp = now + period, deletionGracePeriodSeconds = period and bumps
 *   metadata.generation (BeforeDelete); with a period above 0 the pod stays and the answer is the pod as written;
 *   with 0 it is then removed (pkg/registry/generic/registry/store.go Delete, updateForGracefulDeletionAndFinalizers:
 *   the marking write, then the removal). The answer is the pod either way (the pod registry returns the deleted
 *   object), with HTTP 200 (delete.go: 202 only for orphanDependents=false).
 * In the store's mutation log the marking write is a `delete` too (the request's verb); the kubelet's removal is
 * another. Only pods are deleted gracefully (the one registry with CheckGracefulDelete); other kinds go at once
 * unless finalizers keep them (object-deletion.ts, the generic registry's Delete, which this goes through). A pod
 * with finalizers stays, marked, until they are removed, even after the kubelet's grace-0 removal.
 */
import type { DeleteOptions } from './delete-options.js';
import { deleteObject, deleteUnlessGone } from './object-deletion.js';
import type { KubeObject, Mutation, Store } from './store.js';

export type { DeleteOptions } from './delete-options.js';
export { deleteOptions } from './delete-options.js';
export {
  DEFAULT_TERMINATION_GRACE_SECONDS,
  type DeletionStep,
  deletionStep,
  podGracePeriod,
} from './pod-grace-period.js';

/**
 * DELETE of pod `name` at `nowMs`: marks it for graceful deletion, or removes it (see above). Returns the pod as the
 * API server answers (the marked pod, or the removed one) and whether it is gone. Throws the StoreError the server
 * would answer with.
 */
export function deletePod(
  store: Store,
  namespace: string,
  name: string,
  options: DeleteOptions,
  nowMs: number,
  source: Mutation['source'],
): { pod: KubeObject; removed: boolean } {
  const { object, removed } = deleteObject(
    store,
    store.resourceFor('v1', 'Pod'),
    namespace,
    name,
    options,
    nowMs,
    source,
  );
  return { pod: object, removed };
}

/**
 * A controller's deletion of one of its pods (pkg/controller/controller_utils.go RealPodControl.DeletePod, used by
 * the ReplicaSet and DaemonSet controllers; stateful_pod_control.go DeleteStatefulPod through the same client call):
 * a DELETE with empty DeleteOptions, so the pod is deleted gracefully with its own terminationGracePeriodSeconds and
 * stays, Terminating, until its kubelet has stopped it. A pod already gone is not an error the controller reports
 * (IsNotFound: "Pod has already been deleted", no event). Returns whether the DELETE was accepted.
 */
export function deletePodAsController(store: Store, namespace: string, name: string, nowMs: number): boolean {
  const pods = store.resourceFor('v1', 'Pod');
  return deleteUnlessGone(store, pods, namespace, name, {}, nowMs, 'test') !== undefined;
}
