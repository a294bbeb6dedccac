/**
 * The gitops-lab CLI: builds the commander program, runs it, and turns any error into one clear sentence
 * (plus a hint) and an exit code. This is the only place errors are caught for presentation.
 * Keep this module light: command handlers and heavy libraries are imported lazily by each command.
 */
import { Command, CommanderError } from 'commander';
import { isLabError } from '../errors.js';
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
  try {
    await program.parseAsync(argv);
  } catch (error) {
    process.exitCode = reportError(error, debug);
  }
}

/** Prints an error the way the CLI promises (one sentence, a hint, a stack only with --debug); returns the exit code. */
export function reportError(
  error: unknown,
  debug: boolean,
  stderr: NodeJS.WritableStream = process.stderr,
): number {
  if (error instanceof CommanderError) {
    // Commander has already printed its message (or the help/version text).
    if (
      error.code === 'commander.helpDisplayed' ||
      error.code === 'commander.version' ||
      error.code === 'commander.help'
    ) {
      return 0;
    }
    return error.exitCode === 0 ? 0 : 2;
  }
  if (isLabError(error)) {
    stderr.write(`${paint('red', 'error:', process.stderr)} ${error.message}\n`);
    if (error.hint) stderr.write(`${paint('yellow', 'hint:', process.stderr)} ${error.hint}\n`);
    if (debug && error.stack) stderr.write(`${error.stack}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  stderr.write(`${paint('red', 'error:', process.stderr)} unexpected failure: ${message}\n`);
  if (debug && error instanceof Error && error.stack) {
    stderr.write(`${error.stack}\n`);
  } else {
    stderr.write('hint: run again with --debug for the stack trace, and report it if it looks like a bug.\n');
  }
  return 1;
}
