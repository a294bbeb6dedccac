/**
 * `gitops-lab drill`: list the catalogue, print a drill's plan (--dry-run), or run it (or only its rollback with
 * --recover) with a live view on a TTY, plain lines otherwise, or the journal with --json. Every run writes a
 * Markdown report. Ctrl-C (SIGINT), SIGTERM and SIGHUP (a closed terminal, a dropped SSH session) interrupt the
 * drill; the rollback always completes.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { PreconditionError, UsageError } from '../../errors.js';
import type { DrillEvent } from '../../lab/drills/engine.js';
import type { DrillJournal, TimelineEntry } from '../../lab/drills/journal.js';
import type { Drill } from '../../lab/drills/load.js';
import type { DrillPlan } from '../../lab/drills/plan.js';
import { contextOption } from '../option-schemas.js';
import {
  defaultStreams,
  formatTable,
  isInteractive,
  type OutputStreams,
  outputWidth,
  paint,
  writeJson,
  writeLine,
} from '../output.js';
import { parseOptions } from '../validate.js';

const optionsSchema = z.object({
  name: z.string().min(1).optional(),
  dryRun: z.boolean().default(false),
  json: z.boolean().default(false),
  recover: z.boolean().default(false),
  context: contextOption,
  repo: z.string().min(1).optional(),
  prometheus: z.url({ message: 'expected a URL such as http://127.0.0.1:9090' }).optional(),
  var: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*=/, { message: 'expected name=value' })).default([]),
  drills: z.string().min(1).optional(),
  reportsDir: z.string().min(1).default('drills/reports'),
  lockNamespace: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { message: 'expected a namespace name' })
    .default('argocd'),
});

type DrillOptions = z.output<typeof optionsSchema>;

/** A test knob: GITOPS_LAB_DRILL_TIME_SCALE=0.01 runs every duration of a drill at 1/100. */
function timeScale(): number {
  const raw = process.env.GITOPS_LAB_DRILL_TIME_SCALE;
  if (raw === undefined || raw === '') return 1;
  const scale = Number(raw);
  if (!(scale > 0 && scale <= 1000)) {
    throw new UsageError(`GITOPS_LAB_DRILL_TIME_SCALE must be a number above 0, got ${JSON.stringify(raw)}.`);
  }
  return scale;
}

export async function run(raw: unknown, streams: OutputStreams = defaultStreams): Promise<void> {
  const options = parseOptions(optionsSchema, raw, 'drill');
  const { loadCatalogue, findDrill, defaultCatalogueDir } = await import('../../lab/drills/load.js');
  const catalogueDir = options.drills ? resolve(options.drills) : defaultCatalogueDir();

  if (!options.name) {
    if (options.dryRun || options.recover) {
      throw new UsageError(
        `gitops-lab drill ${options.dryRun ? '--dry-run' : '--recover'} needs a drill name.`,
        {
          hint: 'Run `gitops-lab drill` to list the drills.',
        },
      );
    }
    const drills = await loadCatalogue(catalogueDir);
    renderCatalogue(drills, options, streams);
    return;
  }

  const { loadConfig, labContext, gitPushUrl } = await import('../../lab/config.js');
  const config = await loadConfig({ context: options.context, repo: options.repo });
  const prometheusUrl = options.prometheus ?? `http://127.0.0.1:${config.ports.prometheus}`;
  const vars: Record<string, string> = { prometheus_url: prometheusUrl };
  for (const pair of options.var) {
    const at = pair.indexOf('=');
    vars[pair.slice(0, at)] = pair.slice(at + 1);
  }
  const drill = await findDrill(options.name, catalogueDir, { vars });

  if (options.dryRun) {
    const { planDrill } = await import('../../lab/drills/plan.js');
    renderPlan(
      planDrill(drill, { recover: options.recover, lockNamespace: options.lockNamespace }),
      options,
      streams,
    );
    return;
  }

  const scale = timeScale();
  const { createKubeClient } = await import('../../lab/kube/client.js');
  let client: import('../../lab/kube/client.js').KubeClient;
  const context = labContext(config);
  try {
    client = createKubeClient({ kubeconfig: config.kubeconfig, context });
  } catch (error) {
    throw new PreconditionError(
      `cannot use kube context "${context}": ${(error as Error).message.replace(/\.$/, '')}.`,
      {
        hint: 'Create the lab with `gitops-lab up`, or pass --context NAME for an existing cluster.',
        cause: error,
      },
    );
  }
  const { drillEnvironment } = await import('../../lab/drills/wiring.js');
  const { labRepoToken } = await import('../../lab/bootstrap/state.js');
  const env = drillEnvironment({
    client,
    repo: gitPushUrl(config),
    // The --repo token, or the in-cluster Git server's push credential that `up` keeps in its state.
    repoToken: await labRepoToken(config),
    prometheusUrl,
  });

  const { runDrill } = await import('../../lab/drills/engine.js');
  const controller = new AbortController();
  const view = await openView(drill, options, streams);
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts++;
    if (interrupts === 1) {
      view.notice(`${signal}: stopping the drill and rolling back (the rollback always completes)`);
      controller.abort(signal);
    } else {
      view.notice(`${signal} again: the rollback is still running and will finish; please wait`);
    }
  };
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const signal of signals) process.on(signal, onSignal);
  // After a hang-up the terminal is gone: writing to it fails (EIO), which must not stop the rollback or the report.
  const ignoreWriteErrors = () => {};
  streams.stdout.on('error', ignoreWriteErrors);
  streams.stderr.on('error', ignoreWriteErrors);
  let journal: DrillJournal;
  try {
    journal = await runDrill(drill, {
      env,
      signal: controller.signal,
      onEvent: view.event,
      timeScale: scale,
      lock: { namespace: options.lockNamespace },
      recover: options.recover,
    });
  } finally {
    for (const signal of signals) process.off(signal, onSignal);
    await view.close();
  }

  const { writeReport } = await import('../../lab/drills/report.js');
  journal.report = await writeReport(journal, resolve(options.reportsDir));
  if (options.json) writeJson(journal, streams.stdout);
  else renderVerdict(journal, streams);

  if (journal.precondition_failed) {
    throw new PreconditionError(`drill ${drill.name} did not start: ${journal.reason}.`, {
      hint: 'Bring the lab to its steady state first (`gitops-lab status` shows what is wrong), then run the drill again.',
    });
  }
  process.exitCode = journal.status === 'completed' ? 0 : 1;
}

function renderCatalogue(drills: Drill[], options: DrillOptions, streams: OutputStreams): void {
  if (options.json) {
    writeJson(
      drills.map((d) => ({
        name: d.name,
        title: d.title,
        teaches: d.teaches,
        runbook: d.runbook,
        file: d.file,
      })),
      streams.stdout,
    );
    return;
  }
  const out = streams.stdout;
  writeLine(paint('bold', `${drills.length} drills`, out), out);
  for (const d of drills) {
    writeLine('', out);
    writeLine(`${paint('bold', d.name, out)}  ${d.title}`, out);
    writeLine(`  ${d.teaches}`, out);
    writeLine(paint('dim', `  runbook: ${d.runbook}`, out), out);
  }
  writeLine('', out);
  writeLine('Run one with `gitops-lab drill <name>` (add --dry-run to see its steps first).', out);
}

function renderPlan(plan: DrillPlan, options: DrillOptions, streams: OutputStreams): void {
  if (options.json) {
    writeJson({ ...plan, dry_run: true }, streams.stdout);
    return;
  }
  const out = streams.stdout;
  writeLine(
    `${paint('bold', plan.title, out)} (${plan.drill}${plan.mode === 'recover' ? ', recover only' : ''}): dry run, nothing is touched`,
    out,
  );
  writeLine(
    formatTable(
      ['#', 'phase', 'step'],
      plan.steps.map((s, i) => [String(i + 1), s.phase, s.text]),
      { width: outputWidth(out) },
    ),
    out,
  );
}

const levelColor = { info: 'gray', ok: 'green', warn: 'yellow', error: 'red' } as const;

function formatEntry(entry: TimelineEntry, out: OutputStreams['stdout']): string {
  const time = entry.at.slice(11, 19);
  return `${time} ${paint('dim', `[${entry.phase}]`, out)} ${entry.level === 'info' ? entry.message : paint(levelColor[entry.level], entry.message, out)}`;
}

interface View {
  event: (event: DrillEvent) => void;
  notice: (message: string) => void;
  close: () => Promise<void>;
}

async function openView(drill: Drill, options: DrillOptions, streams: OutputStreams): Promise<View> {
  if (options.json) {
    // Progress goes to stderr so stdout holds only the journal.
    return {
      event: () => {},
      notice: (message) => writeLine(message, streams.stderr),
      close: async () => {},
    };
  }
  if (isInteractive(streams.stdout)) {
    const { openLiveView } = await import('../views/drill-live.js');
    return openLiveView(drill, streams);
  }
  const out = streams.stdout;
  writeLine(`${paint('bold', drill.title, out)} (${drill.name})`, out);
  return {
    event: (event) => {
      if (event.kind === 'timeline') writeLine(formatEntry(event.entry, out), out);
    },
    notice: (message) => writeLine(paint('yellow', message, out), out),
    close: async () => {},
  };
}

function renderVerdict(journal: DrillJournal, streams: OutputStreams): void {
  const out = streams.stdout;
  const ok = journal.status === 'completed';
  writeLine('', out);
  writeLine(
    `${paint(ok ? 'green' : 'red', `verdict: ${journal.status}`, out)}${journal.reason ? ` (${journal.reason})` : ''}`,
    out,
  );
  if (journal.observe) {
    for (const e of journal.observe.expectations) {
      writeLine(
        `  ${e.met ? paint('green', '✓', out) : paint('red', '✗', out)} ${e.description} ${e.expectation}: ${e.detail}`,
        out,
      );
    }
  }
  writeLine(`lesson: ${journal.teaches}`, out);
  writeLine(`fix: ${journal.fix}`, out);
  if (journal.report) writeLine(`report: ${journal.report}`, out);
}
