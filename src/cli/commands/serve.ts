import type { Command } from 'commander';
import { NotAvailableError } from '../../errors.js';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the doc-QA service (no cluster needed)')
    .option('--port <port>', 'port to listen on', '8080')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--corpus <dir>', 'folder of Markdown documents (default: the bundled lab handbook)')
    .option('--mode <mode>', 'extractive or generative')
    .addHelpText(
      'after',
      '\nExamples:\n  $ gitops-lab serve\n  $ gitops-lab serve --port 9000 --corpus ./docs',
    )
    .action(async () => {
      throw new NotAvailableError('serve');
    });
}
