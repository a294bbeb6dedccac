import type { Command } from 'commander';
import { NotAvailableError } from '../../errors.js';

export function registerDrill(program: Command): void {
  program
    .command('drill')
    .argument('[name]', 'the drill to run; omit to list the catalogue')
    .description('list the failure drills, or run one: hypothesis → inject → observe → rollback → report')
    .option('--dry-run', 'print every step without touching the lab')
    .option('--json', 'print the catalogue or the run journal as JSON')
    .option('--recover', 'run only the rollback of a drill that was interrupted')
    .addHelpText(
      'after',
      '\nExamples:\n  $ gitops-lab drill\n  $ gitops-lab drill argo-vs-hpa --dry-run\n  $ gitops-lab drill argo-vs-hpa\n  $ gitops-lab drill bad-canary --recover',
    )
    .action(async () => {
      throw new NotAvailableError('drill');
    });
}
