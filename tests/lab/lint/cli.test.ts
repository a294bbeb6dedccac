import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, runCli } from '../../support/cli.js';

const fixtures = join(repoRoot, 'tests', 'fixtures', 'lint');
const temp = mkdtempSync(join(tmpdir(), 'gitops-lab-lint-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe('gitops-lab lint (CLI)', () => {
  it('exits 0 on the shipped manifests and prints a summary', async () => {
    const result = await runCli(['lint', 'manifests']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/0 errors, 0 warnings/);
  });

  it('exits 1 and prints a table with rule, severity, file:line, resource, message and fix', async () => {
    const result = await runCli(['lint', join(fixtures, 'ownership-replicas', 'fail')]);
    expect(result.code).toBe(1);
    const [header] = result.stdout.split('\n');
    expect(header).toMatch(/^RULE\s+SEVERITY\s+FILE\s+RESOURCE\s+MESSAGE\s+FIX$/);
    expect(result.stdout).toMatch(
      /ownership-replicas\s+error\s+workloads\/web\/deployment\.yaml:7\s+Deployment\/web\/web/,
    );
  });

  it('gives {files, resources, findings} with --json', async () => {
    const result = await runCli(['lint', join(fixtures, 'policy-image-tag', 'fail'), '--json']);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as {
      files: string[];
      resources: Array<{ file: string; resource: string }>;
      findings: Array<{
        rule: string;
        severity: string;
        file: string;
        resource: string;
        message: string;
        fix: string;
      }>;
    };
    expect(report.files).toEqual(['workload.yaml']);
    expect(report.resources.map((r) => r.resource)).toContain('Deployment/web/web');
    expect(report.findings).toContainEqual(
      expect.objectContaining({
        rule: 'policy-image-tag',
        severity: 'error',
        file: 'workload.yaml',
        resource: 'Deployment/web/web',
      }),
    );
  });

  it('fails on warnings only with --strict', async () => {
    const dir = join(fixtures, 'app-unpinned', 'fail');
    expect((await runCli(['lint', dir])).code).toBe(0);
    expect((await runCli(['lint', dir, '--strict'])).code).toBe(1);
  });

  it('exits 2 with one clear sentence when the folder does not exist', async () => {
    const result = await runCli(['lint', join(temp, 'nope')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: gitops-lab lint: folder .*nope does not exist\.\nhint: /);
  });

  it('resolves Application paths against --repo-root when linting a sub-folder', async () => {
    const repo = join(temp, 'repo');
    cpSync(join(fixtures, 'app-path', 'pass'), repo, { recursive: true });
    const ok = await runCli(['lint', join(repo, 'apps'), '--repo-root', repo, '--json']);
    expect(ok.code).toBe(0);
    const app = join(repo, 'apps', 'web.yaml');
    writeFileSync(app, readFileSync(app, 'utf8').replace('path: workloads/web', 'path: workloads/missing'));
    const broken = await runCli(['lint', join(repo, 'apps'), '--repo-root', repo]);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('workloads/missing');
  });

  it('lets an object silence one rule for itself with an annotation', async () => {
    const repo = join(temp, 'suppressed');
    cpSync(join(fixtures, 'policy-probes', 'fail'), repo, { recursive: true });
    const file = join(repo, 'workload.yaml');
    expect((await runCli(['lint', repo])).code).toBe(1);
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(
        '  name: web\n  namespace: web\n',
        '  name: web\n  namespace: web\n  annotations:\n    lint.gitops-lab.io/ignore: policy-probes\n',
      ),
    );
    expect((await runCli(['lint', repo])).code).toBe(0);
  });
});
