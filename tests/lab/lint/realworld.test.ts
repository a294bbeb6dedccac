/**
 * A regression corpus of real-world repository shapes (tests/fixtures/lint/realworld/, written for this
 * project): each shape lists the findings it must produce (its one deliberate defect, if any) and those it
 * must not (the false alarms lint raised on such repositories before it rendered them as Argo CD does).
 * kubectl (kustomize) and jsonnet are installed by .ci/run; without them these tests fail rather than skip.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Finding, lintRepository } from '../../../src/lab/lint/index.js';

const corpus = join(import.meta.dirname, '..', '..', 'fixtures', 'lint', 'realworld');
const temp = mkdtempSync(join(tmpdir(), 'gitops-lab-lint-realworld-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

const problems = (findings: Finding[]) => findings.filter((f) => f.severity !== 'info');
const summary = (findings: Finding[]) =>
  problems(findings).map((f) => `${f.rule} ${f.file}:${f.line ?? ''} ${f.resource ?? ''} ${f.message}`);

describe('real-world repository shapes', () => {
  it('app-of-apps with overlays, components, commonLabels and namePrefix: only the patched-in defect', () => {
    const report = lintRepository({ dir: join(corpus, 'overlays-components') });
    expect(report.renderedWith).toBe('kubectl kustomize');
    const found = summary(report.findings);
    // Must: the prod overlay's JSON patch sets imagePullPolicy: Sometimes (patches are applied).
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(
      /^schema base\/deployment\.yaml:\d+ Deployment\/web-prod\/prod-web .*"Sometimes"/,
    );
    // Must not: the selector that commonLabels supplies reported missing; dev and prod objects (namePrefix,
    // destination namespaces) reported as duplicates; the component's PDB left out.
    const resources = report.resources.map((r) => r.resource);
    expect(resources).toEqual(
      expect.arrayContaining([
        'Deployment/web-dev/dev-web',
        'Deployment/web-prod/prod-web',
        'PodDisruptionBudget/web-dev/dev-web',
        'Service/web-prod/prod-web',
      ]),
    );
    // The images transformer of the prod overlay was applied.
    expect(report.findings.some((f) => f.rule === 'kustomize-render' && f.severity === 'info')).toBe(true);
  });

  it('the built-in reader, asked for, says what it does not apply', () => {
    const report = lintRepository({ dir: join(corpus, 'overlays-components'), renderer: 'builtin' });
    expect(report.renderedWith).toBe('built-in reader');
    const info = report.findings.find((f) => f.rule === 'kustomize-render');
    expect(info?.message).toMatch(/patches, components, namePrefix and commonLabels are not applied/);
  });

  it('one path deployed by two Applications into two namespaces is no duplicate; into one namespace it is', () => {
    expect(summary(lintRepository({ dir: join(corpus, 'multi-namespace') }).findings)).toEqual([]);
    const repo = join(temp, 'multi-namespace');
    cpSync(join(corpus, 'multi-namespace'), repo, { recursive: true });
    const second = readFileSync(join(repo, 'apps', 'guestbook-b.yaml'), 'utf8');
    writeFileSync(
      join(repo, 'apps', 'guestbook-c.yaml'),
      second
        .replace('name: guestbook-b', 'name: guestbook-c')
        .replace('namespace: team-b', 'namespace: team-a'),
    );
    const found = problems(lintRepository({ dir: repo }).findings);
    expect(found.map((f) => f.rule)).toEqual(['app-duplicate-resource']);
    expect(found[0]?.message).toMatch(/guestbook-a .* and guestbook-c .* both deploy/);
  });

  it('generator output with creationTimestamp: null, args: null and status: {} is valid', () => {
    const report = lintRepository({ dir: join(corpus, 'generator-nulls') });
    expect(report.resources).toHaveLength(2);
    expect(summary(report.findings)).toEqual([]);
  });

  it('Jsonnet sources are evaluated with their libs and extVars, and their objects checked', () => {
    const report = lintRepository({ dir: join(corpus, 'jsonnet') });
    const found = summary(report.findings);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^ref-service-selector guestbook-jsonnet\/guestbook\.jsonnet:/);
    expect(report.resources.map((r) => r.resource)).toContain('Deployment/guestbook/guestbook');
  });

  it('JSON manifests (tab-indented too) are parsed and validated', () => {
    const report = lintRepository({ dir: join(corpus, 'json') });
    expect(report.resources.map((r) => r.resource)).toEqual(
      expect.arrayContaining(['Deployment/web/web', 'Service/web/web']),
    );
    const found = summary(report.findings);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^schema web-json\/service\.json:\d+ Service\/web\/web .*"Bogus"/);
  });

  it('a Service that selects the pods an experiment step relabels is not without endpoints', () => {
    const found = summary(lintRepository({ dir: join(corpus, 'experiment-relabel') }).findings);
    // Must: the Service whose selector has a typo. Must not: the one selecting the preview pods.
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^ref-service-selector .* Service\/web\/web-typo /);
  });

  it('plugin and Helm sources are reported as not rendered (info), their inputs not linted', () => {
    const report = lintRepository({ dir: join(corpus, 'plugin') });
    expect(summary(report.findings)).toEqual([]);
    const info = report.findings.filter((f) => f.severity === 'info').map((f) => f.rule);
    expect(info).toEqual(expect.arrayContaining(['plugin-not-rendered', 'helm-not-rendered']));
  });
});
