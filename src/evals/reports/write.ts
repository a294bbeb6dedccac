/**
 * Writing report files atomically: the content goes to a temporary file beside the destination, which is
 * then renamed over it, so a reader never sees half a report and a failed run leaves the old one intact.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UsageError } from '../../errors.js';

export async function writeFileAtomic(file: string, content: string, flag: string): Promise<void> {
  const dir = dirname(file);
  const temp = join(dir, `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(temp, content, 'utf8');
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => {});
    throw new UsageError(`Cannot write ${flag} ${file}: ${(error as Error).message}.`, {
      hint: `Check that the folder of ${flag} exists and is writable.`,
      cause: error,
    });
  }
}
