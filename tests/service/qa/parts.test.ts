import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  abbreviates,
  askedPhrase,
  askedType,
  countedWord,
  isGenericCounted,
} from '../../../src/service/qa/answer-type.js';
import { Bm25Index } from '../../../src/service/qa/bm25.js';
import { calibrate } from '../../../src/service/qa/calibration.js';
import { entitiesOf, nounsOf } from '../../../src/service/qa/entities.js';
import { buildQaEngine } from '../../../src/service/qa/index.js';
import { analyze, tokenize } from '../../../src/service/qa/text.js';
import type { Corpus, Passage } from '../../../src/service/qa/types.js';

const doc = (entries: Record<string, number>) => new Map(Object.entries(entries));

describe('Bm25Index', () => {
  it('ranks the document where a rare term matters most first, deterministically', () => {
    const index = new Bm25Index([
      doc({ replica: 1, argo: 1 }),
      doc({ argo: 3 }),
      doc({ replica: 3, hpa: 1 }),
    ]);
    const hits = index.search([{ term: 'replica', boost: 1 }], 10, 10);
    expect(hits.map((h) => h.id)).toEqual([2, 0]);
    expect(index.search([{ term: 'replica', boost: 1 }], 10, 10)).toEqual(hits);
    expect(index.df('argo')).toBe(2);
    expect(index.idf('nowhere')).toBeGreaterThan(index.idf('argo'));
  });

  it('reads at most perTerm postings of a term, best first', () => {
    const docs = Array.from({ length: 500 }, (_, i) => doc({ common: 1 + (i % 7), [`t${i}`]: 1 }));
    const index = new Bm25Index(docs);
    const hits = index.search([{ term: 'common', boost: 1 }], 40, 1000);
    expect(hits).toHaveLength(40);
    const best = index.search([{ term: 'common', boost: 1 }], 1000, 1);
    expect(hits[0]).toEqual(best[0]);
  });
});

describe('text analysis', () => {
  it('keeps identifiers, versions, times and quantities whole', () => {
    expect(
      tokenize('Argo CD v3.1.12 with MySQL, p95 at 01:00 for 1,800 W; mail payroll@example.org'),
    ).toEqual([
      'Argo',
      'CD',
      'v3.1.12',
      'with',
      'MySQL',
      'p95',
      'at',
      '01:00',
      'for',
      '1,800',
      'W',
      'mail',
      'payroll@example.org',
    ]);
    expect(analyze('MySQL and PostgreSQL')).toEqual(['mysql', 'postgresql']);
    expect(analyze('spec.replicas on B2.14')).toEqual(['spec.replicas', 'b2.14']);
  });

  it('lemmatises words without merging unrelated ones', () => {
    expect(analyze('production')).toEqual(['production']);
    expect(analyze('products')).toEqual(['product']);
    expect(analyze('replicas kept running')).toEqual(['replica', 'keep', 'run']);
    expect(analyze('regressions')).toEqual(['regression']);
    expect(analyze('p99')).not.toEqual(analyze('p95'));
  });

  it('drops function words and contractions, keeps hyphenated words and their parts, and singular acronyms', () => {
    expect(analyze("What is the Argo CD admin password? Don't guess")).toEqual([
      'argo',
      'cd',
      'admin',
      'password',
      'guess',
    ]);
    // A pronoun's contraction is a function word, never a name ("I've" inside a question), nor a topic.
    expect(analyze("I've hurt my shoulder; we're late, you'll see, I'd ask. Who's in charge?")).toEqual([
      'hurt',
      'shoulder',
      'late',
      'see',
      'ask',
      'charge',
    ]);
    expect(analyze("rock'n'roll")).toEqual(["rock'n'roll"]);
    expect(analyze('pre-infusion')).toEqual(['pre-infusion', 'pre', 'infusion']);
    expect(analyze('HPAs and CRDs')).toEqual(['hpa', 'crd']);
  });
});

describe('answer types and entities', () => {
  it('reads the kind of value a question asks for from its question phrase', () => {
    expect(askedType('How long does the pause last?')?.name).toBe('duration');
    expect(askedType('How often is the metric measured?')?.name).toBe('frequency');
    expect(askedType('How many times can a DVD be renewed?')?.name).toBe('frequency');
    expect(askedType('How many replicas at most?')?.name).toBe('quantity');
    expect(askedType('What time does the office open?')?.name).toBe('time');
    expect(askedType('Which Argo CD version does the lab install?')?.name).toBe('version');
    expect(askedType('What percentage of pods run the canary?')?.name).toBe('percent');
    expect(askedType('When do carried-over days expire?')?.name).toBe('when');
    expect(askedType('What happens when the Rollout aborts?')).toBeNull();
    expect(askedType('Why does the HPA fight Argo CD?')).toBeNull();
    expect(countedWord('How many CPU cores does the lab need?')).toBe('cores');
    expect(countedWord('How many days of leave do I get?')).toBe('days');
    // The word after the counted noun is its verb; "how many times" counts occurrences.
    expect(countedWord('How many people fit in a meeting room?')).toBe('people');
    expect(countedWord('How many times can it be renewed?')).toBeNull();
    expect(isGenericCounted('people')).toBe(true);
    expect(isGenericCounted('cores')).toBe(false);
  });

  it('reads "what is the X limit" as a quantity whose phrase words name the value, not the topic', () => {
    expect(askedType('What is the height limit for vehicles?')?.name).toBe('quantity');
    expect(askedType("What's the maximum number of guests?")?.name).toBe('quantity');
    expect(askedPhrase('What is the weight limit for dogs?')?.words).toEqual([
      'What',
      'is',
      'the',
      'weight',
      'limit',
    ]);
    expect(askedType('What is the admin password?')).toBeNull();
    // The phrase's words are a run of the question's words, whatever surrounds them.
    const vocabulary = [
      'what',
      'is',
      'the',
      'height',
      'limit',
      'how',
      'many',
      'dogs',
      'size',
      'for',
      "what's",
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...vocabulary), { maxLength: 10 }), (words) => {
        const question = `${words.join(' ')}?`;
        const phrase = askedPhrase(question);
        if (phrase) expect(` ${question.replace('?', ' ')}`).toContain(` ${phrase.words.join(' ')} `);
      }),
    );
  });

  it('knows a unit abbreviation of a counted word by its letters in order', () => {
    expect(abbreviates('g', 'grams')).toBe(true);
    expect(abbreviates('kg', 'kilograms')).toBe(true);
    expect(abbreviates('W', 'watts')).toBe(true);
    expect(abbreviates('mm', 'millimetres')).toBe(true);
    expect(abbreviates('kg', 'grams')).toBe(false);
    expect(abbreviates('min', 'seats')).toBe(false);
    expect(abbreviates('grams', 'grams')).toBe(false);
    // Any word's first one to three letters abbreviate it; nothing abbreviates a word with another first letter.
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z]{4,12}$/), fc.integer({ min: 1, max: 3 }), (word, n) => {
        expect(abbreviates(word.slice(0, n), word)).toBe(true);
        const other = word[0] === 'z' ? 'a' : 'z';
        expect(abbreviates(`${other}${word.slice(1, n)}`, word)).toBe(false);
      }),
    );
  });

  it('reads a "noun" before an adverbial particle as a phrasal verb', () => {
    const nouns = (text: string) => nounsOf(text).map((n) => n.word);
    expect(nouns('Where does a payment rejected by the bank show up?')).not.toContain('show');
    expect(nouns('Where does a payment rejected by the bank show up?')).toContain('bank');
  });

  it('finds durations, dates, times, numbers, money, contacts, versions and proper nouns with wink-nlp', () => {
    const kinds = (text: string) => [...entitiesOf(text, tokenize(text)).kinds].sort();
    expect(kinds('The job usually finishes within 40 minutes.')).toContain('duration');
    expect(kinds('Carried-over days expire on 31 March.')).toContain('date');
    expect(kinds('The office opens at 07:30.')).toContain('time');
    expect(kinds('Keep 30% of the pods.')).toContain('percent');
    expect(kinds('Send it to payroll@example.org.')).toContain('contact');
    expect(kinds('Install v3.1.12 of the chart.')).toContain('version');
    expect(kinds('Error E01 means the tank is empty.')).not.toContain('number');
    // Frequency adverbs and hyphenated lengths, which wink's recogniser leaves untagged.
    expect(kinds('Bank accounts are reconciled daily.')).toContain('duration');
    expect(kinds('It has a 2-year warranty.')).toContain('duration');
    // Repetition: a count per something answers "how often".
    expect(kinds('Measure chain wear every 1,000 km.')).toContain('frequency');
    expect(kinds('Renewable once.')).toContain('frequency');
    expect(kinds('Replace the chain at 0.5% stretch.')).not.toContain('frequency');
    // A fraction in words is a value.
    expect(kinds('Polytunnels may cover at most a quarter of the plot.')).toContain('number');
    expect(kinds('Polytunnels may cover part of the plot.')).not.toContain('number');
    expect(entitiesOf('The report goes to Priya Nair.', []).propers).toEqual(['priya', 'nair']);
  });
});

describe('calibration', () => {
  it('maps raw scores to calibrated confidence monotonically within 0..1', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (a, b) => {
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          expect(calibrate(lo)).toBeLessThanOrEqual(calibrate(hi));
          expect(calibrate(lo)).toBeGreaterThanOrEqual(0);
          expect(calibrate(hi)).toBeLessThanOrEqual(1);
        },
      ),
    );
  });
});

describe('scale', () => {
  it('answers over 10,000 passages as it does over a small corpus', () => {
    const base: Passage[] = [
      {
        doc_id: 'hpa.md',
        passage_id: 'hpa.md#0',
        heading: 'HPA > Fix',
        text: 'Add an ignoreDifferences entry on /spec/replicas so Argo CD stops resetting the replicas the autoscaler sets.',
      },
    ];
    const filler = Array.from(
      { length: 10_000 },
      (_, i): Passage => ({
        doc_id: `filler-${Math.floor(i / 10)}.md`,
        passage_id: `filler-${Math.floor(i / 10)}.md#${i % 10}`,
        heading: `Filler ${i}`,
        text: `Argo CD syncs application ${i} from Git every few minutes and reports its health.`,
      }),
    );
    const small: Corpus = { dir: 'x', documents: [], passages: [...base, ...filler.slice(0, 100)] };
    const large: Corpus = { dir: 'x', documents: [], passages: [...base, ...filler] };
    const q = 'How do I stop Argo CD from resetting the replicas that the autoscaler sets?';
    const a = buildQaEngine(small).answer(q, { topK: 5 });
    const b = buildQaEngine(large).answer(q, { topK: 5 });
    expect(a.citations[0]?.passage_id).toBe('hpa.md#0');
    expect(b.citations[0]?.passage_id).toBe('hpa.md#0');
    expect(b.answer).toBe(a.answer);
  });
});
