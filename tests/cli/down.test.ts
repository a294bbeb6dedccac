import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { which } from '../../src/lab/tools/runner.js';
import { runCli } from '../support/cli.js';
import { installFakeBin } from '../support/fake-bin/index.js';
import { type LabFixture, startLabFixture } from '../support/lab-fixture.js';

const gitAvailable = (await which('git')) !== undefined;

describe.runIf(gitAvailable)('gitops-lab down', () => {
  let lab: LabFixture;
  afterEach(async () => {
    await lab?.close();
  });

  it('refuses without --yes when it cannot ask, and deletes the kind cluster and the state with --yes', async () => {
    lab = await startLabFixture();
    const up = await runCli(['up'], { cwd: lab.cwd, env: lab.env, timeoutMs: 90_000 });
    expect(up.code).toBe(0);
    const stateFile = join(lab.stateDir, 'kind-gitops-lab', 'state.json');
    expect(existsSync(stateFile)).toBe(true);

    const refused = await runCli(['down'], { cwd: lab.cwd, env: lab.env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('needs --yes');
    expect(lab.bin.state().clusters).toEqual(['gitops-lab']);

    const down = await runCli(['down', '--yes'], { cwd: lab.cwd, env: lab.env });
    expect(down.code).toBe(0);
    expect(down.stdout).toContain('Removed the kind cluster gitops-lab');
    expect(lab.bin.state().clusters).toEqual([]);
    expect(existsSync(stateFile)).toBe(false);
  }, 120_000);

  it('with --context removes only what up applied there, root app first, and leaves everything else', async () => {
    lab = await startLabFixture();
    lab.fake.seed({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'not-ours', namespace: 'default' },
    });
    // Someone else's kind cluster, reached through its context.
    lab.bin.setState({ clusters: ['gitops-lab'] });
    const env = lab.env;
    const up = await runCli(['up', '--context', 'kind-gitops-lab', '--json'], {
      cwd: lab.cwd,
      env,
      timeoutMs: 90_000,
    });
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    const deletesBefore = lab.fake.clientMutations().filter((m) => m.verb === 'delete').length;
    expect(deletesBefore).toBe(0);
    const down = await runCli(['down', '--context', 'kind-gitops-lab', '--yes', '--json'], {
      cwd: lab.cwd,
      env,
    });
    expect(down.code).toBe(0);
    const result = JSON.parse(down.stdout) as { deleted: string[]; kindCluster?: string };
    expect(result.kindCluster).toBeUndefined();
    expect(result.deleted[0]).toBe('Application argocd/lab-root');
    expect(result.deleted).toContain('Namespace lab-git');
    expect(lab.fake.get('argoproj.io/v1alpha1', 'Application', 'lab-root', 'argocd')).toBeUndefined();
    expect(lab.fake.get('v1', 'ConfigMap', 'not-ours', 'default')).toBeDefined();
    // The cluster itself is not ours to delete.
    expect(lab.bin.calls().filter((c) => c.program === 'kind' && c.args[0] === 'delete')).toEqual([]);
  }, 120_000);
});

describe('gitops-lab down on a machine with no lab', () => {
  it('says there is nothing to remove, and claims no removal of a state folder that never existed', async () => {
    const bin = await installFakeBin({ tools: ['kind'] });
    const cwd = mkdtempSync(join(tmpdir(), 'gitops-lab-down-'));
    const stateDir = join(cwd, 'never-created');
    try {
      const down = await runCli(['down', '--yes'], {
        cwd,
        env: { ...bin.env, FAKE_BIN_DIR: bin.dir, HOME: cwd, GITOPS_LAB_STATE_DIR: stateDir },
      });
      expect(down.stderr).toBe('');
      expect(down.code).toBe(0);
      expect(down.stdout).not.toContain('Removed');
      expect(down.stdout).toContain('Nothing in a cluster to remove');
      expect(down.stdout).toContain('No local state to remove either.');
      expect(existsSync(stateDir)).toBe(false);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
      rmSync(bin.dir, { recursive: true, force: true });
    }
  });
});
