/** A live simulated lab (real doc-QA processes) on a scaled clock, in a temporary folder, closed after each test. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { type Clock, scaledClock } from '../../src/lab/clock.js';
import { type SimLab, startSimLab } from '../../src/lab/sim/lab.js';
import type { LiveOptions } from '../../src/lab/sim/live/index.js';

export interface LiveLab {
  lab: SimLab;
  clock: Clock;
  /** What the live lab logged (processes started and stopped, Prometheus). */
  lines: string[];
}

/** Registers the clean-up; `start` starts a live lab at `speed` (options as LiveOptions, without dir and speed). */
export function liveLabs(speed: number): {
  start(options?: Omit<LiveOptions, 'dir' | 'speed'>): Promise<LiveLab>;
} {
  let lab: SimLab | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await lab?.close();
    lab = undefined;
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });
  return {
    async start(options = {}) {
      dir = await mkdtemp(join(tmpdir(), 'gitops-lab-live-'));
      const clock = scaledClock(speed);
      const lines: string[] = [];
      lab = await startSimLab({ clock, live: { log: (line) => lines.push(line), ...options, dir, speed } });
      return { lab, clock, lines };
    },
  };
}
