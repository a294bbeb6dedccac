/**
 * `gitops-lab up` end to end (fake cluster, fake kind and docker) with Docker's containerd image store: the
 * images reach the kind node through `docker save` + `kind load image-archive` (kubernetes-sigs/kind#3795),
 * never through `kind load docker-image`, and the temporary archive is removed.
 */
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { which } from '../../src/lab/tools/runner.js';
import { runCli } from '../support/cli.js';
import { type LabFixture, startLabFixture } from '../support/lab-fixture.js';

const gitAvailable = (await which('git')) !== undefined;

describe.runIf(gitAvailable)('gitops-lab up with the containerd image store', () => {
  let lab: LabFixture;
  afterEach(async () => {
    await lab?.close();
  });

  it('loads both images into kind through an image archive', async () => {
    lab = await startLabFixture();
    lab.bin.configure({ containerdImageStore: true });
    const result = await runCli(['up', '--json'], { cwd: lab.cwd, env: lab.env, timeoutMs: 90_000 });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const calls = lab.bin.calls();
    expect(
      calls.some((c) => c.program === 'kind' && c.args[0] === 'load' && c.args[1] === 'docker-image'),
    ).toBe(false);
    const save = calls.find((c) => c.program === 'docker' && c.args[0] === 'save');
    const archive = save?.args[save.args.indexOf('--output') + 1];
    expect(archive).toMatch(/images\.tar$/);
    expect(calls).toContainEqual(
      expect.objectContaining({
        program: 'kind',
        args: ['load', 'image-archive', archive, '--name', 'gitops-lab'],
      }),
    );
    const loaded = lab.bin.state().loaded['gitops-lab'] ?? [];
    expect(loaded.some((i) => i.startsWith('ghcr.io/gitops-lab/docqa:'))).toBe(true);
    expect(loaded.some((i) => i.startsWith('gitops-lab/git-server:'))).toBe(true);
    expect(existsSync(archive as string)).toBe(false);
  }, 120_000);
});
