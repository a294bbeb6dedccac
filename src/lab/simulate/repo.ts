/**
 * The simulated lab's Git repository: a real bare repository on disk holding what `up` pushes to the in-cluster Git
 * server (the package's manifests/ at the repository root, on `main`: src/lab/bootstrap/steps.ts, step git-seed), so
 * drills clone, commit and push with real git (ClonedLabRepo over its file:// URL) and the simulated repo-server
 * reads it with git (BareRepoSource, src/lab/sim/repo.ts).
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packagePath } from '../../paths.js';
import { git } from '../tools/git.js';

export interface SeededRepo {
  /** The bare repository's folder. */
  path: string;
  /** Its file:// URL (what `git clone` and the drills take). */
  url: string;
  branch: string;
  /** The seed commit. */
  commit: string;
}

/** The same author and date as `up`'s seed commit, so the seed is the same commit for the same manifests. */
const seedEnv = {
  GIT_AUTHOR_NAME: 'gitops-lab',
  GIT_AUTHOR_EMAIL: 'gitops-lab@localhost',
  GIT_COMMITTER_NAME: 'gitops-lab',
  GIT_COMMITTER_EMAIL: 'gitops-lab@localhost',
  GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z',
  GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z',
  GIT_TERMINAL_PROMPT: '0',
};

/**
 * Creates a bare repository at `path` (replacing whatever is there) whose `branch` holds one commit with the files
 * of `source` (default: the package's manifests/).
 */
export async function seedBareRepo(
  path: string,
  { source = packagePath('manifests'), branch = 'main' }: { source?: string; branch?: string } = {},
): Promise<SeededRepo> {
  await rm(path, { recursive: true, force: true });
  await git(['init', '-q', '--bare', '-b', branch, path]);
  const work = await mkdtemp(join(tmpdir(), 'gitops-lab-sim-seed-'));
  try {
    await cp(source, work, { recursive: true });
    const inWork = (args: string[]) => git(['-C', work, ...args], { env: seedEnv });
    await inWork(['init', '-q', '-b', branch]);
    await inWork(['add', '-A']);
    await inWork(['commit', '-q', '-m', 'gitops-lab up --simulate: seed the lab repository']);
    await inWork(['push', '-q', path, `HEAD:refs/heads/${branch}`]);
    const commit = (await inWork(['rev-parse', 'HEAD'])).stdout.trim();
    return { path, url: pathToFileURL(path).href, branch, commit };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
