/**
 * `gitops-lab canary` given a file it cannot read: a usage error (exit 2) naming the file, saying what is wrong
 * with it in words (never a bare errno code such as ENOENT) and what to do. No Prometheus is needed: the files
 * are read before anything is asked of one.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSeriesFile } from '../../src/lab/canary/compare.js';
import { runCli } from '../support/cli.js';
import { tempDirsForEachTest } from '../support/temp-dirs.js';

const tempDir = tempDirsForEachTest();
const errnoCode = /\bE[A-Z]{3,}\b/;
// Nothing listens on port 1: a run that got past the files would fail on Prometheus, not on a file.
const prometheus = ['--prometheus', 'http://127.0.0.1:1'];

describe('canary commands given a file they cannot read', { timeout: 60_000 }, () => {
  it('canary check --template missing.yaml names the file and says how to go on', async () => {
    const cwd = await tempDir('canary-errors-');
    const result = await runCli(['canary', 'check', '--template', 'missing.yaml', ...prometheus], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error: AnalysisTemplate not found: missing.yaml.');
    expect(result.stderr).toContain(
      'hint: Pass --template an AnalysisTemplate YAML file that exists, or leave --template out to use the shipped doc-QA template.',
    );
    expect(result.stderr).not.toMatch(errnoCode);
    expect(result.stdout).toBe('');
  });

  it('canary check --template FOLDER says it is a folder', async () => {
    const cwd = await tempDir('canary-errors-');
    await mkdir(join(cwd, 'templates'));
    const result = await runCli(['canary', 'check', '--template', 'templates', ...prometheus], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'error: Cannot read AnalysisTemplate templates: it is a folder, not a file.',
    );
    expect(result.stderr).not.toMatch(errnoCode);
  });

  it('canary check without --prometheus, where gitops-lab.yaml is not a readable file, names the config', async () => {
    const cwd = await tempDir('canary-errors-');
    await mkdir(join(cwd, 'gitops-lab.yaml'));
    const result = await runCli(['canary', 'check'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `error: Cannot read the lab config ${join(cwd, 'gitops-lab.yaml')}: it is a folder, not a file.`,
    );
    expect(result.stderr).toContain('hint: Make gitops-lab.yaml a readable YAML file');
    expect(result.stderr).not.toMatch(errnoCode);
  });

  it('the series reader says what is wrong with a path it cannot read, in words', async () => {
    const dir = await tempDir('canary-errors-');
    await expect(readSeriesFile(dir, '--baseline-file')).rejects.toThrow(
      `Cannot read --baseline-file ${dir}: it is a folder, not a file.`,
    );
    await expect(readSeriesFile(join(dir, 'none.json'), '--canary-file')).rejects.toThrow(
      `--canary-file not found: ${join(dir, 'none.json')}.`,
    );
  });
});
