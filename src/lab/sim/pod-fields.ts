/**
 * Field selectors on pods as a Kubernetes v1.33 API server answers them (`kubectl get po --field-selector
 * spec.nodeName=gitops-lab-control-plane`): only the fields the pod registry makes selectable, each compared as text
 * with an unset field reading as the empty string.
 *
 * - The labels a v1 client may use (pkg/apis/core/v1/conversion.go, the Pod field label conversion): metadata.name,
 *   metadata.namespace, spec.nodeName, spec.restartPolicy, spec.schedulerName, spec.serviceAccountName,
 *   spec.hostNetwork, status.phase, status.podIP, status.podIPs, status.nominatedNodeName, and the old
 *   `spec.host` for spec.nodeName. Any other is refused: 400 BadRequest "field label not supported: <label>"
 *   (apiserver handlers: the conversion's error made a BadRequest).
 * - Their values (pkg/registry/core/pod/strategy.go ToSelectableFields, generic.AddObjectMetaFieldsSet): the
 *   pod's fields after the API server's defaults (restartPolicy Always and schedulerName default-scheduler,
 *   pkg/apis/core/v1/defaults.go SetDefaults_PodSpec; serviceAccountName `default`, the ServiceAccount admission
 *   plugin), spec.hostNetwork as `true`/`false`, status.podIP the first of status.podIPs. status.podIPs passes the
 *   conversion but is not in the set, so it reads as empty.
 * - The selector's syntax (apimachinery pkg/fields/selector.go parseSelector): terms apart by commas, each
 *   `field=value`, `field==value` or `field!=value`; a term without one of them is an invalid selector. Backslash
 *   escapes in values are not modelled.
 * The strategy.go read is an untagged copy of the v1.32+ line (it has the BtreeWatchCache index rule).
 */
import type { KubeObject } from './store.js';
import { StoreError } from './store.js';

interface PodFields {
  spec?: {
    nodeName?: string;
    restartPolicy?: string;
    schedulerName?: string;
    serviceAccountName?: string;
    hostNetwork?: boolean;
  };
  status?: { phase?: string; podIP?: string; podIPs?: Array<{ ip?: string }>; nominatedNodeName?: string };
}

/** The pod's selectable fields (ToSelectableFields) by label. */
export function podSelectableFields(pod: KubeObject): Record<string, string> {
  const { spec = {}, status = {} } = pod as PodFields;
  return {
    'metadata.name': pod.metadata?.name ?? '',
    'metadata.namespace': pod.metadata?.namespace ?? '',
    'spec.nodeName': spec.nodeName ?? '',
    'spec.restartPolicy': spec.restartPolicy || 'Always',
    'spec.schedulerName': spec.schedulerName || 'default-scheduler',
    'spec.serviceAccountName': spec.serviceAccountName || 'default',
    'spec.hostNetwork': String(spec.hostNetwork === true),
    'status.phase': status.phase ?? '',
    'status.podIP': status.podIPs?.[0]?.ip ?? status.podIP ?? '',
    'status.nominatedNodeName': status.nominatedNodeName ?? '',
  };
}

/** The Pod field label conversion: the field a label selects, or undefined when it is not supported. */
function podFieldLabel(label: string): string | undefined {
  if (label === 'spec.host') return 'spec.nodeName';
  if (label === 'status.podIPs') return label;
  return label in podSelectableFields({}) ? label : undefined;
}

/**
 * A field selector on pods as a predicate. Throws a 400 StoreError for a term that is not a selector or a field
 * pods do not support, as the API server refuses the request.
 */
export function podFieldSelectorMatcher(selector: string | null | undefined): (pod: KubeObject) => boolean {
  if (!selector) return () => true;
  // splitTerms; empty terms are skipped.
  const terms = selector.split(',').filter((term) => term !== '');
  const tests = terms.map((term) => {
    const m = /^(.*?)(!=|==|=)(.*)$/.exec(term);
    if (!m)
      throw new StoreError(400, 'BadRequest', `invalid selector: '${selector}'; can't understand '${term}'`);
    const [, label = '', op, value = ''] = m;
    const field = podFieldLabel(label);
    if (field === undefined) throw new StoreError(400, 'BadRequest', `field label not supported: ${label}`);
    return (fields: Record<string, string>) => ((fields[field] ?? '') === value) === (op !== '!=');
  });
  return (pod) => {
    const fields = podSelectableFields(pod);
    return tests.every((t) => t(fields));
  };
}
