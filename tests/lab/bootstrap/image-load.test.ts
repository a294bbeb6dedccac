/**
 * `up` loads the images it built into kind with `kind load docker-image`, except with Docker's containerd image
 * store, where that fails (kubernetes-sigs/kind#3795): then `docker save` + `kind load image-archive`.
 */
import { describe, expect, it } from 'vitest';
import { upSteps } from '../../../src/lab/bootstrap/steps.js';
import type { Step, StepContext } from '../../../src/lab/bootstrap/types.js';
import { type Command, createRecordingRunner } from '../../../src/lab/tools/runner.js';
import { stepContext } from '../../support/step-context.js';

function context(dockerInfo: object): StepContext {
  const respond = (c: Command) => {
    if (c.program === 'docker' && c.args[0] === 'info') return { stdout: `${JSON.stringify(dockerInfo)}\n` };
    if (c.program === 'docker' && c.args[0] === 'image') return { exitCode: 1 };
    return undefined;
  };
  return stepContext({ runner: createRecordingRunner(respond) });
}

const images = (ctx: StepContext) => upSteps(ctx.config).find((s) => s.id === 'images') as Step;
const lines = (ctx: StepContext) => ctx.runner.commands.map((c) => c.command.args.join(' '));

describe('up: loading images into kind', () => {
  it('uses kind load docker-image with the classic image store', async () => {
    const ctx = context({
      ServerVersion: '27.3.1',
      Driver: 'overlay2',
      DriverStatus: [['Backing Filesystem', 'extfs']],
    });
    await images(ctx).apply(ctx);
    const load = lines(ctx).filter((l) => l.startsWith('load '));
    expect(load).toHaveLength(1);
    expect(load[0]).toMatch(
      /^load docker-image ghcr\.io\/gitops-lab\/docqa:\w+ gitops-lab\/git-server:\w+ --name gitops-lab$/,
    );
    expect(lines(ctx).some((l) => l.startsWith('save'))).toBe(false);
  });

  it('goes through docker save (host platform) and kind load image-archive with the containerd image store', async () => {
    const ctx = context({
      ServerVersion: '29.1.3',
      Architecture: 'aarch64',
      Driver: 'overlayfs',
      DriverStatus: [['driver-type', 'io.containerd.snapshotter.v1']],
    });
    await images(ctx).apply(ctx);
    const all = lines(ctx);
    expect(all.some((l) => l.startsWith('load docker-image'))).toBe(false);
    const save = all.find((l) => l.startsWith('save '));
    expect(save).toMatch(
      /^save --platform linux\/arm64 --output (\S+images\.tar) ghcr\.io\/gitops-lab\/docqa:\w+ gitops-lab\/git-server:\w+$/,
    );
    const archive = /--output (\S+)/.exec(save ?? '')?.[1];
    expect(all).toContain(`load image-archive ${archive} --name gitops-lab`);
    expect(all.indexOf(`load image-archive ${archive} --name gitops-lab`)).toBeGreaterThan(
      all.indexOf(save ?? ''),
    );
  });

  it('leaves --platform out where docker save does not have it (before Docker 28)', async () => {
    const ctx = context({
      ServerVersion: '27.5.0',
      Architecture: 'x86_64',
      DriverStatus: [['driver-type', 'io.containerd.snapshotter.v1']],
    });
    await images(ctx).apply(ctx);
    expect(lines(ctx).find((l) => l.startsWith('save '))).toMatch(/^save --output /);
  });
});
