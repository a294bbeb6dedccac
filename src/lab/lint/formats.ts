/**
 * Lint reports in the formats CI tools read: SARIF 2.1.0 (GitHub code scanning) and JUnit XML.
 *
 * SARIF: OASIS "Static Analysis Results Interchange Format Version 2.1.0" (sarif-v2.1.0-os), restricted to
 * what GitHub code scanning reads (docs.github.com, "SARIF support for code scanning"): `runs[].tool.driver`
 * with `name`, `version` and `rules[].id`; `results[]` with `ruleId`, `level` (error | warning | note),
 * `message.text` and one `physicalLocation` (`artifactLocation.uri` relative to `%SRCROOT%`,
 * `region.startLine` ≥ 1).
 * JUnit: the schema Jenkins, GitLab and GitHub test reporters read (testsuites > testsuite > testcase with
 * `failure`): one test case per file checked; each error or warning in it is a failure.
 */
import { XMLBuilder } from 'fast-xml-parser';
import type { Finding, LintReport, Severity } from './types.js';

const sarifLevel: Record<Severity, 'error' | 'warning' | 'note'> = {
  error: 'error',
  warning: 'warning',
  info: 'note',
};

export function toSarif(report: LintReport, version: string): object {
  const ruleIds = [...new Set(report.findings.map((f) => f.rule))].sort();
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'gitops-lab lint',
            informationUri: 'https://www.npmjs.com/package/gitops-lab',
            version,
            rules: ruleIds.map((id) => ({
              id,
              name: id,
              shortDescription: { text: `gitops-lab lint rule ${id}` },
            })),
          },
        },
        originalUriBaseIds: { '%SRCROOT%': { uri: `file://${report.root.replace(/\/?$/, '/')}` } },
        results: report.findings.map((f) => ({
          ruleId: f.rule,
          ruleIndex: ruleIds.indexOf(f.rule),
          level: sarifLevel[f.severity],
          message: { text: `${f.message}${f.resource ? ` (${f.resource})` : ''}. Fix: ${f.fix}` },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: encodeURI(f.file), uriBaseId: '%SRCROOT%' },
                region: { startLine: f.line ?? 1 },
              },
            },
          ],
        })),
      },
    ],
  };
}

export function toJunit(report: LintReport): string {
  const byFile = new Map<string, Finding[]>();
  for (const file of report.files) byFile.set(file, []);
  for (const f of report.findings) {
    if (f.severity === 'info') continue;
    const list = byFile.get(f.file) ?? [];
    list.push(f);
    byFile.set(f.file, list);
  }
  const files = [...byFile.keys()].sort();
  const failures = files.filter((file) => (byFile.get(file) ?? []).length > 0).length;
  const testcases = files.map((file) => {
    const found = byFile.get(file) ?? [];
    return {
      '@_classname': 'gitops-lab lint',
      '@_name': file,
      ...(found.length > 0
        ? {
            failure: {
              '@_message': `${found.length} problem${found.length === 1 ? '' : 's'}`,
              '@_type': found.some((f) => f.severity === 'error') ? 'error' : 'warning',
              '#text': found
                .map(
                  (f) =>
                    `${f.file}${f.line ? `:${f.line}` : ''}: ${f.severity} ${f.rule}: ${f.message}${f.resource ? ` (${f.resource})` : ''}\nfix: ${f.fix}`,
                )
                .join('\n'),
            },
          }
        : {}),
    };
  });
  const builder = new XMLBuilder({ ignoreAttributes: false, format: true, indentBy: '  ' });
  const body = builder.build({
    testsuites: {
      '@_name': 'gitops-lab lint',
      '@_tests': files.length,
      '@_failures': failures,
      '@_errors': 0,
      testsuite: {
        '@_name': 'gitops-lab lint',
        '@_tests': files.length,
        '@_failures': failures,
        '@_errors': 0,
        '@_skipped': 0,
        testcase: testcases,
      },
    },
  }) as string;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
}
