import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cliPath, runCli } from '../support/cli.js';
import {
  applicationsSynced,
  type FakeKube,
  type KubeObject,
  startFakeKube,
} from '../support/fake-kube/index.js';
import { type PrometheusStub, startPrometheusStub } from '../support/prometheus-stub.js';

const app = (name: string): KubeObject => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  metadata: { name, namespace: 'argocd' },
  spec: { project: 'lab' },
});

function seedHealthyLab(fake: FakeKube): void {
  fake.seed(
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'argocd' } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'docqa' } },
  );
  for (const name of ['lab-root', 'docqa', 'guestbook']) {
    fake.seed({
      ...app(name),
      status: {
        sync: { status: 'Synced', revision: 'abcdef0123456789' },
        health: { status: 'Healthy' },
        operationState: { phase: 'Succeeded', finishedAt: '2026-11-29T10:00:00Z' },
      },
    });
  }
  fake.seed({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'docqa', namespace: 'docqa' },
    spec: { strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }, { setWeight: 50 }] } } },
    // A canary at its pause step after setWeight 20: 1 of the 5 available pods is the canary's (no traffic routing).
    status: {
      phase: 'Paused',
      currentStepIndex: 1,
      currentPodHash: 'new1',
      stableRS: 'old1',
      availableReplicas: 5,
    },
  });
  fake.seed({
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'docqa', namespace: 'docqa' },
    spec: {
      minReplicas: 2,
      maxReplicas: 6,
      scaleTargetRef: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'docqa' },
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
        },
      ],
    },
    status: {
      currentReplicas: 3,
      desiredReplicas: 4,
      currentMetrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', current: { averageUtilization: 85, averageValue: '85m' } },
        },
      ],
    },
  });
  fake.seed({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'docqa-abc', namespace: 'docqa', labels: { 'rollouts-pod-template-hash': 'new1' } },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
  });
}

describe('gitops-lab status', () => {
  let fake: FakeKube | undefined;
  let prometheus: PrometheusStub | undefined;
  afterEach(async () => {
    await fake?.close();
    await prometheus?.close();
    fake = undefined;
    prometheus = undefined;
  });

  function cwdFor(kubeconfig: string): string {
    const cwd = mkdtempSync(join(tmpdir(), 'gitops-lab-status-'));
    writeFileSync(join(cwd, 'gitops-lab.yaml'), `kubeconfig: ${kubeconfig}\nports: { prometheus: 1 }\n`);
    return cwd;
  }

  it('reports a healthy lab with apps, rollouts, HPAs and quality figures and exits 0', async () => {
    fake = await startFakeKube();
    seedHealthyLab(fake);
    prometheus = await startPrometheusStub({
      'grounded="true"': '0.95',
      'status="error"': '0',
      insufficient_context: '0.3',
      histogram_quantile: '0.12',
      'docqa_requests_total[5m]': '2.5',
    });
    const result = await runCli(['status', '--prometheus', prometheus.url], {
      cwd: cwdFor(fake.kubeconfigPath),
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Lab kind-gitops-lab: healthy');
    expect(result.stdout).toMatch(/docqa\s+Synced\s+Healthy\s+abcdef0/);
    expect(result.stdout).toMatch(/docqa\/docqa\s+Paused\s+1\/3\s+20%/);
    expect(result.stdout).toMatch(/docqa\/docqa\s+Rollout\/docqa\s+cpu: 85%\/70%\s+3\s+4\s+2-6/);
    expect(result.stdout).toContain('grounded 95.0%');
    expect(result.stdout).toContain('p95 120 ms');
    expect(result.stdout).toContain('2.50 req/s');
    expect(result.stdout).not.toContain('no requests');
  });

  it('a canary under way (Synced/Progressing, or Suspended at a pause step) is progressing: exit 0, not a problem', async () => {
    fake = await startFakeKube();
    seedHealthyLab(fake);
    const health = (name: string, sync: string, status: string, message?: string) =>
      fake?.update('argoproj.io/v1alpha1', 'Application', name, 'argocd', (o) => {
        o.status = { ...(o.status as object), sync: { status: sync }, health: { status, message } };
      });
    health('docqa', 'Synced', 'Suspended', 'Rollout is paused');
    const paused = await runCli(['status', '--json'], { cwd: cwdFor(fake.kubeconfigPath) });
    expect(paused.code, paused.stderr).toBe(0);
    const json = JSON.parse(paused.stdout) as { healthy: boolean; problems: string[]; inProgress: string[] };
    expect(json.healthy).toBe(true);
    expect(json.inProgress).toEqual(['Application docqa is Synced/Suspended: Rollout is paused']);
    expect(json.problems).toEqual([]);

    health('docqa', 'Synced', 'Progressing');
    const progressing = await runCli(['status'], { cwd: cwdFor(fake.kubeconfigPath) });
    expect(progressing.code).toBe(0);
    expect(progressing.stdout).toContain('Lab kind-gitops-lab: progressing');
    expect(progressing.stdout).toMatch(/In progress\n\s+… Application docqa is Synced\/Progressing/);

    // Not synced, or degraded, is a problem whatever else is under way.
    health('guestbook', 'OutOfSync', 'Progressing');
    const drifted = await runCli(['status', '--json'], { cwd: cwdFor(fake.kubeconfigPath) });
    expect(drifted.code).toBe(1);
    expect((JSON.parse(drifted.stdout) as { problems: string[] }).problems).toEqual([
      'Application guestbook is OutOfSync/Progressing',
    ]);
  });

  it('a lab without doc-QA traffic says where its traffic comes from, not just dashes', async () => {
    fake = await startFakeKube();
    seedHealthyLab(fake);
    // As Prometheus answers with no traffic: every ratio of rates is 0/0 = NaN, the requests' rate 0.
    prometheus = await startPrometheusStub({
      ' / ': 'NaN',
      histogram_quantile: 'NaN',
      'sum(rate(docqa_requests_total[5m]))': '0',
    });
    const result = await runCli(['status', '--prometheus', prometheus.url], {
      cwd: cwdFor(fake.kubeconfigPath),
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('grounded –  abstained –  errors –  p95 –');
    expect(result.stdout).toContain('0.00 req/s');
    expect(result.stdout).toContain(
      "no requests in the last 5 minutes: the lab's doc-QA traffic is the canary analysis' eval replay",
    );
  });

  it('a lab whose pods are Ready but whose answers are not grounded is degraded (exit 1), with the reason', async () => {
    fake = await startFakeKube();
    seedHealthyLab(fake);
    prometheus = await startPrometheusStub({ 'grounded="true"': '0.41' });
    const result = await runCli(['status', '--json', '--prometheus', prometheus.url], {
      cwd: cwdFor(fake.kubeconfigPath),
    });
    expect(result.code).toBe(1);
    const status = JSON.parse(result.stdout) as {
      healthy: boolean;
      problems: string[];
      quality: { groundedRatio: number };
    };
    expect(status.healthy).toBe(false);
    expect(status.quality.groundedRatio).toBeCloseTo(0.41);
    expect(status.problems).toEqual(['doc-QA grounded answers 41% < 80%']);
  });

  it('degraded apps and crashing pods exit 1 and are listed; Prometheus being away is said, not fatal', async () => {
    fake = await startFakeKube();
    seedHealthyLab(fake);
    fake.update('argoproj.io/v1alpha1', 'Application', 'docqa', 'argocd', (o) => {
      o.status = {
        sync: { status: 'OutOfSync' },
        health: { status: 'Degraded', message: 'Rollout aborted' },
      };
    });
    fake.seed({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'docqa-bad', namespace: 'docqa' },
      status: {
        phase: 'Running',
        containerStatuses: [
          {
            name: 'docqa',
            ready: false,
            restartCount: 4,
            state: { waiting: { reason: 'CrashLoopBackOff' } },
          },
        ],
      },
    });
    const result = await runCli(['status'], { cwd: cwdFor(fake.kubeconfigPath) });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('Lab kind-gitops-lab: degraded');
    expect(result.stdout).toContain('Application docqa is OutOfSync/Degraded: Rollout aborted');
    expect(result.stdout).toContain('Pod docqa/docqa-bad is not ready: CrashLoopBackOff (4 restarts)');
    expect(result.stdout).toContain('not available: Prometheus at http://127.0.0.1:1 is unreachable');
  });

  it('an OutOfSync app names its out-of-sync resources from status.resources, three at most on its problem line', async () => {
    fake = await startFakeKube();
    seedHealthyLab(fake);
    const resource = (kind: string, name: string, status: string) => ({
      version: 'v1',
      kind,
      namespace: 'docqa',
      name,
      status,
    });
    fake.update('argoproj.io/v1alpha1', 'Application', 'docqa', 'argocd', (o) => {
      o.status = {
        sync: { status: 'OutOfSync', revision: 'abcdef0123456789' },
        health: { status: 'Healthy' },
        resources: [
          resource('ConfigMap', 'docqa-config', 'OutOfSync'),
          resource('Service', 'docqa-canary', 'Synced'),
          resource('Service', 'docqa-stable', 'OutOfSync'),
          { ...resource('Rollout', 'docqa', 'OutOfSync'), group: 'argoproj.io', version: 'v1alpha1' },
          {
            ...resource('HorizontalPodAutoscaler', 'docqa', 'OutOfSync'),
            group: 'autoscaling',
            version: 'v2',
          },
          { ...resource('PodDisruptionBudget', 'docqa', 'OutOfSync'), group: 'policy' },
        ],
      };
    });
    const json = await runCli(['status', '--json'], { cwd: cwdFor(fake.kubeconfigPath) });
    expect(json.code).toBe(1);
    const status = JSON.parse(json.stdout) as {
      apps: Array<{ name: string; outOfSync?: Array<{ kind: string; namespace?: string; name: string }> }>;
      problems: string[];
    };
    expect(status.apps.find((a) => a.name === 'docqa')?.outOfSync).toEqual([
      { kind: 'ConfigMap', namespace: 'docqa', name: 'docqa-config' },
      { kind: 'Service', namespace: 'docqa', name: 'docqa-stable' },
      { kind: 'Rollout', namespace: 'docqa', name: 'docqa' },
      { kind: 'HorizontalPodAutoscaler', namespace: 'docqa', name: 'docqa' },
      { kind: 'PodDisruptionBudget', namespace: 'docqa', name: 'docqa' },
    ]);
    // A synced app has no list at all.
    expect(status.apps.find((a) => a.name === 'guestbook')).not.toHaveProperty('outOfSync');
    const line =
      'Application docqa is OutOfSync/Healthy: out of sync: ConfigMap docqa/docqa-config, Service docqa/docqa-stable, Rollout docqa/docqa and 2 more';
    expect(status.problems).toContain(line);
    const plain = await runCli(['status'], { cwd: cwdFor(fake.kubeconfigPath) });
    expect(plain.stdout).toContain(`✗ ${line}`);
    // Under the Applications table, in the style of the rollouts' reasons.
    expect(plain.stdout).toMatch(
      /^ {2}docqa: out of sync: ConfigMap docqa\/docqa-config, Service docqa\/docqa-stable, Rollout docqa\/docqa and 2 more$/m,
    );
  });

  it('with no lab it exits 3 with a hint to run up', async () => {
    fake = await startFakeKube();
    const result = await runCli(['status'], { cwd: cwdFor(fake.kubeconfigPath) });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('No lab found in context kind-gitops-lab');
    expect(result.stderr).toContain('gitops-lab up');
    const stopped = await startFakeKube();
    await stopped.close();
    const unreachable = await runCli(['status'], { cwd: cwdFor(stopped.kubeconfigPath) });
    expect(unreachable.code).toBe(3);
    expect(unreachable.stderr).toMatch(
      /No lab found: the cluster of context kind-gitops-lab is not reachable/,
    );
    const noContext = await runCli(['status', '--context', 'elsewhere'], {
      cwd: cwdFor(stopped.kubeconfigPath),
    });
    expect(noContext.code).toBe(3);
    expect(noContext.stderr).toContain('No lab found: the kubeconfig has no context named "elsewhere"');
  });

  it('reads controllers converging: a watch-free snapshot sees what Argo CD reports', async () => {
    fake = await startFakeKube();
    seedHealthyLab(fake);
    fake.seed(app('late'));
    fake.addController(applicationsSynced());
    await new Promise((r) => setTimeout(r, 100));
    const result = await runCli(['status', '--json'], { cwd: cwdFor(fake.kubeconfigPath) });
    const status = JSON.parse(result.stdout) as { apps: Array<{ name: string; sync: string }> };
    expect(status.apps.map((a) => `${a.name}:${a.sync}`)).toContain('late:Synced');
  });

  it('--watch --json prints a snapshot per refresh until Ctrl-C, exiting with the last verdict', async () => {
    fake = await startFakeKube();
    seedHealthyLab(fake);
    const child = spawn(process.execPath, [cliPath, 'status', '--watch', '--json', '--interval', '1'], {
      cwd: cwdFor(fake.kubeconfigPath),
      env: { ...process.env, NO_COLOR: '1' },
    });
    let lines: string[] = [];
    let flipped = false;
    child.stdout.on('data', (chunk: Buffer) => {
      lines = [...lines, ...chunk.toString().split('\n').filter(Boolean)];
      if (lines.length === 1 && !flipped && fake) {
        flipped = true;
        fake.update('argoproj.io/v1alpha1', 'Application', 'guestbook', 'argocd', (o) => {
          o.status = { sync: { status: 'OutOfSync' }, health: { status: 'Healthy' } };
        });
      }
      if (lines.length >= 2) child.kill('SIGINT');
    });
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      child.on('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    const snapshots = lines.map((l) => JSON.parse(l) as { healthy: boolean });
    expect(snapshots.slice(0, 2).map((s) => s.healthy)).toEqual([true, false]);
    expect(code).toBe(1);
  });
});
