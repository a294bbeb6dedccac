/**
 * The simulated lab's Git repository: a real bare repository holding what `up` pushes to the in-cluster Git server
 * (manifests/ at the root, on main), read by the simulated repo-server (BareRepoSource) and changed by drills with
 * real git (ClonedLabRepo).
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ClonedLabRepo } from '../../../src/lab/drills/lab-repo.js';
import { BareRepoSource } from '../../../src/lab/sim/repo.js';
import { seedBareRepo } from '../../../src/lab/simulate/repo.js';
import { packagePath } from '../../../src/paths.js';

describe('seeding the simulated lab repository', () => {
  it('holds every file of manifests/ on main, and the repo-server model reads them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sim-repo-'));
    const repo = await seedBareRepo(join(dir, 'lab.git'));
    expect(repo.url).toBe(`file://${join(dir, 'lab.git')}`);
    expect(repo.branch).toBe('main');
    const git = (...args: string[]) =>
      execFileSync('git', ['--git-dir', repo.path, ...args], { encoding: 'utf8' }).trim();
    expect(git('rev-parse', 'refs/heads/main')).toBe(repo.commit);
    const files = git('ls-tree', '-r', '--name-only', 'main').split('\n');
    const expected = execFileSync('git', ['ls-files', '--others', '--cached', '--exclude-standard', '.'], {
      cwd: packagePath('manifests'),
      encoding: 'utf8',
    })
      .trim()
      .split('\n');
    expect(files.sort()).toEqual(expected.sort());
    expect(files).toContain('workloads/docqa/rollout.yaml');
    expect(files).toContain('apps/docqa.yaml');

    const source = new BareRepoSource(repo.path);
    expect(source.head.sha).toBe(repo.commit);
    expect(source.yaml('workloads/docqa/hpa.yaml')).toEqual(
      parse(await readFile(packagePath('manifests', 'workloads', 'docqa', 'hpa.yaml'), 'utf8')),
    );
  });

  it('a drill commits and pushes to it with real git, and the repo-server sees the new head', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sim-repo-'));
    const repo = await seedBareRepo(join(dir, 'lab.git'));
    const source = new BareRepoSource(repo.path);
    const drillRepo = new ClonedLabRepo(repo.url);
    const result = await drillRepo.change(
      [{ file: 'workloads/docqa/rollout.yaml', document: { kind: 'Rollout' }, set: { 'spec.replicas': 1 } }],
      'drill(test): one replica',
    );
    expect(result.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(source.head.sha).toBe(result.commit);
    expect((source.yaml('workloads/docqa/rollout.yaml').spec as { replicas?: number }).replicas).toBe(1);
    // The seed is still readable at its own commit.
    expect(
      (source.yaml('workloads/docqa/rollout.yaml', repo.commit).spec as { replicas?: number }).replicas,
    ).not.toBe(1);
  });

  it('a second seed replaces the repository (a new simulated lab starts from the manifests again)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sim-repo-'));
    const first = await seedBareRepo(join(dir, 'lab.git'));
    await new ClonedLabRepo(first.url).change(
      [{ file: 'workloads/docqa/rollout.yaml', document: { kind: 'Rollout' }, set: { 'spec.replicas': 1 } }],
      'drill(test): one replica',
    );
    const second = await seedBareRepo(join(dir, 'lab.git'));
    // Same content, same author and date: the same seed commit.
    expect(second.commit).toBe(first.commit);
    expect(new BareRepoSource(second.path).head.sha).toBe(first.commit);
  });
});
