/**
 * `gitops-lab canary` given a file it cannot read: a usage error (exit 2) naming the file, saying what is wrong
 * with it in words (never a bare errno code such as ENOENT) and what to do. No Prometheus is needed: the files
 * are read before anything is asked of one.
 */
import { mkdir, writeFile } from 'node:fs/promises';
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

  it('canary compare --canary-file FOLDER / --baseline-file FOLDER says it is a folder, not that it is missing', async () => {
    const cwd = await tempDir('canary-errors-');
    await mkdir(join(cwd, 'series'));
    await writeFile(join(cwd, 'baseline.json'), '[0.9, 0.95, 0.97]');
    const canary = await runCli(
      ['canary', 'compare', '--canary-file', 'series', '--baseline-file', 'baseline.json'],
      { cwd },
    );
    expect(canary.code).toBe(2);
    expect(canary.stderr).toContain('error: Cannot read --canary-file series: it is a folder, not a file.');
    expect(canary.stderr).toContain('hint: Pass --canary-file a JSON file holding an array of numbers');
    expect(canary.stderr).not.toContain('no such file');
    expect(canary.stderr).not.toMatch(errnoCode);
    const baseline = await runCli(
      ['canary', 'compare', '--canary-file', 'baseline.json', '--baseline-file', 'series'],
      { cwd },
    );
    expect(baseline.code).toBe(2);
    expect(baseline.stderr).toContain(
      'error: Cannot read --baseline-file series: it is a folder, not a file.',
    );
    expect(baseline.stdout).toBe('');
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
