import type { Command } from 'commander';

export function registerLint(program: Command): void {
  program
    .command('lint')
    .argument(
      '[dir]',
      'the GitOps repository (or folder of it) to check; - reads one YAML stream from stdin',
      'manifests',
    )
    .description(
      'schema, app-of-apps graph, ownership, reference, policy and PromQL rules over the manifests',
    )
    .option('--repo-root <dir>', "folder that Applications' source paths are relative to (default: DIR)")
    .option('--strict', 'exit 1 on warnings too, not only on errors')
    .option('--json', 'print {files, resources, findings} as JSON (same as --format json)')
    .option('--format <format>', 'text, json, sarif (GitHub code scanning) or junit')
    .option(
      '--renderer <renderer>',
      'auto (kubectl kustomize when kubectl is on PATH, as Argo CD renders), kubectl or builtin',
    )
    .option(
      '--kubernetes-version <version>',
      "Kubernetes version of the built-in kinds' schemas (bundled: 1.33)",
    )
    .option('--config <file>', 'lint config (default: .gitops-lab-lint.yaml in the repository root)')
    .addHelpText(
      'after',
      `
Rules: yaml-parse, schema (strict: unknown fields are errors), kustomize-*, app-* (app-of-apps graph,
projects, namespaces), ownership-replicas (HPA vs Argo CD self-heal), ref-* (HPA targets, Service
selectors and ports, Rollout services and analysis templates, ConfigMaps, Secrets), policy-* (image tags,
root, privileges, resources, probes, committed Secrets), analysis-* (PromQL and conditions of
AnalysisTemplates). Silence one rule for one object with the annotation
lint.gitops-lab.io/ignore: "rule-name"; turn rules off, change their severity or exempt paths in
.gitops-lab-lint.yaml (docs/manifests.md, "Tuning lint").

Exit codes: 0 clean, 1 errors (or warnings with --strict), 2 bad arguments.

Examples:
  $ gitops-lab lint
  $ gitops-lab lint manifests --strict
  $ gitops-lab lint manifests/workloads --repo-root manifests --json
  $ gitops-lab lint manifests --format sarif > lint.sarif
  $ kubectl kustomize manifests/workloads/docqa | gitops-lab lint -`,
    )
    .action(async (dir: string, options: Record<string, unknown>) => {
      const { run } = await import('../handlers/lint.js');
      await run({ ...options, dir });
    });
}
