/**
 * Finds the one file where the image is pinned: a kustomization `images:` entry naming it wins (kustomize
 * overrides the workloads' own fields), otherwise a workload container using it. Two candidate files are
 * ambiguous and an error, not a guess.
 *
 * Symbolic links: pin writes a file by replacing it (atomic rename), which would turn a link into a regular
 * file. So a --file that is a link is refused, naming the real file. In a folder, YAML reached through a link
 * counts like any other (a linked kustomization.yaml is what kustomize reads): when its real file lies inside
 * the folder, that real file is the one pinned and the link is left alone; when it lies outside, pin refuses
 * rather than pin a container image that the linked kustomization overrides.
 */
import type { Dirent } from 'node:fs';
import { lstat, readdir, readFile, readlink, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { fileProblem, UsageError } from '../../errors.js';
import { findImageSites, type ImageMention, type PinSite } from './sites.js';
import { isYamlProblem, type ParsedYamlFile, parseYamlFile } from './yaml-format.js';

export interface LocatedFile {
  path: string;
  text: string;
  parsed: ParsedYamlFile;
  sites: PinSite[];
}

export interface LocateOptions {
  /** A manifest file or a folder to search. */
  target: string;
  /** Whether `target` came from --file (for messages) or is the default manifests/ folder. */
  explicit: boolean;
  cwd: string;
}

const skippedFolders = new Set(['node_modules', '.git']);

interface FoundFile {
  /** The path as the walk met it. */
  path: string;
  /** The file behind it, links resolved. */
  real: string;
  /** Reached through a symbolic link (the file itself or a folder on the way). */
  linked: boolean;
}

async function yamlFilesUnder(folder: string): Promise<FoundFile[]> {
  const found: FoundFile[] = [];
  const seenFolders = new Set<string>();
  const walk = async (dir: string, depth: number, linked: boolean): Promise<void> => {
    if (depth > 20) return;
    let entries: Dirent[];
    let real: string;
    try {
      real = await realpath(dir);
      if (seenFolders.has(real)) return;
      seenFolders.add(real);
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      if (entry.name.startsWith('.') || skippedFolders.has(entry.name)) continue;
      const path = join(dir, entry.name);
      let isDirectory = entry.isDirectory();
      let isFile = entry.isFile();
      const isLink = entry.isSymbolicLink();
      if (isLink) {
        const target = await stat(path).catch(() => undefined);
        isDirectory = target?.isDirectory() ?? false;
        isFile = target?.isFile() ?? false;
      }
      if (isDirectory) await walk(path, depth + 1, linked || isLink);
      else if (isFile && /\.ya?ml$/i.test(entry.name)) {
        found.push({ path, real: await realpath(path), linked: linked || isLink });
      }
    }
  };
  await walk(folder, 0, false);
  return found;
}

const inside = (folder: string, path: string) => path === folder || path.startsWith(`${folder}${sep}`);

/** --file must be the real file: pin replaces what it writes, and would turn a link into a plain file. */
async function refuseLink(target: string, cwd: string): Promise<void> {
  const info = await lstat(target).catch(() => undefined);
  if (!info?.isSymbolicLink()) return;
  const to = await readlink(target);
  const real = await realpath(target).catch(() => undefined);
  throw new UsageError(
    `--file: ${displayPath(target, cwd)} is a symbolic link (to ${to}); pin will not replace a link with a regular file.`,
    {
      hint: real
        ? `Pass --file ${displayPath(real, cwd)} (the real file) instead.`
        : 'The link points nowhere; pass --file with the real manifest.',
    },
  );
}

export function displayPath(path: string, cwd: string): string {
  const shown = relative(cwd, path);
  return shown === '' || shown.startsWith('..') ? path : shown;
}

async function readYaml(path: string, cwd: string): Promise<{ text: string; parsed: ParsedYamlFile }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`Cannot read ${displayPath(path, cwd)}: ${fileProblem(error)}.`, {
      hint: 'Point --file at a readable kustomization.yaml or workload manifest that names the image.',
      cause: error,
    });
  }
  const parsed = parseYamlFile(text);
  if (isYamlProblem(parsed)) {
    const where = parsed.line ? `${displayPath(path, cwd)}:${parsed.line}` : displayPath(path, cwd);
    throw new UsageError(`${where} is not valid YAML: ${parsed.message}`, {
      hint: 'Fix the file (or point --file at the manifest that holds the image), then run pin again.',
    });
  }
  return { text, parsed };
}

function describeMentions(mentions: ImageMention[]): string {
  const names = [...new Set(mentions.map((mention) => mention.image))].sort();
  if (names.length === 0) return 'no image references were found there';
  const shown = names.slice(0, 6).join(', ');
  return `images found there: ${shown}${names.length > 6 ? ` and ${names.length - 6} more` : ''}`;
}

export async function locatePinFile(imageName: string, options: LocateOptions): Promise<LocatedFile> {
  const { target, explicit, cwd } = options;
  const flag = explicit ? '--file' : 'pin';
  let isFolder: boolean;
  try {
    isFolder = (await stat(target)).isDirectory();
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new UsageError(
      explicit
        ? `--file: ${target} ${missing ? 'does not exist' : `cannot be read: ${fileProblem(error)}`}.`
        : `pin: there is no manifests/ folder in ${cwd}, so there is nothing to pin.`,
      {
        hint: explicit
          ? 'Point --file at the kustomization.yaml or workload manifest that names the image.'
          : 'Run pin from the root of the lab repository, or pass --file PATH.',
      },
    );
  }
  if (explicit && !isFolder) await refuseLink(target, cwd);
  const files = isFolder ? await yamlFilesUnder(target) : [{ path: target, real: target, linked: false }];
  const realTarget = isFolder ? await realpath(target) : target;
  const kustomize: LocatedFile[] = [];
  const containers: LocatedFile[] = [];
  const mentions: ImageMention[] = [];
  const unreadable: string[] = [];
  const seen = new Set<string>();
  for (const { path: seenAt, real, linked } of files) {
    // A file reached twice (itself and through a link) is one file; pin writes the real one.
    if (seen.has(real)) continue;
    seen.add(real);
    const path = linked ? real : seenAt;
    let read: { text: string; parsed: ParsedYamlFile };
    try {
      read = await readYaml(path, cwd);
    } catch (error) {
      // An explicit file must parse; in a folder, files that are not plain YAML (Helm templates) are skipped.
      if (!isFolder) throw error;
      unreadable.push(displayPath(path, cwd));
      continue;
    }
    const { text, parsed } = read;
    const found = findImageSites(parsed.documents, text, path, imageName);
    mentions.push(...found.mentions);
    const kustomizeSites = found.sites.filter((site) => site.kind === 'kustomize-image');
    const containerSites = found.sites.filter((site) => site.kind === 'container-image');
    if (linked && found.sites.length > 0 && !inside(realTarget, real)) {
      throw new UsageError(
        `${flag}: ${displayPath(seenAt, cwd)} names image ${imageName} but is a symbolic link to ${real}, outside ${displayPath(target, cwd)}; pin will not write through it.`,
        {
          hint: `Pin the real file with --file ${displayPath(real, cwd)}, or replace the link with the file itself.`,
        },
      );
    }
    if (kustomizeSites.length > 0) kustomize.push({ path, text, parsed, sites: kustomizeSites });
    if (containerSites.length > 0) containers.push({ path, text, parsed, sites: containerSites });
  }
  const candidates = kustomize.length > 0 ? kustomize : containers;
  const shownTarget = displayPath(target, cwd);
  if (candidates.length === 0) {
    throw new UsageError(
      `${flag}: image ${imageName} is not named in ${shownTarget} (neither a kustomization images: entry nor a container image:); ${describeMentions(mentions)}${
        unreadable.length > 0 ? ` (skipped, not plain YAML: ${unreadable.slice(0, 3).join(', ')})` : ''
      }.`,
      {
        hint: 'Check --image (registry and owner included, no tag), or add an images: entry for it to the kustomization (newName: for a fork).',
      },
    );
  }
  if (candidates.length > 1) {
    const where = candidates.map((candidate) => displayPath(candidate.path, cwd)).join(', ');
    throw new UsageError(
      `${flag}: image ${imageName} is set in more than one file (${where}); pin will not guess.`,
      {
        hint: 'Pass --file with the one to pin.',
      },
    );
  }
  return candidates[0] as LocatedFile;
}
