/**
 * The helpers both endpoint controllers share (src/lab/sim/endpointslice-util.ts): the last-change trigger time on
 * the cases of Kubernetes' util/trigger_time_tracker_test.go (written again here), and the port and pod rules of
 * FindPort and ShouldPodBeInEndpoints.
 */
import { describe, expect, it } from 'vitest';
import {
  findPort,
  type PodView,
  type ServiceView,
  shouldPodBeInEndpoints,
  TriggerTimeTracker,
} from '../../../src/lab/sim/endpointslice-util.js';

const t = (n: number) => Date.UTC(2019, 0, 1, 0, 0, n);
const service = (created: number): ServiceView => ({
  metadata: { namespace: 'ns', name: 'my-service', creationTimestamp: new Date(created).toISOString() },
});
const pod = (name: string, ready: number): PodView => ({
  metadata: { namespace: 'ns', name },
  status: {
    conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date(ready).toISOString() }],
  },
});

describe('TriggerTimeTracker (trigger_time_tracker_test.go)', () => {
  it('a new Service: its creation time, whatever its pods', () => {
    expect(new TriggerTimeTracker().compute(service(t(2)), [])).toBe(t(2));
    const pods = [pod('pod1', t(0)), pod('pod2', t(1)), pod('pod3', t(5))];
    expect(new TriggerTimeTracker().compute(service(t(3)), pods)).toBe(t(3));
  });

  it('pods added or updated: the earliest time that moved', () => {
    const tracker = new TriggerTimeTracker();
    expect(tracker.compute(service(t(0)), [pod('pod1', t(1)), pod('pod2', t(2)), pod('pod3', t(3))])).toBe(
      t(0),
    );
    expect(tracker.compute(service(t(0)), [pod('pod1', t(5)), pod('pod2', t(4)), pod('pod3', t(3))])).toBe(
      t(4),
    );
    // Nothing moved: none.
    expect(
      tracker.compute(service(t(0)), [pod('pod1', t(5)), pod('pod2', t(4)), pod('pod3', t(3))]),
    ).toBeUndefined();
  });

  it('a pod deleted then added again, and a Service deleted then created again', () => {
    const tracker = new TriggerTimeTracker();
    expect(tracker.compute(service(t(0)), [pod('pod1', t(1)), pod('pod2', t(2))])).toBe(t(0));
    expect(tracker.compute(service(t(0)), [pod('pod1', t(1))])).toBeUndefined();
    expect(tracker.compute(service(t(0)), [pod('pod1', t(1)), pod('pod2', t(4))])).toBe(t(4));
    tracker.forget('ns', 'my-service');
    expect(tracker.compute(service(t(3)), [pod('pod1', t(1)), pod('pod2', t(4))])).toBe(t(3));
  });
});

describe('FindPort and ShouldPodBeInEndpoints', () => {
  const withPorts: PodView = {
    spec: {
      containers: [
        {
          ports: [
            { name: 'http', containerPort: 8080 },
            { name: 'dns', containerPort: 53, protocol: 'UDP' },
          ],
        },
      ],
      initContainers: [{ restartPolicy: 'Always', ports: [{ name: 'proxy', containerPort: 15001 }] }],
    },
  };

  it('a number as it is; a name by the container port of that name and protocol, sidecars included', () => {
    expect(findPort(withPorts, { port: 80, targetPort: 9090 })).toBe(9090);
    expect(findPort(withPorts, { port: 80 })).toBe(80);
    expect(findPort(withPorts, { port: 80, targetPort: 'http' })).toBe(8080);
    expect(findPort(withPorts, { port: 53, targetPort: 'dns' })).toBeUndefined();
    expect(findPort(withPorts, { port: 53, protocol: 'UDP', targetPort: 'dns' })).toBe(53);
    expect(findPort(withPorts, { port: 80, targetPort: 'proxy' })).toBe(15001);
    expect(findPort(withPorts, { port: 80, targetPort: 'grpc' })).toBeUndefined();
  });

  it('a pod without an address, or finished, is in no endpoints; a terminating one only when asked', () => {
    const running: PodView = { metadata: {}, status: { phase: 'Running', podIP: '10.244.0.5' } };
    expect(shouldPodBeInEndpoints(running, false)).toBe(true);
    expect(shouldPodBeInEndpoints({ ...running, status: { phase: 'Pending' } }, true)).toBe(false);
    expect(
      shouldPodBeInEndpoints({ ...running, status: { ...running.status, phase: 'Succeeded' } }, true),
    ).toBe(false);
    const terminating = { ...running, metadata: { deletionTimestamp: '2026-01-01T00:00:00Z' } };
    expect(shouldPodBeInEndpoints(terminating, false)).toBe(false);
    expect(shouldPodBeInEndpoints(terminating, true)).toBe(true);
  });
});
