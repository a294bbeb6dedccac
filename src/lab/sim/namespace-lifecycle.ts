/**
 * The NamespaceLifecycle admission plugin of a Kubernetes v1.33 API server (staging/src/k8s.io/apiserver/pkg/
 * admission/plugin/namespace/lifecycle/admission.go Admit; read in an untagged copy of the v1.3x line):
 * - the immortal namespaces, default, kube-system and kube-public (the plugin's registration), may not be deleted:
 *   403 Forbidden "this namespace may not be deleted" (kube-node-lease is not among them);
 * - nothing new may be created in a namespace whose phase is Terminating: 403 Forbidden "unable to create new content
 *   in namespace <ns> because it is being terminated", with a NamespaceTerminating cause on metadata.namespace.
 */
import type { ResourceType } from './resources.js';
import { type KubeObject, type Store, StoreError } from './store.js';

export const IMMORTAL_NAMESPACES: readonly string[] = ['default', 'kube-system', 'kube-public'];

/** A DELETE of namespace `name`: refused for an immortal one. */
export function checkNamespaceDeletable(name: string): void {
  if (IMMORTAL_NAMESPACES.includes(name))
    throw new StoreError(
      403,
      'Forbidden',
      `namespaces "${name}" is forbidden: this namespace may not be deleted`,
      {
        name,
        kind: 'namespaces',
      },
    );
}

/** A create of `name` (a `resource`) in `namespace`, an existing one: refused while it is being terminated. */
function checkNamespaceAcceptsCreate(resource: ResourceType, namespace: KubeObject, name: string): void {
  if ((namespace.status as { phase?: string } | undefined)?.phase !== 'Terminating') return;
  const ns = namespace.metadata?.name ?? '';
  const qualified = resource.group ? `${resource.plural}.${resource.group}` : resource.plural;
  throw new StoreError(
    403,
    'Forbidden',
    `${qualified} "${name}" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`,
    {
      name,
      kind: resource.plural,
      group: resource.group,
      causes: [
        {
          reason: 'NamespaceTerminating',
          message: `namespace ${ns} is being terminated`,
          field: 'metadata.namespace',
        },
      ],
    },
  );
}

/**
 * A create of `name` (a `resource`) in namespace `ns`: the namespace must exist (404 NotFound, `namespaces "<ns>" not
 * found`, from the create handler's namespace lookup) and not be terminating (above). Returns the namespace.
 */
export function requireNamespaceForCreate(
  store: Store,
  resource: ResourceType,
  ns: string,
  name: string,
): KubeObject {
  const namespace = store.get(store.resourceFor('v1', 'Namespace'), undefined, ns);
  if (!namespace)
    throw new StoreError(404, 'NotFound', `namespaces "${ns}" not found`, { name: ns, kind: 'namespaces' });
  checkNamespaceAcceptsCreate(resource, namespace, name);
  return namespace;
}
