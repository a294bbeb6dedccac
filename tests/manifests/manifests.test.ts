/**
 * The shipped GitOps repository (manifests/): lint-clean, strictly valid, buildable offline with kustomize,
 * and holding the names and fields other parts of gitops-lab rely on (up, pin, canary, drills).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { lintRepository } from '../../src/lab/lint/index.js';
import { isRemoteReference } from '../../src/lab/lint/repository.js';
import { promqlErrors, substituteArgs } from '../../src/lab/lint/rules/promql.js';
import { SchemaValidator } from '../../src/lab/lint/schemas.js';
import { hasKubectl } from '../support/kubectl.js';

const root = join(import.meta.dirname, '..', '..', 'manifests');
const labRepo = 'http://git-server.lab-git.svc.cluster.local/lab.git';

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) return yamlFiles(p);
    return /\.ya?ml$/.test(e) ? [p] : [];
  });
}

// biome-ignore lint/suspicious/noExplicitAny: test reads of arbitrary manifest fields
type Obj = Record<string, any>;
const objects: Array<{ file: string; object: Obj }> = yamlFiles(root).flatMap((file) =>
  parseAllDocuments(readFileSync(file, 'utf8'))
    .map((d) => d.toJS() as Obj)
    .filter((o) => o?.kind)
    .map((object) => ({ file: relative(root, file), object })),
);
const find = (kind: string, name: string) =>
  objects.find((o) => o.object.kind === kind && o.object.metadata?.name === name)?.object;

describe('shipped manifests', () => {
  it('lint with no error and no warning', () => {
    const report = lintRepository({ dir: root });
    expect(report.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(report.resources.length).toBeGreaterThan(15);
  });

  it('validate every Argo CD and Argo Rollouts object strictly against the CRD schemas', () => {
    const validator = new SchemaValidator();
    const argo = objects.filter((o) => String(o.object.apiVersion).startsWith('argoproj.io/'));
    expect(argo.map((o) => o.object.kind)).toEqual(
      expect.arrayContaining(['Application', 'AppProject', 'Rollout', 'AnalysisTemplate']),
    );
    for (const { file, object } of argo) {
      expect(validator.has(object.apiVersion, object.kind), `${file}: ${object.kind} has a schema`).toBe(
        true,
      );
      expect(validator.validate(object.apiVersion, object.kind, object), file).toEqual([]);
    }
  });

  it('form an app-of-apps tree: lab-root → apps/ → every workload, Argo CD managing itself', () => {
    const rootApp = find('Application', 'lab-root');
    expect(rootApp?.metadata.namespace).toBe('argocd');
    expect(rootApp?.spec.source).toMatchObject({ repoURL: labRepo, targetRevision: 'main', path: 'apps' });
    const apps = objects.filter((o) => o.object.kind === 'Application' && o.file.startsWith('apps/'));
    const paths = apps.map((a) => a.object.spec.source?.path).filter(Boolean);
    expect(paths).toEqual(
      expect.arrayContaining([
        'bootstrap/argo-cd',
        'bootstrap/argo-rollouts',
        'workloads/docqa',
        'workloads/observability',
      ]),
    );
    for (const a of apps) expect(a.object.spec.project).toBe('lab');
    expect(find('AppProject', 'lab')).toBeDefined();
  });

  it('pin every remote source: Helm chart versions, the guestbook commit, Argo CD and Rollouts releases', () => {
    for (const a of objects.filter((o) => o.object.kind === 'Application')) {
      const s = a.object.spec.source;
      if (s.repoURL === labRepo) continue;
      expect(s.targetRevision, a.file).toMatch(/^(\d+\.\d+\.\d+|[0-9a-f]{40})$/);
    }
    // Argo CD and Rollouts: vendored install manifests, no remote base (tests/manifests/vendored-argo.test.ts).
    for (const dir of ['bootstrap/argo-cd', 'bootstrap/argo-rollouts']) {
      const k = parseAllDocuments(readFileSync(join(root, dir, 'kustomization.yaml'), 'utf8'))[0]?.toJS();
      expect(k.resources, dir).toEqual(['install.yaml']);
    }
  });

  it('let the HPA own the doc-QA replicas (ignoreDifferences + RespectIgnoreDifferences=true)', () => {
    const app = find('Application', 'docqa');
    expect(app?.spec.syncPolicy.automated).toMatchObject({ selfHeal: true, prune: true });
    expect(app?.spec.ignoreDifferences).toContainEqual(
      expect.objectContaining({
        group: 'argoproj.io',
        kind: 'Rollout',
        name: 'docqa',
        jsonPointers: ['/spec/replicas'],
      }),
    );
    expect(app?.spec.syncPolicy.syncOptions).toContain('RespectIgnoreDifferences=true');
    expect(find('HorizontalPodAutoscaler', 'docqa')?.spec.scaleTargetRef).toEqual({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      name: 'docqa',
    });
  });

  it('ship the doc-QA contract other commands rely on (image entry, Rollout, services, config, secret ref)', () => {
    const kustomization = parseAllDocuments(
      readFileSync(join(root, 'workloads/docqa/kustomization.yaml'), 'utf8'),
    )[0]?.toJS() as Obj;
    expect(kustomization.images).toEqual([{ name: 'ghcr.io/gitops-lab/docqa', newTag: '0.1.0' }]);
    const rollout = find('Rollout', 'docqa');
    expect(rollout?.metadata.namespace).toBe('docqa');
    const c = rollout?.spec.template.spec.containers[0];
    expect(c.image).toBe('ghcr.io/gitops-lab/docqa:0.1.0');
    expect(c.ports).toContainEqual(expect.objectContaining({ containerPort: 8080 }));
    expect(c.readinessProbe.httpGet.path).toBe('/readyz');
    expect(c.livenessProbe.httpGet.path).toBe('/healthz');
    // The kubelet probes the service's probe port (a thread of its own), which the service opens on
    // DOCQA_PROBE_PORT: the named port and the variable must agree, and differ from the service port.
    expect(c.readinessProbe.httpGet.port).toBe('probes');
    expect(c.livenessProbe.httpGet.port).toBe('probes');
    const probePort = c.ports.find((p: Obj) => p.name === 'probes')?.containerPort;
    expect(c.env).toContainEqual({ name: 'DOCQA_PROBE_PORT', value: String(probePort) });
    expect(probePort).not.toBe(8080);
    expect(c.envFrom).toContainEqual({ configMapRef: { name: 'docqa-config' } });
    expect(c.env).toContainEqual({
      name: 'GEMINI_API_KEY',
      valueFrom: { secretKeyRef: { name: 'docqa-gemini', key: 'GEMINI_API_KEY', optional: true } },
    });
    expect(rollout?.spec.strategy.canary).toMatchObject({
      stableService: 'docqa-stable',
      canaryService: 'docqa-canary',
    });
    expect(find('ConfigMap', 'docqa-config')?.data).toMatchObject({
      DOCQA_MODE: 'extractive',
      DOCQA_FAULTS: '',
    });
    // No Secret is committed (the vendored upstream installs carry their own empty ones).
    const vendored = (file: string) =>
      /^# Vendored by /.test(readFileSync(join(root, file), 'utf8').slice(0, 100));
    expect(objects.some((o) => o.object.kind === 'Secret' && !vendored(o.file))).toBe(false);
  });

  it('judge the canary on quality: every query selects the canary hash, parses and returns one sample', () => {
    const template = find('AnalysisTemplate', 'docqa-quality') as Obj;
    expect(template.spec.args[0]).toEqual({ name: 'canary-hash' });
    const prometheus = template.spec.metrics.filter((m: Obj) => m.provider.prometheus);
    expect(prometheus.map((m: Obj) => m.name)).toEqual([
      'grounded-ratio',
      'error-ratio',
      'abstain-ratio',
      'latency-p95',
    ]);
    for (const m of prometheus) {
      const query: string = m.provider.prometheus.query;
      expect(query).toContain('rollouts_pod_template_hash="{{args.canary-hash}}"');
      expect(query).not.toMatch(/namespace=|pod=/);
      expect(query).not.toMatch(/\bby\s*\((?!le\))/);
      expect(promqlErrors(substituteArgs(query, { 'canary-hash': 'abc123' }))).toEqual([]);
      expect(m.successCondition).toMatch(/len\(result\) > 0/);
      expect(m.failureCondition).toMatch(/len\(result\) > 0/);
    }
    const replay = template.spec.metrics.find((m: Obj) => m.provider.job);
    const job = replay.provider.job.spec.template.spec.containers[0];
    expect(job.command).toEqual(['node', '/app/bin/gitops-lab.js']);
    expect(job.args).toEqual(['eval', '--target', 'http://docqa-canary.docqa.svc:8080']);
  });

  it('keep the Rollouts pod-template hash as rollouts_pod_template_hash when scraping', () => {
    const monitor = find('PodMonitor', 'docqa') as Obj;
    expect(monitor.spec.podMetricsEndpoints[0].relabelings).toContainEqual({
      sourceLabels: ['__meta_kubernetes_pod_label_rollouts_pod_template_hash'],
      targetLabel: 'rollouts_pod_template_hash',
    });
    const dashboard = JSON.parse(
      readFileSync(join(root, 'workloads/observability/dashboards/docqa-quality.json'), 'utf8'),
    );
    const exprs = JSON.stringify(dashboard);
    expect(exprs).toContain('docqa_answers_grounded_total');
    expect(exprs).toContain('argocd_app_info');
  });
});

const kubectl = hasKubectl;

const offlineKustomizations = yamlFiles(root)
  .filter((f) => f.endsWith('kustomization.yaml'))
  .filter((f) => {
    const k = parseAllDocuments(readFileSync(f, 'utf8'))[0]?.toJS() as Obj;
    return !(k.resources ?? []).some((r: string) => isRemoteReference(r));
  });

describe('kubectl kustomize prerequisites', () => {
  it('has kubectl installed when running in CI (.ci/run installs it)', () => {
    expect(kubectl || process.env.CI !== 'true', 'kubectl is missing: CI must install it').toBe(true);
  });
});

describe.runIf(kubectl)(
  'kubectl kustomize, offline (skipped on a developer machine without kubectl; it bundles kustomize)',
  () => {
    it('finds the kustomizations without remote bases', () => {
      expect(offlineKustomizations.map((f) => relative(root, f))).toEqual(
        expect.arrayContaining([
          'workloads/docqa/kustomization.yaml',
          'workloads/observability/kustomization.yaml',
        ]),
      );
    });
    for (const file of offlineKustomizations) {
      it(`builds ${relative(root, file)}`, () => {
        const dir = join(file, '..');
        const out = execFileSync('kubectl', ['kustomize', dir], {
          encoding: 'utf8',
          timeout: 60_000,
          maxBuffer: 64 * 1024 * 1024,
        });
        expect(out).toContain('kind:');
        if (dir.endsWith('docqa')) {
          expect(out.match(/image: ghcr\.io\/gitops-lab\/docqa:0\.1\.0/g)?.length).toBe(2);
        }
      });
    }
  },
);
