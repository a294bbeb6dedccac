/**
 * The README's set-up from a clone is `npm ci` then `npx gitops-lab ...`. npm runs a project's own bin by linking
 * the project into its npx cache, which runs `prepare` again: scripts/prepare.mjs must then not rebuild an
 * up-to-date dist/ (that second TypeScript build made the first `npx gitops-lab up` take 26-87 s). Here a stand-in
 * `tsc` records whether a build ran.
 */
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/cli.js';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function project(): { builds: () => number; prepare: () => string } {
  dir = mkdtempSync(join(tmpdir(), 'gitops-lab-prepare-'));
  mkdirSync(join(dir, 'scripts'));
  cpSync(join(repoRoot, 'scripts', 'prepare.mjs'), join(dir, 'scripts', 'prepare.mjs'));
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'src', 'index.ts'), 'export {};\n');
  for (const f of ['package.json', 'tsconfig.json', 'tsconfig.build.json'])
    writeFileSync(join(dir, f), '{}\n');
  const tsc = join(dir, 'node_modules', 'typescript', 'bin');
  mkdirSync(tsc, { recursive: true });
  writeFileSync(join(dir, 'node_modules', 'typescript', 'package.json'), '{"name":"typescript"}\n');
  writeFileSync(
    join(tsc, 'tsc'),
    `const fs = require('node:fs');
fs.appendFileSync(${JSON.stringify(join(dir, 'builds.log'))}, process.argv.slice(2).join(' ') + '\\n');
fs.mkdirSync(${JSON.stringify(join(dir, 'dist', 'cli'))}, { recursive: true });
fs.writeFileSync(${JSON.stringify(join(dir, 'dist', 'cli', 'main.js'))}, '');
`,
  );
  // Sources older than anything the build writes.
  const past = new Date(Date.now() - 60_000);
  for (const f of ['src/index.ts', 'src', 'package.json', 'tsconfig.json', 'tsconfig.build.json'])
    utimesSync(join(dir, f), past, past);
  return {
    builds: () =>
      existsSync(join(dir, 'builds.log'))
        ? readFileSync(join(dir, 'builds.log'), 'utf8').trim().split('\n').length
        : 0,
    prepare: () =>
      execFileSync(process.execPath, [join(dir, 'scripts', 'prepare.mjs')], { encoding: 'utf8' }),
  };
}

describe('prepare (npm ci, and the first npx gitops-lab in a clone)', () => {
  it('builds once, then not again while dist/ is up to date', () => {
    const p = project();
    p.prepare();
    expect(p.builds()).toBe(1);
    expect(readFileSync(join(dir, 'builds.log'), 'utf8')).toContain('-p tsconfig.build.json');
    expect(p.prepare()).toContain('up to date');
    expect(p.builds()).toBe(1);
  });

  it('builds again when a source changed, or when dist/ is gone', () => {
    const p = project();
    p.prepare();
    const future = new Date(Date.now() + 60_000);
    utimesSync(join(dir, 'src', 'index.ts'), future, future);
    p.prepare();
    expect(p.builds()).toBe(2);
    rmSync(join(dir, 'dist'), { recursive: true });
    p.prepare();
    expect(p.builds()).toBe(3);
  });

  it('is what package.json runs on prepare', () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.prepare).toBe('node scripts/prepare.mjs');
    expect(pkg.scripts.build).toBe('tsc -p tsconfig.build.json');
  });
});
