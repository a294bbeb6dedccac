import { randomBytes } from 'node:crypto';
import { chmod, mkdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface WriteFileAtomicOptions {
  /** Create the file's folder first (default false). */
  createFolder?: boolean;
  /** Permission bits of the file (default: the original's, else 0666 less the umask). */
  mode?: number;
}

/**
 * Replaces a file's content in one step, so a reader never sees half a file and a failure leaves the old one
 * intact: writes a temporary file beside it (same folder, so the rename is atomic on one filesystem), keeps
 * the original's permission bits, then renames it over the original. The temporary file is removed on failure.
 */
export async function writeFileAtomic(
  path: string,
  content: string,
  options: WriteFileAtomicOptions = {},
): Promise<void> {
  if (options.createFolder) await mkdir(dirname(path), { recursive: true });
  const temporary = join(
    dirname(path),
    `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  const mode =
    options.mode ??
    (await stat(path).then(
      (info) => info.mode & 0o777,
      () => undefined,
    ));
  try {
    await writeFile(temporary, content, { encoding: 'utf8', mode, flag: 'wx' });
    // writeFile's mode is filtered by the umask; an explicit mode is meant exactly.
    if (options.mode !== undefined) await chmod(temporary, options.mode);
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}
