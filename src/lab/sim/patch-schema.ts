/**
 * The patch metadata of the built-in kinds the simulated API server serves: which lists a strategic merge patch
 * merges and on what key, and which maps it replaces. These are the `patchStrategy` / `patchMergeKey` struct tags
 * of k8s.io/api v0.33.1 (core/v1, apps/v1, batch/v1, autoscaling/v2, policy/v1 types.go) and of k8s.io/apimachinery
 * v0.33.1 pkg/apis/meta/v1/types.go (ObjectMeta), which kube-apiserver reads through
 * strategicpatch.NewPatchMetaFromStruct. A field with no tag is merged if it is a map and replaced if it is a list.
 * Custom resources have no such metadata: kube-apiserver refuses strategic merge patches for them (patchTypesFor).
 */
import { isCustomResource, type ResourceType } from './resources.js';

/** One field's tags: strategy `merge` (lists: merge by key or union; `merge,retainKeys` reads as merge), `replace`. */
export interface FieldPatchMeta {
  strategy?: 'merge' | 'replace';
  mergeKey?: string;
  /** The field's type (for a list, its element's type). */
  schema?: PatchSchema;
}

export interface PatchSchema {
  readonly [field: string]: FieldPatchMeta;
}

const unknownType: PatchSchema = {};

/** LookupPatchMetadataForStruct: the metadata of a map-valued field. */
export function structMeta(
  schema: PatchSchema,
  field: string,
): { strategy?: 'merge' | 'replace'; schema: PatchSchema } {
  const meta = schema[field];
  return { strategy: meta?.strategy, schema: meta?.schema ?? unknownType };
}

/** LookupPatchMetadataForSlice: the metadata of a list-valued field. */
export function sliceMeta(
  schema: PatchSchema,
  field: string,
): { strategy?: 'merge' | 'replace'; mergeKey?: string; schema: PatchSchema } {
  const meta = schema[field];
  return { strategy: meta?.strategy, mergeKey: meta?.mergeKey, schema: meta?.schema ?? unknownType };
}

const mergeOn = (mergeKey: string, schema?: PatchSchema): FieldPatchMeta => ({
  strategy: 'merge',
  mergeKey,
  ...(schema ? { schema } : {}),
});
const typed = (schema: PatchSchema): FieldPatchMeta => ({ schema });

/** meta/v1 ObjectMeta: ownerReferences by uid, finalizers as a set. */
const objectMeta: PatchSchema = { ownerReferences: mergeOn('uid'), finalizers: { strategy: 'merge' } };

/** core/v1 Container (and EphemeralContainerCommon). */
const container: PatchSchema = {
  ports: mergeOn('containerPort'),
  env: mergeOn('name'),
  volumeMounts: mergeOn('mountPath'),
  volumeDevices: mergeOn('devicePath'),
};

/** core/v1 PodSpec. */
const podSpec: PatchSchema = {
  volumes: mergeOn('name'),
  initContainers: mergeOn('name', container),
  containers: mergeOn('name', container),
  ephemeralContainers: mergeOn('name', container),
  imagePullSecrets: mergeOn('name'),
  hostAliases: mergeOn('ip'),
  topologySpreadConstraints: mergeOn('topologyKey'),
  schedulingGates: mergeOn('name'),
  resourceClaims: mergeOn('name'),
};

/** core/v1 PodStatus. */
const podStatus: PatchSchema = {
  conditions: mergeOn('type'),
  hostIPs: mergeOn('ip'),
  podIPs: mergeOn('ip'),
  resourceClaimStatuses: mergeOn('name'),
};

const podTemplate: PatchSchema = { metadata: typed(objectMeta), spec: typed(podSpec) };
/** The many `<Kind>Status` structs whose only tagged field is `conditions`, merged by type. */
const statusWithConditions = typed({ conditions: mergeOn('type') });

const withMeta = (fields: PatchSchema): PatchSchema => ({ metadata: typed(objectMeta), ...fields });

/** A workload: a pod template under spec, conditions under status. */
const podTemplateOwner = withMeta({
  spec: typed({ template: typed(podTemplate) }),
  status: statusWithConditions,
});

const byKind: Record<string, PatchSchema> = {
  'v1/Pod': withMeta({ spec: typed(podSpec), status: typed(podStatus) }),
  'v1/Service': withMeta({ spec: typed({ ports: mergeOn('port') }), status: statusWithConditions }),
  'v1/ServiceAccount': withMeta({ secrets: mergeOn('name') }),
  'v1/Node': withMeta({
    spec: typed({ podCIDRs: { strategy: 'merge' } }),
    status: typed({ conditions: mergeOn('type'), addresses: mergeOn('type') }),
  }),
  'v1/Namespace': withMeta({ status: statusWithConditions }),
  'v1/PersistentVolumeClaim': withMeta({ status: statusWithConditions }),
  // apps/v1: DeploymentSpec.strategy is tagged retainKeys, which for a map merges as usual.
  'apps/v1/Deployment': podTemplateOwner,
  'apps/v1/ReplicaSet': podTemplateOwner,
  'apps/v1/StatefulSet': podTemplateOwner,
  'apps/v1/DaemonSet': podTemplateOwner,
  'batch/v1/Job': podTemplateOwner,
  'batch/v1/CronJob': withMeta({
    spec: typed({
      jobTemplate: typed({ metadata: typed(objectMeta), spec: typed({ template: typed(podTemplate) }) }),
    }),
  }),
  'autoscaling/v2/HorizontalPodAutoscaler': withMeta({ status: statusWithConditions }),
  // policy/v1 PodDisruptionBudgetSpec.selector is tagged replace.
  'policy/v1/PodDisruptionBudget': withMeta({
    spec: typed({ selector: { strategy: 'replace' } }),
    status: statusWithConditions,
  }),
};

/** The patch metadata of a built-in resource type (ObjectMeta only for the kinds with no other tagged field). */
export function patchSchemaFor(type: Pick<ResourceType, 'group' | 'version' | 'kind'>): PatchSchema {
  const apiVersion = type.group ? `${type.group}/${type.version}` : type.version;
  return byKind[`${apiVersion}/${type.kind}`] ?? withMeta({});
}

/** installer.go (built-in resources) and customresource_handler.go (custom resources): the PATCH types accepted. */
export function patchTypesFor(type: Pick<ResourceType, 'printerColumns'>): string[] {
  return isCustomResource(type)
    ? ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml']
    : [
        'application/json-patch+json',
        'application/merge-patch+json',
        'application/strategic-merge-patch+json',
        'application/apply-patch+yaml',
      ];
}
