/**
 * `gitops-lab up --simulate [--speed N]`: starts the simulated lab's daemon in the background (or reports the one
 * running) and says how to use it; `--dry-run` says what it would start; `--json` prints one document.
 */
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { UsageError } from '../../errors.js';
import { loadConfig } from '../../lab/config.js';
import { kubeconfigFileForMerge } from '../../lab/simulate/kubeconfig.js';
import {
  daemonArgs,
  isDaemon,
  type SimStartResult,
  simLogFile,
  startSim,
} from '../../lab/simulate/lifecycle.js';
import { readSimState, SIM_CONTEXT, type SimState, simStateFile } from '../../lab/simulate/state.js';
import { defaultStreams, type OutputStreams, paint, writeLine } from '../output.js';
import { parseOptions } from '../validate.js';
import { speedOption } from './sim-daemon.js';

const SimulateOptionsSchema = z.object({
  simulate: z.literal(true),
  speed: speedOption.default(1),
  dryRun: z.boolean().default(false),
  json: z.boolean().default(false),
  showCredentials: z.boolean().optional(),
});

/** One JSON document on one line: `up --json` prints JSON lines, and this is one. */
function writeJsonLine(value: unknown, out: OutputStreams['stdout']): void {
  out.write(`${JSON.stringify(value)}\n`);
}

/** The CLI's own script (bin/gitops-lab.js), run again for the daemon. */
function cliCommand(): { program: string; args: string[] } {
  const script = process.argv[1] ?? fileURLToPath(new URL('../../../bin/gitops-lab.js', import.meta.url));
  return { program: process.execPath, args: [script] };
}

/** What the user sees of the state: no token. */
function publicState(state: SimState) {
  const { token: _, ...rest } = state;
  return rest;
}

export async function runSimulatedUp(
  rawOptions: Record<string, unknown>,
  streams: OutputStreams = defaultStreams,
): Promise<void> {
  for (const flag of ['context', 'repo'] as const)
    if (rawOptions[flag] !== undefined)
      throw new UsageError(
        `gitops-lab up --${flag}: cannot be combined with --simulate (the simulated lab has its own).`,
        {
          hint: `Run \`gitops-lab up --simulate\` alone, or \`gitops-lab up --${flag} …\` for a real cluster.`,
        },
      );
  const options = parseOptions(SimulateOptionsSchema, rawOptions, 'up');
  const config = await loadConfig({});
  const kubeconfig = kubeconfigFileForMerge(config.kubeconfig);
  const out = streams.stdout;
  if (options.dryRun) {
    const existing = await readSimState(config.stateDir).catch(() => undefined);
    const running = existing && isDaemon(existing) ? existing : undefined;
    const command = [
      process.execPath,
      ...daemonArgs({ speed: options.speed, kubeconfig, cli: cliCommand() }),
    ];
    const plan = {
      dryRun: true,
      simulated: true,
      running: running ? publicState(running) : null,
      wouldStart: running
        ? null
        : {
            command,
            speed: options.speed,
            context: SIM_CONTEXT,
            kubeconfig,
            state: simStateFile(config.stateDir),
            log: simLogFile(config.stateDir),
          },
    };
    if (options.json) {
      writeJsonLine(plan, out);
      return;
    }
    if (running) {
      writeLine(
        `The simulated lab is already running (pid ${running.pid}, speed ${running.speed}x); up --simulate would leave it as it is.`,
        out,
      );
    } else {
      writeLine(paint('bold', 'Plan (nothing will be changed)', out), out);
      writeLine(`+ would start the simulated lab in the background at speed ${options.speed}x:`, out);
      writeLine(`    $ ${command.join(' ')}`, out);
      writeLine(`+ would merge the context ${SIM_CONTEXT} into ${kubeconfig} and make it current`, out);
      writeLine(
        `+ would write ${simStateFile(config.stateDir)} and log to ${simLogFile(config.stateDir)}`,
        out,
      );
    }
    writeLine(`\nDry run: nothing was changed. Run \`gitops-lab up --simulate\` to do it.`, out);
    return;
  }
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const signal of signals) process.once(signal, onSignal);
  let result: SimStartResult;
  try {
    result = await startSim({
      stateDir: config.stateDir,
      speed: options.speed,
      kubeconfig,
      cli: cliCommand(),
      signal: controller.signal,
    });
  } finally {
    for (const signal of signals) process.removeListener(signal, onSignal);
  }
  if (options.json) {
    writeJsonLine(
      { simulated: true, alreadyRunning: result.alreadyRunning, ...publicState(result.state) },
      out,
    );
    return;
  }
  printStarted(result, streams);
}

function printStarted(result: SimStartResult, streams: OutputStreams): void {
  const out = streams.stdout;
  const s = result.state;
  if (result.cleanedStale)
    writeLine('A stale simulated lab (its process was gone) was cleaned up first.', out);
  writeLine(
    result.alreadyRunning
      ? `${paint('green', 'The simulated lab is already running', out)} (pid ${s.pid}, speed ${s.speed}x, context ${s.context}).`
      : `${paint('green', 'The simulated lab is ready', out)} (pid ${s.pid}, speed ${s.speed}x, context ${s.context}, now the current context).`,
    out,
  );
  writeLine(`  API server  ${s.apiServer}   (kubeconfig ${s.kubeconfig}, context ${s.context})`, out);
  writeLine(`  Git         ${s.repo.url}   (git clone / git push; the simulated Argo CD deploys main)`, out);
  // The note starts "Prometheus: real (...)" or "Prometheus: simulated, because ...": the row already names it.
  writeLine(`  Prometheus  ${s.prometheus.url}   ${s.prometheus.note.replace(/^Prometheus: /, '')}`, out);
  if (s.services)
    writeLine(
      `  doc-QA      ${s.services['docqa-stable']}   (Service docqa-stable; docqa-canary: ${s.services['docqa-canary']})`,
      out,
    );
  writeLine(`  Log         ${s.log}`, out);
  writeLine(
    `\nNext: \`kubectl --context ${s.context} get rollouts -n docqa\`, \`gitops-lab status\`, \`gitops-lab drill argo-vs-hpa\`; \`gitops-lab down\` stops it.`,
    out,
  );
}

/** `--speed` without `--simulate` is a mistake worth naming. */
export function checkSpeedWithoutSimulate(rawOptions: Record<string, unknown>): void {
  if (rawOptions.speed !== undefined && !rawOptions.simulate)
    throw new UsageError('gitops-lab up --speed: only applies to a simulated lab.', {
      hint: 'Run `gitops-lab up --simulate --speed N`.',
    });
}
