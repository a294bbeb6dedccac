/**
 * `gitops-lab lint` on a generated 1,000-object repository (issue #15: under 2 s wall on this machine).
 * The repository: a root Application, an AppProject and 100 Applications, each deploying a folder of 9 objects
 * (Deployment, Service, ConfigMap, ServiceAccount, HorizontalPodAutoscaler, PodDisruptionBudget,
 * NetworkPolicy, Role, RoleBinding), plain directories; a second variant puts a kustomization (with
 * namePrefix and commonLabels) in 10 of the folders, rendered by `kubectl kustomize`.
 * Runs the built CLI (`npm run build` first) as a user would, median of interleaved runs.
 * Standalone: node --import tsx bench/lint.ts; also section 4 of `npm run bench`.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lintRepository } from '../src/lab/lint/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'bin', 'gitops-lab.js');
const repoURL = 'https://git.example.com/bench/gitops.git';

function app(name: string): string {
  return `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: ${name}, namespace: argocd}
spec:
  project: bench
  source: {repoURL: ${repoURL}, targetRevision: v1.0.0, path: workloads/${name}}
  destination: {server: https://kubernetes.default.svc, namespace: ${name}}
  syncPolicy:
    automated: {prune: true, selfHeal: false}
    syncOptions: [CreateNamespace=true]
`;
}

function workload(name: string): string {
  const labels = `{app: ${name}}`;
  return [
    `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
  selector: {matchLabels: ${labels}}
  template:
    metadata: {labels: ${labels}}
    spec:
      serviceAccountName: ${name}
      securityContext: {runAsNonRoot: true, runAsUser: 10001}
      containers:
        - name: app
          image: ghcr.io/example/${name}:1.0.0
          ports: [{name: http, containerPort: 8080}]
          envFrom: [{configMapRef: {name: ${name}}}]
          readinessProbe: {httpGet: {path: /readyz, port: http}}
          livenessProbe: {httpGet: {path: /healthz, port: http}}
          resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {memory: 128Mi}}
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: {drop: [ALL]}
`,
    `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}}\nspec:\n  selector: ${labels}\n  ports: [{name: http, port: 80, targetPort: http}]\n`,
    `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}}\ndata: {MODE: fast}\n`,
    `apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: ${name}}\n`,
    `apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: ${name}}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: ${name}}\n  minReplicas: 2\n  maxReplicas: 5\n  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}}]\n`,
    `apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: ${name}}\nspec:\n  minAvailable: 1\n  selector: {matchLabels: ${labels}}\n`,
    `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: ${name}}\nspec:\n  podSelector: {matchLabels: ${labels}}\n  policyTypes: [Ingress]\n  ingress: [{ports: [{port: 8080}]}]\n`,
    `apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: ${name}}\nrules: [{apiGroups: [""], resources: [configmaps], verbs: [get]}]\n`,
    `apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: ${name}}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: ${name}}\nsubjects: [{kind: ServiceAccount, name: ${name}}]\n`,
  ].join('---\n');
}

/** Writes the repository; `kustomized` folders get a kustomization.yaml. Returns its object count. */
export function writeLintRepository(dir: string, apps = 100, kustomized = 0): number {
  mkdirSync(join(dir, 'bootstrap'), { recursive: true });
  mkdirSync(join(dir, 'apps'), { recursive: true });
  writeFileSync(
    join(dir, 'bootstrap', 'root.yaml'),
    `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: root, namespace: argocd}
spec:
  project: default
  source: {repoURL: ${repoURL}, targetRevision: v1.0.0, path: apps}
  destination: {server: https://kubernetes.default.svc, namespace: argocd}
`,
  );
  writeFileSync(
    join(dir, 'apps', 'project.yaml'),
    `apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata: {name: bench, namespace: argocd}
spec:
  sourceRepos: [${repoURL}]
  destinations: [{server: https://kubernetes.default.svc, namespace: "*"}]
`,
  );
  for (let i = 0; i < apps; i++) {
    const name = `app-${String(i).padStart(3, '0')}`;
    writeFileSync(join(dir, 'apps', `${name}.yaml`), app(name));
    const folder = join(dir, 'workloads', name);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'objects.yaml'), workload(name));
    if (i < kustomized) {
      writeFileSync(
        join(folder, 'kustomization.yaml'),
        'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [objects.yaml]\nlabels: [{pairs: {team: bench}}]\n',
      );
    }
  }
  return 2 + apps * 10;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function wallMs(args: string[]): number {
  const s = performance.now();
  const r = spawnSync(process.execPath, [cli, ...args], { stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`gitops-lab ${args.join(' ')} exited with ${r.status}`);
  return performance.now() - s;
}

export interface LintBenchRow {
  measure: string;
  value: string;
  target?: string;
  ok?: boolean;
}

export function benchLint(runs = 5): LintBenchRow[] {
  const plain = mkdtempSync(join(tmpdir(), 'gitops-lab-bench-lint-'));
  const mixed = mkdtempSync(join(tmpdir(), 'gitops-lab-bench-lint-k-'));
  try {
    const objects = writeLintRepository(plain);
    writeLintRepository(mixed, 100, 10);
    const times: [number[], number[]] = [[], []];
    for (let i = 0; i < runs + 1; i++) {
      const a = wallMs(['lint', plain, '--json']);
      const b = wallMs(['lint', mixed, '--json']);
      if (i > 0) {
        times[0].push(a);
        times[1].push(b);
      }
    }
    const flat = median(times[0]);
    const kustomized = median(times[1]);
    // CPU time of the lint itself, in this process (a loaded machine stretches wall time, not CPU time).
    const cpu0 = process.cpuUsage();
    const wall0 = performance.now();
    lintRepository({ dir: plain });
    const cpu = process.cpuUsage(cpu0);
    const wall = performance.now() - wall0;
    return [
      {
        measure: `in-process lintRepository on ${objects} objects, first run (schemas compiled): CPU (user + system) / wall`,
        value: `${((cpu.user + cpu.system) / 1000).toFixed(0)} ms / ${wall.toFixed(0)} ms`,
      },
      {
        measure: `\`gitops-lab lint\` on ${objects} objects in 100 Applications (median of ${runs})`,
        value: `${flat.toFixed(0)} ms`,
        target: '< 2000 ms',
        ok: flat < 2000,
      },
      {
        measure: `the same with 10 folders rendered by kubectl kustomize (median of ${runs})`,
        value: `${kustomized.toFixed(0)} ms`,
      },
    ];
  } finally {
    rmSync(plain, { recursive: true, force: true });
    rmSync(mixed, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const row of benchLint())
    process.stdout.write(`| ${row.measure} | ${row.value} | ${row.target ?? ''} |\n`);
}
