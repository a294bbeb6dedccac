/**
 * What the EndpointSlice controller and the Endpoints controller of Kubernetes v1.33 share: which pods a Service
 * gets endpoints for, the ports it gets on each, the endpoint a pod becomes, and the last-change trigger time.
 * Read in the code index's kubernetes/kubernetes copies (untagged, v1.33/v1.34 era): staging/src/k8s.io/endpointslice
 * reconciler.go at 0204386907 and utils.go podToEndpoint/getEndpointPorts, pkg/controller/endpoint/
 * endpoints_controller.go at 003e86297d; ShouldPodBeInEndpoints, FindPort and the TriggerTimeTracker as those call
 * them (util/controller_utils.go, pkg/api/v1/pod/util.go, trigger_time_tracker.go).
 */
import type { Clock } from '../clock.js';
import type { SimCluster } from './api.js';
import { podReady } from './kubelet.js';
import { matchesLabelSet } from './selectors.js';
import { type KubeObject, kubeTime, type StoredEvent } from './store.js';
import { WorkQueue } from './workqueue.js';

export interface ServicePort {
  name?: string;
  port?: number;
  protocol?: string;
  targetPort?: number | string;
  appProtocol?: string;
}

export interface ServiceView extends KubeObject {
  spec?: {
    type?: string;
    clusterIP?: string;
    selector?: Record<string, string>;
    ports?: ServicePort[];
    publishNotReadyAddresses?: boolean;
  };
}

interface ContainerView {
  ports?: Array<{ name?: string; containerPort?: number; protocol?: string }>;
  restartPolicy?: string;
}

export interface PodView extends KubeObject {
  spec?: {
    nodeName?: string;
    hostname?: string;
    subdomain?: string;
    restartPolicy?: string;
    containers?: ContainerView[];
    initContainers?: ContainerView[];
  };
  status?: {
    phase?: string;
    podIP?: string;
    podIPs?: Array<{ ip: string }>;
    conditions?: Array<{ type: string; status: string; lastTransitionTime?: string }>;
  };
}

export interface EndpointPort {
  name: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

export interface ObjectReference {
  kind: 'Pod';
  namespace: string;
  name: string;
  uid?: string;
}

/** discovery.k8s.io/v1 Endpoint. */
export interface SliceEndpoint {
  addresses: string[];
  conditions: { ready: boolean; serving: boolean; terminating: boolean };
  hostname?: string;
  targetRef: ObjectReference;
  nodeName?: string;
  zone?: string;
}

/**
 * The selector the controllers use: none for a Service without one or with an empty one (the API stores an empty
 * map as none; endpoints_controller.go syncService and the EndpointSlice controller's syncService both skip it),
 * and none for an ExternalName Service.
 */
export function serviceSelector(service: ServiceView): Record<string, string> | undefined {
  const selector = service.spec?.selector;
  if (service.spec?.type === 'ExternalName') return undefined;
  return selector && Object.keys(selector).length > 0 ? selector : undefined;
}

/** labels.Set(selector).AsSelectorPreValidated().Matches. */
export const selects = (selector: Record<string, string>, pod: KubeObject) =>
  matchesLabelSet(selector, pod.metadata?.labels);

/** The pod's IPv4 addresses (getEndpointAddresses for AddressTypeIPv4; status.podIPs, or podIP alone). */
export function podIPv4s(pod: PodView): string[] {
  const ips = pod.status?.podIPs?.map((p) => p.ip) ?? (pod.status?.podIP ? [pod.status.podIP] : []);
  return ips.filter((ip) => !ip.includes(':'));
}

/**
 * util/controller_utils.go ShouldPodBeInEndpoints: not Succeeded or Failed (isPodTerminal), with an address, and
 * not terminating unless `includeTerminating` (the EndpointSlice controller always includes them; the Endpoints
 * controller only with publishNotReadyAddresses).
 */
export function shouldPodBeInEndpoints(pod: PodView, includeTerminating: boolean): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  if (!pod.status?.podIP && !(pod.status?.podIPs?.length ?? 0)) return false;
  return includeTerminating || !pod.metadata?.deletionTimestamp;
}

/**
 * pkg/api/v1/pod/util.go FindPort: a numeric targetPort as it is; a named one the container port of that name and
 * the Service port's protocol, in the containers and then the sidecars (init containers with restartPolicy Always);
 * undefined when no container has it. The API server defaults targetPort to the port and protocols to TCP.
 */
export function findPort(pod: PodView, servicePort: ServicePort): number | undefined {
  const target = servicePort.targetPort ?? servicePort.port;
  if (typeof target === 'number') return target;
  if (target === undefined) return undefined;
  if (/^\d+$/.test(target)) return Number(target);
  const protocol = servicePort.protocol ?? 'TCP';
  const sidecars = (pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
  for (const container of [...(pod.spec?.containers ?? []), ...sidecars])
    for (const port of container.ports ?? [])
      if (port.name === target && (port.protocol ?? 'TCP') === protocol) return port.containerPort;
  return undefined;
}

/** One EndpointPort of a Service port on a pod (endpointPortFromServicePort; utils.go getEndpointPorts). */
export function endpointPort(servicePort: ServicePort, port: number): EndpointPort {
  return {
    name: servicePort.name ?? '',
    port,
    protocol: servicePort.protocol ?? 'TCP',
    ...(servicePort.appProtocol ? { appProtocol: servicePort.appProtocol } : {}),
  };
}

/** utils.go getEndpointPorts: the Service's ports the pod has, in the Service's order; a port it lacks is left out. */
export function endpointPorts(service: ServiceView, pod: PodView): EndpointPort[] {
  return (service.spec?.ports ?? []).flatMap((sp) => {
    const port = findPort(pod, sp);
    return port === undefined ? [] : [endpointPort(sp, port)];
  });
}

/** util ShouldSetHostname: the pod's hostname when its subdomain is the Service's name, in the same namespace. */
export function hostnameFor(pod: PodView, service: ServiceView): string | undefined {
  const same =
    pod.spec?.subdomain === service.metadata?.name && pod.metadata?.namespace === service.metadata?.namespace;
  return pod.spec?.hostname && same ? pod.spec.hostname : undefined;
}

export const podRef = (pod: KubeObject): ObjectReference => ({
  kind: 'Pod',
  namespace: pod.metadata?.namespace ?? '',
  name: pod.metadata?.name ?? '',
  ...(pod.metadata?.uid ? { uid: pod.metadata.uid } : {}),
});

/**
 * utils.go podToEndpoint: serving = the pod is Ready; terminating = it has a deletionTimestamp; ready = serving and
 * not terminating, or always with publishNotReadyAddresses; nodeName, and the node's topology.kubernetes.io/zone.
 */
export function podToEndpoint(
  pod: PodView,
  node: KubeObject | undefined,
  service: ServiceView,
): SliceEndpoint {
  const serving = podReady(pod);
  const terminating = Boolean(pod.metadata?.deletionTimestamp);
  const ready = service.spec?.publishNotReadyAddresses === true || (serving && !terminating);
  const hostname = hostnameFor(pod, service);
  const zone = node?.metadata?.labels?.['topology.kubernetes.io/zone'];
  return {
    addresses: podIPv4s(pod),
    conditions: { ready, serving, terminating },
    ...(hostname ? { hostname } : {}),
    targetRef: podRef(pod),
    ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
    ...(zone ? { zone } : {}),
  };
}

/** The annotation both controllers stamp with the trigger time (v1.EndpointsLastChangeTriggerTime). */
export const LAST_CHANGE_TRIGGER_TIME = 'endpoints.kubernetes.io/last-change-trigger-time';

/**
 * util/trigger_time_tracker.go TriggerTimeTracker: per Service, the earliest of the trigger times that moved since
 * its last sync (a pod's Ready condition's lastTransitionTime, the Service's creationTimestamp); undefined when none
 * moved (a change of the Service's spec has no time of its own); the Service's creationTimestamp at its first sync.
 * Each controller keeps its own.
 */
export class TriggerTimeTracker {
  private readonly states = new Map<string, { pods: Map<string, number>; service: number }>();

  compute(service: ServiceView, pods: PodView[]): number | undefined {
    const key = `${service.metadata?.namespace}/${service.metadata?.name}`;
    const known = this.states.get(key);
    const state = known ?? { pods: new Map<string, number>(), service: Number.NaN };
    let earliest: number | undefined;
    const earlier = (t: number) => {
      earliest = earliest === undefined ? t : Math.min(earliest, t);
    };
    const pods2 = new Map<string, number>();
    for (const pod of pods) {
      const ready = pod.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime;
      const t = Date.parse(ready ?? '');
      if (!Number.isFinite(t)) continue;
      pods2.set(pod.metadata?.name ?? '', t);
      const before = state.pods.get(pod.metadata?.name ?? '');
      if (before === undefined || t > before) earlier(t);
    }
    const created = Date.parse(service.metadata?.creationTimestamp ?? '');
    if (Number.isFinite(created) && !(created <= state.service)) earlier(created);
    this.states.set(key, { pods: pods2, service: created });
    if (!known) return Number.isFinite(created) ? created : undefined;
    return earliest;
  }

  forget(namespace: string, name: string): void {
    this.states.delete(`${namespace}/${name}`);
  }
}

/** The annotations with the trigger time set (RFC 3339; the sim's times are whole seconds), or cleared without one. */
export function withTriggerTime(
  annotations: Record<string, string> | undefined,
  time: number | undefined,
): Record<string, string> {
  const { [LAST_CHANGE_TRIGGER_TIME]: _old, ...rest } = annotations ?? {};
  return time === undefined ? rest : { ...rest, [LAST_CHANGE_TRIGGER_TIME]: kubeTime(time) };
}

/**
 * The pod handlers both controllers share (addPod/updatePod/deletePod with endpointsliceutil
 * GetPodServiceMemberships): a pod's change concerns the Services in its namespace whose selector matches its labels
 * now or before the change (the informer's old object; here the labels last seen).
 */
export class ServicesOfPods {
  private readonly labels = new Map<string, Record<string, string>>();

  constructor(private readonly cluster: SimCluster) {
    for (const pod of cluster.list('v1', 'Pod'))
      this.labels.set(ServicesOfPods.key(pod), { ...pod.metadata?.labels });
  }

  private static key = (pod: KubeObject) => `${pod.metadata?.namespace}/${pod.metadata?.name}`;

  /** The Services the pod of `event` was or is selected by. */
  changed(event: StoredEvent): KubeObject[] {
    const key = ServicesOfPods.key(event.object);
    const before = this.labels.get(key);
    if (event.type === 'DELETED') this.labels.delete(key);
    else this.labels.set(key, { ...event.object.metadata?.labels });
    return this.cluster.list('v1', 'Service', event.object.metadata?.namespace).filter((service) => {
      const selector = serviceSelector(service);
      if (!selector) return false;
      const was = before !== undefined && selects(selector, { metadata: { labels: before } });
      return was || selects(selector, event.object);
    });
  }
}

/**
 * What both controllers' Run and informer wiring share: a work queue of Services (synced soon after a change, no
 * batching delay by default), every Service queued at start, the pod handlers, a trigger-time tracker.
 */
export abstract class ServiceEndpointsController {
  protected readonly queue: WorkQueue;
  protected readonly pods: ServicesOfPods;
  protected readonly triggerTimes = new TriggerTimeTracker();

  constructor(
    protected readonly cluster: SimCluster,
    clock: Clock,
  ) {
    this.queue = new WorkQueue(cluster, clock, (ns, name) => this.sync(ns, name));
    this.pods = new ServicesOfPods(cluster);
  }

  /** Starts watching; returns a function that stops it. */
  start(): () => void {
    const stop = this.cluster.onChange((event) => this.observe(event));
    for (const service of this.cluster.list('v1', 'Service')) this.queue.add(service);
    return () => {
      stop();
      this.queue.stop();
    };
  }

  protected abstract observe(event: StoredEvent): void;

  /** syncService for the Service `namespace/name`. */
  protected abstract sync(namespace: string, name: string): void;
}
