/**
 * The conditions the namespace controller keeps on a namespace being deleted, as in Kubernetes v1.33
 * (pkg/controller/namespace/deletion/status_condition_utils.go; namespaced_resources_deleter.go deleteAllContent;
 * read in an untagged copy of the v1.3x line): five types, each True with a failure's reason and message or False
 * with its "ok" one. The sim knows every kind it serves, so discovery, parsing and deletion never fail; what remains
 * is the content not yet gone (`<resource>.<group> has N resource instances`, sorted) and the finalizers it still
 * carries (`<finalizer> in N resource instances`, sorted). A condition is rewritten, with a new lastTransitionTime,
 * only when its status, reason or message changes (namespaceConditionUpdater.Apply).
 */
import { finalizersOf } from './finalizers.js';
import type { ResourceType } from './resources.js';
import type { KubeObject } from './store.js';

export interface NamespaceCondition {
  type: string;
  status: 'True' | 'False';
  lastTransitionTime: string;
  reason: string;
  message: string;
}

/** The types in their order, with the reason and message of their "ok" (False) variant. */
const okConditions: Array<[type: string, reason: string, message: string]> = [
  ['NamespaceDeletionDiscoveryFailure', 'ResourcesDiscovered', 'All resources successfully discovered'],
  [
    'NamespaceDeletionGroupVersionParsingFailure',
    'ParsedGroupVersions',
    'All legacy kube types successfully parsed',
  ],
  [
    'NamespaceDeletionContentFailure',
    'ContentDeleted',
    'All content successfully deleted, may be waiting on finalization',
  ],
  ['NamespaceContentRemaining', 'ContentRemoved', 'All content successfully removed'],
  ['NamespaceFinalizersRemaining', 'ContentHasNoFinalizers', 'All content-preserving finalizers finished'],
];

/** What is left in the namespace, by resource. */
export type Remaining = Array<{ resource: ResourceType; objects: KubeObject[] }>;

function failures(remaining: Remaining): Map<string, [reason: string, message: string]> {
  const out = new Map<string, [string, string]>();
  const byResource = remaining
    .filter((r) => r.objects.length > 0)
    .map((r) => `${r.resource.plural}.${r.resource.group} has ${r.objects.length} resource instances`)
    .sort();
  if (byResource.length > 0)
    out.set('NamespaceContentRemaining', [
      'SomeResourcesRemain',
      `Some resources are remaining: ${byResource.join(', ')}`,
    ]);
  const counts = new Map<string, number>();
  for (const o of remaining.flatMap((r) => r.objects))
    for (const f of finalizersOf(o)) counts.set(f, (counts.get(f) ?? 0) + 1);
  const byFinalizer = [...counts].map(([f, n]) => `${f} in ${n} resource instances`).sort();
  if (byFinalizer.length > 0)
    out.set('NamespaceFinalizersRemaining', [
      'SomeFinalizersRemain',
      `Some content in the namespace has finalizers remaining: ${byFinalizer.join(', ')}`,
    ]);
  return out;
}

/** The namespace's conditions after a pass that left `remaining`, at `at` (a Kubernetes timestamp). */
export function namespaceConditions(
  current: readonly NamespaceCondition[],
  remaining: Remaining,
  at: string,
): NamespaceCondition[] {
  const failed = failures(remaining);
  const out = [...current];
  for (const [type, okReason, okMessage] of okConditions) {
    const [reason, message] = failed.get(type) ?? [okReason, okMessage];
    const next: NamespaceCondition = {
      type,
      status: failed.has(type) ? 'True' : 'False',
      lastTransitionTime: at,
      reason,
      message,
    };
    const i = out.findIndex((c) => c.type === type);
    if (i < 0) out.push(next);
    else {
      const old = out[i] as NamespaceCondition;
      if (old.status !== next.status || old.reason !== next.reason || old.message !== next.message)
        out[i] = next;
    }
  }
  return out;
}
