#!/usr/bin/env node
/**
 * Builds the JSON schemas that `gitops-lab lint` validates manifests against (schemas/*.json), offline:
 *
 * - schemas/kubernetes.json: core kinds, derived from the model metadata that @kubernetes/client-node ships
 *   (each generated model lists its fields, their types and, in its .d.ts, which are required).
 * - schemas/argo.json: Argo CD and Argo Rollouts kinds, from their CustomResourceDefinitions
 *   vendored in schemas/crds/ (argo-*.yaml) at the exact versions the lab installs (Argo CD v3.1.12, Argo
 *   Rollouts v1.8.3), or the folder given as the first argument.
 * - schemas/prometheus-operator.json: ServiceMonitor, PodMonitor, Probe and PrometheusRule, from the CRDs
 *   vendored in the same folder (prometheus-operator-*.yaml) as the pinned kube-prometheus-stack chart ships
 *   them (79.7.1: Prometheus Operator v0.86.2; refresh with scripts/vendor-prometheus-operator-crds.sh).
 *
 * Both are made strict the way `kubectl --validate=strict` is: wherever a schema lists properties and does
 * not preserve unknown fields, an unknown field is an error (additionalProperties: false).
 * Run: npm run build && node scripts/build-schemas.mjs [CRD_DIR]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as clientNode from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
// The CRD conversion is shared with lint itself (CRDs found in a repository): run `npm run build` first.
import { crdKindSchemas } from '../dist/lab/lint/crd-schema.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The generated model classes, by name. */
const k8s = new Map(Object.entries(clientNode));
const require = createRequire(import.meta.url);
const modelsDir = join(dirname(require.resolve('@kubernetes/client-node')), 'gen', 'models');

/**
 * Every built-in kind the API server lets a client create, read from client-node's generated API classes:
 * each `create…` request factory posts to `/api/v1/…` or `/apis/GROUP/VERSION/…` with a body of one model
 * class. Subresources (paths with `{name}`, such as pods/eviction) are not kinds of their own, and alpha
 * versions are off by default on the API server (kube-apiserver --runtime-config), so both are left out.
 * client-node 1.4.0 is generated from Kubernetes 1.34's OpenAPI; the groups that 1.34 added on top of the
 * lab's 1.33 (resource.k8s.io/v1) are left out too, so an object valid here is valid on kind's 1.33 node.
 */
function discoverKinds() {
  const apisDir = join(modelsDir, '..', 'apis');
  const kinds = {};
  for (const file of readdirSync(apisDir).filter((f) => /Api\.js$/.test(f))) {
    const js = readFileSync(join(apisDir, file), 'utf8');
    const dts = readFileSync(join(apisDir, file.replace(/\.js$/, '.d.ts')), 'utf8');
    for (const m of js.matchAll(
      /async (create(?:Namespaced)?(\w+?))\((?:namespace, )?body,[\s\S]*?localVarPath = '([^']+)'/g,
    )) {
      const [, method, kind, path] = m;
      if (path.includes('{name}')) continue;
      const version = path.match(/^\/api\/(v1)\/|^\/apis\/([^/]+\/[^/]+)\//);
      if (!version) continue;
      const apiVersion = version[1] ?? version[2];
      if (/alpha/.test(apiVersion) || apiVersion === 'resource.k8s.io/v1') continue;
      const body = dts.match(new RegExp(`\\b${method}\\((?:namespace: string, )?body: (\\w+)`))?.[1];
      if (!body || !k8s.get(body)?.attributeTypeMap) continue;
      // Review and request kinds (TokenReview, SubjectAccessReview…) are created, never kept in Git, but
      // they are still kinds; keep them.
      kinds[`${apiVersion}/${kind}`] = body;
    }
  }
  return kinds;
}

/** apiVersion/kind → client-node model class. */
const coreKinds = {
  'v1/ConfigMap': 'V1ConfigMap',
  'v1/Secret': 'V1Secret',
  'v1/Service': 'V1Service',
  'v1/ServiceAccount': 'V1ServiceAccount',
  'v1/Namespace': 'V1Namespace',
  'v1/Pod': 'V1Pod',
  'v1/PersistentVolumeClaim': 'V1PersistentVolumeClaim',
  'v1/LimitRange': 'V1LimitRange',
  'v1/ResourceQuota': 'V1ResourceQuota',
  'apps/v1/Deployment': 'V1Deployment',
  'apps/v1/StatefulSet': 'V1StatefulSet',
  'apps/v1/DaemonSet': 'V1DaemonSet',
  'apps/v1/ReplicaSet': 'V1ReplicaSet',
  'batch/v1/Job': 'V1Job',
  'batch/v1/CronJob': 'V1CronJob',
  'autoscaling/v2/HorizontalPodAutoscaler': 'V2HorizontalPodAutoscaler',
  'autoscaling/v1/HorizontalPodAutoscaler': 'V1HorizontalPodAutoscaler',
  'policy/v1/PodDisruptionBudget': 'V1PodDisruptionBudget',
  'networking.k8s.io/v1/Ingress': 'V1Ingress',
  'networking.k8s.io/v1/NetworkPolicy': 'V1NetworkPolicy',
  'rbac.authorization.k8s.io/v1/Role': 'V1Role',
  'rbac.authorization.k8s.io/v1/RoleBinding': 'V1RoleBinding',
  'rbac.authorization.k8s.io/v1/ClusterRole': 'V1ClusterRole',
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': 'V1ClusterRoleBinding',
};

/** Fields holding resource quantities: Kubernetes accepts a number or a string there. */
const quantityMaps = new Set([
  'limits',
  'requests',
  'hard',
  'capacity',
  'allocatable',
  'used',
  'default',
  'defaultRequest',
  'max',
  'min',
  'maxLimitRequestRatio',
]);
const quantityScalars = new Set(['sizeLimit', 'divisor']);

function requiredFields(model) {
  let text;
  try {
    text = readFileSync(join(modelsDir, `${model}.d.ts`), 'utf8');
  } catch {
    return [];
  }
  return [...text.matchAll(/^\s+'([^']+)':/gm)].map((m) => m[1]);
}

function typeSchema(type, format, name, visit) {
  if (type === 'string')
    return quantityScalars.has(name) ? { type: ['string', 'number'] } : { type: 'string' };
  if (type === 'boolean') return { type: 'boolean' };
  if (type === 'number') return { type: format === 'double' ? 'number' : 'integer' };
  if (type === 'Date' || type === 'V1MicroTime') return { type: 'string' };
  if (type === 'IntOrString') return { type: ['integer', 'string'] };
  if (type === 'any' || type === 'object') return {};
  const array = type.match(/^Array<(.+)>$/);
  if (array) return { type: 'array', items: typeSchema(array[1], format, '', visit) };
  const map = type.match(/^\{ \[key: string\]: (.+); \}$/);
  if (map) {
    const value = quantityMaps.has(name)
      ? { type: ['string', 'number'] }
      : typeSchema(map[1], format, '', visit);
    return { type: 'object', additionalProperties: value };
  }
  if (k8s.get(type)?.attributeTypeMap) {
    visit(type);
    return { $ref: `#/definitions/${type}` };
  }
  throw new Error(`unmapped client-node type ${type}`);
}

function buildKubernetes() {
  const definitions = {};
  const visit = (model) => {
    if (definitions[model]) return;
    definitions[model] = {};
    const properties = {};
    for (const attr of k8s.get(model).attributeTypeMap) {
      properties[attr.baseName] = typeSchema(attr.type, attr.format, attr.baseName, visit);
    }
    const required = requiredFields(model).filter((f) => f in properties);
    definitions[model] = {
      type: 'object',
      properties,
      additionalProperties: false,
      ...(required.length > 0 ? { required } : {}),
    };
  };
  const kinds = {};
  for (const [key, model] of Object.entries({ ...discoverKinds(), ...coreKinds })) {
    visit(model);
    const slash = key.lastIndexOf('/');
    const apiVersion = key.slice(0, slash);
    const kind = key.slice(slash + 1);
    kinds[key] = {
      allOf: [{ $ref: `#/definitions/${model}` }],
      required: ['apiVersion', 'kind', 'metadata'],
      properties: { apiVersion: { const: apiVersion }, kind: { const: kind } },
    };
  }
  return {
    $id: 'kubernetes.json',
    $comment: `Generated by scripts/build-schemas.mjs from @kubernetes/client-node ${clientNode.VERSION ?? ''} model metadata. Do not edit.`,
    kinds,
    definitions,
  };
}

/** The CRDs in the YAML files of `crdDir` whose names start with `prefix`. */
function readCrds(crdDir, prefix) {
  const crds = [];
  for (const file of readdirSync(crdDir)
    .filter((f) => f.startsWith(prefix) && /\.ya?ml$/.test(f))
    .sort()) {
    for (const doc of parseAllDocuments(readFileSync(join(crdDir, file), 'utf8'))) crds.push(doc.toJS());
  }
  return crds;
}

function buildArgo(crdDir) {
  return {
    $id: 'argo.json',
    $comment: `Generated by scripts/build-schemas.mjs from the Argo CD and Argo Rollouts CRDs. Do not edit.`,
    kinds: argoKindSchemas(readCrds(crdDir, 'argo-')),
  };
}

/** A bundle of its own: argo.json is large already, and lint reads a bundle only when one of its kinds is met. */
function buildPrometheusOperator(crdDir) {
  const crds = readCrds(crdDir, 'prometheus-operator-');
  const versions = new Set(crds.map((crd) => crd?.metadata?.annotations?.['operator.prometheus.io/version']));
  return {
    $id: 'prometheus-operator.json',
    $comment: `Generated by scripts/build-schemas.mjs from the Prometheus Operator ${[...versions].join(', ')} CRDs (kube-prometheus-stack's crds subchart). Do not edit.`,
    kinds: argoKindSchemas(crds),
  };
}

/**
 * The lint schema of every served version of every CustomResourceDefinition among `objects`, by
 * `group/version/Kind` (tests/manifests/vendored-argo.test.ts checks schemas/argo.json against the CRDs in the
 * vendored install manifests with it).
 */
export function argoKindSchemas(objects) {
  const kinds = {};
  for (const crd of objects) {
    if (crd?.kind !== 'CustomResourceDefinition') continue;
    for (const [key, schema] of crdKindSchemas(crd)) kinds[key] = schema;
  }
  return kinds;
}

/** Kustomization files (kustomize.config.k8s.io/v1beta1), top level and the entries lint reads, strict. */
function buildKustomization() {
  const stringList = { type: 'array', items: { type: 'string' } };
  const stringMap = { type: 'object', additionalProperties: { type: 'string' } };
  const open = { type: 'object' };
  const generator = {
    type: 'object',
    additionalProperties: false,
    required: ['name'],
    properties: {
      name: { type: 'string' },
      namespace: { type: 'string' },
      behavior: { enum: ['create', 'replace', 'merge'] },
      type: { type: 'string' },
      files: stringList,
      literals: stringList,
      envs: stringList,
      env: { type: 'string' },
      options: {
        type: 'object',
        additionalProperties: false,
        properties: {
          labels: stringMap,
          annotations: stringMap,
          disableNameSuffixHash: { type: 'boolean' },
          immutable: { type: 'boolean' },
        },
      },
    },
  };
  return {
    $id: 'kustomization.json',
    $comment: 'Generated by scripts/build-schemas.mjs (kustomize v5 Kustomization fields). Do not edit.',
    type: 'object',
    additionalProperties: false,
    properties: {
      apiVersion: { enum: ['kustomize.config.k8s.io/v1beta1', 'kustomize.config.k8s.io/v1alpha1'] },
      kind: { enum: ['Kustomization', 'Component'] },
      metadata: open,
      resources: stringList,
      bases: stringList,
      components: stringList,
      crds: stringList,
      namespace: { type: 'string' },
      namePrefix: { type: 'string' },
      nameSuffix: { type: 'string' },
      commonLabels: stringMap,
      commonAnnotations: stringMap,
      labels: { type: 'array', items: open },
      patches: { type: 'array', items: open },
      patchesStrategicMerge: { type: 'array', items: { type: ['string', 'object'] } },
      patchesJson6902: { type: 'array', items: open },
      images: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['name'],
          properties: {
            name: { type: 'string' },
            newName: { type: 'string' },
            newTag: { type: 'string' },
            digest: { type: 'string' },
            tagSuffix: { type: 'string' },
          },
        },
      },
      replicas: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['name', 'count'],
          properties: { name: { type: 'string' }, count: { type: 'integer' } },
        },
      },
      configMapGenerator: { type: 'array', items: generator },
      secretGenerator: { type: 'array', items: generator },
      generatorOptions: open,
      generators: stringList,
      transformers: stringList,
      validators: stringList,
      replacements: { type: 'array', items: open },
      vars: { type: 'array', items: open },
      configurations: stringList,
      openapi: open,
      helmCharts: { type: 'array', items: open },
      helmGlobals: open,
      helmChartInflationGenerator: { type: 'array', items: open },
      buildMetadata: stringList,
      sortOptions: open,
    },
  };
}

function writeAtomic(file, value) {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(value)}\n`);
  renameSync(tmp, file);
}

function main() {
  const crdDir = process.argv[2] ?? join(root, 'schemas', 'crds');
  writeAtomic(join(root, 'schemas', 'kubernetes.json'), buildKubernetes());
  writeAtomic(join(root, 'schemas', 'argo.json'), buildArgo(crdDir));
  writeAtomic(join(root, 'schemas', 'prometheus-operator.json'), buildPrometheusOperator(crdDir));
  writeAtomic(join(root, 'schemas', 'kustomization.json'), buildKustomization());
  // Keep the generated files in the repository's formatting (biome checks JSON too).
  const biome = join(root, 'node_modules', '.bin', 'biome');
  if (existsSync(biome))
    execFileSync(biome, ['format', '--write', join(root, 'schemas')], { stdio: 'ignore' });
  process.stdout.write(
    `wrote schemas/kubernetes.json, schemas/argo.json, schemas/prometheus-operator.json and schemas/kustomization.json (CRDs from ${crdDir})\n`,
  );
}

// Run when executed, not when imported (the tests import argoKindSchemas).
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
