/**
 * The kind node the simulated kubelet registers (src/lab/sim/node.ts): what `kubectl get nodes` and
 * `kubectl describe node` read, and its status reports every 5 minutes on the virtual clock.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sleep } from '../../../src/lab/clock.js';
import { VirtualClock } from '../../../src/lab/sim/clock.js';
import { defaultNode } from '../../../src/lab/sim/kubelet.js';
import { NODE_STATUS_REPORT_MS, nodeObject, registerNode } from '../../../src/lab/sim/node.js';
import { leasePrinter, nodePrinter } from '../../../src/lab/sim/printers/core.js';
import { type FakeKube, startFakeKube } from '../../support/fake-kube/index.js';

let fake: FakeKube | undefined;
let clock: VirtualClock | undefined;
afterEach(async () => {
  clock?.stop();
  await fake?.close();
  fake = undefined;
});

describe('the lab node', () => {
  it('kubectl get nodes: Ready, control-plane, v1.33.1; -o wide: its address, Debian 12, containerd 2.1.1', () => {
    const now = Date.UTC(2026, 0, 1);
    const node = nodeObject(defaultNode, now - 90_000);
    node.metadata = { ...node.metadata, creationTimestamp: new Date(now - 90_000).toISOString() };
    const row = nodePrinter.row(node, now).cells;
    expect(row.slice(0, 5)).toEqual(['gitops-lab-control-plane', 'Ready', 'control-plane', '90s', 'v1.33.1']);
    expect(row).toContain('172.18.0.2');
    expect(row).toContain('Debian GNU/Linux 12 (bookworm)');
    expect(row).toContain('containerd://2.1.1');
  });

  it('has the kubelet’s four conditions, the pod CIDR, kind’s provider ID and the machine’s capacity', () => {
    const node = nodeObject(defaultNode, Date.UTC(2026, 0, 1));
    const status = node.status as {
      conditions: Array<{ type: string; status: string; reason: string }>;
      capacity: Record<string, string>;
      allocatable: Record<string, string>;
    };
    expect(status.conditions.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['MemoryPressure', 'False', 'KubeletHasSufficientMemory'],
      ['DiskPressure', 'False', 'KubeletHasNoDiskPressure'],
      ['PIDPressure', 'False', 'KubeletHasSufficientPID'],
      ['Ready', 'True', 'KubeletReady'],
    ]);
    expect(node.spec).toMatchObject({
      podCIDR: '10.244.0.0/24',
      providerID: 'kind://docker/gitops-lab/gitops-lab-control-plane',
    });
    expect(status.capacity.cpu).toMatch(/^[1-9]\d*$/);
    expect(status.capacity.memory).toMatch(/^\d+Ki$/);
    expect(status.allocatable).toEqual(status.capacity);
  });

  it('is registered once, and its heartbeat moves every 5 minutes while its transition time stays', async () => {
    clock = new VirtualClock({ start: Date.parse('2026-01-01T00:00:00Z') });
    fake = await startFakeKube({ clock });
    const stop = registerNode(fake, clock, defaultNode);
    const stopAgain = registerNode(fake, clock, defaultNode);
    expect(fake.list('v1', 'Node')).toHaveLength(1);
    const cluster = fake;
    type Conditions = {
      conditions: Array<{ type: string; lastHeartbeatTime: string; lastTransitionTime: string }>;
    };
    const ready = () =>
      (
        (cluster.get('v1', 'Node', defaultNode.name)?.status ?? { conditions: [] }) as Conditions
      ).conditions.find((c) => c.type === 'Ready');
    await sleep(clock, NODE_STATUS_REPORT_MS + 1000);
    expect(ready()?.lastHeartbeatTime).toBe('2026-01-01T00:05:00Z');
    expect(ready()?.lastTransitionTime).toBe('2026-01-01T00:00:00Z');
    stop();
    stopAgain();
    await sleep(clock, NODE_STATUS_REPORT_MS * 2);
    expect(ready()?.lastHeartbeatTime).toBe('2026-01-01T00:05:00Z');
  });

  it('renews its node Lease every 10 s: holder the node, 40 s, owned by the Node, renewTime a MicroTime', async () => {
    clock = new VirtualClock({ start: Date.parse('2026-01-01T00:00:00Z') });
    fake = await startFakeKube({ clock });
    const stop = registerNode(fake, clock, defaultNode);
    const cluster = fake;
    const lease = () => cluster.get('coordination.k8s.io/v1', 'Lease', defaultNode.name, 'kube-node-lease');
    const node = cluster.get('v1', 'Node', defaultNode.name);
    expect(lease()).toMatchObject({
      metadata: {
        ownerReferences: [
          { apiVersion: 'v1', kind: 'Node', name: defaultNode.name, uid: node?.metadata?.uid },
        ],
      },
      spec: {
        holderIdentity: defaultNode.name,
        leaseDurationSeconds: 40,
        renewTime: '2026-01-01T00:00:00.000000Z',
      },
    });
    await sleep(clock, 25_000);
    expect((lease()?.spec as { renewTime?: string } | undefined)?.renewTime).toBe(
      '2026-01-01T00:00:20.000000Z',
    );
    expect(leasePrinter.row(lease() ?? {}, clock.now()).cells.slice(0, 2)).toEqual([
      defaultNode.name,
      defaultNode.name,
    ]);
    stop();
    await sleep(clock, 30_000);
    expect((lease()?.spec as { renewTime?: string } | undefined)?.renewTime).toBe(
      '2026-01-01T00:00:20.000000Z',
    );
  });
});
