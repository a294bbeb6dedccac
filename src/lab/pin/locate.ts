/**
 * Finds the one file where the image is pinned: a kustomization `images:` entry naming it wins (kustomize
 * overrides the workloads' own fields), otherwise a workload container using it. Two candidate files are
 * ambiguous and an error, not a guess.
 */
import type { Dirent } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { UsageError } from '../../errors.js';
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

async function yamlFilesUnder(folder: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (depth > 20) return;
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      if (entry.name.startsWith('.') || skippedFolders.has(entry.name)) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path, depth + 1);
      else if (entry.isFile() && /\.ya?ml$/i.test(entry.name)) found.push(path);
    }
  };
  await walk(folder, 0);
  return found;
}

export function displayPath(path: string, cwd: string): string {
  const shown = relative(cwd, path);
  return shown === '' || shown.startsWith('..') ? path : shown;
}

async function readYaml(path: string, cwd: string): Promise<{ text: string; parsed: ParsedYamlFile }> {
  const text = await readFile(path, 'utf8');
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
  } catch {
    throw new UsageError(
      explicit
        ? `--file: ${target} does not exist.`
        : `pin: there is no manifests/ folder in ${cwd}, so there is nothing to pin.`,
      {
        hint: explicit
          ? 'Point --file at the kustomization.yaml or workload manifest that names the image.'
          : 'Run pin from the root of the lab repository, or pass --file PATH.',
      },
    );
  }
  const files = isFolder ? await yamlFilesUnder(target) : [target];
  const kustomize: LocatedFile[] = [];
  const containers: LocatedFile[] = [];
  const mentions: ImageMention[] = [];
  const unreadable: string[] = [];
  for (const path of files) {
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
