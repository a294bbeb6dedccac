/**
 * What the leave-one-dev-set-out studies share (bench/salience-leave-one-out.ts; at commit 7b26f68 also the
 * sentence-encoder and everyday-word studies): the dev sets loaded with their corpora, which of them are
 * conversational, and the judgement of a family of settings (docs/retrieval.md §6). DEV sets only
 * (bench/dev-sets.ts).
 */
import { loadCorpus } from '../src/service/corpus.js';
import { type Corpus, METHOD } from '../src/service/qa/index.js';
import { type DevSet, devSets, fitFold, type Outcome, runDev, scoreOutcomes } from './dev-sets.js';

/** The dev corpora whose questions are in users' own words. */
export const CONVERSATIONAL: ReadonlySet<string> = new Set([
  'car-share-handbook',
  'radio-station-guide',
  'vet-clinic-handbook',
  'climbing-gym-guide',
  'coworking-member-guide',
  'ferry-passenger-info',
]);

/** The dev sets, their names and their corpora, in the same order. */
export async function loadDevSets(): Promise<{ sets: DevSet[]; names: string[]; corpora: Corpus[] }> {
  const sets = await devSets();
  const corpora = await Promise.all(sets.map((set) => loadCorpus(set.corpusDir)));
  return { sets, names: sets.map((set) => set.name), corpora };
}

/** A study's runs: every dev outcome per setting (index 0: off), the set names, and a setting's label. */
export interface Study {
  runs: Outcome[][];
  names: string[];
  label: (setting: number) => string;
}

/** A figure to three decimals. */
export const f = (x: number) => x.toFixed(3);
/** Whether an outcome is right at a calibration and threshold: a right answer, or an abstention on a near miss. */
export const correct = (o: Outcome, conf: (raw: number) => number, threshold: number) => {
  const answers = o.answered && conf(o.raw) >= threshold;
  return o.answerable ? answers && o.right : !answers;
};
interface Pool {
  right: number;
  cited: number;
  answerable: number;
  abstained: number;
  wrong: number;
  near: number;
  utility: number;
}
const pool = (): Pool => ({ right: 0, cited: 0, answerable: 0, abstained: 0, wrong: 0, near: 0, utility: 0 });
const poolLine = (p: Pool) =>
  `answer ${f(p.right / p.answerable)} citation ${f(p.cited / p.answerable)} abstain precision ${f((p.abstained - p.wrong) / p.abstained)} (${p.wrong} wrong of ${p.abstained}) recall ${f((p.abstained - p.wrong) / p.near)} utility ${p.utility}`;

/**
 * Judges one family of settings leave one dev set out: for each held-out set, the setting (off, index 0, or one
 * of `candidates`, indices into `runs`) with the best utility on the other sets, its calibration and threshold
 * fitted there, and the held-out set scored with it against off. Prints a line per set and the pooled figures
 * (all sets, and the conversational ones).
 */
export function judgeFamily(study: Study, family: string, candidates: number[]): void {
  const { runs, names, label } = study;
  process.stdout.write(
    `\n== ${family}: held-out set | off (today): answer citation abstain-precision (wrong of abstentions) recall utility | chosen on the others: the same | cases gained/lost [setting]\n`,
  );
  const pools = { all: [pool(), pool()], conv: [pool(), pool()] };
  for (const held of names) {
    const isTrain = (o: Outcome) => o.set !== held;
    let chosen = 0;
    let chosenUtility = Number.NEGATIVE_INFINITY;
    for (const i of [0, ...candidates]) {
      const u = fitFold((runs[i] as Outcome[]).filter(isTrain)).utility;
      if (u > chosenUtility) {
        chosenUtility = u;
        chosen = i;
      }
    }
    const fits = [0, chosen].map((i) => fitFold((runs[i] as Outcome[]).filter(isTrain)));
    const tests = [0, chosen].map((i) => (runs[i] as Outcome[]).filter((o) => !isTrain(o)));
    const cells = [0, 1].map((k) => {
      const test = tests[k] as Outcome[];
      const { conf, threshold } = fits[k] as ReturnType<typeof fitFold>;
      const m = scoreOutcomes(test, conf, threshold);
      const answerable = test.filter((o) => o.answerable).length;
      for (const p of [pools.all[k], ...(CONVERSATIONAL.has(held) ? [pools.conv[k]] : [])] as Pool[]) {
        p.answerable += answerable;
        p.right += Math.round(m.answer * answerable);
        p.cited += Math.round(m.citation * answerable);
        p.abstained += m.abstained;
        p.wrong += m.wrongAbstentions;
        p.near += test.length - answerable;
        p.utility += m.utility;
      }
      return `${f(m.answer)} ${f(m.citation)} ${f(m.precision)} (${m.wrongAbstentions} of ${m.abstained}) ${f(m.recall)} ${m.utility}`;
    });
    let gained = 0;
    let lost = 0;
    (tests[0] as Outcome[]).forEach((o, j) => {
      const a = correct(o, fits[0]?.conf as (raw: number) => number, fits[0]?.threshold as number);
      const b = correct(
        (tests[1] as Outcome[])[j] as Outcome,
        fits[1]?.conf as (raw: number) => number,
        fits[1]?.threshold as number,
      );
      if (b && !a) gained++;
      if (a && !b) lost++;
    });
    process.stdout.write(
      `${held.padEnd(22)} ${cells[0]} | ${cells[1]} | +${gained}/-${lost} [${label(chosen)}]\n`,
    );
  }
  for (const [name, p] of Object.entries(pools)) {
    const what = name === 'all' ? 'pooled, all 14 held-out sets' : 'pooled, the six conversational sets';
    process.stdout.write(
      `${what}:\n  off    ${poolLine(p[0] as Pool)}\n  chosen ${poolLine(p[1] as Pool)}\n`,
    );
  }
}

/** The METHOD constants a one-constant study sets. */
type NumericMethodKey = {
  [K in keyof typeof METHOD]: (typeof METHOD)[K] extends number ? K : never;
}[keyof typeof METHOD];

/**
 * A study of one METHOD constant: the dev sets run at each setting (the first is "off"), the constant restored to
 * its shipped value, each setting's utility over all dev sets printed, then judged leave one set out against off.
 */
export async function judgeSetting(
  key: NumericMethodKey,
  settings: Array<[value: number, label: string]>,
  family: string,
): Promise<void> {
  const { sets, names, corpora } = await loadDevSets();
  const shipped = METHOD[key];
  const runs = settings.map(([value]) => {
    METHOD[key] = value;
    return runDev(sets, corpora);
  });
  METHOD[key] = shipped;
  const label = (i: number) => settings[i]?.[1] ?? String(i);
  for (const [i, run] of runs.entries()) {
    process.stdout.write(`${label(i)}: utility on all dev sets ${fitFold(run).utility}\n`);
  }
  judgeFamily(
    { runs, names, label },
    family,
    settings.slice(1).map((_, i) => i + 1),
  );
}
