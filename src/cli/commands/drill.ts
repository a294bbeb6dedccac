import type { Command } from 'commander';
import { collect } from '../validate.js';

export function registerDrill(program: Command): void {
  program
    .command('drill')
    .argument(
      '[name]',
      'the drill to run (a catalogue name or a path to a drill file); omit to list the catalogue',
    )
    .description('list the failure drills, or run one: hypothesis → inject → observe → rollback → report')
    .option('--dry-run', 'print every step without touching the lab (no cluster needed)')
    .option('--json', 'print the catalogue, the plan or the run journal as JSON')
    .option('--recover', 'run only the rollback (and verify) of a drill that was killed; takes over its lock')
    .option(
      '--context <name>',
      'kube context of the lab (default: gitops-lab-sim when it is the current context, else kind-<cluster name>)',
    )
    .option(
      '--repo <url|path>',
      'the lab Git repository that Git actions commit to (default: the in-cluster Git server)',
    )
    .option(
      '--prometheus <url>',
      "Prometheus for prometheus probes (default: the simulated lab's, else http://127.0.0.1:<ports.prometheus>)",
    )
    .option('--var <name=value>', 'set a {{variable}} used in drill files (repeatable)', collect, [])
    .option('--drills <dir>', 'folder of drill files (default: the catalogue shipped in the package)')
    .option('--reports-dir <dir>', 'where run reports go', 'drills/reports')
    .option('--lock-namespace <ns>', 'namespace of the drill lock ConfigMap', 'argocd')
    .option(
      '--speed <n>',
      "the simulated lab's speed, to confirm it (the drill runs at the speed `up --simulate --speed N` set)",
    )
    .addHelpText(
      'after',
      `
Examples:
  $ gitops-lab drill                               list the catalogue with what each drill teaches
  $ gitops-lab drill argo-vs-hpa --dry-run         every step, nothing touched
  $ gitops-lab drill argo-vs-hpa                   run it: live view, report in drills/reports/
  $ gitops-lab drill bad-canary --json > run.json  the journal as JSON
  $ gitops-lab drill bad-canary --recover          roll back a drill that was killed
  $ gitops-lab drill argo-vs-hpa --speed 20        against \`gitops-lab up --simulate --speed 20\`

Against the simulated lab (context gitops-lab-sim) a drill runs in its simulated time and its report says so.
Ctrl-C stops a drill at any moment and rolls the lab back; a second Ctrl-C does not cut the rollback short.
Exit codes: 0 expected behaviour seen and steady state back, 1 not, 2 bad drill file or flags, 3 precondition failed or another drill holds the lock.
Writing your own drill: docs/drills.md.`,
    )
    .action(async (name: string | undefined, options: Record<string, unknown>) => {
      const { run } = await import('../handlers/drill.js');
      await run({ ...options, name });
    });
}
