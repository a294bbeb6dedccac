/**
 * Fits the extractive engine's confidence calibration on the DEV corpora only (evals/corpora/dev/* and the
 * bundled handbook with its suite; never evals/corpora/test/*) and prints the knots for
 * src/service/qa/calibration.ts. Run: `node --import tsx bench/calibrate.ts`.
 *
 * An outcome is right when a case that should be answered is answered with every expected string and the
 * expected document; an answer to a case that should be abstained on is wrong.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { fitIsotonic, type ScoredOutcome } from '../src/evals/calibration.js';
import { loadCorpus } from '../src/service/corpus.js';
import { buildQaEngine } from '../src/service/qa/index.js';

const root = join(import.meta.dirname, '..');
interface Case {
  question: string;
  expect: { status: string; answer_contains?: string[]; doc?: string };
}

async function casesOf(path: string): Promise<Case[]> {
  if (path.endsWith('.yaml')) return parse(await readFile(path, 'utf8')) as Case[];
  const files = (await readdir(path)).filter((f) => f.endsWith('.yaml')).sort();
  const all: Case[] = [];
  for (const f of files) all.push(...(parse(await readFile(join(path, f), 'utf8')) as Case[]));
  return all;
}

const devSets: Array<[string, string]> = [[join(root, 'handbook'), join(root, 'evals/cases')]];
for (const name of (await readdir(join(root, 'evals/corpora/dev'))).sort()) {
  devSets.push([
    join(root, 'evals/corpora/dev', name, 'corpus'),
    join(root, 'evals/corpora/dev', name, 'cases.yaml'),
  ]);
}

const squash = (t: string) => t.toLowerCase().replace(/\s+/g, ' ').trim();
const outcomes: ScoredOutcome[] = [];
for (const [corpusDir, casesPath] of devSets) {
  const engine = buildQaEngine(await loadCorpus(corpusDir), { minConfidence: 0 });
  for (const c of await casesOf(casesPath)) {
    const result = engine.answer(c.question, { topK: 5 });
    if (result.status !== 'answered') continue;
    const raw = engine.explain(c.question).unit?.raw ?? 0;
    const text = squash(result.answer ?? '');
    const right =
      c.expect.status === 'answered' &&
      (c.expect.answer_contains ?? []).every((s) => text.includes(squash(s))) &&
      (c.expect.doc === undefined || result.citations.some((x) => x.doc_id === c.expect.doc));
    outcomes.push({ score: raw, right });
  }
}
process.stdout.write(`${outcomes.length} answered dev outcomes\n`);
process.stdout.write(`${JSON.stringify(fitIsotonic(outcomes))}\n`);
