/**
 * The lab's GitOps repository as a drill changes it: a fresh clone for each change (so it always starts from
 * what Argo CD sees), YAML edits through the `yaml` Document API (comments and layout survive), one commit,
 * a push. Reverts find the drill's own commits by subject and skip those already reverted, so a rollback can
 * run twice (`--recover`) without harm.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { type SimpleGit, simpleGit } from 'simple-git';
import { type Document, isMap, parseAllDocuments } from 'yaml';
import type { CallOptions, LabRepo, RepoChangeResult, RepoEdit } from './access.js';
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

  constructor(
    readonly location: string,
    options: ClonedLabRepoOptions = {},
  ) {
    this.author = options.author ?? { name: 'gitops-lab drill', email: 'drill@gitops-lab.invalid' };
    this.token = options.token || undefined;
  }

  private remoteUrl(): string {
    if (!this.token || !/^https?:\/\//.test(this.location)) return this.location;
    const url = new URL(this.location);
    url.username = 'x-access-token';
    url.password = this.token;
    return url.toString();
  }

  private mask(text: string): string {
    return this.token ? text.split(this.token).join('***') : text;
  }

  /** A fresh clone in a temporary directory; `signal` kills the Git command under way (simple-git's `abort`). */
  private async withClone<T>(
    work: (git: SimpleGit, dir: string) => Promise<T>,
    signal: AbortSignal | undefined,
  ): Promise<T> {
    const dir = await mkdtemp(join(tmpdir(), 'gitops-lab-drill-'));
    try {
      try {
        await simpleGit({ abort: signal }).clone(this.remoteUrl(), dir);
      } catch (error) {
        throw new RepoEditError(
          `cannot clone the lab repository ${this.location}: ${this.mask((error as Error).message).split('\n')[0]}`,
        );
      }
      const git = simpleGit({ baseDir: dir, abort: signal });
      await git.addConfig('user.name', this.author.name).addConfig('user.email', this.author.email);
      return await work(git, dir);
    } catch (error) {
      if (error instanceof Error && this.token) error.message = this.mask(error.message);
      throw error;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async change(edits: RepoEdit[], message: string, options: CallOptions = {}): Promise<RepoChangeResult> {
    return this.withClone(async (git, dir) => {
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
      await git.add(files);
      const staged = (await git.diff(['--cached', '--name-only'])).trim();
      if (!staged) return { files };
      await git.commit(message);
      await git.push('origin', 'HEAD');
      return { commit: (await git.revparse(['HEAD'])).trim(), files };
    }, options.signal);
  }

  async revert(match: string, options: CallOptions = {}): Promise<{ reverted: string[] }> {
    return this.withClone(async (git) => {
      const log = await git.log({ maxCount: 200 });
      const revertedShas = new Set<string>();
      for (const entry of log.all) {
        for (const m of `${entry.body}`.matchAll(/This reverts commit ([0-9a-f]{7,40})/g)) {
          if (m[1]) revertedShas.add(m[1]);
        }
      }
      const targets = log.all.filter(
        (entry) =>
          entry.message.includes(match) &&
          !entry.message.startsWith('Revert "') &&
          ![...revertedShas].some((sha) => entry.hash.startsWith(sha)),
      );
      const reverted: string[] = [];
      for (const entry of targets) {
        await git.raw(['revert', '--no-edit', entry.hash]);
        reverted.push(entry.hash);
      }
      if (reverted.length > 0) await git.push('origin', 'HEAD');
      return { reverted };
    }, options.signal);
  }
}
