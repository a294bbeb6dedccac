/**
 * Services get what a Kubernetes v1.33 API server fills in on create (src/lab/sim/service-ips.ts): defaults, a
 * cluster IP from kind's service subnet (10.96.0.0/16) out of the upper band first, node ports, and the same
 * values kept across an update that leaves them out. Read back through the real API path, as kubectl would.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  addressBandOffset,
  BandedAllocator,
  portBandOffset,
  ServiceAllocator,
} from '../../../src/lab/sim/service-ips.js';
import { seededRandom } from '../../../src/random.js';
import { type FakeKube, type KubeObject, startFakeKube } from '../../support/fake-kube/index.js';

let fake: FakeKube | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const service = (name: string, spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'docqa' },
  spec: { selector: { app: name }, ports: [{ name: 'http', port: 8080 }], ...spec },
});

const ipNumber = (ip: string) => ip.split('.').reduce((n, p) => n * 256 + Number(p), 0);

describe('the range split (ipallocator.go / portallocator calculateRangeOffset)', () => {
  it('addresses: min(max(16, size/16), 256); node ports: min(max(16, size/32), 128)', () => {
    expect([16, 17, 256, 4096, 65536].map(addressBandOffset)).toEqual([0, 16, 16, 256, 256]);
    expect([16, 100, 2768, 100_000].map(portBandOffset)).toEqual([0, 16, 86, 128]);
  });

  it('dynamic numbers come from the upper band until it is full, then from the lower one, never twice', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 }), fc.integer({ min: 17, max: 200 }), (seed, size) => {
        const band = new BandedAllocator(0, size - 1, addressBandOffset(size), seededRandom(seed));
        const offset = addressBandOffset(size);
        const got: number[] = [];
        for (let n = band.next(); n !== undefined; n = band.next()) got.push(n);
        expect(new Set(got).size).toBe(size);
        expect(got.slice(0, size - offset).every((n) => n >= offset)).toBe(true);
        expect(got.slice(size - offset).every((n) => n < offset)).toBe(true);
      }),
      { numRuns: 50 },
    );
  });
});

describe('a Service the simulated API server creates', () => {
  it('is a ClusterIP Service with an address from 10.96.1.1 up, one IPv4 family, the defaults filled in', async () => {
    fake = await startFakeKube();
    const [svc] = fake.seed(service('docqa', {})) as [KubeObject];
    const spec = svc.spec as Record<string, unknown>;
    expect(spec).toMatchObject({
      type: 'ClusterIP',
      sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster',
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
    });
    const ip = String(spec.clusterIP);
    expect(spec.clusterIPs).toEqual([ip]);
    expect(ipNumber(ip)).toBeGreaterThanOrEqual(ipNumber('10.96.1.1'));
    expect(ipNumber(ip)).toBeLessThanOrEqual(ipNumber('10.96.255.254'));
  });

  it('every Service gets its own address; a deleted one gives it back', () => {
    const services = new ServiceAllocator({ random: seededRandom(3) });
    const ips = Array.from({ length: 50 }, () => String(services.create({}).clusterIP));
    expect(new Set(ips).size).toBe(50);
    services.release({ clusterIP: ips[0] });
    expect(services.create({ clusterIP: ips[0] }).clusterIP).toBe(ips[0]);
  });

  it('a headless Service stays headless; an ExternalName one gets no address', () => {
    const services = new ServiceAllocator({ random: seededRandom(3) });
    expect(services.create({ clusterIP: 'None' })).toMatchObject({ clusterIP: 'None', clusterIPs: ['None'] });
    const external = services.create({ type: 'ExternalName', externalName: 'example.com' });
    expect(external.clusterIP).toBeUndefined();
    expect(external.internalTrafficPolicy).toBeUndefined();
  });

  it('a NodePort Service gets a node port from 30086-32767 unless it names one, and Cluster traffic policy', () => {
    const services = new ServiceAllocator({ random: seededRandom(5) });
    const spec = services.create({ type: 'NodePort', ports: [{ port: 80 }, { port: 81, nodePort: 30090 }] });
    const ports = spec.ports as Array<{ nodePort: number }>;
    expect(ports[0]?.nodePort).toBeGreaterThanOrEqual(30086);
    expect(ports[0]?.nodePort).toBeLessThanOrEqual(32767);
    expect(ports[1]?.nodePort).toBe(30090);
    expect(spec.externalTrafficPolicy).toBe('Cluster');
  });

  it('an address or node port that is taken or out of range is refused with 422, as the API server does', async () => {
    fake = await startFakeKube();
    const [first] = fake.seed(service('a', {})) as [KubeObject];
    const taken = String((first.spec as Record<string, unknown>).clusterIP);
    expect(() => fake?.seed(service('b', { clusterIP: taken }))).toThrow(
      `Service "b" is invalid: spec.clusterIPs: Invalid value: ["${taken}"]: failed to allocate IP ${taken}: provided IP is already allocated`,
    );
    expect(() => fake?.seed(service('c', { clusterIP: '10.0.0.1' }))).toThrow(
      'the provided IP (10.0.0.1) is not in the valid range. The range of valid IPs is 10.96.0.0/16',
    );
    expect(() => fake?.seed(service('d', { type: 'NodePort', ports: [{ port: 80, nodePort: 80 }] }))).toThrow(
      'spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range',
    );
  });

  it('an update that leaves out the address and node ports keeps them (patchAllocatedValues)', async () => {
    fake = await startFakeKube();
    const [created] = fake.seed(service('git', { type: 'NodePort', ports: [{ port: 80 }] })) as [KubeObject];
    const before = created.spec as { clusterIP: string; ports: Array<{ nodePort: number }> };
    const updated = fake.update('v1', 'Service', 'git', 'docqa', (o) => {
      o.spec = { type: 'NodePort', selector: { app: 'git2' }, ports: [{ port: 80 }] };
    }) as KubeObject;
    const after = updated.spec as { clusterIP: string; ports: Array<{ nodePort: number }> };
    expect(after.clusterIP).toBe(before.clusterIP);
    expect(after.ports[0]?.nodePort).toBe(before.ports[0]?.nodePort);
  });

  it('each port gets protocol TCP and its port as targetPort, on create and on every update (SetDefaults_Service)', async () => {
    fake = await startFakeKube();
    const [created] = fake.seed(
      service('web', {
        ports: [
          { name: 'http', port: 80 },
          { name: 'dns', port: 53, protocol: 'UDP', targetPort: 'dns' },
        ],
      }),
    ) as [KubeObject];
    expect((created.spec as { ports: unknown[] }).ports).toEqual([
      { name: 'http', port: 80, protocol: 'TCP', targetPort: 80 },
      { name: 'dns', port: 53, protocol: 'UDP', targetPort: 'dns' },
    ]);
    const updated = fake.update('v1', 'Service', 'web', 'docqa', (o) => {
      o.spec = { selector: { app: 'web' }, ports: [{ port: 8080 }] };
    }) as KubeObject;
    expect(updated.spec).toMatchObject({
      type: 'ClusterIP',
      sessionAffinity: 'None',
      ports: [{ port: 8080, protocol: 'TCP', targetPort: 8080 }],
    });
  });
});
