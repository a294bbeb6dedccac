/**
 * Every external program the lab runs (kind, kubectl, docker, git) goes through a Runner, so each call can be
 * run (execa), planned (--dry-run: read-only calls still run, changing calls are only listed) or recorded (tests).
 *
 *   const runner = createRunner({ mode: 'run' });
 *   const { stdout } = await runner.run({ program: 'kind', args: ['get', 'clusters'], readOnly: true });
 *   runner.commands   // every command seen, in order, with whether it ran or was only planned
 */

import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { LabError, PreconditionError } from '../../errors.js';

export interface Command {
  program: string;
  args: string[];
  /** Text written to the program's stdin. */
  input?: string;
  cwd?: string;
  /** Extra environment variables (merged over the current environment). */
  env?: Record<string, string>;
  timeoutMs?: number;
  /** The command only reads state (e.g. `kind get clusters`): it runs even in plan mode. */
  readOnly?: boolean;
  /** A non-zero exit is a result, not an error (e.g. `docker image inspect` of an image that is not there). */
  allowFailure?: boolean;
  /** Hide these strings (tokens) wherever the command is shown. */
  secrets?: string[];
}

export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** True when the command was not run because the runner only plans. */
  planned: boolean;
}

export interface RecordedCommand {
  command: Command;
  /** The command as a person would type it, secrets masked. */
  line: string;
  planned: boolean;
  exitCode?: number;
}

export type RunnerMode = 'run' | 'plan';

export interface Runner {
  readonly mode: RunnerMode;
  /** Every command seen, in order. */
  readonly commands: RecordedCommand[];
  run(command: Command, options?: { signal?: AbortSignal }): Promise<CommandResult>;
  /** The full path of a program on PATH, or undefined. */
  which(program: string): Promise<string | undefined>;
}

/** A program the lab needs is not installed. */
export class ToolMissingError extends PreconditionError {
  constructor(
    readonly program: string,
    hint = installHint(program),
  ) {
    super(`\`${program}\` was not found on PATH.`, { hint });
  }
}

/** A program exited non-zero. */
export class ToolError extends LabError {
  constructor(
    readonly line: string,
    readonly programExitCode: number,
    readonly stderr: string,
  ) {
    const tail = stderr.trim().split('\n').slice(-3).join(' | ');
    super(`\`${line}\` failed with exit code ${programExitCode}${tail ? `: ${tail}` : ''}.`, 1, {
      hint: 'Fix what the program reported above, then run the same command again; finished steps are skipped.',
    });
  }
}

const installHints: Record<string, string> = {
  docker:
    'Install Docker Desktop (macOS/Windows) or Docker Engine (Linux): https://docs.docker.com/get-docker/',
  kind: 'Install kind: `go install sigs.k8s.io/kind@v0.29.0`, `brew install kind`, or a release binary from https://kind.sigs.k8s.io/docs/user/quick-start/#installation',
  kubectl: 'Install kubectl: https://kubernetes.io/docs/tasks/tools/ (or `brew install kubectl`)',
  git: 'Install git: https://git-scm.com/downloads (Debian/Ubuntu: `sudo apt-get install git`)',
};

export function installHint(program: string): string {
  return installHints[program] ?? `Install \`${program}\` and make sure it is on PATH.`;
}

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The command line as a person would type it; secrets masked. */
export function formatCommand(command: Command): string {
  let line = [command.program, ...command.args].map(quote).join(' ');
  if (command.input !== undefined) line += ' <<stdin';
  for (const secret of command.secrets ?? []) if (secret) line = line.split(secret).join('***');
  return line;
}

export async function which(program: string, path = process.env.PATH ?? ''): Promise<string | undefined> {
  if (program.includes('/')) return (await isExecutable(program)) ? program : undefined;
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, program);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface RunnerOptions {
  mode?: RunnerMode;
  /** Called after each command (for --json events and logs). */
  onCommand?: (recorded: RecordedCommand) => void;
}

class ExecaRunner implements Runner {
  readonly commands: RecordedCommand[] = [];
  readonly mode: RunnerMode;

  constructor(private readonly options: RunnerOptions) {
    this.mode = options.mode ?? 'run';
  }

  which(program: string): Promise<string | undefined> {
    return which(program);
  }

  async run(command: Command, options: { signal?: AbortSignal } = {}): Promise<CommandResult> {
    const line = formatCommand(command);
    if (this.mode === 'plan' && !command.readOnly) {
      const recorded = { command, line, planned: true };
      this.commands.push(recorded);
      this.options.onCommand?.(recorded);
      return { exitCode: 0, stdout: '', stderr: '', planned: true };
    }
    const { execa } = await import('execa');
    const result = await execa(command.program, command.args, {
      ...(command.input !== undefined ? { input: command.input } : { stdin: 'ignore' }),
      cwd: command.cwd,
      env: command.env,
      timeout: command.timeoutMs,
      cancelSignal: options.signal,
      reject: false,
      stripFinalNewline: false,
      maxBuffer: 256 * 1024 * 1024,
    });
    const recorded: RecordedCommand = { command, line, planned: false, exitCode: result.exitCode ?? -1 };
    this.commands.push(recorded);
    this.options.onCommand?.(recorded);
    const stdout = String(result.stdout ?? '');
    const stderr = String(result.stderr ?? '');
    if (result.isCanceled)
      throw new LabError(`\`${line}\` was interrupted.`, 130, {
        hint: 'Run the same command again to resume.',
      });
    if ((result as { code?: string }).code === 'ENOENT') throw new ToolMissingError(command.program);
    if (result.timedOut)
      throw new LabError(
        `\`${line}\` did not finish within ${Math.round((command.timeoutMs ?? 0) / 1000)}s.`,
        1,
        {
          hint: 'Is Docker overloaded or the network slow? Run again to resume.',
        },
      );
    const exitCode = result.exitCode ?? -1;
    if (exitCode !== 0 && !command.allowFailure) throw new ToolError(line, exitCode, stderr);
    return { exitCode, stdout, stderr, planned: false };
  }
}

export function createRunner(options: RunnerOptions = {}): Runner {
  return new ExecaRunner(options);
}

/**
 * A runner for unit tests that never starts a process: `respond` decides each command's result.
 * The fake executables in tests/support/fake-bin are the end-to-end alternative.
 */
export function createRecordingRunner(
  respond: (command: Command) => Partial<CommandResult> | undefined = () => undefined,
  mode: RunnerMode = 'run',
): Runner {
  const commands: RecordedCommand[] = [];
  return {
    mode,
    commands,
    async which(program) {
      return `/fake/bin/${program}`;
    },
    async run(command) {
      const line = formatCommand(command);
      if (mode === 'plan' && !command.readOnly) {
        commands.push({ command, line, planned: true });
        return { exitCode: 0, stdout: '', stderr: '', planned: true };
      }
      const result = { exitCode: 0, stdout: '', stderr: '', planned: false, ...respond(command) };
      commands.push({ command, line, planned: false, exitCode: result.exitCode });
      if (result.exitCode !== 0 && !command.allowFailure)
        throw new ToolError(line, result.exitCode, result.stderr);
      return result;
    },
  };
}
