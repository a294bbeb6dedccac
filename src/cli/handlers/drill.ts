/**
 * `gitops-lab drill`: list the catalogue, print a drill's plan (--dry-run), or run it (or only its rollback with
 * --recover) with a live view on a TTY, plain lines otherwise, or the journal with --json. Every run writes a
 * Markdown report. Ctrl-C (SIGINT), SIGTERM and SIGHUP (a closed terminal, a dropped SSH session) interrupt the
 * drill; the rollback always completes.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { PreconditionError, UsageError } from '../../errors.js';
import { systemClock } from '../../lab/clock.js';
import type { LabConfig } from '../../lab/config.js';
import type { DrillEvent } from '../../lab/drills/engine.js';
import type { DrillJournal, TimelineEntry } from '../../lab/drills/journal.js';
import type { Drill } from '../../lab/drills/load.js';
import type { DrillPlan } from '../../lab/drills/plan.js';
import type { SimTarget } from '../../lab/simulate/connect.js';
import { formatSpeed } from '../../lab/simulate/speed.js';
import { contextOption, speedOption } from '../option-schemas.js';
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
  speed: speedOption,
});

type DrillOptions = z.output<typeof optionsSchema>;

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
  const loaded = await loadConfig({ context: options.context, repo: options.repo });
  const sim = await simulatedLab(loaded, options);
  const config = sim?.config ?? loaded;
  const prometheusUrl =
    options.prometheus ?? sim?.prometheusUrl ?? `http://127.0.0.1:${config.ports.prometheus}`;
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
      sim,
    );
    return;
  }

  const { createKubeClient } = await import('../../lab/kube/client.js');
  let client: import('../../lab/kube/client.js').KubeClient;
  const context = labContext(config);
  try {
    client = createKubeClient({ kubeconfig: config.kubeconfig, context });
  } catch (error) {
    throw new PreconditionError(
      `cannot use kube context "${context}": ${(error as Error).message.replace(/\.$/, '')}.`,
      {
        hint: sim
          ? 'Restart the simulated lab (`gitops-lab down`, then `gitops-lab up --simulate`): it writes its context again.'
          : 'Create the lab with `gitops-lab up`, or pass --context NAME for an existing cluster.',
        cause: error,
      },
    );
  }
  const { drillEnvironment } = await import('../../lab/drills/wiring.js');
  const { labRepoToken } = await import('../../lab/bootstrap/state.js');
  const env = drillEnvironment({
    client,
    // The simulated lab's bare repository (a local file:// URL, no token) unless --repo says otherwise.
    repo: sim && !options.repo ? sim.repo : gitPushUrl(config),
    // The --repo token, or the in-cluster Git server's push credential that `up` keeps in its state.
    repoToken: sim && !options.repo ? undefined : await labRepoToken(config),
    prometheusUrl,
  });
  const wallQuery = env.prometheus;
  // The simulated lab's real Prometheus runs on wall time: the drill's range windows are divided by the lab's speed.
  const { simQueryRewrite } = await import('../../lab/simulate/connect.js');
  const rewrite = await simQueryRewrite(sim, options.prometheus);
  if (rewrite && wallQuery)
    env.prometheus = { query: (url, promql) => wallQuery.query(url, rewrite(promql)) };

  const { runDrill } = await import('../../lab/drills/engine.js');
  const controller = new AbortController();
  const view = await openView(drill, options, streams, sim);
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
      lock: { namespace: options.lockNamespace },
      recover: options.recover,
      // Against the simulated lab, the drill's windows, waits and timeouts run in its simulated time; the time
      // limits of Git and Kubernetes calls stay on the wall clock (they bound real processes and requests).
      ...(sim ? { clock: sim.clock, limitClock: systemClock } : {}),
    });
    if (sim) journal.simulated = { speed: sim.speed };
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

/**
 * The simulated lab when the context in use is `gitops-lab-sim` (src/lab/simulate/connect.ts), and the --speed
 * check: the speed is the daemon's, so --speed only confirms it. A dry run touches nothing and needs no lab: a sim
 * that is not running only means the plan does not say it would run there.
 */
async function simulatedLab(config: LabConfig, options: DrillOptions): Promise<SimTarget | undefined> {
  const { resolveSimLab, contextInUse } = await import('../../lab/simulate/connect.js');
  let sim: SimTarget | undefined;
  try {
    sim = await resolveSimLab(config);
  } catch (error) {
    if (!(options.dryRun && error instanceof PreconditionError)) throw error;
  }
  if (options.speed === undefined) return sim;
  if (!sim) {
    // A dry run checks --speed against a running simulated lab only: it needs no lab.
    if (options.dryRun) return sim;
    const context = await contextInUse(config);
    throw new UsageError(
      `--speed applies only to the simulated lab, and the kube context in use is ${context}.`,
      {
        hint: `Start the simulated lab with \`gitops-lab up --simulate --speed ${options.speed}\`, or drop --speed.`,
      },
    );
  }
  if (sim.speed !== options.speed) {
    throw new UsageError(
      `--speed ${options.speed}: the simulated lab runs at ${formatSpeed(sim.speed)}, not ${formatSpeed(options.speed)}; a drill runs at the lab's speed.`,
      {
        hint: `Drop --speed to run at ${formatSpeed(sim.speed)}, or restart the lab at ${formatSpeed(options.speed)}: \`gitops-lab down\`, then \`gitops-lab up --simulate --speed ${options.speed}\`.`,
      },
    );
  }
  return sim;
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

function renderPlan(
  plan: DrillPlan,
  options: DrillOptions,
  streams: OutputStreams,
  sim: SimTarget | undefined,
): void {
  if (options.json) {
    writeJson(
      { ...plan, dry_run: true, ...(sim ? { simulated: { speed: sim.speed } } : {}) },
      streams.stdout,
    );
    return;
  }
  const out = streams.stdout;
  writeLine(
    `${paint('bold', plan.title, out)} (${plan.drill}${plan.mode === 'recover' ? ', recover only' : ''}): dry run, nothing is touched${sim ? `; it would run on the simulated lab at ${formatSpeed(sim.speed)}` : ''}`,
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

function formatEntry(entry: TimelineEntry, out: OutputStreams['stdout'], simulated: boolean): string {
  const time = `${simulated ? 'sim ' : ''}${entry.at.slice(11, 19)}`;
  return `${time} ${paint('dim', `[${entry.phase}]`, out)} ${entry.level === 'info' ? entry.message : paint(levelColor[entry.level], entry.message, out)}`;
}

interface View {
  event: (event: DrillEvent) => void;
  notice: (message: string) => void;
  close: () => Promise<void>;
}

async function openView(
  drill: Drill,
  options: DrillOptions,
  streams: OutputStreams,
  sim: SimTarget | undefined,
): Promise<View> {
  const simulated = sim && { clock: sim.clock, speed: sim.speed };
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
    return openLiveView(drill, streams, simulated);
  }
  const out = streams.stdout;
  const { simTimeLabel } = await import('../views/sim-time.js');
  writeLine(
    `${paint('bold', drill.title, out)} (${drill.name})${simulated ? ` on the simulated lab, ${simTimeLabel(simulated.clock, simulated.speed)}: times are simulated` : ''}`,
    out,
  );
  return {
    event: (event) => {
      if (event.kind === 'timeline') writeLine(formatEntry(event.entry, out, simulated !== undefined), out);
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
        `  ${e.met ? paint('green', '✓', out) : paint('red', '✗', out)} ${e.statement}: ${e.detail}`,
        out,
      );
    }
  }
  writeLine(`lesson: ${journal.teaches}`, out);
  writeLine(`fix: ${journal.fix}`, out);
  if (journal.report) writeLine(`report: ${journal.report}`, out);
}
