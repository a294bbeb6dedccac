/**
 * The lab's GitOps repository as a drill changes it: a fresh clone for each change (so it always starts from
 * what Argo CD sees), YAML edits through the `yaml` Document API (comments and layout survive), one commit,
 * a push. Reverts find the drill's own commits by subject and skip those already reverted, so a rollback can
 * run twice (`--recover`) without harm.
 *
 * Git runs through src/lab/tools/git.ts: the token (GITOPS_LAB_GIT_TOKEN for --repo) goes through the
 * environment, never into argv or the clone's .git/config; the clone lives in a temporary folder removed on
 * every way out of a call. An interrupt never abandons a push under way: it is let finish (or killed at its
 * time limit, with its process group), so the rollback that follows sees what really landed.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { type Document, isMap, parseAllDocuments } from 'yaml';
import { type GitOptions, type GitResult, git, gitAuthEnv, withoutCredentials } from '../tools/git.js';
import type { CallOptions, DrillCommit, LabRepo, RepoChangeResult, RepoEdit } from './access.js';
import { parseYamlPath } from './yaml-path.js';

export interface ClonedLabRepoOptions {
  /** Commit author. */
  author?: { name: string; email: string };
  /**
   * A token for the repository (`--repo` with GITOPS_LAB_GIT_TOKEN, or the in-cluster Git server's push
   * credential from `up`'s state); never shown in messages.
   */
  token?: string;
}

export class RepoEditError extends Error {}

function pickDocument(docs: Document[], edit: RepoEdit): Document {
  const want = edit.document;
  const candidates = want
    ? docs.filter((d) => {
        const js = d.toJS() as { kind?: string; metadata?: { name?: string } } | null;
        return (
          (want.kind === undefined || js?.kind === want.kind) &&
          (want.name === undefined || js?.metadata?.name === want.name)
        );
      })
    : docs.filter((d) => d.contents !== null);
  if (candidates.length !== 1) {
    throw new RepoEditError(
      `${edit.file}: ${candidates.length === 0 ? 'no YAML document matches' : 'several YAML documents match'}${want ? ` ${JSON.stringify(want)}` : ''}; set \`document: {kind, name}\``,
    );
  }
  return candidates[0] as Document;
}

/** Applies edits to the text of one YAML file; returns the new text. */
export function editYamlText(text: string, edits: RepoEdit[]): string {
  const docs = parseAllDocuments(text) as Document[];
  for (const doc of docs) {
    if (doc.errors.length > 0)
      throw new RepoEditError(`${edits[0]?.file}: invalid YAML: ${doc.errors[0]?.message}`);
  }
  for (const edit of edits) {
    const doc = pickDocument(docs, edit);
    for (const [path, value] of Object.entries(edit.set ?? {})) {
      doc.setIn(parseYamlPath(path), doc.createNode(value));
    }
    for (const path of edit.delete ?? []) {
      const parts = parseYamlPath(path);
      if (doc.hasIn(parts)) doc.deleteIn(parts);
    }
    if (!isMap(doc.contents)) throw new RepoEditError(`${edit.file}: the document is not a mapping`);
  }
  return docs.map((d) => d.toString()).join('');
}

export class ClonedLabRepo implements LabRepo {
  private readonly author: { name: string; email: string };
  private readonly token?: string;
  readonly location: string;

  constructor(location: string, options: ClonedLabRepoOptions = {}) {
    this.location = withoutCredentials(location);
    this.author = options.author ?? { name: 'gitops-lab drill', email: 'drill@gitops-lab.invalid' };
    // A password written into the URL is used as the token, and goes the same way: environment only.
    const embedded = /^https?:\/\//i.test(location) ? decodeURIComponent(new URL(location).password) : '';
    this.token = options.token || embedded || undefined;
  }

  private gitEnv(): Record<string, string> {
    return {
      ...gitAuthEnv(this.location, this.token),
      GIT_AUTHOR_NAME: this.author.name,
      GIT_AUTHOR_EMAIL: this.author.email,
      GIT_COMMITTER_NAME: this.author.name,
      GIT_COMMITTER_EMAIL: this.author.email,
    };
  }

  private run(
    dir: string | undefined,
    args: string[],
    signal: AbortSignal | undefined,
    extra: Partial<GitOptions> = {},
  ): Promise<GitResult> {
    return git(args, {
      cwd: dir,
      env: this.gitEnv(),
      signal,
      secrets: this.token ? [this.token] : [],
      ...extra,
    });
  }

  /** A fresh clone in a temporary directory, removed afterwards whatever happens. */
  private async withClone<T>(work: (dir: string) => Promise<T>, options: CallOptions): Promise<T> {
    const stopClone = anySignal(options.signal, options.interrupt);
    const dir = await mkdtemp(join(tmpdir(), 'gitops-lab-drill-'));
    try {
      try {
        await this.run(undefined, ['clone', '-q', '--no-tags', this.location, dir], stopClone);
      } catch (error) {
        throw new RepoEditError(
          `cannot clone the lab repository ${this.location}: ${(error as Error).message}`,
        );
      }
      return await work(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /**
   * Pushes HEAD. The interrupt does not stop it (only `signal`, the time limit, does); `onInFlight` learns the
   * pid of the push so a killed run's `--recover` can wait for it.
   */
  private async push(dir: string, options: CallOptions): Promise<void> {
    if (options.interrupt?.aborted)
      throw new RepoEditError('interrupted before the push: nothing was pushed');
    try {
      await this.run(dir, ['push', '-q', 'origin', 'HEAD'], options.signal, {
        onSpawn: (pid) => options.onInFlight?.({ pid, command: `git push to ${this.location}` }),
      });
    } catch (error) {
      throw new RepoEditError(`cannot push to ${this.location}: ${(error as Error).message}`);
    } finally {
      options.onInFlight?.(undefined);
    }
  }

  async change(edits: RepoEdit[], message: string, options: CallOptions = {}): Promise<RepoChangeResult> {
    return this.withClone(async (dir) => {
      const byFile = new Map<string, RepoEdit[]>();
      for (const edit of edits) {
        const file = normalize(edit.file);
        if (file.startsWith('..') || file.startsWith('/')) {
          throw new RepoEditError(`${edit.file}: the path must stay inside the lab repository`);
        }
        byFile.set(file, [...(byFile.get(file) ?? []), edit]);
      }
      for (const [file, fileEdits] of byFile) {
        const path = join(dir, file);
        let text: string;
        try {
          text = await readFile(path, 'utf8');
        } catch {
          throw new RepoEditError(`${file} does not exist in ${this.location}`);
        }
        const next = editYamlText(text, fileEdits);
        if (next !== text) await writeFile(path, next, 'utf8');
      }
      const files = [...byFile.keys()];
      const local = anySignal(options.signal, options.interrupt);
      await this.run(dir, ['add', '--', ...files], local);
      const staged = (await this.run(dir, ['diff', '--cached', '--name-only'], local)).stdout.trim();
      if (!staged) return { files };
      await this.run(dir, ['commit', '-q', '-m', message], local);
      await this.push(dir, options);
      return { commit: (await this.run(dir, ['rev-parse', 'HEAD'], undefined)).stdout.trim(), files };
    }, options);
  }

  /** The last 200 commits of the clone, and the shas that a "This reverts commit" body names. */
  private async history(dir: string, signal?: AbortSignal) {
    const raw = (await this.run(dir, ['log', '-200', '--format=%H%x1f%s%x1f%b%x1e'], signal)).stdout;
    const entries = raw
      .split('\x1e')
      .map((record) => record.replace(/^\n/, ''))
      .filter((record) => record.includes('\x1f'))
      .map((record) => {
        const [sha = '', subject = '', body = ''] = record.split('\x1f');
        return { sha, subject, body };
      });
    const revertedShas = new Set<string>();
    for (const entry of entries) {
      for (const m of entry.body.matchAll(/This reverts commit ([0-9a-f]{7,40})/g)) {
        if (m[1]) revertedShas.add(m[1]);
      }
    }
    const isReverted = (sha: string) => [...revertedShas].some((prefix) => sha.startsWith(prefix));
    return { entries, isReverted };
  }

  private async unrevertedIn(
    dir: string,
    wanted: (subject: string) => boolean,
    signal?: AbortSignal,
  ): Promise<DrillCommit[]> {
    const { entries, isReverted } = await this.history(dir, signal);
    return entries
      .filter(
        (entry) => wanted(entry.subject) && !entry.subject.startsWith('Revert "') && !isReverted(entry.sha),
      )
      .map(({ sha, subject }) => ({ sha, subject }));
  }

  private revertWhere(
    wanted: (subject: string) => boolean,
    options: CallOptions,
  ): Promise<{ reverted: string[] }> {
    return this.withClone(
      async (dir) => {
        const targets = await this.unrevertedIn(dir, wanted, options.signal);
        const reverted: string[] = [];
        for (const entry of targets) {
          await this.run(dir, ['revert', '--no-edit', entry.sha], options.signal);
          reverted.push(entry.sha);
        }
        if (reverted.length > 0) await this.push(dir, { ...options, interrupt: undefined });
        return { reverted };
      },
      { signal: options.signal },
    );
  }

  async revert(match: string, options: CallOptions = {}): Promise<{ reverted: string[] }> {
    return this.revertWhere((subject) => subject.includes(match), options);
  }

  async revertSubjects(subjects: string[], options: CallOptions = {}): Promise<{ reverted: string[] }> {
    return this.revertWhere((subject) => subjects.includes(subject), options);
  }

  async newest(options: CallOptions = {}): Promise<string> {
    let out: string;
    try {
      out = (await this.run(undefined, ['ls-remote', this.location, 'HEAD'], options.signal)).stdout;
    } catch (error) {
      throw new RepoEditError(
        `cannot read the newest commit of ${this.location}: ${(error as Error).message}`,
      );
    }
    const sha = /^([0-9a-f]{40})\s+HEAD$/m.exec(out)?.[1];
    if (!sha) throw new RepoEditError(`${this.location} has no HEAD (an empty repository?)`);
    return sha;
  }

  async unreverted(subjects: string[], options: CallOptions = {}): Promise<DrillCommit[]> {
    return this.withClone(
      (dir) => this.unrevertedIn(dir, (subject) => subjects.includes(subject), options.signal),
      {
        signal: options.signal,
      },
    );
  }
}

function anySignal(...signals: Array<AbortSignal | undefined>): AbortSignal | undefined {
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  if (present.length <= 1) return present[0];
  return AbortSignal.any(present);
}
