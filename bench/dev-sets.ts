/**
 * The DEV sets the extractive engine is tuned on: the bundled handbook with its suite and every corpus under
 * evals/corpora/dev/. Never evals/corpora/test/* (those are run only to report, after the engine is frozen).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { expectedCalibrationError, fitIsotonic, reliabilityBins } from '../src/evals/calibration.js';
import { buildQaEngine, type Corpus, type QaEngineOptions } from '../src/service/qa/index.js';

export interface DevCase {
  id: string;
  question: string;
  expect: { status: string; answer_contains?: string[]; doc?: string };
}

export interface DevSet {
  name: string;
  corpusDir: string;
  cases: DevCase[];
}

const root = join(import.meta.dirname, '..');

async function casesOf(path: string): Promise<DevCase[]> {
  if (path.endsWith('.yaml')) return parse(await readFile(path, 'utf8')) as DevCase[];
  const files = (await readdir(path)).filter((f) => f.endsWith('.yaml')).sort();
  const all: DevCase[] = [];
  for (const f of files) all.push(...(parse(await readFile(join(path, f), 'utf8')) as DevCase[]));
  return all;
}

/** The bundled suite first, then the dev corpora by name. */
export async function devSets(): Promise<DevSet[]> {
  const sets: DevSet[] = [
    { name: 'suite', corpusDir: join(root, 'handbook'), cases: await casesOf(join(root, 'evals/cases')) },
  ];
  const dev = join(root, 'evals/corpora/dev');
  for (const name of (await readdir(dev)).sort()) {
    sets.push({
      name,
      corpusDir: join(dev, name, 'corpus'),
      cases: await casesOf(join(dev, name, 'cases.yaml')),
    });
  }
  return sets;
}

const squash = (t: string) => t.toLowerCase().replace(/\s+/g, ' ').trim();

/** As `gitops-lab eval` scores an answer: every expected string, at most 500 characters, the expected doc. */
export function isRight(c: DevCase, answer: string | null, docs: string[]): boolean {
  if (c.expect.status !== 'answered' || answer === null) return false;
  const text = squash(answer);
  return (
    answer.length <= 500 &&
    (c.expect.answer_contains ?? []).every((s) => text.includes(squash(s))) &&
    (c.expect.doc === undefined || docs.includes(c.expect.doc))
  );
}

/** One dev case's outcome with the engine as configured when run. */
export interface Outcome {
  set: string;
  id: string;
  answerable: boolean;
  /** Not abstained by a rule (salient terms, answer type, rivals): only the threshold can still abstain. */
  answered: boolean;
  raw: number;
  right: boolean;
  cited: boolean;
}

/**
 * Every dev case's outcome with the engine as configured now (METHOD as it is when called), no threshold;
 * `options` are passed to the engine (the sentence-encoder study's lookup).
 */
export function runDev(sets: DevSet[], corpora: Corpus[], options: QaEngineOptions = {}): Outcome[] {
  const all: Outcome[] = [];
  sets.forEach((set, i) => {
    const engine = buildQaEngine(corpora[i] as Corpus, { ...options, minConfidence: 0 });
    for (const c of set.cases) {
      const result = engine.answer(c.question, { topK: 5 });
      const docs = result.citations.map((x) => x.doc_id);
      all.push({
        set: set.name,
        id: c.id,
        answerable: c.expect.status === 'answered',
        answered: result.status === 'answered',
        raw: engine.explain(c.question).unit?.raw ?? 0,
        right: isRight(c, result.answer, docs),
        cited: c.expect.doc === undefined || docs.includes(c.expect.doc),
      });
    }
  });
  return all;
}

/** The cost of a wrong abstention in the utility (bench/leave-one-out.ts explains the 6). */
export const WRONG_ABSTENTION_COST = 6;

/** A piecewise-linear calibration through isotonic knots (fitIsotonic). */
export function calibrator(knots: Array<[number, number]>): (raw: number) => number {
  return (raw) => {
    const first = knots[0] as [number, number];
    if (raw <= first[0]) return first[1];
    for (let i = 1; i < knots.length; i++) {
      const [x1, y1] = knots[i] as [number, number];
      if (raw <= x1) {
        const [x0, y0] = knots[i - 1] as [number, number];
        return x1 === x0 ? y1 : y0 + ((y1 - y0) * (raw - x0)) / (x1 - x0);
      }
    }
    return (knots[knots.length - 1] as [number, number])[1];
  };
}

/**
 * A set's answer, citation and abstain figures at a calibration and threshold, and the utility the threshold and
 * the METHOD constants are chosen by: right answers + right abstentions - WRONG_ABSTENTION_COST x wrong ones.
 */
export function scoreOutcomes(list: Outcome[], conf: (raw: number) => number, threshold: number) {
  const answers = (o: Outcome) => o.answered && conf(o.raw) >= threshold;
  const answerable = list.filter((o) => o.answerable);
  const abstained = list.filter((o) => !answers(o));
  const wrongAbstentions = abstained.filter((o) => o.answerable).length;
  const nearMisses = list.length - answerable.length;
  const right = answerable.filter((o) => answers(o) && o.right).length;
  const answered = list.filter(answers);
  const bins = reliabilityBins(answered.map((o) => ({ score: conf(o.raw), right: o.right })));
  return {
    answer: right / answerable.length,
    citation: answerable.filter((o) => answers(o) && o.cited).length / answerable.length,
    precision: abstained.length === 0 ? 1 : (abstained.length - wrongAbstentions) / abstained.length,
    recall: (abstained.length - wrongAbstentions) / nearMisses,
    abstained: abstained.length,
    wrongAbstentions,
    utility: right + abstained.length - wrongAbstentions - WRONG_ABSTENTION_COST * wrongAbstentions,
    ece: expectedCalibrationError(bins),
  };
}

/** From 0.05: at 0 the rival rule (a close unit stating another value scores 0) would never abstain. */
export const THRESHOLDS = Array.from({ length: 10 }, (_, i) => (i + 1) * 0.05);

/**
 * A leave-one-out fold's fit on its training outcomes: the isotonic calibration, the threshold (of THRESHOLDS)
 * with the best utility there, and that utility.
 */
export function fitFold(train: Outcome[]) {
  const conf = calibrator(
    fitIsotonic(train.filter((o) => o.answered).map((o) => ({ score: o.raw, right: o.right }))),
  );
  let threshold = 0;
  let utility = Number.NEGATIVE_INFINITY;
  for (const t of THRESHOLDS) {
    const u = scoreOutcomes(train, conf, t).utility;
    if (u > utility) {
      utility = u;
      threshold = t;
    }
  }
  return { conf, threshold, utility };
}
