/**
 * `gitops-lab lint` on an untrusted repository (issue 13): link loops, a FIFO named *.yaml, kustomize paths
 * outside the kustomization folder (/dev/zero, ../../../etc/passwd), oversized files and the time budget.
 * The CLI cases run the built CLI in a child process with a time limit, so a hang fails instead of blocking
 * the test runner. The kustomize message is compared with what the real `kubectl kustomize` prints.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRepository } from '../../../src/lab/lint/repository.js';
import { LintBudgetError } from '../../../src/lab/lint/safe-fs.js';
import { runCli } from '../../support/cli.js';

const temp = mkdtempSync(join(tmpdir(), 'gitops-lab-lint-hostile-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

const CONFIGMAP = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: n\n';
let count = 0;
/** A fresh repository folder three levels below the temporary folder, with one ConfigMap in a.yaml. */
function repo(): string {
  const dir = join(temp, `case-${count++}`, 'deep', 'repo');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'a.yaml'), CONFIGMAP);
  return dir;
}

interface LintJson {
  files: string[];
  resources: Array<{ file: string; resource: string }>;
  findings: Array<{ rule: string; severity: string; file: string; message: string }>;
}

async function lintJson(dir: string): Promise<LintJson> {
  const result = await runCli(['lint', dir, '--json'], { timeoutMs: 30_000 });
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout) as LintJson;
}

/** The load-restrictor sentence of the real kustomize's error for `dir`. */
function kustomizeSays(dir: string): string {
  const run = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', timeout: 30_000 });
  expect(run.status).not.toBe(0);
  const m = /security; file '[^']*' is not in or below '[^']*'/.exec(run.stderr);
  if (!m) throw new Error(`kubectl kustomize did not refuse ${dir}: ${run.stderr}`);
  return m[0];
}

describe('lint on a hostile repository', () => {
  it('walks two `x -> .` link loops once, without exponential blow-up', async () => {
    const dir = repo();
    symlinkSync('.', join(dir, 'x'));
    symlinkSync('.', join(dir, 'y'));
    mkdirSync(join(dir, 'sub'));
    symlinkSync('..', join(dir, 'sub', 'up'));
    const report = await lintJson(dir);
    expect(report.resources).toEqual([{ file: 'a.yaml', line: 1, resource: 'ConfigMap/n/a' }]);
  });

  it('does not open a FIFO named *.yaml, and says so', async () => {
    const dir = repo();
    execFileSync('mkfifo', [join(dir, 'pipe.yaml')]);
    const report = await lintJson(dir);
    expect(report.resources.map((r) => r.file)).toEqual(['a.yaml']);
    expect(report.findings).toContainEqual(
      expect.objectContaining({ file: 'pipe.yaml', message: expect.stringMatching(/not a regular file/) }),
    );
  });

  it('never follows a link out of the repository', async () => {
    const dir = repo();
    const outside = join(temp, `outside-${count}`);
    mkdirSync(outside);
    writeFileSync(join(outside, 'secret.yaml'), CONFIGMAP.replace('name: a', 'name: secret'));
    symlinkSync(join(outside, 'secret.yaml'), join(dir, 'linked.yaml'));
    symlinkSync(outside, join(dir, 'linked-dir'));
    const report = await lintJson(dir);
    expect(report.resources.map((r) => r.resource)).toEqual(['ConfigMap/n/a']);
    expect(report.findings).toContainEqual(
      expect.objectContaining({
        file: 'linked.yaml',
        message: expect.stringMatching(/outside the repository/),
      }),
    );
  });

  it.each([
    ['/dev/zero', '/dev/zero'],
    ['../../../etc/passwd', '/etc/passwd'],
  ])('refuses `resources: [%s]` with kustomize’s own message', async (given, resolved) => {
    const dir = repo();
    // As many `..` as it takes from this folder to reach /etc/passwd.
    const entry = given.startsWith('../') ? relative(dir, resolved) : given;
    writeFileSync(join(dir, 'kustomization.yaml'), `resources:\n- a.yaml\n- ${entry}\n`);
    const expected = kustomizeSays(dir);
    expect(expected).toContain(`'${resolved}'`);
    const report = await lintJson(dir);
    expect(report.findings).toContainEqual(
      expect.objectContaining({
        rule: 'kustomize-missing-resource',
        severity: 'error',
        file: 'kustomization.yaml',
        message: `resources entry "${entry}": ${expected}`,
      }),
    );
    expect(report.resources.map((r) => r.resource)).toEqual(['ConfigMap/n/a']);
  });

  it('refuses a configMapGenerator file outside the kustomization folder, as kustomize does', async () => {
    const dir = repo();
    mkdirSync(join(dir, 'app'));
    writeFileSync(join(dir, 'shared.env'), 'A=1\n');
    writeFileSync(
      join(dir, 'app', 'kustomization.yaml'),
      'configMapGenerator:\n- name: cfg\n  namespace: n\n  files:\n  - ../shared.env\n',
    );
    const report = await lintJson(dir);
    expect(report.findings).toContainEqual(
      expect.objectContaining({
        file: 'app/kustomization.yaml',
        message: expect.stringContaining(
          `security; file '${join(dir, 'shared.env')}' is not in or below '${join(dir, 'app')}'`,
        ),
      }),
    );
  });

  it('caps the size of a file it reads, with a finding naming it', () => {
    const dir = repo();
    writeFileSync(join(dir, 'big.yaml'), `${CONFIGMAP}# ${'x'.repeat(5000)}\n`);
    const loaded = loadRepository({ dir, fs: { maxFileBytes: 4096 } });
    expect(loaded.resources.map((r) => r.file)).toEqual(['a.yaml']);
    expect(loaded.findings).toContainEqual(
      expect.objectContaining({ file: 'big.yaml', message: expect.stringMatching(/over the 4096-byte cap/) }),
    );
  });

  it('stops with a clear error when the time budget is spent (injected clock)', () => {
    const dir = repo();
    for (let i = 0; i < 5; i++) writeFileSync(join(dir, `f${i}.yaml`), CONFIGMAP);
    let t = 0;
    const now = () => (t += 10);
    let error: unknown;
    try {
      loadRepository({ dir, fs: { budgetMs: 35, now } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LintBudgetError);
    expect((error as Error).message).toMatch(/took longer than its 0\.035 s budget \(at .*\.yaml\)/);
    expect((error as LintBudgetError).exitCode).toBe(1);
  });
});
