import type { Command } from 'commander';
import { NotAvailableError } from '../../errors.js';

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('replay the eval cases against the doc-QA service, score them and apply the quality gates')
    .option('--target <url>', 'replay against a running service instead of in-process')
    .option('--cases <path>', 'a case file or folder', 'evals/cases')
    .option('--corpus <dir>', 'serve another corpus in-process')
    .option('--mode <mode>', 'extractive or generative')
    .option('--concurrency <n>', 'requests in flight', '8')
    .option('--gates <file>', 'quality gates', 'evals/gates.yaml')
    .option('--json <file>', 'write the full result as JSON')
    .option('--junit <file>', 'write JUnit XML, one testcase per case')
    .option('--markdown <file>', 'write a summary fit for a pull-request comment')
    .option('--baseline <file>', 'a previous --json result: list regressions and improvements')
    .option('--filter <text>', 'only cases whose id, question or tags contain this text')
    .option('--repeat <n>', 'run every case n times', '1')
    .addHelpText(
      'after',
      '\nExamples:\n  $ gitops-lab eval\n  $ gitops-lab eval --target http://127.0.0.1:8080 --junit eval.xml\n  $ gitops-lab eval --json now.json --baseline before.json',
    )
    .action(async () => {
      throw new NotAvailableError('eval');
    });
}
