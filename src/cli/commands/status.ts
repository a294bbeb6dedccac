import type { Command } from 'commander';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('Argo CD apps, rollouts, HPAs, unready pods and doc-QA answer quality')
    .option('--json', 'print the status as JSON (one object per refresh with --watch)')
    .option('--watch', 'refresh until interrupted')
    .option(
      '--interval <seconds>',
      "seconds between refreshes with --watch (the simulated lab's simulated seconds)",
      '5',
    )
    .option(
      '--context <name>',
      'kube context of the lab (default: gitops-lab-sim when it is the current context, else the kind cluster `up` created)',
    )
    .option(
      '--prometheus <url>',
      "Prometheus for the quality figures (default: the lab's: the simulated lab's, else http://127.0.0.1:9090)",
    )
    .addHelpText(
      'after',
      `
Examples:
  $ gitops-lab status
  $ gitops-lab status --watch
  $ gitops-lab status --json | jq '.apps[] | select(.health != "Healthy")'
  $ gitops-lab status --json | jq '.apps[] | select(.outOfSync) | {name, outOfSync}'

Exit codes: 0 healthy, or progressing (a change such as a canary under way), 1 degraded (the problems are listed),
3 no lab found (run \`gitops-lab up\`).`,
    )
    .action(async (options: Record<string, unknown>) => {
      const { run } = await import('../handlers/status.js');
      await run(options);
    });
}
