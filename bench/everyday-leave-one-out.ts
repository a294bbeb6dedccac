/**
 * The everyday-word study (docs/retrieval.md §6, "Everyday words: a study (session 24)"), on the DEV sets only
 * (bench/dev-sets.ts: the bundled suite and evals/corpora/dev/*; never evals/corpora/test/*).
 * Run: `node --import tsx bench/everyday-leave-one-out.ts`.
 *
 * A small corpus's IDF calls a word rare when the corpus happens to use it once ("Saturday", "dog"); how often
 * spoken English uses it (SUBTLEX-US, src/service/qa/frequency.ts) says whether it is an everyday word:
 * - D, discount (METHOD.everydayDiscount a, everydayFrom z0, everydayRank r): a question word's weight in a
 *   unit's coverage, its BM25 boost, or both (r 0, 2, 1) × (1 − a × s), s rising from 0 at Zipf z0 to 1 at
 *   Zipf 6. a 0.25–1, z0 1.5–3.5: 36 settings (`--narrow`: the first grid, 12).
 * - S, salience (METHOD.everydaySalientZipf z): an unknown noun at least as common as Zipf z is a paraphrase,
 *   not a salient term (no abstention, no penalty by the compound and short-question rules).
 * Each family (D, S, D+S, each with "off") is judged leave one set out: for each held-out set the setting with
 * the best utility on the other thirteen (fitFold: isotonic calibration and threshold fitted there; right
 * answers + right abstentions − 6 × wrong abstentions) is chosen and the held-out set scored with it.
 */
import { METHOD } from '../src/service/qa/index.js';
import { fitFold, type Outcome, runDev } from './dev-sets.js';
import { judgeFamily, loadDevSets, type Study } from './held-out.js';

const { sets, names, corpora } = await loadDevSets();

interface Setting {
  discount: number;
  from: number;
  rank: number;
  salient: number;
}
const OFF: Setting = { discount: 0, from: 3, rank: 0, salient: 0 };
function apply(s: Setting): void {
  METHOD.everydayDiscount = s.discount;
  METHOD.everydayFrom = s.from;
  METHOD.everydayRank = s.rank;
  METHOD.everydaySalientZipf = s.salient;
}
const label = (s: Setting) =>
  [
    s.discount > 0 ? `discount ${s.discount} from Zipf ${s.from}${['', ' +rank', ' rank only'][s.rank]}` : '',
    s.salient > 0 ? `unknown noun salient below Zipf ${s.salient}` : '',
  ]
    .filter(Boolean)
    .join(' + ') || 'off';

// `--narrow`: the first, smaller grid of D (a 0.25–0.75, z0 2.5 or 3.5, coverage or coverage and rank).
const narrow = process.argv.includes('--narrow');
const discounts: Setting[] = [];
for (const discount of narrow ? [0.25, 0.5, 0.75] : [0.25, 0.5, 0.75, 1])
  for (const from of narrow ? [2.5, 3.5] : [1.5, 2.5, 3.5])
    for (const rank of narrow ? [0, 1] : [0, 1, 2]) discounts.push({ ...OFF, discount, from, rank });
const saliences: Setting[] = [3.5, 4, 4.5, 5].map((salient) => ({ ...OFF, salient }));
const both: Setting[] = discounts.flatMap((d) => saliences.map((s) => ({ ...d, salient: s.salient })));
const settings = [OFF, ...discounts, ...saliences, ...both];

const runs = settings.map((s) => {
  apply(s);
  return runDev(sets, corpora);
});
apply(OFF);

const study: Study = { runs, names, label: (i) => label(settings[i] as Setting) };
const index = (list: Setting[]) => list.map((s) => settings.indexOf(s));
judgeFamily(study, 'D: everyday-word discount', index(discounts));
judgeFamily(study, 'S: common unknown nouns not salient', index(saliences));
judgeFamily(study, 'D+S', [...index(discounts), ...index(saliences), ...index(both)]);

process.stdout.write('\nEach setting fitted on all 14 dev sets (in-sample utility; the top ten and off):\n');
const ranked = settings
  .map((s, i) => ({ s, u: fitFold(runs[i] as Outcome[]).utility }))
  .sort((a, b) => b.u - a.u);
for (const { s, u } of ranked.slice(0, 10)) process.stdout.write(`  ${u}  ${label(s)}\n`);
process.stdout.write(`  ${fitFold(runs[0] as Outcome[]).utility}  off\n`);
