/**
 * A CustomResourceDefinition's openAPIV3Schema made strict and portable to ajv, the way the API server
 * prunes and validates custom resources (apiextensions-apiserver v0.33, pkg/apiserver/schema/pruning: a field
 * that the structural schema does not list is dropped unless x-kubernetes-preserve-unknown-fields; lint
 * reports it, as `kubectl --validate=strict` does). `metadata` refers to ObjectMeta of kubernetes.json.
 * Used by scripts/build-schemas.mjs for the vendored CRDs and by lint for CRDs found in a repository.
 */
type Node = unknown;

export function strictCrdSchema(node: Node, path: string[] = []): Node {
  if (Array.isArray(node)) return node.map((n) => strictCrdSchema(n, path));
  if (!node || typeof node !== 'object') return node;
  const source = node as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const preserve = source['x-kubernetes-preserve-unknown-fields'] === true;
  for (const [key, value] of Object.entries(source)) {
    if (key.startsWith('x-kubernetes-') || key === 'description' || key === 'format') continue;
    if (key === 'properties' && value && typeof value === 'object') {
      const properties: Record<string, unknown> = {};
      for (const [prop, sub] of Object.entries(value))
        properties[prop] = strictCrdSchema(sub, [...path, prop]);
      out.properties = properties;
    } else if (key === 'additionalProperties' && typeof value === 'object') {
      out.additionalProperties = strictCrdSchema(value, [...path, '*']);
    } else if (key === 'items') {
      out.items = strictCrdSchema(value, [...path, '[]']);
    } else if (['allOf', 'anyOf', 'oneOf', 'not'].includes(key)) {
      out[key] = strictCrdSchema(value, path);
    } else {
      out[key] = value;
    }
  }
  if (source['x-kubernetes-int-or-string'] === true) out.type = ['integer', 'string'];
  if (out.properties && !preserve && out.additionalProperties === undefined) out.additionalProperties = false;
  if (path.length === 1 && path[0] === 'metadata')
    return { $ref: 'kubernetes.json#/definitions/V1ObjectMeta' };
  // Embedded object metadata (pod templates) lists labels and annotations only; allow the rest of ObjectMeta.
  const properties = out.properties as Record<string, unknown> | undefined;
  if (path.at(-1) === 'metadata' && properties && (properties.labels || properties.annotations)) {
    return { $ref: 'kubernetes.json#/definitions/V1ObjectMeta' };
  }
  return out;
}

/** `apiVersion/kind` → schema for each served version of a CRD object (v1 CRDs; others give none). */
export function crdKindSchemas(crd: Record<string, unknown>): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  const spec = (crd.spec ?? {}) as Record<string, unknown>;
  const group = spec.group;
  const kind = (spec.names as { kind?: unknown } | undefined)?.kind;
  if (typeof group !== 'string' || typeof kind !== 'string' || !Array.isArray(spec.versions)) return out;
  for (const version of spec.versions as Array<Record<string, unknown>>) {
    if (!version || version.served === false || typeof version.name !== 'string') continue;
    const openApi = (version.schema as { openAPIV3Schema?: unknown } | undefined)?.openAPIV3Schema;
    if (!openApi || typeof openApi !== 'object') continue;
    const apiVersion = `${group}/${version.name}`;
    const schema = strictCrdSchema(openApi) as Record<string, unknown>;
    const properties = { ...((schema.properties as Record<string, unknown> | undefined) ?? {}) };
    schema.required = [
      ...new Set([...((schema.required as string[] | undefined) ?? []), 'apiVersion', 'kind', 'metadata']),
    ];
    // apiVersion, kind and metadata are implicit in a CRD's schema (the API server adds ObjectMeta).
    properties.metadata ??= { $ref: 'kubernetes.json#/definitions/V1ObjectMeta' };
    properties.apiVersion = { const: apiVersion };
    properties.kind = { const: kind };
    // status (and an Argo CD Application's operation) are written by controllers, not kept in Git: accept any
    // object there, which also keeps the compiled validators small.
    for (const field of ['status', 'operation'])
      if (properties[field]) properties[field] = { type: 'object' };
    schema.properties = properties;
    out.set(`${apiVersion}/${kind}`, schema);
  }
  return out;
}
