/**
 * The in-cluster Git server's push credential: `up` generates it, keeps it in the Secret lab-git/git-server-push
 * and in its state file (mode 0600), and pushes with it; drills get it from the state. The last test runs the
 * Git server image's own lighttpd config (tests/support/lighttpd-git.ts) with the Secret `up` produced.
 */
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  emptyState,
  type LabState,
  labRepoToken,
  loadState,
  saveState,
  stateFile,
} from '../../../src/lab/bootstrap/state.js';
import { PUSH_USER, upSteps } from '../../../src/lab/bootstrap/steps.js';
import type { StepContext } from '../../../src/lab/bootstrap/types.js';
import { defaultConfig, type LabConfig } from '../../../src/lab/config.js';
import type { KubeObject } from '../../../src/lab/kube/types.js';
import { createRunner } from '../../../src/lab/tools/runner.js';
import { git, lighttpdAvailable, startGitServer } from '../../support/lighttpd-git.js';
import { stepContext } from '../../support/step-context.js';
import { tempDirsForEachTest } from '../../support/temp-dirs.js';

const tempDir = tempDirsForEachTest();

function context(config: LabConfig, state: LabState, applied: KubeObject[] = []): StepContext {
  return stepContext({
    config,
    state,
    runner: createRunner(),
    applyObjects: async (objects) => {
      applied.push(...objects);
    },
  });
}

async function gitServerApply(config: LabConfig, state: LabState): Promise<KubeObject[]> {
  const step = upSteps(config).find((s) => s.id === 'git-server');
  if (!step) throw new Error('no git-server step');
  const applied: KubeObject[] = [];
  await step.apply(context(config, state, applied));
  return applied;
}

function pushUsers(objects: KubeObject[]): string {
  const secret = objects.find((o) => o.kind === 'Secret' && o.metadata.name === 'git-server-push') as
    | (KubeObject & { data: { users: string } })
    | undefined;
  if (!secret) throw new Error('no Secret git-server-push applied');
  return Buffer.from(secret.data.users, 'base64').toString('utf8');
}

const podAnnotation = (objects: KubeObject[]) =>
  (
    objects.find((o) => o.kind === 'Deployment') as unknown as {
      spec: { template: { metadata: { annotations: Record<string, string> } } };
    }
  ).spec.template.metadata.annotations['gitops-lab/push-credential'];

describe('the Git server push credential', () => {
  it('is generated once per lab, applied as a Secret before the Deployment, and stable across re-runs', async () => {
    const config = defaultConfig({ GITOPS_LAB_STATE_DIR: await tempDir('gitops-lab-state-') });
    const state = emptyState(config);
    const first = await gitServerApply(config, state);
    const kinds = first.map((o) => o.kind);
    expect(kinds.indexOf('Secret')).toBeLessThan(kinds.indexOf('Deployment'));
    expect(first.find((o) => o.kind === 'Secret')?.metadata.namespace).toBe('lab-git');
    const users = pushUsers(first);
    expect(users).toMatch(new RegExp(`^${PUSH_USER}:[A-Za-z0-9_-]{32}\\n$`));
    expect(users).toContain(state.gitPush?.password);
    // A re-run with the same state: same Secret, same pod template (no restart).
    const again = await gitServerApply(config, state);
    expect(pushUsers(again)).toBe(users);
    expect(podAnnotation(again)).toBe(podAnnotation(first));
    // Another lab (or a lost state file): another credential, and the pod template changes with it.
    const other = await gitServerApply(config, emptyState(config));
    expect(pushUsers(other)).not.toBe(users);
    expect(podAnnotation(other)).not.toBe(podAnnotation(first));
  });

  it('is kept in a state file only its owner can read, also when an older file was world-readable', async () => {
    const config = defaultConfig({ GITOPS_LAB_STATE_DIR: await tempDir('gitops-lab-state-') });
    const state = emptyState(config);
    await gitServerApply(config, state);
    await saveState(config, { ...emptyState(config) });
    const { chmod } = await import('node:fs/promises');
    await chmod(stateFile(config), 0o644);
    await saveState(config, state);
    expect((await stat(stateFile(config))).mode & 0o777).toBe(0o600);
    expect((await loadState(config)).gitPush?.password).toBe(state.gitPush?.password);
    // Drills push with it; with --repo they use the token from the environment instead.
    expect(await labRepoToken(config, {})).toBe(state.gitPush?.password);
    const repoConfig = { ...config, git: { ...config.git, repo: 'https://example.invalid/lab.git' } };
    expect(await labRepoToken(repoConfig, { GITOPS_LAB_GIT_TOKEN: 'from-env' })).toBe('from-env');
  });
});

describe.runIf(lighttpdAvailable)('up pushes to the real Git server with the credential it generated', () => {
  it('the seed push is accepted, and the credential never shows in the recorded command lines', async () => {
    const config = defaultConfig({ GITOPS_LAB_STATE_DIR: await tempDir('gitops-lab-state-') });
    const state = emptyState(config);
    const users = pushUsers(await gitServerApply(config, state)).trim();
    const server = await startGitServer({ users: [users] });
    try {
      const pushConfig = { ...config, git: { ...config.git, pushUrl: server.url } };
      const seed = upSteps(pushConfig).find((s) => s.id === 'git-seed');
      const ctx = context(pushConfig, state);
      await seed?.apply(ctx);
      const head = (await git(['ls-remote', server.url, 'refs/heads/main'])).stdout.split('\t')[0];
      expect(head).toMatch(/^[0-9a-f]{40}$/);
      expect(state.git?.commit).toBe(head);
      const lines = ctx.runner.commands.map((c) => c.line).join('\n');
      expect(lines).toContain('push');
      expect(lines).not.toContain(state.gitPush?.password);
      // Someone else's push (no credential) is refused by the same server.
      const intruder = await tempDir('gitops-lab-intruder-');
      await git(['clone', '-q', server.url, intruder]);
      await writeFile(join(intruder, 'evil.yaml'), 'kind: ClusterRoleBinding\n');
      await git(['add', '-A'], { cwd: intruder });
      await git(['commit', '-q', '-m', 'evil'], { cwd: intruder });
      await expect(git(['push', '-q', 'origin', 'HEAD:main'], { cwd: intruder })).rejects.toThrow();
      expect((await git(['ls-remote', server.url, 'refs/heads/main'])).stdout.split('\t')[0]).toBe(head);
    } finally {
      await server.stop();
    }
  });
});
