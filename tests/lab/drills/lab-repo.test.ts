import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClonedLabRepo, editYamlText } from '../../../src/lab/drills/lab-repo.js';
import { packagePath } from '../../../src/paths.js';

function hasGit(): boolean {
  try {
    execFileSync('git', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const available = hasGit();

describe('editYamlText', () => {
  it('sets and deletes paths, keeping comments', async () => {
    const text = await readFile(packagePath('manifests', 'apps', 'docqa.yaml'), 'utf8');
    const out = editYamlText(text, [
      {
        file: 'apps/docqa.yaml',
        delete: ['spec.ignoreDifferences'],
        set: { 'metadata.annotations["drill/x"]': 'y' },
      },
    ]);
    expect(out).toContain('# The doc-QA service');
    expect(out).not.toMatch(/^\s+ignoreDifferences:/m);
    expect(out).toContain('drill/x: y');
  });

  it('appends to a list by index', async () => {
    const text = await readFile(packagePath('manifests', 'workloads', 'docqa', 'rollout.yaml'), 'utf8');
    const out = editYamlText(text, [
      {
        file: 'r',
        set: {
          'spec.template.spec.containers[0].env[1]': { name: 'DOCQA_FAULTS', value: 'wrong-retrieval' },
        },
      },
    ]);
    expect(out).toMatch(/- name: DOCQA_FAULTS\n\s+value: wrong-retrieval/);
  });
});

describe.runIf(available || process.env.CI === 'true')('ClonedLabRepo against a real Git repository', () => {
  let root: string;
  let bare: string;

  beforeAll(async () => {
    if (!available) throw new Error('git is required in CI: apt-get install git');
    root = await mkdtemp(join(tmpdir(), 'gitops-lab-repo-'));
    bare = join(root, 'lab.git');
    const seed = join(root, 'seed');
    execFileSync('git', ['init', '-q', '--bare', '-b', 'main', bare]);
    execFileSync('git', ['init', '-q', '-b', 'main', seed]);
    const rollout = await readFile(packagePath('manifests', 'workloads', 'docqa', 'rollout.yaml'), 'utf8');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(seed, 'workloads', 'docqa'), { recursive: true });
    await writeFile(join(seed, 'workloads', 'docqa', 'rollout.yaml'), rollout);
    const git = simpleGit(seed);
    await git.addConfig('user.name', 'seed').addConfig('user.email', 'seed@example.invalid');
    await git.add('.').commit('initial manifests');
    await git.push(bare, 'main');
  });
  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  const head = async () =>
    execFileSync('git', ['--git-dir', bare, 'log', '-5', '--format=%s', 'main'], { encoding: 'utf8' })
      .trim()
      .split('\n');
  const show = (file: string) =>
    execFileSync('git', ['--git-dir', bare, 'show', `main:${file}`], { encoding: 'utf8' });

  it('commits an edit and pushes it; the same edit again changes nothing', async () => {
    const repo = new ClonedLabRepo(bare);
    const edits = [{ file: 'workloads/docqa/rollout.yaml', set: { 'spec.replicas': 1 } }];
    const first = await repo.change(edits, 'drill(test): one replica');
    expect(first.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(show('workloads/docqa/rollout.yaml')).toMatch(/^ {2}replicas: 1$/m);
    const again = await repo.change(edits, 'drill(test): one replica');
    expect(again.commit).toBeUndefined();
    expect((await head())[0]).toBe('drill(test): one replica');
    // The newest commit on the remote, what Argo CD resolves HEAD to (a probe's `revision: head`).
    expect(await repo.newest()).toBe(first.commit);
  });

  it('reverts the drill commits once, so running the rollback twice is harmless', async () => {
    const repo = new ClonedLabRepo(bare);
    const first = await repo.revert('drill(test)');
    expect(first.reverted).toHaveLength(1);
    expect(show('workloads/docqa/rollout.yaml')).toMatch(/^ {2}replicas: 2$/m);
    const second = await repo.revert('drill(test)');
    expect(second.reverted).toEqual([]);
    expect((await head())[0]).toBe('Revert "drill(test): one replica"');
    expect(await repo.newest()).toBe(
      execFileSync('git', ['--git-dir', bare, 'rev-parse', 'main'], { encoding: 'utf8' }).trim(),
    );
  });

  it('never shows the token of an https repository in its errors', async () => {
    const repo = new ClonedLabRepo('https://127.0.0.1:1/lab.git', { token: 's3cret-token' });
    const error = (await repo
      .change([{ file: 'a.yaml', set: { a: 1 } }], 'x')
      .catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/^cannot clone the lab repository https:\/\/127\.0\.0\.1:1\/lab\.git/);
    expect(error.message).not.toContain('s3cret-token');
  });

  it('stops at once, committing nothing, when its signal is aborted', async () => {
    const repo = new ClonedLabRepo(bare);
    const before = await head();
    const controller = new AbortController();
    controller.abort();
    await expect(
      repo.change(
        [{ file: 'workloads/docqa/rollout.yaml', set: { 'spec.replicas': 4 } }],
        'drill(test): four',
        {
          signal: controller.signal,
        },
      ),
    ).rejects.toThrow(/cannot clone the lab repository/);
    expect(await head()).toEqual(before);
  });

  it('refuses paths outside the repository and files that do not exist', async () => {
    const repo = new ClonedLabRepo(bare);
    await expect(repo.change([{ file: '../etc/passwd', set: { a: 1 } }], 'x')).rejects.toThrow(
      /inside the lab repository/,
    );
    await expect(repo.change([{ file: 'nope.yaml', set: { a: 1 } }], 'x')).rejects.toThrow(
      /nope.yaml does not exist/,
    );
  });
});
