import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkAnswerAgainstPassages } from '../../../src/service/qa/grounding.js';

const passage =
  'It keeps between 2 and 6 replicas (minReplicas: 2, maxReplicas: 6) and aims at 70% average CPU utilisation.';

describe('checking a generated answer against its cited passage', () => {
  it('accepts an answer the passage states', () => {
    expect(checkAnswerAgainstPassages('The HPA keeps between 2 and 6 replicas.', [passage]).ok).toBe(true);
  });

  it('rejects an answer that changes a value, even when its words all match', () => {
    const check = checkAnswerAgainstPassages('It keeps between 2 and 8 replicas.', [passage]);
    expect(check.ok).toBe(false);
    expect(check.unsupportedValues).toEqual(['8']);
    expect(check.supportedWords).toBeGreaterThanOrEqual(0.8);
  });

  it('rejects an answer about something else and an empty answer', () => {
    expect(checkAnswerAgainstPassages('Restart the Kafka brokers one by one.', [passage]).ok).toBe(false);
    expect(checkAnswerAgainstPassages('', [passage]).ok).toBe(false);
  });

  it("accepts any answer made only of the passage's words and values", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('replicas', 'CPU', '2', '6', 'utilisation', 'keeps'), { minLength: 1 }),
        (words) => {
          expect(checkAnswerAgainstPassages(words.join(' '), [passage]).ok).toBe(true);
        },
      ),
    );
  });
});
