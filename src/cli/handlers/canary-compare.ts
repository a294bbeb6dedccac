/** `gitops-lab canary compare`: validates flags, gathers the series, judges, renders. */
import { z } from 'zod';
import { UsageError } from '../../errors.js';
import { CRITICAL_ANNOTATION } from '../../lab/canary/annotations.js';
import { type CompareReport, compareFromFiles, compareFromPrometheus } from '../../lab/canary/compare.js';
import { parseDuration } from '../../lab/canary/duration.js';
import type { Direction, JudgeOptions } from '../../lab/canary/judge.js';
import { canaryPairFromLab } from '../../lab/canary/lab-args.js';
import { loadTemplate, parseArgFlags } from '../../lab/canary/template.js';
import { contextOption, rolloutOption } from '../option-schemas.js';
import { formatTable, paint, writeJson, writeLine } from '../output.js';
import { parseOptions } from '../validate.js';
import { defaultTemplatePath, labOnce, resolvePrometheus } from './canary-shared.js';

const number = (min: number, max: number, what: string) =>
  z.coerce.number({ error: `expected ${what}` }).refine((n) => Number.isFinite(n) && n >= min && n <= max, {
    message: `expected ${what}`,
  });
const duration = z
  .string()
  .refine((s) => (parseDuration(s) ?? 0) > 0, { message: 'expected a duration like 30s or 10m' });

const schema = z.object({
  prometheus: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
  context: contextOption,
  canary: z.string().min(1).optional(),
  baseline: z.string().min(1).optional(),
  rollout: rolloutOption,
  window: duration,
  step: duration,
  template: z.string().min(1).optional(),
  arg: z.array(z.string()).default([]),
  query: z.string().min(1).optional(),
  canaryFile: z.string().min(1).optional(),
  baselineFile: z.string().min(1).optional(),
  direction: z.array(z.string()).default([]),
  weight: z.array(z.string()).default([]),
  critical: z.array(z.string()).default([]),
  confidence: number(0.5, 0.9999, 'a confidence between 0.5 and 0.9999'),
  tolerance: number(0, 10, 'a fraction from 0 to 10'),
  allowedIncrease: number(0, 1e9, 'a ratio of 0 or more'),
  allowedDecrease: number(0, 1e9, 'a ratio of 0 or more'),
  passScore: number(0, 100, 'a score from 0 to 100'),
  marginalScore: number(0, 100, 'a score from 0 to 100'),
  json: z.boolean().optional(),
});

const directions = new Set(['increase', 'decrease', 'either']);

function parseDirections(flags: string[]): Record<string, Direction> {
  const out: Record<string, Direction> = {};
  for (const flag of flags) {
    const eq = flag.lastIndexOf('=');
    const metric = eq > 0 ? flag.slice(0, eq) : '*';
    const value = eq > 0 ? flag.slice(eq + 1) : flag;
    if (!directions.has(value)) {
      throw new UsageError(
        `--direction ${JSON.stringify(flag)}: the direction must be increase, decrease or either.`,
        {
          hint: 'Write --direction grounded-ratio=decrease, or --direction increase for every metric.',
        },
      );
    }
    out[metric] = value as Direction;
  }
  return out;
}

function parseWeights(flags: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const flag of flags) {
    const eq = flag.lastIndexOf('=');
    const weight = Number(flag.slice(eq + 1));
    if (eq <= 0 || !Number.isFinite(weight) || weight < 0) {
      throw new UsageError(`--weight ${JSON.stringify(flag)} is not metric=number (a number of 0 or more).`, {
        hint: 'Write --weight grounded-ratio=3.',
      });
    }
    out[flag.slice(0, eq)] = weight;
  }
  return out;
}

export async function run(rawOptions: unknown): Promise<void> {
  const options = parseOptions(schema, rawOptions, 'canary compare');
  if (options.marginalScore > options.passScore) {
    throw new UsageError('--marginal-score must not be above --pass-score.', {
      hint: 'Kayenta-like defaults are 75 and 95.',
    });
  }
  const judgeOptions: JudgeOptions = {
    confidence: options.confidence,
    tolerance: options.tolerance,
    allowedIncrease: options.allowedIncrease,
    allowedDecrease: options.allowedDecrease,
    passScore: options.passScore,
    marginalScore: options.marginalScore,
  };
  const directionMap = parseDirections(options.direction);
  const offline = options.canaryFile !== undefined || options.baselineFile !== undefined;
  let report: CompareReport;
  let pair: { canary: string; baseline: string; rollout?: string } | undefined;
  if (offline) {
    if (!options.canaryFile || !options.baselineFile) {
      throw new UsageError('--canary-file and --baseline-file go together.', {
        hint: 'Pass both JSON files.',
      });
    }
    if (options.prometheus || options.query || options.canary || options.baseline) {
      throw new UsageError(
        '--canary-file/--baseline-file compare files; do not combine them with --prometheus, --query, --canary or --baseline.',
      );
    }
    // The files are read (and a missing, folder or unreadable one named in words) by compareFromFiles.
    report = await compareFromFiles({
      canaryFile: options.canaryFile,
      baselineFile: options.baselineFile,
      direction: directionMap['*'] ?? directionMap.series ?? 'either',
      critical: options.critical,
      weights: parseWeights(options.weight),
      judge: judgeOptions,
    });
  } else {
    if ((options.canary === undefined) !== (options.baseline === undefined)) {
      throw new UsageError('--canary and --baseline go together.', {
        hint: 'e.g. --canary 6d4f9c7b8 --baseline 59b7d8c4f (pod-template hashes) or --canary \'app="x",track="canary"\'; pass neither to compare the lab\'s running canary with its stable pods.',
      });
    }
    const template = options.query
      ? undefined
      : await loadTemplate(options.template ?? defaultTemplatePath());
    const lab = labOnce(options.context);
    // Neither given: the lab's Rollout that runs the template says which pods are the canary and the stable ones.
    pair =
      options.canary && options.baseline
        ? { canary: options.canary, baseline: options.baseline }
        : await canaryPairFromLab(template?.name ?? (await loadTemplate(defaultTemplatePath())).name, {
            lab,
            rollout: options.rollout,
          });
    const prometheus = await resolvePrometheus(options.prometheus, 'canary compare', lab);
    try {
      report = await compareFromPrometheus({
        prometheus: prometheus.url,
        canary: pair.canary,
        baseline: pair.baseline,
        windowMs: parseDuration(options.window) as number,
        stepMs: parseDuration(options.step) as number,
        windowText: options.window,
        stepText: options.step,
        template,
        args: parseArgFlags(options.arg),
        query: options.query,
        directions: directionMap,
        weights: parseWeights(options.weight),
        critical: options.critical,
        judge: judgeOptions,
      });
    } finally {
      await prometheus.stop?.();
    }
  }
  const fromRollout = pair?.rollout;
  if (options.json) writeJson(fromRollout ? { ...report, fromRollout } : report);
  else render(report, fromRollout);
  process.exitCode = report.verdict === 'pass' ? 0 : report.verdict === 'fail' ? 1 : 2;
}

function fmt(value: number | null | undefined): string {
  if (value === null || value === undefined) return '-';
  return Number.parseFloat(value.toPrecision(3)).toString();
}

function render(report: CompareReport, fromRollout: string | undefined): void {
  if (report.source.kind === 'prometheus') {
    const s = report.source;
    writeLine(
      `canary ${s.canary} vs baseline ${s.baseline}${fromRollout ? ` (Rollout ${fromRollout}: its newest and its stable ReplicaSet)` : ''}, ${s.window} window at ${s.step} step, from ${s.prometheus}`,
    );
  } else {
    writeLine(`canary ${report.source.canaryFile} vs baseline ${report.source.baselineFile}`);
  }
  writeLine();
  const color = (c: string) => (c === 'Pass' ? 'green' : c === 'NoData' ? 'yellow' : 'red');
  writeLine(
    formatTable(
      [
        'METRIC',
        'BAD IF',
        'CLASS',
        'CANARY',
        'BASELINE',
        'SHIFT',
        `CI ${Math.round(report.options.confidence * 100)}%`,
        'P',
        'RATIO',
        'N',
      ],
      report.metrics.map((m) => [
        m.name,
        m.direction,
        paint(color(m.class), m.class),
        fmt(m.canary.median),
        fmt(m.baseline.median),
        fmt(m.estimate),
        m.ci ? `[${fmt(m.ci[0])}, ${fmt(m.ci[1])}]` : '-',
        fmt(m.p_value),
        fmt(m.deviation),
        `${m.canary.count}/${m.baseline.count}`,
      ]),
    ),
  );
  writeLine();
  for (const m of report.metrics) writeLine(`${m.name}: ${m.reason}`);
  if (report.critical.metrics.length > 0) {
    const fromFlags = report.critical.metrics.filter((m) => !report.critical.fromTemplate.includes(m));
    const parts = [
      report.critical.fromTemplate.length > 0
        ? `${report.critical.fromTemplate.join(', ')} (template annotation ${CRITICAL_ANNOTATION})`
        : '',
      fromFlags.length > 0 ? `${fromFlags.join(', ')} (--critical)` : '',
    ].filter(Boolean);
    writeLine();
    writeLine(
      `critical: ${parts.join('; ')}: any result but Pass (High, Low, no data) fails the comparison alone`,
    );
  }
  writeLine();
  const verdictColor = report.verdict === 'pass' ? 'green' : report.verdict === 'fail' ? 'red' : 'yellow';
  writeLine(
    `score ${report.score} -> ${paint(verdictColor, report.verdict)} (pass >= ${report.options.passScore}, marginal >= ${report.options.marginalScore}); ${report.reason}`,
  );
}
