import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCorpus } from '../../../src/service/corpus.js';
import {
  buildQaEngine,
  type ExplainableQaEngine,
  METHOD,
  type QaEngine,
} from '../../../src/service/qa/index.js';

let engine: QaEngine;

/** An engine over one passage of one document. */
function onePassage(heading: string, text: string): ExplainableQaEngine {
  return buildQaEngine({
    dir: 'mem',
    documents: [{ doc_id: 'doc.md', title: heading.split(' > ')[0] ?? heading, passages: 1 }],
    passages: [{ doc_id: 'doc.md', passage_id: 'doc.md#0', heading, text }],
  });
}
beforeAll(async () => {
  engine = buildQaEngine(await loadCorpus(join(import.meta.dirname, '../../../handbook')));
});

describe('extractive answers over the handbook', () => {
  it('answers the HPA question with ignoreDifferences and cites argo-cd-and-hpa.md', () => {
    const result = engine.answer('How do I keep Argo CD from undoing the replica count my autoscaler sets?', {
      topK: 5,
    });
    expect(result.status).toBe('answered');
    expect(result.answer?.toLowerCase()).toContain('ignoredifferences');
    expect(result.citations[0]?.doc_id).toBe('argo-cd-and-hpa.md');
    expect(result.confidence).toBeGreaterThan(0);
    expect(result.confidence).toBeLessThanOrEqual(1);
  });

  it('cites passages whose text is the corpus text', () => {
    const result = engine.answer('What does RespectIgnoreDifferences=true do?', { topK: 3 });
    const passage = engine.corpus.passages.find((p) => p.passage_id === result.citations[0]?.passage_id);
    expect(passage?.text).toBe(result.citations[0]?.text);
    expect(passage?.text).toContain(result.answer ?? '\u0000');
  });

  it('is deterministic: the same question gives the same answer', () => {
    const q = 'How long does Argo CD wait before it heals a manual change?';
    const first = engine.answer(q, { topK: 5 });
    for (let i = 0; i < 5; i++) expect(engine.answer(q, { topK: 5 })).toEqual(first);
    expect(buildQaEngine(engine.corpus).answer(q, { topK: 5 })).toEqual(first);
  });

  it('abstains on a question about something the handbook never mentions', () => {
    const result = engine.answer('Which PostgreSQL database does Argo CD store its state in?', { topK: 5 });
    expect(result).toMatchObject({ status: 'insufficient_context', answer: null, citations: [] });
  });

  it('handles empty, whitespace and punctuation-only questions by abstaining', () => {
    for (const q of ['', '   ', '\n\t', '???', 'the of and']) {
      const result = engine.answer(q, { topK: 5 });
      expect(result.status).toBe('insufficient_context');
      expect(result.answer).toBeNull();
    }
  });
});

describe('grounding', () => {
  const q = 'How do I stop Argo CD from fighting my HPA over spec.replicas?';

  it('judges a normal answer grounded', () => {
    const result = engine.answer(q, { topK: 5 });
    expect(result.status).toBe('answered');
    expect(engine.isGrounded(q, result.answer ?? '', result.citations)).toBe(true);
  });

  it('serves wrong retrieval as a healthy-looking answer that is judged ungrounded', () => {
    const result = engine.answer(q, { topK: 5, wrongRetrieval: true });
    expect(result.status).toBe('answered');
    expect(result.citations.length).toBeGreaterThan(0);
    expect(result.citations[0]?.doc_id).not.toBe('argo-cd-and-hpa.md');
    expect(engine.isGrounded(q, result.answer ?? '', result.citations)).toBe(false);
    expect(engine.answer(q, { topK: 5, wrongRetrieval: true })).toEqual(result);
  });

  it('judges wrong-retrieval answers ungrounded for many questions', () => {
    const questions = [
      'What does the canary do at each step?',
      'Which port does the collector use for OTLP over HTTP?',
      'How do I pin the image to a digest?',
      'What is the grounded ratio threshold for the canary?',
      'How do I recover when Git is unreachable?',
      'Why does changing the ConfigMap not change the pods?',
    ];
    for (const question of questions) {
      const normal = engine.answer(question, { topK: 5 });
      expect(normal.status, question).toBe('answered');
      expect(engine.isGrounded(question, normal.answer ?? '', normal.citations), question).toBe(true);
      const wrong = engine.answer(question, { topK: 5, wrongRetrieval: true });
      expect(engine.isGrounded(question, wrong.answer ?? '', wrong.citations), question).toBe(false);
    }
  });

  it('rejects unknown passages, empty answers and answers the passage does not contain', () => {
    const result = engine.answer(q, { topK: 5 });
    expect(engine.isGrounded(q, result.answer ?? '', [{ passage_id: 'nope.md#0' }])).toBe(false);
    expect(engine.isGrounded(q, '', result.citations)).toBe(false);
    expect(engine.isGrounded(q, result.answer ?? '', [])).toBe(false);
    expect(
      engine.isGrounded(q, 'Delete the cluster and buy a bigger laptop with Kafka.', result.citations),
    ).toBe(false);
  });
});

describe('the handbook questions a new user got confident wrong answers to (issue 16)', () => {
  it('answers what selfHeal does with its definition', () => {
    const result = engine.answer('What does selfHeal do?', { topK: 5 });
    expect(result.status).toBe('answered');
    expect(result.answer).toContain('undoes');
    expect(result.answer).not.toMatch(/\b5 ?s\b/);
  });

  it("names the service's own metrics or abstains, never the Blackbox Exporter", () => {
    const result = engine.answer('What metrics does the doc-QA service export?', { topK: 5 });
    if (result.status === 'answered') {
      expect(result.answer).toMatch(/docqa_|\/metrics/);
      expect(result.answer).not.toMatch(/blackbox/i);
    }
  });

  it('gives 6 as the most replicas the HPA allows, or abstains, never 4', () => {
    const result = engine.answer('How many replicas does the HPA allow at most?', { topK: 5 });
    if (result.status === 'answered') expect(result.answer).toMatch(/\b6\b/);
    expect(result.answer ?? '').not.toMatch(/\b4 replicas\b/);
  });

  it.each([
    'What is the Argo CD admin password?',
    "What's the admin password for Argo CD?",
    'How many CPU cores does the lab need?',
    'How do I set up GitHub webhooks for Argo CD?',
  ])('abstains on %s (the handbook does not say)', (question) => {
    expect(engine.answer(question, { topK: 5 }).status).toBe('insufficient_context');
  });

  it("gives Argo CD's own polling interval for how often it checks Git, or abstains, never the HPA's 15 s", () => {
    const result = engine.answer('How often does Argo CD check Git for changes?', { topK: 5 });
    if (result.status === 'answered') expect(result.answer).toMatch(/\b(?:120|60) seconds\b/);
    expect(result.answer ?? '').not.toMatch(/15 seconds|HPA/);
  });

  it('answers how quickly Argo CD self-heals drift from the handbook (within seconds, at once)', () => {
    const result = engine.answer('How quickly does Argo CD self-heal drift?', { topK: 5 });
    expect(result.status).toBe('answered');
    expect(result.answer).toMatch(/within seconds|at once/i);
  });

  it('answers a value question with both sentences when the next one of its paragraph qualifies the value', () => {
    const care = onePassage(
      'Care > Warranty',
      'The kettle has a 2-year warranty on parts. Registering it online extends the warranty to 3 years.\nDescale it monthly.',
    );
    const result = care.answer('How long is the warranty?', { topK: 5 });
    expect(result.status).toBe('answered');
    expect(result.answer).toContain('2-year');
    expect(result.answer).toContain('3 years');
  });

  it('abstains when the question names a kind of a thing the corpus never mentions (an unknown noun modifier)', () => {
    const milk = onePassage(
      'Milk > Steaming the milk',
      'Steam the milk to 65 °C for a latte and to 60 °C for a flat white. Purge the steam wand before and after steaming.',
    );
    const plain = milk.answer('What temperature should the milk for a latte be steamed to?', { topK: 5 });
    expect(plain.answer).toContain('65 °C');
    const oat = milk.answer('What temperature should oat milk for a latte be steamed to?', { topK: 5 });
    expect(oat.status).toBe('insufficient_context');
  });

  it('abstains when a how-long question has no duration in the matching text', () => {
    const result = engine.answer('How long does the AppProject lab take to be deleted?', { topK: 5 });
    expect(result.status).toBe('insufficient_context');
  });

  it('takes a unit abbreviation after a number as the counted word ("18 g" for grams), not another unit', () => {
    const coffee = onePassage(
      'Brewing > Dose',
      'Dose 18 g of finely ground coffee into the double basket and tamp evenly. The shot takes 25 seconds.',
    );
    const grams = coffee.answer('How many grams of coffee go into the double basket?', { topK: 5 });
    expect(grams.status).toBe('answered');
    expect(grams.answer).toContain('18 g');
    const scoops = coffee.answer('How many scoops of coffee go into the double basket?', { topK: 5 });
    expect(scoops.status).toBe('insufficient_context');
  });

  it('counts people with any counted noun ("seven members"), and "what is the weight limit" asks for a value', () => {
    const rules = onePassage(
      'Rules > Committee and pets',
      'Seven members sit on the committee, elected at the annual meeting.\nDogs up to 15 kg are welcome in the garden rooms.',
    );
    const people = rules.answer('How many people sit on the committee?', { topK: 5 });
    expect(people.status).toBe('answered');
    expect(people.answer).toMatch(/seven members/i);
    const weight = rules.answer('What is the weight limit for dogs?', { topK: 5 });
    expect(weight.status).toBe('answered');
    expect(weight.answer).toContain('15 kg');
  });

  it('gives a short question about a thing the corpus never names a low confidence, not when a wh-word asks for it', () => {
    const rules = onePassage(
      'Rules > Plots',
      "Dogs must be kept on a lead and are not allowed on other members' plots. The external audit is run by Harrow & Lane.",
    );
    const dogs = rules.answer('Are dogs allowed on plots?', { topK: 5 });
    expect(dogs.status).toBe('answered');
    expect(dogs.confidence).toBeGreaterThan(0.9);
    // The short-question rule no longer abstains by itself (held out, its abstentions were right 3 times in
    // 8 on the two corpora it was not chosen on: docs/retrieval.md §6); it halves the raw confidence.
    const ponds = rules.answer('Are ponds allowed on plots?', { topK: 5 });
    expect(ponds.confidence).toBeLessThan(0.25);
    expect(rules.explain('Are ponds allowed on plots?').unit?.missing).toEqual(['pond']);
    // "Which firm": the answer names the firm, not the word.
    const firm = rules.answer('Which firm runs the audit?', { topK: 5 });
    expect(firm.status).toBe('answered');
    expect(firm.answer).toContain('Harrow & Lane');
  });

  it("matches a word the lemmatiser does not know to the corpus's plural of it, and reads a fraction as a value", () => {
    const rules = onePassage(
      'Rules > Structures',
      'Polytunnels may cover at most a quarter of the plot. Sheds must be smaller than 2.4 by 1.8 metres.',
    );
    const result = rules.answer('How much of a plot may a polytunnel cover?', { topK: 5 });
    expect(result.status).toBe('answered');
    expect(result.answer).toContain('a quarter of the plot');
  });
});

describe('a question word the corpus never uses, related by WordNet to one it does', () => {
  it('counts as a partial match: it raises the confidence of the unit holding the related word', () => {
    const rules = onePassage(
      'Studio rules > Food and drink',
      'Drinks are allowed in the studio only as water in a closed bottle. Bags stay in the lockers by the door.',
    );
    const question = 'Can I have coffee in the studio?';
    const result = rules.answer(question, { topK: 5 });
    expect(result.answer).toContain('closed bottle');
    const explained = rules.explain(question);
    // "coffee" is not the same word as "drinks": it stays absent from the unit, but weighs partly.
    expect(explained.unit?.absent).toContain('coffee');
    const saved = METHOD.relatedWeight;
    try {
      METHOD.relatedWeight = 0;
      const without = onePassage(
        'Studio rules > Food and drink',
        'Drinks are allowed in the studio only as water in a closed bottle. Bags stay in the lockers by the door.',
      ).explain(question);
      expect(explained.unit?.coverage ?? 0).toBeGreaterThan(without.unit?.coverage ?? 0);
    } finally {
      METHOD.relatedWeight = saved;
    }
  });
});

describe('a table row', () => {
  it("counts the question's words that name a column towards the row, as its heading's words count", () => {
    // As corpus.ts writes a Markdown table: cells joined by ", ", the header row first.
    const hours = onePassage(
      'Clinic > Opening hours',
      [
        'On Saturday the vets see emergencies only, by appointment.',
        'Day, Consultations, Pharmacy',
        'Monday to Friday, 08:30 to 19:00, 08:00 to 19:30',
        'Saturday, 09:00 to 12:30, 09:00 to 14:00',
        'Sunday, closed, closed',
      ].join('\n'),
    );
    const q = 'Until what time is the pharmacy open on a Saturday?';
    const shipped = METHOD.tableHeaderCoverage;
    try {
      METHOD.tableHeaderCoverage = 0;
      const without = hours.explain(q).unit;
      METHOD.tableHeaderCoverage = shipped;
      const withHeader = hours.explain(q).unit;
      expect(withHeader?.text).toBe('Saturday, 09:00 to 12:30, 09:00 to 14:00');
      expect(withHeader?.coverage).toBeGreaterThan(without?.coverage ?? 1);
    } finally {
      METHOD.tableHeaderCoverage = shipped;
    }
  });
});

describe('a hedge in a question', () => {
  it('leaves "some kind of" out of the terms: it names no topic, so it is neither salient nor missing', () => {
    const safety = onePassage(
      'Gym > Safety',
      'Every new climber watches a short safety video at the front desk before a first session.',
    );
    const terms = safety.explain('Is there still some kind of safety video for new climbers?').terms;
    expect(terms.map((t) => t.term)).not.toContain('kind');
    expect(
      safety.answer('Is there still some kind of safety video for new climbers?', { topK: 5 }).status,
    ).toBe('answered');
    // "What kind of" asks for the kind: left as it was.
    expect(safety.explain('What kind of video do new climbers watch?').terms.map((t) => t.term)).toContain(
      'kind',
    );
  });
});
