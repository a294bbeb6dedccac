/**
 * The simulated lab's entries in the user's kubeconfig, added by `up --simulate` and removed by `down`, the way kind
 * does it for a kind cluster (kubernetes-sigs/kind v0.29, pkg/cluster/internal/kubeconfig/internal/kubeconfig/):
 * - the file is the one kubectl would merge into (paths.go `pathForMerge`): the config's `kubeconfig`, else the first
 *   file of $KUBECONFIG that exists (the last one when none does), else ~/.kube/config;
 * - one cluster, one user and one context, all named after the context, replacing entries of that name (merge.go),
 *   and the context becomes the current-context (kind sets it on create);
 * - removing drops exactly those three entries and unsets current-context when it names them (remove.go), nothing
 *   else: other entries, their order, comments and formatting are kept (edited through the `yaml` Document API);
 * - the file is locked while edited (`<file>.lock`, created exclusively: lock.go) and replaced atomically.
 */
import { existsSync, statSync } from 'node:fs';
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { type Document, isMap, isSeq, parseDocument, type YAMLSeq } from 'yaml';
import { writeFileAtomic } from '../../atomic-write.js';
import { PreconditionError } from '../../errors.js';
import { kubeconfigCluster } from '../sim/kubeconfig.js';

export interface KubeconfigEntry {
  /** The context, cluster and user name. */
  name: string;
  server: string;
  /** The server's certificate authority (PEM). */
  ca?: string;
  token: string;
}

/** The kubeconfig file to merge into: `explicit` (the config's `kubeconfig`), else as kubectl and kind pick it. */
export function kubeconfigFileForMerge(
  explicit: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string {
  if (explicit) return explicit;
  const paths = [...new Set((env.KUBECONFIG ?? '').split(delimiter).filter(Boolean))];
  if (paths.length === 0) return join(env.HOME || homedir(), '.kube', 'config');
  if (paths.length === 1) return paths[0] as string;
  return paths.find((p) => existsSync(p) && statSync(p).isFile()) ?? (paths.at(-1) as string);
}

const sections = ['clusters', 'users', 'contexts'] as const;

/** Lists written as kubectl writes them (`- ` level with their key), flow maps as found. */
const kubectlStyle = { indentSeq: false, flowCollectionPadding: false } as const;

function parseKubeconfig(text: string, file: string): Document {
  const doc = parseDocument(text);
  if (doc.errors.length > 0)
    throw new PreconditionError(`${file} is not valid YAML: ${doc.errors[0]?.message.split('\n')[0]}`, {
      hint: 'Fix the kubeconfig file (kubectl reads it too), then run the command again.',
    });
  if (doc.contents !== null && !isMap(doc.contents))
    throw new PreconditionError(`${file} is not a kubeconfig: its top level is not a mapping.`, {
      hint: 'Fix the kubeconfig file, or point the lab at another one with `kubeconfig:` in gitops-lab.yaml.',
    });
  for (const section of sections) {
    const value = doc.get(section, true);
    if (value !== undefined && value !== null && !isSeq(value) && !isScalarNull(value))
      throw new PreconditionError(`${file}: \`${section}\` is not a list.`, {
        hint: 'Fix the kubeconfig file (kubectl reads it too), then run the command again.',
      });
  }
  return doc;
}

function isScalarNull(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    'value' in value &&
    (value as { value: unknown }).value === null
  );
}

function namedItems(doc: Document, section: string): YAMLSeq | undefined {
  const value = doc.get(section, true);
  return isSeq(value) ? value : undefined;
}

function dropNamed(doc: Document, section: string, name: string): boolean {
  const seq = namedItems(doc, section);
  if (!seq) return false;
  const before = seq.items.length;
  seq.items = seq.items.filter((item) => !(isMap(item) && item.get('name') === name));
  return seq.items.length !== before;
}

/** The kubeconfig text with `entry` merged in (replacing entries of its name) and made the current-context. */
export function mergeKubeconfig(text: string, entry: KubeconfigEntry, file = 'kubeconfig'): string {
  const doc = parseKubeconfig(text, file);
  if (doc.contents === null || !isMap(doc.contents)) {
    doc.contents = doc.createNode({ apiVersion: 'v1', kind: 'Config', preferences: {} }) as never;
  }
  const items: Record<(typeof sections)[number], unknown> = {
    clusters: { name: entry.name, cluster: kubeconfigCluster(entry.server, entry.ca) },
    users: { name: entry.name, user: { token: entry.token } },
    contexts: { name: entry.name, context: { cluster: entry.name, user: entry.name } },
  };
  for (const section of sections) {
    dropNamed(doc, section, entry.name);
    const seq = namedItems(doc, section);
    if (seq) seq.items.push(doc.createNode(items[section]));
    else doc.set(section, doc.createNode([items[section]]));
  }
  doc.set('current-context', entry.name);
  return doc.toString(kubectlStyle);
}

/** The kubeconfig text without `name`'s cluster, user and context; current-context unset when it was `name`. */
export function unmergeKubeconfig(
  text: string,
  name: string,
  file = 'kubeconfig',
): { text: string; changed: boolean } {
  const doc = parseKubeconfig(text, file);
  if (doc.contents === null) return { text, changed: false };
  let changed = false;
  for (const section of sections) changed = dropNamed(doc, section, name) || changed;
  if (doc.get('current-context') === name) {
    doc.set('current-context', '');
    changed = true;
  }
  return { text: changed ? doc.toString(kubectlStyle) : text, changed };
}

/** Holds `<file>.lock` (created exclusively, as kubectl and kind do) while `work` runs. */
async function withLock<T>(file: string, work: () => Promise<T>): Promise<T> {
  const lock = `${file}.lock`;
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(lock, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      throw new PreconditionError(`${file} is locked by another program (${lock} exists).`, {
        hint: `If no kubectl, kind or gitops-lab is running, remove ${lock} and run the command again.`,
      });
    throw error;
  }
  try {
    return await work();
  } finally {
    await handle.close();
    await rm(lock, { force: true });
  }
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Adds `entry` to the kubeconfig `file` (created, mode 0600, when missing). */
export async function addKubeconfigEntry(file: string, entry: KubeconfigEntry): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await withLock(file, async () => {
    const text = await readText(file);
    await writeFileAtomic(
      file,
      mergeKubeconfig(text ?? '', entry, file),
      text === undefined ? { mode: 0o600 } : {},
    );
  });
}

/** Removes `name`'s entries from the kubeconfig `file`; true when there were any. A missing file has none. */
export async function removeKubeconfigEntry(file: string, name: string): Promise<boolean> {
  if (!existsSync(file)) return false;
  return withLock(file, async () => {
    const text = await readText(file);
    if (text === undefined) return false;
    const result = unmergeKubeconfig(text, name, file);
    if (result.changed) await writeFileAtomic(file, result.text);
    return result.changed;
  });
}
