/**
 * The lab's Git repository in memory, starting from the package's manifests/: the drill engine commits and reverts
 * through it (it is a LabRepo), and the simulated repo-server reads any commit of it. Each commit is a full
 * snapshot, so "the files at revision X" is exact.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { packagePath } from '../../paths.js';
import type { LabRepo, RepoChangeResult, RepoEdit } from '../drills/access.js';
import { editYamlText } from '../drills/lab-repo.js';

/** What the simulated repo-server reads: the branch's newest commit and any file at any commit. */
export interface GitSource {
  readonly head: { sha: string };
  /** The file parsed as YAML at `sha` (default: the head); {} when it does not exist. */
  yaml(file: string, sha?: string): Record<string, unknown>;
  /** Every document of a multi-document YAML file at `sha` (empty ones dropped); [] when it does not exist. */
  documents(file: string, sha?: string): Record<string, unknown>[];
}

function allDocuments(text: string): Record<string, unknown>[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as unknown)
    .filter((d): d is Record<string, unknown> => typeof d === 'object' && d !== null && !Array.isArray(d));
}

/**
 * A real Git repository (a bare one, as the lab's Git server holds) read with `git` for the repo-server model.
 * The reads are synchronous, so the simulation's clock cannot move while one runs.
 */
export class BareRepoSource implements GitSource {
  private readonly cache = new Map<string, Record<string, unknown>>();

  constructor(
    readonly gitDir: string,
    readonly branch = 'main',
  ) {}

  private git(...args: string[]): string {
    return execFileSync('git', ['--git-dir', this.gitDir, ...args], { encoding: 'utf8', stdio: 'pipe' });
  }

  get head(): { sha: string } {
    return { sha: this.git('rev-parse', `refs/heads/${this.branch}`).trim() };
  }

  private text(file: string, sha: string): string {
    try {
      return this.git('show', `${sha}:${file}`);
    } catch {
      return '';
    }
  }

  yaml(file: string, sha = this.head.sha): Record<string, unknown> {
    const key = `${sha}:${file}`;
    let value = this.cache.get(key);
    if (!value) {
      value = (parse(this.text(file, sha)) ?? {}) as Record<string, unknown>;
      this.cache.set(key, value);
    }
    return structuredClone(value);
  }

  documents(file: string, sha = this.head.sha): Record<string, unknown>[] {
    return allDocuments(this.text(file, sha));
  }
}

export interface Commit {
  sha: string;
  message: string;
  files: Map<string, string>;
  /** The commit this one reverted, if it is a revert. */
  reverts?: string;
  reverted: boolean;
}

function allFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...allFiles(path));
    else out.push(path);
  }
  return out;
}

export class MemoryRepo implements LabRepo, GitSource {
  readonly location = 'memory://lab.git';
  readonly commits: Commit[] = [];

  /** `files`: paths under manifests/ to load (default: every YAML file of apps/ and workloads/). */
  constructor(files?: string[], root = packagePath('manifests')) {
    const paths =
      files ??
      [...allFiles(join(root, 'apps')), ...allFiles(join(root, 'workloads'))]
        .filter((f) => /\.ya?ml$/.test(f))
        .map((f) => relative(root, f));
    const snapshot = new Map<string, string>();
    for (const f of paths) snapshot.set(f, readFileSync(join(root, f), 'utf8'));
    this.commits.push({ sha: this.sha(0), message: 'lab manifests', files: snapshot, reverted: false });
  }

  private sha(n: number): string {
    return `${(n + 1).toString(16).padStart(7, '0')}${'0'.repeat(33)}`;
  }

  /** The newest commit on main. */
  get head(): Commit {
    return this.commits[this.commits.length - 1] as Commit;
  }

  /** The files of the newest commit. */
  get files(): Map<string, string> {
    return this.head.files;
  }

  at(sha: string): Commit | undefined {
    return this.commits.find((c) => c.sha === sha);
  }

  yaml(file: string, sha = this.head.sha): Record<string, unknown> {
    return (parse(this.at(sha)?.files.get(file) ?? '') ?? {}) as Record<string, unknown>;
  }

  documents(file: string, sha = this.head.sha): Record<string, unknown>[] {
    return allDocuments(this.at(sha)?.files.get(file) ?? '');
  }

  private commit(message: string, files: Map<string, string>, reverts?: string): string {
    const sha = this.sha(this.commits.length);
    this.commits.push({ sha, message, files, reverted: false, ...(reverts ? { reverts } : {}) });
    return sha;
  }

  async change(edits: RepoEdit[], message: string): Promise<RepoChangeResult> {
    const next = new Map(this.files);
    const files = [...new Set(edits.map((e) => e.file))];
    for (const file of files) {
      const text = next.get(file);
      if (text === undefined) throw new Error(`${file} does not exist in ${this.location}`);
      next.set(
        file,
        editYamlText(
          text,
          edits.filter((e) => e.file === file),
        ),
      );
    }
    if (files.every((f) => next.get(f) === this.files.get(f))) return { files };
    return { commit: this.commit(message, next), files };
  }

  async newest(): Promise<string> {
    return this.head.sha;
  }

  async revert(match: string): Promise<{ reverted: string[] }> {
    const reverted: string[] = [];
    for (const commit of [...this.commits].reverse()) {
      if (commit.reverted || commit.reverts || !commit.message.includes(match)) continue;
      const index = this.commits.indexOf(commit);
      const parent = this.commits[index - 1];
      if (!parent) continue;
      // Undo the commit's own changes on top of what is there now.
      const next = new Map(this.files);
      for (const [file, text] of commit.files)
        if (parent.files.get(file) !== text) {
          const before = parent.files.get(file);
          if (before === undefined) next.delete(file);
          else next.set(file, before);
        }
      commit.reverted = true;
      this.commit(`Revert "${commit.message}"`, next, commit.sha);
      reverted.push(commit.sha);
    }
    return { reverted };
  }
}
