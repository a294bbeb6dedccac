/**
 * What Argo CD writes on managed objects (argocd-tracking.ts): the tracking id of util/argo/resource_tracking.go,
 * and kubectl's last-applied configuration. The last-applied value is checked against one kubectl wrote, quoted in
 * gitops-engine pkg/diff/diff_test.go (demoLive, e48120133eec).
 */
import { describe, expect, it } from 'vitest';
import { lastAppliedValue, trackingId, withTracking } from '../../../src/lab/sim/argocd-tracking.js';

describe('Argo CD resource tracking and the last-applied configuration', () => {
  it('the tracking id is <app>:<group>/<kind>:<namespace>/<name>, the destination namespace when none is set', () => {
    const rollout = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'docqa', namespace: 'docqa' },
    };
    expect(trackingId('docqa', rollout, 'elsewhere')).toBe('docqa:argoproj.io/Rollout:docqa/docqa');
    const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' } };
    expect(trackingId('app', configMap, 'lab')).toBe('app:/ConfigMap:lab/cfg');
    expect(withTracking(configMap, 'app', 'lab').metadata?.annotations).toEqual({
      'argocd.argoproj.io/tracking-id': 'app:/ConfigMap:lab/cfg',
    });
  });

  it("the last-applied value is the object in Go's JSON encoding (keys sorted, annotations kept) and a newline", () => {
    const serviceAccount = {
      kind: 'ServiceAccount',
      apiVersion: 'v1',
      metadata: {
        name: 'argocd-application-controller',
        labels: { 'app.kubernetes.io/instance': 'argocd-demo' },
        namespace: 'argocd-demo',
      },
    };
    expect(lastAppliedValue(serviceAccount)).toBe(
      '{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"annotations":{},"labels":{"app.kubernetes.io/instance":"argocd-demo"},"name":"argocd-application-controller","namespace":"argocd-demo"}}\n',
    );
    const withOld = {
      ...serviceAccount,
      metadata: {
        ...serviceAccount.metadata,
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': 'x' },
      },
      status: { phase: 'x' },
    };
    expect(lastAppliedValue(withOld)).toBe(lastAppliedValue(serviceAccount));
  });
});
