/**
 * `gitops-lab lint`: loads a GitOps repository, runs every rule and returns the findings.
 *
 * An object can silence a rule for itself, with a reason, through the annotation
 * `lint.gitops-lab.io/ignore: "rule-a,rule-b"`.
 *
 * Upstream install manifests vendored byte for byte (a first line `# Vendored by ...`, see
 * scripts/vendor-argo.sh) cannot carry that annotation: their policy and reference findings are upstream's
 * choices, not the repository's to fix, so they are reported as info.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import { asRecord, buildContext, type Rule } from './context.js';
import { loadRepository } from './repository.js';
import { graphRule } from './rules/graph.js';
import { kustomizeRule } from './rules/kustomize.js';
import { observabilityRule } from './rules/observability.js';
import { ownershipRule } from './rules/ownership.js';
import { policyRule } from './rules/policy.js';
import { analysisRule } from './rules/promql.js';
import { referencesRule } from './rules/references.js';
import { schemaRule } from './rules/schema.js';
import { SchemaValidator } from './schemas.js';
import { type Finding, type LintReport, type Severity, severityRank } from './types.js';

export type { Finding, LintReport, Severity } from './types.js';

export const ignoreAnnotation = 'lint.gitops-lab.io/ignore';

export interface LintOptions {
  /** The folder to lint (default: the shipped manifests/). */
  dir: string;
  /** Root that Application source paths resolve against (default: dir). */
  repoRoot?: string;
  /** Folder holding the bundled JSON schemas (default: the package's schemas/). */
  schemaDir?: string;
}

export const rules: Record<string, Rule> = {
  schema: schemaRule,
  kustomize: kustomizeRule,
  graph: graphRule,
  ownership: ownershipRule,
  references: referencesRule,
  policy: policyRule,
  analysis: analysisRule,
  observability: observabilityRule,
};

/** Whether a file (relative to root) is a vendored upstream manifest: its first line says so. */
function vendoredFiles(root: string): (file: string) => boolean {
  const seen = new Map<string, boolean>();
  return (file) => {
    let value = seen.get(file);
    if (value === undefined) {
      try {
        value = /^# Vendored by /.test(readFileSync(resolve(root, file), 'utf8').slice(0, 200));
      } catch {
        value = false;
      }
      seen.set(file, value);
    }
    return value;
  };
}

export function lintRepository(options: LintOptions): LintReport {
  const dir = resolve(options.dir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UsageError(`gitops-lab lint: ${options.dir} is not a folder.`, {
      hint: 'Pass the folder of your GitOps repository (default: manifests).',
    });
  }
  if (options.repoRoot !== undefined) {
    const root = resolve(options.repoRoot);
    if (!existsSync(root) || !statSync(root).isDirectory()) {
      throw new UsageError(`gitops-lab lint --repo-root: ${options.repoRoot} is not a folder.`, {
        hint: "Pass the folder that Applications' source paths are relative to.",
      });
    }
  }
  const repo = loadRepository({ dir, repoRoot: options.repoRoot });
  const validator = validatorFor(options.schemaDir);
  const ctx = buildContext(repo, validator);
  const findings: Finding[] = [...repo.findings];
  for (const rule of Object.values(rules)) findings.push(...rule(ctx));

  // Per-object suppressions.
  const ignored = new Map<string, Set<string>>();
  for (const r of repo.resources) {
    const annotations = asRecord(asRecord(r.object.metadata)?.annotations) ?? {};
    const value = annotations[ignoreAnnotation];
    if (typeof value === 'string') {
      ignored.set(
        ctx.describe(r),
        new Set(
          value
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
        ),
      );
    }
  }
  const vendored = vendoredFiles(repo.root);
  const kept = dedupe(findings).map((f) =>
    vendored(f.file) && /^(policy|ref)-/.test(f.rule) && f.severity !== 'info'
      ? { ...f, severity: 'info' as const, message: `${f.message} (vendored upstream manifest)` }
      : f,
  );
  const unsuppressed = kept.filter((f) => {
    const set = f.resource ? ignored.get(f.resource) : undefined;
    return (
      !set || !(set.has(f.rule) || [...set].some((s) => s.endsWith('*') && f.rule.startsWith(s.slice(0, -1))))
    );
  });
  unsuppressed.sort(
    (a, b) =>
      severityRank[a.severity] - severityRank[b.severity] ||
      a.file.localeCompare(b.file) ||
      (a.line ?? 0) - (b.line ?? 0) ||
      a.rule.localeCompare(b.rule),
  );
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of unsuppressed) counts[f.severity]++;
  return {
    root: repo.root,
    files: repo.files,
    resources: repo.resources.map((r) => ({
      file: r.file,
      ...(r.doc && r.lineCounter
        ? { line: r.lineCounter.linePos(r.doc.contents?.range?.[0] ?? 0).line }
        : {}),
      resource: ctx.describe(r),
    })),
    findings: unsuppressed,
    counts,
  };
}

const validators = new Map<string, SchemaValidator>();

/** Compiled validators are reused across runs in one process (compiling the Argo schemas takes a while). */
function validatorFor(schemaDir: string | undefined): SchemaValidator {
  const key = schemaDir ?? '';
  let validator = validators.get(key);
  if (!validator) {
    validator = new SchemaValidator(schemaDir);
    validators.set(key, validator);
  }
  return validator;
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.rule}|${f.file}|${f.line ?? ''}|${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
