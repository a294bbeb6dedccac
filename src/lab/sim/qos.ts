/**
 * A pod's QoS class, as the API server writes `status.qosClass` when it creates the pod (Kubernetes v1.33
 * pkg/registry/core/pod/strategy.go PrepareForCreate, computed by pkg/apis/core/helper/qos/qos.go ComputePodQOS;
 * the copy read is of the v1.33 line, with the PodLevelResources gate, alpha and off, so pod-level resources are
 * not looked at). Only cpu and memory count, and only quantities above zero. Over the containers and init
 * containers: no request or limit at all is BestEffort; every container limiting both cpu and memory, with the
 * summed requests equal to the summed limits for each resource, is Guaranteed; anything else is Burstable. A limit
 * without a request counts as the request too, as the API server's defaulting (pkg/apis/core/v1/defaults.go) has
 * filled it in before the class is computed.
 */
import { milliValue } from './quantity.js';

export type QosClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

type ResourceList = Record<string, string | number>;
interface ContainerResources {
  resources?: { requests?: ResourceList; limits?: ResourceList };
}

const qosResources = ['cpu', 'memory'] as const;

/** The cpu and memory quantities above zero of a list, in milli-units. */
function positive(list: ResourceList | undefined): Map<string, number> {
  const found = new Map<string, number>();
  for (const name of qosResources) {
    const raw = list?.[name];
    const milli = raw === undefined ? undefined : milliValue(raw);
    if (milli !== undefined && milli > 0) found.set(name, milli);
  }
  return found;
}

function addTo(total: Map<string, number>, list: Map<string, number>): void {
  for (const [name, milli] of list) total.set(name, (total.get(name) ?? 0) + milli);
}

export function podQosClass(spec: {
  containers?: ContainerResources[];
  initContainers?: ContainerResources[];
}): QosClass {
  const requests = new Map<string, number>();
  const limits = new Map<string, number>();
  let limitsEverything = true;
  for (const container of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
    const limited = positive(container.resources?.limits);
    addTo(requests, positive({ ...container.resources?.limits, ...container.resources?.requests }));
    addTo(limits, limited);
    if (!qosResources.every((name) => limited.has(name))) limitsEverything = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  const matching =
    requests.size === limits.size && [...requests].every(([name, milli]) => limits.get(name) === milli);
  return limitsEverything && matching ? 'Guaranteed' : 'Burstable';
}
