import type { Command } from 'commander';
import { NotAvailableError } from '../../errors.js';

export function registerUp(program: Command): void {
  program
    .command('up')
    .description(
      'create the lab: preflight, kind cluster, images, Git source, Argo CD, Rollouts, root app; idempotent',
    )
    .option('--context <name>', 'use an existing kube context instead of creating a kind cluster')
    .option('--repo <url>', "use your own fork as the lab's Git source instead of the in-cluster Git server")
    .option('--dry-run', 'print the plan (steps, what would be skipped, exact commands) and change nothing')
    .option('--json', 'emit step events as JSON lines')
    .addHelpText(
      'after',
      '\nExamples:\n  $ gitops-lab up --dry-run\n  $ gitops-lab up\n  $ gitops-lab up --context my-cluster',
    )
    .action(async () => {
      throw new NotAvailableError('up');
    });
}
