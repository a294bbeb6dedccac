/**
 * Whether a pod may run on a node, as the DaemonSet controller asks it (pkg/controller/daemon/daemon_controller.go
 * NodeShouldRunDaemonPod and predicates, Kubernetes v1.33): the pod's nodeSelector and required node affinity match
 * the node (k8s.io/component-helpers/scheduling/corev1/nodeaffinity GetRequiredNodeAffinity: every nodeSelector pair,
 * then any one of the nodeSelectorTerms, each term's matchExpressions on the node's labels and matchFields on its
 * name), and the pod tolerates the node's NoSchedule and NoExecute taints (v1helper.FindMatchingUntoleratedTaint;
 * toleration matching of k8s.io/api/core/v1 toleration.go ToleratesTaint). A node being deleted is not eligible.
 * Not modelled: Gt/Lt on non-integer values beyond Number parsing, PreferNoSchedule (never blocks).
 */
import type { KubeObject } from './store.js';

export interface NodeSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';
  values?: string[];
}

export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  effect?: string;
}

interface Taint {
  key: string;
  value?: string;
  effect: string;
}

export interface SchedulingSpec {
  nodeSelector?: Record<string, string>;
  affinity?: {
    nodeAffinity?: {
      requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] };
    };
  };
  tolerations?: Toleration[];
}

/** nodeaffinity requirement matching: a missing key fails In, Gt, Lt and Exists, passes NotIn and DoesNotExist. */
function requirementMatches(r: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      const [bound] = values;
      if (value === undefined || bound === undefined) return false;
      const a = Number.parseInt(value, 10);
      const b = Number.parseInt(bound, 10);
      if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
      return r.operator === 'Gt' ? a > b : a < b;
    }
    default:
      return false;
  }
}

/** A term with neither expressions nor fields matches nothing (nodeSelectorTerms' rule). */
function termMatches(term: NodeSelectorTerm, node: KubeObject): boolean {
  const expressions = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (expressions.length === 0 && fields.length === 0) return false;
  const labels = node.metadata?.labels ?? {};
  return (
    expressions.every((r) => requirementMatches(r, labels[r.key])) &&
    fields.every((r) => r.key === 'metadata.name' && requirementMatches(r, node.metadata?.name))
  );
}

/** GetRequiredNodeAffinity(pod).Match(node): the nodeSelector, then any of the required terms. */
export function nodeAffinityMatches(spec: SchedulingSpec, node: KubeObject): boolean {
  const labels = node.metadata?.labels ?? {};
  const selectorOk = Object.entries(spec.nodeSelector ?? {}).every(([k, v]) => labels[k] === v);
  const terms =
    spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  return selectorOk && (terms === undefined || terms.some((t) => termMatches(t, node)));
}

/** Toleration.ToleratesTaint: same effect (or any), same key (or an empty key with Exists), value when Equal. */
export function tolerates(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  if (!toleration.key && toleration.operator !== 'Exists') return false;
  if (toleration.operator === 'Exists') return true;
  return (toleration.value ?? '') === (taint.value ?? '');
}

/** NodeShouldRunDaemonPod's predicates: affinity and untolerated NoSchedule / NoExecute taints. */
export function nodeShouldRunPod(spec: SchedulingSpec, node: KubeObject): boolean {
  if (node.metadata?.deletionTimestamp) return false;
  const taints = ((node.spec as { taints?: Taint[] } | undefined)?.taints ?? []).filter((t) =>
    ['NoSchedule', 'NoExecute'].includes(t.effect),
  );
  const tolerations = spec.tolerations ?? [];
  return nodeAffinityMatches(spec, node) && taints.every((t) => tolerations.some((tol) => tolerates(tol, t)));
}
