import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildQaEngine, type ExplainableQaEngine, METHOD } from '../../../src/service/qa/index.js';
import { setVectorTable, similarTerms, vocabularyOf } from '../../../src/service/qa/vectors.js';

/** A table file in bench/build-vectors.mjs's layout: length, JSON header, int8 rows (unit vectors × 127). */
function tableFile(rows: Record<string, number[]>, truncate = 0): string {
  const words = Object.keys(rows);
  const dimensions = (rows[words[0] as string] as number[]).length;
  const data = new Int8Array(words.length * dimensions);
  words.forEach((word, i) => {
    const v = rows[word] as number[];
    const norm = Math.hypot(...v);
    v.forEach((x, d) => {
      data[i * dimensions + d] = Math.round((127 * x) / norm);
    });
  });
  const header = Buffer.from(JSON.stringify({ dimensions, words }));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.length, 0);
  const bytes = Buffer.concat([length, header, Buffer.from(data.buffer)]);
  const file = join(mkdtempSync(join(tmpdir(), 'vectors-')), 'vectors.bin');
  writeFileSync(file, bytes.subarray(0, bytes.length - truncate));
  return file;
}

const ROWS = {
  snack: [1, 0.2, 0],
  food: [0.9, 0.3, 0.1],
  bag: [0, 1, 0],
  locker: [0.1, 0.9, 0.3],
  studio: [0, 0, 1],
};

function onePassage(heading: string, text: string): ExplainableQaEngine {
  return buildQaEngine({
    dir: 'mem',
    documents: [{ doc_id: 'doc.md', title: heading, passages: 1 }],
    passages: [{ doc_id: 'doc.md', passage_id: 'doc.md#0', heading, text }],
  });
}

const saved = { ...METHOD };
afterEach(() => {
  Object.assign(METHOD, saved);
  setVectorTable(undefined);
});

describe('the word-vector table of the study', () => {
  it('finds the vocabulary words whose cosine reaches the threshold, most similar first, not the word itself', () => {
    setVectorTable(tableFile(ROWS));
    const vocabulary = vocabularyOf(['food', 'locker', 'bag', 'studio', 'snack', 'unlisted']);
    expect(vocabulary.terms).not.toContain('unlisted');
    expect(similarTerms(vocabulary, 'snack', 0.9, 5).map((s) => s.term)).toEqual(['food']);
    expect(similarTerms(vocabulary, 'bag', 0.5, 5).map((s) => s.term)).toEqual(['locker']);
    expect(similarTerms(vocabulary, 'unlisted', 0, 5)).toEqual([]);
  });

  it('names the problem when the file is truncated or no file is named', () => {
    setVectorTable(tableFile(ROWS, 3));
    expect(() => vocabularyOf(['food'])).toThrow(/truncated: rebuild it/);
    setVectorTable(undefined);
    expect(() => vocabularyOf(['food'])).toThrow(/no word-vector table is named/);
  });
});

describe('the engine with the study switched off and on', () => {
  const heading = 'Studio rules > Food';
  const text = 'Food is allowed only in the kitchen. Bags stay in the lockers by the door.';
  const question = 'Can I eat a snack in the studio?';

  it('is off by default and then reads no table', () => {
    expect(METHOD.vectorWeight).toBe(0);
    // No table is named: reading one would throw.
    expect(onePassage(heading, text).explain(question).unit?.text).toContain('kitchen');
  });

  it('when on, a question word the corpus never uses partly matches the corpus word its vector is close to', () => {
    METHOD.relatedWeight = 0;
    const off = onePassage(heading, text).explain(question);
    setVectorTable(tableFile(ROWS));
    METHOD.vectorWeight = 0.5;
    METHOD.vectorThreshold = 0.9;
    const on = onePassage(heading, text).explain(question);
    expect(on.unit?.text).toContain('kitchen');
    expect(on.unit?.absent).toContain('snack');
    expect(on.unit?.coverage ?? 0).toBeGreaterThan(off.unit?.coverage ?? 0);
  });
});
