import type { Command } from 'commander';
import { NotAvailableError } from '../../errors.js';

export function registerLint(program: Command): void {
  program
    .command('lint')
    .argument('[dir]', 'the GitOps repository to check', 'manifests')
    .description('schema, app-of-apps graph, ownership, reference and policy rules over the manifests')
    .option('--json', 'print findings as JSON')
    .addHelpText('after', '\nExamples:\n  $ gitops-lab lint\n  $ gitops-lab lint ./my-fork/manifests --json')
    .action(async () => {
      throw new NotAvailableError('lint');
    });
}
