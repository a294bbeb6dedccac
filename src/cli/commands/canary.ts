import type { Command } from 'commander';
import { collect } from '../validate.js';

export function registerCanary(program: Command): void {
  const canary = program
    .command('canary')
    .description(
      'judge the doc-QA canary on answer quality, as Argo Rollouts (check) and Kayenta (compare) would',
    )
    .addHelpText(
      'after',
      `
Examples:
  $ gitops-lab canary check                 the lab's running canary, judged by the AnalysisTemplate
  $ gitops-lab canary compare               the lab's running canary against its stable pods
  $ gitops-lab canary check --prometheus http://127.0.0.1:9090 --arg canary-hash=6d4f9c7b8
  $ gitops-lab canary compare --canary 6d4f9c7b8 --baseline 59b7d8c4f
  $ gitops-lab canary compare --canary-file canary.json --baseline-file baseline.json --direction increase

Without --prometheus both use the simulated lab's Prometheus when the kube context is gitops-lab-sim
(\`gitops-lab up --simulate\`), else port-forward to the lab's Prometheus (kube context: --context, else the lab's).
Run \`gitops-lab canary check --help\` or \`gitops-lab canary compare --help\` for every option.`,
    );
  canary
    .command('check')
    .description("evaluate the AnalysisTemplate's metrics against a Prometheus with Argo Rollouts semantics")
    .option(
      '--prometheus <url>',
      "Prometheus base URL (default: the simulated lab's, else the lab's Prometheus through a port-forward)",
    )
    .option(
      '--context <name>',
      'kube context of the lab (default: gitops-lab-sim when it is the current context, else kind-<cluster name>)',
    )
    .option('--template <file>', 'AnalysisTemplate file (default: the shipped doc-QA template)')
    .option('--arg <name=value>', 'fill {{args.name}}; repeatable', collect)
    .option(
      '--rollout <namespace/name>',
      'the Rollout to read missing arguments from, when several run the template',
    )
    .option(
      '--watch',
      're-evaluate as an AnalysisRun would (interval, count, failureLimit, inconclusiveLimit)',
    )
    .option(
      '--run-jobs',
      'run job metrics (the eval replay) and call web metrics here, against --target, instead of skipping them',
    )
    .option('--target <url>', 'the service --run-jobs points job commands at')
    .option('--json', 'print measurements and verdict as JSON')
    .addHelpText(
      'after',
      `
An argument that neither --arg nor the template gives (the shipped template's canary-hash) is read from the
lab's Rollout that runs the template, as Argo Rollouts passes it to the AnalysisRun: podTemplateHashValue Latest
is the newest ReplicaSet's hash, Stable the stable one's.

Exit codes: 0 Successful, 1 Failed, 2 Inconclusive or Error (also when Prometheus is unreachable).

Examples:
  $ gitops-lab canary check                 the lab's running canary (canary-hash from its Rollout)
  $ gitops-lab canary check --prometheus http://127.0.0.1:9090 --arg canary-hash=6d4f9c7b8
  $ gitops-lab canary check --arg canary-hash=6d4f9c7b8 --watch
  $ gitops-lab canary check --prometheus http://127.0.0.1:9090 --arg canary-hash=canary1 \\
      --run-jobs --target http://127.0.0.1:8080 --json`,
    )
    .action(async (opts: Record<string, unknown>) => {
      const { run } = await import('../handlers/canary-check.js');
      await run(opts);
    });
  canary
    .command('compare')
    .description('compare canary and baseline series per metric (Mann-Whitney U, as Kayenta judges)')
    .option(
      '--prometheus <url>',
      "Prometheus base URL (default: the simulated lab's, else the lab's Prometheus through a port-forward)",
    )
    .option(
      '--context <name>',
      'kube context of the lab (default: gitops-lab-sim when it is the current context, else kind-<cluster name>)',
    )
    .option(
      '--canary <selector>',
      'label matchers of the canary, e.g. rollouts_pod_template_hash="abc" (or just the hash)',
    )
    .option('--baseline <selector>', 'label matchers of the baseline (or just its hash)')
    .option(
      '--rollout <namespace/name>',
      'without --canary/--baseline: the Rollout whose canary and stable pods are compared, when several run the template',
    )
    .option('--window <duration>', 'range to compare, ending now', '10m')
    .option('--step <duration>', 'range query step', '30s')
    .option(
      '--template <file>',
      'AnalysisTemplate whose prometheus metrics are compared (default: the shipped one)',
    )
    .option('--arg <name=value>', 'fill {{args.name}} not set by the selectors; repeatable', collect)
    .option('--query <promql>', 'compare this one query instead of the template metrics')
    .option('--canary-file <file>', 'offline: a JSON array of numbers for the canary')
    .option('--baseline-file <file>', 'offline: a JSON array of numbers for the baseline')
    .option(
      '--direction <[metric=]dir>',
      'bad direction: increase, decrease or either; per metric or for all; repeatable (default: read from the template conditions)',
      collect,
    )
    .option(
      '--weight <metric=n>',
      'weight of a metric in the score, over the template annotation canary.gitops-lab.io/metric-weights; repeatable (default 1)',
      collect,
    )
    .option(
      '--critical <metric>',
      'also treat this metric as critical (High, Low or no data fails the comparison alone), in addition to the template annotation canary.gitops-lab.io/critical-metrics; repeatable',
      collect,
    )
    .option('--confidence <p>', 'confidence of the shift interval', '0.98')
    .option('--tolerance <f>', 'tolerance band as a fraction of the shift estimate', '0.25')
    .option('--allowed-increase <ratio>', 'High needs canary/baseline mean ratio at least this', '1')
    .option('--allowed-decrease <ratio>', 'Low needs canary/baseline mean ratio at most this', '1')
    .option('--pass-score <n>', 'score at or above which the verdict is pass', '95')
    .option('--marginal-score <n>', 'score at or above which the verdict is marginal', '75')
    .option('--json', 'print the comparison as JSON')
    .addHelpText(
      'after',
      `
Without --canary and --baseline it compares the lab's running canary with its stable pods: the hashes of the
newest and the stable ReplicaSet of the Rollout that runs the template (exit 3 when no canary is in progress).

Exit codes: 0 pass, 1 fail, 2 marginal (or a usage error), 3 no canary in progress.
The shipped template marks grounded-ratio critical (annotation canary.gitops-lab.io/critical-metrics),
so a canary whose grounded ratio is Low fails whatever the other metrics say.

Examples:
  $ gitops-lab canary compare               the lab's running canary against its stable pods
  $ gitops-lab canary compare --prometheus http://127.0.0.1:9090 --canary 6d4f9c7b8 --baseline 59b7d8c4f
  $ gitops-lab canary compare --canary 6d4f9c7b8 --baseline 59b7d8c4f --critical error-ratio
  $ gitops-lab canary compare --prometheus http://127.0.0.1:9090 --window 5m --step 15s \\
      --canary 'rollouts_pod_template_hash="6d4f9c7b8"' --baseline 'rollouts_pod_template_hash="59b7d8c4f"'
  $ gitops-lab canary compare --canary-file canary.json --baseline-file baseline.json --direction increase`,
    )
    .action(async (opts: Record<string, unknown>) => {
      const { run } = await import('../handlers/canary-compare.js');
      await run(opts);
    });
}
