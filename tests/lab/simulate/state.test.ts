import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PreconditionError } from '../../../src/errors.js';
import type { Clock } from '../../../src/lab/clock.js';
import {
  readSimState,
  removeSimState,
  type SimState,
  simAlive,
  simClock,
  simStateFile,
  writeSimState,
} from '../../../src/lab/simulate/state.js';

const state = (over: Partial<SimState> = {}): SimState => ({
  version: 1,
  pid: process.pid,
  context: 'gitops-lab-sim',
  speed: 20,
  clock: { wallOrigin: 1_000_000, simOrigin: 5_000_000 },
  apiServer: 'http://127.0.0.1:1234',
  token: 't0k3n',
  kubeconfig: '/tmp/kubeconfig',
  repo: { path: '/tmp/lab.git', url: 'file:///tmp/lab.git', branch: 'main' },
  prometheus: { url: 'http://127.0.0.1:9999', real: true, note: 'real Prometheus' },
  log: '/tmp/daemon.log',
  startedAt: '2026-12-02T12:00:00.000Z',
  ...over,
});

describe('simulated lab state file', () => {
  it('round-trips, is private to the user, and is gone after remove', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sim-state-'));
    expect(await readSimState(dir)).toBeUndefined();
    await writeSimState(dir, state());
    expect(await readSimState(dir)).toEqual(state());
    expect((await stat(simStateFile(dir))).mode & 0o777).toBe(0o600);
    await removeSimState(dir);
    expect(await readSimState(dir)).toBeUndefined();
  });

  it('names the file and the field when it is damaged', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sim-state-'));
    await writeSimState(dir, state());
    const file = simStateFile(dir);
    const raw = JSON.parse(await readFile(file, 'utf8'));
    await writeFile(file, JSON.stringify({ ...raw, speed: -1 }));
    await expect(readSimState(dir)).rejects.toThrow(PreconditionError);
    await expect(readSimState(dir)).rejects.toThrow(`${file}: speed:`);
    await writeFile(file, '{not json');
    await expect(readSimState(dir)).rejects.toThrow(/not valid JSON/);
  });

  it('tells a live daemon from a dead one', () => {
    expect(simAlive(state())).toBe(true);
    expect(simAlive(state({ pid: 2 ** 22 + 12345 }))).toBe(false);
  });

  it('reads the same simulated time in every process that shares the anchor', () => {
    let wall = 1_000_000;
    const timers: Array<{ at: number; fn: () => void }> = [];
    const base: Clock & { advance(ms: number): void } = {
      now: () => wall,
      setTimer(ms, fn) {
        timers.push({ at: wall + ms, fn });
        return () => {};
      },
      advance(ms) {
        wall += ms;
        for (const t of timers.splice(0)) {
          if (t.at <= wall) t.fn();
          else timers.push(t);
        }
      },
    };
    const clock = simClock(state(), base);
    expect(clock.now()).toBe(5_000_000);
    base.advance(3_000);
    // 3 s of wall time at 20x is a simulated minute.
    expect(clock.now()).toBe(5_060_000);
    let fired = false;
    clock.setTimer(20_000, () => {
      fired = true;
    });
    base.advance(999);
    expect(fired).toBe(false);
    base.advance(1);
    expect(fired).toBe(true);
  });
});
