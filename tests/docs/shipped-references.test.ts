/**
 * What the CLI and the service point a person at must be in the npm package: every `docs/*.md` (and other
 * package file) named in src/ is in `npm pack`'s file list, and nothing points at a document the project does
 * not have (DESIGN.md). Docs also name the right kind of object: `deploy/NAME` is not used for a Rollout.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/cli.js';

function filesUnder(dir: string, ext: RegExp): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && ext.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

const packed = new Set(
  (
    JSON.parse(
      execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
        cwd: repoRoot,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }),
    ) as Array<{ files: Array<{ path: string }> }>
  )[0]?.files.map((f) => f.path),
);

const sources = filesUnder(join(repoRoot, 'src'), /\.tsx?$/).map((f) => ({
  file: relative(repoRoot, f),
  text: readFileSync(f, 'utf8'),
}));

describe('documents the package points at', () => {
  it('every docs/*.md named in src/ is shipped in the npm package', () => {
    const named = new Set(
      sources.flatMap((s) => [...s.text.matchAll(/\bdocs\/[a-z0-9-]+\.md\b/g)].map((m) => m[0])),
    );
    expect(named.size).toBeGreaterThan(0);
    for (const doc of named) expect(packed.has(doc), `${doc} is named in src/ but not packed`).toBe(true);
  });

  it('no source file or shipped document refers to a DESIGN.md the package does not have', () => {
    expect(packed.has('DESIGN.md')).toBe(false);
    const mentions = sources.filter((s) => s.text.includes('DESIGN.md')).map((s) => s.file);
    expect(mentions).toEqual([]);
    const docs = [...packed].filter((p) => p.endsWith('.md'));
    for (const doc of docs) expect(readFileSync(join(repoRoot, doc), 'utf8'), doc).not.toContain('DESIGN.md');
  });

  it('docs name Rollouts as Rollouts: no `deploy/NAME` for an object that is a Rollout in manifests/', () => {
    const rollouts = new Set(
      filesUnder(join(repoRoot, 'manifests'), /\.ya?ml$/).flatMap((f) => {
        const text = readFileSync(f, 'utf8');
        return [...text.matchAll(/^kind: Rollout\s*\nmetadata:\s*\n(?:\s+.*\n)*?\s+name: (\S+)/gm)].map(
          (m) => m[1],
        );
      }),
    );
    expect(rollouts.has('docqa')).toBe(true);
    const docs = ['README.md', ...readdirSync(join(repoRoot, 'docs')).map((f) => `docs/${f}`)];
    for (const doc of docs) {
      const text = readFileSync(join(repoRoot, doc), 'utf8');
      for (const m of text.matchAll(/\b(?:deploy|deployment|deployments)\/([a-z0-9-]+)/g))
        expect(rollouts.has(m[1] ?? ''), `${doc}: ${m[0]} is a Rollout, not a Deployment`).toBe(false);
    }
  });
});
