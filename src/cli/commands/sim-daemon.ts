import type { Command } from 'commander';

/** The simulated lab's daemon: hidden, `up --simulate` starts it in the background (src/lab/simulate/lifecycle.ts). */
export function registerSimDaemon(program: Command): void {
  program
    .command('sim-daemon', { hidden: true })
    .description('run the simulated lab in the foreground (what `up --simulate` starts in the background)')
    .option('--speed <n>', 'simulated time runs N times the wall clock', '1')
    .option('--kubeconfig <file>', 'the kubeconfig file to merge the gitops-lab-sim context into')
    .addHelpText(
      'after',
      `
Examples:
  $ gitops-lab up --simulate     starts this daemon in the background; run it directly only to debug it

Stops on SIGTERM or SIGINT (\`gitops-lab down\` sends SIGTERM).`,
    )
    .action(async (options: Record<string, unknown>) => {
      const { run } = await import('../handlers/sim-daemon.js');
      await run(options);
    });
}
