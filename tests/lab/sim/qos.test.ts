/**
 * The QoS class the API server writes at a pod's creation (Kubernetes v1.33 pkg/apis/core/helper/qos/qos.go
 * ComputePodQOS), as `kubectl describe pod` shows it under "QoS Class".
 */
import { describe, expect, it } from 'vitest';
import { podQosClass } from '../../../src/lab/sim/qos.js';

type Resources = { requests?: Record<string, string>; limits?: Record<string, string> };
const pod = (...containers: Resources[]) => ({ containers: containers.map((resources) => ({ resources })) });

describe('a pod’s QoS class', () => {
  it('is BestEffort without cpu or memory requests or limits (other resources and zeros do not count)', () => {
    expect(podQosClass(pod({}))).toBe('BestEffort');
    expect(podQosClass(pod({ requests: { 'ephemeral-storage': '1Gi' }, limits: { cpu: '0' } }))).toBe(
      'BestEffort',
    );
  });

  it('is Guaranteed when every container limits cpu and memory and requests equal limits, in any unit', () => {
    expect(podQosClass(pod({ limits: { cpu: '500m', memory: '128Mi' } }))).toBe('Guaranteed');
    expect(
      podQosClass(
        pod(
          { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1000m', memory: '1024Mi' } },
          { limits: { cpu: '100m', memory: '64Mi' } },
        ),
      ),
    ).toBe('Guaranteed');
  });

  it('is Burstable otherwise', () => {
    expect(podQosClass(pod({ requests: { cpu: '100m' } }))).toBe('Burstable');
    expect(podQosClass(pod({ limits: { cpu: '1' } }))).toBe('Burstable');
    expect(
      podQosClass(pod({ requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '1', memory: '64Mi' } })),
    ).toBe('Burstable');
    // One Guaranteed container and one BestEffort one.
    expect(podQosClass(pod({ limits: { cpu: '1', memory: '1Gi' } }, {}))).toBe('Burstable');
  });

  it('counts init containers as well', () => {
    const spec = { ...pod({ limits: { cpu: '1', memory: '1Gi' } }), initContainers: [{ resources: {} }] };
    expect(podQosClass(spec)).toBe('Burstable');
  });
});
