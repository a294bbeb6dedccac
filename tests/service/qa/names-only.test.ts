/**
 * The names-only rule of docs/retrieval.md §6 (session 25): when the only words a question shares with the corpus
 * are names, and what it asks about them is a word the corpus never uses, the corpus does not say it. Judged leave
 * one dev set out before it was shipped (bench/names-only-leave-one-out.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildQaEngine, METHOD } from '../../../src/service/qa/index.js';
import { qaCorpusForFile } from '../../support/qa-corpus.js';

const guide = `# Operations guide

## Deployments

Every change to the Ledger API goes through a pull request and is deployed by Argo CD within five minutes.

## Backups

The nightly backup of the Ledger database starts at 02:00 UTC and is kept for 30 days.

## Alerts

When the error rate of the Ledger API stays above 2% for ten minutes, the on-call engineer is paged.
`;

describe('a question sharing only names with the corpus', () => {
  const fixture = qaCorpusForFile('operations.md', guide);

  it('abstains when what it asks about the named thing is a word the corpus never uses', () => {
    const question = 'How do I log in to Argo CD?';
    expect(fixture.engine().answer(question, { topK: 3 }).status).toBe('insufficient_context');
    expect(fixture.engine().explain(question).abstainedBy).toContain('topic');
    // Without the rule the engine answers with the one sentence naming Argo CD.
    METHOD.namesOnly = 0;
    const before = buildQaEngine(fixture.corpus()).answer(question, { topK: 3 });
    expect(before.status).toBe('answered');
    expect(before.answer).toContain('Argo CD');
  });

  it('answers when another word of the question is one the corpus uses', () => {
    const result = fixture.engine().answer('How long is a backup of the Ledger database kept?', { topK: 3 });
    expect(result.status).toBe('answered');
    expect(result.answer).toContain('30 days');
    expect(fixture.engine().explain('When is the Ledger API paged?').abstainedBy).not.toContain('topic');
  });

  it('is not fooled by a question of names alone, with no unknown word', () => {
    expect(fixture.engine().explain('What is the Ledger API?').abstainedBy).not.toContain('topic');
  });

  it('abstains for any unknown verb asked about a named thing (property)', () => {
    const known = new Set(fixture.corpus().passages.flatMap((p) => p.text.toLowerCase().split(/\W+/)));
    fc.assert(
      fc.property(
        fc.stringMatching(/^[bcdfgklmnprstvz][aeiou][bcdfgklmnprstvz]{2}[aeiou][bcdfgklmnprstvz]$/),
        (verb) => {
          fc.pre(!known.has(verb));
          const question = `How do I ${verb} the Ledger API?`;
          expect(fixture.engine().explain(question).abstainedBy).toContain('topic');
          expect(fixture.engine().answer(question, { topK: 3 }).status).toBe('insufficient_context');
        },
      ),
      { numRuns: 50 },
    );
  });
});
