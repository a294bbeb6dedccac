import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { UsageError } from '../../errors.js';
import { type LintReport, lintRepository, type Severity } from '../../lab/lint/index.js';
import { packagePath } from '../../paths.js';
import { defaultStreams, isInteractive, type OutputStreams, paint, writeJson, writeLine } from '../output.js';
import { parseOptions } from '../validate.js';
import { version } from '../version.js';

const optionsSchema = z.object({
  dir: z.string().min(1, 'expected a folder'),
  repoRoot: z.string().min(1, 'expected a folder').optional(),
  strict: z.boolean().optional().default(false),
  json: z.boolean().optional().default(false),
  format: z.enum(['text', 'json', 'sarif', 'junit']).optional(),
  config: z.string().min(1, 'expected a file').optional(),
  renderer: z.enum(['auto', 'kubectl', 'builtin']).optional(),
  kubernetesVersion: z.string().min(1, 'expected a version such as 1.33').optional(),
});

export type LintCliOptions = z.input<typeof optionsSchema>;

/** The file name findings on standard input are reported under. */
const stdinName = 'stdin.yaml';

/** The default `manifests` means the working directory's manifests/ if there is one, else the shipped one. */
function resolveDir(dir: string): string {
  if (dir === 'manifests' && !existsSync(dir)) return packagePath('manifests');
  return dir;
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

export async function run(
  raw: unknown,
  streams: OutputStreams = defaultStreams,
  stdin: Readable = process.stdin,
): Promise<void> {
  const options = parseOptions(optionsSchema, raw, 'lint');
  const format = options.format ?? (options.json ? 'json' : 'text');
  if (options.json && options.format && options.format !== 'json') {
    throw new UsageError(`gitops-lab lint: --json and --format ${options.format} ask for two formats.`, {
      hint: 'Pass one of them.',
    });
  }
  let dir = resolveDir(options.dir);
  let temp: string | undefined;
  if (options.dir === '-') {
    // `-`: one YAML stream on standard input, linted as a one-file repository.
    const text = await readAll(stdin);
    if (text.trim() === '') {
      throw new UsageError('gitops-lab lint -: standard input held no YAML.', {
        hint: 'Pipe manifests in, e.g. `kubectl kustomize DIR | gitops-lab lint -`.',
      });
    }
    temp = mkdtempSync(join(tmpdir(), 'gitops-lab-lint-stdin-'));
    writeFileSync(join(temp, stdinName), text);
    dir = temp;
  } else if (!existsSync(dir)) {
    throw new UsageError(`gitops-lab lint: folder ${options.dir} does not exist.`, {
      hint: 'Pass the folder of your GitOps repository, e.g. `gitops-lab lint manifests`.',
    });
  }
  let report: LintReport;
  try {
    report = lintRepository({
      dir,
      repoRoot: options.repoRoot,
      configFile: options.config,
      renderer: options.renderer,
      kubernetesVersion: options.kubernetesVersion,
    });
  } finally {
    if (temp) rmSync(temp, { recursive: true, force: true });
  }
  if (report.files.length === 0) {
    throw new UsageError(
      `gitops-lab lint: ${options.dir} holds no manifests (no .yaml, .yml or .json file), so there is nothing to check.`,
      { hint: 'Pass the folder of your GitOps repository, e.g. `gitops-lab lint manifests`.' },
    );
  }
  const failed = report.counts.error > 0 || (options.strict && report.counts.warning > 0);
  if (format === 'json') {
    writeJson(
      {
        files: report.files,
        resources: report.resources,
        findings: report.findings,
        counts: report.counts,
        renderedWith: report.renderedWith,
      },
      streams.stdout,
    );
  } else if (format === 'sarif') {
    const { toSarif } = await import('../../lab/lint/formats.js');
    writeJson(toSarif(report, version()), streams.stdout);
  } else if (format === 'junit') {
    const { toJunit } = await import('../../lab/lint/formats.js');
    writeLine(toJunit(report), streams.stdout);
  } else {
    render(report, options.dir === '-' ? '-' : dir, streams);
  }
  if (failed) process.exitCode = 1;
}

const colors: Record<Severity, 'red' | 'yellow' | 'gray'> = { error: 'red', warning: 'yellow', info: 'gray' };

/** Message and fix lines are wrapped to this width when piped (a terminal gets its own width). */
const plainWidth = 100;

function render(report: LintReport, dir: string, streams: OutputStreams): void {
  const out = streams.stdout;
  if (isInteractive(out)) renderGrouped(report, out);
  else renderPlain(report, out);
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

function where(f: LintReport['findings'][number]): string {
  return f.line ? `${f.file}:${f.line}` : f.file;
}

/**
 * Piped: one head line per finding in the compilers' `file:line: severity rule` form (grep and editors read
 * it), then the message and the fix indented and wrapped, so no line runs on.
 */
function renderPlain(report: LintReport, out: OutputStreams['stdout']): void {
  for (const f of report.findings) {
    writeLine(`${where(f)}: ${f.severity} ${f.rule}${f.resource ? ` ${f.resource}` : ''}`, out);
    for (const line of wrap(f.message, plainWidth - 4)) writeLine(`    ${line}`, out);
    if (f.severity !== 'info')
      for (const line of wrap(`fix: ${f.fix}`, plainWidth - 4)) writeLine(`    ${line}`, out);
  }
  if (report.findings.length > 0) writeLine('', out);
}

/** Word-wraps `text` at `width` (a word longer than the width, a URL say, stays whole on its own line). */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** On a terminal: findings grouped by file, each headed by its `file:line`, message and fix below it. */
function renderGrouped(report: LintReport, out: OutputStreams['stdout']): void {
  const width = Math.max(60, ((out as { columns?: number }).columns ?? plainWidth) - 10);
  const byFile = new Map<string, LintReport['findings']>();
  for (const f of report.findings) {
    const list = byFile.get(f.file) ?? [];
    list.push(f);
    byFile.set(f.file, list);
  }
  for (const [file, findings] of byFile) {
    writeLine(paint('bold', file, out), out);
    for (const f of findings) {
      writeLine(
        `  ${paint(colors[f.severity], f.severity.padEnd(7), out)} ${where(f)}  ${f.rule}  ${paint('cyan', f.resource ?? '', out)}`.trimEnd(),
        out,
      );
      for (const line of wrap(f.message, width)) writeLine(`          ${line}`, out);
      if (f.severity !== 'info') {
        const [first = '', ...rest] = wrap(f.fix, width - 5);
        writeLine(`          ${paint('green', 'fix:', out)} ${first}`, out);
        for (const line of rest) writeLine(`               ${line}`, out);
      }
    }
    writeLine('', out);
  }
}
