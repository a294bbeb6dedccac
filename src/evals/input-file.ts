import { readFile } from 'node:fs/promises';
import { fileProblem, UsageError } from '../errors.js';

/**
 * Reads a file the person named on the command line. A missing or unreadable file is a UsageError (exit 2)
 * saying `<what> not found: <file>.` or `Cannot read <what> <file>: <reason in words>.`, with the given hint.
 */
export async function readInputFile(file: string, what: string, hint: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    const label = what.charAt(0).toUpperCase() + what.slice(1);
    throw new UsageError(
      missing ? `${label} not found: ${file}.` : `Cannot read ${what} ${file}: ${fileProblem(error)}.`,
      { hint, cause: error },
    );
  }
}
