/**
 * Text analysis shared by indexing and querying: tokens and terms. Generic for English prose: no word list
 * of any corpus. Identifiers, versions and quantities stay whole (`MySQL`, `v3.1.12`, `p95`, `01:00`,
 * `1,800`, `payroll@example.org`); plain words are reduced to their dictionary form with wink-lemmatizer
 * (a WordNet-based lemmatiser: "replicas" → replica, "kept" → keep, but "production" stays production and
 * "products" becomes product, so the two never merge as a suffix stemmer merges them).
 */
import lemmatizer from 'wink-lemmatizer';

/**
 * English function words (articles, pronouns, auxiliaries, prepositions, question words). They never carry a
 * question's topic. This is a list of English grammar, not of any corpus's vocabulary.
 */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  `a an the and or but if then else of to in on at by for with from into onto over under about as is are was
were be been being am do does did doing done have has had having i me my mine we us our ours you your yours he
him his she her it its they them their theirs this that these those there here what which who whom whose when
where why how can could should would will shall may might must not no nor so than too very just also only
own same such both each few more most other some any all again further once up down out off s t don doesn
didn isn aren wasn weren won wouldn shouldn couldn let get gets got go goes going want need needs please tell
know one ones say says said ll ve re d`.split(/\s+/),
);

/**
 * A token: a run of letters and digits, joined by `. _ : / @ # + -` inside it (identifiers, versions, times,
 * e-mail addresses, `B2.14`), or a number with thousands separators (`1,800`), with a trailing `%` kept.
 */
const TOKEN = /\d{1,3}(?:,\d{3})+(?:\.\d+)?%?|[\p{L}\p{N}]+(?:[._:/@#+'-][\p{L}\p{N}]+)*%?/gu;

/** The tokens of a text, as written. */
export function tokenize(text: string): string[] {
  return text.match(TOKEN) ?? [];
}

const LEMMA_CACHE_LIMIT = 50_000;
const lemmas = new Map<string, string>();

/**
 * The dictionary form of a lower-case word: its verb lemma when it is an inflected verb ("kept" → keep,
 * "allowed" → allow), else its noun lemma ("replicas" → replica), else its adjective lemma ("smaller" →
 * small). Words ending in -ss are left alone (the noun rules would take "pass" to "pas").
 */
export function lemma(word: string): string {
  const cached = lemmas.get(word);
  if (cached !== undefined) return cached;
  let result = word;
  if (word.length > 2 && /^[a-z]+$/.test(word)) {
    const verb = lemmatizer.verb(word);
    if (verb !== word) result = verb;
    else if (!word.endsWith('ss')) {
      const noun = lemmatizer.noun(word);
      result = noun !== word ? noun : lemmatizer.adjective(word);
    }
  }
  if (lemmas.size >= LEMMA_CACHE_LIMIT) lemmas.clear();
  lemmas.set(word, result);
  return result;
}

const TERM_CACHE_LIMIT = 100_000;
const termCache = new Map<string, string | null>();

/**
 * The index term of a token: lower-cased; a plain word lemmatised; an identifier, version or number kept
 * whole (a trailing `'s` dropped). Null for a function word. Cached by token: a corpus repeats its words.
 */
export function termOf(token: string): string | null {
  const cached = termCache.get(token);
  if (cached !== undefined) return cached;
  // The plural of an acronym (HPAs, CRDs) is the acronym.
  let lower = (/^\p{Lu}{2,}s$/u.test(token) ? token.slice(0, -1) : token).toLowerCase();
  if (lower.endsWith("'s")) lower = lower.slice(0, -2);
  // A pronoun's or auxiliary's contraction ("I've", "we're", "you'll", "I'd", "I'm") is a function word too.
  const contracted = /^([a-z]+)'(?:ve|re|ll|d|m)$/.exec(lower);
  if (contracted && STOP_WORDS.has(contracted[1] as string)) lower = contracted[1] as string;
  const term =
    STOP_WORDS.has(lower) || /n't$/.test(lower) ? null : /^[a-z]+$/.test(lower) ? lemma(lower) : lower;
  if (termCache.size >= TERM_CACHE_LIMIT) termCache.clear();
  termCache.set(token, term);
  return term;
}

/** The terms of tokens, in order (see analyze). */
export function termsOf(tokens: readonly string[]): string[] {
  const terms: string[] = [];
  for (const token of tokens) {
    const term = termOf(token);
    if (term === null) continue;
    terms.push(term);
    if (token.includes('-') && /^[\p{L}]+(?:-[\p{L}]+)+$/u.test(token)) {
      for (const part of token.split('-')) {
        const partTerm = termOf(part);
        if (partTerm !== null && partTerm.length > 1) terms.push(partTerm);
      }
    }
  }
  return terms;
}

/**
 * The terms of a text, in order. A hyphenated word ("pre-infusion", "full-time") gives its whole form and
 * its parts, so "pre-infusion" matches a question's "pre-infusion" and also "infusion".
 */
export function analyze(text: string): string[] {
  return termsOf(tokenize(text));
}
