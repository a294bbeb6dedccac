import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { diffLines, formatHunks, lineOps } from '../../../src/lab/pin/diff.js';
import { pinImage } from '../../../src/lab/pin/pin.js';

const digest = `sha256:${'9'.repeat(64)}`;
const image = 'ghcr.io/gitops-lab/docqa';
const dir = mkdtempSync(join(tmpdir(), 'gitops-lab-pin-layout-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const comment = fc.constantFrom('', ' # note', '  # two spaces', '   #three', ' # with: colon');
const indentStyle = fc.constantFrom('  ', '    ');
const resource = fc.constantFrom('rollout.yaml', 'services.yaml', 'hpa.yaml', 'pdb.yaml');
const tagQuote = fc.constantFrom('"0.1.0"', "'0.1.0'", '0.1.0');

/** A kustomization written by hand: random indentation, list style, comments and spacing. */
const kustomization = fc
  .record({
    indent: indentStyle,
    indentSeq: fc.boolean(),
    header: fc.array(
      comment.filter((c) => c !== ''),
      { maxLength: 2 },
    ),
    resources: fc.uniqueArray(resource, { minLength: 1, maxLength: 4 }),
    comments: fc.array(comment, { minLength: 8, maxLength: 8 }),
    tag: tagQuote,
    blankBeforeImages: fc.boolean(),
    otherImageFirst: fc.boolean(),
    commentAboveTag: fc.boolean(),
    commentAboveImages: fc.boolean(),
  })
  .map((k) => {
    const item = k.indentSeq ? `${k.indent}- ` : '- ';
    const inner = k.indentSeq ? `${k.indent}  ` : '  ';
    const c = (i: number) => k.comments[i] ?? '';
    const other = [`${item}name: ghcr.io/other/proxy${c(5)}`, `${inner}newTag: "1.2"`];
    const docqa = [
      `${item}name: ${image}${c(3)}`,
      ...(k.commentAboveTag ? [`${inner}# the release we run`] : []),
      `${inner}newTag: ${k.tag}${c(4)}`,
    ];
    return [
      ...k.header.map((h) => h.trim()),
      `apiVersion: kustomize.config.k8s.io/v1beta1${c(0)}`,
      'kind: Kustomization',
      `namespace: docqa${c(1)}`,
      `resources:${c(2)}`,
      ...k.resources.map((r, i) => `${item}${r}${i === 0 ? c(6) : ''}`),
      ...(k.blankBeforeImages ? [''] : []),
      ...(k.commentAboveImages ? ['# pinned by CI'] : []),
      'images:',
      ...(k.otherImageFirst ? [...other, ...docqa] : [...docqa, ...other]),
      `labels:${c(7)}`,
      `${item}pairs:`,
      `${inner}${k.indent}app.kubernetes.io/part-of: gitops-lab`,
      '',
    ].join('\n');
  });

describe('pin keeps a hand-written layout', () => {
  it('changes exactly the newTag line into a digest line, whatever the layout and comments', async () => {
    await fc.assert(
      fc.asyncProperty(kustomization, async (text) => {
        const file = join(dir, 'kustomization.yaml');
        writeFileSync(file, text);
        const result = await pinImage({ image, digest, file, cwd: dir });
        expect(result.status).toBe('pinned');
        expect(result.warnings).toEqual([]);
        const after = readFileSync(file, 'utf8');
        const before = text.split('\n');
        const lines = after.split('\n');
        const removed = before.filter((line) => !lines.includes(line));
        const added = lines.filter((line) => !before.includes(line));
        expect(removed).toHaveLength(1);
        expect(removed[0]).toMatch(/newTag: ["']?0\.1\.0/);
        expect(added).toHaveLength(1);
        expect(added[0]).toMatch(new RegExp(`^\\s+digest: ${digest}( #.*)?$`));
        // A comment on the newTag line stays with the line that replaces it.
        const tagComment = /#.*$/.exec(removed[0] ?? '')?.[0];
        expect(/#.*$/.exec(added[0] ?? '')?.[0]).toBe(tagComment);
        // The pinned entry is the docqa one; the other image keeps its tag.
        const data = parse(after);
        expect(data.images).toContainEqual({ name: image, digest });
        expect(data.images).toContainEqual({ name: 'ghcr.io/other/proxy', newTag: '1.2' });
      }),
      { numRuns: 100 },
    );
  });
});

describe('line diff', () => {
  const lines = fc.array(fc.constantFrom('a', 'b', 'c', 'd', '# x', ''), { maxLength: 30 });

  it('its steps rebuild both sides', () => {
    fc.assert(
      fc.property(lines, lines, (a, b) => {
        const ops = lineOps(a, b);
        expect(ops.filter((op) => op.op !== '+').map((op) => a[op.oldIndex])).toEqual(a);
        expect(ops.filter((op) => op.op !== '-').map((op) => b[op.newIndex])).toEqual(b);
      }),
    );
  });

  it('prints a unified hunk with context for a one-line change', () => {
    const before = ['one', 'two', 'three', 'four', 'five', 'six', 'seven'].join('\n');
    const after = before.replace('four', 'FOUR');
    expect(formatHunks(diffLines(before, after))).toEqual([
      '@@ -2,5 +2,5 @@',
      ' two',
      ' three',
      '-four',
      '+FOUR',
      ' five',
      ' six',
    ]);
    expect(diffLines(before, before)).toEqual([]);
  });
});
