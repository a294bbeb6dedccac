/**
 * Writing report files (`--json`, `--junit`, `--markdown`) atomically, so a reader never sees half a report
 * and a failed run leaves the old one intact; a failure names the flag and the file.
 */
import { writeFileAtomic } from '../../atomic-write.js';
import { UsageError } from '../../errors.js';

export async function writeReportFile(file: string, content: string, flag: string): Promise<void> {
  try {
    await writeFileAtomic(file, content, { createFolder: true });
  } catch (error) {
    throw new UsageError(`Cannot write ${flag} ${file}: ${(error as Error).message}.`, {
      hint: `Check that the folder of ${flag} exists and is writable.`,
      cause: error,
    });
  }
}
