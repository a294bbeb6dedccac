import type { Command } from 'commander';

export function registerDown(program: Command): void {
  program
    .command('down')
    .description('delete the lab cluster and local lab state; stop the simulated lab')
    .option('--yes', 'do not ask for confirmation (needed when not on a terminal)')
    .option('--context <name>', 'remove only what `up` installed into this existing context')
    .option('--simulate', 'stop only the simulated lab (`up --simulate`) and remove its context and state')
    .option('--json', 'print what was removed as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ gitops-lab down
  $ gitops-lab down --yes
  $ gitops-lab down --context my-cluster --yes   remove only what \`up --context my-cluster\` applied
  $ gitops-lab down --simulate              stop the simulated lab only (a plain \`down\` stops it too)

The simulated lab is stopped without asking (SIGTERM, then SIGKILL if it does not stop); its context
gitops-lab-sim is removed from the kubeconfig, other contexts are left as they are.
Exit codes: 0 removed (or nothing to remove), 1 failed, 2 not confirmed.`,
    )
    .action(async (options: Record<string, unknown>) => {
      const { run } = await import('../handlers/down.js');
      await run(options);
    });
}
