import type { Command } from 'commander';
import { NotAvailableError } from '../../errors.js';

export function registerDown(program: Command): void {
  program
    .command('down')
    .description('delete the lab cluster and local lab state')
    .option('--yes', 'do not ask for confirmation')
    .option('--context <name>', 'remove only what `up` installed into this existing context')
    .addHelpText('after', '\nExamples:\n  $ gitops-lab down\n  $ gitops-lab down --yes')
    .action(async () => {
      throw new NotAvailableError('down');
    });
}
