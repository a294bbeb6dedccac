/**
 * Session 27's circumstance study (docs/retrieval.md §6, "The asker's circumstance"), on the DEV sets only
 * (bench/dev-sets.ts; never evals/corpora/test/*). Run: `node --import tsx bench/circumstance-leave-one-out.ts`.
 *
 * A question of several sentences states the asker's situation first and asks in its last sentence ("The ferry
 * got in an hour late because of an engine problem. How much do I get back?"). METHOD.circumstanceNotSalient:
 * 0 off, 1 a term only the earlier sentences use is never salient, 2 a leading "if" clause counts as
 * circumstance too. Judged leave one set out, as the studies before it, with the utility on all dev sets first.
 */
import { METHOD } from '../src/service/qa/index.js';
import { fitFold, runDev } from './dev-sets.js';
import { judgeFamily, loadDevSets } from './held-out.js';

const { sets, names, corpora } = await loadDevSets();
const shipped = METHOD.circumstanceNotSalient;
const settings = [0, 1, 2];
const runs = settings.map((setting) => {
  METHOD.circumstanceNotSalient = setting;
  return runDev(sets, corpora);
});
METHOD.circumstanceNotSalient = shipped;
const label = (i: number) =>
  ['off', 'earlier sentences', 'earlier sentences and a leading if clause'][i] as string;
for (const [i, run] of runs.entries()) {
  process.stdout.write(`${label(i)}: utility on all dev sets ${fitFold(run).utility}\n`);
}
judgeFamily({ runs, names, label }, 'circumstance not salient', [1, 2]);
