import { describe, expect, it } from 'vitest';
import { PrometheusClient } from '../../../../src/lab/canary/prometheus.js';
import { type Clock, sleep } from '../../../../src/lab/clock.js';
import { runDrill } from '../../../../src/lab/drills/engine.js';
import { findDrill } from '../../../../src/lab/drills/load.js';
import type { SimLab } from '../../../../src/lab/sim/lab.js';
import { findPrometheus, prometheusInstallHint } from '../../../../src/lab/sim/live/index.js';
import type { KubeObject } from '../../../../src/lab/sim/store.js';
import { liveLabs } from '../../../support/live-lab.js';

const SPEED = 10;
const inCi = process.env.CI === 'true';
const prometheus = findPrometheus();

const { start: startLab } = liveLabs(SPEED);

interface Measurement {
  phase: string;
  value?: string;
  message?: string;
}
type MetricResult = { name: string; phase: string; measurements: Measurement[] };

function analysisRuns(lab: SimLab): KubeObject[] {
  return lab.cluster.list('argoproj.io/v1alpha1', 'AnalysisRun', 'docqa');
}

function metric(run: KubeObject, name: string): MetricResult | undefined {
  return (run.status as { metricResults?: MetricResult[] } | undefined)?.metricResults?.find(
    (m) => m.name === name,
  );
}

/** The numbers of a measurement value such as `[0.031]` (NaN for `[NaN]`, none for `[]`). */
const numbers = (value = '') =>
  value
    .replace(/^\[|\]$/g, '')
    .split(',')
    .filter(Boolean)
    .map(Number);

/** A docqa release without faults (a new pod-template annotation), then Argo CD's refresh, as a drill does. */
async function release(lab: SimLab, name: string): Promise<void> {
  await lab.repo.change(
    [
      {
        file: 'workloads/docqa/rollout.yaml',
        set: { 'spec.template.metadata.annotations': { 'gitops-lab.io/release': name } },
      },
    ],
    `ship the docqa release ${name}`,
  );
  lab.cluster.update('argoproj.io/v1alpha1', 'Application', 'docqa', 'argocd', (o) => {
    o.metadata = {
      ...o.metadata,
      annotations: { ...o.metadata?.annotations, 'argocd.argoproj.io/refresh': 'normal' },
    };
  });
}

/** Waits on the lab's clock, up to `limitMs` of it, until `done()` holds. */
async function until(clock: Clock, limitMs: number, what: string, done: () => boolean): Promise<void> {
  const end = clock.now() + limitMs;
  while (!done()) {
    if (clock.now() > end) throw new Error(`not within ${limitMs / 1000} simulated seconds: ${what}`);
    await sleep(clock, 2000);
  }
}

describe('the live simulated lab', () => {
  // Runs everywhere: fails in CI when Prometheus is missing, so the real-Prometheus tests below never skip there.
  it('has prometheus installed when running in CI', () => {
    expect(prometheus !== undefined || !inCi, `prometheus is missing: ${prometheusInstallHint}`).toBe(true);
  });
});

describe.runIf(prometheus !== undefined)(
  'the live simulated lab with a real Prometheus',
  { timeout: 240_000 },
  () => {
    it('aborts bad-canary on grounded-ratio measured by real Prometheus from the real wrong-retrieval process', async () => {
      const { lab, clock, lines } = await startLab();
      expect(lab.live?.prometheusReal).toBe(true);
      expect(lab.live?.prometheusNote).toMatch(/real/);
      const stable = lab.live?.endpoints() ?? [];
      expect(stable.map((e) => [e.role, e.faults])).toEqual([['stable', '']]);

      // The canary's process, seen while it runs.
      const canaries = new Map<string, { url: string; faults: string }>();
      const watch = lab.cluster.onChange(() => {
        for (const e of lab.live?.endpoints() ?? []) if (e.role === 'canary') canaries.set(e.hash, e);
      });
      const drill = await findDrill('bad-canary');
      const journal = await runDrill(drill, { env: lab.env, clock });
      watch();

      const expectations = JSON.stringify(journal.observe?.expectations, null, 1);
      expect(journal.reason, `${expectations}\n${lines.join('\n')}`).toBeUndefined();
      expect(journal.status).toBe('completed');
      expect(journal.steady_states.after?.ok).toBe(true);
      expect(journal.rollback.every((a) => a.status === 'ok')).toBe(true);

      // The canary ran as a real process with the fault from the Rollout's pod template.
      expect([...canaries.values()].map((c) => c.faults)).toEqual(['wrong-retrieval']);
      const [hash] = [...canaries.keys()];
      const runs = analysisRuns(lab).filter(
        (r) => r.metadata?.labels?.['rollouts-pod-template-hash'] === hash,
      );
      expect(runs).toHaveLength(1);
      const run = runs[0] as KubeObject;
      expect((run.status as { phase?: string }).phase).toBe('Failed');

      // The run failed on a quality signal: grounded-ratio (two measurements under 0.9) or the eval-replay Job,
      // whichever came first on this machine (the Job ends when the real eval ends, no sooner than 60 s).
      const failedMetrics = (run.status as { metricResults: MetricResult[] }).metricResults
        .filter((m) => m.phase === 'Failed')
        .map((m) => m.name);
      expect(failedMetrics.length, JSON.stringify(run.status)).toBeGreaterThanOrEqual(1);
      expect(['grounded-ratio', 'eval-replay']).toEqual(expect.arrayContaining(failedMetrics));
      // grounded-ratio was measured on real Prometheus: its values are the real service's (near 0; the simulated
      // Prometheus would say 0.05), or NaN while the eval's first requests were not scraped yet.
      const grounded = metric(run, 'grounded-ratio');
      const measured = (grounded?.measurements ?? [])
        .flatMap((m) => numbers(m.value))
        .filter((v) => !Number.isNaN(v));
      for (const value of measured) {
        expect(value).toBeGreaterThanOrEqual(0);
        expect(value).toBeLessThan(0.5);
        expect(value).not.toBe(0.05);
      }
      // The eval-replay Job ran the eval suite against the canary's process: its gates failed on real answers. When
      // grounded-ratio failed the run first, the Job still running was terminated (argo-rollouts v1.8.3
      // analysis/analysis.go runMeasurements: the provider's Terminate, job.go deleting the Job and marking the measurement
      // Successful, and the message "Metric Terminated"), its verdict unread.
      const replay = metric(run, 'eval-replay')?.measurements ?? [];
      const terminated = (m: { message?: string }) => m.message === 'Metric Terminated';
      for (const m of replay) {
        if (terminated(m)) {
          expect(failedMetrics).toContain('grounded-ratio');
          expect(m.phase).toBe('Successful');
        } else expect(m.message).toMatch(/exited with 1: .*gates failed/);
      }
      if (replay.some((m) => !terminated(m)))
        expect(
          lines.some((l) => /^eval-replay: Failed: .*gates failed: .*answer_accuracy/.test(l)),
          lines.join('\n'),
        ).toBe(true);
      expect(measured.length + replay.length).toBeGreaterThanOrEqual(1);

      // Real Prometheus holds the canary's series (stale now that its process is gone): the eval's requests, most
      // answers not grounded.
      const client = new PrometheusClient({ url: lab.live?.prometheusUrl ?? '' });
      const series = await client.query(
        `sum by (grounded) (max_over_time(docqa_answers_grounded_total{rollouts_pod_template_hash="${hash}",job="observability/docqa",namespace="docqa"}[1h]))`,
      );
      const byLabel = Object.fromEntries(
        series.resultType === 'vector' ? series.vector.map((s) => [s.metric.grounded, s.value]) : [],
      );
      expect((byLabel.false ?? 0) + (byLabel.true ?? 0)).toBeGreaterThan(20);
      expect(byLabel.false ?? 0).toBeGreaterThan(byLabel.true ?? 0);

      // The aborted canary was scaled down: its process is gone; the stable one is back alone.
      expect(lab.live?.endpoints().map((e) => [e.role, e.faults])).toEqual([['stable', '']]);
    });

    it('promotes a canary without faults on real measurements', async () => {
      const { lab, clock, lines } = await startLab();
      const before = lab.live?.endpoints()[0]?.hash;
      await release(lab, 'healthy-canary');
      const rollout = () => lab.cluster.get('argoproj.io/v1alpha1', 'Rollout', 'docqa', 'docqa');
      const status = () => (rollout()?.status ?? {}) as { phase?: string; stableRS?: string };
      await until(clock, 15 * 60_000, 'the canary promoted', () => {
        return (
          status().phase === 'Healthy' && status().stableRS !== undefined && status().stableRS !== before
        );
      }).catch((error: Error) => {
        throw new Error(`${error.message}\n${JSON.stringify(status())}\n${lines.join('\n')}`);
      });
      const hash = status().stableRS;
      const run = analysisRuns(lab).find((r) => r.metadata?.labels?.['rollouts-pod-template-hash'] === hash);
      expect((run?.status as { phase?: string } | undefined)?.phase).toBe('Successful');
      const grounded = metric(run as KubeObject, 'grounded-ratio');
      const successful = grounded?.measurements.filter((m) => m.phase === 'Successful') ?? [];
      expect(successful.length, JSON.stringify(grounded)).toBeGreaterThanOrEqual(1);
      for (const m of successful) expect(numbers(m.value)[0]).toBeGreaterThanOrEqual(0.9);
      expect(metric(run as KubeObject, 'eval-replay')?.phase).toBe('Successful');
      // The promoted version serves alone, as the stable endpoint.
      await until(clock, 5 * 60_000, 'the old stable process stopped', () =>
        (lab.live?.endpoints() ?? []).every((e) => e.hash === hash),
      );
      expect(lab.live?.endpoints().map((e) => [e.hash, e.role])).toEqual([[hash, 'stable']]);
    });

    it('a canary aborted by hand and retried is measured again: its restarted process is scraped before its pod is Ready', async () => {
      const { lab, clock, lines } = await startLab();
      await release(lab, 'retried-canary');
      const rollout = () => lab.cluster.get('argoproj.io/v1alpha1', 'Rollout', 'docqa', 'docqa');
      const status = () =>
        (rollout()?.status ?? {}) as {
          phase?: string;
          stableRS?: string;
          currentPodHash?: string;
          pauseConditions?: Array<{ reason: string }>;
        };
      const fail = (error: Error) => {
        throw new Error(`${error.message}\n${JSON.stringify(status())}\n${lines.join('\n')}`);
      };
      await until(clock, 10 * 60_000, 'the canary at its pause step', () =>
        (status().pauseConditions ?? []).some((c) => c.reason === 'CanaryPauseStep'),
      ).catch(fail);
      const hash = status().currentPodHash;
      // `kubectl argo rollouts abort`, then `retry`: the plugin's status patches, through the API server.
      const patchStatus = async (body: unknown) => {
        const url = `${lab.cluster.url}/apis/argoproj.io/v1alpha1/namespaces/docqa/rollouts/docqa/status`;
        const res = await fetch(url, {
          method: 'PATCH',
          headers: { 'content-type': 'application/merge-patch+json' },
          body: JSON.stringify(body),
        });
        expect(res.status).toBe(200);
      };
      await patchStatus({ status: { abort: true } });
      await until(clock, 5 * 60_000, "the aborted canary's process stopped", () =>
        (lab.live?.endpoints() ?? []).every((e) => e.hash !== hash),
      ).catch(fail);
      await patchStatus({ status: { abort: false } });
      await until(clock, 15 * 60_000, 'the retried canary promoted', () => status().stableRS === hash).catch(
        fail,
      );
      // The retried canary's analysis measured its new process: numbers, not the empty vector of an unscraped one.
      const run = analysisRuns(lab)
        .filter((r) => r.metadata?.labels?.['rollouts-pod-template-hash'] === hash)
        .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''))
        .at(-1);
      expect((run?.status as { phase?: string } | undefined)?.phase, JSON.stringify(run?.status)).toBe(
        'Successful',
      );
      const grounded = metric(run as KubeObject, 'grounded-ratio');
      expect(grounded?.measurements.some((m) => numbers(m.value).length > 0)).toBe(true);
    });
  },
);
