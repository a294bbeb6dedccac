/**
 * doctor's host checks: the inotify limits kind needs (kind's known issue "too many open files"), read from
 * /proc/sys through an injected probe, and the detection of Docker's containerd image store from `docker info`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type HostProbe,
  INOTIFY_MINIMUMS,
  inotifyFinding,
  usesContainerdImageStore,
} from '../../../src/lab/doctor/checks.js';

function host(values: Record<string, string | undefined>, platform: NodeJS.Platform = 'linux'): HostProbe {
  return { platform, readProcSys: async (path) => values[path] };
}

describe('inotify limits', () => {
  it('are fine at kind recommended values', async () => {
    const finding = await inotifyFinding(
      host({ 'fs/inotify/max_user_watches': '524288', 'fs/inotify/max_user_instances': '512' }),
    );
    expect(finding).toMatchObject({ id: 'inotify', ok: true, required: false });
    expect(finding?.detail).toBe('max_user_watches=524288, max_user_instances=512');
  });

  it('warn (never fail preflight) when below, and say the sysctl that fixes only what is low', async () => {
    const finding = await inotifyFinding(
      host({ 'fs/inotify/max_user_watches': '8192\n', 'fs/inotify/max_user_instances': '512' }),
    );
    expect(finding).toMatchObject({ ok: false, required: false });
    expect(finding?.detail).toContain('max_user_watches=8192');
    expect(finding?.fix).toContain(
      `sudo sysctl fs.inotify.max_user_watches=${INOTIFY_MINIMUMS.max_user_watches}`,
    );
    expect(finding?.fix).not.toContain('max_user_instances');
    const both = await inotifyFinding(
      host({ 'fs/inotify/max_user_watches': '8192', 'fs/inotify/max_user_instances': '128' }),
    );
    expect(both?.fix).toContain('fs.inotify.max_user_instances=512');
  });

  it('warn exactly when a readable limit is below kind recommendation, whatever /proc/sys holds', async () => {
    const value = fc.oneof(
      fc.nat({ max: 2_000_000 }).map(String),
      fc.nat({ max: 2_000_000 }).map((n) => ` ${n}\n`),
      fc.string(),
      fc.constant(undefined),
    );
    await fc.assert(
      fc.asyncProperty(value, value, async (watches, instances) => {
        const finding = await inotifyFinding(
          host({ 'fs/inotify/max_user_watches': watches, 'fs/inotify/max_user_instances': instances }),
        );
        const num = (v: string | undefined) =>
          v !== undefined && /^\s*\d+\s*$/.test(v) ? Number(v) : Number.NaN;
        const low =
          num(watches) < INOTIFY_MINIMUMS.max_user_watches ||
          num(instances) < INOTIFY_MINIMUMS.max_user_instances;
        expect(finding?.required).toBe(false);
        expect(finding?.ok).toBe(!low);
      }),
    );
  });

  it('are not checked where Docker runs in a VM, and say so when unreadable', async () => {
    expect(await inotifyFinding(host({}, 'darwin'))).toBeUndefined();
    const unreadable = await inotifyFinding(host({ 'fs/inotify/max_user_watches': 'garbage' }));
    expect(unreadable).toMatchObject({ ok: true, required: false });
    expect(unreadable?.detail).toMatch(/could not be read/);
  });
});

describe('Docker containerd image store', () => {
  it('is recognised by its snapshotter driver type, as `docker info` reports it', () => {
    expect(
      usesContainerdImageStore({
        Driver: 'overlayfs',
        DriverStatus: [['driver-type', 'io.containerd.snapshotter.v1']],
      }),
    ).toBe(true);
    expect(
      usesContainerdImageStore({ Driver: 'overlay2', DriverStatus: [['Backing Filesystem', 'extfs']] }),
    ).toBe(false);
    expect(usesContainerdImageStore({})).toBe(false);
  });
});
