/**
 * What a running simulated lab (`gitops-lab up --simulate`) tells the CLI processes that talk to it: where its API
 * server, Git repository and Prometheus are, its daemon's pid, and its clock (speed and anchor), so `status`,
 * `drill` and `canary` read the same simulated time as the daemon. Kept as `<stateDir>/gitops-lab-sim/sim.json`,
 * mode 0600 (it holds the API server's bearer token), written atomically.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../../atomic-write.js';
import { PreconditionError } from '../../errors.js';
import { type Clock, scaledClock, systemClock } from '../clock.js';

/** The kube context (and cluster and user) name of the simulated lab. */
export const SIM_CONTEXT = 'gitops-lab-sim';

const simStateSchema = z.object({
  version: z.literal(1),
  pid: z.number().int().positive(),
  context: z.literal(SIM_CONTEXT),
  speed: z.number().positive(),
  /** Simulated time = simOrigin + (Date.now() - wallOrigin) * speed. */
  clock: z.object({ wallOrigin: z.number(), simOrigin: z.number() }),
  apiServer: z.string().min(1),
  token: z.string().min(1),
  /** The kubeconfig file the context was merged into. */
  kubeconfig: z.string().min(1),
  /** The lab's Git repository: a bare repository on disk (`url` is its file:// URL). */
  repo: z.object({ path: z.string().min(1), url: z.string().min(1), branch: z.string().min(1) }),
  prometheus: z.object({ url: z.string().min(1), real: z.boolean(), note: z.string() }),
  docqa: z
    .array(
      z.object({
        hash: z.string(),
        url: z.string(),
        role: z.enum(['stable', 'canary']),
        faults: z.string(),
      }),
    )
    .optional(),
  /** The docqa Services on 127.0.0.1 (src/lab/sim/live/services.ts); absent when the lab runs no live workloads. */
  services: z.object({ 'docqa-stable': z.string().min(1), 'docqa-canary': z.string().min(1) }).optional(),
  /** The daemon's log file. */
  log: z.string().min(1),
  startedAt: z.string().min(1),
});

export type SimState = z.infer<typeof simStateSchema>;

export function simStateFile(stateDir: string): string {
  return join(stateDir, SIM_CONTEXT, 'sim.json');
}

/** The running (or last) simulated lab's state; undefined when there is none. A damaged file is an error naming it. */
export async function readSimState(stateDir: string): Promise<SimState | undefined> {
  const file = simStateFile(stateDir);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new PreconditionError(`${file} is not valid JSON (${(error as Error).message}).`, {
      hint: 'Stop the simulated lab with `gitops-lab down` (it removes the file), then `gitops-lab up --simulate`.',
    });
  }
  const parsed = simStateSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new PreconditionError(
      `${file}: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}.`,
      {
        hint: 'Stop the simulated lab with `gitops-lab down` (it removes the file), then `gitops-lab up --simulate`.',
      },
    );
  }
  return parsed.data;
}

export async function writeSimState(stateDir: string, state: SimState): Promise<void> {
  await writeFileAtomic(simStateFile(stateDir), `${JSON.stringify(state, null, 2)}\n`, {
    createFolder: true,
    mode: 0o600,
  });
}

export async function removeSimState(stateDir: string): Promise<void> {
  await rm(simStateFile(stateDir), { force: true });
}

/** Whether the daemon is still running (signal 0: EPERM means it exists under another user). */
export function simAlive(state: Pick<SimState, 'pid'>): boolean {
  try {
    process.kill(state.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The simulated lab's clock, as the daemon runs it: the same speed, from the same anchor. */
export function simClock(state: Pick<SimState, 'speed' | 'clock'>, base: Clock = systemClock): Clock {
  return scaledClock(state.speed, base, { wall: state.clock.wallOrigin, sim: state.clock.simOrigin });
}
