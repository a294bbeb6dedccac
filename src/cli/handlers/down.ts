/** `gitops-lab down`: shows what will be removed, asks for confirmation (unless --yes), removes it. */
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { z } from 'zod';
import { UsageError } from '../../errors.js';
import { planDown, runDown } from '../../lab/bootstrap/down.js';
import { loadConfig } from '../../lab/config.js';
import { contextOption } from '../option-schemas.js';
import { defaultStreams, isInteractive, type OutputStreams, paint, writeJson, writeLine } from '../output.js';
import { parseOptions } from '../validate.js';

const DownOptionsSchema = z.object({
  yes: z.boolean().default(false),
  json: z.boolean().default(false),
  context: contextOption,
});

export async function run(
  rawOptions: Record<string, unknown>,
  streams: OutputStreams = defaultStreams,
): Promise<void> {
  const options = parseOptions(DownOptionsSchema, rawOptions, 'down');
  const config = await loadConfig({ context: options.context });
  const plan = await planDown(config);
  const out = streams.stdout;
  const what = [
    ...(plan.kindCluster ? [`the kind cluster ${plan.kindCluster} (everything in it)`] : []),
    ...(plan.objects.length
      ? [`${plan.objects.length} objects \`up\` applied in context ${plan.context}`]
      : []),
    // Only a state folder that exists is removed (and said to be).
    ...(existsSync(dirname(plan.stateFile)) ? [`the local state ${dirname(plan.stateFile)}`] : []),
  ];
  const nothing = !plan.kindCluster && !plan.objects.length;
  if (nothing && !options.json)
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
    writeJson(result, out);
    return;
  }
  if (what.length) writeLine(`${paint('green', '✓', out)} Removed ${what.join(', ')}.`, out);
  else writeLine('No local state to remove either.', out);
}
