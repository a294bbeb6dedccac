import type { Command } from 'commander';
import { NotAvailableError } from '../../errors.js';
import { collect } from '../validate.js';

export function registerCanary(program: Command): void {
  const canary = program
    .command('canary')
    .description(
      'judge the doc-QA canary on answer quality, as Argo Rollouts (check) and Kayenta (compare) would',
    );
  canary
    .command('check')
    .description("evaluate the AnalysisTemplate's metrics against a Prometheus with Argo Rollouts semantics")
    .option('--prometheus <url>', 'Prometheus base URL')
    .option('--template <file>', 'AnalysisTemplate file (default: the shipped doc-QA template)')
    .option('--arg <name=value>', 'fill {{args.name}}; repeatable', collect, [])
    .option('--watch', 're-evaluate every interval as an AnalysisRun would')
    .option('--json', 'print measurements and verdict as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  $ gitops-lab canary check --prometheus http://127.0.0.1:9090 --arg canary-hash=6d4f9c7b8',
    )
    .action(async () => {
      throw new NotAvailableError('canary check');
    });
  canary
    .command('compare')
    .description('compare canary and baseline series per metric (Mann-Whitney U, as Kayenta judges)')
    .option('--prometheus <url>', 'Prometheus base URL')
    .option('--canary <selector>', 'label selector of the canary')
    .option('--baseline <selector>', 'label selector of the baseline')
    .option('--window <duration>', 'range to compare', '10m')
    .option('--step <duration>', 'range query step', '30s')
    .option('--json', 'print the comparison as JSON')
    .action(async () => {
      throw new NotAvailableError('canary compare');
    });
}
