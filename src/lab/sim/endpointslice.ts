/**
 * The EndpointSlice controller of Kubernetes v1.33 (pkg/controller/endpointslice/endpointslice_controller.go
 * syncService, and its reconciler staging/src/k8s.io/endpointslice/reconciler.go, read at kubernetes/kubernetes
 * 0204386907; utils.go for the slices' shape). For every Service with a selector (endpointslice-util.ts
 * serviceSelector), in the Service's namespace:
 * - the pods the selector matches that have an address and are not Succeeded or Failed, terminating ones included
 *   (reconcileByAddressType, ShouldPodBeInEndpoints(pod, true)); a pod whose node does not exist is left out (and the
 *   Service synced again later) unless publishNotReadyAddresses;
 * - grouped by the ports the pod has for the Service's ports (getEndpointPorts; a named targetPort resolved against
 *   the pod's container ports, a port the pod lacks left out), one set of slices per group, at most 100 endpoints a
 *   slice (maxEndpointsPerSlice);
 * - each slice named `<service>-<5 random>` (generateName `<service>-`, names.SimpleNameGenerator), addressType
 *   IPv4, labels the Service's own plus `kubernetes.io/service-name` and `endpointslice.kubernetes.io/managed-by:
 *   endpointslice-controller.k8s.io` (and `service.kubernetes.io/headless` without a cluster IP;
 *   setEndpointSliceLabels), the Service as controller owner;
 * - reconcileByPortMapping: an existing slice keeps its endpoints still wanted in place (updated when they changed),
 *   loses the others, is deleted when none is left; new endpoints fill slices already being updated, then create new
 *   ones (upstream pops them from a set in no set order; here by pod name);
 * - no slice at all would remain: a placeholder with no ports and no endpoints (kubectl shows `<unset>`);
 * - finalize: a slice to create replaces one to delete by taking its name (so a Service's slice keeps its name
 *   across scaling to zero and back); created and updated slices carry the last-change trigger time annotation.
 * The controller watches Services, pods (by their labels now and before) and its slices; syncs run through the work
 * queue soon after a change (EndpointUpdatesBatchPeriod defaults to 0: no batching delay). A Service's slices go
 * with it (the garbage collector, background propagation). A failed sync (node not found) is retried after 1 s,
 * doubling to at most 1000 s (the controller's rate limiter, defaultSyncBackOff and maxSyncBackOff).
 * Not modelled: topology hints and trafficDistribution, dual stack (IPv4 only, the kind cluster's family).
 */
import { isDeepStrictEqual } from 'node:util';
import type { Clock } from '../clock.js';
import type { SimCluster } from './api.js';
import { compareStrings } from './compare.js';
import {
  type EndpointPort,
  endpointPorts,
  type PodView,
  podToEndpoint,
  ServiceEndpointsController,
  type ServiceView,
  type SliceEndpoint,
  selects,
  serviceSelector,
  shouldPodBeInEndpoints,
  withTriggerTime,
} from './endpointslice-util.js';
import { controllerRef, generateName } from './replicaset.js';
import type { KubeObject, StoredEvent } from './store.js';
import { collectDependents, controllerUid } from './workqueue.js';

export const DISCOVERY_V1 = 'discovery.k8s.io/v1';
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const SLICE_CONTROLLER = 'endpointslice-controller.k8s.io';
const HEADLESS_LABEL = 'service.kubernetes.io/headless';
/** kube-controller-manager --max-endpoints-per-slice default. */
const MAX_ENDPOINTS_PER_SLICE = 100;
const SYNC_BACKOFF_MS = 1000;
const MAX_SYNC_BACKOFF_MS = 1000_000;

export interface EndpointSlice extends KubeObject {
  addressType: 'IPv4';
  endpoints: SliceEndpoint[] | null;
  ports: EndpointPort[] | null;
}

export interface EndpointSliceControllerOptions {
  clock: Clock;
  /** Randomness for generated slice names (default Math.random). */
  random?: () => number;
}

/** setEndpointSliceLabels: the Service's labels (but the reserved ones), the headless mark, the two of the controller. */
export function sliceLabels(service: ServiceView): Record<string, string> {
  const reserved = [SERVICE_NAME_LABEL, MANAGED_BY_LABEL, HEADLESS_LABEL];
  const own = Object.entries(service.metadata?.labels ?? {}).filter(([k]) => !reserved.includes(k));
  const headless = !service.spec?.clusterIP || service.spec.clusterIP === 'None';
  return {
    ...Object.fromEntries(own),
    ...(headless ? { [HEADLESS_LABEL]: '' } : {}),
    [SERVICE_NAME_LABEL]: service.metadata?.name ?? '',
    [MANAGED_BY_LABEL]: SLICE_CONTROLLER,
  };
}

/** endpointsliceutil.NewPortMapKey: the ports as a set. */
const portKey = (ports: EndpointPort[] | null) =>
  JSON.stringify([...(ports ?? [])].map((p) => JSON.stringify(p)).sort(compareStrings));

/** An endpoint's identity in the desired set (EndpointSet's hash: its addresses and pod). */
const endpointKey = (e: SliceEndpoint) =>
  `${e.targetRef.namespace}/${e.targetRef.name}|${e.addresses.join(',')}`;

const ownedBy = (slice: KubeObject, service: KubeObject) =>
  controllerUid(slice) !== undefined && controllerUid(slice) === service.metadata?.uid;

interface Plan {
  create: EndpointSlice[];
  update: EndpointSlice[];
  remove: EndpointSlice[];
}

/**
 * reconcileByPortMapping for one group of ports: what to do with the existing slices of that group so that they
 * hold `desired` (keyed by endpointKey, ordered).
 */
function reconcilePortGroup(
  service: ServiceView,
  existing: EndpointSlice[],
  desired: Map<string, SliceEndpoint>,
  ports: EndpointPort[],
  plan: Plan,
): void {
  const labels = sliceLabels(service);
  const unchanged: EndpointSlice[] = [];
  const updating: EndpointSlice[] = [];
  for (const slice of existing) {
    const kept: SliceEndpoint[] = [];
    let changed = false;
    for (const endpoint of slice.endpoints ?? []) {
      const want = desired.get(endpointKey(endpoint));
      if (!want) {
        changed = true;
        continue;
      }
      if (!isDeepStrictEqual(want, endpoint)) changed = true;
      kept.push(want);
      desired.delete(endpointKey(endpoint));
    }
    const labelsChanged = !isDeepStrictEqual(slice.metadata?.labels ?? {}, labels);
    if (changed && kept.length === 0) plan.remove.push(slice);
    else if (changed || labelsChanged)
      updating.push({ ...slice, metadata: { ...slice.metadata, labels }, endpoints: kept });
    else unchanged.push(slice);
  }
  const rest = [...desired.values()];
  // Fill the slices already being updated first (upstream orders them by size first; the lab's Services have one).
  for (const slice of updating) {
    const room = MAX_ENDPOINTS_PER_SLICE - (slice.endpoints?.length ?? 0);
    if (room > 0) slice.endpoints = [...(slice.endpoints ?? []), ...rest.splice(0, room)];
  }
  // Then the unchanged slice with the most room, if the rest fits in it; else new slices.
  const roomiest = [...unchanged].sort((a, b) => (a.endpoints?.length ?? 0) - (b.endpoints?.length ?? 0))[0];
  if (
    rest.length > 0 &&
    roomiest &&
    (roomiest.endpoints?.length ?? 0) + rest.length <= MAX_ENDPOINTS_PER_SLICE
  ) {
    updating.push({ ...roomiest, endpoints: [...(roomiest.endpoints ?? []), ...rest.splice(0)] });
  }
  while (rest.length > 0) plan.create.push(newSlice(service, ports, rest.splice(0, MAX_ENDPOINTS_PER_SLICE)));
  plan.update.push(...updating);
}

/** newEndpointSlice: generateName `<service>-`, the labels, the Service as controller owner, IPv4. */
function newSlice(
  service: ServiceView,
  ports: EndpointPort[] | null,
  endpoints: SliceEndpoint[],
): EndpointSlice {
  return {
    apiVersion: DISCOVERY_V1,
    kind: 'EndpointSlice',
    metadata: {
      generateName: `${service.metadata?.name}-`,
      namespace: service.metadata?.namespace,
      labels: sliceLabels(service),
      ownerReferences: [controllerRef({ ...service, apiVersion: 'v1', kind: 'Service' })],
    },
    addressType: 'IPv4',
    endpoints: endpoints.length > 0 ? endpoints : null,
    ports: ports && ports.length > 0 ? ports : null,
  };
}

/**
 * reconcileByAddressType for IPv4: the slices to create, update and delete so that `existing` show `pods`.
 * Returns the pods left out because their node is missing, too.
 */
export function planSlices(
  service: ServiceView,
  pods: PodView[],
  existing: EndpointSlice[],
  nodeOf: (name: string) => KubeObject | undefined,
): Plan & { missingNodes: string[] } {
  const plan: Plan = { create: [], update: [], remove: [] };
  const missingNodes: string[] = [];
  const existingByPorts = new Map<string, EndpointSlice[]>();
  for (const slice of existing) {
    if (!ownedBy(slice, service)) {
      plan.remove.push(slice);
      continue;
    }
    const key = portKey(slice.ports);
    existingByPorts.set(key, [...(existingByPorts.get(key) ?? []), slice]);
  }
  const desired = new Map<string, { ports: EndpointPort[]; endpoints: Map<string, SliceEndpoint> }>();
  const byName = [...pods].sort((a, b) => ((a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1));
  for (const pod of byName) {
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const ports = endpointPorts(service, pod);
    const key = portKey(ports);
    const group = desired.get(key) ?? { ports, endpoints: new Map<string, SliceEndpoint>() };
    desired.set(key, group);
    const node = nodeOf(pod.spec?.nodeName ?? '');
    if (!node && !service.spec?.publishNotReadyAddresses) {
      missingNodes.push(pod.metadata?.name ?? '');
      continue;
    }
    const endpoint = podToEndpoint(pod, node, service);
    if (endpoint.addresses.length > 0) group.endpoints.set(endpointKey(endpoint), endpoint);
  }
  for (const [key, group] of desired)
    reconcilePortGroup(service, existingByPorts.get(key) ?? [], group.endpoints, group.ports, plan);
  for (const [key, slices] of existingByPorts) if (!desired.has(key)) plan.remove.push(...slices);
  // No slice would remain: a placeholder, unless the one being deleted already is one.
  if (existing.length === plan.remove.length && plan.create.length === 0) {
    const placeholder = newSlice(service, null, []);
    const only = plan.remove.length === 1 ? plan.remove[0] : undefined;
    const isPlaceholder =
      only &&
      (only.endpoints ?? []).length === 0 &&
      (only.ports ?? []).length === 0 &&
      isDeepStrictEqual(only.metadata?.labels ?? {}, placeholder.metadata?.labels) &&
      ownedBy(only, service);
    if (isPlaceholder) plan.remove = [];
    else plan.create.push(placeholder);
  }
  // finalize: a slice to create takes the name of one to delete, as an update.
  for (let i = 0; i < plan.remove.length && plan.create.length > 0; ) {
    const gone = plan.remove[i] as EndpointSlice;
    if (gone.addressType === 'IPv4' && ownedBy(gone, service)) {
      const slice = plan.create.pop() as EndpointSlice;
      const { generateName: _g, ...meta } = slice.metadata ?? {};
      plan.update.push({
        ...gone,
        ...slice,
        metadata: { ...gone.metadata, ...meta, name: gone.metadata?.name },
      });
      plan.remove.splice(i, 1);
    } else i++;
  }
  return { ...plan, missingNodes };
}

export class EndpointSliceController extends ServiceEndpointsController {
  private readonly backoff = new Map<string, number>();

  constructor(
    cluster: SimCluster,
    private readonly options: EndpointSliceControllerOptions,
  ) {
    super(cluster, options.clock);
  }

  protected observe(event: StoredEvent): void {
    const { kind, group } = event.resource;
    if (kind === 'Service' && group === '') {
      if (event.type === 'DELETED') {
        collectDependents(this.cluster, event.object, DISCOVERY_V1, 'EndpointSlice');
        this.triggerTimes.forget(event.object.metadata?.namespace ?? '', event.object.metadata?.name ?? '');
      } else this.queue.add(event.object);
    } else if (kind === 'Pod' && group === '')
      for (const service of this.pods.changed(event)) this.queue.add(service);
    else if (
      kind === 'EndpointSlice' &&
      event.object.metadata?.labels?.[MANAGED_BY_LABEL] === SLICE_CONTROLLER
    ) {
      // A slice changed or went behind the controller's back: sync its Service (onEndpointSlice*).
      const name = event.object.metadata?.labels?.[SERVICE_NAME_LABEL];
      if (name) this.queue.add({ metadata: { name, namespace: event.object.metadata?.namespace } });
    }
  }

  /** syncService. */
  protected sync(ns: string, name: string): void {
    const service = this.cluster.get('v1', 'Service', name, ns) as ServiceView | undefined;
    if (!service) return;
    const selector = serviceSelector(service);
    if (!selector) return;
    const pods = this.cluster.list('v1', 'Pod', ns).filter((p) => selects(selector, p)) as PodView[];
    const existing = this.cluster
      .list(DISCOVERY_V1, 'EndpointSlice', ns)
      .filter(
        (s) =>
          s.metadata?.labels?.[SERVICE_NAME_LABEL] === name &&
          s.metadata?.labels?.[MANAGED_BY_LABEL] === SLICE_CONTROLLER,
      ) as EndpointSlice[];
    const triggerTime = this.triggerTimes.compute(service, pods);
    const nodeOf = (node: string) => (node ? this.cluster.get('v1', 'Node', node) : undefined);
    const plan = planSlices(service, pods, existing, nodeOf);
    // No new slices for a Service being deleted (k8s.io/endpointslice reconciler.go finalize): the garbage collector
    // deletes its slices, and replacing them would race it for ever.
    if (!(service as KubeObject).metadata?.deletionTimestamp)
      for (const slice of plan.create) this.create(slice, triggerTime);
    for (const slice of plan.update) {
      const annotations = withTriggerTime(slice.metadata?.annotations, triggerTime);
      this.cluster.update(DISCOVERY_V1, 'EndpointSlice', slice.metadata?.name ?? '', ns, (o) => {
        Object.assign(o, slice, {
          metadata: { ...o.metadata, labels: slice.metadata?.labels, annotations },
          endpoints: slice.endpoints?.length ? slice.endpoints : null,
        });
        if (Object.keys(annotations).length === 0) delete o.metadata?.annotations;
      });
    }
    for (const slice of plan.remove)
      if (this.cluster.get(DISCOVERY_V1, 'EndpointSlice', slice.metadata?.name ?? '', ns))
        this.cluster.remove(DISCOVERY_V1, 'EndpointSlice', slice.metadata?.name ?? '', ns);
    this.retry(service, plan.missingNodes.length > 0);
  }

  private create(slice: EndpointSlice, triggerTime: number | undefined): void {
    const ns = slice.metadata?.namespace ?? 'default';
    const base = String(slice.metadata?.generateName ?? '');
    let name = generateName(base, this.options.random);
    while (this.cluster.get(DISCOVERY_V1, 'EndpointSlice', name, ns))
      name = generateName(base, this.options.random);
    const annotations = withTriggerTime(undefined, triggerTime);
    this.cluster.seed({
      ...slice,
      metadata: { ...slice.metadata, name, ...(Object.keys(annotations).length > 0 ? { annotations } : {}) },
    });
  }

  /** The rate-limited requeue of a failed sync (1 s doubling to 1000 s), forgotten after a sync that succeeds. */
  private retry(service: KubeObject, failed: boolean): void {
    const key = `${service.metadata?.namespace}/${service.metadata?.name}`;
    if (!failed) {
      this.backoff.delete(key);
      return;
    }
    const delay = Math.min(this.backoff.get(key) ?? SYNC_BACKOFF_MS, MAX_SYNC_BACKOFF_MS);
    this.backoff.set(key, delay * 2);
    this.queue.addAfter(service, delay);
  }
}
