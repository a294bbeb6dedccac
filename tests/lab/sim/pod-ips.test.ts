/** The pod IPs of the lab's node: distinct, inside the node's pod CIDR, held by a pod for its life. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cidrHosts, ipv4ToNumber, PodIpPool } from '../../../src/lab/sim/pod-ips.js';

describe('the node’s pod IP pool', () => {
  it('gives kind’s first node 10.244.0.5, .6, … and a pod keeps its address', () => {
    const pool = new PodIpPool();
    expect(pool.allocate('ns/a')).toBe('10.244.0.5');
    expect(pool.allocate('ns/b')).toBe('10.244.0.6');
    expect(pool.allocate('ns/a')).toBe('10.244.0.5');
  });

  it('does not hand a freed address out again before it has gone round the range', () => {
    const pool = new PodIpPool({ cidr: '10.244.0.0/29', first: '10.244.0.2' });
    expect([pool.allocate('a'), pool.allocate('b')]).toEqual(['10.244.0.2', '10.244.0.3']);
    pool.release('a');
    expect(pool.allocate('c')).toBe('10.244.0.4');
    expect([pool.allocate('d'), pool.allocate('e'), pool.allocate('f')]).toEqual([
      '10.244.0.5',
      '10.244.0.6',
      '10.244.0.2',
    ]);
    expect(pool.allocate('g')).toBeUndefined();
  });

  it('keeps the addresses of live pods distinct and inside the CIDR, whatever pods come and go', () => {
    const { first, last } = cidrHosts('10.244.0.0/28');
    const start = ipv4ToNumber('10.244.0.5') ?? first;
    const step = fc.oneof(
      fc.record({ add: fc.integer({ min: 0, max: 20 }) }),
      fc.record({ remove: fc.integer({ min: 0, max: 20 }) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 200 }), (steps) => {
        const pool = new PodIpPool({ cidr: '10.244.0.0/28', first: '10.244.0.5' });
        const live = new Map<string, string>();
        for (const s of steps) {
          if ('add' in s) {
            const ip = pool.allocate(`pod-${s.add}`);
            if (ip) live.set(`pod-${s.add}`, ip);
            else expect(live.size).toBe(last - start + 1);
          } else {
            pool.release(`pod-${s.remove}`);
            live.delete(`pod-${s.remove}`);
          }
          const ips = [...live.values()].map((ip) => ipv4ToNumber(ip) ?? -1);
          expect(new Set(ips).size).toBe(ips.length);
          for (const n of ips) expect(n >= first && n <= last).toBe(true);
        }
      }),
    );
  });
});
