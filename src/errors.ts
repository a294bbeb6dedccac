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
