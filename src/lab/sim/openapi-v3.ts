/**
 * The OpenAPI v3 documents the simulated API server publishes at `/openapi/v3` (the index of group-versions) and
 * `/openapi/v3/<api/v1 | apis/group/version>` (one group-version), as kube-apiserver v1.33 does
 * (k8s.io/kube-openapi pkg/handler3/handler.go: the index maps each group-version to a `serverRelativeURL` carrying
 * the document's hash).
 *
 * What kubectl v1.32 reads from them, and so what these documents hold:
 * - `kubectl apply|create|replace` ask whether the server validates fields itself before sending
 *   `fieldValidation=Strict` (k8s.io/cli-runtime pkg/resource/query_param_verifier_v3.go supportsQueryParamV3): a
 *   PATCH operation tagged with the kind's `x-kubernetes-group-version-kind` that takes the `fieldValidation`
 *   query parameter. With no such document kubectl falls back to client-side validation against /openapi/v2, which
 *   the sim does not serve, and `kubectl apply` fails with "failed to download openapi".
 * - client-side apply looks for a component schema of the kind to compute its patch (k8s.io/kubectl
 *   pkg/cmd/apply/patcher.go buildStrategicMergePatchFromOpenAPIV3); none is published, so it uses the patch
 *   metadata compiled into kubectl, which is what kube-apiserver's own strategic merge uses (patch-schema.ts).
 * Not published: the component schemas (so `kubectl explain` finds nothing) and operations other than PATCH.
 */
import { createHash } from 'node:crypto';
import { patchTypesFor } from './patch-schema.js';
import type { ResourceType } from './resources.js';

/** The index key of a group-version: `api/v1` for the core group, `apis/<group>/<version>` for the others. */
export function groupVersionPath(type: Pick<ResourceType, 'group' | 'version'>): string {
  return type.group ? `apis/${type.group}/${type.version}` : `api/${type.version}`;
}

const queryParameter = (name: string) => ({
  name,
  in: 'query',
  schema: { type: 'string', uniqueItems: true },
});
const pathParameter = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string' } });

function patchOperation(type: ResourceType, subresource?: 'status' | 'scale') {
  const gvk =
    subresource === 'scale'
      ? { group: 'autoscaling', version: 'v1', kind: 'Scale' }
      : { group: type.group, version: type.version, kind: type.kind };
  const accepted = patchTypesFor(type);
  return {
    description: subresource
      ? `partially update ${subresource} of the specified ${type.kind}`
      : `partially update the specified ${type.kind}`,
    'x-kubernetes-action': 'patch',
    'x-kubernetes-group-version-kind': gvk,
    parameters: ['dryRun', 'fieldManager', 'fieldValidation', 'force'].map(queryParameter),
    requestBody: {
      required: true,
      content: Object.fromEntries(accepted.map((t) => [t, { schema: { type: 'object' } }])),
    },
    responses: { '200': { description: 'OK' }, '201': { description: 'Created' } },
  };
}

/** One group-version's document: a path per resource (and subresource) with its PATCH operation. */
export function groupVersionDocument(resources: readonly ResourceType[], kubeVersion: string) {
  const paths: Record<string, unknown> = {};
  for (const type of resources) {
    const base = type.namespaced
      ? `/${groupVersionPath(type)}/namespaces/{namespace}/${type.plural}/{name}`
      : `/${groupVersionPath(type)}/${type.plural}/{name}`;
    const parameters = [...(type.namespaced ? [pathParameter('namespace')] : []), pathParameter('name')];
    paths[base] = { parameters, patch: patchOperation(type) };
    for (const sub of type.subresources ?? [])
      paths[`${base}/${sub}`] = { parameters, patch: patchOperation(type, sub) };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: kubeVersion },
    paths,
    components: { schemas: {} },
  };
}

/** The index: every served group-version with the URL of its document, whose `hash` changes with its content. */
export function openApiIndex(resources: readonly ResourceType[], kubeVersion: string) {
  const byGroupVersion = new Map<string, ResourceType[]>();
  for (const type of resources) {
    const key = groupVersionPath(type);
    byGroupVersion.set(key, [...(byGroupVersion.get(key) ?? []), type]);
  }
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const [key, types] of [...byGroupVersion].sort(([a], [b]) => a.localeCompare(b))) {
    const hash = createHash('sha512')
      .update(JSON.stringify(groupVersionDocument(types, kubeVersion)))
      .digest('hex')
      .toUpperCase();
    paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hash}` };
  }
  return { paths };
}

/** The resources of the group-version an `/openapi/v3/...` path names (none: not served). */
export function resourcesAt(resources: readonly ResourceType[], key: string): ResourceType[] {
  return resources.filter((type) => groupVersionPath(type) === key);
}
