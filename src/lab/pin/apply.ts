/**
 * Rewrites the sites found by `findImageSites` to `name@sha256:…` in place, through the `yaml` document API:
 * a kustomization entry gets `digest:` and loses `newTag:` (its `newName:` stays), a container's `image:`
 * becomes `name@sha256:…`. Scalars keep their node, so quoting and comments stay where they were.
 */
import { type Document, isMap, isScalar } from 'yaml';
import type { PinSite } from './sites.js';

export interface SiteChange {
  site: PinSite;
  before: string;
  after: string;
  changed: boolean;
}

/** Puts `key: value` in the place of `replacing` (or at the end): key order is part of the data here. */
function replaceKey(node: Record<string, unknown>, replacing: string, key: string, value: unknown): void {
  const entries = Object.entries(node);
  for (const [name] of entries) delete node[name];
  for (const [name, old] of entries) {
    if (name === replacing) node[key] = value;
    else node[name] = old;
  }
  if (!(key in node)) node[key] = value;
}

/** What the plain data of the document must look like after the pin (used to check the rewrite). */
function expectedData(data: unknown, site: PinSite, imageName: string, digest: string): void {
  let node = data as Record<string | number, unknown>;
  const path = site.kind === 'container-image' ? site.path.slice(0, -1) : site.path;
  for (const key of path) node = node[key] as Record<string | number, unknown>;
  if (site.kind === 'container-image') {
    node.image = `${imageName}@${digest}`;
  } else if ('digest' in node) {
    node.digest = digest;
    delete node.newTag;
  } else {
    replaceKey(node as Record<string, unknown>, 'newTag', 'digest', digest);
  }
}

export function pinSite(
  document: Document.Parsed,
  site: PinSite,
  imageName: string,
  digest: string,
): SiteChange {
  if (site.kind === 'container-image') {
    const after = `${imageName}@${digest}`;
    const node = document.getIn(site.path, true);
    if (!isScalar(node)) throw new Error(`no scalar at ${site.path.join('.')}`);
    const changed = node.value !== after;
    if (changed) node.value = after;
    return { site, before: site.current, after, changed };
  }
  const entry = document.getIn(site.path, true);
  if (!isMap(entry)) throw new Error(`no map at ${site.path.join('.')}`);
  const newName = entry.get('newName');
  const shown = typeof newName === 'string' && newName !== '' ? newName : imageName;
  const after = `${shown}@${digest}`;
  const currentDigest = entry.get('digest', true);
  const changed = entry.has('newTag') || !isScalar(currentDigest) || currentDigest.value !== digest;
  if (!changed) return { site, before: site.current, after, changed };
  const newTag = entry.items.find((pair) => isScalar(pair.key) && pair.key.value === 'newTag');
  if (isScalar(currentDigest)) {
    currentDigest.value = digest;
    entry.delete('newTag');
  } else if (newTag && isScalar(newTag.key) && isScalar(newTag.value)) {
    // `newTag: x` becomes `digest: sha256:…` on the same line, keeping its place and its comments.
    newTag.key.value = 'digest';
    newTag.value.value = digest;
    newTag.value.type = 'PLAIN';
  } else {
    entry.delete('newTag');
    entry.set('digest', digest);
  }
  return { site, before: site.current, after, changed };
}

export interface PinnedDocuments {
  changes: SiteChange[];
  /** The plain data every document must hold after the pin; the caller checks the written text against it. */
  expected: unknown[];
}

/** Pins every site and says what the documents' data must now be (only the pinned fields differ). */
export function pinSites(
  documents: Document.Parsed[],
  sites: PinSite[],
  imageName: string,
  digest: string,
): PinnedDocuments {
  const expected = documents.map((document) => document.toJS());
  for (const site of sites) expectedData(expected[site.document], site, imageName, digest);
  const changes = sites.map((site) => {
    const document = documents[site.document];
    if (!document) throw new Error(`no document ${site.document}`);
    return pinSite(document, site, imageName, digest);
  });
  return { changes, expected };
}
