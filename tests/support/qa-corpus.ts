/**
 * A one-document corpus for one engine test file: written to a temporary folder and loaded before the file's tests,
 * removed after them, with the engine's METHOD constants restored after each test (tests switch one off to show
 * what it changes).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { loadCorpus } from '../../src/service/corpus.js';
import { buildQaEngine, type Corpus, type ExplainableQaEngine, METHOD } from '../../src/service/qa/index.js';

export interface QaCorpusFixture {
  /** The loaded corpus (after the file's beforeAll). */
  corpus(): Corpus;
  /** An engine built with the shipped METHOD constants. */
  engine(): ExplainableQaEngine;
}

/** Registers the set-up and clean-up; `fileName` is the document's name, `markdown` its text. */
export function qaCorpusForFile(fileName: string, markdown: string): QaCorpusFixture {
  const shipped = { ...METHOD };
  let dir: string | undefined;
  let corpus: Corpus | undefined;
  let engine: ExplainableQaEngine | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gitops-lab-qa-'));
    await writeFile(join(dir, fileName), markdown);
    corpus = await loadCorpus(dir);
    engine = buildQaEngine(corpus);
  });
  afterEach(() => {
    Object.assign(METHOD, shipped);
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  const loaded = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the corpus is loaded in beforeAll: use it inside a test');
    return value;
  };
  return { corpus: () => loaded(corpus), engine: () => loaded(engine) };
}
