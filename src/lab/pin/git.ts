/**
 * The Git side of `pin --commit`: find the repository that holds the pinned file, refuse a working tree with
 * uncommitted changes, name the source commit, and commit exactly one file. Every git call's exit status is
 * checked (src/lab/tools/git.ts), and a commit counts only when HEAD moved to a new commit whose parent is the
 * old HEAD and which holds the pinned file as written: a hook that refuses the commit without a word (`exit 1`)
 * is a failure, never a reported success.
 */
import { realpath } from 'node:fs/promises';
import { dirname, relative, sep } from 'node:path';
import { ExitCode, LabError, UsageError } from '../../errors.js';
import { GitCommandError, git, summariseGitError } from '../tools/git.js';

export interface PinRepository {
  root: string;
  /** The pinned file relative to the repository root, with `/` separators. */
  file: string;
}

const run = (root: string, args: string[]) => git(args, { cwd: root });

export async function openRepository(filePath: string): Promise<PinRepository> {
  const real = await realpath(filePath);
  let root: string;
  try {
    root = (await git(['rev-parse', '--show-toplevel'], { cwd: dirname(real) })).stdout.trim();
  } catch {
    throw new UsageError(`--commit: ${filePath} is not inside a Git repository.`, {
      hint: 'Run pin inside a clone of the lab repository, or drop --commit and commit the change yourself.',
    });
  }
  const file = relative(await realpath(root), real)
    .split(sep)
    .join('/');
  try {
    await run(root, ['ls-files', '--error-unmatch', '--', file]);
  } catch {
    throw new UsageError(`--commit: ${file} is not tracked by Git in ${root}.`, {
      hint: 'Add and commit the manifest first; pin commits changes to files Git already knows.',
    });
  }
  return { root, file };
}

/** Staged or unstaged changes to tracked files (untracked files cannot enter the pin commit and are ignored). */
export async function assertCleanWorkingTree(repository: PinRepository): Promise<void> {
  const status = await run(repository.root, ['status', '--porcelain', '--untracked-files=no']);
  const files = status.stdout
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => line.slice(3));
  if (files.length === 0) return;
  const shown = files.slice(0, 5).join(', ');
  const more = files.length > 5 ? ` and ${files.length - 5} more` : '';
  throw new UsageError(
    `--commit: the working tree of ${repository.root} has uncommitted changes (${shown}${more}); nothing was pinned.`,
    {
      hint: 'Commit or stash those changes first, so the pin commit holds the pin and nothing else.',
    },
  );
}

async function head(root: string): Promise<string | undefined> {
  const result = await git(['rev-parse', '--verify', '-q', 'HEAD'], { cwd: root, allowFailure: true });
  return result.exitCode === 0 ? result.stdout.trim() : undefined;
}

/** The commit the image was built from: $GITHUB_SHA in GitHub Actions, otherwise the repository's HEAD. */
export async function sourceCommit(
  repository: PinRepository,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const fromCi = env.GITHUB_SHA?.trim();
  if (fromCi && /^[0-9a-f]{7,64}$/i.test(fromCi)) return fromCi.toLowerCase();
  const sha = await head(repository.root);
  if (!sha) {
    throw new UsageError(`--commit: the repository at ${repository.root} has no commits yet.`, {
      hint: 'Commit the manifests first, then pin.',
    });
  }
  return sha;
}

function commitFailed(repository: PinRepository, reason: string, cause?: unknown): LabError {
  return new LabError(`--commit: git could not commit ${repository.file}: ${reason}`, ExitCode.failed, {
    hint: 'Check `git config user.name` / `user.email` (CI must set an identity) and the repository hooks (pre-commit, commit-msg), then run pin again.',
    cause,
  });
}

/** Commits only `repository.file` and returns the new commit's full hash, after checking it is really there. */
export async function commitFile(repository: PinRepository, message: string): Promise<string> {
  const { root, file } = repository;
  const before = await head(root);
  try {
    await run(root, ['commit', '-q', '-m', message, '--', file]);
  } catch (error) {
    const stderr = error instanceof GitCommandError ? error.stderr : '';
    const said = summariseGitError(stderr);
    const reason =
      said === '(no message from git)'
        ? `git commit exited with status ${(error as GitCommandError).gitExitCode} and printed nothing (a hook such as pre-commit or commit-msg refusing it says nothing)`
        : said;
    throw commitFailed(repository, reason, error);
  }
  const after = await head(root);
  if (!after || after === before) throw commitFailed(repository, 'git commit exited 0 but HEAD did not move');
  const parent = (
    await git(['rev-parse', '-q', '--verify', `${after}^`], { cwd: root, allowFailure: true })
  ).stdout.trim();
  if (before && parent !== before) {
    throw commitFailed(
      repository,
      `the new HEAD ${after.slice(0, 12)} is not a child of ${before.slice(0, 12)}`,
    );
  }
  const changed = (await run(root, ['diff-tree', '--no-commit-id', '--name-only', '-r', after])).stdout
    .split('\n')
    .filter(Boolean);
  const unstaged = await git(['diff', '--quiet', after, '--', file], { cwd: root, allowFailure: true });
  if (changed.length !== 1 || changed[0] !== file || unstaged.exitCode !== 0) {
    throw commitFailed(
      repository,
      `commit ${after.slice(0, 12)} holds ${changed.join(', ') || 'no change'}, not exactly the pinned ${file}`,
    );
  }
  return after;
}
