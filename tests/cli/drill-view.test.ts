import { Writable } from 'node:stream';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { sparkline } from '../../src/cli/views/drill-sparkline.js';
import { loadDrillFile } from '../../src/lab/drills/load.js';
import { fixture } from '../lab/drills/lab-sim.js';

// Under CI (any value but 0 or false) ink draws no frame until the view closes (ink.js, is-in-ci, read when ink
// loads); the CLI then prints plain lines instead (output.ts isInteractive). This file tests the frames a terminal
// sees, so it loads ink (imported lazily below) as outside CI.
vi.stubEnv('CI', 'false');
vi.stubEnv('CONTINUOUS_INTEGRATION', 'false');
afterAll(() => {
  vi.unstubAllEnvs();
});

class FakeTty extends Writable {
  isTTY = true;
  columns = 120;
  rows = 40;
  text = '';
  private waiters: Array<() => void> = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    for (const w of this.waiters) w();
    done();
  }

  /** Resolves once the screen (without escape codes) shows `text`; the test's timeout bounds it. */
  async shows(text: string): Promise<void> {
    const { stripVTControlCharacters } = await import('node:util');
    await new Promise<void>((resolve) => {
      const check = () => {
        if (!stripVTControlCharacters(this.text).includes(text)) return;
        this.waiters = this.waiters.filter((w) => w !== check);
        resolve();
      };
      this.waiters.push(check);
      check();
    });
  }
}

describe('drill live view', () => {
  it('draws a sparkline that shows a flapping value', () => {
    expect(sparkline([1, 2, 1, 2, 1])).toBe('▁█▁█▁');
    expect(sparkline([3, 3, 3])).toBe('▄▄▄');
    expect(sparkline([])).toBe('');
    expect(
      sparkline(
        Array.from({ length: 100 }, (_, i) => i),
        10,
      ),
    ).toHaveLength(10);
  });

  it('renders the phase, the sparkline of a numeric probe and the timeline on a TTY', async () => {
    const { openLiveView } = await import('../../src/cli/views/drill-live.js');
    const drill = await loadDrillFile(fixture('scale-drill'));
    const stdout = new FakeTty();
    const stderr = new FakeTty();
    const view = openLiveView(drill, { stdout, stderr });
    const at = new Date().toISOString();
    view.event({
      kind: 'timeline',
      entry: {
        at,
        offset_ms: 0,
        phase: 'inject',
        level: 'info',
        message: '→ scale Rollout docqa/docqa to 5',
      },
    });
    for (const [t, v] of [1, 2, 1, 2].entries()) {
      view.event({
        kind: 'sample',
        probe: 'replicas',
        description: 'spec.replicas of the Rollout',
        t,
        ok: true,
        value: v,
        numeric: v,
      });
    }
    view.event({
      kind: 'timeline',
      entry: { at, offset_ms: 10, phase: 'observe', level: 'ok', message: '✓ the replica count flaps' },
    });
    view.notice('SIGINT: stopping the drill and rolling back');
    await stdout.shows('SIGINT: stopping the drill and rolling back');
    await view.close();
    const { stripVTControlCharacters } = await import('node:util');
    const screen = stripVTControlCharacters(stdout.text);
    expect(screen).toContain('Scale the docqa Rollout by hand');
    expect(screen).toContain('phase: observe');
    expect(screen).toContain('▁█▁█ 2 spec.replicas of the Rollout');
    expect(screen).toContain('[inject] → scale Rollout docqa/docqa to 5');
    expect(screen).toContain('SIGINT: stopping the drill and rolling back');
  });
});

describe('drill live view on the simulated lab', () => {
  it('shows the simulated time and speed in its header, and "sim" before each timeline time', async () => {
    const { openLiveView } = await import('../../src/cli/views/drill-live.js');
    const drill = await loadDrillFile(fixture('scale-drill'));
    const stdout = new FakeTty();
    const stderr = new FakeTty();
    // A simulated lab standing at 12:03:41 (its clock does not move here).
    const at = Date.UTC(2026, 11, 2, 12, 3, 41);
    const clock = { now: () => at, setTimer: () => () => {} };
    const view = openLiveView(drill, { stdout, stderr }, { clock, speed: 20 });
    view.event({
      kind: 'timeline',
      entry: {
        at: new Date(at - 5000).toISOString(),
        offset_ms: 0,
        phase: 'inject',
        level: 'info',
        message: '→ scale Rollout docqa/docqa to 5',
      },
    });
    await stdout.shows('[inject] → scale Rollout docqa/docqa to 5');
    await view.close();
    const { stripVTControlCharacters } = await import('node:util');
    const screen = stripVTControlCharacters(stdout.text);
    expect(screen).toContain('phase: inject sim 12:03:41 (20x)');
    expect(screen).toContain('sim 12:03:36 [inject] → scale Rollout docqa/docqa to 5');
  });
});
