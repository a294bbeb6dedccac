import { randomUUID } from 'node:crypto';
import { seededRandom } from '../../random.js';
import type { ObjectMeta, KubeObject as TypedKubeObject } from '../kube/types.js';
import { applyApiDefaults, generateJobSelector } from './api-defaults.js';
import { newFinalizersRefusal, shouldDeleteDuringUpdate } from './finalizers.js';
import { admitPod, PodAdmissionError } from './pod-admission.js';
import { podQosClass } from './qos.js';
import {
  apiVersionOf,
  builtinResources,
  groupVersionOf,
  type PrinterColumn,
  type ResourceType,
} from './resources.js';
import type { ScalePaths } from './scale.js';
import { ServiceAllocationError, ServiceAllocator, serviceSpecDefaults } from './service-ips.js';
import { admitStorageObject } from './storage-admission.js';

/**
 * A Kubernetes object as JSON, as the API server receives it: the fields of src/lab/kube/types.ts's KubeObject,
 * none of them guaranteed (a request's body is checked by the store, not by its type).
 */
export interface KubeObject {
  apiVersion?: TypedKubeObject['apiVersion'];
  kind?: TypedKubeObject['kind'];
  metadata?: Partial<ObjectMeta>;
  [key: string]: unknown;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoredEvent {
  resourceVersion: number;
  type: WatchEventType;
  resource: ResourceType;
  object: KubeObject;
}

/** One write, in order. `source` is 'client' for API requests and 'test' for the programmatic API. */
export interface Mutation {
  seq: number;
  source: 'client' | 'test';
  verb: 'create' | 'update' | 'patch' | 'apply' | 'delete';
  /** Content type of a patch: merge, json, strategic or apply. */
  patchType?: 'merge' | 'json' | 'strategic' | 'apply';
  subresource?: string;
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  resourceVersion: string;
}

/** How a create came: `generatedName` when the client sent only generateName and the name stands for the server's. */
export interface CreateOptions {
  generatedName?: boolean;
}

/** A time as the API server serializes it (metav1.Time: RFC 3339, whole seconds). */
export function kubeTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

export class StoreError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details: {
      name?: string;
      kind?: string;
      group?: string;
      causes?: Array<{ reason?: string; message?: string; field?: string }>;
    } = {},
  ) {
    super(message);
  }
}

function key(resource: ResourceType, namespace: string | undefined, name: string): string {
  return `${resource.group}|${resource.plural}|${resource.namespaced ? (namespace ?? '') : ''}|${name}`;
}

/** Everything but metadata and status: a change here bumps metadata.generation, as the API server does. */
function specOf(obj: KubeObject): string {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj;
  return JSON.stringify(rest);
}

/** BeforeUpdate's rule for the deletion marks: the stored ones win over what an update sends. */
function keepDeletionMarks(next: Partial<ObjectMeta>, current: Partial<ObjectMeta>): void {
  if (current.deletionTimestamp) next.deletionTimestamp = current.deletionTimestamp;
  if (current.deletionGracePeriodSeconds !== undefined && next.deletionGracePeriodSeconds === undefined)
    next.deletionGracePeriodSeconds = current.deletionGracePeriodSeconds;
}

const isCoreService = (resource: ResourceType) => resource.kind === 'Service' && resource.group === '';
/** A kind whose scheme defaults the sim writes (core, apps, batch; a custom resource has none). */
const isBuiltin = (resource: ResourceType) => ['', 'apps', 'batch'].includes(resource.group);

export class Store {
  readonly resources: ResourceType[] = builtinResources.map((r) => ({ ...r }));
  readonly objects = new Map<string, KubeObject>();
  readonly history: StoredEvent[] = [];
  readonly mutations: Mutation[] = [];
  /** Container logs by `namespace/pod/container`, served by the pods/log subresource. */
  readonly logs = new Map<string, string[]>();
  /**
   * Container environments by `namespace/pod/container` as the kubelet model built them when the container last
   * started (src/lab/sim/env.ts): what the process reads, whatever its ConfigMap says since.
   */
  readonly env = new Map<string, Record<string, string>>();
  private revision = 100;
  /**
   * The cluster runs the ServiceAccounts controller (namespace-defaults.ts), so pod admission refuses a pod whose
   * ServiceAccount does not exist (pod-admission.ts). Off in a bare store: no namespace has its `default` account.
   */
  refusesMissingServiceAccount = false;

  /** Cluster IPs and node ports of Services, from the kind cluster's ranges (service-ips.ts). */
  private readonly services: ServiceAllocator;
  /** The random suffixes the API server generates (a pod's token volume), a seeded stream of their own. */
  private readonly names = seededRandom(2);

  /** `now` stamps creationTimestamp (the simulation's clock); `random` drives allocations (seeded, so runs repeat). */
  constructor(
    private readonly now: () => number = Date.now,
    random: () => number = seededRandom(1),
  ) {
    this.services = new ServiceAllocator({ random });
  }
  private listeners = new Set<(event: StoredEvent) => void>();
  /** Inside dryRun(): writes are computed and answered, then forgotten. */
  private dryRunning = false;

  get resourceVersion(): number {
    return this.revision;
  }

  findResource(group: string, version: string, plural: string): ResourceType | undefined {
    return this.resources.find((r) => r.group === group && r.version === version && r.plural === plural);
  }

  resourceFor(apiVersion: string, kind: string): ResourceType {
    const { group, version } = groupVersionOf(apiVersion);
    const found = this.resources.find((r) => r.group === group && r.version === version && r.kind === kind);
    if (!found)
      throw new StoreError(
        404,
        'NotFound',
        `the server could not find the requested resource (${apiVersion} ${kind})`,
      );
    return found;
  }

  subscribe(listener: (event: StoredEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get(resource: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.objects.get(key(resource, namespace, name));
  }

  list(resource: ResourceType, namespace?: string): KubeObject[] {
    const out: KubeObject[] = [];
    for (const obj of this.objects.values()) {
      if (obj.apiVersion !== apiVersionOf(resource) || obj.kind !== resource.kind) continue;
      if (resource.namespaced && namespace && obj.metadata?.namespace !== namespace) continue;
      out.push(obj);
    }
    return out.sort((a, b) =>
      `${a.metadata?.namespace}/${a.metadata?.name}`.localeCompare(
        `${b.metadata?.namespace}/${b.metadata?.name}`,
      ),
    );
  }

  private emit(type: WatchEventType, resource: ResourceType, object: KubeObject): void {
    if (this.dryRunning) return;
    const event: StoredEvent = {
      resourceVersion: this.revision,
      type,
      resource,
      object: structuredClone(object),
    };
    this.history.push(event);
    for (const listener of this.listeners) listener(event);
  }

  private record(m: Omit<Mutation, 'seq'>): void {
    if (this.dryRunning) return;
    this.mutations.push({ seq: this.mutations.length + 1, ...m });
  }

  /**
   * Runs the writes of `write` as a dry run (`?dryRun=All`): they are validated, defaulted and allocated as usual
   * and their results returned, but nothing is stored, no watch event or mutation is recorded, and the
   * resourceVersion does not move (apiserver pkg/registry/generic/registry/dryrun.go DryRunnableStorage: a dry-run
   * create answers with no resourceVersion, a dry-run update with the object's current one).
   */
  dryRun<T>(write: () => T): T {
    if (this.dryRunning) return write();
    const objects = new Map(this.objects);
    const revision = this.revision;
    const services = this.services.checkpoint();
    this.dryRunning = true;
    try {
      return write();
    } finally {
      this.dryRunning = false;
      this.objects.clear();
      for (const [k, v] of objects) this.objects.set(k, v);
      this.revision = revision;
      services();
    }
  }

  create(
    resource: ResourceType,
    namespace: string | undefined,
    input: KubeObject,
    meta: Pick<Mutation, 'source'> & Partial<Mutation> = { source: 'test' },
    options: CreateOptions = {},
  ): KubeObject {
    const name = input.metadata?.name;
    if (!name)
      throw new StoreError(422, 'Invalid', `${resource.kind}: metadata.name is required`, {
        kind: resource.kind,
      });
    const ns = resource.namespaced ? (namespace ?? input.metadata?.namespace ?? 'default') : undefined;
    const k = key(resource, ns, name);
    if (this.objects.has(k))
      throw new StoreError(409, 'AlreadyExists', `${resource.plural} "${name}" already exists`, {
        name,
        kind: resource.plural,
        group: resource.group,
      });
    this.revision++;
    const obj: KubeObject = {
      ...structuredClone(input),
      apiVersion: apiVersionOf(resource),
      kind: resource.kind,
      metadata: {
        ...structuredClone(input.metadata ?? {}),
        name,
        ...(ns ? { namespace: ns } : {}),
        uid: randomUUID(),
        creationTimestamp: kubeTime(this.now()),
        generation: 1,
        resourceVersion: String(this.revision),
      },
    };
    if (obj.metadata) delete obj.metadata.managedFields;
    // The scheme's defaults, then (pods) the mutating admission plugins (api-defaults.ts, pod-admission.ts).
    if (isBuiltin(resource)) applyApiDefaults(resource.group, resource.kind, obj);
    if (resource.kind === 'Job' && resource.group === 'batch') generateJobSelector(obj);
    // Admission sees the name the client sent: a name the server is to generate is still the generateName.
    const admittedName = String((options.generatedName && input.metadata?.generateName) || name);
    if (resource.kind === 'Pod' && resource.group === '') this.admitPod(admittedName, obj);
    if (resource.group === '')
      admitStorageObject(resource.kind, obj, () =>
        this.list(this.resourceFor('storage.k8s.io/v1', 'StorageClass')),
      );
    if (isCoreService(resource)) obj.spec = this.allocateService(name, obj.spec);
    // A new pod is Pending until a kubelet reports on it, with the QoS class of its resources: the API server
    // writes both at creation (Kubernetes v1.33 pkg/registry/core/pod/strategy.go PrepareForCreate; qos.ts). Over
    // HTTP a client's status was already dropped; a status seeded through the programmatic API is kept.
    if (resource.kind === 'Pod' && resource.group === '' && obj.status === undefined)
      obj.status = {
        phase: 'Pending',
        qosClass: podQosClass((obj.spec ?? {}) as Parameters<typeof podQosClass>[0]),
      };
    // A new namespace is Active, with the `kubernetes` finalizer (pkg/registry/core/namespace/strategy.go
    // PrepareForCreate), and labelled with its name (pkg/apis/core/v1/defaults.go SetDefaults_Namespace).
    if (resource.kind === 'Namespace' && resource.group === '') {
      const spec = (obj.spec ?? {}) as { finalizers?: string[] };
      const finalizers = spec.finalizers ?? [];
      obj.spec = {
        ...spec,
        finalizers: finalizers.includes('kubernetes') ? finalizers : [...finalizers, 'kubernetes'],
      };
      obj.status = { phase: 'Active' };
      if (obj.metadata) obj.metadata.labels = { ...obj.metadata.labels, 'kubernetes.io/metadata.name': name };
    }
    this.objects.set(k, obj);
    this.record({
      verb: 'create',
      apiVersion: apiVersionOf(resource),
      kind: resource.kind,
      namespace: ns,
      name,
      resourceVersion: String(this.revision),
      ...meta,
    });
    this.emit('ADDED', resource, obj);
    if (this.dryRunning) {
      const answer = structuredClone(obj);
      if (answer.metadata) delete answer.metadata.resourceVersion;
      return answer;
    }
    if (resource.kind === 'CustomResourceDefinition') this.registerCrd(obj);
    return structuredClone(obj);
  }

  /**
   * Replaces an object. With `expectedResourceVersion` a stale write is a 409 Conflict, as on a real server.
   * Unchanged content is a no-op (no new resourceVersion, no event), as on a real server.
   */
  replace(
    resource: ResourceType,
    namespace: string | undefined,
    name: string,
    next: KubeObject,
    meta: Pick<Mutation, 'source' | 'verb'> & Partial<Mutation>,
    expectedResourceVersion?: string,
    options: { bumpGeneration?: boolean } = {},
  ): KubeObject {
    const k = key(resource, namespace, name);
    const current = this.objects.get(k);
    if (!current) throw this.notFound(resource, name);
    if (expectedResourceVersion && expectedResourceVersion !== current.metadata?.resourceVersion)
      throw new StoreError(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${resource.plural} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
        { name, kind: resource.plural, group: resource.group },
      );
    const merged: KubeObject = {
      ...structuredClone(next),
      apiVersion: apiVersionOf(resource),
      kind: resource.kind,
      metadata: {
        ...structuredClone(next.metadata ?? {}),
        name,
        ...(current.metadata?.namespace ? { namespace: current.metadata.namespace } : {}),
        uid: current.metadata?.uid,
        creationTimestamp: current.metadata?.creationTimestamp,
        generation: current.metadata?.generation ?? 1,
        resourceVersion: current.metadata?.resourceVersion,
      },
    };
    if (merged.metadata) delete merged.metadata.managedFields;
    if (isBuiltin(resource)) applyApiDefaults(resource.group, resource.kind, merged);
    // An update can never remove or change a deletion timestamp, nor remove the grace period (staging/src/k8s.io/
    // apiserver/pkg/registry/rest/update.go BeforeUpdate); only a DELETE sets them (pod-deletion.ts).
    if (merged.metadata && meta.verb !== 'delete') keepDeletionMarks(merged.metadata, current.metadata ?? {});
    // An object being deleted takes no new finalizer (finalizers.ts; a DELETE's own write sets the GC's ones).
    const refusal = meta.verb === 'delete' ? undefined : newFinalizersRefusal(resource, current, merged);
    if (refusal)
      throw new StoreError(422, 'Invalid', refusal, { name, kind: resource.kind, group: resource.group });
    if (isCoreService(resource)) {
      merged.spec = serviceSpecDefaults(merged.spec as Record<string, unknown> | undefined);
      this.services.keepAllocated(
        merged.spec as Record<string, unknown>,
        current.spec as Record<string, unknown>,
      );
    }
    if (JSON.stringify(merged) === JSON.stringify(current)) return structuredClone(current);
    // The update that removes the last finalizer of an object being deleted deletes it instead (finalizers.ts).
    if (meta.verb !== 'delete' && shouldDeleteDuringUpdate(resource, current, merged))
      return this.delete(resource, namespace, name, { source: meta.source });
    this.revision++;
    if (merged.metadata) {
      merged.metadata.resourceVersion = String(this.revision);
      // A binding writes the pod straight to storage, past the strategy that would count a new generation
      // (pkg/registry/core/pod/storage/storage.go setPodHostAndAnnotations; binding.ts).
      if ((specOf(merged) !== specOf(current) && meta.subresource !== 'binding') || options.bumpGeneration)
        merged.metadata.generation = (current.metadata?.generation ?? 1) + 1;
    }
    this.objects.set(k, merged);
    this.record({
      apiVersion: apiVersionOf(resource),
      kind: resource.kind,
      namespace: merged.metadata?.namespace,
      name,
      resourceVersion: String(this.revision),
      ...meta,
    });
    this.emit('MODIFIED', resource, merged);
    if (this.dryRunning) {
      const answer = structuredClone(merged);
      if (answer.metadata) answer.metadata.resourceVersion = current.metadata?.resourceVersion;
      return answer;
    }
    if (resource.kind === 'CustomResourceDefinition') this.registerCrd(merged);
    return structuredClone(merged);
  }

  delete(
    resource: ResourceType,
    namespace: string | undefined,
    name: string,
    meta: Pick<Mutation, 'source'> = { source: 'test' },
  ): KubeObject {
    const k = key(resource, namespace, name);
    const current = this.objects.get(k);
    if (!current) throw this.notFound(resource, name);
    this.objects.delete(k);
    if (isCoreService(resource)) this.services.release(current.spec as Record<string, unknown>);
    this.revision++;
    const gone = structuredClone(current);
    if (gone.metadata) gone.metadata.resourceVersion = String(this.revision);
    this.record({
      verb: 'delete',
      apiVersion: apiVersionOf(resource),
      kind: resource.kind,
      namespace: current.metadata?.namespace,
      name,
      resourceVersion: String(this.revision),
      ...meta,
    });
    this.emit('DELETED', resource, gone);
    if (resource.kind === 'Namespace') {
      for (const r of this.resources.filter((x) => x.namespaced)) {
        for (const obj of this.list(r, name)) this.delete(r, name, obj.metadata?.name ?? '', meta);
      }
    }
    return gone;
  }

  /** The pod admission plugins (pod-admission.ts); a pod they refuse is a 403 Forbidden. */
  private admitPod(name: string, pod: KubeObject): void {
    const classes = this.resourceFor('scheduling.k8s.io/v1', 'PriorityClass');
    const accounts = this.resourceFor('v1', 'ServiceAccount');
    try {
      admitPod(pod, {
        priorityClass: (pc) => this.objects.get(key(classes, undefined, pc)),
        priorityClasses: () => this.list(classes),
        serviceAccount: (sa) => this.objects.get(key(accounts, pod.metadata?.namespace, sa)),
        requireServiceAccount: this.refusesMissingServiceAccount,
        random: this.names,
      });
    } catch (error) {
      if (!(error instanceof PodAdmissionError)) throw error;
      throw new StoreError(403, 'Forbidden', `pods "${name}" is forbidden: ${error.message}`, {
        name,
        kind: 'pods',
      });
    }
  }

  /** The Service spec the API server stores: defaults and allocations; an address it cannot give is a 422. */
  private allocateService(name: string, spec: unknown): Record<string, unknown> {
    try {
      return this.services.create(spec as Record<string, unknown> | undefined);
    } catch (error) {
      if (!(error instanceof ServiceAllocationError)) throw error;
      throw new StoreError(422, 'Invalid', `Service "${name}" is invalid: ${error.message}`, {
        name,
        kind: 'Service',
      });
    }
  }

  notFound(resource: ResourceType, name: string): StoreError {
    return new StoreError(
      404,
      'NotFound',
      `${resource.plural}${resource.group ? `.${resource.group}` : ''} "${name}" not found`,
      {
        name,
        kind: resource.plural,
        group: resource.group,
      },
    );
  }

  /**
   * A created CRD makes its kind servable (every served version), like the real API server, with discovery's names
   * (spec.names shortNames, categories, singular) and the version's additionalPrinterColumns for Table printing. A
   * kind already served (the Argo kinds of resources.ts, or the CRD updated) takes the CRD's names and columns.
   */
  private registerCrd(crd: KubeObject): void {
    const spec = crd.spec as
      | {
          group?: string;
          scope?: string;
          names?: {
            kind?: string;
            plural?: string;
            singular?: string;
            shortNames?: string[];
            categories?: string[];
          };
          versions?: Array<{
            name?: string;
            served?: boolean;
            subresources?: { status?: unknown; scale?: Partial<ScalePaths> };
            additionalPrinterColumns?: PrinterColumn[];
          }>;
        }
      | undefined;
    const names = spec?.names;
    if (!spec?.group || !names?.kind || !names.plural) return;
    for (const v of spec.versions ?? []) {
      if (!v.name || v.served === false) continue;
      const scale = v.subresources?.scale;
      const described = {
        singular: names.singular || names.kind.toLowerCase(),
        printerColumns: v.additionalPrinterColumns ?? [],
        ...(scale?.specReplicasPath && scale.statusReplicasPath
          ? {
              scale: {
                specReplicasPath: scale.specReplicasPath,
                statusReplicasPath: scale.statusReplicasPath,
                ...(scale.labelSelectorPath ? { labelSelectorPath: scale.labelSelectorPath } : {}),
              },
            }
          : {}),
      };
      const { shortNames, categories } = names;
      const sub: Array<'status' | 'scale'> = [];
      if (v.subresources?.status) sub.push('status');
      if (v.subresources?.scale) sub.push('scale');
      const existing = this.findResource(spec.group, v.name, names.plural);
      if (existing) {
        Object.assign(existing, described, { subresources: sub });
        if (!described.scale) delete existing.scale;
        if (shortNames?.length) existing.shortNames = shortNames;
        else delete existing.shortNames;
        if (categories?.length) existing.categories = categories;
        else delete existing.categories;
        continue;
      }
      this.resources.push({
        group: spec.group,
        version: v.name,
        kind: names.kind,
        plural: names.plural,
        namespaced: spec.scope !== 'Cluster',
        subresources: sub,
        ...(shortNames?.length ? { shortNames } : {}),
        ...(categories?.length ? { categories } : {}),
        ...described,
      });
    }
  }
}
