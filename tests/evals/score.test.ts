import { describe, expect, it } from 'vitest';
import type { EvalCase } from '../../src/evals/cases.js';
import {
  ANSWER_CONTAINS_MAX_CHARS,
  containsExpected,
  exactMatch,
  normalizeAnswer,
  scoreOutcome,
  tokenF1,
} from '../../src/evals/score.js';
import type { AskOutcome } from '../../src/evals/targets.js';
import { abstained, answered } from './fake-service.js';

const answerable: EvalCase = {
  id: 'hpa-ignore-replicas',
  question: 'How do I keep Argo CD from undoing the replica count my autoscaler sets?',
  expect: {
    status: 'answered',
    answer_contains: ['ignoreDifferences', '/spec/replicas'],
    doc: 'argo-cd-and-hpa.md',
  },
  tags: ['argo'],
  file: 'argo.yaml',
};
const unanswerable: EvalCase = {
  id: 'which-database',
  question: 'Which database does Argo CD keep its state in here?',
  expect: { status: 'insufficient_context' },
  tags: [],
  file: 'argo.yaml',
};

const ok = (body: unknown, httpStatus = 200): AskOutcome => ({
  kind: 'response',
  httpStatus,
  body,
  bodyText: JSON.stringify(body),
  latencyMs: 12.5,
});

describe('SQuAD normalisation and token F1', () => {
  it('lowercases, strips punctuation and articles, and collapses whitespace', () => {
    expect(normalizeAnswer('  The  Eiffel-Tower, in   a city! ')).toBe('eiffeltower in city');
    expect(normalizeAnswer('An apple; THE answer')).toBe('apple answer');
    // articles only as whole words
    expect(normalizeAnswer('theme another')).toBe('theme another');
  });

  it('matches reference values from the SQuAD definition', () => {
    expect(tokenF1('the Eiffel Tower', 'Eiffel Tower')).toBe(1);
    expect(tokenF1('in Paris, France', 'Paris')).toBeCloseTo(0.5, 10);
    expect(tokenF1('Denver Broncos', 'Denver Broncos won')).toBeCloseTo(0.8, 10);
    // shared tokens are counted as a multiset
    expect(tokenF1('cat cat dog', 'cat dog dog')).toBeCloseTo(2 / 3, 10);
    expect(tokenF1('Use ignoreDifferences on /spec/replicas.', 'ignoreDifferences')).toBeCloseTo(0.4, 10);
    expect(tokenF1('completely unrelated', 'Paris')).toBe(0);
    expect(tokenF1('the', 'a')).toBe(1);
    expect(tokenF1('the', 'Paris')).toBe(0);
  });

  it('checks expected strings case-insensitively', () => {
    expect(containsExpected('Set IGNOREDIFFERENCES on the app', 'ignoreDifferences')).toBe(true);
    expect(containsExpected('spec\n  replicas', 'spec replicas')).toBe(true);
    expect(containsExpected('nothing here', 'ignoreDifferences')).toBe(false);
  });
});

describe('scoring a case', () => {
  it('passes an answer with every expected string and the expected citation', () => {
    const run = scoreOutcome(answerable, ok(answered('Add ignoreDifferences for /spec/replicas.')));
    expect(run.passed).toBe(true);
    expect(run.failure).toBeUndefined();
    expect(run.answer_correct).toBe(true);
    expect(run.citation_correct).toBe(true);
    expect(run.completed).toBe(true);
    expect(run.schema_valid).toBe(true);
    expect(run.latency_ms).toBe(12.5);
    expect(run.f1).toBeCloseTo(
      tokenF1('Add ignoreDifferences for /spec/replicas.', 'ignoreDifferences /spec/replicas'),
    );
  });

  it('names the missing strings', () => {
    const run = scoreOutcome(answerable, ok(answered('Add ignoreDifferences to the Application.')));
    expect(run.passed).toBe(false);
    expect(run.failure?.kind).toBe('missing-strings');
    expect(run.failure?.reason).toBe('missing from answer: "/spec/replicas"');
    expect(run.answer_correct).toBe(false);
    expect(run.citation_correct).toBe(true);
  });

  it('names a wrong citation', () => {
    const run = scoreOutcome(
      answerable,
      ok(answered('ignoreDifferences on /spec/replicas', ['image-pinning.md', 'app-of-apps.md'])),
    );
    expect(run.passed).toBe(false);
    expect(run.failure).toEqual({
      kind: 'wrong-citation',
      reason: 'wrong citation: expected argo-cd-and-hpa.md, cited image-pinning.md, app-of-apps.md',
    });
    expect(run.answer_correct).toBe(true);
    expect(run.citation_correct).toBe(false);
  });

  it('compares cited documents by file name', () => {
    const run = scoreOutcome(
      answerable,
      ok(answered('ignoreDifferences /spec/replicas', ['handbook/argo-cd-and-hpa.md'])),
    );
    expect(run.passed).toBe(true);
  });

  it('fails an abstention on an answerable case, and an answer on an unanswerable one', () => {
    const missed = scoreOutcome(answerable, ok(abstained()));
    expect(missed.failure).toEqual({
      kind: 'status-wrong',
      reason: 'status: expected answered, got insufficient_context',
    });
    expect(missed.f1).toBe(0);
    expect(missed.completed).toBe(true);
    const overconfident = scoreOutcome(unanswerable, ok(answered('It uses etcd.')));
    expect(overconfident.failure?.kind).toBe('status-wrong');
    expect(overconfident.failure?.reason).toContain('expected insufficient_context, got answered');
    expect(overconfident.f1).toBe(0);
  });

  it('passes an abstention on an unanswerable case with F1 1 (SQuAD v2 convention)', () => {
    const run = scoreOutcome(unanswerable, ok(abstained()));
    expect(run.passed).toBe(true);
    expect(run.f1).toBe(1);
    expect(run.answer_correct).toBeUndefined();
  });

  it('reports schema-invalid responses with the offending field', () => {
    const body = { ...answered('ignoreDifferences /spec/replicas'), confidence: 7 };
    const run = scoreOutcome(answerable, ok(body));
    expect(run.passed).toBe(false);
    expect(run.schema_valid).toBe(false);
    expect(run.completed).toBe(false);
    expect(run.failure?.kind).toBe('schema-invalid');
    expect(run.failure?.reason).toMatch(/^schema-invalid response: confidence: /);
    const notJson: AskOutcome = {
      kind: 'response',
      httpStatus: 200,
      body: undefined,
      bodyText: '<html>',
      latencyMs: 1,
    };
    expect(scoreOutcome(answerable, notJson).failure?.reason).toBe(
      'schema-invalid response: body is not JSON',
    );
  });

  it('reports HTTP errors with the status and the service message, and timeouts', () => {
    const error = scoreOutcome(answerable, ok({ error: { code: 'internal_error', message: 'boom' } }, 500));
    expect(error.failure).toEqual({ kind: 'http-error', reason: 'HTTP error: status 500 (boom)' });
    expect(error.schema_valid).toBeUndefined();
    expect(error.completed).toBe(false);
    const network = scoreOutcome(answerable, {
      kind: 'network-error',
      latencyMs: 1,
      message: 'connect ECONNREFUSED',
    });
    expect(network.failure).toEqual({ kind: 'http-error', reason: 'HTTP error: connect ECONNREFUSED' });
    const timeout = scoreOutcome(answerable, { kind: 'timeout', latencyMs: 100, timeoutMs: 100 });
    expect(timeout.failure).toEqual({ kind: 'timeout', reason: 'timeout: no response within 100 ms' });
    expect(timeout.answer_correct).toBe(false);
    expect(timeout.citation_correct).toBe(false);
  });
});

describe('scoring that does not reward length', () => {
  const withGold: EvalCase = {
    ...answerable,
    expect: { ...answerable.expect, answer_contains: ['6 replicas'], gold_answer: '6 replicas' },
  };

  it('scores exact match and token F1 against the short gold answer', () => {
    expect(exactMatch('The 6 replicas.', '6 replicas')).toBe(1);
    const short = scoreOutcome(withGold, ok(answered('6 replicas')));
    expect(short).toMatchObject({ exact_match: 1, f1: 1, answer_words: 2, confidence: 0.8 });
    const sentence = scoreOutcome(
      withGold,
      ok(answered('The HPA keeps between 2 and 6 replicas at all times.')),
    );
    expect(sentence.exact_match).toBe(0);
    expect(sentence.f1).toBeLessThan(0.5);
    expect(sentence.answer_correct).toBe(true);
  });

  it('does not let a whole passage meet answer_contains', () => {
    const passage = `${'The autoscaler scales the Rollout between its bounds. '.repeat(12)}It allows 6 replicas.`;
    expect(passage.length).toBeGreaterThan(ANSWER_CONTAINS_MAX_CHARS);
    const run = scoreOutcome(withGold, ok(answered(passage)));
    expect(run.answer_correct).toBe(false);
    expect(run.passed).toBe(false);
    expect(run.failure?.reason).toMatch(/answer too long/);
  });

  it('scores an abstention 1 on a case that should abstain, as SQuAD v2 does', () => {
    const run = scoreOutcome(unanswerable, ok(abstained()));
    expect(run).toMatchObject({ f1: 1, exact_match: 1 });
    expect(run.answer_words).toBeUndefined();
  });
});
