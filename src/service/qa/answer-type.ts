/**
 * The kind of answer a question asks for, from its English question phrase ("how many", "how long", "what
 * time", "who"). The answer side is read by the entity tagger (entities.ts), not by patterns.
 */
import type { EntityKind } from './entities.js';
import { STOP_WORDS } from './text.js';

export interface AskedType {
  name: 'quantity' | 'duration' | 'frequency' | 'time' | 'percent' | 'when' | 'who' | 'version';
  /** Kinds of entity that answer it. */
  accepts: readonly EntityKind[];
  /** Whether an answer without such an entity is no answer (value questions) or only a weaker one. */
  required: boolean;
}

/** English question phrases, most specific first. */
const QUESTION_PHRASES: Array<[RegExp, AskedType]> = [
  [
    /\b(?:what|which)\s+(?:percentage|percent|share|proportion)\b/i,
    { name: 'percent', accepts: ['percent', 'number'], required: true },
  ],
  [
    /\b(?:which|what)\s+(?:[\w.-]+\s+){0,3}version\b|\bversion\s+of\b/i,
    { name: 'version', accepts: ['version'], required: true },
  ],
  [/\b(?:what|which|by\s+what|at\s+what)\s+time\b/i, { name: 'time', accepts: ['time'], required: true }],
  [
    // "How often" is answered by a period ("every two weeks", "daily") or a count per something ("every
    // 1,000 km", "once a year", "after every wet ride").
    /\bhow\s+(?:often|frequently)\b|\bhow\s+many\s+times\b/i,
    { name: 'frequency', accepts: ['duration', 'frequency', 'date', 'time'], required: true },
  ],
  [
    /\bhow\s+(?:long|soon|quickly|early|far\s+(?:ahead|in\s+advance))\b|\b(?:after|within)\s+how\s+(?:long|many|much)\b/i,
    { name: 'duration', accepts: ['duration', 'date', 'time'], required: true },
  ],
  [
    // "What is the (height) limit", "what's the (maximum) number": a noun of amount heads the phrase, which may
    // name what is measured ("height limit", "weight limit"): the answer is a value, not those words.
    /\bhow\s+(?:many|much|big|large|heavy|high|low|far)\b|\bwhat(?:'s|\s+is|\s+are)?\s+(?:the\s+)?(?:[\p{L}-]+\s+){0,2}?(?:number|amount|limit|size)s?\b/iu,
    { name: 'quantity', accepts: ['number', 'money', 'percent', 'duration'], required: true },
  ],
  [
    // "When ...?" asks for a moment; "what happens when ..." and "When X, what ...?" do not.
    /^\s*when\b(?![^?]*,\s*(?:what|which|how|who|where|why)\b)|\b(?:what|which|on\s+what|on\s+which)\s+(?:day|days|date|month)\b/i,
    { name: 'when', accepts: ['date', 'time', 'duration', 'number'], required: false },
  ],
  [/\bwho\b|\bwhom\b/i, { name: 'who', accepts: ['proper', 'contact'], required: false }],
];

/**
 * The word a "how many" question counts ("how many CPU cores" → cores): a number answers it only next to
 * that word. Null when the question counts nothing.
 */
export function countedWord(question: string): string | null {
  // The noun phrase after "how many", up to its first function word; its last word is its head.
  const phrase = /\bhow\s+many\s+((?:[\p{L}][\p{L}\p{N}-]*\s*){1,4})/iu.exec(question)?.[1] ?? '';
  const words: string[] = [];
  for (const word of phrase.split(/\s+/)) {
    if (word === '' || STOP_WORDS.has(word.toLowerCase())) break;
    words.push(word);
  }
  // "How many times" counts occurrences, not a thing.
  if (words[0]?.toLowerCase() === 'times') return null;
  // The counted noun is plural ("CPU cores", "hens"); a singular word after it is a verb the phrase ran
  // into ("How many people fit in ..."): the last plural word, else the first word.
  const plural = words.filter((w) => /[^s]s$/i.test(w));
  return plural[plural.length - 1] ?? words[0] ?? null;
}

/** What a question asks for, or null when its phrase names no kind of value ("what does X do?"). */
export function askedType(question: string): AskedType | null {
  return askedPhrase(question)?.type ?? null;
}

/**
 * What a question asks for, with the words of the phrase that asks it ("what is the height limit"): those
 * name the kind of value wanted, which the answer states as a value ("1.9 metres"), not in those words.
 */
export function askedPhrase(question: string): { type: AskedType; words: string[] } | null {
  for (const [phrase, type] of QUESTION_PHRASES) {
    const match = phrase.exec(question);
    if (match) return { type, words: match[0].split(/\s+/) };
  }
  return null;
}

/**
 * English nouns that count anything of their kind: "how many people sit on the committee" is answered by
 * "seven members", so such a counted word need not be written next to the number ("times" counts
 * occurrences and is handled as a frequency).
 */
const GENERIC_COUNTED = new Set(['people', 'persons']);

/** Whether a counted word is a generic one (people, persons) that any counted noun answers. */
export function isGenericCounted(word: string): boolean {
  return GENERIC_COUNTED.has(word.toLowerCase());
}

/**
 * Whether a token is the conventional abbreviation of a counted unit word: short, starting with the word's
 * first letter, its letters in order in the word ("g" for grams, "kg" for kilograms, "W" for watts, "mm" for
 * millimetres). A number followed by it counts that word ("18 g" answers "how many grams").
 */
export function abbreviates(token: string, word: string): boolean {
  const t = token.toLowerCase();
  const w = word.toLowerCase();
  if (!/^[a-z]{1,3}$/.test(t) || t.length >= w.length || t[0] !== w[0]) return false;
  let at = 0;
  for (const ch of t) {
    at = w.indexOf(ch, at) + 1;
    if (at === 0) return false;
  }
  return true;
}
