/**
 * What the real `kubectl` shows against the simulated API server: short names and `get all` from discovery, and
 * the server-side Table (columns, cells, AGE computed from the server's virtual clock rather than kubectl's own),
 * for `get`, `-o wide` and `-w`. Runs when kubectl is on PATH; in CI (CI=true) a missing kubectl fails.
 * No sleeps: time moves only when the test advances the virtual clock, and `-w` is read as its output arrives.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SimCluster, startSimCluster } from '../../../src/lab/sim/api.js';
import { VirtualClock } from '../../../src/lab/sim/clock.js';
import { kindBaseline } from '../../../src/lab/sim/kind-baseline.js';
import { hasKubectl } from '../../support/kubectl.js';

const run = promisify(execFile);
const minutes = 60_000;
const start = Date.UTC(2026, 0, 1);

let cluster: SimCluster;
let clock: VirtualClock;
let cacheDir: string;

const describeKubectl = hasKubectl || process.env.CI === 'true' ? describe : describe.skip;

function args(extra: string[]): string[] {
  // Its own discovery cache: one left by another server on the same port must not answer.
  return ['--kubeconfig', cluster.kubeconfigPath, '--cache-dir', cacheDir, ...extra];
}

async function kubectl(...extra: string[]): Promise<string[][]> {
  const { stdout } = await run('kubectl', args(extra), { encoding: 'utf8' });
  return table(stdout);
}

/** kubectl's text table as rows of cells (columns are apart by two spaces or more, cells hold single ones). */
function table(text: string): string[][] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => line.trim().split(/\s{2,}/));
}

const ns = 'docqa';
const labels = { app: 'docqa' };
const template = { metadata: { labels }, spec: { containers: [{ name: 'docqa', image: 'docqa:1.2.0' }] } };

beforeAll(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'gitops-lab-kubectl-cache-'));
  clock = new VirtualClock({ start });
  cluster = await startSimCluster({ clock, context: 'gitops-lab-sim' });
  cluster.seed(
    ...kindBaseline(),
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'argocd' } },
  );
  clock.advance(5 * minutes);
  cluster.seed(
    {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'docqa', namespace: ns },
      spec: { replicas: 2, selector: { matchLabels: labels }, template },
      status: { replicas: 2, updatedReplicas: 2, availableReplicas: 1 },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'docqa-5d4f8b7c9', namespace: ns, labels },
      spec: { replicas: 2, selector: { matchLabels: labels }, template },
      status: { replicas: 2, readyReplicas: 1 },
    },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'docqa-5d4f8b7c9-abcde', namespace: ns, labels },
      spec: { nodeName: 'gitops-lab-worker', containers: template.spec.containers },
      status: {
        phase: 'Running',
        podIP: '10.244.1.7',
        podIPs: [{ ip: '10.244.1.7' }],
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [
          {
            name: 'docqa',
            ready: true,
            restartCount: 1,
            state: { running: {} },
            lastState: {
              terminated: { exitCode: 1, finishedAt: new Date(start + 6 * minutes).toISOString() },
            },
          },
        ],
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'docqa-5d4f8b7c9-fghij', namespace: ns, labels },
      spec: { containers: template.spec.containers },
      status: {
        phase: 'Pending',
        containerStatuses: [
          { name: 'docqa', ready: false, state: { waiting: { reason: 'ImagePullBackOff' } } },
        ],
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'docqa', namespace: ns },
      spec: { clusterIP: '10.96.12.34', ports: [{ port: 80, protocol: 'TCP' }], selector: labels },
    },
    {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'docqa', namespace: ns },
      spec: {
        scaleTargetRef: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'docqa' },
        minReplicas: 2,
        maxReplicas: 6,
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
          },
        ],
      },
      status: {
        currentReplicas: 2,
        currentMetrics: [
          { type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 35 } } },
        ],
      },
    },
    {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'docqa', namespace: 'argocd' },
      spec: { project: 'default' },
      status: { sync: { status: 'Synced', revision: 'abc123' }, health: { status: 'Healthy' } },
    },
  );
  // The objects are 2m30s old (the namespaces 7m30s): on the server's clock, whatever kubectl's says.
  clock.advance(2.5 * minutes);
}, 60_000);

afterAll(async () => {
  await cluster?.close();
  clock?.stop();
  if (cacheDir) await rm(cacheDir, { recursive: true, force: true });
});

describeKubectl('kubectl against the simulated API server', () => {
  it('get po: the pod columns, STATUS and READY from the pod, RESTARTS with when, AGE from the virtual clock', async () => {
    const [header, ...rows] = await kubectl('get', 'po', '-n', ns);
    expect(header).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    expect(rows).toEqual([
      ['docqa-5d4f8b7c9-abcde', '1/1', 'Running', '1 (90s ago)', '2m30s'],
      ['docqa-5d4f8b7c9-fghij', '0/1', 'ImagePullBackOff', '0', '2m30s'],
    ]);
  });

  it('get po -o wide: IP, NODE, NOMINATED NODE, READINESS GATES', async () => {
    const [header, running] = await kubectl('get', 'pods', '-n', ns, '-o', 'wide');
    expect(header).toEqual([
      'NAME',
      'READY',
      'STATUS',
      'RESTARTS',
      'AGE',
      'IP',
      'NODE',
      'NOMINATED NODE',
      'READINESS GATES',
    ]);
    expect(running?.slice(5)).toEqual(['10.244.1.7', 'gitops-lab-worker', '<none>', '<none>']);
  });

  it('get rs (and -o wide: CONTAINERS, IMAGES, SELECTOR)', async () => {
    expect(await kubectl('get', 'rs', '-n', ns)).toEqual([
      ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE'],
      ['docqa-5d4f8b7c9', '2', '2', '1', '2m30s'],
    ]);
    const [header, row] = await kubectl('get', 'rs', '-n', ns, '-o', 'wide');
    expect(header?.slice(5)).toEqual(['CONTAINERS', 'IMAGES', 'SELECTOR']);
    expect(row?.slice(5)).toEqual(['docqa', 'docqa:1.2.0', 'app=docqa']);
  });

  it("get ro: the Rollout CRD's printer columns", async () => {
    expect(await kubectl('get', 'ro', '-n', ns)).toEqual([
      ['NAME', 'DESIRED', 'CURRENT', 'UP-TO-DATE', 'AVAILABLE', 'AGE'],
      ['docqa', '2', '2', '2', '1', '2m30s'],
    ]);
  });

  it('get app -n argocd: the Application columns, the priority ones with -o wide', async () => {
    expect(await kubectl('get', 'app', '-n', 'argocd')).toEqual([
      ['NAME', 'SYNC STATUS', 'HEALTH STATUS'],
      ['docqa', 'Synced', 'Healthy'],
    ]);
    expect(await kubectl('get', 'apps', '-n', 'argocd', '-o', 'wide')).toEqual([
      ['NAME', 'SYNC STATUS', 'HEALTH STATUS', 'REVISION', 'PROJECT'],
      ['docqa', 'Synced', 'Healthy', 'abc123', 'default'],
    ]);
  });

  it('get hpa: REFERENCE and TARGETS', async () => {
    expect(await kubectl('get', 'hpa', '-n', ns)).toEqual([
      ['NAME', 'REFERENCE', 'TARGETS', 'MINPODS', 'MAXPODS', 'REPLICAS', 'AGE'],
      ['docqa', 'Rollout/docqa', 'cpu: 35%/70%', '2', '6', '2', '2m30s'],
    ]);
  });

  it('get all: the kinds of the "all" category, each with its own columns', async () => {
    const { stdout } = await run('kubectl', args(['get', 'all', '-n', ns]), { encoding: 'utf8' });
    const sections = stdout
      .trim()
      .split(/\n\s*\n/)
      .map(table);
    expect(sections.map((s) => s[0]?.[0])).toEqual(['NAME', 'NAME', 'NAME', 'NAME']);
    const names = sections.map((s) => s[1]?.[0]);
    expect(names).toEqual([
      'pod/docqa-5d4f8b7c9-abcde',
      'service/docqa',
      'replicaset.apps/docqa-5d4f8b7c9',
      'horizontalpodautoscaler.autoscaling/docqa',
    ]);
    expect(sections[1]?.[0]).toEqual(['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
    expect(sections[1]?.[1]).toEqual([
      'service/docqa',
      'ClusterIP',
      '10.96.12.34',
      '<none>',
      '80/TCP',
      '2m30s',
    ]);
  });

  it('get ns and get clusterroles: phase Active; the default columns NAME and CREATED AT', async () => {
    const namespaces = await kubectl('get', 'ns');
    expect(namespaces[0]).toEqual(['NAME', 'STATUS', 'AGE']);
    expect(namespaces).toContainEqual(['docqa', 'Active', '7m30s']);
    cluster.seed({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'viewer' },
    });
    expect(await kubectl('get', 'clusterroles')).toEqual([
      ['NAME', 'CREATED AT'],
      ['viewer', '2026-01-01T00:07:30Z'],
    ]);
  });

  it("get svc -A and get ns: a kind cluster's kubernetes and kube-dns Services, local-path-storage", async () => {
    const services = await kubectl('get', 'svc', '-A');
    expect(services[0]).toEqual(['NAMESPACE', 'NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
    expect(services).toContainEqual([
      'default',
      'kubernetes',
      'ClusterIP',
      '10.96.0.1',
      '<none>',
      '443/TCP',
      '7m30s',
    ]);
    expect(services).toContainEqual([
      'kube-system',
      'kube-dns',
      'ClusterIP',
      '10.96.0.10',
      '<none>',
      '53/UDP,53/TCP,9153/TCP',
      '7m30s',
    ]);
    expect(await kubectl('get', 'ns', 'local-path-storage', 'kube-node-lease')).toEqual([
      ['NAME', 'STATUS', 'AGE'],
      ['local-path-storage', 'Active', '7m30s'],
      ['kube-node-lease', 'Active', '7m30s'],
    ]);
  });

  it('create --raw pods/<name>/binding: NODE in -o wide, a second binding a Conflict; --field-selector spec.nodeName', async () => {
    const pod = 'docqa-5d4f8b7c9-fghij';
    const file = join(cacheDir, 'binding.json');
    const binding = {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: pod },
      target: { kind: 'Node', name: 'gitops-lab-control-plane' },
    };
    await writeFile(file, JSON.stringify(binding));
    const path = `/api/v1/namespaces/${ns}/pods/${pod}/binding`;
    await run('kubectl', args(['create', '--raw', path, '-f', file]), { encoding: 'utf8' });
    const wide = await kubectl('get', 'po', pod, '-n', ns, '-o', 'wide');
    expect(wide[1]?.[6]).toBe('gitops-lab-control-plane');
    const again = await run('kubectl', args(['create', '--raw', path, '-f', file]), {
      encoding: 'utf8',
    }).then(
      () => '',
      (error: { stderr: string }) => error.stderr,
    );
    expect(again).toContain(
      `Error from server (Conflict): Operation cannot be fulfilled on pods/binding "${pod}": pod ${pod} is already assigned to node "gitops-lab-control-plane"`,
    );
    const onNode = async (node: string) =>
      (await kubectl('get', 'po', '-n', ns, '--field-selector', `spec.nodeName=${node}`, '-o', 'name')).map(
        (r) => r[0],
      );
    expect(await onNode('gitops-lab-control-plane')).toEqual([`pod/${pod}`]);
    expect(await onNode('gitops-lab-worker')).toEqual(['pod/docqa-5d4f8b7c9-abcde']);
    const unsupported = await run(
      'kubectl',
      args(['get', 'po', '-n', ns, '--field-selector', 'spec.containers=x']),
      {
        encoding: 'utf8',
      },
    ).then(
      () => '',
      (error: { stderr: string }) => error.stderr,
    );
    expect(unsupported).toContain('field label not supported: spec.containers');
  });

  it('get po -w: the list, then each change as a row, aged on the virtual clock', async () => {
    const child = spawn('kubectl', args(['get', 'po', '-n', ns, '-w']));
    try {
      const lines = outputLines(child);
      expect(await lines.next(3)).toEqual([
        ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'],
        ['docqa-5d4f8b7c9-abcde', '1/1', 'Running', '1 (90s ago)', '2m30s'],
        ['docqa-5d4f8b7c9-fghij', '0/1', 'ImagePullBackOff', '0', '2m30s'],
      ]);
      clock.advance(1 * minutes);
      cluster.update('v1', 'Pod', 'docqa-5d4f8b7c9-fghij', ns, (pod) => {
        pod.status = {
          phase: 'Running',
          conditions: [{ type: 'Ready', status: 'True' }],
          containerStatuses: [{ name: 'docqa', ready: true, restartCount: 0, state: { running: {} } }],
        };
      });
      expect(await lines.next(1)).toEqual([['docqa-5d4f8b7c9-fghij', '1/1', 'Running', '0', '3m30s']]);
    } finally {
      child.kill();
    }
  });
});

/** The lines a child prints, as table rows, awaited as they come (no polling, no sleeps). */
function outputLines(child: ChildProcess) {
  const ready: string[][] = [];
  let waiting: (() => void) | undefined;
  let buffer = '';
  let errors = '';
  child.stderr?.on('data', (chunk) => {
    errors += String(chunk);
  });
  child.stdout?.on('data', (chunk) => {
    buffer += String(chunk);
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    ready.push(...table(lines.join('\n')));
    waiting?.();
  });
  child.on('exit', () => waiting?.());
  return {
    async next(count: number): Promise<string[][]> {
      while (ready.length < count) {
        if (child.exitCode !== null) throw new Error(`kubectl exited: ${errors}`);
        await new Promise<void>((resolve) => {
          waiting = resolve;
        });
      }
      return ready.splice(0, count);
    },
  };
}
