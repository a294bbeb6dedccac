/**
 * A complete fake lab environment for CLI tests of up/down/status/doctor: the fake API server with controllers that
 * make things converge (deployments become available, CRDs established, Argo CD creates the child apps of lab-root
 * and reports them Synced/Healthy), fake kind/kubectl/docker on PATH with the real git, a bare Git repository
 * standing in for the in-cluster Git server, and a gitops-lab.yaml pointing at all of it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { portFree } from '../../src/lab/doctor/checks.js';
import type { VirtualClock } from '../../src/lab/sim/clock.js';
import { GarbageCollector } from '../../src/lab/sim/garbage-collector.js';
import { standardStorageClass } from '../../src/lab/sim/kind-baseline.js';
import { type ContainerBehaviour, Kubelet } from '../../src/lab/sim/kubelet.js';
import { NamespaceController } from '../../src/lab/sim/namespace-controller.js';
import { startVolumeControllers } from '../../src/lab/sim/persistent-volumes.js';
import { deploymentPods } from '../../src/lab/sim/workloads.js';
import { packagePath } from '../../src/paths.js';
import { type FakeBin, installFakeBin } from './fake-bin/index.js';
import {
  applicationsSynced,
  crdsEstablished,
  type FakeKube,
  type KubeObject,
  startFakeKube,
  workloadsAvailable,
} from './fake-kube/index.js';

export interface LabFixture {
  fake: FakeKube;
  bin: FakeBin;
  cwd: string;
  stateDir: string;
  bareRepo: string;
  env: Record<string, string>;
  close(): Promise<void>;
}

async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  for (let p = 20000 + Math.floor(Math.random() * 20000); ports.length < count && p < 65000; p++) {
    if (await portFree(p)) ports.push(p);
  }
  return ports;
}

export function childApps(): KubeObject[] {
  const dir = packagePath('manifests', 'apps');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => d.toJS() as KubeObject))
    .filter((o) => o?.kind === 'Application');
}

export interface LabFixtureOptions {
  gitAvailable?: boolean;
  /** The health Argo CD reports per Application (default Healthy). */
  health?: (app: KubeObject) => 'Healthy' | 'Progressing' | 'Degraded';
  /** Run the cluster on this clock (in-process tests of `up`). */
  clock?: VirtualClock;
  /**
   * Run real pods (the simulation's kubelet) for the lab's Git server, whose container does this; without it the
   * Git server's Deployment is Available at once like every other workload.
   */
  gitServer?: ContainerBehaviour;
}

const argoResourcesFinalizer = 'resources-finalizer.argocd.argoproj.io';

export async function startLabFixture(options: LabFixtureOptions = {}): Promise<LabFixture> {
  const fake = await startFakeKube({ bookmarkIntervalMs: 200, clock: options.clock });
  fake.seed({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'gitops-lab-control-plane' },
    status: { conditions: [{ type: 'Ready', status: 'True' }] },
  });
  const gitServer = (o: KubeObject) => options.gitServer !== undefined && o.metadata?.namespace === 'lab-git';
  fake.addController(workloadsAvailable(gitServer));
  const stops: Array<() => void> = [];
  if (options.gitServer) {
    const behaviour = options.gitServer;
    stops.push(
      deploymentPods(fake, gitServer, { clock: options.clock ? options.clock.background() : fake.clock }),
    );
    const kubelet = new Kubelet(fake, {
      clock: options.clock ? options.clock.background() : fake.clock,
      behaviour: () => behaviour,
      runs: (pod) => pod.metadata?.namespace === 'lab-git',
    }).start();
    stops.push(() => kubelet.stop());
    // The Git server's git-server-data claim is provisioned as kind does it before its pod is scheduled
    // (persistent-volumes.ts): kind's `standard` class and a running local-path-provisioner.
    fake.seed(
      standardStorageClass(),
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'local-path-storage' } },
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: 'local-path-provisioner-0',
          namespace: 'local-path-storage',
          labels: { app: 'local-path-provisioner' },
        },
        spec: {
          nodeName: 'gitops-lab-control-plane',
          containers: [{ name: 'local-path-provisioner', image: 'x' }],
        },
        status: {
          phase: 'Running',
          startTime: '2026-01-01T00:00:00Z',
          conditions: [{ type: 'Ready', status: 'True' }],
        },
      },
    );
    stops.push(
      startVolumeControllers(fake, { clock: options.clock ? options.clock.background() : fake.clock }),
    );
  }
  fake.addController(crdsEstablished());
  fake.addController(applicationsSynced({ health: options.health }));
  // Argo CD's part: the root app creates the Applications in apps/, and each creates its namespace
  // (CreateNamespace=true).
  fake.addController((event, f) => {
    if (event.resource.kind !== 'Application' || event.type !== 'ADDED') return;
    if (event.object.metadata?.name === 'lab-root') {
      for (const app of childApps())
        if (!f.get('argoproj.io/v1alpha1', 'Application', app.metadata?.name ?? '', 'argocd')) f.seed(app);
    }
    const ns = (event.object.spec as { destination?: { namespace?: string } } | undefined)?.destination
      ?.namespace;
    if (ns && !f.get('v1', 'Namespace', ns))
      f.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  });
  // Argo CD's resources finalizer (argo-cd v3.1.12 controller/appcontroller.go finalizeApplicationDeletion): an
  // Application being deleted loses it once Argo CD has deleted what the app manages (here at once: the fixture's
  // apps own nothing); the API server then removes it (finalizers.ts), the garbage collector having removed
  // `foregroundDeletion` (`down` deletes in the foreground).
  fake.addController((event, f) => {
    const { metadata } = event.object;
    if (event.resource.kind !== 'Application' || event.type === 'DELETED' || !metadata?.deletionTimestamp)
      return;
    const finalizers = (metadata.finalizers ?? []) as string[];
    if (!finalizers.includes(argoResourcesFinalizer)) return;
    f.update('argoproj.io/v1alpha1', 'Application', metadata.name ?? '', metadata.namespace, (o) => {
      const kept = finalizers.filter((x) => x !== argoResourcesFinalizer);
      if (o.metadata && kept.length > 0) o.metadata.finalizers = kept;
      else delete o.metadata?.finalizers;
    });
  });
  const clock = options.clock ? options.clock.background() : fake.clock;
  stops.push(new GarbageCollector(fake, { clock }).start(), new NamespaceController(fake, { clock }).start());
  const bin = await installFakeBin({ extra: options.gitAvailable === false ? [] : ['git'] });
  const cwd = mkdtempSync(join(tmpdir(), 'gitops-lab-up-'));
  const stateDir = join(cwd, 'state');
  const bareRepo = join(cwd, 'lab.git');
  execFileSync('git', ['init', '-q', '--bare', bareRepo]);
  const [argocd, grafana, git, prometheus] = await freePorts(4);
  writeFileSync(
    join(cwd, 'gitops-lab.yaml'),
    [
      `kubeconfig: ${fake.kubeconfigPath}`,
      `stateDir: ${stateDir}`,
      `ports: { argocd: ${argocd}, grafana: ${grafana}, git: ${git}, prometheus: ${prometheus} }`,
      `git: { pushUrl: ${bareRepo} }`,
      // Upper bounds for when something is wrong: a healthy fake lab converges without time passing.
      'timeouts: { clusterSeconds: 600, installSeconds: 600, appsSeconds: 600 }',
      '',
    ].join('\n'),
  );
  return {
    fake,
    bin,
    cwd,
    stateDir,
    bareRepo,
    env: { ...bin.env, FAKE_BIN_DIR: bin.dir, HOME: cwd, GEMINI_API_KEY: '', GITOPS_LAB_STATE_DIR: stateDir },
    async close() {
      for (const stop of stops) stop();
      await fake.close();
      rmSync(cwd, { recursive: true, force: true });
      rmSync(bin.dir, { recursive: true, force: true });
    },
  };
}

/** Parses `--json` output lines. */
export function jsonLines(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
