/**
 * The live simulated lab's real Prometheus scrapes the Argo CD and Argo Rollouts controllers' metrics as the lab's
 * ServiceMonitors say (servicemonitors-argo.yaml), so the dashboard's sync and rollout panels have data: the series
 * and their labels as prometheus-operator's scrape config gives them (job the Service, namespace the target's, a
 * metric's own namespace as exported_namespace), and a sync counted when Argo CD completes one.
 */
import { describe, expect, it } from 'vitest';
import { type Labels, PrometheusClient } from '../../../../src/lab/canary/prometheus.js';
import { type Clock, sleep } from '../../../../src/lab/clock.js';
import { findPrometheus, prometheusInstallHint } from '../../../../src/lab/sim/live/index.js';
import { liveLabs } from '../../../support/live-lab.js';

const SPEED = 10;
const inCi = process.env.CI === 'true';
const prometheus = findPrometheus();
const { start } = liveLabs(SPEED);

/** Polls `query` on the lab's clock (2 s steps, at most `limitMs` of it) until it returns a series. */
async function firstSeries(
  client: PrometheusClient,
  clock: Clock,
  query: string,
  limitMs: number,
): Promise<Labels[]> {
  const end = clock.now() + limitMs;
  for (;;) {
    const result = await client.query(query);
    const series = result.resultType === 'vector' ? result.vector.map((s) => s.metric) : [];
    if (series.length > 0 || clock.now() > end) return series;
    await sleep(clock, 2000);
  }
}

describe('controller metrics in the live simulated lab', () => {
  it('has prometheus installed when running in CI', () => {
    expect(prometheus !== undefined || !inCi, `prometheus is missing: ${prometheusInstallHint}`).toBe(true);
  });
});

describe.runIf(prometheus !== undefined)(
  'controller metrics scraped by a real Prometheus',
  { timeout: 180_000 },
  () => {
    it('argocd_app_info, rollout_info and argocd_app_sync_total, labelled as the ServiceMonitors give them', async () => {
      const { lab, clock } = await start();
      expect(lab.live?.prometheusReal).toBe(true);
      const client = new PrometheusClient({ url: lab.live?.prometheusUrl ?? '' });
      // The lab may still be settling at its first scrapes (a busy machine's start-up): wait for the settled state.
      const [app] = await firstSeries(
        client,
        clock,
        'argocd_app_info{name="docqa",sync_status="Synced",health_status="Healthy"}',
        5 * 60_000,
      );
      expect(app).toMatchObject({
        job: 'argocd-metrics',
        namespace: 'argocd',
        service: 'argocd-metrics',
        endpoint: 'metrics',
        project: 'lab',
        repo: 'http://git-server.lab-git.svc.cluster.local/lab',
        dest_server: 'https://kubernetes.default.svc',
        dest_namespace: 'docqa',
        autosync_enabled: 'true',
        sync_status: 'Synced',
        health_status: 'Healthy',
      });
      const [rollout] = await firstSeries(
        client,
        clock,
        'rollout_info{name="docqa",phase="Completed"}',
        5 * 60_000,
      );
      // The rollout's own namespace label loses to the target's (honor_labels false): exported_namespace.
      expect(rollout).toMatchObject({
        job: 'argo-rollouts-metrics',
        namespace: 'argo-rollouts',
        exported_namespace: 'docqa',
        strategy: 'canary',
        phase: 'Completed',
      });
      // An empty label (no traffic router) is no label in Prometheus.
      expect(rollout).not.toHaveProperty('traffic_router');
      const [template] = await firstSeries(
        client,
        clock,
        'analysis_template_metric_info{name="docqa-quality"}',
        60_000,
      );
      expect(template?.type).toBe('Prometheus');
      // A drift, healed by Argo CD's self-heal: one more Succeeded sync in the counter.
      lab.cluster.update('v1', 'ConfigMap', 'docqa-config', 'docqa', (o) => {
        (o.data as Record<string, string>).DOCQA_MODE = 'edited';
      });
      const [synced] = await firstSeries(
        client,
        clock,
        'argocd_app_sync_total{name="docqa",phase="Succeeded"} >= 1',
        5 * 60_000,
      );
      expect(synced).toMatchObject({
        job: 'argocd-metrics',
        dry_run: 'false',
        dest_server: 'https://kubernetes.default.svc',
      });
    });
  },
);
