import { afterEach, describe, expect, it } from 'vitest';
import {
  buildQaEngine,
  type ExplainableQaEngine,
  METHOD,
  type QaEngineOptions,
} from '../../../src/service/qa/index.js';
import { cosine, type SemanticLookup } from '../../../src/service/qa/semantic.js';

const TEXT = [
  'The defibrillator hangs on the wall next to the reception desk.',
  'Lockers cost 2 euros a day and open with a coin.',
  'The sauna is open from 07:00 to 21:00 every day.',
].join('\n');

function engine(options: QaEngineOptions = {}): ExplainableQaEngine {
  return buildQaEngine(
    {
      dir: 'mem',
      documents: [{ doc_id: 'gym.md', title: 'Gym', passages: 1 }],
      passages: [{ doc_id: 'gym.md', passage_id: 'gym.md#0', heading: 'Gym > Safety', text: TEXT }],
    },
    options,
  );
}

/**
 * A hand-made 3-d sentence space: every question at [1, 0, 0]; the defibrillator's unit (read with its
 * innermost heading) close to it (cosine 0.8), the lockers' unit far from it (cosine 0.02), the sauna's unit
 * without a vector.
 */
const UNITS: Record<string, number[]> = {
  'Safety: The defibrillator hangs on the wall next to the reception desk.': [0.8, 0.6, 0],
  'Safety: Lockers cost 2 euros a day and open with a coin.': [0.02, Math.sqrt(1 - 0.0004), 0],
};
const asked: string[] = [];
const lookup: SemanticLookup = {
  vector(text) {
    asked.push(text);
    const v = text.endsWith('?') ? [1, 0, 0] : UNITS[text];
    return v ? Float32Array.from(v) : undefined;
  },
};

const DEFIB = 'Where do I find the defib kit at the gym?';
const LOCKERS = 'Do the lockers open with a coin?';
const SAUNA = 'When is the sauna open?';

const saved = { ...METHOD };
afterEach(() => {
  Object.assign(METHOD, saved);
  asked.length = 0;
});

describe('the sentence-encoder study, hypothesis B (rescue and veto)', () => {
  it('cosine: 1 for the same direction, 0 for orthogonal, zero or mismatched vectors', () => {
    expect(cosine([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 10);
    expect(cosine([1, 0], [0, 1])).toBe(0);
    expect(cosine([0, 0], [1, 1])).toBe(0);
    expect(cosine([1, 0], [1, 0, 0])).toBe(0);
  });

  it('is off by default: a lookup changes nothing, and with the constants on no lookup changes nothing', () => {
    expect(METHOD.semanticRescue).toBe(0);
    expect(METHOD.semanticVeto).toBe(0);
    const today = [DEFIB, LOCKERS, SAUNA].map((q) => [engine().explain(q), engine().answer(q, { topK: 5 })]);
    const withLookup = [DEFIB, LOCKERS, SAUNA].map((q) => [
      engine({ semantic: lookup }).explain(q),
      engine({ semantic: lookup }).answer(q, { topK: 5 }),
    ]);
    expect(withLookup).toEqual(today);
    expect(asked).toEqual([]);
    METHOD.semanticRescue = 0.35;
    METHOD.semanticVeto = 1;
    const noLookup = [DEFIB, LOCKERS, SAUNA].map((q) => [
      engine().explain(q),
      engine().answer(q, { topK: 5 }),
    ]);
    expect(noLookup).toEqual(today);
  });

  it('rescue: a missing compound noun does not abstain when the unit means the question (cosine ≥ c)', () => {
    const before = engine({ minConfidence: 0 }).explain(DEFIB);
    expect(before.abstainedBy).toContain('salient:compound');
    expect(before.unit?.missing).toEqual(['defib', 'kit']);

    METHOD.semanticRescue = 0.5;
    const rescuing = engine({ minConfidence: 0, semantic: lookup });
    const after = rescuing.explain(DEFIB);
    expect(after.unit?.cosine).toBeCloseTo(0.8, 3);
    expect(after.unit?.rescued).toEqual(['defib', 'kit']);
    expect(after.unit?.missing).toEqual([]);
    expect(after.abstainedBy).toEqual([]);
    expect(after.unit?.raw).toBe(before.unit?.raw); // a rescued term still halves the raw confidence
    expect(rescuing.answer(DEFIB, { topK: 5 }).answer).toContain('defibrillator');

    METHOD.semanticRescuePenalty = 0;
    const free = engine({ minConfidence: 0, semantic: lookup }).explain(DEFIB);
    expect(free.unit?.raw).toBeCloseTo(2 * (before.unit?.raw ?? 0), 2);

    METHOD.semanticRescue = 0.9; // the cosine, 0.8, is below it: the rule abstains as today
    const strict = engine({ minConfidence: 0, semantic: lookup }).explain(DEFIB);
    expect(strict.abstainedBy).toContain('salient:compound');
    expect(strict.unit?.rescued).toBeUndefined();
  });

  it('veto: a unit far from the question in meaning loses confidence and falls under the threshold', () => {
    const today = engine().answer(LOCKERS, { topK: 5 });
    expect(today.status).toBe('answered');
    const raw = engine().explain(LOCKERS).unit?.raw ?? 0;

    METHOD.semanticVeto = 1;
    METHOD.semanticVetoScale = 0.5;
    const vetoing = engine({ semantic: lookup });
    const explained = vetoing.explain(LOCKERS);
    expect(explained.unit?.cosine).toBeCloseTo(0.02, 3);
    expect(explained.unit?.raw).toBeCloseTo(raw * (0.02 / 0.5), 2);
    expect(vetoing.answer(LOCKERS, { topK: 5 }).status).toBe('insufficient_context');

    // Half weight: raw × (0.5 + 0.5 × 0.04).
    METHOD.semanticVeto = 0.5;
    expect(engine({ semantic: lookup }).explain(LOCKERS).unit?.raw).toBeCloseTo(raw * 0.52, 2);
  });

  it('veto: a close unit keeps its confidence, and a unit without a vector is left as it is', () => {
    METHOD.semanticVeto = 1;
    const close = 'Where does the defibrillator hang?';
    expect(engine({ semantic: lookup }).explain(close).unit?.raw).toBe(engine().explain(close).unit?.raw);
    const sauna = engine({ semantic: lookup }).explain(SAUNA);
    expect(sauna.unit?.cosine).toBeUndefined();
    expect(sauna.unit?.raw).toBe(engine().explain(SAUNA).unit?.raw);
  });
});

/**
 * Hypothesis A (semantic ranking) in a hand-made 3-d sentence space: every question at [1, 0, 0]. The gym's
 * first-aid passage has a unit sharing the question's words but not its meaning (cosine 0) and one closer to it
 * (cosine 0.6); the lounge's passage shares no word with the question and is closest (cosine 0.99).
 */
const RANK_UNITS: Record<string, number[]> = {
  'First aid: The first aid kit is kept in the office.': [0, 1, 0],
  'First aid: The defibrillator hangs on the wall next to the reception desk.': [0.6, 0.8, 0],
  'Lounge: Hot drinks are served from a machine by the window.': [0.99, Math.sqrt(1 - 0.9801), 0],
};
const rankAsked: string[] = [];
const rankLookup: SemanticLookup = {
  vector(text) {
    rankAsked.push(text);
    const v = text.endsWith('?') ? [1, 0, 0] : RANK_UNITS[text];
    return v ? Float32Array.from(v) : undefined;
  },
};
function rankEngine(options: QaEngineOptions = {}): ExplainableQaEngine {
  return buildQaEngine(
    {
      dir: 'mem',
      documents: [
        { doc_id: 'safety.md', title: 'Safety', passages: 1 },
        { doc_id: 'lounge.md', title: 'Lounge', passages: 1 },
      ],
      passages: [
        {
          doc_id: 'safety.md',
          passage_id: 'safety.md#0',
          heading: 'Safety > First aid',
          text: 'The first aid kit is kept in the office.\nThe defibrillator hangs on the wall next to the reception desk.',
        },
        {
          doc_id: 'lounge.md',
          passage_id: 'lounge.md#0',
          heading: 'Lounge',
          text: 'Hot drinks are served from a machine by the window.',
        },
      ],
    },
    { minConfidence: 0, ...options },
  );
}
const KIT = 'Where is the defib kit kept?';

describe('the sentence-encoder study, hypothesis A (semantic ranking)', () => {
  afterEach(() => {
    rankAsked.length = 0;
  });

  it('is off by default: with a lookup nothing changes and nothing is asked', () => {
    expect(METHOD.semanticUnitWeight).toBe(0);
    expect(METHOD.semanticWiden).toBe(0);
    const today = rankEngine().explain(KIT);
    expect(rankEngine({ semantic: rankLookup }).explain(KIT)).toEqual(today);
    expect(rankAsked).toEqual([]);
    METHOD.semanticUnitWeight = 3;
    METHOD.semanticWiden = 3;
    expect(rankEngine().explain(KIT)).toEqual(today); // on, but no lookup
  });

  it('A1: the cosine added to a unit score moves the choice to the unit that means the question', () => {
    const today = rankEngine().explain(KIT);
    expect(today.unit?.text).toContain('first aid kit');
    METHOD.semanticUnitWeight = 0.1; // too light to outweigh the shared words
    expect(rankEngine({ semantic: rankLookup }).explain(KIT).unit?.text).toContain('first aid kit');
    METHOD.semanticUnitWeight = 3;
    const moved = rankEngine({ semantic: rankLookup }).explain(KIT);
    expect(moved.unit?.text).toContain('defibrillator');
    expect(moved.unit?.cosine).toBeCloseTo(0.6, 3);
    expect(moved.top.map((t) => t.passage_id)).toEqual(today.top.map((t) => t.passage_id));
  });

  it('A1 gated: the cosine counts only where the lexical choice covers less of the question than the gate', () => {
    const today = rankEngine().explain(KIT);
    const coverage = today.unit?.coverage ?? 0;
    expect(coverage).toBeGreaterThan(0);
    METHOD.semanticUnitWeight = 3;
    METHOD.semanticGate = coverage; // the lexical unit covers as much as the gate: it stays
    expect(rankEngine({ semantic: rankLookup }).explain(KIT).unit?.text).toContain('first aid kit');
    METHOD.semanticGate = coverage + 0.01;
    expect(rankEngine({ semantic: rankLookup }).explain(KIT).unit?.text).toContain('defibrillator');
  });

  it('A2: a passage sharing no word with the question joins the candidates only by meaning', () => {
    METHOD.semanticUnitWeight = 3;
    const a1 = rankEngine({ semantic: rankLookup }).explain(KIT);
    expect(a1.top.map((t) => t.passage_id)).toEqual(['safety.md#0']);
    expect(a1.unit?.text).toContain('defibrillator');
    METHOD.semanticWiden = 1; // the lounge's unit is the closest over the corpus: its passage is searched too
    const a12 = rankEngine({ semantic: rankLookup }).explain(KIT);
    expect(a12.unit?.text).toContain('Hot drinks');
    expect(a12.unit?.cosine).toBeCloseTo(0.99, 3);
    expect(rankAsked).toContain('Lounge: Hot drinks are served from a machine by the window.');
    METHOD.semanticUnitWeight = 0; // widened alone: the lounge's unit has no shared word and does not win
    expect(rankEngine({ semantic: rankLookup }).explain(KIT).unit?.text).toContain('first aid kit');
  });
});
