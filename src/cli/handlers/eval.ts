/**
 * `gitops-lab eval`: validates the flags, runs the eval (src/evals), writes the requested reports and
 * renders the outcome. Exit code: 0 every gate holds, 1 a gate failed (errors: 2 usage, 3 unreachable target).
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { LabError, UsageError } from '../../errors.js';
import { type EvalResult, evaluate } from '../../evals/evaluate.js';
import { METRIC_NAMES, metricValue } from '../../evals/metrics.js';
import { formatDelta, formatMetric } from '../../evals/reports/markdown.js';
import { askUrlFor, checkReachable, httpTarget, inProcessTarget, type Target } from '../../evals/targets.js';
import { packagePath } from '../../paths.js';
import {
  defaultStreams,
  formatTable,
  isInteractive,
  type OutputStreams,
  paint,
  writeLine,
} from '../output.js';
import { parseOptions } from '../validate.js';

const intInRange = (min: number, max: number) =>
  z.coerce
    .number({ error: `expected a whole number from ${min} to ${max}` })
    .int({ error: `expected a whole number from ${min} to ${max}` })
    .min(min, { error: `expected a whole number from ${min} to ${max}` })
    .max(max, { error: `expected a whole number from ${min} to ${max}` });

const path = z.string().trim().min(1, { error: 'expected a path' });

export const EvalOptionsSchema = z.object({
  target: z.string().trim().min(1, { error: 'expected a URL' }).optional(),
  cases: path.optional(),
  corpus: path.optional(),
  mode: z
    .enum(['extractive', 'generative'], { error: 'expected extractive or generative' })
    .default('extractive'),
  concurrency: intInRange(1, 64).default(8),
  timeout: intInRange(1, 600_000).default(10_000),
  gates: path.optional(),
  json: path.optional(),
  junit: path.optional(),
  markdown: path.optional(),
  baseline: path.optional(),
  filter: z.string().optional(),
  repeat: intInRange(1, 100).default(1),
});

export type EvalOptions = z.output<typeof EvalOptionsSchema>;

function checkCombinations(options: EvalOptions, env: NodeJS.ProcessEnv): void {
  if (options.target !== undefined && options.corpus !== undefined) {
    throw new UsageError(
      '--corpus and --target cannot be used together: --corpus applies to the in-process service.',
      {
        hint: 'Start the target with the corpus you want (gitops-lab serve --corpus DIR), or drop --target.',
      },
    );
  }
  if (options.target !== undefined && options.mode === 'generative') {
    throw new UsageError('--mode generative applies to the in-process service, not to a --target.', {
      hint: 'Start the target in generative mode (gitops-lab serve --mode generative) and drop --mode.',
    });
  }
  if (options.mode === 'generative' && !env.GEMINI_API_KEY) {
    throw new UsageError('--mode generative needs GEMINI_API_KEY, which is not set.', {
      hint: 'Export GEMINI_API_KEY with a Gemini API key, or run the deterministic default (--mode extractive).',
    });
  }
  if (options.corpus !== undefined) {
    const dir = resolve(options.corpus);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      throw new UsageError(`--corpus ${options.corpus} is not a folder.`, {
        hint: 'Point --corpus at a folder of Markdown (.md) documents.',
      });
    }
  }
  const outputs = [options.json, options.junit, options.markdown].filter(
    (file) => file !== undefined && file !== '-',
  );
  if (new Set(outputs.map((file) => resolve(file as string))).size !== outputs.length) {
    throw new UsageError('--json, --junit and --markdown must name different files.', {
      hint: 'Give each report its own file name.',
    });
  }
  if (options.junit === '-' || options.markdown === '-') {
    throw new UsageError('Only --json can print to stdout ("-"); --junit and --markdown need a file name.', {
      hint: 'For example --junit eval.xml --markdown eval.md.',
    });
  }
}

/**
 * The target must be a doc-QA service, not just any server: its /openapi.json (part of the service contract,
 * docs/service.md "API") describes POST /v1/ask. Anything else would fail every case with the same 404.
 */
async function checkDocQa(base: string, timeoutMs: number): Promise<void> {
  const url = new URL(askUrlFor(base).replace(/\/v1\/ask$/, '/openapi.json'));
  let why: string;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    const text = await response.text();
    let document: { paths?: Record<string, { post?: unknown }> } | undefined;
    try {
      document = JSON.parse(text) as typeof document;
    } catch {
      document = undefined;
    }
    if (response.ok && document?.paths?.['/v1/ask']?.post) return;
    why = response.ok ? 'it does not describe POST /v1/ask' : `HTTP ${response.status}`;
  } catch (error) {
    why = error instanceof Error ? error.message : String(error);
  }
  throw new LabError(
    `The eval target ${base} is not a doc-QA service: GET ${url.pathname} gave ${why} (a doc-QA service describes POST /v1/ask there).`,
    3,
    {
      hint: 'Point --target at the base URL of a doc-QA service (`gitops-lab serve` prints it), e.g. http://127.0.0.1:8080.',
    },
  );
}

export async function run(rawOptions: unknown, streams: OutputStreams = defaultStreams): Promise<void> {
  const options = parseOptions(EvalOptionsSchema, rawOptions, 'eval');
  const env = process.env;
  checkCombinations(options, env);
  const jsonToStdout = options.json === '-';
  // With --json -, stdout carries the JSON only; everything for people goes to stderr.
  const human = jsonToStdout ? streams.stderr : streams.stdout;

  const createTarget = async (): Promise<Target> => {
    if (options.target !== undefined) {
      const target = httpTarget(options.target, { timeoutMs: options.timeout });
      await checkReachable(options.target, Math.min(options.timeout, 5000));
      await checkDocQa(options.target, Math.min(options.timeout, 5000));
      return target;
    }
    return inProcessTarget({
      timeoutMs: options.timeout,
      mode: options.mode,
      ...(options.corpus === undefined ? {} : { corpusDir: resolve(options.corpus) }),
      ...(env.DOCQA_FAULTS ? { faults: env.DOCQA_FAULTS } : {}),
      ...(options.mode === 'generative'
        ? {
            gemini: {
              apiKey: env.GEMINI_API_KEY,
              ...(env.DOCQA_GEMINI_BASE_URL ? { baseUrl: env.DOCQA_GEMINI_BASE_URL } : {}),
            },
          }
        : {}),
    });
  };

  const tty = isInteractive(streams.stderr);
  const { createProgressBar } = await import('../views/eval-progress.js');
  const progress = tty ? createProgressBar(streams.stderr, 'eval') : undefined;

  let result: EvalResult;
  try {
    result = await evaluate({
      casesPath: options.cases ?? packagePath('evals', 'cases'),
      gatesPath: options.gates ?? packagePath('evals', 'gates.yaml'),
      createTarget,
      mode: options.mode,
      ...(options.corpus === undefined ? {} : { corpus: options.corpus }),
      ...(options.filter === undefined ? {} : { filter: options.filter }),
      repeat: options.repeat,
      concurrency: options.concurrency,
      ...(options.baseline === undefined ? {} : { baselinePath: options.baseline }),
      onWarning: (message) =>
        writeLine(`${paint('yellow', 'warning:', streams.stderr)} ${message}`, streams.stderr),
      onStart: ({ cases, runs, target }) => {
        if (!tty) {
          const repeat = runs > cases ? ` × ${runs / cases} runs` : '';
          writeLine(
            `eval: replaying ${cases} cases${repeat} against ${target} (${options.concurrency} in flight)`,
            human,
          );
        }
      },
      ...(progress ? { onProgress: ({ done, total, failed }) => progress.update(done, total, failed) } : {}),
    });
  } finally {
    progress?.stop();
  }

  await writeReports(result, options, streams);
  renderSummary(result, human, options);
  process.exitCode = result.ok ? 0 : 1;
}

async function writeReports(result: EvalResult, options: EvalOptions, streams: OutputStreams): Promise<void> {
  const { writeReportFile } = await import('../../evals/reports/write.js');
  if (options.json === '-') {
    streams.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else if (options.json !== undefined) {
    await writeReportFile(options.json, `${JSON.stringify(result, null, 2)}\n`, '--json');
  }
  if (options.junit !== undefined) {
    const { renderJunit } = await import('../../evals/reports/junit.js');
    await writeReportFile(options.junit, renderJunit(result), '--junit');
  }
  if (options.markdown !== undefined) {
    const { renderMarkdown } = await import('../../evals/reports/markdown.js');
    await writeReportFile(options.markdown, renderMarkdown(result), '--markdown');
  }
}

function renderSummary(result: EvalResult, out: OutputStreams['stdout'], options: EvalOptions) {
  const color = out as { isTTY?: boolean };
  const runs = result.repeat > 1 ? ` × ${result.repeat} runs` : '';
  writeLine(
    `eval: ${result.total} cases${runs} against ${result.target} (${result.mode}) in ${(result.duration_ms / 1000).toFixed(2)} s: ` +
      `${paint('green', `${result.passed} passed`, color)}, ${result.failed > 0 ? paint('red', `${result.failed} failed`, color) : '0 failed'}`,
    out,
  );
  if (result.counts.fallbacks > 0) {
    writeLine(
      paint(
        'yellow',
        `${result.counts.fallbacks} of ${result.counts.runs} responses fell back to extractive mode`,
        color,
      ),
      out,
    );
  }
  const failures = result.cases.filter((item) => !item.passed);
  if (failures.length > 0) {
    writeLine('', out);
    writeLine(paint('bold', `Failing cases (${failures.length})`, color), out);
    writeLine(
      formatTable(
        ['case', 'expected', 'reason'],
        failures.map((item) => [item.id, item.expected.status, item.reason ?? 'failed']),
      ),
      out,
    );
  }
  writeLine('', out);
  writeLine(paint('bold', 'Metrics', color), out);
  const gateFor = new Map(result.gates.map((gate) => [gate.metric, gate]));
  const rows: string[][] = [];
  const metricRows = METRIC_NAMES.map((name) => [name, metricValue(result.metrics, name)] as const);
  const deltas = new Map(
    (result.baseline?.metrics ?? []).map((delta) => [delta.metric as string, delta.delta]),
  );
  for (const [name, value] of metricRows) {
    const gate = gateFor.get(name);
    const verdict =
      gate === undefined
        ? ''
        : !gate.measured
          ? paint('yellow', 'not measured', color)
          : gate.ok
            ? paint('green', 'ok', color)
            : paint('red', 'FAILED', color);
    const row = [name, formatMetric(name, value), gate ? `${gate.op} ${gate.threshold}` : '', verdict];
    if (result.baseline) {
      const delta = deltas.get(name);
      row.push(delta === undefined ? '' : formatDelta(name, delta));
    }
    rows.push(row);
  }
  writeLine(
    formatTable(['metric', 'value', 'gate', 'result', ...(result.baseline ? ['vs baseline'] : [])], rows),
    out,
  );

  const baseline = result.baseline;
  if (baseline) {
    writeLine('', out);
    writeLine(
      `Compared with ${baseline.file}: ${baseline.regressed.length} regressed, ${baseline.improved.length} improved` +
        `${baseline.added.length ? `, ${baseline.added.length} new` : ''}${baseline.removed.length ? `, ${baseline.removed.length} no longer run` : ''}`,
      out,
    );
    for (const item of baseline.regressed) {
      writeLine(
        `  ${paint('red', 'regressed', color)} ${item.id}${item.reason ? `: ${item.reason}` : ''}`,
        out,
      );
    }
    for (const item of baseline.improved)
      writeLine(`  ${paint('green', 'improved', color)}  ${item.id}`, out);
  }

  writeLine('', out);
  const failed = result.gates.filter((gate) => !gate.ok);
  if (result.gates.length === 0) {
    writeLine(paint('yellow', 'PASS: no gates defined (nothing was enforced)', color), out);
  } else if (failed.length === 0) {
    writeLine(paint('green', `PASS: all ${result.gates.length} gates hold`, color), out);
  } else {
    const list = failed
      .map(
        (gate) =>
          `${gate.metric} ${formatMetric(gate.metric, gate.value)} (needs ${gate.op} ${gate.threshold})`,
      )
      .join('; ');
    writeLine(
      paint('red', `FAIL: ${failed.length} of ${result.gates.length} gates failed: ${list}`, color),
      out,
    );
  }
  const written = [
    options.json && options.json !== '-' ? options.json : undefined,
    options.junit,
    options.markdown,
  ].filter(Boolean);
  if (written.length > 0) writeLine(`wrote ${written.join(', ')}`, out);
}
