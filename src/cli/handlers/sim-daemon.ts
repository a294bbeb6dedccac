/**
 * `gitops-lab sim-daemon` (hidden): runs the simulated lab until SIGTERM or SIGINT, logging to stdout (which
 * `up --simulate` points at the daemon's log file).
 */
import { z } from 'zod';
import { loadConfig } from '../../lab/config.js';
import { MAX_SPEED, runSimDaemon } from '../../lab/simulate/daemon.js';
import { kubeconfigFileForMerge } from '../../lab/simulate/kubeconfig.js';
import { defaultStreams, type OutputStreams, writeLine } from '../output.js';
import { parseOptions } from '../validate.js';

/** `--speed N`: how many times faster than the wall clock simulated time runs. */
export const speedOption = z.coerce
  .number({ error: `expected a number above 0 and at most ${MAX_SPEED}` })
  .refine((n) => Number.isFinite(n) && n > 0 && n <= MAX_SPEED, {
    error: `expected a number above 0 and at most ${MAX_SPEED}`,
  });

const SimDaemonOptionsSchema = z.object({
  speed: speedOption.default(1),
  kubeconfig: z.string().trim().min(1).optional(),
});

export async function run(
  rawOptions: Record<string, unknown>,
  streams: OutputStreams = defaultStreams,
): Promise<void> {
  const options = parseOptions(SimDaemonOptionsSchema, rawOptions, 'sim-daemon');
  const config = await loadConfig({});
  const log = (line: string) => writeLine(`${new Date().toISOString()} ${line}`, streams.stdout);
  const kubeconfig = options.kubeconfig ?? kubeconfigFileForMerge(config.kubeconfig);
  log(`starting the simulated lab (pid ${process.pid}, speed ${options.speed}x)`);
  const daemon = await runSimDaemon({ stateDir: config.stateDir, speed: options.speed, kubeconfig, log });
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      log(`${signal}: stopping`);
      process.removeListener('SIGTERM', stop);
      process.removeListener('SIGINT', stop);
      resolve();
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
  await daemon.close();
  log('stopped');
}
