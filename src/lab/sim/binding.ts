/**
 * Binding a pod to a node, as a Kubernetes v1.33 API server does it for the pods/binding subresource: what
 * kube-scheduler's DefaultBinder posts once it has chosen a node
 * (pkg/scheduler/framework/plugins/defaultbinder/default_binder.go Bind: a v1 Binding named after the pod, target
 * kind Node), and what anyone may post to `POST /api/v1/namespaces/<ns>/pods/<name>/binding`.
 *
 * The rules, from pkg/registry/core/pod/storage/storage.go (BindingREST Create, assignPod, setPodHostAndAnnotations)
 * and pkg/apis/core/validation/validation.go ValidatePodBinding (read in untagged copies of the v1.2x-v1.3x line):
 * - the Binding's name must be the pod's name from the URL (400 BadRequest "name in URL does not match name in
 *   Binding object"); its target must name a node, of kind Node or no kind (validation errors);
 * - a pod that is gone is a 404 (`pods "x" not found`); one being deleted, or already bound to a node, is a 409
 *   Conflict on `pods/binding` whose message carries the storage's reason (`pod x is already assigned to node "y"`);
 * - otherwise the pod gets `spec.nodeName`, the Binding's annotations merged into its own, and the PodScheduled
 *   condition True (pkg/api/pod/util.go UpdatePodCondition: a new condition's lastTransitionTime is now; an
 *   existing one keeps its time while its status holds). The write goes straight to storage
 *   (GuaranteedUpdate), past the pod strategy, so the pod's generation does not move (store.ts).
 */
import { type PodCondition, setCondition } from './conditions.js';
import { type KubeObject, kubeTime, type Mutation, type Store, StoreError } from './store.js';

/** A v1 Binding as a client posts it. */
export interface Binding {
  metadata?: { name?: string; namespace?: string; annotations?: Record<string, string> };
  target?: { kind?: string; name?: string };
}

/** ValidatePodBinding: its field errors as the aggregate error's text, or undefined when the Binding is valid. */
export function bindingError(binding: Binding): string | undefined {
  const errors: string[] = [];
  const kind = binding.target?.kind ?? '';
  if (kind !== '' && kind !== 'Node')
    errors.push(`target.kind: Unsupported value: "${kind}": supported values: "Node", "<empty>"`);
  if (!binding.target?.name) errors.push('target.name: Required value');
  if (errors.length === 0) return undefined;
  // utilerrors.NewAggregate: one error is its own text, several are listed in brackets.
  return errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`;
}

/**
 * Binds pod `name` in `namespace` to `binding.target.name` at `now` (ms); returns the stored pod. Throws the
 * StoreError the API server would answer with.
 */
export function bindPod(
  store: Store,
  namespace: string,
  name: string,
  binding: Binding,
  now: number,
  source: Mutation['source'],
): KubeObject {
  if (binding.metadata?.name !== name)
    throw new StoreError(400, 'BadRequest', 'name in URL does not match name in Binding object');
  const invalid = bindingError(binding);
  // A validation error that is no API status: the handler answers 500 with its text (ErrorToAPIStatus).
  if (invalid) throw new StoreError(500, '', invalid);
  const pods = store.resourceFor('v1', 'Pod');
  const pod = store.get(pods, namespace, name);
  if (!pod) throw store.notFound(pods, name);
  const conflict = (why: string) =>
    new StoreError(409, 'Conflict', `Operation cannot be fulfilled on pods/binding "${name}": ${why}`, {
      name,
      kind: 'pods/binding',
      group: '',
    });
  if (pod.metadata?.deletionTimestamp)
    throw conflict(`pod ${name} is being deleted, cannot be assigned to a host`);
  const spec = (pod.spec ?? {}) as { nodeName?: string };
  if (spec.nodeName) throw conflict(`pod ${name} is already assigned to node "${spec.nodeName}"`);
  const next = structuredClone(pod);
  next.spec = { ...spec, nodeName: binding.target?.name };
  const annotations = binding.metadata?.annotations;
  if (annotations && next.metadata)
    next.metadata.annotations = { ...next.metadata.annotations, ...annotations };
  const status = (next.status ?? {}) as { conditions?: PodCondition[] };
  next.status = { ...status, conditions: scheduled(status.conditions ?? [], kubeTime(now)) };
  return store.replace(pods, namespace, name, next, { source, verb: 'create', subresource: 'binding' });
}

/** UpdatePodCondition with PodScheduled True. */
function scheduled(conditions: PodCondition[], at: string): PodCondition[] {
  return setCondition(conditions, { type: 'PodScheduled', status: 'True', lastProbeTime: null }, at);
}
