/**
 * The DEV sets the extractive engine is tuned on: the bundled handbook with its suite and every corpus under
 * evals/corpora/dev/. Never evals/corpora/test/* (those are run only to report, after the engine is frozen).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { buildQaEngine, type Corpus } from '../src/service/qa/index.js';

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

/** Every dev case's outcome with the engine as configured now (METHOD as it is when called), no threshold. */
export function runDev(sets: DevSet[], corpora: Corpus[]): Outcome[] {
  const all: Outcome[] = [];
  sets.forEach((set, i) => {
    const engine = buildQaEngine(corpora[i] as Corpus, { minConfidence: 0 });
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
