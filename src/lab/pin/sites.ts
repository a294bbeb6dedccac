/**
 * Where an image is named in a YAML file: a kustomization's `images:` entry (which overrides the workloads'
 * own image fields) or the `image:` field of a workload's container. Both are found with the `yaml`
 * document API, so the edit keeps the rest of the file as it was.
 */
import { basename } from 'node:path';
import { type Document, isMap, isScalar, isSeq, type YAMLMap } from 'yaml';
import { parseImageReference } from './reference.js';

export type PinSiteKind = 'kustomize-image' | 'container-image';

export interface PinSite {
  kind: PinSiteKind;
  /** Index of the YAML document in the file. */
  document: number;
  /** Path of the entry (kustomize) or the `image` field (container) inside that document. */
  path: (string | number)[];
  /** 1-based line of the entry or field, for messages. */
  line: number;
  /** What is there now, e.g. `ghcr.io/acme/docqa:0.1.0` or `ghcr.io/acme/docqa (newTag 0.1.0)`. */
  current: string;
  /** Who uses it, e.g. `Kustomization` or `Rollout/docqa container docqa`. */
  owner: string;
}

/** Every image a file names, for "not found" messages: `name → owner`. */
export interface ImageMention {
  image: string;
  owner: string;
  line: number;
}

const kustomizationFileNames = new Set(['kustomization.yaml', 'kustomization.yml', 'Kustomization']);

const podSpecPaths: Record<string, string[]> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  Rollout: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

function lineOf(lineStarts: number[], offset: number | undefined): number {
  if (offset === undefined) return 0;
  let low = 0;
  let high = lineStarts.length - 1;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if ((lineStarts[middle] ?? 0) <= offset) low = middle;
    else high = middle - 1;
  }
  return low + 1;
}

function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  return starts;
}

function scalarString(map: YAMLMap, key: string): string | undefined {
  const value = map.get(key, true);
  return isScalar(value) && value.value !== null && value.value !== undefined
    ? String(value.value)
    : undefined;
}

function isKustomization(document: Document.Parsed, fileName: string): boolean {
  const root = document.contents;
  if (!isMap(root)) return false;
  const kind = scalarString(root, 'kind');
  return kind === 'Kustomization' || (kind === undefined && kustomizationFileNames.has(basename(fileName)));
}

export interface FoundImages {
  sites: PinSite[];
  mentions: ImageMention[];
}

/**
 * Finds where `imageName` is set in the documents of one file. A kustomization entry matches when its
 * `name` or `newName` is the image; a container matches when its image's name (without tag or digest) is.
 */
export function findImageSites(
  documents: Document.Parsed[],
  text: string,
  fileName: string,
  imageName: string,
): FoundImages {
  const lineStarts = lineStartsOf(text);
  const sites: PinSite[] = [];
  const mentions: ImageMention[] = [];
  documents.forEach((document, index) => {
    const root = document.contents;
    if (!isMap(root)) return;
    if (isKustomization(document, fileName)) {
      const images = root.get('images', true);
      if (!isSeq(images)) return;
      images.items.forEach((entry, position) => {
        if (!isMap(entry)) return;
        const name = scalarString(entry, 'name');
        const newName = scalarString(entry, 'newName');
        const line = lineOf(lineStarts, entry.range?.[0]);
        for (const mentioned of [name, newName]) {
          if (mentioned) mentions.push({ image: mentioned, owner: 'Kustomization images', line });
        }
        if (name !== imageName && newName !== imageName) return;
        const newTag = scalarString(entry, 'newTag');
        const digest = scalarString(entry, 'digest');
        const shown = newName ?? name ?? imageName;
        sites.push({
          kind: 'kustomize-image',
          document: index,
          path: ['images', position],
          line,
          current: digest ? `${shown}@${digest}` : newTag ? `${shown}:${newTag}` : shown,
          owner: 'Kustomization images',
        });
      });
      return;
    }
    const kind = scalarString(root, 'kind');
    const podSpecPath = kind ? podSpecPaths[kind] : undefined;
    if (!kind || !podSpecPath) return;
    const metadata = root.get('metadata', true);
    const workload = `${kind}/${isMap(metadata) ? (scalarString(metadata, 'name') ?? '?') : '?'}`;
    for (const field of ['initContainers', 'containers']) {
      const containers = document.getIn([...podSpecPath, field], true);
      if (!isSeq(containers)) continue;
      containers.items.forEach((container, position) => {
        if (!isMap(container)) return;
        const image = container.get('image', true);
        if (!isScalar(image) || typeof image.value !== 'string') return;
        const containerName = scalarString(container, 'name') ?? String(position);
        const owner = `${workload} ${field === 'containers' ? 'container' : 'init container'} ${containerName}`;
        const line = lineOf(lineStarts, image.range?.[0]);
        const parsed = parseImageReference(image.value);
        if (!parsed.ok) return;
        mentions.push({ image: parsed.value.name, owner, line });
        if (parsed.value.name !== imageName) return;
        sites.push({
          kind: 'container-image',
          document: index,
          path: [...podSpecPath, field, position, 'image'],
          line,
          current: image.value,
          owner,
        });
      });
    }
  });
  return { sites, mentions };
}
