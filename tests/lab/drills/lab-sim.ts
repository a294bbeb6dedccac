/**
 * A simulated lab for drill tests: the fake Kubernetes API server seeded with the lab's objects, an in-memory
 * lab repository, and small stand-ins for the controllers that make drills interesting (Argo CD's self-heal
 * loop reading "Git", and the HPA). They write straight to the fake server, as the real controllers would.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type {
  DrillEnvironment,
  LabRepo,
  RepoChangeResult,
  RepoEdit,
} from '../../../src/lab/drills/access.js';
import { kubeAccessFrom } from '../../../src/lab/drills/kube-adapter.js';
import { editYamlText } from '../../../src/lab/drills/lab-repo.js';
import { createKubeClient } from '../../../src/lab/kube/client.js';
import { packagePath } from '../../../src/paths.js';
import { type FakeKube, startFakeKube } from '../../support/fake-kube/index.js';

const rolloutRef = ['argoproj.io/v1alpha1', 'Rollout', 'docqa', 'docqa'] as const;
const appRef = ['argoproj.io/v1alpha1', 'Application', 'docqa', 'argocd'] as const;

/** The lab repository in memory, starting from the package's manifests/. Commits are kept for reverts. */
export class MemoryRepo implements LabRepo {
  readonly location = 'memory://lab.git';
  readonly files = new Map<string, string>();
  readonly commits: Array<{ sha: string; message: string; before: Map<string, string>; reverted: boolean }> =
    [];

  constructor(
    files: string[] = [
      'apps/docqa.yaml',
      'workloads/docqa/rollout.yaml',
      'workloads/docqa/configmap.yaml',
      'workloads/docqa/kustomization.yaml',
    ],
  ) {
    for (const f of files) this.files.set(f, readFileSync(join(packagePath('manifests'), f), 'utf8'));
  }

  yaml(file: string): Record<string, unknown> {
    return parse(this.files.get(file) ?? '') as Record<string, unknown>;
  }

  async change(edits: RepoEdit[], message: string): Promise<RepoChangeResult> {
    const before = new Map(this.files);
    const files = [...new Set(edits.map((e) => e.file))];
    for (const file of files) {
      const text = this.files.get(file);
      if (text === undefined) throw new Error(`${file} does not exist in ${this.location}`);
      this.files.set(
        file,
        editYamlText(
          text,
          edits.filter((e) => e.file === file),
        ),
      );
    }
    if (files.every((f) => before.get(f) === this.files.get(f))) return { files };
    const sha = `${this.commits.length + 1}`.padStart(7, 'c');
    this.commits.push({ sha, message, before, reverted: false });
    return { commit: sha, files };
  }

  async revert(match: string): Promise<{ reverted: string[] }> {
    const reverted: string[] = [];
    for (const commit of [...this.commits].reverse()) {
      if (commit.reverted || !commit.message.includes(match)) continue;
      for (const [file, text] of commit.before) this.files.set(file, text);
      commit.reverted = true;
      reverted.push(commit.sha);
    }
    return { reverted };
  }
}

export function labObjects() {
  const ns = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  return [
    ns('argocd'),
    ns('docqa'),
    {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'docqa', namespace: 'argocd' },
      spec: { project: 'lab' },
      status: {
        sync: { status: 'Synced' },
        health: { status: 'Healthy' },
        operationState: { phase: 'Succeeded', startedAt: '2026-01-01T00:00:00.000Z' },
      },
    },
    {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'docqa', namespace: 'docqa' },
      spec: { replicas: 2 },
      status: { phase: 'Healthy', availableReplicas: 2, currentPodHash: 'abc123' },
    },
    {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'docqa', namespace: 'docqa' },
      spec: { minReplicas: 2, maxReplicas: 6 },
      status: { desiredReplicas: 2 },
    },
    ...['s1', 's2'].map((n) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: `docqa-abc123-${n}`,
        namespace: 'docqa',
        labels: { 'app.kubernetes.io/name': 'docqa' },
      },
      status: {
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [{ name: 'docqa', state: { running: {} } }],
      },
    })),
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'docqa-config', namespace: 'docqa' },
      data: {
        DOCQA_MODE: 'extractive',
        DOCQA_FAULTS: '',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector.observability.svc:4318',
        OTEL_SERVICE_NAME: 'docqa',
      },
    },
  ];
}

/** What Git says about the docqa Rollout's replicas: the value, and whether the Application ignores the field. */
export interface DesiredReplicas {
  replicas?: number;
  ignored: boolean;
}

export function desiredFrom(appYaml: string, rolloutYaml: string): DesiredReplicas {
  const app = parse(appYaml) as { spec?: { ignoreDifferences?: Array<{ jsonPointers?: string[] }> } };
  const rollout = parse(rolloutYaml) as { spec?: { replicas?: number } };
  return {
    ignored: (app.spec?.ignoreDifferences ?? []).some((d) => d.jsonPointers?.includes('/spec/replicas')),
    replicas: rollout.spec?.replicas,
  };
}

/** Argo CD's self-heal for the docqa Rollout's replicas: puts Git's value back unless told to ignore it. */
export function startArgoSelfHeal(
  fake: FakeKube,
  source: MemoryRepo | (() => DesiredReplicas | undefined),
  everyMs = 40,
): () => void {
  const desired =
    typeof source === 'function'
      ? source
      : () =>
          desiredFrom(
            source.files.get('apps/docqa.yaml') ?? '',
            source.files.get('workloads/docqa/rollout.yaml') ?? '',
          );
  let syncs = 0;
  const timer = setInterval(() => {
    const want = desired();
    const live = fake.get(...rolloutRef);
    const liveReplicas = (live?.spec as { replicas?: number } | undefined)?.replicas;
    if (!want || want.ignored || want.replicas === undefined || liveReplicas === want.replicas) return;
    const gitReplicas = want.replicas;
    fake.update(...rolloutRef, (o) => {
      (o.spec as { replicas: number }).replicas = gitReplicas;
    });
    syncs++;
    fake.update(...appRef, (o) => {
      const status = o.status as { operationState: { startedAt: string } };
      status.operationState.startedAt = new Date(Date.UTC(2026, 0, 1, 0, 0, syncs)).toISOString();
    });
  }, everyMs);
  return () => clearInterval(timer);
}

/**
 * Argo CD for the docqa-config ConfigMap: the root app copies the docqa Application's ignoreDifferences from Git,
 * and self-heal puts every key of the ConfigMap back to Git's value unless the live Application ignores it
 * (RespectIgnoreDifferences=true, as in manifests/apps/docqa.yaml).
 */
export function startArgoConfigSelfHeal(fake: FakeKube, repo: MemoryRepo, everyMs = 40): () => void {
  let syncs = 0;
  let reconciles = 0;
  const timer = setInterval(() => {
    // Nothing reconciles while the application controller is scaled to 0.
    const controller = fake.get('apps/v1', 'StatefulSet', 'argocd-application-controller', 'argocd');
    if (controller && ((controller.spec as { replicas?: number }).replicas ?? 1) === 0) return;
    reconciles++;
    fake.update(...appRef, (o) => {
      (o.status as { reconciledAt?: string }).reconciledAt = new Date(
        Date.UTC(2026, 0, 3, 0, 0, reconciles),
      ).toISOString();
    });
    const gitApp = repo.yaml('apps/docqa.yaml') as { spec?: { ignoreDifferences?: unknown[] } };
    const liveApp = fake.get(...appRef);
    const liveIgnores = (liveApp?.spec as { ignoreDifferences?: unknown[] } | undefined)?.ignoreDifferences;
    if (JSON.stringify(liveIgnores) !== JSON.stringify(gitApp.spec?.ignoreDifferences)) {
      fake.update(...appRef, (o) => {
        (o.spec as { ignoreDifferences?: unknown[] }).ignoreDifferences = gitApp.spec?.ignoreDifferences;
      });
      return;
    }
    const ignored = new Set(
      ((liveIgnores ?? []) as Array<{ kind?: string; name?: string; jsonPointers?: string[] }>)
        .filter((d) => d.kind === 'ConfigMap' && d.name === 'docqa-config')
        .flatMap((d) => d.jsonPointers ?? [])
        .map((p) => p.replace(/^\/data\//, '')),
    );
    const gitData =
      (repo.yaml('workloads/docqa/configmap.yaml') as { data?: Record<string, string> }).data ?? {};
    const live = fake.get('v1', 'ConfigMap', 'docqa-config', 'docqa');
    const liveData = (live?.data ?? {}) as Record<string, string>;
    const drifted = Object.keys(gitData).filter((k) => !ignored.has(k) && liveData[k] !== gitData[k]);
    const extra = Object.keys(liveData).filter((k) => !ignored.has(k) && !(k in gitData));
    if (drifted.length === 0 && extra.length === 0) return;
    fake.update('v1', 'ConfigMap', 'docqa-config', 'docqa', (o) => {
      const data = o.data as Record<string, string>;
      for (const k of drifted) data[k] = gitData[k] as string;
      for (const k of extra) delete data[k];
    });
    syncs++;
    fake.update(...appRef, (o) => {
      const status = o.status as { operationState: { startedAt: string } };
      status.operationState.startedAt = new Date(Date.UTC(2026, 0, 2, 0, 0, syncs)).toISOString();
    });
  }, everyMs);
  return () => clearInterval(timer);
}

/** Argo CD's view of Git availability: with the lab's Git server scaled to 0, docqa shows ComparisonError/Unknown. */
export function startArgoGitWatch(fake: FakeKube, everyMs = 40): () => void {
  const timer = setInterval(() => {
    const server = fake.get('apps/v1', 'Deployment', 'git-server', 'lab-git');
    const down = ((server?.spec as { replicas?: number } | undefined)?.replicas ?? 1) === 0;
    const app = fake.get(...appRef);
    const status = app?.status as { sync: { status: string }; conditions?: unknown[] } | undefined;
    const want = down ? 'Unknown' : 'Synced';
    if (!status || status.sync.status === want) return;
    fake.update(...appRef, (o) => {
      const st = o.status as { sync: { status: string }; conditions?: unknown[] };
      st.sync.status = want;
      st.conditions = down
        ? [{ type: 'ComparisonError', message: 'Failed to load target state: dial tcp: connection refused' }]
        : [];
    });
  }, everyMs);
  return () => clearInterval(timer);
}

/**
 * Argo CD plus Argo Rollouts for new doc-QA versions: when Git's pod template (DOCQA_FAULTS) or image tag differs
 * from the stable one, a canary pod starts; a bad tag leaves it in ImagePullBackOff and the Rollout Degraded, a
 * fault makes the canary's AnalysisRun fail and the Rollout abort. Reverting Git brings everything back to
 * Healthy. `metrics` answers the drills' Prometheus queries from the same state.
 */
export function startRolloutsSim(fake: FakeKube, repo: MemoryRepo, everyMs = 40) {
  const stable = { faults: '', tag: '0.1.0' };
  let revision = 1;
  let canary: { key: string; faults: string; tag: string } | undefined;
  const gitVersion = () => {
    const rollout = repo.yaml('workloads/docqa/rollout.yaml') as {
      spec: { template: { spec: { containers: Array<{ env?: Array<{ name: string; value?: string }> }> } } };
    };
    const env = rollout.spec.template.spec.containers[0]?.env ?? [];
    const faults = env.find((e) => e.name === 'DOCQA_FAULTS')?.value ?? '';
    const kustomization = repo.yaml('workloads/docqa/kustomization.yaml') as {
      images: Array<{ newTag: string }>;
    };
    return { faults, tag: kustomization.images[0]?.newTag ?? '' };
  };
  const setPhase = (rolloutPhase: string, appHealth: string) => {
    if ((fake.get(...rolloutRef)?.status as { phase?: string } | undefined)?.phase !== rolloutPhase) {
      fake.update(...rolloutRef, (o) => {
        (o.status as { phase: string }).phase = rolloutPhase;
      });
    }
    if (
      (fake.get(...appRef)?.status as { health?: { status?: string } } | undefined)?.health?.status !==
      appHealth
    ) {
      fake.update(...appRef, (o) => {
        (o.status as { health: { status: string } }).health.status = appHealth;
      });
    }
  };
  const timer = setInterval(() => {
    const want = gitVersion();
    const key = `${want.faults}|${want.tag}`;
    if (want.faults === stable.faults && want.tag === stable.tag) {
      if (canary) {
        fake.remove('v1', 'Pod', 'docqa-canary-0', 'docqa');
        canary = undefined;
      }
      setPhase('Healthy', 'Healthy');
      return;
    }
    if (canary?.key !== key) {
      if (canary) fake.remove('v1', 'Pod', 'docqa-canary-0', 'docqa');
      revision++;
      canary = { key, ...want };
      const badImage = want.tag !== stable.tag;
      fake.seed({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: 'docqa-canary-0',
          namespace: 'docqa',
          labels: { 'app.kubernetes.io/name': 'docqa' },
        },
        status: {
          conditions: [{ type: 'Ready', status: badImage ? 'False' : 'True' }],
          containerStatuses: [
            {
              name: 'docqa',
              state: badImage ? { waiting: { reason: 'ImagePullBackOff' } } : { running: {} },
            },
          ],
        },
      });
      if (!badImage) {
        fake.seed({
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'AnalysisRun',
          metadata: {
            name: `docqa-${revision}`,
            namespace: 'docqa',
            annotations: { 'rollout.argoproj.io/revision': String(revision) },
            ownerReferences: [{ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'docqa' }],
          },
          status: { phase: 'Running' },
        });
      }
      setPhase('Progressing', 'Progressing');
      return;
    }
    // Second tick for this canary: the analysis fails (a fault) or the progress deadline passes (a bad image).
    if (canary.tag !== stable.tag) {
      setPhase('Degraded', 'Degraded');
    } else {
      const run = fake.get('argoproj.io/v1alpha1', 'AnalysisRun', `docqa-${revision}`, 'docqa');
      if ((run?.status as { phase?: string } | undefined)?.phase !== 'Failed') {
        fake.update('argoproj.io/v1alpha1', 'AnalysisRun', `docqa-${revision}`, 'docqa', (o) => {
          (o.status as { phase: string }).phase = 'Failed';
        });
      }
      setPhase('Degraded', 'Degraded');
    }
  }, everyMs);
  const metrics = {
    async query(_url: string, promql: string): Promise<number | undefined> {
      const faults = canary?.faults ?? '';
      if (promql.includes('probe_success')) return 1;
      if (promql.includes('status="error"')) return 0;
      if (promql.includes('histogram_quantile')) return faults.startsWith('latency=') ? 0.85 : 0.05;
      if (promql.includes('grounded')) return faults === 'wrong-retrieval' ? 0.1 : 0.98;
      return undefined;
    },
  };
  return { stop: () => clearInterval(timer), metrics };
}

/** The HPA: with no load it wants its minimum, so it scales the Rollout up whenever it is below. */
export function startHpa(fake: FakeKube, everyMs = 65): () => void {
  const timer = setInterval(() => {
    const live = fake.get(...rolloutRef);
    const replicas = (live?.spec as { replicas?: number } | undefined)?.replicas ?? 0;
    if (replicas < 2) {
      fake.update(...rolloutRef, (o) => {
        (o.spec as { replicas: number }).replicas = 2;
      });
    }
  }, everyMs);
  return () => clearInterval(timer);
}

export interface SimLab {
  fake: FakeKube;
  repo: MemoryRepo;
  env: DrillEnvironment;
  close(): Promise<void>;
}

export async function startSimLab(): Promise<SimLab> {
  const fake = await startFakeKube({ seed: labObjects() });
  const repo = new MemoryRepo();
  const client = createKubeClient({ kubeconfig: fake.kubeconfigPath });
  return {
    fake,
    repo,
    env: { kube: kubeAccessFrom(client), repo },
    close: () => fake.close(),
  };
}

export const fixture = (name: string) => join(import.meta.dirname, 'fixtures', `${name}.yaml`);
