/**
 * `gitops-lab pin`: point the doc-QA workload in the GitOps repository at an image digest, optionally as a
 * commit of its own. Everything is checked before the file is touched; the file is written atomically, and
 * if the commit then fails the file is put back, so a failed pin leaves files and history as they were.
 */
import { isAbsolute, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { writeFileAtomic } from '../../atomic-write.js';
import { UsageError } from '../../errors.js';
import { pinSites } from './apply.js';
import { diffLines, formatHunks } from './diff.js';
import { digestFromDocker } from './docker.js';
import { assertCleanWorkingTree, commitFile, openRepository, sourceCommit } from './git.js';
import { displayPath, locatePinFile } from './locate.js';
import { carryEditOver } from './preserve-layout.js';
import { parseDigest, parseImageReference, shortDigest } from './reference.js';
import type { PinSiteKind } from './sites.js';
import { stringifyYamlFile } from './yaml-format.js';

/** The trailer every pin commit carries; the image workflow skips commits that have it (loop guard). */
export const pinTrailer = 'Gitops-Lab-Pin';
export const sourceTrailer = 'Source-Commit';

export interface PinOptions {
  /** Image name without tag or digest, e.g. `ghcr.io/acme/docqa`. */
  image?: string;
  /** `sha256:` + 64 hex. Exactly one of `digest` and `digestFromDocker`. */
  digest?: string;
  /** A local image whose RepoDigests hold the digest. */
  digestFromDocker?: string;
  /** A manifest file or folder; default `manifests/` under `cwd`. */
  file?: string;
  commit?: boolean;
  /** Replaces the commit message's subject and body (the trailers are always added). */
  message?: string;
  dryRun?: boolean;
  cwd?: string;
  /** Read for GITHUB_SHA and passed to docker; git runs with the process environment. */
  env?: NodeJS.ProcessEnv;
  /** The docker executable for --digest-from-docker. */
  docker?: string;
}

export type PinStatus = 'pinned' | 'already-pinned' | 'would-pin';

export interface PinChange {
  kind: PinSiteKind;
  owner: string;
  line: number;
  before: string;
  after: string;
  changed: boolean;
}

export interface PinCommit {
  sha: string;
  message: string;
  sourceCommit: string;
}

export interface PinResult {
  status: PinStatus;
  image: string;
  digest: string;
  /** `image@digest` */
  reference: string;
  /** The pinned file, relative to the working directory when inside it. */
  file: string;
  changes: PinChange[];
  /** `diff -u`-style lines of the change (empty when already pinned). */
  diff: string[];
  commit?: PinCommit;
  /** The source commit the pin would name (with --commit and --dry-run). */
  sourceCommit?: string;
  warnings: string[];
  dryRun: boolean;
}

interface ResolvedDigest {
  image: string;
  digest: string;
}

async function resolveImageAndDigest(options: PinOptions): Promise<ResolvedDigest> {
  if (options.digest !== undefined && options.digestFromDocker !== undefined) {
    throw new UsageError('pin: --digest and --digest-from-docker cannot be used together.', {
      hint: 'Pass the digest itself, or the local image to read it from, not both.',
    });
  }
  let image: string | undefined;
  if (options.image !== undefined) {
    const parsed = parseImageReference(options.image);
    if (!parsed.ok)
      throw new UsageError(`--image: ${parsed.reason}.`, {
        hint: 'Example: --image ghcr.io/gitops-lab/docqa (the image manifests/ names)',
      });
    if (parsed.value.tag !== undefined || parsed.value.digest !== undefined) {
      throw new UsageError(`--image: give the image name without a tag or digest, got "${options.image}".`, {
        hint: `Use --image ${parsed.value.name} and pass the digest with --digest.`,
      });
    }
    image = parsed.value.name;
  }
  if (options.digestFromDocker !== undefined) {
    const found = await digestFromDocker(options.digestFromDocker, {
      imageName: image,
      docker: options.docker,
      env: options.env,
    });
    return { image: image ?? found.name, digest: found.digest };
  }
  if (options.digest === undefined) {
    throw new UsageError('pin: --digest is required (or --digest-from-docker IMAGE).', {
      hint: 'Example: npx gitops-lab pin --image ghcr.io/gitops-lab/docqa --digest sha256:<64 hex digits>',
    });
  }
  const digest = parseDigest(options.digest.trim());
  if (!digest.ok)
    throw new UsageError(`--digest: ${digest.reason}.`, { hint: 'Example: --digest sha256:<64 hex>' });
  if (image === undefined) {
    throw new UsageError('pin: --image is required.', {
      hint: 'Example: --image ghcr.io/gitops-lab/docqa (the image manifests/ names)',
    });
  }
  return { image, digest: digest.value };
}

export function commitMessage(
  reference: string,
  file: string,
  source: string,
  custom: string | undefined,
): string {
  const [image = reference, digest = ''] = reference.split('@');
  const body =
    custom?.trim() ||
    `Pin ${image} to sha256:${shortDigest(digest)} (built from ${source.slice(0, 12)})\n\n` +
      `${file} now runs ${reference},\nthe image built from commit ${source}.`;
  return `${body}\n\n${pinTrailer}: ${reference}\n${sourceTrailer}: ${source}\n`;
}

/** Whether `text` parses cleanly (no duplicate keys, no syntax errors) to exactly the expected data. */
function sameData(text: string, expected: unknown[]): boolean {
  const documents = [...parseAllDocuments(text)];
  if (documents.some((document) => document.errors.length > 0)) return false;
  return JSON.stringify(documents.map((document) => document.toJS())) === JSON.stringify(expected);
}

export async function pinImage(options: PinOptions): Promise<PinResult> {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  if (options.message !== undefined && !options.commit) {
    throw new UsageError('pin: --message only applies with --commit.', {
      hint: 'Add --commit, or drop --message and commit the change yourself.',
    });
  }
  const { image, digest } = await resolveImageAndDigest(options);
  const reference = `${image}@${digest}`;
  const target = options.file
    ? isAbsolute(options.file)
      ? options.file
      : resolve(cwd, options.file)
    : resolve(cwd, 'manifests');
  const located = await locatePinFile(image, { target, explicit: options.file !== undefined, cwd });
  const file = displayPath(located.path, cwd);

  const warnings: string[] = [];
  const rendered = stringifyYamlFile(located.parsed);
  const { changes, expected } = pinSites(located.parsed.documents, located.sites, image, digest);
  const edited = stringifyYamlFile(located.parsed);
  if (!sameData(edited, expected)) {
    throw new UsageError(
      `${file}: pinning would change more than the image reference, so nothing was written.`,
      {
        hint: 'Pin this file by hand and report the file layout as a gitops-lab bug.',
      },
    );
  }
  // Keep every line the pin does not touch exactly as it was (yaml re-renders a few details its own way).
  const carried = carryEditOver(located.text, rendered, edited);
  let after = edited;
  if (sameData(carried, expected)) after = carried;
  else if (rendered !== located.text) {
    warnings.push(
      `${file}: the YAML library cannot reproduce this file's layout exactly, so lines besides the pin may change; check the diff.`,
    );
  }
  const shownChanges: PinChange[] = changes.map((change) => ({
    kind: change.site.kind,
    owner: change.site.owner,
    line: change.site.line,
    before: change.before,
    after: change.after,
    changed: change.changed,
  }));
  const base = {
    image,
    digest,
    reference,
    file,
    changes: shownChanges,
    warnings,
    dryRun: Boolean(options.dryRun),
  };

  if (after === located.text || !changes.some((change) => change.changed)) {
    return { ...base, status: 'already-pinned', diff: [] };
  }
  const diff = formatHunks(diffLines(located.text, after));

  let repository: Awaited<ReturnType<typeof openRepository>> | undefined;
  let source: string | undefined;
  if (options.commit) {
    repository = await openRepository(located.path);
    await assertCleanWorkingTree(repository);
    source = await sourceCommit(repository, env);
  }
  if (options.dryRun) {
    return { ...base, status: 'would-pin', diff, ...(source ? { sourceCommit: source } : {}) };
  }

  await writeFileAtomic(located.path, after);
  if (!repository || !source) return { ...base, status: 'pinned', diff };

  const message = commitMessage(reference, repository.file, source, options.message);
  try {
    const sha = await commitFile(repository, message);
    return { ...base, status: 'pinned', diff, commit: { sha, message, sourceCommit: source } };
  } catch (error) {
    await writeFileAtomic(located.path, located.text);
    throw error;
  }
}
