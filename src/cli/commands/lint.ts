import type { Command } from 'commander';

export function registerLint(program: Command): void {
  program
    .command('lint')
    .argument('[dir]', 'the GitOps repository (or folder of it) to check', 'manifests')
    .description(
      'schema, app-of-apps graph, ownership, reference, policy and PromQL rules over the manifests',
    )
    .option('--repo-root <dir>', "folder that Applications' source paths are relative to (default: DIR)")
    .option('--strict', 'exit 1 on warnings too, not only on errors')
    .option('--json', 'print {files, resources, findings} as JSON')
    .addHelpText(
      'after',
      `
Rules: yaml-parse, schema (strict: unknown fields are errors), kustomize-*, app-* (app-of-apps graph,
projects, namespaces), ownership-replicas (HPA vs Argo CD self-heal), ref-* (HPA targets, Service
selectors and ports, Rollout services and analysis templates, ConfigMaps, Secrets), policy-* (image tags,
root, privileges, resources, probes, committed Secrets), analysis-* (PromQL and conditions of
AnalysisTemplates). Silence one rule for one object with the annotation
lint.gitops-lab.io/ignore: "rule-name".

Exit codes: 0 clean, 1 errors (or warnings with --strict), 2 bad arguments.

Examples:
  $ gitops-lab lint
  $ gitops-lab lint ./my-fork/manifests --strict
  $ gitops-lab lint manifests/workloads --repo-root manifests --json`,
    )
    .action(async (dir: string, options: Record<string, unknown>) => {
      const { run } = await import('../handlers/lint.js');
      await run({ ...options, dir });
    });
}
