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
import { closeSync, existsSync, lstatSync, openSync, readSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { PreconditionError, UsageError } from '../../errors.js';
import { applyLintConfig, loadLintConfig } from './config.js';
import { asRecord, buildContext, type Rule } from './context.js';
import { findExecutable, type Renderer } from './render.js';
import { loadRepository, toPosix } from './repository.js';
import { analysisNoDataRule } from './rules/analysis-no-data.js';
import { graphRule } from './rules/graph.js';
import { kustomizeRule } from './rules/kustomize.js';
import { observabilityRule } from './rules/observability.js';
import { ownershipRule } from './rules/ownership.js';
import { policyRule } from './rules/policy.js';
import { analysisRule } from './rules/promql.js';
import { referencesRule } from './rules/references.js';
import { schemaRule } from './rules/schema.js';
import { bundledKubernetesVersions, minorVersion, SchemaValidator } from './schemas.js';
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
  /** Config file (default: .gitops-lab-lint.yaml in the repository root, when there is one). */
  configFile?: string;
  /** kubectl: render kustomizations with kubectl kustomize (error if absent); builtin: never; auto (default). */
  renderer?: Renderer;
  /** Kubernetes version to validate built-in kinds against (default and only bundled one: 1.33). */
  kubernetesVersion?: string;
}

export const rules: Record<string, Rule> = {
  schema: schemaRule,
  kustomize: kustomizeRule,
  graph: graphRule,
  ownership: ownershipRule,
  references: referencesRule,
  policy: policyRule,
  analysis: analysisRule,
  'analysis-no-data': analysisNoDataRule,
  observability: observabilityRule,
};

/** Whether a file (relative to root) is a vendored upstream manifest: its first line says so. */
function vendoredFiles(root: string): (file: string) => boolean {
  const seen = new Map<string, boolean>();
  return (file) => {
    let value = seen.get(file);
    if (value === undefined) {
      try {
        // Only a regular file's first bytes (a FIFO or device in an untrusted repository is never opened).
        const abs = resolve(root, file);
        value = false;
        if (lstatSync(abs).isFile()) {
          const fd = openSync(abs, 'r');
          try {
            const head = Buffer.alloc(200);
            const n = readSync(fd, head, 0, head.length, 0);
            value = /^# Vendored by /.test(head.subarray(0, n).toString('utf8'));
          } finally {
            closeSync(fd);
          }
        }
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
  // With --repo-root, the whole repository is read so that rules see every Application (a Helm chart's
  // namespace, another folder's Services); only what lies under DIR is reported.
  const root = options.repoRoot !== undefined ? resolve(options.repoRoot) : dir;
  const scope = toPosix(relative(root, dir));
  const narrowed = scope !== '' && !scope.startsWith('..') && !isAbsolute(scope);
  const inScope = (file: string) => !narrowed || file === scope || file.startsWith(`${scope}/`);
  if (options.kubernetesVersion !== undefined) {
    const minor = minorVersion(options.kubernetesVersion);
    if (!minor || !(bundledKubernetesVersions as readonly string[]).includes(minor)) {
      throw new UsageError(
        `gitops-lab lint --kubernetes-version ${options.kubernetesVersion}: ${minor ? `no schemas for Kubernetes ${minor} are bundled` : 'expected a version such as 1.33'}; bundled: ${bundledKubernetesVersions.join(', ')}.`,
        { hint: "Pass a bundled version, or leave the option out to validate against the lab's Kubernetes." },
      );
    }
  }
  if (options.renderer === 'kubectl' && !findExecutable('kubectl')) {
    throw new PreconditionError('gitops-lab lint --renderer kubectl: kubectl is not on PATH.', {
      hint: 'Install kubectl (it carries kustomize), or pass --renderer builtin.',
    });
  }
  const repo = loadRepository({
    dir: narrowed ? root : dir,
    repoRoot: options.repoRoot,
    renderer: options.renderer,
  });
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
  const config = loadLintConfig(root, options.configFile);
  const vendored = vendoredFiles(repo.root);
  const relaxed = dedupe(findings.filter((f) => inScope(f.file))).map((f) =>
    /^(policy|ref)-/.test(f.rule) && f.severity !== 'info' && vendored(f.file)
      ? { ...f, severity: 'info' as const, message: `${f.message} (vendored upstream manifest)` }
      : f,
  );
  const kept = applyLintConfig(relaxed, config).filter((f) => {
    const set = f.resource ? ignored.get(f.resource) : undefined;
    return (
      !set || !(set.has(f.rule) || [...set].some((s) => s.endsWith('*') && f.rule.startsWith(s.slice(0, -1))))
    );
  });
  kept.sort(
    (a, b) =>
      severityRank[a.severity] - severityRank[b.severity] ||
      a.file.localeCompare(b.file) ||
      (a.line ?? 0) - (b.line ?? 0) ||
      a.rule.localeCompare(b.rule),
  );
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of kept) counts[f.severity]++;
  return {
    root: repo.root,
    renderedWith: repo.renderedWith,
    files: repo.files.filter(inScope),
    resources: repo.resources
      .filter((r) => inScope(r.file))
      .map((r) => ({
        file: r.file,
        ...(r.doc && r.lineCounter
          ? { line: r.lineCounter.linePos(r.doc.contents?.range?.[0] ?? 0).line }
          : {}),
        resource: ctx.describe(r),
      })),
    findings: kept,
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
