import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DrillEnvironment } from '../../../src/lab/drills/access.js';
import { evaluateProbe, ProbeError } from '../../../src/lab/drills/probes.js';
import type { Probe } from '../../../src/lab/drills/schema.js';
import { type SimLab, startSimLab } from './lab-sim.js';

const probe = (p: Probe) => ({ id: 'p', probe: p });

describe('probes against the fake API server', () => {
  let lab: SimLab;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    lab = await startSimLab();
    const older = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisRun',
      metadata: {
        namespace: 'docqa',
        ownerReferences: [{ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'docqa' }],
      },
    };
    lab.fake.seed(
      {
        ...older,
        metadata: {
          ...older.metadata,
          name: 'docqa-1',
          annotations: { 'rollout.argoproj.io/revision': '9' },
        },
        status: { phase: 'Successful' },
      },
      {
        ...older,
        metadata: {
          ...older.metadata,
          name: 'docqa-2',
          annotations: { 'rollout.argoproj.io/revision': '10' },
        },
        status: { phase: 'Failed' },
      },
      ...['a', 'b'].map((n) => ({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `docqa-${n}`, namespace: 'docqa', labels: { 'app.kubernetes.io/name': 'docqa' } },
        status: {
          conditions: [{ type: 'Ready', status: 'True' }],
          containerStatuses: [
            {
              name: 'docqa',
              state: n === 'b' ? { waiting: { reason: 'ImagePullBackOff' } } : { running: {} },
            },
          ],
        },
      })),
    );
    server = createServer((req, res) => {
      if (req.url === '/v1/ask') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: 'answered', latency_ms: 412 }));
      } else {
        res.writeHead(503);
        res.end('not ready');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await lab.close();
  });

  it('reads a field by JSONPath (kubectl form too) and judges it', async () => {
    const target = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', namespace: 'docqa', name: 'docqa' };
    const result = await evaluateProbe(
      probe({ type: 'k8s', target, path: '{.spec.replicas}', range: [2, 6] }),
      lab.env,
    );
    expect(result).toEqual({ ok: true, value: 2, detail: '{.spec.replicas} = 2 (want in [2, 6])' });
    const missing = await evaluateProbe(
      probe({ type: 'k8s', target: { ...target, name: 'nope' }, path: '.spec.replicas', exists: false }),
      lab.env,
    );
    expect(missing.ok).toBe(true);
  });

  it('reads every object matching a selector', async () => {
    const result = await evaluateProbe(
      probe({
        type: 'k8s',
        target: {
          apiVersion: 'v1',
          kind: 'Pod',
          namespace: 'docqa',
          selector: 'app.kubernetes.io/name=docqa',
        },
        path: '.status.containerStatuses[*].state.waiting.reason',
        matches: 'ImagePullBackOff',
      }),
      lab.env,
    );
    expect(result.ok).toBe(true);
    expect(result.value).toEqual(['ImagePullBackOff']);
  });

  it('reads an Argo CD Application and a Rollout with its newest AnalysisRun', async () => {
    const app = await evaluateProbe(
      probe({ type: 'argo-app', name: 'docqa', namespace: 'argocd', sync: 'Synced', health: 'Degraded' }),
      lab.env,
    );
    expect(app).toMatchObject({ ok: false, value: 'Synced/Healthy' });
    const rollout = await evaluateProbe(
      probe({ type: 'rollout', name: 'docqa', namespace: 'docqa', analysis: 'Failed' }),
      lab.env,
    );
    expect(rollout).toMatchObject({
      ok: true,
      value: 'Healthy/Failed',
      detail: 'phase Healthy, analysis Failed',
    });
  });

  it("revision: head passes only once the Application has compared the lab repository's newest commit", async () => {
    const atHead = probe({
      type: 'argo-app',
      name: 'docqa',
      namespace: 'argocd',
      sync: 'Synced',
      revision: 'head',
    });
    const setCompared = (revision: string) =>
      lab.fake.update('argoproj.io/v1alpha1', 'Application', 'docqa', 'argocd', (app) => {
        (app.status as { sync: { revision?: string } }).sync.revision = revision;
      });
    const first = await lab.repo.newest();
    setCompared(first);
    expect(await evaluateProbe(atHead, lab.env)).toMatchObject({ ok: true, value: 'Synced/Healthy' });
    // A revert lands: the app is still Synced and Healthy, but at the commit before it.
    const { commit } = await lab.repo.change(
      [{ file: 'workloads/docqa/rollout.yaml', set: { 'spec.replicas': 3 } }],
      'drill(test): three replicas',
    );
    const late = await evaluateProbe(atHead, lab.env);
    expect(late.ok).toBe(false);
    expect(late.detail).toContain(
      `compared ${first.slice(0, 7)}, not the newest commit ${commit?.slice(0, 7)}`,
    );
    setCompared(commit ?? '');
    expect(await evaluateProbe(atHead, lab.env)).toMatchObject({ ok: true });
    // Without a lab repository the probe cannot be judged: an error naming what it needs, not a pass.
    await expect(evaluateProbe(atHead, { kube: lab.env.kube })).rejects.toThrow(/needs the lab repository/);
  });

  it('checks HTTP status and a JSON field; no answer is a failed check, not an error', async () => {
    const ask = await evaluateProbe(
      probe({
        type: 'http',
        url: `${url}/v1/ask`,
        method: 'POST',
        body: { question: 'q' },
        status: 200,
        json_path: '.latency_ms',
        range: { max: 250 },
      }),
      lab.env,
    );
    expect(ask).toMatchObject({ ok: false, value: 412 });
    const ready = await evaluateProbe(
      probe({ type: 'http', url: `${url}/readyz`, method: 'GET', status: 200 }),
      lab.env,
    );
    expect(ready).toMatchObject({ ok: false, value: 503 });
    const down = await evaluateProbe(
      probe({ type: 'http', url: 'http://127.0.0.1:1/readyz', method: 'GET', status: 200 }),
      lab.env,
    );
    expect(down.ok).toBe(false);
    expect(down.detail).toMatch(/^no answer/);
  });

  it('queries Prometheus through the configured client and raises a ProbeError without one', async () => {
    const env: DrillEnvironment = {
      ...lab.env,
      prometheusUrl: 'http://prom.test',
      prometheus: { query: async (_url, q) => (q.includes('probe_success') ? 1 : undefined) },
    };
    const result = await evaluateProbe(
      probe({ type: 'prometheus', query: 'min_over_time(probe_success[1m])', range: { min: 1 } }),
      env,
    );
    expect(result).toMatchObject({ ok: true, value: 1 });
    const none = await evaluateProbe(
      probe({ type: 'prometheus', query: 'absent_metric', range: { min: 1 } }),
      env,
    );
    expect(none.ok).toBe(false);
    await expect(evaluateProbe(probe({ type: 'prometheus', query: 'up' }), lab.env)).rejects.toBeInstanceOf(
      ProbeError,
    );
  });

  it('bounds a probe that hangs by its timeout, and lets an interrupt cut it short', async () => {
    const hung: DrillEnvironment = {
      kube: { ...lab.env.kube, get: () => new Promise(() => {}) },
    };
    const target = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'docqa', name: 'docqa-config' };
    const before = lab.clock.now();
    await expect(
      evaluateProbe(
        { id: 'slow', probe: { type: 'k8s', target, path: '.data', timeout: '100ms' } },
        hung,
        undefined,
        lab.clock,
      ),
    ).rejects.toThrow('probe slow: no answer within 100ms');
    expect(lab.clock.now() - before).toBe(100);
    const controller = new AbortController();
    const pending = evaluateProbe(
      { id: 'slow', probe: { type: 'k8s', target, path: '.data' } },
      hung,
      controller.signal,
      lab.clock,
    );
    lab.clock.setTimer(20, () => controller.abort(new Error('interrupted')));
    // Cut short by the interrupt 20 ms in (virtual), not by the 30 s default timeout.
    await expect(pending).rejects.toThrow('interrupted');
  });

  it('runs the eval suite through the eval runner', async () => {
    const env: DrillEnvironment = {
      ...lab.env,
      evals: {
        run: async ({ target }) => ({
          passed: false,
          passRate: 0.4,
          summary: `4/10 cases passed against ${target}`,
        }),
      },
    };
    const result = await evaluateProbe(probe({ type: 'eval', target: 'http://docqa.test' }), env);
    expect(result).toEqual({ ok: false, value: 0.4, detail: '4/10 cases passed against http://docqa.test' });
    const lenient = await evaluateProbe(
      probe({ type: 'eval', target: 'http://docqa.test', min_pass_rate: 0.3 }),
      env,
    );
    expect(lenient.ok).toBe(true);
  });
});
