/**
 * The Endpoints controller of Kubernetes v1.33 (pkg/controller/endpoint/endpoints_controller.go syncService, read at
 * kubernetes/kubernetes 003e86297d; pkg/api/v1/endpoints/util.go RepackSubsets), and the API server's own endpoints
 * for the `kubernetes` Service (pkg/controlplane/reconcilers, endpointsadapter.go).
 *
 * For every Service with a selector, an Endpoints object of the Service's name:
 * - the pods the selector matches that have an address and are not Succeeded or Failed; terminating pods only with
 *   publishNotReadyAddresses (ShouldPodBeInEndpoints(pod, publishNotReadyAddresses));
 * - each pod an address (ip, nodeName, targetRef; hostname when the pod's subdomain is the Service) under every
 *   Service port it has (FindPort; a named targetPort resolved against the container ports): in `addresses` when the
 *   pod is Ready or the Service publishes not-ready addresses, else in `notReadyAddresses` (addEndpointSubset);
 * - RepackSubsets: ports offered by the same addresses share one subset; addresses sorted by IP (then pod uid);
 *   upstream sorts subsets and ports by a hash of their contents, here by their JSON;
 * - labels the Service's (and `service.kubernetes.io/headless` without a cluster IP); the annotation
 *   `endpoints.kubernetes.io/last-change-trigger-time` when a trigger time moved (TriggerTimeTracker), cleared when
 *   none did; written only when the subsets or labels differ;
 * - a Service without pods gets Endpoints without subsets (kubectl shows `<none>`), as kube-dns does here: the sim
 *   runs no CoreDNS pods;
 * - a deleted Service's Endpoints are deleted; a Service without a selector gets nothing from the controller.
 * Not modelled: the 1000-address truncation (endpoints.kubernetes.io/over-capacity), the API server's warning that
 * v1 Endpoints is deprecated (a response header kubectl prints).
 */
import { isDeepStrictEqual } from 'node:util';
import type { Clock } from '../clock.js';
import type { SimCluster } from './api.js';
import { compareStrings } from './compare.js';
import {
  type EndpointPort,
  endpointPorts,
  hostnameFor,
  type ObjectReference,
  type PodView,
  podIPv4s,
  podRef,
  ServiceEndpointsController,
  type ServiceView,
  selects,
  serviceSelector,
  shouldPodBeInEndpoints,
  withTriggerTime,
} from './endpointslice-util.js';
import { podReady } from './kubelet.js';
import type { KubeObject, StoredEvent } from './store.js';

export interface EndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef?: ObjectReference;
}

export interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports?: EndpointPort[];
}

const addressKey = (a: EndpointAddress) => `${a.ip}|${a.targetRef?.uid ?? ''}`;
const byJson = <T>(a: T, b: T) => compareStrings(JSON.stringify(a), JSON.stringify(b));
const byAddress = (a: EndpointAddress, b: EndpointAddress) =>
  a.ip !== b.ip ? (a.ip < b.ip ? -1 : 1) : (a.targetRef?.uid ?? '') < (b.targetRef?.uid ?? '') ? -1 : 1;

/** One address for each (pod, port) pair, ready or not (endpoints_controller.go addEndpointSubset). */
interface Entry {
  address: EndpointAddress;
  port?: EndpointPort;
  ready: boolean;
}

/**
 * endpoints.RepackSubsets: each port mapped to the addresses offering it (ready winning over not ready), then the
 * ports offered by the same addresses gathered into one subset, sorted.
 */
export function repackSubsets(entries: Entry[]): EndpointSubset[] {
  const byPort = new Map<string, { port?: EndpointPort; addresses: Map<string, Entry> }>();
  for (const entry of entries) {
    const key = JSON.stringify(entry.port ?? null);
    const group = byPort.get(key) ?? { port: entry.port, addresses: new Map<string, Entry>() };
    byPort.set(key, group);
    const seen = group.addresses.get(addressKey(entry.address));
    if (!seen || (!seen.ready && entry.ready)) group.addresses.set(addressKey(entry.address), entry);
  }
  const bySet = new Map<string, { ports: EndpointPort[]; addresses: Entry[] }>();
  for (const group of byPort.values()) {
    const addresses = [...group.addresses.values()].sort((a, b) => byAddress(a.address, b.address));
    const key = JSON.stringify(addresses.map((e) => [addressKey(e.address), e.ready]));
    const set = bySet.get(key) ?? { ports: [], addresses };
    bySet.set(key, set);
    if (group.port) set.ports.push(group.port);
  }
  const subsets = [...bySet.values()].map(({ ports, addresses }) => {
    const ready = addresses.filter((e) => e.ready).map((e) => e.address);
    const notReady = addresses.filter((e) => !e.ready).map((e) => e.address);
    return {
      ...(ready.length > 0 ? { addresses: ready } : {}),
      ...(notReady.length > 0 ? { notReadyAddresses: notReady } : {}),
      ...(ports.length > 0 ? { ports: ports.sort(byJson) } : {}),
    };
  });
  return subsets.sort(byJson);
}

/** syncService's subsets for `service` over the pods its selector matches. */
export function endpointSubsets(service: ServiceView, pods: PodView[]): EndpointSubset[] {
  const publish = service.spec?.publishNotReadyAddresses === true;
  const headlessWithoutPorts = (service.spec?.ports ?? []).length === 0 && service.spec?.clusterIP === 'None';
  const entries: Entry[] = [];
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, publish)) continue;
    const ip = podIPv4s(pod)[0];
    if (!ip) continue;
    const hostname = hostnameFor(pod, service);
    const address: EndpointAddress = {
      ip,
      ...(hostname ? { hostname } : {}),
      ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
      targetRef: podRef(pod),
    };
    const ready = publish || podReady(pod);
    if (headlessWithoutPorts) entries.push({ address, ready });
    for (const port of endpointPorts(service, pod)) entries.push({ address, port, ready });
  }
  return repackSubsets(entries);
}

/** The labels the controller gives a Service's Endpoints. */
function endpointsLabels(service: ServiceView): Record<string, string> {
  const headless = !service.spec?.clusterIP || service.spec.clusterIP === 'None';
  return { ...service.metadata?.labels, ...(headless ? { 'service.kubernetes.io/headless': '' } : {}) };
}

export class EndpointsController extends ServiceEndpointsController {
  constructor(cluster: SimCluster, options: { clock: Clock }) {
    super(cluster, options.clock);
  }

  protected observe(event: StoredEvent): void {
    const { kind, group } = event.resource;
    if (group !== '') return;
    if (kind === 'Service') this.queue.add(event.object);
    else if (kind === 'Pod') for (const service of this.pods.changed(event)) this.queue.add(service);
  }

  protected sync(ns: string, name: string): void {
    const service = this.cluster.get('v1', 'Service', name, ns) as ServiceView | undefined;
    if (!service) {
      // The Service is gone: its Endpoints go too.
      this.triggerTimes.forget(ns, name);
      if (this.cluster.get('v1', 'Endpoints', name, ns)) this.cluster.remove('v1', 'Endpoints', name, ns);
      return;
    }
    const selector = serviceSelector(service);
    if (!selector) return;
    const pods = this.cluster.list('v1', 'Pod', ns).filter((p) => selects(selector, p)) as PodView[];
    const triggerTime = this.triggerTimes.compute(service, pods);
    const subsets = endpointSubsets(service, pods);
    const labels = endpointsLabels(service);
    const current = this.cluster.get('v1', 'Endpoints', name, ns);
    const { 'service.kubernetes.io/headless': _h, ...currentLabels } = current?.metadata?.labels ?? {};
    if (
      current &&
      isDeepStrictEqual((current.subsets as EndpointSubset[] | undefined) ?? [], subsets) &&
      isDeepStrictEqual(currentLabels, service.metadata?.labels ?? {})
    )
      return;
    const annotations = withTriggerTime(current?.metadata?.annotations, triggerTime);
    const write = (o: KubeObject) => {
      o.metadata = { ...o.metadata, labels };
      if (Object.keys(annotations).length > 0) o.metadata.annotations = annotations;
      else delete o.metadata.annotations;
      if (subsets.length > 0) o.subsets = subsets;
      else delete o.subsets;
    };
    if (current) this.cluster.update('v1', 'Endpoints', name, ns, write);
    else {
      const created: KubeObject = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace: ns } };
      write(created);
      this.cluster.seed(created);
    }
  }
}

/**
 * What kube-apiserver writes for the `kubernetes` Service (pkg/controlplane/reconcilers lease.go and
 * endpointsadapter.go): the Endpoints `kubernetes` with the API server's address and port (kind: the node's
 * address, 6443, port name https) and the `endpointslice.kubernetes.io/skip-mirror` label, and the EndpointSlice
 * `kubernetes` made from it (endpointSliceFromEndpoints: the same name, only the service-name label, IPv4, each
 * address an endpoint with ready true).
 */
export function apiServerEndpoints(nodeIp: string): KubeObject[] {
  const port = { name: 'https', port: 6443, protocol: 'TCP' };
  return [
    {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: {
        name: 'kubernetes',
        namespace: 'default',
        labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' },
      },
      subsets: [{ addresses: [{ ip: nodeIp }], ports: [port] }],
    },
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        name: 'kubernetes',
        namespace: 'default',
        labels: { 'kubernetes.io/service-name': 'kubernetes' },
      },
      addressType: 'IPv4',
      endpoints: [{ addresses: [nodeIp], conditions: { ready: true } }],
      ports: [port],
    },
  ];
}
