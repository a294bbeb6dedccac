/**
 * Fits the extractive engine's confidence calibration on the DEV sets only (the bundled handbook with its
 * suite and evals/corpora/dev/*; never evals/corpora/test/*: bench/dev-sets.ts) and prints the knots for
 * src/service/qa/calibration.ts. Run: `node --import tsx bench/calibrate.ts`.
 *
 * An outcome is right when a case that should be answered is answered as `gitops-lab eval` scores it (every
 * expected string, at most 500 characters, the expected document); an answer to a near miss is wrong.
 */
import { fitIsotonic, type ScoredOutcome } from '../src/evals/calibration.js';
import { loadCorpus } from '../src/service/corpus.js';
import { buildQaEngine } from '../src/service/qa/index.js';
import { devSets, isRight } from './dev-sets.js';

const outcomes: ScoredOutcome[] = [];
for (const set of await devSets()) {
  const engine = buildQaEngine(await loadCorpus(set.corpusDir), { minConfidence: 0 });
  for (const c of set.cases) {
    const result = engine.answer(c.question, { topK: 5 });
    if (result.status !== 'answered') continue;
    const raw = engine.explain(c.question).unit?.raw ?? 0;
    const docs = result.citations.map((x) => x.doc_id);
    outcomes.push({ score: raw, right: isRight(c, result.answer, docs) });
  }
}
process.stdout.write(`${outcomes.length} answered dev outcomes\n`);
process.stdout.write(`${JSON.stringify(fitIsotonic(outcomes))}\n`);
