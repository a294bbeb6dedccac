import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CorpusError,
  CorpusNotFoundError,
  EmptyCorpusError,
  loadCorpus,
  splitMarkdown,
  stripInline,
} from '../../../src/service/corpus.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'docqa-corpus-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('splitMarkdown', () => {
  it('uses the first H1 as the title and the heading path for each passage', () => {
    const md =
      '# Payments on-call\n\nIntro line.\n\n## Refunds\n\n### Stuck refunds\n\nRetry with `refund-cli retry`.\n';
    const doc = splitMarkdown(md, 'payments.md');
    expect(doc.title).toBe('Payments on-call');
    expect(doc.passages).toEqual([
      { heading: 'Payments on-call', text: 'Intro line.' },
      { heading: 'Payments on-call > Refunds > Stuck refunds', text: 'Retry with refund-cli retry.' },
    ]);
  });

  it('keeps list items one per line, strips Markdown syntax and keeps inline code text', () => {
    const md =
      '# T\n\n## Fix\n\nTo recover:\n\n- Add **`ignoreDifferences`** on [the app](http://x).\n- Set _RespectIgnoreDifferences=true_.\n  Then sync.\n';
    const doc = splitMarkdown(md, 't.md');
    expect(doc.passages).toHaveLength(1);
    expect(doc.passages[0]?.text).toBe(
      'To recover:\nAdd ignoreDifferences on the app.\nSet RespectIgnoreDifferences=true. Then sync.',
    );
  });

  it('keeps code blocks and table cells as text', () => {
    const md =
      '# T\n\n```yaml\njsonPointers:\n  - /spec/replicas\n```\n\n| port | what |\n|---|---|\n| 9090 | Prometheus |\n';
    const texts = splitMarkdown(md, 't.md').passages.map((p) => p.text);
    expect(texts.join('\n')).toContain('- /spec/replicas');
    expect(texts.join('\n')).toContain('9090, Prometheus');
  });

  it('falls back to the file name for the title', () => {
    expect(splitMarkdown('Just text.', 'ci-runners.md').title).toBe('Ci runners');
  });

  it('strips inline Markdown', () => {
    expect(stripInline('Run `kubectl get pods` and **wait** for [Ready](x) <br> state')).toBe(
      'Run kubectl get pods and wait for Ready state',
    );
  });

  it('never throws on any Markdown and yields non-empty passages', () => {
    const markdownish = fc.array(
      fc.oneof(
        fc.string(),
        fc.constantFrom(
          '# ',
          '## ',
          '- ',
          '1. ',
          '```',
          '| a | b |',
          '|---|---|',
          '> ',
          '---',
          '\n',
          '`x`',
          '**',
        ),
      ),
      { maxLength: 40 },
    );
    fc.assert(
      fc.property(markdownish, (parts) => {
        const doc = splitMarkdown(parts.join(''), 'x.md');
        expect(typeof doc.title).toBe('string');
        for (const p of doc.passages) expect(p.text.trim().length).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });
});

describe('loadCorpus', () => {
  it('reads Markdown files sorted by name with unique passage ids', async () => {
    const dir = join(root, 'ok');
    await mkdir(dir);
    await writeFile(join(dir, 'b.md'), '# Bee\n\nOne.\n\nTwo.\n');
    await writeFile(join(dir, 'a.md'), '# Ay\n\n## S\n\nText here.\n');
    await writeFile(join(dir, 'notes.txt'), 'ignored');
    const corpus = await loadCorpus(dir, { maxPassageChars: 1 });
    expect(corpus.documents.map((d) => d.doc_id)).toEqual(['a.md', 'b.md']);
    expect(corpus.passages.map((p) => p.passage_id)).toEqual(['a.md#0', 'b.md#0', 'b.md#1']);
    expect(corpus.documents[1]).toEqual({ doc_id: 'b.md', title: 'Bee', passages: 2 });
  });

  it('gives unique passage ids for any set of documents', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.string({ maxLength: 200 }), { minLength: 1, maxLength: 4 }),
        async (docs) => {
          const dir = await mkdtemp(join(root, 'prop-'));
          await Promise.all(
            docs.map((text, i) => writeFile(join(dir, `d${i}.md`), `# D${i}\n\nbase text\n\n${text}`)),
          );
          const corpus = await loadCorpus(dir);
          const ids = corpus.passages.map((p) => p.passage_id);
          expect(new Set(ids).size).toBe(ids.length);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('names the folder when it does not exist', async () => {
    const missing = join(root, 'nope');
    await expect(loadCorpus(missing)).rejects.toThrow(CorpusNotFoundError);
    await expect(loadCorpus(missing)).rejects.toThrow(missing);
  });

  it('names the folder when it holds no Markdown or no text', async () => {
    const empty = join(root, 'empty');
    await mkdir(empty);
    await expect(loadCorpus(empty)).rejects.toThrow(EmptyCorpusError);
    await writeFile(join(empty, 'x.txt'), 'text');
    await expect(loadCorpus(empty)).rejects.toThrow(empty);
    await writeFile(join(empty, 'blank.md'), '\n\n   \n');
    const error = await loadCorpus(empty).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorpusError);
    expect((error as CorpusError).dir).toBe(empty);
  });

  it('rejects a file passed as the folder', async () => {
    const file = join(root, 'file.md');
    await writeFile(file, '# x');
    await expect(loadCorpus(file)).rejects.toThrow(/is not a folder/);
  });

  it('loads the bundled handbook', async () => {
    const corpus = await loadCorpus(join(import.meta.dirname, '../../../handbook'));
    expect(corpus.documents.length).toBeGreaterThanOrEqual(16);
    expect(corpus.documents.map((d) => d.doc_id)).toContain('argo-cd-and-hpa.md');
  });
});
