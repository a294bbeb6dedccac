/**
 * Checks a generated answer against the passages it cites, before the service returns it: every value the
 * answer states (a number, time, version, identifier, e-mail or URL) must be written in a cited passage, and
 * most of its words must be there too. A model that turns the handbook's "6 replicas" into "8 replicas" keeps
 * nearly all the words but not the value; this catches it where a word-overlap measure would not.
 */
import { analyze, tokenize } from './text.js';

/** The share of an answer's content words that must appear in the cited passages. */
export const MIN_SUPPORTED_WORDS = 0.8;

/** A token that states a value or names a thing exactly: it has a digit or an identifier's joining character. */
function isValue(token: string): boolean {
  return /\d/.test(token) || /[._:/@#]/.test(token);
}

export interface GroundingCheck {
  ok: boolean;
  /** Values of the answer that no cited passage states. */
  unsupportedValues: string[];
  /** Share of the answer's content words found in the cited passages. */
  supportedWords: number;
}

export function checkAnswerAgainstPassages(answer: string, passageTexts: readonly string[]): GroundingCheck {
  const passageTokens = new Set(passageTexts.flatMap((text) => tokenize(text).map((t) => t.toLowerCase())));
  const passageTerms = new Set(passageTexts.flatMap((text) => analyze(text)));
  const unsupportedValues = [
    ...new Set(tokenize(answer).filter((t) => isValue(t) && !passageTokens.has(t.toLowerCase()))),
  ];
  const terms = analyze(answer);
  const supportedWords =
    terms.length === 0 ? 0 : terms.filter((t) => passageTerms.has(t)).length / terms.length;
  return {
    ok: terms.length > 0 && unsupportedValues.length === 0 && supportedWords >= MIN_SUPPORTED_WORDS,
    unsupportedValues,
    supportedWords,
  };
}
