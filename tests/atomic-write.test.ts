import { chmod, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../src/atomic-write.js';
import { tempDirsForEachTest } from './support/temp-dirs.js';

const tempDir = tempDirsForEachTest();

describe('writeFileAtomic', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir('gitops-lab-atomic-');
  });

  it('replaces the content and keeps the permission bits of the file it replaces', async () => {
    const file = join(dir, 'script.sh');
    await writeFile(file, 'old');
    await chmod(file, 0o750);
    await writeFileAtomic(file, 'new');
    expect(await readFile(file, 'utf8')).toBe('new');
    expect((await stat(file)).mode & 0o777).toBe(0o750);
    expect(await readdir(dir)).toEqual(['script.sh']);
  });

  it('creates the folder only when asked', async () => {
    const file = join(dir, 'a', 'b', 'report.md');
    await expect(writeFileAtomic(file, 'x')).rejects.toThrow(/ENOENT/);
    await writeFileAtomic(file, 'x', { createFolder: true });
    expect(await readFile(file, 'utf8')).toBe('x');
  });

  it('leaves the old file and no temporary file behind when the write fails', async () => {
    const target = join(dir, 'taken');
    await writeFile(join(dir, 'keep.txt'), 'kept');
    // A non-empty folder where the file should go: the rename fails after the temporary file was written.
    await mkdir(target);
    await writeFile(join(target, 'inside'), 'x');
    await expect(writeFileAtomic(target, 'content')).rejects.toThrow();
    expect((await readdir(dir)).sort()).toEqual(['keep.txt', 'taken']);
    expect(await readFile(join(dir, 'keep.txt'), 'utf8')).toBe('kept');
  });
});
