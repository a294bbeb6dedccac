/**
 * The gitops-lab CLI: builds the commander program, runs it, and turns any error into one clear sentence
 * (plus a hint) and an exit code. This is the only place errors are caught for presentation.
 * Keep this module light: command handlers and heavy libraries are imported lazily by each command.
 */
import { Command, CommanderError } from 'commander';
import { ExitCode, isLabError } from '../errors.js';
import { registerCommands } from './commands/index.js';
import { paint } from './output.js';
import { version } from './version.js';

export function buildProgram(): Command {
  const program = new Command('gitops-lab')
    .description(
      'A local GitOps and AI-reliability lab: kind + Argo CD + Argo Rollouts, a doc-QA service judged by answer quality, drills, evals and a canary judge.',
    )
    .version(version(), '-v, --version')
    .option('--debug', 'print stack traces and extra diagnostics on errors')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureHelp({ sortSubcommands: false, showGlobalOptions: true })
    .addHelpText(
      'after',
      `
Examples:
  $ gitops-lab doctor              check Docker, kind and kubectl before anything else
  $ gitops-lab up                  create the lab (kind cluster, Argo CD, Rollouts, apps)
  $ gitops-lab serve               run the doc-QA service locally on :8080, no cluster needed
  $ gitops-lab eval                replay the eval suite against the in-process service
  $ gitops-lab drill argo-vs-hpa   watch Argo CD and an HPA fight over replicas, then fix it

Exit codes: 0 ok, 1 failed, 2 usage error or inconclusive, 3 precondition not met.`,
    );
  registerCommands(program);
  // Subcommands inherit exitOverride so commander never calls process.exit itself.
  for (const command of program.commands) {
    command.exitOverride();
    for (const sub of command.commands) sub.exitOverride();
  }
  return program;
}

/**
 * A reader that stops early (`gitops-lab status | head`) closes the pipe; that is not an error of ours.
 * Later writes to the closed stream are dropped instead of crashing the process with EPIPE.
 */
function tolerateClosedPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
  }
}

export async function main(argv: string[] = process.argv): Promise<void> {
  tolerateClosedPipes();
  const debug = argv.includes('--debug') || process.env.GITOPS_LAB_DEBUG === '1';
  const program = buildProgram();
  // The parsed --json of the command that runs (true, or eval's file name / "-"); undefined until parsed.
  let json: unknown;
  let commandPath: string[] = [];
  program.hook('preAction', (_program, action) => {
    json = action.opts().json;
    for (let c: Command | null = action; c?.parent; c = c.parent) commandPath.unshift(c.name());
  });
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (commandPath.length === 0) commandPath = commandNames(program, argv.slice(2));
    const jsonOnStdout =
      json === undefined ? jsonRequested(argv.slice(2), commandPath) : json === true || json === '-';
    process.exitCode = reportError(error, debug, process.stderr, jsonOnStdout ? process.stdout : undefined);
  }
}

/** The subcommand names at the start of `args` (`canary check`), as far as the program knows them. */
function commandNames(program: Command, args: string[]): string[] {
  const names: string[] = [];
  let command: Command | undefined = program;
  for (const arg of args) {
    command = command?.commands.find((c) => c.name() === arg || c.aliases().includes(arg));
    if (!command) break;
    names.push(command.name());
  }
  return names;
}

/**
 * Whether `args` ask for JSON on stdout, read from the raw arguments when commander stopped before parsing
 * them (a bad flag). `--json` is a switch everywhere except eval, where it takes a file ("-" is stdout).
 */
export function jsonRequested(args: string[], commandPath: string[]): boolean {
  const at = args.indexOf('--json');
  if (at === -1) return args.includes('--json=-');
  if (commandPath[0] !== 'eval') return true;
  return args[at + 1] === '-';
}

/** A stable, machine-readable name for what went wrong, from the error's class and exit code. */
function errorCode(error: unknown): string {
  if (error instanceof CommanderError) return 'usage';
  if (!isLabError(error)) return 'unexpected';
  if (error.exitCode === ExitCode.usage) return 'usage';
  if (error.exitCode === ExitCode.precondition) return 'precondition';
  return 'failed';
}

/**
 * Prints an error the way the CLI promises (one sentence, a hint, a stack only with --debug); returns the exit
 * code. With `jsonOut` (the command was run with --json) the same error also goes there as one JSON document,
 * `{"type":"error","error":{"code","message","hint","exitCode"}}`, so a pipe into a JSON reader never gets nothing.
 */
export function reportError(
  error: unknown,
  debug: boolean,
  stderr: NodeJS.WritableStream = process.stderr,
  jsonOut?: NodeJS.WritableStream,
): number {
  const { exitCode, message, hint } = present(error, debug, stderr);
  if (jsonOut && message !== undefined) {
    jsonOut.write(
      `${JSON.stringify({ type: 'error', error: { code: errorCode(error), message, hint: hint ?? helpHint, exitCode } })}\n`,
    );
  }
  return exitCode;
}

const helpHint = 'Run the command with --help for its options and examples.';

function present(
  error: unknown,
  debug: boolean,
  stderr: NodeJS.WritableStream,
): { exitCode: number; message?: string; hint?: string } {
  if (error instanceof CommanderError) {
    // Commander has already printed its message (or the help/version text).
    if (
      error.code === 'commander.helpDisplayed' ||
      error.code === 'commander.version' ||
      error.code === 'commander.help'
    ) {
      return { exitCode: 0 };
    }
    if (error.exitCode === 0) return { exitCode: 0 };
    return {
      exitCode: 2,
      message: `${error.message.replace(/^error: /, '').replace(/\.?$/, '.')}`,
      hint: helpHint,
    };
  }
  if (isLabError(error)) {
    stderr.write(`${paint('red', 'error:', process.stderr)} ${error.message}\n`);
    if (error.hint) stderr.write(`${paint('yellow', 'hint:', process.stderr)} ${error.hint}\n`);
    if (debug && error.stack) stderr.write(`${error.stack}\n`);
    return { exitCode: error.exitCode, message: error.message, hint: error.hint };
  }
  const message = error instanceof Error ? error.message : String(error);
  const hint = 'Run again with --debug for the stack trace, and report it if it looks like a bug.';
  stderr.write(`${paint('red', 'error:', process.stderr)} unexpected failure: ${message}\n`);
  if (debug && error instanceof Error && error.stack) {
    stderr.write(`${error.stack}\n`);
  } else {
    stderr.write(`hint: ${hint.charAt(0).toLowerCase()}${hint.slice(1)}\n`);
  }
  return { exitCode: 1, message: `Unexpected failure: ${message}`, hint };
}
