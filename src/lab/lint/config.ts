/**
 * `.gitops-lab-lint.yaml`: tuning lint for one repository, the way kube-linter's config file does
 * (kube-linter, its "Configuring KubeLinter" page: checks can be excluded, and objects
 * exempted): a rule can be turned off or given another severity, and exempted for some paths.
 *
 *   rules:
 *     policy-probes: off            # off | error | warning | info
 *     policy-image-tag: warning
 *   exceptions:
 *     - rules: [policy-resources]    # or "*" for every rule
 *       paths: ["legacy/**"]         # globs relative to the repository root
 *       reason: the legacy stack is retired next quarter
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { UsageError } from '../../errors.js';
import { globToRegExp } from './repository.js';
import type { Finding, Severity } from './types.js';

export const configFileName = '.gitops-lab-lint.yaml';

const ruleName = z.string().regex(/^[a-z0-9*-]+$/, 'a rule name such as policy-probes');

const configSchema = z
  .object({
    rules: z.record(ruleName, z.enum(['off', 'error', 'warning', 'info'])).optional(),
    exceptions: z
      .array(
        z
          .object({
            rules: z.array(ruleName).min(1).or(z.literal('*')),
            paths: z.array(z.string().min(1)).min(1),
            reason: z.string().min(1, 'say why the exception is there'),
          })
          .strict(),
      )
      .optional(),
  })
  .strict();

export type LintConfig = z.infer<typeof configSchema>;

/** Reads `file` (or `.gitops-lab-lint.yaml` in `root` when there is one); undefined without a config. */
export function loadLintConfig(root: string, file?: string): LintConfig | undefined {
  const path = file !== undefined ? resolve(file) : join(root, configFileName);
  if (file === undefined && !existsSync(path)) return undefined;
  let raw: unknown;
  try {
    raw = parse(readFileSync(path, 'utf8')) ?? {};
  } catch (error) {
    throw new UsageError(`gitops-lab lint: cannot read the config ${path}: ${firstLine(error)}`, {
      hint: `Fix the YAML of ${configFileName} (see docs/manifests.md, "Tuning lint").`,
    });
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'the top level';
    throw new UsageError(`gitops-lab lint: ${path}: ${where}: ${issue?.message ?? 'invalid'}.`, {
      hint: 'Allowed: rules: {RULE: off|error|warning|info}, exceptions: [{rules, paths, reason}].',
    });
  }
  return parsed.data;
}

function firstLine(error: unknown): string {
  return String((error as Error).message ?? error).split('\n')[0] ?? '';
}

/** Applies the config: drops findings of disabled or exempted rules, changes severities. */
export function applyLintConfig(findings: Finding[], config: LintConfig | undefined): Finding[] {
  if (!config) return findings;
  const exceptions = (config.exceptions ?? []).map((e) => ({
    rules: e.rules,
    paths: e.paths.map((p) => globToRegExp(p.replace(/^\.\//, ''))),
  }));
  const matches = (pattern: string, rule: string) =>
    pattern === rule || (pattern.endsWith('*') && rule.startsWith(pattern.slice(0, -1)));
  const out: Finding[] = [];
  for (const f of findings) {
    const setting = Object.entries(config.rules ?? {}).find(([pattern]) => matches(pattern, f.rule))?.[1];
    if (setting === 'off') continue;
    const exempt = exceptions.some(
      (e) =>
        (e.rules === '*' || e.rules.some((r) => matches(r, f.rule))) && e.paths.some((p) => p.test(f.file)),
    );
    if (exempt) continue;
    out.push(setting ? { ...f, severity: setting as Severity } : f);
  }
  return out;
}
