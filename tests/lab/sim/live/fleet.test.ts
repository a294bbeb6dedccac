/**
 * The live doc-QA processes follow the docqa pods: one real `dist/service/main.js` per pod-template hash with the
 * environment the kubelet builds (ConfigMap through envFrom, then env), stopped when the hash has no pod left and
 * on close; and no child outlives a killed parent (setpriv --pdeathsig). Waits are bounded; outcomes are asserted.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type SimCluster, startSimCluster } from '../../../../src/lab/sim/api.js';
import { containerEnv } from '../../../../src/lab/sim/env.js';
import { childrenDieWithParent } from '../../../../src/lab/sim/live/child.js';
import { DocqaFleet } from '../../../../src/lab/sim/live/processes.js';
import type { KubeObject } from '../../../../src/lab/sim/store.js';
import { docqaConfigMap, docqaPod } from '../../../support/sim-docqa.js';

const repoRoot = join(import.meta.dirname, '../../../..');

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Polls (wall time, bounded: a hang guard) until `done()` holds. */
async function eventually(what: string, done: () => boolean | Promise<boolean>, limitMs = 30_000) {
  const end = Date.now() + limitMs;
  while (!(await done())) {
    if (Date.now() > end) throw new Error(`not within ${limitMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const pod = docqaPod;
const configMap = docqaConfigMap;

let cluster: SimCluster | undefined;
let fleet: DocqaFleet | undefined;
let dir: string | undefined;
afterEach(async () => {
  await fleet?.close();
  await cluster?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  fleet = undefined;
  cluster = undefined;
  dir = undefined;
});

describe('a container environment as the kubelet builds it', () => {
  it('takes envFrom first, then env over it; a missing optional source is skipped; Secrets are decoded', async () => {
    cluster = await startSimCluster({
      seed: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'docqa' } },
        configMap('latency=300ms'),
        {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'keys', namespace: 'docqa' },
          data: { TOKEN: Buffer.from('s3cret').toString('base64') },
        } as KubeObject,
      ],
    });
    const p = pod('docqa-a-0', 'a', [{ name: 'DOCQA_FAULTS', value: 'wrong-retrieval' }]);
    const spec = p.spec as { containers: Array<Record<string, unknown>> };
    (spec.containers[0] as { envFrom: unknown[] }).envFrom.push(
      { secretRef: { name: 'keys' }, prefix: 'APP_' },
      { configMapRef: { name: 'absent', optional: true } },
    );
    (spec.containers[0] as { env: unknown[] }).env.push({
      name: 'GEMINI_API_KEY',
      valueFrom: { secretKeyRef: { name: 'docqa-gemini', key: 'GEMINI_API_KEY', optional: true } },
    });
    expect(containerEnv(cluster, p)).toEqual({
      DOCQA_MODE: 'extractive',
      DOCQA_FAULTS: 'wrong-retrieval',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel.svc:4318',
      APP_TOKEN: 's3cret',
    });
    expect(containerEnv(cluster, pod('docqa-b-0', 'b')).DOCQA_FAULTS).toBe('latency=300ms');
  });
});

describe('the live doc-QA processes', { timeout: 120_000 }, () => {
  it('run one real service per hash with the pod env, and stop when the hash has no pod left', async () => {
    dir = await mkdtemp(join(tmpdir(), 'gitops-lab-fleet-'));
    cluster = await startSimCluster({
      seed: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'docqa' } }, configMap('')],
    });
    const c = cluster;
    fleet = new DocqaFleet(c, { dir, log: () => undefined, changed: () => undefined }).start();
    // DOCQA_PROBE_PORT as the lab's Rollout sets it: every pod has its own 8081, but the processes share one host.
    const probe = { name: 'DOCQA_PROBE_PORT', value: '8081' };
    const [stable0, stable1, canary] = c.seed(
      pod('docqa-s-0', 's', [probe]),
      pod('docqa-s-1', 's', [probe]),
      pod('docqa-c-0', 'c', [probe, { name: 'DOCQA_FAULTS', value: 'wrong-retrieval' }]),
    ) as [KubeObject, KubeObject, KubeObject];
    await Promise.all([fleet.ready(stable0), fleet.ready(stable1), fleet.ready(canary)]);

    // Two hashes, two processes (not three): one stands in for both stable pods.
    const endpoints = fleet.endpoints();
    expect(endpoints.map((e) => [e.hash, e.faults, e.pods])).toEqual([
      ['c', 'wrong-retrieval', ['docqa-c-0']],
      ['s', '', ['docqa-s-0', 'docqa-s-1']],
    ]);
    expect(new Set(fleet.pids()).size).toBe(2);
    // They are the real service: the canary answers from the wrong passages, the stable one does not.
    const ask = async (url: string) => {
      const response = await fetch(`${url}/v1/ask`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ question: 'How do I stop Argo CD from fighting my HPA?' }),
      });
      return (await response.json()) as { citations: Array<{ doc_id: string }> };
    };
    const [canaryAnswer, stableAnswer] = await Promise.all(endpoints.map((e) => ask(e.url)));
    expect(canaryAnswer?.citations.map((x) => x.doc_id)).not.toEqual(
      stableAnswer?.citations.map((x) => x.doc_id),
    );
    const metrics = await fetch(`${endpoints[1]?.url}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/docqa_requests_total\{[^}]*\} 1/);

    // Deleting one of two pods keeps the process; deleting the last one stops it.
    const [canaryPid, stablePid] = endpoints.map((e) => e.pid) as [number, number];
    c.remove('v1', 'Pod', 'docqa-s-1', 'docqa');
    c.remove('v1', 'Pod', 'docqa-c-0', 'docqa');
    await eventually('the canary process stopped', () => !alive(canaryPid));
    expect(alive(stablePid)).toBe(true);
    expect(fleet.endpoints().map((e) => [e.hash, e.pods])).toEqual([['s', ['docqa-s-0']]]);

    await fleet.close();
    expect(alive(stablePid)).toBe(false);
    expect(fleet.pids()).toEqual([]);
  });

  it('get SIGTERM when every pod of their hash is terminating, not while one of them still serves', async () => {
    dir = await mkdtemp(join(tmpdir(), 'gitops-lab-fleet-'));
    cluster = await startSimCluster({
      seed: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'docqa' } }, configMap('')],
    });
    const c = cluster;
    const lines: string[] = [];
    fleet = new DocqaFleet(c, { dir, log: (line) => lines.push(line), changed: () => undefined }).start();
    const [a, b] = c.seed(pod('docqa-s-0', 's'), pod('docqa-s-1', 's')) as [KubeObject, KubeObject];
    await Promise.all([fleet.ready(a), fleet.ready(b)]);
    const [pid] = fleet.pids() as [number];
    // What the API server writes on a graceful DELETE (pod-deletion.ts); the kubelet removes the pod later.
    const mark = (name: string) =>
      c.update('v1', 'Pod', name, 'docqa', (o) => {
        o.metadata = {
          ...o.metadata,
          deletionTimestamp: '2026-01-01T00:00:30Z',
          deletionGracePeriodSeconds: 30,
        };
      });
    mark('docqa-s-0');
    // The fleet looks at a change on the next turn of the event loop (cluster.defer).
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines.filter((l) => l.includes('SIGTERM'))).toEqual([]);
    expect(alive(pid)).toBe(true);
    mark('docqa-s-1');
    // The service closes on SIGTERM (src/service/server.ts) and exits 0.
    await eventually('the process ended on SIGTERM', () => lines.includes('docqa s: exited (code 0)'));
    expect(lines).toContain(`docqa s: every pod is terminating, SIGTERM to pid ${pid}`);
    expect(alive(pid)).toBe(false);
    c.remove('v1', 'Pod', 'docqa-s-0', 'docqa');
    c.remove('v1', 'Pod', 'docqa-s-1', 'docqa');
    expect(fleet.pids()).toEqual([]);
  });

  it.runIf(process.platform === 'linux')('start no child that outlives a killed parent', async () => {
    expect(childrenDieWithParent, 'setpriv (util-linux) is needed so that children die with the lab').toBe(
      true,
    );
    dir = await mkdtemp(join(tmpdir(), 'gitops-lab-orphan-'));
    const script = join(dir, 'parent.mts');
    await writeFile(
      script,
      [
        `import { spawnGuarded } from ${JSON.stringify(join(repoRoot, 'src/lab/sim/live/child.ts'))};`,
        `const child = spawnGuarded('/bin/sleep', ['600'], { env: { PATH: '/usr/bin:/bin' } });`,
        'console.log(child.pid);',
        'setInterval(() => {}, 1000);',
      ].join('\n'),
    );
    const parent = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    parent.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    await eventually('the parent printed its child', () => /^\d+\n/.test(out));
    const childPid = Number(out.trim());
    expect(alive(childPid)).toBe(true);
    parent.kill('SIGKILL');
    await eventually('the child died with its parent', () => !alive(childPid));
  });
});
