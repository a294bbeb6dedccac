/**
 * The Git side of `pin --commit`, through simple-git: find the repository that holds the pinned file, refuse
 * a working tree with uncommitted changes, name the source commit, and commit exactly one file.
 */
import { realpath } from 'node:fs/promises';
import { dirname, relative, sep } from 'node:path';
import { type SimpleGit, simpleGit } from 'simple-git';
import { ExitCode, LabError, UsageError } from '../../errors.js';

export interface PinRepository {
  git: SimpleGit;
  root: string;
  /** The pinned file relative to the repository root, with `/` separators. */
  file: string;
}

export async function openRepository(filePath: string): Promise<PinRepository> {
  const real = await realpath(filePath);
  const git = simpleGit({ baseDir: dirname(real) });
  let root: string;
  try {
    root = (await git.revparse(['--show-toplevel'])).trim();
  } catch {
    throw new UsageError(`--commit: ${filePath} is not inside a Git repository.`, {
      hint: 'Run pin inside a clone of the lab repository, or drop --commit and commit the change yourself.',
    });
  }
  const file = relative(await realpath(root), real)
    .split(sep)
    .join('/');
  try {
    await git.cwd(root).raw(['ls-files', '--error-unmatch', '--', file]);
  } catch {
    throw new UsageError(`--commit: ${file} is not tracked by Git in ${root}.`, {
      hint: 'Add and commit the manifest first; pin commits changes to files Git already knows.',
    });
  }
  return { git, root, file };
}

/** Staged or unstaged changes to tracked files (untracked files cannot enter the pin commit and are ignored). */
export async function assertCleanWorkingTree(repository: PinRepository): Promise<void> {
  const status = await repository.git.status(['--untracked-files=no']);
  if (status.files.length === 0) return;
  const shown = status.files
    .slice(0, 5)
    .map((file) => file.path)
    .join(', ');
  const more = status.files.length > 5 ? ` and ${status.files.length - 5} more` : '';
  throw new UsageError(
    `--commit: the working tree of ${repository.root} has uncommitted changes (${shown}${more}); nothing was pinned.`,
    {
      hint: 'Commit or stash those changes first, so the pin commit holds the pin and nothing else.',
    },
  );
}

/** The commit the image was built from: $GITHUB_SHA in GitHub Actions, otherwise the repository's HEAD. */
export async function sourceCommit(
  repository: PinRepository,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const fromCi = env.GITHUB_SHA?.trim();
  if (fromCi && /^[0-9a-f]{7,64}$/i.test(fromCi)) return fromCi.toLowerCase();
  try {
    return (await repository.git.revparse(['HEAD'])).trim();
  } catch {
    throw new UsageError(`--commit: the repository at ${repository.root} has no commits yet.`, {
      hint: 'Commit the manifests first, then pin.',
    });
  }
}

/** Commits only `repository.file` and returns the new commit's full hash. */
export async function commitFile(repository: PinRepository, message: string): Promise<string> {
  try {
    await repository.git.commit(message, [repository.file]);
  } catch (error) {
    const reason =
      error instanceof Error ? (error.message.split('\n').find((line) => line.trim()) ?? '') : '';
    throw new LabError(
      `--commit: git could not commit ${repository.file}: ${reason.trim()}`,
      ExitCode.failed,
      {
        hint: 'Check `git config user.name` and `git config user.email` (CI must set an identity), then run pin again.',
        cause: error,
      },
    );
  }
  return (await repository.git.revparse(['HEAD'])).trim();
}
