import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

  it('exits 1 and prints one file:line head per finding, the message and fix below it', async () => {
    const result = await runCli(['lint', join(fixtures, 'ownership-replicas', 'fail')]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /^workloads\/web\/deployment\.yaml:7: error ownership-replicas Deployment\/web\/web$/m,
    );
    expect(result.stdout).toMatch(/^ {4}fix: /m);
  });

  // Issue 17 item 12: piped lint lines ran to 376 characters (a padded table with message and fix).
  it('keeps piped lines short: message and fix are wrapped', async () => {
    const result = await runCli(['lint', join(fixtures, 'ref-service-url', 'fail')]);
    expect(result.code).toBe(1);
    const lines = result.stdout.split('\n');
    expect(lines.some((l) => l.includes('ref-service-url'))).toBe(true);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(120);
  });

  // Issue 17 item 12: lint on an empty folder exited 0 saying nothing was wrong.
  it('exits 2 when the folder holds no manifests at all', async () => {
    const empty = join(temp, 'empty');
    mkdirSync(join(empty, 'sub'), { recursive: true });
    writeFileSync(join(empty, 'README.md'), '# not a manifest\n');
    const result = await runCli(['lint', empty]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/holds no manifests/);
    expect(result.stdout).not.toMatch(/0 errors/);
  });

  // Issue 17 item 2: the --help example failed on the clean shipped manifests, because a Service that a
  // Helm chart provides (otel-collector, from manifests/apps) was reported as undefined.
  it('runs the --help examples on the shipped manifests without an error', async () => {
    const help = await runCli(['lint', '--help']);
    const examples = [...help.stdout.matchAll(/^ {2}\$ gitops-lab (lint[^|>\n]*)$/gm)].map((m) =>
      (m[1] as string).trim().split(/\s+/),
    );
    expect(examples.length).toBeGreaterThanOrEqual(3);
    for (const args of examples) {
      const result = await runCli(args);
      expect(result.stderr, args.join(' ')).toBe('');
      expect(result.code, args.join(' ')).toBe(0);
    }
    const sub = await runCli(['lint', 'manifests/workloads', '--repo-root', 'manifests', '--json']);
    const report = JSON.parse(sub.stdout) as { findings: Array<{ severity: string; file: string }> };
    expect(report.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(report.findings.every((f) => f.file.startsWith('workloads/'))).toBe(true);
  }, 120_000);

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
