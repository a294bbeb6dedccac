import { existsSync } from 'node:fs';
import { z } from 'zod';
import { UsageError } from '../../errors.js';
import { type LintReport, lintRepository, type Severity } from '../../lab/lint/index.js';
import { packagePath } from '../../paths.js';
import {
  defaultStreams,
  formatTable,
  isInteractive,
  type OutputStreams,
  paint,
  writeJson,
  writeLine,
} from '../output.js';
import { parseOptions } from '../validate.js';

const optionsSchema = z.object({
  dir: z.string().min(1, 'expected a folder'),
  repoRoot: z.string().min(1, 'expected a folder').optional(),
  strict: z.boolean().optional().default(false),
  json: z.boolean().optional().default(false),
});

export type LintCliOptions = z.input<typeof optionsSchema>;

/** The default `manifests` means the working directory's manifests/ if there is one, else the shipped one. */
function resolveDir(dir: string): string {
  if (dir === 'manifests' && !existsSync(dir)) return packagePath('manifests');
  return dir;
}

export async function run(raw: unknown, streams: OutputStreams = defaultStreams): Promise<void> {
  const options = parseOptions(optionsSchema, raw, 'lint');
  const dir = resolveDir(options.dir);
  if (!existsSync(dir)) {
    throw new UsageError(`gitops-lab lint: folder ${options.dir} does not exist.`, {
      hint: 'Pass the folder of your GitOps repository, e.g. `gitops-lab lint manifests`.',
    });
  }
  const report = lintRepository({ dir, repoRoot: options.repoRoot });
  const failed = report.counts.error > 0 || (options.strict && report.counts.warning > 0);
  if (options.json) {
    writeJson(
      { files: report.files, resources: report.resources, findings: report.findings, counts: report.counts },
      streams.stdout,
    );
  } else {
    render(report, dir, streams);
  }
  if (failed) process.exitCode = 1;
}

const colors: Record<Severity, 'red' | 'yellow' | 'gray'> = { error: 'red', warning: 'yellow', info: 'gray' };

function render(report: LintReport, dir: string, streams: OutputStreams): void {
  const out = streams.stdout;
  if (isInteractive(out)) {
    renderGrouped(report, out);
  } else if (report.findings.length > 0) {
    const rows = report.findings.map((f) => [
      f.rule,
      paint(colors[f.severity], f.severity, out),
      f.line ? `${f.file}:${f.line}` : f.file,
      f.resource ?? '',
      f.message,
      f.fix,
    ]);
    writeLine(formatTable(['RULE', 'SEVERITY', 'FILE', 'RESOURCE', 'MESSAGE', 'FIX'], rows), out);
    writeLine('', out);
  }
  const { error, warning, info } = report.counts;
  const summary = `${dir}: ${report.files.length} files, ${report.resources.length} objects: ${error} error${error === 1 ? '' : 's'}, ${warning} warning${warning === 1 ? '' : 's'}, ${info} info`;
  writeLine(
    error > 0
      ? paint('red', summary, out)
      : warning > 0
        ? paint('yellow', summary, out)
        : paint('green', summary, out),
    out,
  );
}

/** On a terminal: findings grouped by file, one block each, message and fix on their own lines. */
function renderGrouped(report: LintReport, out: OutputStreams['stdout']): void {
  const byFile = new Map<string, LintReport['findings']>();
  for (const f of report.findings) {
    const list = byFile.get(f.file) ?? [];
    list.push(f);
    byFile.set(f.file, list);
  }
  for (const [file, findings] of byFile) {
    writeLine(paint('bold', file, out), out);
    for (const f of findings) {
      const where = f.line ? `:${f.line}` : '';
      writeLine(
        `  ${paint(colors[f.severity], f.severity.padEnd(7), out)} ${f.rule}${paint('dim', where, out)}  ${paint('cyan', f.resource ?? '', out)}`,
        out,
      );
      writeLine(`          ${f.message}`, out);
      if (f.severity !== 'info') writeLine(`          ${paint('green', 'fix:', out)} ${f.fix}`, out);
    }
    writeLine('', out);
  }
}
