import { describe, expect, it } from 'vitest';
import { detectAnswerType, spanTypes } from '../../../src/service/qa/answer-type.js';
import { Bm25Index } from '../../../src/service/qa/bm25.js';
import { buildQaEngine } from '../../../src/service/qa/index.js';
import { analyze, compounds, synonymsOf } from '../../../src/service/qa/text.js';
import type { Corpus, Passage } from '../../../src/service/qa/types.js';
import { specificity } from '../../../src/service/qa/word-rank.js';

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
  it('keeps identifiers whole and split, joins two-word verbs and stems', () => {
    expect(analyze('RespectIgnoreDifferences=true')).toEqual(
      expect.arrayContaining(['respectignoredifferences=true', 'respect', 'ignor', 'differ']),
    );
    expect(analyze('Rolling back the self-heal')).toEqual(
      expect.arrayContaining(['rollback', 'selfheal', 'heal']),
    );
    expect(compounds('we fail over, then log in')).toEqual(['failover', 'login']);
    expect(analyze('succeeds')).toEqual(analyze('succeeding'));
    expect(synonymsOf('rollback')).toContain('revert');
  });

  it('rates everyday words as unspecific and rare ones as specific', () => {
    expect(specificity('happen')).toBeLessThan(0.2);
    expect(specificity('kafka')).toBe(1);
    expect(specificity('partitions')).toBeGreaterThan(0.7);
    expect(specificity('freshly')).toBeLessThan(0.7);
  });
});

describe('answer types', () => {
  it('detects commands, times, owners and names', () => {
    expect(detectAnswerType('What command requeues the refunds?')).toBe('command');
    expect(detectAnswerType('What time does the backup start?')).toBe('time');
    expect(detectAnswerType('Who do I escalate to?')).toBe('owner');
    expect(detectAnswerType('What is the name of the bucket?')).toBe('name');
    expect(detectAnswerType("What's the default proxy read timeout?")).toBe('duration');
    expect(detectAnswerType('Which Argo CD version is installed?')).toBe('version');
    expect(detectAnswerType('How far back can I restore?')).toBe('duration');
  });

  it('finds commands, times, owners, names and frequency words in spans', () => {
    expect(spanTypes('Requeue them with payctl refunds requeue --older-than 15m.').command).toBe(true);
    expect(spanTypes('The job starts at 01:00 UTC.').time).toBe(true);
    expect(spanTypes('Open a ticket for the finance team.').owner).toBe(true);
    expect(spanTypes('Backups go to the bucket prod-backups-eu.').name).toBe(true);
    expect(spanTypes('Each quarter, the team restores one database.').duration).toBe(true);
    expect(spanTypes('Every production database is backed up.').time).toBe(false);
  });
});

describe('scale', () => {
  it('answers over 10,000 passages as it does over a small corpus', () => {
    const base: Passage[] = [
      {
        doc_id: 'hpa.md',
        passage_id: 'hpa.md#0',
        heading: 'HPA > Fix',
        text: 'Add an ignoreDifferences entry on /spec/replicas so Argo CD stops resetting the autoscaler.',
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
    const q = 'How do I stop Argo CD from resetting the replicas my autoscaler sets?';
    const a = buildQaEngine(small).answer(q, { topK: 5 });
    const b = buildQaEngine(large).answer(q, { topK: 5 });
    expect(a.citations[0]?.passage_id).toBe('hpa.md#0');
    expect(b.citations[0]?.passage_id).toBe('hpa.md#0');
    expect(b.answer).toBe(a.answer);
  });
});
