import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { emptyState } from '../../../src/lab/bootstrap/state.js';
import { prepareContent } from '../../../src/lab/bootstrap/steps.js';
import { defaultConfig } from '../../../src/lab/config.js';
import { packagePath } from '../../../src/paths.js';
import { tempDirsForEachTest } from '../../support/temp-dirs.js';

const KUSTOMIZATION = join('workloads', 'docqa', 'kustomization.yaml');
const PINNED = 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';

const tempDir = tempDirsForEachTest();

/** A copy of the packaged manifests whose docqa image entry is what `gitops-lab pin` leaves behind. */
async function pinnedManifests(entry: string): Promise<string> {
  const source = await tempDir('gitops-lab-manifests-');
  const { cp } = await import('node:fs/promises');
  await cp(packagePath('manifests'), source, { recursive: true });
  const file = join(source, KUSTOMIZATION);
  const text = await readFile(file, 'utf8');
  const at = text.indexOf('images:');
  expect(at).toBeGreaterThan(0);
  await writeFile(file, `${text.slice(0, at)}images:\n${entry}`);
  return source;
}

async function seed(source: string, contentTag: string): Promise<string> {
  const config = defaultConfig({ GITOPS_LAB_STATE_DIR: await tempDir('gitops-lab-state-') });
  const out = join(await tempDir('gitops-lab-seed-'), 'content');
  await prepareContent(
    { config, facts: { docqaImage: `${config.images.docqa}:${contentTag}` }, state: emptyState(config) },
    out,
    { source },
  );
  return readFile(join(out, KUSTOMIZATION), 'utf8');
}

describe('up seeds the lab repository with the content-tagged doc-QA image', () => {
  it('drops a digest pinned by CI, so the image loaded into kind is used', async () => {
    const source = await pinnedManifests(
      `  - name: ghcr.io/gitops-lab/docqa\n    digest: ${PINNED} # pinned by CI\n`,
    );
    const text = await seed(source, '3f2a9c0d41be');
    const doc = parse(text) as { images: Array<Record<string, unknown>> };
    expect(doc.images).toEqual([{ name: 'ghcr.io/gitops-lab/docqa', newTag: '3f2a9c0d41be' }]);
    expect(text).not.toContain('sha256:');
    // The file's own comments stay where they were.
    expect(text).toMatch(/^# The doc-QA workload\./);
    expect(text).toContain('newTag: 3f2a9c0d41be # pinned by CI');
  });

  it('keeps newName and drops a digest that sits next to a tag; an all-digit tag stays a string', async () => {
    const source = await pinnedManifests(
      `  - name: ghcr.io/gitops-lab/docqa\n    newName: registry.example/docqa\n    newTag: "0.1.0"\n    digest: ${PINNED}\n`,
    );
    const text = await seed(source, '123456789012');
    const doc = parse(text) as { images: Array<Record<string, unknown>> };
    expect(doc.images).toEqual([
      { name: 'ghcr.io/gitops-lab/docqa', newName: 'registry.example/docqa', newTag: '123456789012' },
    ]);
  });
});
