/**
 * Leave-one-corpus-out judgement of each abstention rule of the extractive engine (docs/retrieval.md §6), on
 * the DEV sets only (bench/dev-sets.ts; never evals/corpora/test/*). Run:
 * `node --import tsx bench/rules-leave-one-out.ts`.
 *
 * For each rule and each held-out set: the engine is run with the rule abstaining by itself and with the rule
 * only lowering the confidence (METHOD.abstainBy[rule] = 0; the threshold then decides). On the OTHER sets the
 * rule is kept when it does better there: right answers + right abstentions − 6 × wrong abstentions (a cost of
 * 6: a rule pays only when more than 6 in 7 of its abstentions are right, about the 0.85 abstain precision the
 * issue asks for). On the held-out set the abstentions the rule adds (abstained with it, answered without it)
 * are counted right or wrong: the rule's precision on a corpus it was not chosen on. One more fold holds out
 * car-share-handbook and radio-station-guide together (the two corpora the rules of session 21 never saw).
 */
import { loadCorpus } from '../src/service/corpus.js';
import { calibrate, DEFAULT_MIN_CONFIDENCE } from '../src/service/qa/calibration.js';
import { METHOD } from '../src/service/qa/index.js';
import { devSets, type Outcome, runDev } from './dev-sets.js';

const COST = 6;
const sets = await devSets();
const corpora = await Promise.all(sets.map((set) => loadCorpus(set.corpusDir)));
const answers = (o: Outcome) => o.answered && calibrate(o.raw) >= DEFAULT_MIN_CONFIDENCE;

function utility(list: Outcome[]): number {
  let u = 0;
  for (const o of list) {
    if (answers(o)) u += o.answerable && o.right ? 1 : 0;
    else u += o.answerable ? -COST : 1;
  }
  return u;
}

const folds: Array<{ name: string; held: Set<string> }> = [
  ...sets.map((s) => ({ name: s.name, held: new Set([s.name]) })),
  { name: 'car-share+radio', held: new Set(['car-share-handbook', 'radio-station-guide']) },
];

const rules = Object.keys(METHOD.abstainBy) as Array<keyof typeof METHOD.abstainBy>;
for (const rule of rules) {
  const shipped = METHOD.abstainBy[rule];
  METHOD.abstainBy[rule] = 1;
  const on = runDev(sets, corpora);
  METHOD.abstainBy[rule] = 0;
  const off = runDev(sets, corpora);
  METHOD.abstainBy[rule] = shipped;
  const lines: string[] = [];
  const pooled = { right: 0, wrong: 0 };
  for (const fold of folds) {
    const train = (list: Outcome[]) => list.filter((o) => !fold.held.has(o.set));
    const keep = utility(train(on)) > utility(train(off));
    let right = 0;
    let wrong = 0;
    on.forEach((o, i) => {
      const without = off[i] as Outcome;
      if (!fold.held.has(o.set) || answers(o) || !answers(without)) return;
      if (o.answerable) wrong++;
      else right++;
    });
    if (keep && fold.held.size === 1) {
      pooled.right += right;
      pooled.wrong += wrong;
    }
    lines.push(
      `  ${fold.name.padEnd(22)} ${keep ? 'kept   ' : 'dropped'} held-out adds ${right} right, ${wrong} wrong`,
    );
  }
  const n = pooled.right + pooled.wrong;
  process.stdout.write(
    `${rule} (shipped ${shipped}): held-out precision where kept ${n === 0 ? '-' : (pooled.right / n).toFixed(3)} (${pooled.right} of ${n})\n${lines.join('\n')}\n`,
  );
}
