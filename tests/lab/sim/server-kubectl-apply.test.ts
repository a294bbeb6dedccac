/**
 * What the real `kubectl` does when it changes objects in the simulated API server: `apply` (which first asks the
 * OpenAPI v3 documents whether the server validates fields), `set image` and `patch`, whose strategic merge patches
 * merge containers by name on built-in kinds and are refused (415) on custom resources, as kube-apiserver does.
 * Runs when kubectl is on PATH; in CI (CI=true) a missing kubectl fails.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SimCluster, startSimCluster } from '../../../src/lab/sim/api.js';
import { VirtualClock } from '../../../src/lab/sim/clock.js';
import { kindBaseline } from '../../../src/lab/sim/kind-baseline.js';
import { hasKubectl } from '../../support/kubectl.js';
import { kubectlRunner } from '../../support/kubectl-run.js';

const describeKubectl = hasKubectl || process.env.CI === 'true' ? describe : describe.skip;

let cluster: SimCluster;
let dir: string;

const { kubectl, json } = kubectlRunner(() => ({ kubeconfigPath: cluster.kubeconfigPath, dir }));

function deployment(image: string, env: Array<{ name: string; value: string }>): string {
  return JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'lab' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'web', image, ports: [{ containerPort: 80 }], env }] },
      },
    },
  });
}

type Containers = Array<{ name: string; image: string; env?: unknown[]; ports?: unknown[] }>;
const containersOf = (o: Record<string, unknown>) =>
  (o as { spec: { template: { spec: { containers: Containers } } } }).spec.template.spec.containers;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gitops-lab-kubectl-apply-'));
  cluster = await startSimCluster({
    clock: new VirtualClock({ start: Date.UTC(2026, 0, 1) }),
    context: 'sim',
  });
  cluster.seed(...kindBaseline(), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'lab' } });
});

afterAll(async () => {
  await cluster?.close();
  await rm(dir, { recursive: true, force: true });
});

describeKubectl('kubectl against the simulated API server: changing objects', () => {
  it('`kubectl version` reads the server as Kubernetes v1.33.1', async () => {
    const out = await kubectl('version', '-o', 'json');
    const server = (JSON.parse(out.stdout) as { serverVersion: Record<string, string> }).serverVersion;
    expect(server).toMatchObject({ major: '1', minor: '33', gitVersion: 'v1.33.1' });
  });

  it('`kubectl apply` creates, then applies a change as a three-way patch: an env var removed from the file goes', async () => {
    const file = join(dir, 'web.json');
    await writeFile(
      file,
      deployment('nginx:1.27', [
        { name: 'A', value: '1' },
        { name: 'B', value: '2' },
      ]),
    );
    const created = await kubectl('apply', '-f', file);
    expect(created).toMatchObject({ code: 0, stdout: 'deployment.apps/web created\n' });

    await writeFile(file, deployment('nginx:1.28', [{ name: 'B', value: '3' }]));
    const configured = await kubectl('apply', '-f', file);
    expect(configured).toMatchObject({ code: 0, stdout: 'deployment.apps/web configured\n', stderr: '' });
    const [web] = containersOf(await json('get', 'deployment', 'web', '-n', 'lab'));
    // The removed env var A is gone; what the API server defaulted stays.
    expect(web).toEqual({
      name: 'web',
      image: 'nginx:1.28',
      ports: [{ containerPort: 80, protocol: 'TCP' }],
      env: [{ name: 'B', value: '3' }],
      imagePullPolicy: 'IfNotPresent',
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
    });

    const unchanged = await kubectl('apply', '-f', file);
    expect(unchanged.stdout).toBe('deployment.apps/web unchanged\n');
  });

  it('`kubectl set image` and a strategic `kubectl patch` keep the rest of the container list', async () => {
    expect((await kubectl('set', 'image', 'deployment/web', '-n', 'lab', 'web=nginx:1.29')).code).toBe(0);
    const sidecar = '{"spec":{"template":{"spec":{"containers":[{"name":"proxy","image":"envoy:1.34"}]}}}}';
    expect((await kubectl('patch', 'deployment', 'web', '-n', 'lab', '-p', sidecar)).code).toBe(0);
    const containers = containersOf(await json('get', 'deployment', 'web', '-n', 'lab'));
    expect(containers.map((c) => [c.name, c.image, c.ports?.length ?? 0])).toEqual([
      ['proxy', 'envoy:1.34', 0],
      ['web', 'nginx:1.29', 1],
    ]);
  });

  it('a custom resource refuses a strategic merge patch (415) and takes `--type merge`', async () => {
    const rollout = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'docqa', namespace: 'lab' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'docqa' } } },
    };
    const file = join(dir, 'rollout.json');
    await writeFile(file, JSON.stringify(rollout));
    expect((await kubectl('apply', '-f', file)).code).toBe(0);

    const refused = await kubectl('patch', 'rollout', 'docqa', '-n', 'lab', '-p', '{"spec":{"paused":true}}');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(
      'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
    );
    const merged = await kubectl(
      'patch',
      'rollout',
      'docqa',
      '-n',
      'lab',
      '--type',
      'merge',
      '-p',
      '{"spec":{"paused":true}}',
    );
    expect(merged.code).toBe(0);
    expect((await json('get', 'rollout', 'docqa', '-n', 'lab')).spec).toMatchObject({
      paused: true,
      replicas: 2,
    });
  });

  it('`kubectl diff` shows what apply would change and changes nothing; server dry runs keep nothing', async () => {
    const file = join(dir, 'web.json');
    await writeFile(file, deployment('nginx:1.30', [{ name: 'B', value: '3' }]));
    const before = await json('get', 'deployment', 'web', '-n', 'lab');
    const diff = await kubectl('diff', '-f', file);
    expect(diff.code).toBe(1); // kubectl diff: 1 when there are differences
    expect(diff.stdout).toMatch(/^-\s+image: nginx:1\.29$/m);
    expect(diff.stdout).toMatch(/^\+\s+image: nginx:1\.30$/m);
    const dryApply = await kubectl('apply', '-f', file, '--dry-run=server');
    expect(dryApply).toMatchObject({ code: 0, stdout: 'deployment.apps/web configured (server dry run)\n' });
    const dryDelete = await kubectl('delete', 'deployment', 'web', '-n', 'lab', '--dry-run=server');
    expect(dryDelete).toMatchObject({ code: 0, stdout: 'deployment.apps "web" deleted (server dry run)\n' });
    const probe = join(dir, 'probe.json');
    await writeFile(
      probe,
      JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'probe', namespace: 'lab' } }),
    );
    const dryCreate = await kubectl('create', '-f', probe, '--dry-run=server', '-o', 'json');
    expect(JSON.parse(dryCreate.stdout).metadata).toMatchObject({ name: 'probe', uid: expect.any(String) });
    expect(JSON.parse(dryCreate.stdout).metadata).not.toHaveProperty('resourceVersion');
    expect(await json('get', 'deployment', 'web', '-n', 'lab')).toEqual(before);
    expect((await kubectl('get', 'configmap', 'probe', '-n', 'lab')).stderr).toContain('NotFound');

    await writeFile(file, deployment('nginx:1.29', [{ name: 'B', value: '3' }]));
    await kubectl('apply', '-f', file);
    expect(await kubectl('diff', '-f', file)).toMatchObject({ code: 0, stdout: '' });
  });
});
