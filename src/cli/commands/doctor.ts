import type { Command } from 'commander';

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description(
      'check the tools, Docker, ports and memory the lab needs, and say how to fix what is missing',
    )
    .option('--json', 'print the checks as JSON')
    .option('--context <name>', 'check for an existing cluster instead of a kind one')
    .addHelpText(
      'after',
      `
Examples:
  $ gitops-lab doctor
  $ gitops-lab doctor --json | jq '.findings[] | select(.ok | not)'
  $ gitops-lab doctor --json | jq .modes      which ways to run the lab work here (kind, simulated)

It also says whether the simulated lab (\`up --simulate\`, no Docker) is available, and whether its
Prometheus would be real (Debian's prometheus installed) or simulated.
Exit codes: 0 everything \`up\` needs is there, 3 something is missing (each with how to fix it).`,
    )
    .action(async (options: Record<string, unknown>) => {
      const { run } = await import('../handlers/doctor.js');
      await run(options);
    });
}
