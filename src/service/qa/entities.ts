/**
 * What kinds of value a piece of text holds, from wink-nlp's English model (wink-eng-lite-web-model, shipped
 * inside its npm package: nothing is downloaded at run time): its named-entity recogniser (durations,
 * dates, times, numbers, money, percentages, e-mail addresses, URLs) and its part-of-speech tagger (proper
 * nouns: people, teams, products). The model is loaded once, on first use.
 */
import { createRequire } from 'node:module';
import type { ItemEntity, ItemToken, WinkMethods } from 'wink-nlp';

/** A kind of value a question can ask for and a text can hold. */
export type EntityKind =
  | 'number'
  | 'duration'
  | 'frequency'
  | 'date'
  | 'time'
  | 'percent'
  | 'money'
  | 'contact'
  | 'proper'
  | 'version';

export interface TextEntities {
  kinds: ReadonlySet<EntityKind>;
  /** Proper nouns (not the first word of the text), lower-cased: candidate people, teams and products. */
  propers: string[];
}

/** wink-nlp entity types → our kinds (see wink-nlp's documentation of its entity types). */
const KIND_OF: Record<string, EntityKind[]> = {
  CARDINAL: ['number'],
  ORDINAL: ['number'],
  MONEY: ['money', 'number'],
  PERCENT: ['percent', 'number'],
  DURATION: ['duration'],
  DATE: ['date'],
  TIME: ['time'],
  EMAIL: ['contact'],
  URL: ['contact'],
};

/** A dotted version (`v3.1.12`, `1.8`): wink's tokenizer splits these, so they are read from our tokens. */
const VERSION = /^v?\d+(?:\.\d+){1,3}$/i;

/** The English adverbs of a period (hourly ... annually). */
const FREQUENCY = /^(?:hourly|daily|nightly|weekly|fortnightly|monthly|quarterly|yearly|annually)$/i;
/** English fraction words. */
const FRACTION = /^(?:half|halves|quarter|quarters|third|thirds|fifth|fifths|tenth|tenths)$/i;
/** English words of repetition. */
const EVERY = /^(?:every|once|twice|thrice)$/i;
/** A number joined to a unit of time: `2-year`, `30-day`, `12-month`. */
const HYPHENATED_LENGTH = /^\d+(?:\.\d+)?-(?:second|minute|hour|day|week|month|year)s?$/i;

/** English adverbial particles of phrasal verbs ("show up", "turn out", "back off", "give away"). */
const PARTICLE = /^(?:up|out|off|away)$/i;

let nlp: WinkMethods | undefined;

function model(): WinkMethods {
  if (nlp === undefined) {
    // wink-nlp and its model are CommonJS; loading them here keeps the service's start-up free of them until
    // a corpus is indexed.
    const require = createRequire(import.meta.url);
    const winkNLP = require('wink-nlp') as (model: unknown, pipe?: string[]) => WinkMethods;
    nlp = winkNLP(require('wink-eng-lite-web-model'), ['sbd', 'pos', 'ner']);
  }
  return nlp;
}

/** Loads the model now (indexing does, so that the first question does not pay for it). */
export function loadEntityModel(): void {
  model();
}

/** The entities of a short text (a sentence, a list item, a table row). */
export function entitiesOf(text: string, tokens: readonly string[]): TextEntities {
  const kinds = new Set<EntityKind>();
  const doc = model().readDoc(text);
  const its = model().its;
  doc.entities().each((entity: ItemEntity) => {
    for (const kind of KIND_OF[entity.out(its.type)] ?? []) kinds.add(kind);
  });
  const propers: string[] = [];
  doc.tokens().each((token: ItemToken, index: number) => {
    if (index > 0 && token.out(its.pos) === 'PROPN') propers.push(token.out(its.normal));
  });
  if (propers.length > 0) kinds.add('proper');
  if (tokens.some((t) => VERSION.test(t))) kinds.add('version');
  // A clock time (07:30), which wink's tokenizer splits when it stands without a zone.
  if (tokens.some((t) => /^\d{1,2}:\d{2}$/.test(t))) kinds.add('time');
  // A frequency adverb ("reconciled daily") or a hyphenated length ("a 2-year warranty", "a 30-day notice"),
  // which wink's recogniser leaves untagged: English's closed class of words for a period, not a corpus list.
  if (tokens.some((t) => FREQUENCY.test(t) || HYPHENATED_LENGTH.test(t))) kinds.add('duration');
  // A count per something: "every 1,000 km", "after every wet ride", "once a year", "3 times".
  if (tokens.some((t, i) => EVERY.test(t) || (t === 'times' && /^\d/.test(tokens[i - 1] ?? '')))) {
    kinds.add('frequency');
  }
  // A fraction in words ("a quarter of the plot", "half the deposit"), which wink leaves untagged: English's
  // closed class of fraction words.
  if (tokens.some((t) => FRACTION.test(t))) kinds.add('number');
  // A bare number wink does not tag (in a table cell, say); an identifier with digits (E01) is no number.
  if (tokens.some((t) => /^\d[\d,.]*%?$/.test(t))) kinds.add('number');
  return { kinds, propers };
}

/**
 * The nouns and proper nouns of a text (a question), as written, by wink-nlp's part-of-speech tagger, each
 * with whether it is the head of a noun compound (the last of two or more nouns: "admin password",
 * "CPU cores") or a modifier in one (a noun followed by a noun: "oat milk", "jury service").
 */
export function nounsOf(
  text: string,
): Array<{ word: string; compoundHead: boolean; compoundModifier: boolean }> {
  const its = model().its;
  const tokens: Array<{ word: string; noun: boolean }> = [];
  model()
    .readDoc(text)
    .tokens()
    .each((token: ItemToken) => {
      const pos = token.out(its.pos);
      tokens.push({ word: token.out(), noun: pos === 'NOUN' || pos === 'PROPN' });
    });
  // A word followed by an adverbial particle ("show up", "end up", "back off") is a phrasal verb the tagger
  // read as a noun: English particles that follow a verb, not a noun.
  for (const [i, t] of tokens.entries()) {
    if (t.noun && PARTICLE.test(tokens[i + 1]?.word ?? '')) t.noun = false;
  }
  return tokens.flatMap((t, i) =>
    t.noun
      ? [
          {
            word: t.word,
            compoundHead: !!tokens[i - 1]?.noun && !tokens[i + 1]?.noun,
            // The first noun of a compound; a noun after a noun ("Services route traffic") is more often a
            // verb the tagger misread.
            compoundModifier: !!tokens[i + 1]?.noun && !tokens[i - 1]?.noun,
          },
        ]
      : [],
  );
}
