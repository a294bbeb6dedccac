/**
 * Scoring one replayed case: did the response do what the case expects (with the reason when it did not),
 * its token-F1 against the expected strings (SQuAD normalisation) and its latency.
 */
import { AskResponseSchema } from '../service/schemas.js';
import type { EvalCase } from './cases.js';
import type { AskOutcome } from './targets.js';

/** Why a case failed, most fundamental first; a case reports the first that applies. */
export type FailureKind =
  | 'timeout'
  | 'http-error'
  | 'schema-invalid'
  | 'status-wrong'
  | 'missing-strings'
  | 'wrong-citation';

export interface CaseRun {
  id: string;
  /** 0-based run index (see --repeat). */
  run: number;
  passed: boolean;
  failure?: { kind: FailureKind; reason: string };
  expected: EvalCase['expect'];
  /** What the service said, when it said something valid. */
  status?: 'answered' | 'insufficient_context';
  answer?: string | null;
  cited_docs: string[];
  /** Generative mode fell back to the extractive answer (the response's `fallback`). */
  fallback?: boolean;
  http_status?: number;
  /** The response matched the response schema (undefined when there was no 2xx response to check). */
  schema_valid?: boolean;
  /** Ended in a valid terminal answer: answered or abstained, not an error or timeout. */
  completed: boolean;
  /** Answered with every expected string (answerable cases only). */
  answer_correct?: boolean;
  /** Cited the expected doc (answerable cases with a doc only). */
  citation_correct?: boolean;
  /** Token F1 against the gold answer (else the expected strings), SQuAD v2 convention for abstentions. */
  f1: number;
  /** 1 when the normalised answer equals the normalised gold answer (abstentions: as for f1), else 0. */
  exact_match: number;
  /** The response's confidence (answered or not). */
  confidence?: number;
  /** Words in the answer (answered runs only). */
  answer_words?: number;
  latency_ms: number;
}

/**
 * The longest answer that can meet `answer_contains`: a whole passage (up to about 700 characters) or
 * section must not pass by holding the expected strings somewhere in it.
 */
export const ANSWER_CONTAINS_MAX_CHARS = 500;

// --- SQuAD-style normalisation and token F1 -------------------------------------------------------------

const PUNCTUATION = /[\p{P}\p{S}]/gu;
const ARTICLES = /\b(a|an|the)\b/g;

/** Lowercase, strip punctuation, drop the articles a/an/the, collapse whitespace (the SQuAD definition). */
export function normalizeAnswer(text: string): string {
  return text
    .toLowerCase()
    .replace(PUNCTUATION, '')
    .replace(ARTICLES, ' ')
    .split(/\s+/)
    .filter(Boolean)
    .join(' ');
}

function tokens(text: string): string[] {
  const normalized = normalizeAnswer(text);
  return normalized === '' ? [] : normalized.split(' ');
}

/**
 * Token-level F1 between a prediction and a reference, as the SQuAD scorer computes it: the harmonic mean of
 * precision and recall over the multiset of shared tokens. Two empty token lists score 1, one empty list 0.
 */
export function tokenF1(prediction: string, reference: string): number {
  const predicted = tokens(prediction);
  const expected = tokens(reference);
  if (predicted.length === 0 || expected.length === 0) return predicted.length === expected.length ? 1 : 0;
  const counts = new Map<string, number>();
  for (const token of expected) counts.set(token, (counts.get(token) ?? 0) + 1);
  let common = 0;
  for (const token of predicted) {
    const left = counts.get(token) ?? 0;
    if (left > 0) {
      common += 1;
      counts.set(token, left - 1);
    }
  }
  if (common === 0) return 0;
  const precision = common / predicted.length;
  const recall = common / expected.length;
  return (2 * precision * recall) / (precision + recall);
}

/** Case-insensitive containment, tolerant of differing runs of whitespace. */
export function containsExpected(answer: string, expected: string): boolean {
  const squash = (text: string) => text.toLowerCase().replace(/\s+/g, ' ').trim();
  return squash(answer).includes(squash(expected));
}

/** The document name a citation refers to, without any folder part. */
function docName(docId: string): string {
  const parts = docId.split(/[\\/]/);
  return parts[parts.length - 1] ?? docId;
}

function truncate(text: string, max = 200): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** SQuAD exact match: the normalised texts are equal. */
export function exactMatch(prediction: string, reference: string): number {
  return normalizeAnswer(prediction) === normalizeAnswer(reference) ? 1 : 0;
}

/**
 * F1 and exact match of a case under the SQuAD v2 convention: an abstention scores 1 against an expected
 * abstention and 0 otherwise; an answer is scored against the short gold answer, else against the expected
 * strings joined (or, without either, 1 for answering at all). A long answer holding the gold answer scores
 * a low F1: the measure does not reward length.
 */
function caseScores(
  expect: EvalCase['expect'],
  status: CaseRun['status'],
  answer: string | null | undefined,
): { f1: number; exact_match: number } {
  const both = (value: number) => ({ f1: value, exact_match: value });
  if (status === undefined) return both(0);
  if (expect.status === 'insufficient_context') return both(status === 'insufficient_context' ? 1 : 0);
  if (status !== 'answered' || !answer) return both(0);
  const reference = expect.gold_answer ?? (expect.answer_contains ?? []).join(' ');
  if (reference === '') return both(1);
  return { f1: tokenF1(answer, reference), exact_match: exactMatch(answer, reference) };
}

function wordCount(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

/** Scores what one replay of a case produced. */
export function scoreOutcome(evalCase: EvalCase, outcome: AskOutcome, run = 0): CaseRun {
  const base = {
    id: evalCase.id,
    run,
    expected: evalCase.expect,
    cited_docs: [] as string[],
    latency_ms: outcome.latencyMs,
    f1: 0,
    exact_match: 0,
    completed: false,
  };
  const answerable = evalCase.expect.status === 'answered';
  const unanswered = {
    ...(answerable ? { answer_correct: false } : {}),
    ...(answerable && evalCase.expect.doc !== undefined ? { citation_correct: false } : {}),
  };
  if (outcome.kind === 'timeout') {
    return {
      ...base,
      ...unanswered,
      passed: false,
      failure: { kind: 'timeout', reason: `timeout: no response within ${outcome.timeoutMs} ms` },
    };
  }
  if (outcome.kind === 'network-error') {
    return {
      ...base,
      ...unanswered,
      passed: false,
      failure: { kind: 'http-error', reason: `HTTP error: ${outcome.message}` },
    };
  }
  if (outcome.httpStatus < 200 || outcome.httpStatus > 299) {
    const body = outcome.body as { error?: { message?: unknown } } | undefined;
    const detail =
      typeof body?.error?.message === 'string' ? body.error.message : truncate(outcome.bodyText.trim(), 120);
    return {
      ...base,
      ...unanswered,
      http_status: outcome.httpStatus,
      passed: false,
      failure: {
        kind: 'http-error',
        reason: `HTTP error: status ${outcome.httpStatus}${detail ? ` (${detail})` : ''}`,
      },
    };
  }
  const parsed = AskResponseSchema.safeParse(outcome.body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ` : '';
    const what = outcome.body === undefined ? 'body is not JSON' : `${where}${issue?.message ?? 'invalid'}`;
    return {
      ...base,
      ...unanswered,
      http_status: outcome.httpStatus,
      schema_valid: false,
      passed: false,
      failure: { kind: 'schema-invalid', reason: `schema-invalid response: ${what}` },
    };
  }
  const response = parsed.data;
  const citedDocs = [...new Set(response.citations.map((citation) => docName(citation.doc_id)))];
  const run0: CaseRun = {
    ...base,
    http_status: outcome.httpStatus,
    schema_valid: true,
    completed: true,
    status: response.status,
    answer: response.answer,
    cited_docs: citedDocs,
    fallback: response.fallback,
    passed: true,
    ...caseScores(evalCase.expect, response.status, response.answer),
    confidence: response.confidence,
    ...(response.status === 'answered' ? { answer_words: wordCount(response.answer ?? '') } : {}),
  };
  if (!answerable) {
    if (response.status !== 'insufficient_context') {
      run0.passed = false;
      run0.failure = {
        kind: 'status-wrong',
        reason: `status: expected insufficient_context, got answered ("${truncate(response.answer ?? '', 80)}")`,
      };
    }
    return run0;
  }
  const missing =
    response.status === 'answered'
      ? (evalCase.expect.answer_contains ?? []).filter(
          (text) => !containsExpected(response.answer ?? '', text),
        )
      : (evalCase.expect.answer_contains ?? []);
  const tooLong = (response.answer ?? '').length > ANSWER_CONTAINS_MAX_CHARS;
  run0.answer_correct = response.status === 'answered' && missing.length === 0 && !tooLong;
  const expectedDoc = evalCase.expect.doc;
  if (expectedDoc !== undefined) run0.citation_correct = citedDocs.includes(docName(expectedDoc));
  if (response.status !== 'answered') {
    run0.passed = false;
    run0.failure = { kind: 'status-wrong', reason: 'status: expected answered, got insufficient_context' };
  } else if (tooLong) {
    run0.passed = false;
    run0.failure = {
      kind: 'missing-strings',
      reason: `answer too long: ${(response.answer ?? '').length} characters (at most ${ANSWER_CONTAINS_MAX_CHARS} can meet answer_contains)`,
    };
  } else if (missing.length > 0) {
    run0.passed = false;
    run0.failure = {
      kind: 'missing-strings',
      reason: `missing from answer: ${missing.map((text) => `"${text}"`).join(', ')}`,
    };
  } else if (run0.citation_correct === false) {
    run0.passed = false;
    run0.failure = {
      kind: 'wrong-citation',
      reason: `wrong citation: expected ${expectedDoc}, cited ${citedDocs.length > 0 ? citedDocs.join(', ') : 'nothing'}`,
    };
  }
  return run0;
}
