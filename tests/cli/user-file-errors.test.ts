/**
 * Commands that read a file or folder the person names: one that cannot be read is a usage error (exit 2)
 * naming it and saying what is wrong in words, never a bare errno code (ENOENT, ENOTDIR, EISDIR) or a stack.
 * The canary commands have their own file: tests/cli/canary-errors.test.ts.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { tempDirsForEachTest } from '../support/temp-dirs.js';

const tempDir = tempDirsForEachTest();
const errnoCode = /\bE[A-Z]{3,}\b/;
const digest = `sha256:${'a'.repeat(64)}`;

describe('a file or folder the command cannot read', { timeout: 60_000 }, () => {
  it.each([
    [['--drills', 'missing'], 'error: cannot read the drill catalogue missing: it does not exist.'],
    [['--drills', 'notes.txt'], 'error: cannot read the drill catalogue notes.txt: it is not a folder.'],
  ])('drill %j', async (args, message) => {
    const cwd = await tempDir('file-errors-');
    await writeFile(join(cwd, 'notes.txt'), 'not a folder\n');
    const result = await runCli(['drill', ...args], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('hint: Pass --drills DIR pointing at a folder of drill YAML files.');
    expect(result.stderr).not.toMatch(errnoCode);
  });

  it('drill FILE.yaml that is a folder', async () => {
    const cwd = await tempDir('file-errors-');
    await mkdir(join(cwd, 'mine.yaml'));
    const result = await runCli(['drill', 'mine.yaml', '--dry-run'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error: cannot read drill file mine.yaml: it is a folder, not a file.');
    expect(result.stderr).not.toMatch(errnoCode);
  });

  it('pin --file through a path whose folder is a file', async () => {
    const cwd = await tempDir('file-errors-');
    await writeFile(join(cwd, 'manifests'), 'a file, not a folder\n');
    const result = await runCli(
      [
        'pin',
        '--image',
        'ghcr.io/gitops-lab/docqa',
        '--digest',
        digest,
        '--file',
        'manifests/kustomization.yaml',
      ],
      { cwd },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /error: --file: \S*manifests\/kustomization\.yaml cannot be read: a part of its path is a file, not a folder\./,
    );
    expect(result.stderr).not.toMatch(errnoCode);
  });

  it.each([
    ['--gates', 'gates file'],
    ['--baseline', 'baseline file'],
  ])('eval %s FOLDER', async (flag, what) => {
    const cwd = await tempDir('file-errors-');
    await mkdir(join(cwd, 'dir'));
    const result = await runCli(['eval', flag, 'dir'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`error: Cannot read ${what} dir: it is a folder, not a file.`);
    expect(result.stderr).not.toMatch(errnoCode);
  });
});
