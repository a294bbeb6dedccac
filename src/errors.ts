/**
 * Typed errors shared by the CLI and the domain (lab, evals). Each carries the exit code the CLI sets and,
 * where it helps, a hint saying what to do. The CLI catches them once, at the top (src/cli/main.ts).
 */
export const ExitCode = {
  ok: 0,
  failed: 1,
  usage: 2,
  inconclusive: 2,
  precondition: 3,
} as const;

export interface LabErrorOptions {
  /** What the person can do about it, one sentence. */
  hint?: string;
  cause?: unknown;
}

export class LabError extends Error {
  readonly exitCode: number;
  readonly hint?: string;

  constructor(message: string, exitCode: number = ExitCode.failed, options: LabErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = exitCode;
    this.hint = options.hint;
  }
}

/** Bad flags, arguments or input files: exit 2. */
export class UsageError extends LabError {
  constructor(message: string, options: LabErrorOptions = {}) {
    super(message, ExitCode.usage, options);
  }
}

/** Something the command needs is missing (a tool, a running lab): exit 3. */
export class PreconditionError extends LabError {
  constructor(message: string, options: LabErrorOptions = {}) {
    super(message, ExitCode.precondition, options);
  }
}

export function isLabError(error: unknown): error is LabError {
  return error instanceof LabError;
}

/**
 * Why a file-system call on a path the person gave failed, in words rather than an errno code: "it does not
 * exist", "it is a folder, not a file"... `expected` is what the path should be (a file to read, a folder to list).
 */
export function fileProblem(error: unknown, expected: 'file' | 'folder' = 'file'): string {
  switch ((error as NodeJS.ErrnoException | undefined)?.code) {
    case 'ENOENT':
      return 'it does not exist';
    case 'EISDIR':
      return 'it is a folder, not a file';
    case 'ENOTDIR':
      return expected === 'folder' ? 'it is not a folder' : 'a part of its path is a file, not a folder';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ELOOP':
      return 'its symbolic links go round in a loop';
    case 'ENAMETOOLONG':
      return 'the path is too long';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
