import type { Command } from 'commander';
import { NotAvailableError } from '../../errors.js';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('Argo CD apps, rollouts, HPAs, unready pods and doc-QA answer quality')
    .option('--json', 'print the status as JSON')
    .option('--watch', 'refresh until interrupted')
    .option('--context <name>', 'kube context of the lab')
    .addHelpText(
      'after',
      '\nExamples:\n  $ gitops-lab status\n  $ gitops-lab status --watch\n  $ gitops-lab status --json',
    )
    .action(async () => {
      throw new NotAvailableError('status');
    });
}
