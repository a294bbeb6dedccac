import { cpSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Finding, lintRepository } from '../../../src/lab/lint/index.js';

const fixtures = join(import.meta.dirname, '..', '..', 'fixtures', 'lint');

const temp = mkdtempSync(join(tmpdir(), 'gitops-lab-lint-rules-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/**
 * Fixture files that must not parse are stored as `*.yaml.broken` (so the repository's own formatter leaves
 * them alone) and linted under their real name from a temporary copy.
 */
function fixtureDir(name: string, variant: 'pass' | 'fail'): string {
  const dir = join(fixtures, name, variant);
  const broken = readdirSync(dir).filter((f) => f.endsWith('.broken'));
  if (broken.length === 0) return dir;
  const copy = join(temp, name, variant);
  cpSync(dir, copy, { recursive: true });
  for (const f of broken) renameSync(join(copy, f), join(copy, f.slice(0, -'.broken'.length)));
  return copy;
}

function lint(name: string, variant: 'pass' | 'fail'): Finding[] {
  return lintRepository({ dir: fixtureDir(name, variant) }).findings;
}

function problems(findings: Finding[]): Finding[] {
  return findings.filter((f) => f.severity !== 'info');
}

/** Each fixture pair: the failing variant has one realistic defect; the passing one is the same repo, fixed. */
const cases: Array<{
  fixture: string;
  rule: string;
  severity?: 'error' | 'warning';
  file: string;
  mentions: string[];
}> = [
  { fixture: 'yaml-parse', rule: 'yaml-parse', file: 'workload.yaml', mentions: ['does not parse'] },
  {
    fixture: 'schema-unknown-field',
    rule: 'schema',
    file: 'apps/web.yaml',
    mentions: ['"selfheal"', 'spec.syncPolicy.automated', '"selfHeal"'],
  },
  {
    fixture: 'schema-core-kind',
    rule: 'schema',
    file: 'workload.yaml',
    mentions: ['env[0].value', 'string'],
  },
  {
    fixture: 'schema-api-version',
    rule: 'schema',
    file: 'workload.yaml',
    mentions: ['autoscaling/v2beta2', 'autoscaling/v2'],
  },
  {
    fixture: 'schema-kustomization',
    rule: 'schema',
    file: 'kustomization.yaml',
    mentions: ['"resource"', '"resources"'],
  },
  {
    fixture: 'kustomize-missing-resource',
    rule: 'kustomize-missing-resource',
    file: 'kustomization.yaml',
    mentions: ['hpa.yaml'],
  },
  {
    fixture: 'app-path',
    rule: 'app-path',
    file: 'apps/web.yaml',
    mentions: ['workloads/wbe', 'workloads/web'],
  },
  {
    fixture: 'app-duplicate-resource',
    rule: 'app-duplicate-resource',
    file: 'apps/web.yaml',
    mentions: ['web-copy', 'Deployment/web/web'],
  },
  {
    fixture: 'app-project',
    rule: 'app-project',
    file: 'apps/web.yaml',
    mentions: ['sourceRepos', 'lab.git'],
  },
  {
    fixture: 'app-namespace',
    rule: 'app-namespace',
    file: 'apps/web.yaml',
    mentions: ['"web"', 'CreateNamespace=true'],
  },
  {
    fixture: 'app-sync-option',
    rule: 'app-sync-option',
    file: 'apps/web.yaml',
    mentions: ['CreateNamespace=ture'],
  },
  {
    fixture: 'app-unpinned',
    rule: 'app-unpinned',
    severity: 'warning',
    file: 'apps/chart.yaml',
    mentions: ['1.*'],
  },
  {
    fixture: 'ownership-replicas',
    rule: 'ownership-replicas',
    file: 'workloads/web/deployment.yaml',
    mentions: ['Deployment/web/web', 'HorizontalPodAutoscaler/web/web', 'Application web', 'selfHeal'],
  },
  {
    fixture: 'ownership-replicas-without-respect',
    rule: 'ownership-replicas',
    file: 'workloads/web/deployment.yaml',
    mentions: ['RespectIgnoreDifferences=true', 'HorizontalPodAutoscaler/web/web'],
  },
  {
    fixture: 'ref-hpa-target',
    rule: 'ref-hpa-target',
    file: 'workload.yaml',
    mentions: ['Rollout/web', 'Deployment named web'],
  },
  {
    fixture: 'ref-service-selector',
    rule: 'ref-service-selector',
    file: 'workload.yaml',
    mentions: ['app=webb'],
  },
  {
    fixture: 'ref-service-port',
    rule: 'ref-service-port',
    file: 'workload.yaml',
    mentions: ['"web"', 'http'],
  },
  {
    fixture: 'ref-rollout-service',
    rule: 'ref-rollout-service',
    file: 'rollout.yaml',
    mentions: ['canaryService', 'web-preview'],
  },
  {
    fixture: 'ref-analysis-template',
    rule: 'ref-analysis-template',
    file: 'rollout.yaml',
    mentions: ['quality-v2', 'quality'],
  },
  {
    fixture: 'ref-analysis-args',
    rule: 'ref-analysis-args',
    file: 'rollout.yaml',
    mentions: ['canary-hash'],
  },
  { fixture: 'ref-configmap', rule: 'ref-configmap', file: 'workload.yaml', mentions: ['web-settings'] },
  {
    fixture: 'ref-secret',
    rule: 'ref-secret',
    file: 'workload.yaml',
    mentions: ['web-api', 'optional: true'],
  },
  { fixture: 'policy-image-tag', rule: 'policy-image-tag', file: 'workload.yaml', mentions: [':latest'] },
  {
    fixture: 'policy-image-tag-kustomize',
    rule: 'policy-image-tag',
    file: 'workload.yaml',
    mentions: ['kustomize images', 'ghcr.io/example/web:latest'],
  },
  {
    fixture: 'policy-privileged',
    rule: 'policy-privileged',
    file: 'workload.yaml',
    mentions: ['container web', 'privileged'],
  },
  {
    fixture: 'policy-run-as-root',
    rule: 'policy-run-as-root',
    file: 'workload.yaml',
    mentions: ['runAsUser: 0'],
  },
  {
    fixture: 'policy-privilege-escalation',
    rule: 'policy-privilege-escalation',
    file: 'workload.yaml',
    mentions: ['allowPrivilegeEscalation: true'],
  },
  {
    fixture: 'policy-resources',
    rule: 'policy-resources',
    file: 'workload.yaml',
    mentions: ['requests.cpu', 'limits.memory'],
  },
  { fixture: 'policy-probes', rule: 'policy-probes', file: 'workload.yaml', mentions: ['readinessProbe'] },
  {
    fixture: 'policy-plaintext-secret',
    rule: 'policy-plaintext-secret',
    file: 'secret.yaml',
    mentions: ['web-api', 'API_KEY'],
  },
  {
    fixture: 'analysis-promql',
    rule: 'analysis-promql',
    file: 'analysis.yaml',
    mentions: ['success-ratio', 'does not parse'],
  },
  {
    fixture: 'analysis-args',
    rule: 'analysis-args',
    file: 'analysis.yaml',
    mentions: ['{{args.canary_hash}}', 'canary-hash'],
  },
  {
    fixture: 'analysis-condition',
    rule: 'analysis-condition',
    file: 'analysis.yaml',
    mentions: ['success-ratio', 'successCondition'],
  },
  {
    fixture: 'analysis-labels',
    rule: 'analysis-labels',
    file: 'analysis.yaml',
    mentions: ['rollouts_pod_template_hash', 'targetLabel'],
  },
  {
    fixture: 'ref-monitor-selector',
    rule: 'ref-monitor-selector',
    file: 'podmonitor.yaml',
    mentions: ['webb'],
  },
  {
    fixture: 'ref-service-url',
    rule: 'ref-service-url',
    file: 'probe.yaml',
    mentions: ['8080', 'web-canary', '80'],
  },
  { fixture: 'ref-pdb-selector', rule: 'ref-pdb-selector', file: 'pdb.yaml', mentions: ['protects nothing'] },
  {
    fixture: 'kustomize-image',
    rule: 'kustomize-image',
    file: 'kustomization.yaml',
    mentions: ['ghcr.io/example/webapp', '(images: ghcr.io/example/web)'],
  },
  { fixture: 'app-sync-wave', rule: 'app-sync-wave', file: 'apps/web.yaml', mentions: ['"last"'] },
  {
    fixture: 'app-orphan',
    rule: 'app-orphan',
    severity: 'warning',
    file: 'workloads/extra/app.yaml',
    mentions: ['extra', 'apps/'],
  },
  {
    fixture: 'app-repo-url',
    rule: 'app-repo-url',
    file: 'apps/web.yaml',
    mentions: ['lab-typo.git', '/lab.git'],
  },
  { fixture: 'ref-selector', rule: 'ref-selector', file: 'workload.yaml', mentions: ['matchLabels'] },
  { fixture: 'ref-service-account', rule: 'ref-service-account', file: 'workload.yaml', mentions: ['"web"'] },
  {
    fixture: 'policy-capabilities',
    rule: 'policy-capabilities',
    file: 'workload.yaml',
    mentions: ['SYS_ADMIN'],
  },
  {
    fixture: 'policy-readonly-root-fs',
    rule: 'policy-readonly-root-fs',
    severity: 'warning',
    file: 'workload.yaml',
    mentions: ['readOnlyRootFilesystem'],
  },
  {
    fixture: 'policy-host-namespace',
    rule: 'policy-host-namespace',
    file: 'workload.yaml',
    mentions: ['hostNetwork'],
  },
  {
    fixture: 'kustomize-remote-base',
    rule: 'kustomize-remote-base',
    severity: 'warning',
    file: 'kustomization.yaml',
    mentions: ['not pinned', '?ref='],
  },
  {
    fixture: 'analysis-no-data',
    rule: 'analysis-no-data',
    severity: 'warning',
    file: 'analysis.yaml',
    mentions: ['passes on no data', 'len(result) > 0'],
  },
  { fixture: 'schema-kind', rule: 'schema', file: 'workload.yaml', mentions: ['Deploymnet', 'Deployment'] },
  { fixture: 'schema-api-group', rule: 'schema', file: 'workload.yaml', mentions: ['app/v1', 'apps/v1'] },
];

describe('lint rules on fixture repositories', () => {
  for (const c of cases) {
    describe(c.fixture, () => {
      it(`passes the fixed repository with no error or warning`, () => {
        expect(problems(lint(c.fixture, 'pass'))).toEqual([]);
      });

      it(`reports ${c.rule} on the broken one, with a precise location and fix`, () => {
        const findings = problems(lint(c.fixture, 'fail')).filter((f) => f.rule === c.rule);
        expect(findings.length).toBeGreaterThan(0);
        const finding = findings[0] as Finding;
        expect(finding.severity).toBe(c.severity ?? 'error');
        expect(finding.file).toBe(c.file);
        expect(finding.line).toBeGreaterThan(0);
        for (const m of c.mentions) expect(`${finding.message} ${finding.fix}`).toContain(m);
        expect(finding.fix.length).toBeGreaterThan(10);
      });
    });
  }
});

describe('lint rule details', () => {
  it('places an unknown field on the line of the misspelt key', () => {
    const finding = lint('schema-unknown-field', 'fail').find((f) => f.rule === 'schema');
    expect(finding?.line).toBe(18);
    expect(finding?.resource).toBe('Application/argocd/web');
  });

  it('names the workload, the HPA, the Application and the exact ignoreDifferences entry in the ownership fix', () => {
    const finding = lint('ownership-replicas', 'fail').find((f) => f.rule === 'ownership-replicas');
    expect(finding?.fix).toContain(
      '{group: apps, kind: Deployment, name: web, jsonPointers: [/spec/replicas]}',
    );
    expect(finding?.fix).toContain('apps/web.yaml');
  });

  it('notes remote bases and Helm charts as info, never as problems', () => {
    const findings = lint('app-unpinned', 'pass');
    expect(findings.some((f) => f.rule === 'helm-not-rendered' && f.severity === 'info')).toBe(true);
  });

  it('treats hardening gaps of an AnalysisTemplate Job as warnings, and its :latest image still as an error', () => {
    const dir = join(temp, 'analysis-job');
    cpSync(join(fixtures, 'analysis-condition', 'pass'), dir, { recursive: true });
    writeFileSync(
      join(dir, 'replay.yaml'),
      [
        'apiVersion: argoproj.io/v1alpha1',
        'kind: AnalysisTemplate',
        'metadata: {name: replay, namespace: web}',
        'spec:',
        '  metrics:',
        '    - name: replay',
        '      provider:',
        '        job:',
        '          spec:',
        '            template:',
        '              spec:',
        '                restartPolicy: Never',
        '                containers:',
        '                  - {name: replay, image: "ghcr.io/example/replay:latest", args: [run]}',
        '',
      ].join('\n'),
    );
    const findings = lintRepository({ dir }).findings.filter(
      (f) => f.file === 'replay.yaml' && f.severity !== 'info',
    );
    expect(findings.filter((f) => f.severity === 'error').map((f) => f.rule)).toEqual(['policy-image-tag']);
    expect(findings.map((f) => f.rule)).toEqual(
      expect.arrayContaining(['policy-run-as-root', 'policy-resources']),
    );
  });

  it('accepts the canary-hash label from a scrape configuration kept in Helm values', () => {
    const dir = join(temp, 'labels-in-values');
    cpSync(join(fixtures, 'analysis-labels', 'fail'), dir, { recursive: true });
    expect(lintRepository({ dir }).findings.some((f) => f.rule === 'analysis-labels')).toBe(true);
    writeFileSync(
      join(dir, 'prometheus-app.yaml'),
      [
        'apiVersion: argoproj.io/v1alpha1',
        'kind: Application',
        'metadata: {name: prometheus, namespace: argocd}',
        'spec:',
        '  project: default',
        '  source:',
        '    repoURL: https://prometheus-community.github.io/helm-charts',
        '    chart: prometheus',
        '    targetRevision: 27.0.0',
        '    helm:',
        '      values: |',
        '        extraScrapeConfigs: |',
        '          - job_name: pods',
        '            relabel_configs:',
        '              - source_labels: [__meta_kubernetes_pod_label_rollouts_pod_template_hash]',
        '                target_label: rollouts_pod_template_hash',
        '  destination: {server: https://kubernetes.default.svc, namespace: monitoring}',
        '',
      ].join('\n'),
    );
    expect(lintRepository({ dir }).findings.some((f) => f.rule === 'analysis-labels')).toBe(false);
  });

  it("accepts destination name in-cluster where the project lists Argo CD's local server URL", () => {
    const dir = join(temp, 'in-cluster');
    cpSync(join(fixtures, 'app-project', 'pass'), dir, { recursive: true });
    const file = join(dir, 'apps', 'web.yaml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace('server: https://kubernetes.default.svc', 'name: in-cluster'),
    );
    expect(readFileSync(file, 'utf8')).toContain('name: in-cluster');
    expect(lintRepository({ dir }).findings.filter((f) => f.rule === 'app-project')).toEqual([]);
  });
});
