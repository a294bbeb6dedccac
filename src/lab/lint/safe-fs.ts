/**
 * The linter's file-system layer for untrusted repositories: every path is resolved to its real path and must
 * stay inside the repository root; directories are walked once per real path (a `x -> .` link cannot loop);
 * only regular files are opened (checked with stat first, then opened O_NONBLOCK | O_NOFOLLOW and checked
 * again with fstat, so a FIFO or device never blocks or streams forever); files are read up to a size cap;
 * and the whole load has a time budget.
 */
import {
  closeSync,
  constants,
  fstatSync,
  openSync,
  readdirSync,
  readSync,
  realpathSync,
  statSync,
} from 'node:fs';
import { sep } from 'node:path';
import { LabError } from '../../errors.js';

export interface SafeFsOptions {
  /** The repository root: nothing outside it is read. */
  root: string;
  /** Largest file read, in bytes (default 4 MiB: a manifest larger than that is not a manifest). */
  maxFileBytes?: number;
  /** Time budget of the whole load in ms (default 60 s). */
  budgetMs?: number;
  /** Injected clock in ms (default performance.now). */
  now?: () => number;
}

export const DEFAULT_LINT_MAX_FILE_BYTES = 4 * 1024 * 1024;
export const DEFAULT_LINT_BUDGET_MS = 60_000;

/** A file that is not read, and why (becomes a finding). */
export class UnsafeFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsafeFileError';
  }
}

/** The load took longer than its budget: a hostile or huge repository. */
export class LintBudgetError extends LabError {
  constructor(root: string, budgetMs: number, where: string) {
    super(
      `Reading the repository ${root} took longer than its ${budgetMs / 1000} s budget (at ${where}).`,
      1,
      {
        hint: 'Lint a smaller folder, or check the repository for huge files or deep link trees.',
      },
    );
  }
}

export type EntryKind = 'dir' | 'file' | 'other' | 'outside' | 'missing';

export interface SafeFs {
  /** Real path of the root. */
  readonly realRoot: string;
  /** Throws LintBudgetError once the budget is spent. */
  checkBudget(where: string): void;
  /** Is this real path the root or below it? */
  isInside(realPath: string): boolean;
  /** Real path of `path`, or undefined if it does not resolve. */
  real(path: string): string | undefined;
  /** What `path` is once its links are resolved; 'outside' when it resolves outside the root. */
  kind(path: string): EntryKind;
  /**
   * Sorted entry names of a directory to walk, or undefined when it was walked already under another path
   * (a link loop or a second link to it), resolves outside the root or cannot be read. `seen` holds the
   * real paths walked so far (default: one set for the whole load).
   */
  enterDir(path: string, seen?: Set<string>): string[] | undefined;
  /** The text of a regular file inside the root, at most maxFileBytes; UnsafeFileError otherwise. */
  readText(path: string): string;
}

export function createSafeFs(options: SafeFsOptions): SafeFs {
  const maxBytes = options.maxFileBytes ?? DEFAULT_LINT_MAX_FILE_BYTES;
  const budgetMs = options.budgetMs ?? DEFAULT_LINT_BUDGET_MS;
  const now = options.now ?? (() => performance.now());
  const started = now();
  const realRoot = realpathSync(options.root);
  const prefix = realRoot.endsWith(sep) ? realRoot : `${realRoot}${sep}`;
  const walked = new Set<string>();

  const isInside = (p: string) => p === realRoot || p.startsWith(prefix);
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return undefined;
    }
  };
  const checkBudget = (where: string) => {
    if (now() - started > budgetMs) throw new LintBudgetError(options.root, budgetMs, where);
  };

  return {
    realRoot,
    checkBudget,
    isInside,
    real,
    kind(path) {
      checkBudget(path);
      const target = real(path);
      if (target === undefined) return 'missing';
      if (!isInside(target)) return 'outside';
      const info = statSync(target, { throwIfNoEntry: false });
      if (!info) return 'missing';
      return info.isDirectory() ? 'dir' : info.isFile() ? 'file' : 'other';
    },
    enterDir(path, seen = walked) {
      checkBudget(path);
      const target = real(path);
      if (target === undefined || !isInside(target) || seen.has(target)) return undefined;
      seen.add(target);
      try {
        return readdirSync(target).sort();
      } catch {
        return undefined;
      }
    },
    readText(path) {
      checkBudget(path);
      const target = real(path);
      if (target === undefined)
        throw new UnsafeFileError('it does not exist or a link in its path is broken');
      if (!isInside(target)) {
        throw new UnsafeFileError(`it resolves to ${target}, outside the repository root ${realRoot}`);
      }
      const info = statSync(target);
      if (!info.isFile()) {
        throw new UnsafeFileError('it is not a regular file (a FIFO, device, socket or folder)');
      }
      if (info.size > maxBytes) {
        throw new UnsafeFileError(`it is ${info.size} bytes, over the ${maxBytes}-byte cap for one file`);
      }
      let fd: number;
      try {
        fd = openSync(target, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
      } catch (error) {
        throw new UnsafeFileError(
          `it cannot be opened (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
        );
      }
      try {
        const opened = fstatSync(fd);
        if (!opened.isFile() || opened.ino !== info.ino || opened.dev !== info.dev) {
          throw new UnsafeFileError('it changed into something other than the regular file that was checked');
        }
        const buffer = Buffer.alloc(Math.min(opened.size, maxBytes) + 1);
        let length = 0;
        while (length < buffer.length) {
          const n = readSync(fd, buffer, length, buffer.length - length, null);
          if (n === 0) break;
          length += n;
        }
        if (length > maxBytes) {
          throw new UnsafeFileError(`it grew over the ${maxBytes}-byte cap for one file while being read`);
        }
        return buffer.subarray(0, length).toString('utf8');
      } finally {
        closeSync(fd);
      }
    },
  };
}

/**
 * kustomize's load restrictor (the default, LoadRestrictionsRootOnly): a file a kustomization names must be
 * in or below the kustomization's own folder, after links are resolved. The message is kustomize's own, from
 * RestrictionRootOnly in api/internal/loader/loadrestrictions.go (sigs.k8s.io/kustomize):
 * "security; file '<path>' is not in or below '<root>'". Returns that message, or undefined when allowed.
 */
export function kustomizeFileRestriction(
  fs: SafeFs,
  file: string,
  kustomizationDir: string,
): string | undefined {
  const root = fs.real(kustomizationDir) ?? kustomizationDir;
  const target = fs.real(file) ?? file;
  const rootPrefix = root.endsWith(sep) ? root : `${root}${sep}`;
  // kustomize compares the file's folder with the root; a file directly in the root is in it.
  if (target.startsWith(rootPrefix)) return undefined;
  return `security; file '${file}' is not in or below '${root}'`;
}
