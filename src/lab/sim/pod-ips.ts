/**
 * The pod IPs of the lab's one node, as the CNI plugin of a kind cluster hands them out: from the node's pod CIDR
 * (kind's default pod subnet 10.244.0.0/16, of which the first node takes 10.244.0.0/24), one address per pod
 * sandbox, taken back when the pod goes. Like a host-local IPAM range, the pool gives the next free address after
 * the last one it gave, wrapping round to the first, so a freed address is not reused at once. The first addresses
 * of a fresh kind node are taken before the lab's pods come (10.244.0.1 is the bridge's gateway, then CoreDNS's two
 * pods and the local-path provisioner), so the lab's pods start at 10.244.0.5 by default.
 */

/** An IPv4 address as a number (0 to 2^32 - 1); undefined when the text is not a dotted quad. */
export function ipv4ToNumber(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

export function numberToIpv4(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

/** The first and last host address of an IPv4 CIDR (network and broadcast addresses left out). */
export function cidrHosts(cidr: string): { first: number; last: number } {
  const [address = '', bits = ''] = cidr.split('/');
  const base = ipv4ToNumber(address);
  const prefix = Number(bits);
  if (base === undefined || !/^\d{1,2}$/.test(bits) || prefix > 30)
    throw new Error(`not an IPv4 CIDR: ${cidr}`);
  const size = 2 ** (32 - prefix);
  const network = base - (base % size);
  return { first: network + 1, last: network + size - 2 };
}

export interface PodIpPoolOptions {
  /** The node's pod CIDR (default 10.244.0.0/24). */
  cidr?: string;
  /** The first address the pool gives (default 10.244.0.5); it must lie in the CIDR. */
  first?: string;
}

export class PodIpPool {
  private readonly first: number;
  private readonly last: number;
  private readonly taken = new Map<string, number>();
  private readonly inUse = new Set<number>();
  private next: number;

  constructor(options: PodIpPoolOptions = {}) {
    const hosts = cidrHosts(options.cidr ?? '10.244.0.0/24');
    const first = ipv4ToNumber(options.first ?? '10.244.0.5');
    if (first === undefined || first < hosts.first || first > hosts.last)
      throw new Error(`the first pod IP ${options.first} is not a host address of ${options.cidr}`);
    this.first = first;
    this.last = hosts.last;
    this.next = first;
  }

  /** The address of the pod `key`: the one it holds, else the next free one; undefined when none is free. */
  allocate(key: string): string | undefined {
    const held = this.taken.get(key);
    if (held !== undefined) return numberToIpv4(held);
    const size = this.last - this.first + 1;
    for (let tried = 0; tried < size; tried++) {
      const candidate = this.next;
      this.next = candidate === this.last ? this.first : candidate + 1;
      if (this.inUse.has(candidate)) continue;
      this.inUse.add(candidate);
      this.taken.set(key, candidate);
      return numberToIpv4(candidate);
    }
    return undefined;
  }

  release(key: string): void {
    const held = this.taken.get(key);
    if (held === undefined) return;
    this.inUse.delete(held);
    this.taken.delete(key);
  }
}
