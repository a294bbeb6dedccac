/**
 * The core printers (src/lab/sim/printers/core.ts) on cases of Kubernetes v1.33 pkg/printers/internalversion/
 * printers_test.go (TestPrintService, TestPrintEvent, TestPrintEndpoint, TestPrintNodeStatus, TestPrintConfigMap,
 * TestPrintSecret, TestPrintEndpointSlice...): inputs and expected cells, in their v1 JSON form.
 */
import { describe, expect, it } from 'vitest';
import {
  configMapPrinter,
  endpointSlicePrinter,
  eventPrinter,
  formatEndpoints,
  ingressPrinter,
  nodePrinter,
  persistentVolumeClaimPrinter,
  secretPrinter,
  servicePrinter,
} from '../../../../src/lab/sim/printers/core.js';

const now = Date.UTC(2026, 0, 10);
const ago = (ms: number) => new Date(now - ms).toISOString();

describe('Service', () => {
  it('TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE SELECTOR', () => {
    const svc = {
      metadata: { name: 'test1', creationTimestamp: ago(0) },
      spec: {
        type: 'ClusterIP',
        ports: [{ protocol: 'TCP', port: 2233 }],
        clusterIPs: ['10.9.8.7'],
        selector: { foo: 'bar' },
      },
    };
    expect(servicePrinter.row(svc, now).cells).toEqual([
      'test1',
      'ClusterIP',
      '10.9.8.7',
      '<none>',
      '2233/TCP',
      '0s',
      'foo=bar',
    ]);
  });

  it('NodePort ports as port:nodePort; a LoadBalancer without an address is <pending>', () => {
    const svc = {
      metadata: { name: 'lb' },
      spec: {
        type: 'LoadBalancer',
        ports: [{ protocol: 'TCP', port: 8080, nodePort: 30080 }],
        clusterIP: '10.9.8.7',
      },
    };
    expect(servicePrinter.row(svc, now).cells.slice(1, 5)).toEqual([
      'LoadBalancer',
      '10.9.8.7',
      '<pending>',
      '8080:30080/TCP',
    ]);
    const withAddress = {
      ...svc,
      status: { loadBalancer: { ingress: [{ ip: '2.3.4.5' }, { hostname: 'a.example' }] } },
    };
    expect(servicePrinter.row(withAddress, now).cells[3]).toBe('2.3.4.5,a.example');
  });

  it('an ExternalName service shows its name; no ports is <none>', () => {
    const svc = {
      metadata: { name: 'ext' },
      spec: { type: 'ExternalName', externalName: 'my.database.example.com' },
    };
    expect(servicePrinter.row(svc, now).cells.slice(1, 5)).toEqual([
      'ExternalName',
      '<none>',
      'my.database.example.com',
      '<none>',
    ]);
  });
});

describe('Event', () => {
  it('LAST SEEN TYPE REASON OBJECT MESSAGE, then SUBOBJECT SOURCE FIRST SEEN COUNT NAME in wide', () => {
    const event = {
      metadata: { name: 'event1' },
      source: { component: 'kubelet', host: 'Node1' },
      involvedObject: { kind: 'Deployment', name: 'Deployment Name', fieldPath: 'spec.containers{foo}' },
      reason: 'Event Reason',
      message: 'Message Data',
      firstTimestamp: ago(3 * 86_400_000),
      lastTimestamp: ago(2 * 86_400_000),
      count: 6,
      type: 'Normal',
    };
    expect(eventPrinter.row(event, now).cells).toEqual([
      '2d',
      'Normal',
      'Event Reason',
      'deployment/Deployment Name',
      'spec.containers{foo}',
      'kubelet, Node1',
      'Message Data',
      '3d',
      6,
      'event1',
    ]);
  });

  it('an events.k8s.io-style event: eventTime, the reporting controller, count 1', () => {
    const event = {
      metadata: { name: 'event2' },
      reportingComponent: 'kubelet',
      reportingInstance: 'Node1',
      involvedObject: { kind: 'Pod' },
      eventTime: ago(3 * 86_400_000),
      type: 'Warning',
    };
    const cells = eventPrinter.row(event, now).cells;
    expect([cells[0], cells[3], cells[5], cells[7], cells[8]]).toEqual([
      '3d',
      'pod',
      'kubelet, Node1',
      '3d',
      1,
    ]);
  });

  it('a series: its last observed time and count', () => {
    const event = {
      metadata: { name: 'event3' },
      involvedObject: { kind: 'Pod', name: 'p' },
      eventTime: ago(3 * 86_400_000),
      series: { count: 2, lastObservedTime: ago(2 * 86_400_000) },
    };
    const cells = eventPrinter.row(event, now).cells;
    expect([cells[0], cells[8]]).toEqual(['2d', 2]);
  });
});

describe('Endpoints, Node, ConfigMap, Secret, Ingress', () => {
  it('ENDPOINTS: ip:port for each port, three at most', () => {
    expect(formatEndpoints(undefined)).toBe('<none>');
    expect(formatEndpoints([{ addresses: [{ ip: '127.0.0.1' }], ports: [{ port: 8080 }] }])).toBe(
      '127.0.0.1:8080',
    );
    expect(
      formatEndpoints([
        {
          addresses: [{ ip: '1.2.3.4' }, { ip: '2.3.4.5' }, { ip: '3.4.5.6' }, { ip: '4.5.6.7' }],
          ports: [{ port: 8080 }],
        },
      ]),
    ).toBe('1.2.3.4:8080,2.3.4.5:8080,3.4.5.6:8080 + 1 more...');
    expect(formatEndpoints([{ addresses: [{ ip: 'fd00::1' }], ports: [{ port: 80 }] }])).toBe('[fd00::1]:80');
    expect(formatEndpoints([{ addresses: [{ ip: '10.0.0.1' }] }])).toBe('10.0.0.1');
  });

  it('Node STATUS from the Ready condition (Unknown without one), SchedulingDisabled, ROLES', () => {
    const node = (conditions: object[], extra: object = {}) => ({
      metadata: {
        name: 'foo1',
        labels: { 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/role': 'node' },
      },
      status: { conditions, nodeInfo: { kubeletVersion: 'v1.33.1' } },
      ...extra,
    });
    expect(nodePrinter.row(node([{ type: 'Ready', status: 'True' }]), now).cells.slice(0, 5)).toEqual([
      'foo1',
      'Ready',
      'control-plane,node',
      '<unknown>',
      'v1.33.1',
    ]);
    expect(nodePrinter.row(node([{ type: 'Ready', status: 'False' }]), now).cells[1]).toBe('NotReady');
    expect(nodePrinter.row(node([], { spec: { unschedulable: true } }), now).cells[1]).toBe(
      'Unknown,SchedulingDisabled',
    );
    expect(nodePrinter.row(node([]), now).cells.slice(5)).toEqual([
      '<none>',
      '<none>',
      '<unknown>',
      '<unknown>',
      '<unknown>',
    ]);
  });

  it('ConfigMap DATA counts data and binaryData; Secret TYPE and DATA', () => {
    expect(
      configMapPrinter.row({ metadata: { name: 'cm' }, data: { a: '1', b: '2' }, binaryData: { c: '' } }, now)
        .cells,
    ).toEqual(['cm', 3, '<unknown>']);
    expect(
      secretPrinter.row(
        { metadata: { name: 's' }, type: 'kubernetes.io/tls', data: { 'tls.crt': '', 'tls.key': '' } },
        now,
      ).cells,
    ).toEqual(['s', 'kubernetes.io/tls', 2, '<unknown>']);
  });

  it('Ingress HOSTS: three at most, "*" without any; PORTS 80, 443 with TLS', () => {
    const ing = {
      metadata: { name: 'ing' },
      spec: {
        ingressClassName: 'nginx',
        rules: [{ host: 'a' }, {}, { host: 'b' }, { host: 'c' }, { host: 'd' }],
        tls: [{}],
      },
    };
    expect(ingressPrinter.row(ing, now).cells.slice(1, 5)).toEqual([
      'nginx',
      'a,b,c + 2 more...',
      '',
      '80, 443',
    ]);
    expect(ingressPrinter.row({ metadata: { name: 'x' }, spec: {} }, now).cells.slice(1, 5)).toEqual([
      '<none>',
      '*',
      '',
      '80',
    ]);
  });
});

describe('PersistentVolumeClaim', () => {
  it('STATUS VOLUME CAPACITY ACCESS MODES STORAGECLASS VOLUMEATTRIBUTESCLASS AGE, VOLUMEMODE in wide', () => {
    const claim = {
      metadata: { name: 'data' },
      spec: { volumeName: 'pv-1', storageClassName: 'standard', volumeMode: 'Block' },
      status: {
        phase: 'Bound',
        accessModes: ['ReadWriteMany', 'ReadWriteOnce'],
        capacity: { storage: '4Gi' },
      },
    };
    expect(persistentVolumeClaimPrinter.row(claim, now).cells).toEqual([
      'data',
      'Bound',
      'pv-1',
      '4Gi',
      'RWO,RWX',
      'standard',
      '<unset>',
      '<unknown>',
      'Block',
    ]);
  });

  it('an unbound claim shows no capacity or modes; the beta annotation names the class; deleted is Terminating', () => {
    const claim = {
      metadata: {
        name: 'pending',
        deletionTimestamp: ago(0),
        annotations: { 'volume.beta.kubernetes.io/storage-class': 'fast' },
      },
      spec: { storageClassName: 'standard' },
      status: { accessModes: ['ReadWriteOnce'] },
    };
    expect(persistentVolumeClaimPrinter.row(claim, now).cells).toEqual([
      'pending',
      'Terminating',
      '',
      '',
      '',
      'fast',
      '<unset>',
      '<unknown>',
      'Filesystem',
    ]);
  });
});

describe('EndpointSlice', () => {
  const slice = (fields: Record<string, unknown>) => ({
    metadata: { name: 'web-x7k2p', creationTimestamp: ago(90_000) },
    addressType: 'IPv4',
    ...fields,
  });

  it('NAME ADDRESSTYPE PORTS ENDPOINTS AGE: every port number and address', () => {
    const row = endpointSlicePrinter.row(
      slice({
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
        endpoints: [{ addresses: ['10.244.0.5'] }, { addresses: ['10.244.0.6'] }],
      }),
      now,
    );
    expect(endpointSlicePrinter.columns.map((c) => c.name)).toEqual([
      'Name',
      'AddressType',
      'Ports',
      'Endpoints',
      'Age',
    ]);
    expect(row.cells).toEqual(['web-x7k2p', 'IPv4', '8080', '10.244.0.5,10.244.0.6', '90s']);
  });

  it('three at most then "+ N more...", a port without a number by its name or `*`', () => {
    const row = endpointSlicePrinter.row(
      slice({
        ports: [{ port: 80 }, { port: 443 }, { name: 'metrics' }, {}],
        endpoints: [
          { addresses: ['10.0.0.1', '10.0.0.2'] },
          { addresses: ['10.0.0.3'] },
          { addresses: ['10.0.0.4'] },
        ],
      }),
      now,
    );
    expect(row.cells.slice(2, 4)).toEqual([
      '80,443,metrics + 1 more...',
      '10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...',
    ]);
    const named = endpointSlicePrinter.row(slice({ ports: [{}, { name: 'dns' }], endpoints: [] }), now);
    expect(named.cells[2]).toBe('*,dns');
  });

  it('a placeholder slice (no ports, no endpoints) prints <unset> twice', () => {
    expect(endpointSlicePrinter.row(slice({ ports: null, endpoints: null }), now).cells.slice(1, 4)).toEqual([
      'IPv4',
      '<unset>',
      '<unset>',
    ]);
  });
});
