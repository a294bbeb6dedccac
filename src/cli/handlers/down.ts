/**
 * `gitops-lab down`: stops the simulated lab when one runs (no question asked: it lives in memory), then shows what
 * will be removed of a kind lab, asks for confirmation (unless --yes), removes it. `--simulate` (or
 * `--context gitops-lab-sim`) touches only the simulated lab.
 */
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { z } from 'zod';
import { UsageError } from '../../errors.js';
import { planDown, runDown } from '../../lab/bootstrap/down.js';
import { loadConfig } from '../../lab/config.js';
import { type SimStopResult, stopSim } from '../../lab/simulate/lifecycle.js';
import { SIM_CONTEXT } from '../../lab/simulate/state.js';
import { contextOption } from '../option-schemas.js';
import { defaultStreams, isInteractive, type OutputStreams, paint, writeJson, writeLine } from '../output.js';
import { parseOptions } from '../validate.js';

const DownOptionsSchema = z.object({
  yes: z.boolean().default(false),
  json: z.boolean().default(false),
  context: contextOption,
  simulate: z.boolean().default(false),
});

function simLine(sim: SimStopResult): string {
  const how =
    sim.stopped === 'killed'
      ? 'killed after it did not stop on SIGTERM'
      : sim.stopped === 'terminated'
        ? 'stopped'
        : 'was not running';
  return `the simulated lab (pid ${sim.pid ?? '?'}: ${how}${sim.contextRemovedFrom ? `; context ${SIM_CONTEXT} removed from ${sim.contextRemovedFrom}` : ''}; its state ${sim.removed.join(', ') || 'folder'})`;
}

export async function run(
  rawOptions: Record<string, unknown>,
  streams: OutputStreams = defaultStreams,
): Promise<void> {
  const options = parseOptions(DownOptionsSchema, rawOptions, 'down');
  const out = streams.stdout;
  const simOnly = options.simulate || options.context === SIM_CONTEXT;
  const config = await loadConfig({ context: simOnly ? undefined : options.context });
  // The simulated lab goes with a plain `down` too; `down --context OTHER` leaves it alone.
  const sim = simOnly || !options.context ? await stopSim(config.stateDir) : undefined;
  const simFound = sim?.found ? sim : undefined;
  if (simOnly) {
    if (options.json) writeJson({ simulated: sim }, out);
    else if (simFound) writeLine(`${paint('green', '✓', out)} Removed ${simLine(simFound)}.`, out);
    else writeLine('No simulated lab to remove.', out);
    return;
  }
  if (simFound && !options.json) writeLine(`${paint('green', '✓', out)} Removed ${simLine(simFound)}.`, out);
  const plan = await planDown(config);
  const what = [
    ...(plan.kindCluster ? [`the kind cluster ${plan.kindCluster} (everything in it)`] : []),
    ...(plan.objects.length
      ? [`${plan.objects.length} objects \`up\` applied in context ${plan.context}`]
      : []),
    // Only a state folder that exists is removed (and said to be).
    ...(existsSync(dirname(plan.stateFile)) ? [`the local state ${dirname(plan.stateFile)}`] : []),
  ];
  const nothing = !plan.kindCluster && !plan.objects.length;
  if (nothing && !options.json && !(simFound && what.length === 0))
    writeLine(
      `Nothing in a cluster to remove for ${plan.context}${config.context ? ' (no record of what `up` applied there)' : ''}.`,
      out,
    );
  if (!options.yes && !nothing) {
    if (!isInteractive(process.stdin) || !isInteractive(out))
      throw new UsageError(
        'gitops-lab down needs --yes when it cannot ask for confirmation (not a terminal).',
        {
          hint: 'Run `gitops-lab down --yes` to remove the lab without asking.',
        },
      );
    writeLine(`This removes:\n${what.map((w) => `  - ${w}`).join('\n')}`, out);
    const rl = createInterface({ input: process.stdin, output: out });
    const answer = await rl.question('Continue? [y/N] ');
    rl.close();
    if (!/^y(es)?$/i.test(answer.trim())) {
      writeLine('Nothing was removed.', out);
      process.exitCode = 2;
      return;
    }
  }
  const result = await runDown(config, plan, {
    onProgress: options.json ? undefined : (line) => writeLine(`  ${line}`, out),
  });
  if (options.json) {
    writeJson(sim ? { ...result, simulated: sim } : result, out);
    return;
  }
  if (what.length) writeLine(`${paint('green', '✓', out)} Removed ${what.join(', ')}.`, out);
  else if (!simFound) writeLine('No local state to remove either.', out);
}
