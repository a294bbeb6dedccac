/**
 * The vendored Argo CD and Argo Rollouts install manifests (scripts/vendor-argo.sh): upstream's bytes under a
 * header, at the versions src/lab/config.ts pins, rendering with those image tags, and holding the CRDs that the
 * committed lint schemas (schemas/argo.json) were built from.
 */

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
// @ts-expect-error: a plain ESM script without type declarations
import { argoKindSchemas } from '../../scripts/build-schemas.mjs';
import { defaultConfig } from '../../src/lab/config.js';
import { which } from '../../src/lab/tools/runner.js';

const root = join(import.meta.dirname, '..', '..', 'manifests', 'bootstrap');
const versions = defaultConfig({}).versions;
const vendored = [
  { dir: 'argo-cd', repo: 'argo-cd', tag: versions.argoCd, image: 'quay.io/argoproj/argocd' },
  {
    dir: 'argo-rollouts',
    repo: 'argo-rollouts',
    tag: versions.argoRollouts,
    image: 'quay.io/argoproj/argo-rollouts',
  },
];

interface Vendored {
  header: Record<string, string>;
  body: string;
}

/** Splits a vendored file into its header fields and upstream's bytes. */
function readVendored(dir: string): Vendored {
  const text = readFileSync(join(root, dir, 'install.yaml'), 'utf8');
  const lines = text.split('\n');
  expect(lines[0]).toMatch(/^# Vendored by scripts\/vendor-argo\.sh/);
  const header: Record<string, string> = {};
  let at = 1;
  for (; at < lines.length; at++) {
    const m = /^# (source|tag|sha256): (.+)$/.exec(lines[at] ?? '');
    if (!m) break;
    header[m[1] as string] = m[2] as string;
  }
  return { header, body: lines.slice(at).join('\n') };
}

// biome-ignore lint/suspicious/noExplicitAny: manifest objects
const objectsOf = (text: string): any[] =>
  parseAllDocuments(text)
    .map((d) => d.toJS())
    .filter(Boolean);

describe('vendored Argo CD and Argo Rollouts install manifests', () => {
  for (const v of vendored) {
    it(`${v.dir}: upstream manifests/install.yaml at the pinned tag ${v.tag}, bytes unchanged`, () => {
      const { header, body } = readVendored(v.dir);
      expect(header).toEqual({
        source: `https://github.com/argoproj/${v.repo}/blob/${v.tag}/manifests/install.yaml`,
        tag: v.tag,
        sha256: createHash('sha256').update(body).digest('hex'),
      });
      // Upstream's own first line.
      expect(body.startsWith('# This is an auto-generated file. DO NOT EDIT\n')).toBe(true);
    });
  }

  it('the lab kustomizations use them and pin the controller images to the same tags', () => {
    const cd = objectsOf(readVendored('argo-cd').body);
    const images = new Set(
      cd.flatMap((o) => (o.spec?.template?.spec?.containers ?? []).map((c: { image: string }) => c.image)),
    );
    expect([...images].filter((i) => i.startsWith('quay.io/argoproj/argocd:'))).toEqual([
      `quay.io/argoproj/argocd:${versions.argoCd}`,
    ]);
    // Rollouts' Git tree says :latest; its release sets the tag with `kustomize edit set image`, as the lab does.
    const rollouts = parse(readFileSync(join(root, 'argo-rollouts', 'kustomization.yaml'), 'utf8'));
    expect(rollouts.resources).toEqual(['install.yaml']);
    expect(rollouts.images).toEqual([
      { name: 'quay.io/argoproj/argo-rollouts', newTag: versions.argoRollouts },
    ]);
  });

  it('hold the CRDs that the committed lint schemas (schemas/argo.json) were built from', () => {
    const committed = JSON.parse(readFileSync(join(root, '..', '..', 'schemas', 'argo.json'), 'utf8')).kinds;
    const fromVendored = argoKindSchemas(
      vendored.flatMap((v) => objectsOf(readVendored(v.dir).body)),
    ) as Record<string, unknown>;
    expect(Object.keys(committed).length).toBeGreaterThan(0);
    for (const kind of Object.keys(committed)) expect(fromVendored[kind], kind).toEqual(committed[kind]);
  });
});

const kubectl = await which('kubectl');
describe.runIf(kubectl)('the rendered bootstrap kustomizations (kubectl kustomize, offline)', () => {
  for (const v of vendored) {
    it(`${v.dir} renders with ${v.image}:${v.tag} and no other tag of it`, () => {
      const out = execFileSync('kubectl', ['kustomize', join(root, v.dir)], {
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
        timeout: 60_000,
      });
      const tags = new Set([...out.matchAll(new RegExp(`image: ${v.image}:(\\S+)`, 'g'))].map((m) => m[1]));
      expect([...tags]).toEqual([v.tag]);
    });
  }
});
