/**
 * The corpus loader on a hostile folder (issue 13): a link to a file outside (a stand-in for /etc/passwd),
 * a file over the cap, a binary file, a FIFO; and a property test throwing random trees at it.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type CorpusSkip,
  CorpusTooLargeError,
  EmptyCorpusError,
  loadCorpus,
  looksBinary,
} from '../../src/service/corpus.js';
import { metricsText, metricValue, readyApp } from './helpers.js';
import { buildHostileTree, hostileTree, OUTSIDE_MARKER } from './hostile-tree.js';

const temp = mkdtempSync(join(tmpdir(), 'gitops-lab-corpus-hostile-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

const DOC = '# Sync waves\n\nArgo CD applies resources in sync waves, lowest first.\n';
let count = 0;
/** A corpus folder with one good document, and a secret outside it. */
function corpus(): { dir: string; secret: string } {
  const base = join(temp, `case-${count++}`);
  const dir = join(base, 'corpus');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'good.md'), DOC);
  const secret = join(base, 'passwd');
  writeFileSync(secret, `root:x:0:0:${OUTSIDE_MARKER}:/root:/bin/bash\n`);
  return { dir, secret };
}

const load = async (dir: string, options: Parameters<typeof loadCorpus>[1] = {}) => {
  const skipped: CorpusSkip[] = [];
  const result = await loadCorpus(dir, { ...options, onSkip: (s) => skipped.push(s) });
  return { corpus: result, skipped, text: JSON.stringify(result) };
};

describe('loadCorpus on a hostile folder', () => {
  it('skips a link to a file outside the folder (no /etc/passwd in the index)', async () => {
    const { dir, secret } = corpus();
    symlinkSync(secret, join(dir, 'passwd.md'));
    const { corpus: c, skipped, text } = await load(dir);
    expect(c.documents.map((d) => d.doc_id)).toEqual(['good.md']);
    expect(text).not.toContain(OUTSIDE_MARKER);
    expect(skipped).toEqual([
      { file: 'passwd.md', reason: 'outside_root', detail: expect.stringContaining(secret) },
    ]);
  });

  it('keeps a link to a file inside the folder', async () => {
    const { dir } = corpus();
    symlinkSync('good.md', join(dir, 'alias.md'));
    const { corpus: c } = await load(dir);
    expect(c.documents.map((d) => d.doc_id)).toEqual(['alias.md', 'good.md']);
  });

  it('refuses a file over the per-file cap with an error naming it', async () => {
    const { dir } = corpus();
    writeFileSync(join(dir, 'huge.md'), `# Huge\n\n${'words '.repeat(400)}\n`);
    const error = await loadCorpus(dir, { maxFileBytes: 1024 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorpusTooLargeError);
    expect((error as CorpusTooLargeError).file).toBe('huge.md');
    expect((error as Error).message).toBe(
      `Corpus file ${join(dir, 'huge.md')} is 2409 bytes, over the 0.001 MiB per-file cap; split it or raise DOCQA_CORPUS_MAX_FILE_BYTES.`,
    );
  });

  it('refuses a folder over the total cap, naming the file that crossed it', async () => {
    const { dir } = corpus();
    writeFileSync(join(dir, 'more.md'), DOC);
    const error = await loadCorpus(dir, { maxTotalBytes: DOC.length + 10 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorpusTooLargeError);
    expect((error as CorpusTooLargeError).file).toBe('more.md');
    expect((error as Error).message).toMatch(
      /total cap at more\.md; remove files or raise DOCQA_CORPUS_MAX_TOTAL_BYTES/,
    );
  });

  it('skips binary files (NUL bytes, or mostly invalid UTF-8)', async () => {
    const { dir } = corpus();
    writeFileSync(
      join(dir, 'image.md'),
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
    );
    writeFileSync(join(dir, 'latin.md'), Buffer.from(Array.from({ length: 400 }, (_, i) => 0x80 + (i % 64))));
    const { corpus: c, skipped } = await load(dir);
    expect(c.documents.map((d) => d.doc_id)).toEqual(['good.md']);
    expect(skipped.map((s) => [s.file, s.reason])).toEqual([
      ['image.md', 'binary'],
      ['latin.md', 'binary'],
    ]);
  });

  it('tells text from binary: accents and a stray replacement character are text', () => {
    expect(looksBinary(Buffer.from('# Café\n\nÉtat de l’art, naïve résumé. �\n'))).toBeUndefined();
    expect(looksBinary(Buffer.from([0x41, 0, 0x42]))).toBe('holds NUL bytes');
  });

  it('never opens a FIFO (or a link to one): loading finishes and skips it', async () => {
    const { dir } = corpus();
    execFileSync('mkfifo', [join(dir, 'pipe.md')]);
    symlinkSync('pipe.md', join(dir, 'to-pipe.md'));
    const { corpus: c, skipped } = await load(dir);
    expect(c.documents.map((d) => d.doc_id)).toEqual(['good.md']);
    expect(skipped.map((s) => [s.file, s.reason])).toEqual([
      ['pipe.md', 'not_regular'],
      ['to-pipe.md', 'not_regular'],
    ]);
  });

  it('says the folder is empty when every file was skipped', async () => {
    const { dir, secret } = corpus();
    rmSync(join(dir, 'good.md'));
    symlinkSync(secret, join(dir, 'passwd.md'));
    await expect(loadCorpus(dir)).rejects.toThrow(EmptyCorpusError);
  });

  it('the service logs and counts skipped files, and does not serve them', async () => {
    const { dir, secret } = corpus();
    symlinkSync(secret, join(dir, 'passwd.md'));
    const service = await readyApp({ corpusDir: dir });
    const docs = (await (await service.app.request('/v1/documents')).json()) as {
      documents: Array<{ doc_id: string }>;
    };
    expect(docs.documents.map((d) => d.doc_id)).toEqual(['good.md']);
    expect(
      metricValue(await metricsText(service), 'docqa_corpus_files_skipped_total', { reason: 'outside_root' }),
    ).toBe(1);
    expect(service.logger.entries).toContainEqual(
      expect.objectContaining({ msg: 'corpus file skipped', file: 'passwd.md', reason: 'outside_root' }),
    );
  });
});

describe('loadCorpus on random hostile trees (property)', () => {
  it('finishes, never reads outside the folder, and indexes only regular text files inside it', async () => {
    await fc.assert(
      fc.asyncProperty(hostileTree, async (entries) => {
        const { root, temp: tree } = buildHostileTree(entries);
        try {
          const result = await loadCorpus(root, { maxFileBytes: 4096 }).then(
            (c) => JSON.stringify(c),
            (error: unknown) => {
              // The only acceptable failures: nothing to index, or a file over the cap (named).
              if (error instanceof EmptyCorpusError) return '';
              if (error instanceof CorpusTooLargeError) return error.message;
              throw error;
            },
          );
          expect(result).not.toContain(OUTSIDE_MARKER);
        } finally {
          rmSync(tree, { recursive: true, force: true });
        }
      }),
      { numRuns: 40, timeout: 10_000, interruptAfterTimeLimit: 60_000 },
    );
  });
});
