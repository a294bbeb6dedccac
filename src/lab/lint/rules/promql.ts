/**
 * Rule family `analysis-*`: AnalysisTemplates must be runnable. Every `{{args.NAME}}` names a declared
 * argument, every Prometheus query parses (with the official PromQL grammar, after substituting the
 * arguments), and every metric has a condition that can fail it.
 */
import { parser } from '@prometheus-io/lezer-promql';
import { asArray, asRecord, asString, findingAt, type LintContext } from '../context.js';
import type { Finding } from '../types.js';

const argPattern = /\{\{\s*args\.([A-Za-z0-9_.-]+?)\s*\}\}/g;

export interface PromqlError {
  /** Offset in the query. */
  offset: number;
  /** The text around the error. */
  near: string;
}

/** Parses a PromQL expression; returns where the grammar found errors (empty when it parses). */
export function promqlErrors(query: string): PromqlError[] {
  const tree = parser.parse(query);
  const errors: PromqlError[] = [];
  tree.iterate({
    enter(node) {
      if (node.type.isError) {
        errors.push({ offset: node.from, near: query.slice(Math.max(0, node.from - 15), node.from + 15) });
      }
    },
  });
  return errors;
}

/** Replaces `{{args.NAME}}` with the argument's value, or a placeholder that fits where it stands. */
export function substituteArgs(query: string, values: Record<string, string | undefined>): string {
  return query.replace(argPattern, (_match, name: string, offset: number) => {
    const value = values[name];
    if (value !== undefined) return value;
    const before = query.slice(0, offset);
    const quotes = (before.match(/(?<!\\)"/g) ?? []).length;
    if (quotes % 2 === 1) return 'placeholder';
    if (/\[\s*$/.test(before)) return '1m';
    return '1';
  });
}

export function analysisRule(ctx: LintContext): Finding[] {
  const findings: Finding[] = [];
  for (const r of ctx.repo.resources) {
    if (!['AnalysisTemplate', 'ClusterAnalysisTemplate', 'AnalysisRun'].includes(r.kind)) continue;
    if (!r.apiVersion.startsWith('argoproj.io/')) continue;
    const spec = asRecord(r.object.spec) ?? {};
    const declared = new Map<string, string | undefined>();
    for (const a of asArray(spec.args)) {
      const arg = asRecord(a) ?? {};
      const name = asString(arg.name);
      if (name) declared.set(name, asString(arg.value));
    }
    asArray(spec.metrics).forEach((m, i) => {
      const metric = asRecord(m) ?? {};
      const metricName = asString(metric.name) ?? `#${i + 1}`;
      const base: Array<string | number> = ['spec', 'metrics', i];
      // Undeclared arguments anywhere in the metric.
      const used = new Set<string>();
      for (const match of JSON.stringify(metric).matchAll(argPattern)) used.add(match[1] as string);
      for (const name of used) {
        if (!declared.has(name)) {
          findings.push(
            findingAt(ctx, r, base, {
              rule: 'analysis-args',
              severity: 'error',
              message: `metric ${metricName} uses {{args.${name}}}, which spec.args does not declare: the AnalysisRun fails to resolve it`,
              fix: `Declare {name: ${name}} in spec.args (with a value if it has a sensible default), or correct the name (declared: ${[...declared.keys()].join(', ') || 'none'}).`,
            }),
          );
        }
      }
      const provider = asRecord(metric.provider) ?? {};
      const prometheus = asRecord(provider.prometheus);
      if (prometheus) {
        const query = asString(prometheus.query);
        if (!query?.trim()) {
          findings.push(
            findingAt(ctx, r, [...base, 'provider', 'prometheus'], {
              rule: 'analysis-promql',
              severity: 'error',
              message: `metric ${metricName} has an empty Prometheus query`,
              fix: 'Write the query that measures this metric.',
            }),
          );
        } else {
          const substituted = substituteArgs(query, Object.fromEntries(declared));
          const errors = promqlErrors(substituted);
          if (errors.length > 0) {
            const first = errors[0] as PromqlError;
            findings.push(
              findingAt(ctx, r, [...base, 'provider', 'prometheus', 'query'], {
                rule: 'analysis-promql',
                severity: 'error',
                message: `metric ${metricName}: PromQL does not parse (${errors.length} error${errors.length > 1 ? 's' : ''}; first at character ${first.offset + 1}, near "${first.near.replace(/\s+/g, ' ').trim()}")`,
                fix: 'Fix the query syntax (balanced brackets and braces, quoted label values, a range like [2m] inside rate()); test it in the Prometheus UI with the arguments filled in.',
              }),
            );
          }
        }
        if (!asString(prometheus.address)) {
          findings.push(
            findingAt(ctx, r, [...base, 'provider', 'prometheus'], {
              rule: 'analysis-promql',
              severity: 'error',
              message: `metric ${metricName} has no Prometheus address`,
              fix: 'Set provider.prometheus.address (e.g. from an argument with a default value).',
            }),
          );
        }
      }
      if (!provider.job && metric.successCondition === undefined && metric.failureCondition === undefined) {
        findings.push(
          findingAt(ctx, r, base, {
            rule: 'analysis-condition',
            severity: 'error',
            message: `metric ${metricName} has neither successCondition nor failureCondition: every measurement counts as successful, so it can never stop a bad canary`,
            fix: 'Add a successCondition (and a failureCondition), e.g. len(result) > 0 && result[0] >= 0.9.',
          }),
        );
      }
      for (const field of ['successCondition', 'failureCondition']) {
        const condition = metric[field];
        if (condition === undefined) continue;
        const text = String(condition);
        let depth = 0;
        let balanced = true;
        for (const ch of text) {
          if (ch === '(' || ch === '[') depth++;
          if (ch === ')' || ch === ']') depth--;
          if (depth < 0) balanced = false;
        }
        if (!balanced || depth !== 0 || !/\bresult\b/.test(text)) {
          findings.push(
            findingAt(ctx, r, [...base, field], {
              rule: 'analysis-condition',
              severity: 'error',
              message: `metric ${metricName}: ${field} "${text}" ${!/\bresult\b/.test(text) ? 'does not refer to result' : 'has unbalanced brackets'}`,
              fix: 'Write it as an expression over result, e.g. len(result) > 0 && result[0] >= 0.9.',
            }),
          );
        }
      }
    });
  }
  return findings;
}
