/**
 * Scores the engine on a fixture corpus and its questions (the eval case format), directly through the
 * engine: the same metrics as `gitops-lab eval`, computed here so the engine's tests stand alone.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadCorpus } from '../../../src/service/corpus.js';
import { buildQaEngine, type ExtractiveAnswer, type QaEngine } from '../../../src/service/qa/index.js';

export interface FixtureCase {
  id: string;
  question: string;
  expect: { status: 'answered' | 'insufficient_context'; answer_contains?: string[]; doc?: string };
}

export interface FixtureMetrics {
  answer_accuracy: number;
  citation_accuracy: number;
  abstain_precision: number;
  abstain_recall: number;
}

export interface FixtureResult {
  metrics: FixtureMetrics;
  failures: Array<{ id: string; question: string; why: string; result: ExtractiveAnswer }>;
  engine: QaEngine;
  cases: FixtureCase[];
}

export const FIXTURES = join(import.meta.dirname, '../../fixtures/qa');

const squash = (text: string): string => text.toLowerCase().replace(/\s+/g, ' ').trim();

/** The generalisation corpora of the eval suite: dev (tuned on) and test (never tuned on). */
export const CORPORA = join(import.meta.dirname, '../../../evals/corpora');

/** Scores the engine on a corpus folder (`corpus/` and `cases.yaml`); a bare name is a tests/fixtures/qa one. */
export async function evaluateFixture(name: string, topK = 5): Promise<FixtureResult> {
  const dir = name.includes('/') ? name : join(FIXTURES, name);
  const engine = buildQaEngine(await loadCorpus(join(dir, 'corpus')));
  const cases = parse(await readFile(join(dir, 'cases.yaml'), 'utf8')) as FixtureCase[];
  let answerable = 0;
  let correct = 0;
  let cited = 0;
  let shouldAbstain = 0;
  let abstained = 0;
  let abstainedCorrectly = 0;
  const failures: FixtureResult['failures'] = [];
  for (const c of cases) {
    const result = engine.answer(c.question, { topK });
    const didAbstain = result.status === 'insufficient_context';
    if (didAbstain) abstained++;
    if (c.expect.status === 'insufficient_context') {
      shouldAbstain++;
      if (didAbstain) abstainedCorrectly++;
      else failures.push({ id: c.id, question: c.question, why: 'should abstain', result });
      continue;
    }
    answerable++;
    const answer = squash(result.answer ?? '');
    const missing = (c.expect.answer_contains ?? []).filter((s) => !answer.includes(squash(s)));
    const ok = !didAbstain && missing.length === 0;
    const docOk = c.expect.doc === undefined || result.citations.some((x) => x.doc_id === c.expect.doc);
    if (ok) correct++;
    if (docOk) cited++;
    if (!ok || !docOk) {
      const why = didAbstain
        ? 'abstained'
        : !docOk
          ? `wrong doc (missing ${missing.join(', ') || 'none'})`
          : `missing ${missing.join(', ')}`;
      failures.push({ id: c.id, question: c.question, why, result });
    }
  }
  const ratio = (a: number, b: number): number => (b === 0 ? 1 : a / b);
  return {
    metrics: {
      answer_accuracy: ratio(correct, answerable),
      citation_accuracy: ratio(cited, answerable),
      abstain_precision: ratio(abstainedCorrectly, abstained),
      abstain_recall: ratio(abstainedCorrectly, shouldAbstain),
    },
    failures,
    engine,
    cases,
  };
}
