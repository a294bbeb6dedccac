/**
 * Test support for `pin`: a throwaway Git repository holding a copy of the package's real manifests/ (and the
 * pin fixtures), committed once, plus helpers to read its files and history.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
export const fixtures = join(repoRoot, 'tests', 'fixtures', 'pin');

export const gitAvailable = spawnSync('git', ['--version'], { stdio: 'ignore' }).status === 0;

/** Identity and isolation for every git call in the tests (no global config, no hooks, no signing). */
export const gitEnv: NodeJS.ProcessEnv = {
  GIT_AUTHOR_NAME: 'Pin Test',
  GIT_AUTHOR_EMAIL: 'pin-test@example.invalid',
  GIT_COMMITTER_NAME: 'Pin Test',
  GIT_COMMITTER_EMAIL: 'pin-test@example.invalid',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
};

export const digestA = `sha256:${'0123456789abcdef'.repeat(4)}`;
export const digestB = `sha256:${'fedcba9876543210'.repeat(4)}`;
export const docqa = 'ghcr.io/gitops-lab/docqa';
export const kustomizationPath = 'manifests/workloads/docqa/kustomization.yaml';

export interface LabRepo {
  dir: string;
  git(...args: string[]): string;
  read(path: string): string;
  /** Every file's content under the repository (except .git), for "nothing changed" checks. */
  snapshot(): Record<string, string>;
  head(): string;
  commitCount(): number;
  remove(): void;
}

export function createLabRepo(options: { withFixtures?: boolean } = {}): LabRepo {
  const dir = mkdtempSync(join(tmpdir(), 'gitops-lab-pin-'));
  cpSync(join(repoRoot, 'manifests'), join(dir, 'manifests'), { recursive: true });
  if (options.withFixtures) cpSync(join(fixtures, 'plain'), join(dir, 'plain'), { recursive: true });
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: dir, env: { ...process.env, ...gitEnv }, encoding: 'utf8' }).trim();
  git('init', '-q', '-b', 'main');
  // pin's own git calls (simple-git, in this process) need an identity on a machine without global config.
  git('config', 'user.name', 'Pin Test');
  git('config', 'user.email', 'pin-test@example.invalid');
  git('config', 'commit.gpgsign', 'false');
  git('add', '-A');
  git('commit', '-q', '-m', 'lab manifests');
  const snapshot = () => {
    const files = git('ls-files', '--cached', '--others', '--exclude-standard').split('\n').filter(Boolean);
    return Object.fromEntries(files.sort().map((file) => [file, readFileSync(join(dir, file), 'utf8')]));
  };
  return {
    dir,
    git,
    read: (path) => readFileSync(join(dir, path), 'utf8'),
    snapshot,
    head: () => git('rev-parse', 'HEAD'),
    commitCount: () => Number(git('rev-list', '--count', 'HEAD')),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
