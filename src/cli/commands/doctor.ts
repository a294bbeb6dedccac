import type { Command } from 'commander';
import { NotAvailableError } from '../../errors.js';

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description(
      'check the tools, Docker, ports and memory the lab needs, and say how to fix what is missing',
    )
    .option('--json', 'print the checks as JSON')
    .addHelpText('after', '\nExamples:\n  $ gitops-lab doctor\n  $ gitops-lab doctor --json')
    .action(async () => {
      throw new NotAvailableError('doctor');
    });
}
