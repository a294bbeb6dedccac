import type { Command } from 'commander';

export function registerUp(program: Command): void {
  program
    .command('up')
    .description(
      'create the lab: preflight, kind cluster, images, Git source, Argo CD, Rollouts, root app; idempotent',
    )
    .option('--context <name>', 'use an existing kube context instead of creating a kind cluster')
    .option('--repo <url>', "use your own repository as the lab's Git source (token in GITOPS_LAB_GIT_TOKEN)")
    .option(
      '--simulate',
      'start a simulated lab on this machine instead (no Docker needed): see docs/simulate.md',
    )
    .option(
      '--speed <n>',
      'with --simulate: simulated time runs N times the wall clock (default 1, at most 100)',
    )
    .option('--dry-run', 'print the plan (steps, what would be skipped, exact commands) and change nothing')
    .option(
      '--json',
      'emit step events as JSON lines (no passwords unless --show-credentials); with --simulate, one JSON document',
    )
    .option(
      '--show-credentials',
      'print the Argo CD and Grafana passwords even when stdout is not a terminal (they end up in logs)',
    )
    .addHelpText(
      'after',
      `
Examples:
  $ gitops-lab up --dry-run                 show the plan, change nothing (works without Docker)
  $ gitops-lab up                           create or resume the lab on a local kind cluster
  $ gitops-lab up --json | jq -c .          step events as JSON lines
  $ gitops-lab up --context kind-dev        reuse an existing kind cluster
  $ gitops-lab up --simulate                the lab simulated on this machine, no Docker (docs/simulate.md)
  $ gitops-lab up --simulate --speed 20     the same, simulated time 20 times faster
  $ gitops-lab up --simulate --dry-run --json   what it would start, as JSON
  $ GITOPS_LAB_GIT_TOKEN=... gitops-lab up --context my-cluster --repo https://github.com/me/lab.git

Re-running is safe: finished steps are skipped; after a failure or Ctrl-C the next run resumes.
Settings (ports, cluster name, timeouts) can be overridden in ./gitops-lab.yaml; see docs/lifecycle.md.
Exit codes: 0 ready, 1 a step failed, 3 preflight failed (nothing was changed).
With --simulate: 0 ready (or already running), 1 the simulated lab failed to start (its log is shown).`,
    )
    .action(async (options: Record<string, unknown>) => {
      const { run } = await import('../handlers/up.js');
      await run(options);
    });
}
