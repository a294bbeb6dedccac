/**
 * Session 26's study of the ranking and unit-scoring constants (docs/retrieval.md §6), on the DEV sets only
 * (bench/dev-sets.ts; never evals/corpora/test/*). Run: `node --import tsx bench/constants-leave-one-out.ts`.
 *
 * Two grids, each judged leave one dev set out as the studies before it (judgeFamily: the setting with the best
 * utility on the other sets, against the shipped one, index 0):
 * - BM25: METHOD.bm25K1 × bm25B × headingWeight (shipped: BM25's usual 1.2 and 0.75, a heading counting twice).
 * - Unit scoring: METHOD.docShare × neighbourCoverage × unknownWordWeight.
 */
import { METHOD } from '../src/service/qa/index.js';
import { runDev } from './dev-sets.js';
import { judgeFamily, loadDevSets } from './held-out.js';

type Key = 'bm25K1' | 'bm25B' | 'headingWeight' | 'docShare' | 'neighbourCoverage' | 'unknownWordWeight';
type Setting = Partial<Record<Key, number>>;

const { sets, names, corpora } = await loadDevSets();

/** Every combination of `grid`'s values, the shipped setting first. */
function combinations(grid: Partial<Record<Key, number[]>>): Setting[] {
  const keys = Object.keys(grid) as Key[];
  const shipped = Object.fromEntries(keys.map((k) => [k, METHOD[k]])) as Setting;
  let all: Setting[] = [{}];
  for (const k of keys) all = all.flatMap((s) => (grid[k] ?? []).map((v) => ({ ...s, [k]: v })));
  const same = (s: Setting) => keys.every((k) => s[k] === shipped[k]);
  return [shipped, ...all.filter((s) => !same(s))];
}

function study(family: string, grid: Partial<Record<Key, number[]>>): void {
  const settings = combinations(grid);
  const shipped = settings[0] as Setting;
  const runs = settings.map((s) => {
    Object.assign(METHOD, s);
    return runDev(sets, corpora);
  });
  Object.assign(METHOD, shipped);
  const label = (i: number) => JSON.stringify(settings[i]);
  judgeFamily({ runs, names, label }, family, settings.map((_, i) => i).slice(1));
}

study('BM25 k1, b and heading weight', {
  bm25K1: [0.6, 0.9, 1.2, 1.6, 2.0],
  bm25B: [0.3, 0.5, 0.75, 0.9],
  headingWeight: [1, 2, 3],
});
study('unit scoring: document share, neighbour coverage, unknown-word weight', {
  docShare: [0, 0.15, 0.3, 0.5],
  neighbourCoverage: [0.2, 0.4, 0.6],
  unknownWordWeight: [0.15, 0.3, 0.5],
});
