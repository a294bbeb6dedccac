/**
 * What the API server fills into a Service it creates: the defaults of Kubernetes v1.33
 * (pkg/apis/core/v1/defaults.go SetDefaults_Service) and the addresses and node ports it allocates
 * (pkg/registry/core/service/storage/alloc.go), so `kubectl get svc` against the simulated lab shows a CLUSTER-IP
 * from the kind cluster's service subnet (10.96.0.0/16, kind's default) as a real one does.
 *
 * Allocation (pkg/registry/core/service/ipallocator/ipallocator.go allocateNextService, and the node-port bitmap's
 * random scan with offset, pkg/registry/core/service/portallocator/allocator.go): the range is split at an offset
 * (addresses: min(max(16, size/16), 256); node ports: min(max(16, size/32), 128)); a dynamic allocation starts at a
 * random place in the upper part and walks up, wrapping round within it, and falls back to the lower part, which
 * is kept for addresses and ports asked for by name. The random source is the sim's seeded one, so runs repeat.
 */
import { cidrHosts, ipv4ToNumber, numberToIpv4 } from './pod-ips.js';

/**
 * SetDefaults_Service (pkg/apis/core/v1/defaults.go), which the API server runs on every create and update: type
 * ClusterIP, session affinity None (ClientIP's timeout 10800 s), traffic policies Cluster, a LoadBalancer's node
 * ports allocated, and each port's protocol TCP and targetPort its port. (Argo CD merges a Service's ports by their
 * port, so the defaults written into them are no drift: argocd-diff.ts.)
 */
export function serviceSpecDefaults(input: Record<string, unknown> | undefined): Record<string, unknown> {
  const spec: Record<string, unknown> = { ...(input ?? {}) };
  spec.type ??= 'ClusterIP';
  spec.sessionAffinity ??= 'None';
  if (spec.sessionAffinity === 'ClientIP')
    spec.sessionAffinityConfig ??= { clientIP: { timeoutSeconds: 10_800 } };
  if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') spec.externalTrafficPolicy ??= 'Cluster';
  if (spec.type !== 'ExternalName') spec.internalTrafficPolicy ??= 'Cluster';
  if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
  if (Array.isArray(spec.ports))
    spec.ports = spec.ports.map((raw) => {
      const port = { ...(raw as Record<string, unknown>) };
      port.protocol ??= 'TCP';
      if (port.targetPort === undefined || port.targetPort === 0 || port.targetPort === '')
        port.targetPort = port.port;
      return port;
    });
  return spec;
}

/** An address or node port the Service asks for that cannot be had: the API server answers 422 Invalid. */
export class ServiceAllocationError extends Error {}

/** kind's default service subnet (kind's config `networking.serviceSubnet`) and kube-apiserver's node-port range. */
export const KIND_SERVICE_CIDR = '10.96.0.0/16';
export const NODE_PORT_RANGE = { first: 30000, last: 32767 };

/** A range of numbers handed out as allocateNextService hands out addresses: upper band first, from a random start. */
export class BandedAllocator {
  readonly #used = new Set<number>();

  /** `offset`: how many numbers from `first` on are the lower band, kept for numbers asked for by name. */
  constructor(
    readonly first: number,
    readonly last: number,
    private readonly offset: number,
    private readonly random: () => number,
  ) {}

  /** Takes `n` if it is free and in range (an address or port asked for by name). */
  reserve(n: number): boolean {
    if (n < this.first || n > this.last || this.#used.has(n)) return false;
    this.#used.add(n);
    return true;
  }

  release(n: number): void {
    this.#used.delete(n);
  }

  /** The numbers taken now, and a way back to them (a dry run's allocations are not kept). */
  checkpoint(): () => void {
    const taken = new Set(this.#used);
    return () => {
      this.#used.clear();
      for (const n of taken) this.#used.add(n);
    };
  }

  /** The next free number, or undefined when the range is full. */
  next(): number | undefined {
    const split = this.first + this.offset;
    return this.#scan(split, this.last) ?? (this.offset > 0 ? this.#scan(this.first, split - 1) : undefined);
  }

  #scan(from: number, to: number): number | undefined {
    const size = to - from + 1;
    if (size <= 0) return undefined;
    const start = Math.floor(this.random() * size);
    for (let i = 0; i < size; i++) {
      const n = from + ((start + i) % size);
      if (!this.#used.has(n)) {
        this.#used.add(n);
        return n;
      }
    }
    return undefined;
  }
}

/** ipallocator.go calculateRangeOffset: min(max(16, size/16), 256), none for a range of 16 or fewer. */
export function addressBandOffset(cidrSize: number): number {
  if (cidrSize <= 16) return 0;
  return Math.min(Math.max(16, Math.floor(cidrSize / 16)), 256);
}

/** portallocator/allocator.go calculateRangeOffset: min(max(16, size/32), 128), none for 16 ports or fewer. */
export function portBandOffset(size: number): number {
  if (size <= 16) return 0;
  return Math.min(Math.max(16, Math.floor(size / 32)), 128);
}

export class ServiceAllocator {
  readonly #ips: BandedAllocator;
  readonly #ports: BandedAllocator;

  readonly cidr: string;

  constructor(options: { cidr?: string; random: () => number }) {
    this.cidr = options.cidr ?? KIND_SERVICE_CIDR;
    const { first, last } = cidrHosts(this.cidr);
    // The address offset comes from the CIDR's size (its hosts, network and broadcast), counted from the first host.
    this.#ips = new BandedAllocator(first, last, addressBandOffset(last - first + 3), options.random);
    const { first: low, last: high } = NODE_PORT_RANGE;
    this.#ports = new BandedAllocator(low, high, portBandOffset(high - low + 1), options.random);
  }
  /** Both ranges' allocations now, and a way back to them. */
  checkpoint(): () => void {
    const ips = this.#ips.checkpoint();
    const ports = this.#ports.checkpoint();
    return () => {
      ips();
      ports();
    };
  }

  /**
   * The Service spec as the API server stores it on create. A clusterIP or nodePort the spec names is kept (and
   * taken from the pool); `None` makes a headless Service. Throws when the pool is full.
   */
  create(input: Record<string, unknown> | undefined): Record<string, unknown> {
    const spec = serviceSpecDefaults(input);
    const external = spec.type === 'NodePort' || spec.type === 'LoadBalancer';
    // A NodePort's node port is allocated.
    if (Array.isArray(spec.ports))
      spec.ports = spec.ports.map((raw, i) => {
        const port = { ...(raw as Record<string, unknown>) };
        if (typeof port.nodePort === 'number') {
          const wanted = port.nodePort;
          if (!this.#ports.reserve(wanted))
            throw new ServiceAllocationError(
              `spec.ports[${i}].nodePort: Invalid value: ${wanted}: ${
                wanted < NODE_PORT_RANGE.first || wanted > NODE_PORT_RANGE.last
                  ? `provided port is not in the valid range. The range of valid ports is ${NODE_PORT_RANGE.first}-${NODE_PORT_RANGE.last}`
                  : 'provided port is already allocated'
              }`,
            );
        } else if (external) {
          const allocated = this.#ports.next();
          if (allocated === undefined)
            throw new ServiceAllocationError(`spec.ports[${i}].nodePort: Internal error: range is full`);
          port.nodePort = allocated;
        }
        return port;
      });
    if (spec.type === 'ExternalName') return spec;
    // alloc.go: one IPv4 family on a single-stack cluster; the address, or None for a headless Service.
    spec.ipFamilies ??= ['IPv4'];
    spec.ipFamilyPolicy ??= 'SingleStack';
    const asked = typeof spec.clusterIP === 'string' && spec.clusterIP !== '' ? spec.clusterIP : undefined;
    if (asked === 'None') {
      spec.clusterIPs = ['None'];
      return spec;
    }
    if (asked && !this.#ips.reserve(ipv4ToNumber(asked) ?? -1)) {
      // ipallocator errors as alloc.go wraps them (ErrNotInRange, ErrAllocated).
      const number = ipv4ToNumber(asked);
      const why =
        number === undefined || number < this.#ips.first || number > this.#ips.last
          ? `the provided IP (${asked}) is not in the valid range. The range of valid IPs is ${this.cidr}`
          : 'provided IP is already allocated';
      throw new ServiceAllocationError(
        `spec.clusterIPs: Invalid value: ["${asked}"]: failed to allocate IP ${asked}: ${why}`,
      );
    }
    const ip = asked ?? this.#nextIp();
    spec.clusterIP = ip;
    spec.clusterIPs = [ip];
    return spec;
  }

  /**
   * An update that leaves out what was allocated keeps it (pkg/registry/core/service/storage/storage.go
   * patchAllocatedValues): the cluster IPs and families while both old and new need an address, and each port's
   * node port from the old port with the same number and protocol while both are NodePort or LoadBalancer.
   */
  keepAllocated(next: Record<string, unknown> | undefined, old: Record<string, unknown> | undefined): void {
    if (!next || !old) return;
    const needsIp = (s: Record<string, unknown>) => s.type !== 'ExternalName';
    if (needsIp(old) && needsIp(next)) {
      if (next.clusterIP === undefined || next.clusterIP === '') next.clusterIP = old.clusterIP;
      if (!Array.isArray(next.clusterIPs) || next.clusterIPs.length === 0) next.clusterIPs = old.clusterIPs;
      next.ipFamilies ??= old.ipFamilies;
      next.ipFamilyPolicy ??= old.ipFamilyPolicy;
    }
    const needsNodePort = (s: Record<string, unknown>) => s.type === 'NodePort' || s.type === 'LoadBalancer';
    if (needsNodePort(old) && needsNodePort(next) && Array.isArray(next.ports) && Array.isArray(old.ports)) {
      const protocol = (p: Record<string, unknown>) => p.protocol ?? 'TCP';
      for (const port of next.ports as Record<string, unknown>[]) {
        if (port.nodePort !== undefined) continue;
        const before = (old.ports as Record<string, unknown>[]).find(
          (o) => o.port === port.port && protocol(o) === protocol(port),
        );
        if (before?.nodePort !== undefined) port.nodePort = before.nodePort;
      }
    }
  }

  /** Gives back what a deleted Service held. */
  release(spec: Record<string, unknown> | undefined): void {
    const ip = typeof spec?.clusterIP === 'string' ? ipv4ToNumber(spec.clusterIP) : undefined;
    if (ip !== undefined) this.#ips.release(ip);
    for (const port of Array.isArray(spec?.ports) ? spec.ports : [])
      if (typeof (port as { nodePort?: unknown }).nodePort === 'number')
        this.#ports.release((port as { nodePort: number }).nodePort);
  }

  #nextIp(): string {
    const n = this.#ips.next();
    if (n === undefined) throw new ServiceAllocationError('spec.clusterIPs: Internal error: range is full');
    return numberToIpv4(n);
  }
}
