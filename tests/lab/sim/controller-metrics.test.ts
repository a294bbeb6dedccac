/**
 * The controllers' metrics the simulated lab exports (src/lab/sim/controller-metrics.ts), checked against the
 * expected exposition in the controllers' own tests: Argo CD v3.1.12 controller/metrics/metrics_test.go
 * (TestMetrics' fakeApp, fakeApp2 and fakeApp3; TestMetricsSyncCounter) and Argo Rollouts v1.8.3
 * controller/metrics/rollout_test.go (TestCollectRollouts) and analysis_test.go. The objects are written here in
 * TypeScript from those fixtures' facts; the label values are compared, not the text's label order.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SimCluster } from '../../../src/lab/sim/api.js';
import { startSimCluster } from '../../../src/lab/sim/api.js';
import {
  argoCdMetrics,
  argoRolloutsMetrics,
  metricType,
  rolloutPhase,
  strategyOf,
} from '../../../src/lab/sim/controller-metrics.js';
import type { KubeObject } from '../../../src/lab/sim/store.js';

let cluster: SimCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

/** The samples of `name` in Prometheus' text format, each as its labels and value. */
function samples(text: string, name: string): Array<{ labels: Record<string, string>; value: number }> {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .map((l) => {
      const match = /^[^{ ]+(?:\{(.*)\})? (\S+)$/.exec(l);
      const labels: Record<string, string> = {};
      for (const m of (match?.[1] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
        labels[m[1] as string] = m[2] as string;
      return { labels, value: Number(match?.[2]) };
    });
}

const app = (name: string, extra: Partial<KubeObject> & { operation?: unknown } = {}): KubeObject => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  metadata: { name, namespace: 'argocd' },
  spec: {
    destination: { namespace: 'dummy-namespace', server: 'https://localhost:6443' },
    project: 'important-project',
    source: { path: 'some/path', repoURL: 'https://github.com/argoproj/argocd-example-apps.git' },
  },
  status: { sync: { status: 'Synced' }, health: { status: 'Healthy' } },
  ...extra,
});

describe('Argo CD application controller metrics', () => {
  it('argocd_app_info as TestMetrics expects it: autosync, the normalised repo, the operation', async () => {
    const automated = (prune: boolean, selfHeal: boolean) => ({
      destination: { namespace: 'dummy-namespace', server: 'https://localhost:6443' },
      project: 'important-project',
      source: { path: 'some/path', repoURL: 'https://github.com/argoproj/argocd-example-apps.git' },
      syncPolicy: { automated: { prune, selfHeal } },
    });
    cluster = await startSimCluster({
      seed: [
        app('my-app'),
        app('my-app-2', {
          spec: automated(true, false),
          operation: { sync: { dryRun: true, revision: '041eab7' } },
        }),
        app('my-app-3', {
          metadata: {
            name: 'my-app-3',
            namespace: 'argocd',
            finalizers: ['hold'],
            deletionTimestamp: '2020-03-16T09:17:45Z',
          },
          spec: automated(false, true),
          status: { sync: { status: 'OutOfSync' }, health: { status: 'Degraded' } },
        }),
      ],
    });
    const { registry, stop } = argoCdMetrics(cluster);
    const info = samples(await registry.metrics(), 'argocd_app_info');
    stop();
    const base = {
      namespace: 'argocd',
      project: 'important-project',
      repo: 'https://github.com/argoproj/argocd-example-apps',
      dest_server: 'https://localhost:6443',
      dest_namespace: 'dummy-namespace',
    };
    expect(info).toEqual(
      expect.arrayContaining([
        {
          labels: {
            ...base,
            name: 'my-app',
            autosync_enabled: 'false',
            sync_status: 'Synced',
            health_status: 'Healthy',
            operation: '',
          },
          value: 1,
        },
        {
          labels: {
            ...base,
            name: 'my-app-2',
            autosync_enabled: 'true',
            sync_status: 'Synced',
            health_status: 'Healthy',
            operation: 'sync',
          },
          value: 1,
        },
        {
          labels: {
            ...base,
            name: 'my-app-3',
            autosync_enabled: 'true',
            sync_status: 'OutOfSync',
            health_status: 'Degraded',
            operation: 'delete',
          },
          value: 1,
        },
      ]),
    );
    expect(info).toHaveLength(3);
  });

  it('an app with no project, status or automated sync switched off reads default, Unknown and false', async () => {
    cluster = await startSimCluster({
      seed: [
        {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Application',
          metadata: { name: 'bare', namespace: 'argocd' },
          spec: {
            destination: { name: 'in-cluster', namespace: 'x' },
            source: { repoURL: 'http://Git-Server.lab-git.svc.cluster.local/lab.git' },
            syncPolicy: { automated: { enabled: false } },
          },
        },
      ],
    });
    const { registry, stop } = argoCdMetrics(cluster);
    const [only] = samples(await registry.metrics(), 'argocd_app_info');
    stop();
    expect(only?.labels).toMatchObject({
      project: 'default',
      autosync_enabled: 'false',
      repo: 'http://git-server.lab-git.svc.cluster.local/lab',
      dest_server: 'https://kubernetes.default.svc',
      sync_status: 'Unknown',
      health_status: 'Unknown',
    });
  });

  it('argocd_app_sync_total counts each completed operation once, by phase (TestMetricsSyncCounter)', async () => {
    cluster = await startSimCluster({ seed: [app('my-app')] });
    const { registry, stop } = argoCdMetrics(cluster);
    const c = cluster;
    const finish = (phase: string, startedAt: string, finishedAt?: string) =>
      c.update('argoproj.io/v1alpha1', 'Application', 'my-app', 'argocd', (o) => {
        (o.status as Record<string, unknown>).operationState = {
          phase,
          startedAt,
          ...(finishedAt ? { finishedAt } : {}),
          operation: { sync: {} },
        };
      });
    finish('Running', '2026-01-01T00:00:00Z');
    finish('Failed', '2026-01-01T00:00:00Z', '2026-01-01T00:00:03Z');
    finish('Error', '2026-01-01T00:01:00Z', '2026-01-01T00:01:01Z');
    finish('Succeeded', '2026-01-01T00:02:00Z', '2026-01-01T00:02:05Z');
    // The same completed state written again (another status field changed) is not a new sync.
    c.update('argoproj.io/v1alpha1', 'Application', 'my-app', 'argocd', (o) => {
      (o.status as Record<string, unknown>).reconciledAt = '2026-01-01T00:03:00Z';
    });
    finish('Succeeded', '2026-01-01T00:04:00Z', '2026-01-01T00:04:02Z');
    const text = await registry.metrics();
    stop();
    const byPhase = Object.fromEntries(
      samples(text, 'argocd_app_sync_total').map((s) => [s.labels.phase, s.value]),
    );
    expect(byPhase).toEqual({ Failed: 1, Error: 1, Succeeded: 2 });
    expect(samples(text, 'argocd_app_sync_total')[0]?.labels).toMatchObject({
      dest_server: 'https://localhost:6443',
      dry_run: 'false',
      name: 'my-app',
      namespace: 'argocd',
      project: 'important-project',
    });
    // 3 + 1 + 5 + 2 whole seconds.
    expect(samples(text, 'argocd_app_sync_duration_seconds_total')[0]?.value).toBe(11);
  });
});

const rollout = (
  name: string,
  strategy: Record<string, unknown>,
  condition?: Record<string, string>,
): KubeObject => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Rollout',
  metadata: { name, namespace: 'default' },
  spec: { replicas: 1, selector: { matchLabels: { app: 'guestbook' } }, strategy },
  status: { replicas: 1, availableReplicas: 1, ...(condition ? { conditions: [condition] } : {}) },
});

describe('Argo Rollouts controller metrics', () => {
  it('rollout_info and its replica gauges as TestCollectRollouts expects them', async () => {
    cluster = await startSimCluster({
      seed: [
        rollout(
          'guestbook-bluegreen',
          { blueGreen: { activeService: 'active-service' } },
          {
            type: 'Progressing',
            status: 'False',
            reason: 'Progressing',
          },
        ),
        rollout(
          'guestbook-canary',
          { canary: { trafficRouting: { smi: {} } } },
          {
            type: 'Progressing',
            status: 'True',
            reason: 'NewReplicaSetAvailable',
          },
        ),
      ],
    });
    const text = await argoRolloutsMetrics(cluster).metrics();
    expect(samples(text, 'rollout_info')).toEqual(
      expect.arrayContaining([
        {
          labels: {
            namespace: 'default',
            name: 'guestbook-bluegreen',
            strategy: 'blueGreen',
            traffic_router: '',
            phase: 'Progressing',
          },
          value: 1,
        },
        {
          labels: {
            namespace: 'default',
            name: 'guestbook-canary',
            strategy: 'canary',
            traffic_router: 'SMI',
            phase: 'Completed',
          },
          value: 1,
        },
      ]),
    );
    const one = (name: string) =>
      samples(text, name).find((s) => s.labels.name === 'guestbook-bluegreen')?.value;
    expect([
      one('rollout_info_replicas_available'),
      one('rollout_info_replicas_desired'),
      one('rollout_info_replicas_unavailable'),
      one('rollout_info_replicas_updated'),
    ]).toEqual([1, 1, 0, 0]);
    // The deprecated rollout_phase: one series per phase, 1 for the current one.
    const phases = samples(text, 'rollout_phase').filter((s) => s.labels.name === 'guestbook-canary');
    expect(phases.filter((s) => s.value === 1).map((s) => s.labels.phase)).toEqual(['Completed']);
    expect(phases).toHaveLength(6);
  });

  it('calculatePhase and getStrategyAndTrafficRouter (TestCollectRollouts, TestGetStrategyAndTrafficRouter)', () => {
    const phaseFor = (reason: string) =>
      rolloutPhase(rollout('r', { canary: {} }, { type: 'Progressing', reason }));
    expect(phaseFor('ReplicaSetCreateError')).toBe('Error');
    expect(phaseFor('RolloutPaused')).toBe('Paused');
    expect(phaseFor('ProgressDeadlineExceeded')).toBe('Timeout');
    expect(phaseFor('RolloutAborted')).toBe('Abort');
    expect(phaseFor('NewReplicaSetAvailable')).toBe('Completed');
    expect(phaseFor('ReplicaSetUpdated')).toBe('Progressing');
    const invalid = rollout('r', { canary: {} }, { type: 'InvalidSpec', reason: 'InvalidSpec' });
    expect(rolloutPhase(invalid)).toBe('InvalidSpec');
    expect(strategyOf(rollout('r', {}))).toEqual({ strategy: 'none', trafficRouter: '' });
    expect(strategyOf(rollout('r', { canary: {} }))).toEqual({ strategy: 'canary', trafficRouter: '' });
    expect(strategyOf(rollout('r', { canary: { trafficRouting: { nginx: {} } } })).trafficRouter).toBe(
      'Nginx',
    );
    expect(
      strategyOf(rollout('r', { canary: { trafficRouting: { alb: {}, istio: {} } } })).trafficRouter,
    ).toBe('Istio');
  });

  it('analysis runs and templates: info, phases, metric types and dry-run (collectAnalysisRuns, collectAnalysisTemplate)', async () => {
    cluster = await startSimCluster({
      seed: [
        {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'AnalysisRun',
          metadata: { name: 'run', namespace: 'docqa' },
          spec: {
            metrics: [
              { name: 'grounded-ratio', provider: { prometheus: { query: 'x' } } },
              { name: 'eval-replay', provider: { job: { spec: {} } } },
            ],
            dryRun: [{ metricName: 'eval.*' }],
          },
          status: { phase: 'Running', metricResults: [{ name: 'grounded-ratio', phase: 'Successful' }] },
        },
        {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'AnalysisTemplate',
          metadata: { name: 'docqa-quality', namespace: 'docqa' },
          spec: { metrics: [{ name: 'grounded-ratio', provider: { prometheus: { query: 'x' } } }] },
        },
      ],
    });
    const text = await argoRolloutsMetrics(cluster).metrics();
    expect(samples(text, 'analysis_run_info')).toEqual([
      { labels: { namespace: 'docqa', name: 'run', phase: 'Running' }, value: 1 },
    ]);
    const current = samples(text, 'analysis_run_metric_phase').filter((s) => s.value === 1);
    expect(current.map((s) => s.labels)).toEqual([
      {
        namespace: 'docqa',
        name: 'run',
        metric: 'grounded-ratio',
        type: 'Prometheus',
        dry_run: 'false',
        phase: 'Successful',
      },
      {
        namespace: 'docqa',
        name: 'run',
        metric: 'eval-replay',
        type: 'Job',
        dry_run: 'true',
        phase: 'Pending',
      },
    ]);
    expect(samples(text, 'analysis_template_metric_info')).toEqual([
      {
        labels: { namespace: 'docqa', name: 'docqa-quality', type: 'Prometheus', metric: 'grounded-ratio' },
        value: 1,
      },
    ]);
    expect(metricType({ name: 'x', provider: { web: {} } })).toBe('Web');
    expect(metricType({ name: 'x', provider: {} })).toBe('Unknown Provider');
  });
});
