/** `gitops-lab canary check`: validates flags, runs the check, renders it (JSON, or plain lines). */
import { z } from 'zod';
import { type CheckReport, runCheck } from '../../lab/canary/check.js';
import { argsFromLab, type LabArgs } from '../../lab/canary/lab-args.js';
import { loadTemplate, parseArgFlags } from '../../lab/canary/template.js';
import { contextOption, rolloutOption } from '../option-schemas.js';
import { formatTable, paint, writeJson, writeLine } from '../output.js';
import { parseOptions } from '../validate.js';
import { defaultTemplatePath, labOnce, resolvePrometheus } from './canary-shared.js';

const url = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' });

const schema = z
  .object({
    prometheus: url.optional(),
    context: contextOption,
    template: z.string().min(1).optional(),
    arg: z.array(z.string()).default([]),
    rollout: rolloutOption,
    watch: z.boolean().optional(),
    runJobs: z.boolean().optional(),
    target: url.optional(),
    json: z.boolean().optional(),
  })
  .refine((o) => !o.runJobs || o.target !== undefined, {
    path: ['target'],
    message: 'is required with --run-jobs',
  });

export async function run(rawOptions: unknown): Promise<void> {
  const options = parseOptions(schema, rawOptions, 'canary check');
  const given = parseArgFlags(options.arg);
  const template = await loadTemplate(options.template ?? defaultTemplatePath());
  const lab = labOnce(options.context);
  const fromLab = await argsFromLab(template, given, { lab, rollout: options.rollout });
  const args = { ...fromLab?.values, ...given };
  const prometheus = await resolvePrometheus(options.prometheus, 'canary check', lab);
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    let printedRounds = 0;
    const report = await runCheck({
      template,
      args,
      prometheus: prometheus.url,
      runJobs: options.runJobs,
      target: options.target,
      watch: options.watch,
      signal: controller.signal,
      onUpdate: (update) => {
        if (options.json) return;
        printedRounds++;
        writeLine(roundLine(update, printedRounds));
      },
    });
    if (options.json)
      writeJson({ prometheus: prometheus.url, ...report, ...(fromLab ? { argsFromLab: fromLab } : {}) });
    else render(report, prometheus.via ? `${prometheus.url} (${prometheus.via})` : prometheus.url, fromLab);
    process.exitCode = report.exitCode;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await prometheus.stop?.();
  }
}

const phaseColor = (phase: string) =>
  phase === 'Successful'
    ? 'green'
    : phase === 'Failed' || phase === 'Error'
      ? 'red'
      : phase === 'Skipped'
        ? 'gray'
        : 'yellow';

function roundLine(report: CheckReport, round: number): string {
  const parts = report.metrics
    .filter((m) => m.phase !== 'Skipped')
    .map((m) => `${m.name}=${m.phase}${m.value ? ` ${m.value}` : ''}`);
  return `[${new Date().toISOString()}] round ${round}: run ${report.phase}; ${parts.join(', ')}`;
}

function render(report: CheckReport, prometheus: string, fromLab: LabArgs | undefined): void {
  writeLine(`AnalysisTemplate ${report.template.name} (${report.template.file})`);
  writeLine(
    `Prometheus ${prometheus}; args ${
      Object.entries(report.args)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ') || '(none)'
    }`,
  );
  if (fromLab) writeLine(labArgsLine(fromLab));
  writeLine();
  writeLine(
    formatTable(
      ['METRIC', 'PROVIDER', 'PHASE', 'VALUE', 'WHY'],
      report.metrics.map((m) => [
        m.name + (m.dryRun ? ' (dry-run)' : ''),
        m.provider,
        paint(phaseColor(m.phase), m.phase),
        m.value ? shortValue(m.value) : m.exitCode !== undefined ? `exit ${m.exitCode}` : '-',
        whyColumn(m),
      ]),
    ),
  );
  for (const m of report.metrics) {
    if (!m.query && !m.command && !m.url) continue;
    writeLine();
    writeLine(`${m.name}:`);
    if (m.query) writeLine(`  query: ${m.query.replace(/\s*\n\s*/g, ' ')}`);
    if (m.command) writeLine(`  command: ${m.command.join(' ')}`);
    if (m.url) writeLine(`  url: ${m.url}`);
    if (m.successCondition)
      writeLine(
        `  successCondition: ${m.successCondition.expression}${conditionValue(m.successCondition.value)}`,
      );
    if (m.failureCondition)
      writeLine(
        `  failureCondition: ${m.failureCondition.expression}${conditionValue(m.failureCondition.value)}`,
      );
    for (const note of m.notes ?? []) writeLine(`  note: ${note}`);
    if (m.counts) {
      const c = m.counts;
      writeLine(
        `  measurements: ${c.count} counted (${c.successful} successful, ${c.failed} failed, ${c.inconclusive} inconclusive), ${c.error} errors; limits: count ${m.limits.count ?? 'unbounded'}, failureLimit ${m.limits.failureLimit}, inconclusiveLimit ${m.limits.inconclusiveLimit}${m.limits.consecutiveSuccessLimit > 0 ? `, consecutiveSuccessLimit ${m.limits.consecutiveSuccessLimit}` : ''}`,
      );
    }
  }
  writeLine();
  const verdict = paint(phaseColor(report.phase), report.phase);
  writeLine(`verdict: ${verdict}${report.interrupted ? ' (interrupted)' : ''} - ${report.message}`);
}

/** Where the arguments read from the lab came from, and a warning when there is no canary to judge. */
export function labArgsLine(fromLab: LabArgs): string {
  const each = Object.entries(fromLab.values)
    .map(([k, v]) => `${k}=${v} (${fromLab.sources[k]})`)
    .join(', ');
  const line = `from Rollout ${fromLab.rollout}, ${fromLab.where}: ${each}`;
  return fromLab.noCanary
    ? `${line}\n${paint('yellow', 'note')}: no canary in progress: the newest ReplicaSet is the stable one, so this judges the stable pods`
    : line;
}

/** Numbers in a rendered result, to 4 significant digits: [0.011827776776311368] -> [0.01183]. */
function shortValue(value: string): string {
  const short = value.replace(/-?\d+\.\d+(e[-+]?\d+)?/g, (n) =>
    String(Number.parseFloat(Number(n).toPrecision(4))),
  );
  return short.length > 40 ? `${short.slice(0, 37)}...` : short;
}

/** The table names the condition; its text is printed below the table. */
function shortReason(reason: string): string {
  const one = /^(successCondition|failureCondition) .* (is (?:true|false))$/s.exec(reason);
  if (one) return `${one[1]} ${one[2]}`;
  if (reason.startsWith('neither successCondition')) return 'neither condition is true';
  return reason;
}

/**
 * The WHY of a metric. A result that is NaN or empty is no data (a ratio over no requests is 0/0 = NaN): that is
 * said, rather than only that neither condition held, so "no traffic" is not read as "half good".
 */
export function whyColumn(m: { value?: string; reason: string; phase: string }): string {
  const noData = m.value !== undefined && /^\[?\s*(NaN(\s*,\s*NaN)*)?\s*\]?$/.test(m.value.trim());
  if (noData && m.phase !== 'Successful' && m.phase !== 'Failed') {
    const what = /NaN/.test(m.value ?? '') ? 'NaN' : 'empty';
    return `no data (result ${what}: no requests in the query's window?), so neither condition holds`;
  }
  return shortReason(m.reason);
}

function conditionValue(value: boolean | undefined): string {
  return value === undefined ? '' : ` -> ${value}`;
}
