/** Reading manifests: multi-document YAML to objects, ordered the way an install needs them. */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { LabError } from '../../errors.js';
import type { KubeObject } from '../kube/types.js';

export async function parseManifests(text: string, source: string): Promise<KubeObject[]> {
  const { parseAllDocuments } = await import('yaml');
  const objects: KubeObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length) {
      throw new LabError(`${source} is not valid YAML: ${doc.errors[0]?.message.split('\n')[0]}`, 1, {
        hint: 'Check the manifest (or the kustomization that rendered it).',
      });
    }
    const value = doc.toJS() as KubeObject | null;
    if (!value) continue;
    if (value.kind?.endsWith('List') && Array.isArray((value as { items?: unknown }).items)) {
      objects.push(...(value as unknown as { items: KubeObject[] }).items);
      continue;
    }
    if (!value.apiVersion || !value.kind || !value.metadata?.name)
      throw new LabError(`${source}: a document has no apiVersion, kind or metadata.name.`, 1, {
        hint: 'Every manifest needs apiVersion, kind and metadata.name.',
      });
    objects.push(value);
  }
  return objects;
}

export async function readManifestFile(file: string): Promise<KubeObject[]> {
  return parseManifests(await readFile(file, 'utf8'), file);
}

/** Namespaces, then CRDs, then everything else (so each apply finds what it needs). */
export function installOrder(objects: KubeObject[]): {
  namespaces: KubeObject[];
  crds: KubeObject[];
  rest: KubeObject[];
} {
  return {
    namespaces: objects.filter((o) => o.kind === 'Namespace'),
    crds: objects.filter((o) => o.kind === 'CustomResourceDefinition'),
    rest: objects.filter((o) => o.kind !== 'Namespace' && o.kind !== 'CustomResourceDefinition'),
  };
}

const ignored = new Set(['node_modules', '.git', 'coverage', '.gitops-lab', 'drills/reports', 'dist']);

/** A short content digest of files and folders (relative paths and bytes), for "has this changed?" checks. */
export async function digestPaths(
  root: string,
  paths: string[],
  extraIgnored: string[] = [],
): Promise<string> {
  const hash = createHash('sha256');
  const skip = new Set([...ignored, ...extraIgnored]);
  async function visit(path: string): Promise<void> {
    const rel = relative(root, path);
    if (skip.has(rel) || skip.has(rel.split('/').pop() ?? '')) return;
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(path);
    } catch {
      return;
    }
    if (info.isDirectory()) {
      for (const entry of (await readdir(path)).sort()) await visit(join(path, entry));
      return;
    }
    hash.update(`${rel}\0`);
    hash.update(await readFile(path));
    hash.update('\0');
  }
  for (const p of paths) await visit(join(root, p));
  return hash.digest('hex').slice(0, 12);
}

export function digestOf(...values: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(values)).digest('hex').slice(0, 12);
}
