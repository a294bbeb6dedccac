import type { Command } from 'commander';
import { NotAvailableError } from '../../errors.js';

export function registerPin(program: Command): void {
  program
    .command('pin')
    .description('pin the doc-QA image to a digest in manifests/, optionally committing the change')
    .option('--image <name>', 'image name, e.g. ghcr.io/acme/docqa')
    .option('--digest <sha256>', 'sha256:<64 hex>')
    .option('--commit', 'commit only this change')
    .option('--dry-run', 'show the change without writing it')
    .addHelpText(
      'after',
      '\nExamples:\n  $ gitops-lab pin --image ghcr.io/acme/docqa --digest sha256:… --commit',
    )
    .action(async () => {
      throw new NotAvailableError('pin');
    });
}
