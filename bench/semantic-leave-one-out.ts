/**
 * The sentence-encoder study, hypothesis B: semantic rescue and veto (docs/retrieval.md §6, "Sentence encoder:
 * semantic rescue and veto (session 23)"), on the DEV sets only (bench/dev-sets.ts: the bundled suite and
 * evals/corpora/dev/*; never evals/corpora/test/*). Run: `node --import tsx bench/semantic-leave-one-out.ts`
 * (the first run embeds the texts, about half a minute; bench/semantic-cache.ts keeps them); add `--unit-only`
 * to let the encoder read a unit without its innermost heading.
 *
 * The engine's lexical choice of unit stays; the cosine of the question's and the chosen unit's sentence vectors
 * (Universal Sentence Encoder lite) decides whether to answer:
 * - B1 rescue (METHOD.semanticRescue c, semanticRescuePenalty): at cosine ≥ c a missing salient term of the
 *   compound, counted-word or short-question rule does not abstain; it halves the raw confidence or not.
 * - B2 veto (METHOD.semanticVeto w, semanticVetoScale s): raw × (1 − w + w × min(1, cosine / s)).
 * Each family (B1, B2, B1+B2, each with "off") is judged leave one set out: for each held-out set the setting
 * with the best utility on the other thirteen (fitFold: isotonic calibration and threshold fitted there; right
 * answers + right abstentions − 6 × wrong abstentions) is chosen and the held-out set scored with it.
 * Then: the chosen unit's cosine by outcome (and how well it ranks right answers above near misses), what a
 * missing salient term adds to the cosine, the cases B1 changes, and the cost per question.
 */
import { buildQaEngine, type Corpus, METHOD } from '../src/service/qa/index.js';
import { cosine, type SemanticLookup } from '../src/service/qa/semantic.js';
import { termOf, tokenize } from '../src/service/qa/text.js';
import { fitFold, type Outcome, runDev, scoreOutcomes, WRONG_ABSTENTION_COST } from './dev-sets.js';
import { CONVERSATIONAL, correct, f, judgeFamily, loadDevSets, type Study } from './held-out.js';
import { buildSemanticLookup, sentenceModel } from './semantic-cache.js';

// `--unit-only`: the encoder reads a unit without its heading (METHOD.semanticUnitHeading 0).
if (process.argv.includes('--unit-only')) METHOD.semanticUnitHeading = 0;
process.stdout.write(
  `unit text read by the encoder: ${METHOD.semanticUnitHeading > 0 ? 'innermost heading: unit' : 'unit alone'}\n`,
);

const { sets, names, corpora } = await loadDevSets();

interface Setting {
  rescue: number;
  penalty: number;
  veto: number;
  scale: number;
}
const OFF: Setting = { rescue: 0, penalty: 1, veto: 0, scale: 0.5 };
function apply(s: Setting): void {
  METHOD.semanticRescue = s.rescue;
  METHOD.semanticRescuePenalty = s.penalty;
  METHOD.semanticVeto = s.veto;
  METHOD.semanticVetoScale = s.scale;
}
const label = (s: Setting) =>
  [
    s.rescue > 0 ? `rescue cos>=${s.rescue}${s.penalty > 0 ? ' halved' : ' free'}` : '',
    s.veto > 0 ? `veto w${s.veto} s${s.scale}` : '',
  ]
    .filter(Boolean)
    .join(' + ') || 'off';

const rescues: Setting[] = [];
for (const rescue of [0.35, 0.45, 0.55])
  for (const penalty of [1, 0]) rescues.push({ ...OFF, rescue, penalty });
const vetoes: Setting[] = [];
for (const veto of [0.25, 0.5, 1]) for (const scale of [0.3, 0.45, 0.6]) vetoes.push({ ...OFF, veto, scale });
const both: Setting[] = rescues.flatMap((r) => vetoes.map((v) => ({ ...r, veto: v.veto, scale: v.scale })));
const settings = [OFF, ...rescues, ...vetoes, ...both];

// The recording pass: every setting asks for the same texts (the question and its chosen unit), since the
// unit is chosen lexically; one pass with the study on records them.
const built = await buildSemanticLookup((recorder) => {
  apply({ ...OFF, veto: 1 });
  runDev(sets, corpora, { semantic: recorder });
  apply(OFF);
});
const semantic = built.lookup;
process.stdout.write(
  `\nlookup: ${built.texts} texts, ${built.embedded} embedded now in ${built.embedMs.toFixed(0)} ms${built.embedded > 0 ? ` (${(built.embedMs / built.embedded).toFixed(1)} ms a text in batches of 64)` : ' (all cached)'}\n`,
);

const started = process.hrtime.bigint();
const runs = settings.map((s) => {
  apply(s);
  return runDev(sets, corpora, { semantic });
});
apply(OFF);
process.stdout.write(
  `${settings.length} settings run in ${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(1)} s\n`,
);
const offRun = runDev(sets, corpora);
const offSame = offRun.every((o, i) => {
  const p = (runs[0] as Outcome[])[i] as Outcome;
  return o.raw === p.raw && o.answered === p.answered && o.right === p.right;
});
process.stdout.write(`the lookup with both constants off gives the same outcomes as no lookup: ${offSame}\n`);

const study: Study = { runs, names, label: (i) => label(settings[i] as Setting) };
const judge = (family: string, candidates: number[]) => judgeFamily(study, family, candidates);

const index = (list: Setting[]) => list.map((s) => settings.indexOf(s));
judge('B1 rescue', index(rescues));
judge('B2 veto', index(vetoes));
judge('B1 + B2', [...index(rescues), ...index(vetoes), ...index(both)]);

// Each setting over all fourteen sets at a calibration and threshold fitted on all of them (in-sample: only to
// see what the grid can do at best).
process.stdout.write(
  '\nper setting, all 14 sets, calibration and threshold fitted on all (in-sample): utility\n',
);
const ranked = settings
  .map((s, i) => ({ s, u: fitFold(runs[i] as Outcome[]).utility }))
  .sort((a, b) => b.u - a.u);
for (const { s, u } of [...ranked.slice(0, 8), ...ranked.filter((r) => r.s === OFF)]) {
  process.stdout.write(`  ${label(s).padEnd(44)} ${u}\n`);
}

// The chosen unit's cosine by outcome (off, no threshold): does it separate right answers from near misses?
apply({ ...OFF, veto: 1 });
const cosines: Record<string, number[]> = {
  'right answer': [],
  'answerable, not right': [],
  'near miss': [],
};
const flips: string[] = [];
interface Seen {
  key: string;
  kind: string;
  raw: number;
  cos: number;
  question: string;
  unitText: string;
  missing: string[];
  ruled: boolean;
}
const seen: Seen[] = [];
sets.forEach((set, i) => {
  let lastText = '';
  const watching: SemanticLookup = {
    vector(text) {
      lastText = text;
      return semantic.vector(text);
    },
  };
  const engine = buildQaEngine(corpora[i] as Corpus, { minConfidence: 0, semantic: watching });
  for (const c of set.cases) {
    const explained = engine.explain(c.question);
    const unit = explained.unit;
    if (unit?.cosine === undefined) continue;
    const o = offRun.find((x) => x.set === set.name && x.id === c.id) as Outcome;
    const kind = !o.answerable ? 'near miss' : o.right ? 'right answer' : 'answerable, not right';
    cosines[kind]?.push(unit.cosine);
    seen.push({
      key: `${set.name}\u0000${c.id}`,
      kind,
      raw: o.raw,
      cos: unit.cosine,
      question: c.question,
      unitText: lastText,
      missing: unit.missing,
      ruled: explained.abstainedBy.some((r) => r === 'salient:compound' || r === 'salient:counted'),
    });
  }
});
apply(OFF);
const quantiles = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => f(s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0);
  return `n ${s.length}: p10 ${q(0.1)} p25 ${q(0.25)} median ${q(0.5)} p75 ${q(0.75)} p90 ${q(0.9)}`;
};
process.stdout.write("\nthe chosen unit's cosine by outcome with the engine as today (no threshold):\n");
for (const [kind, xs] of Object.entries(cosines))
  process.stdout.write(`  ${kind.padEnd(13)} ${quantiles(xs)}\n`);

// How well each score ranks right answers above near misses (area under the ROC curve; 0.5 is chance).
function auc(score: (x: Seen) => number): string {
  const pos = seen.filter((x) => x.kind === 'right answer').map(score);
  const neg = seen.filter((x) => x.kind === 'near miss').map(score);
  let wins = 0;
  for (const p of pos) for (const n of neg) wins += p > n ? 1 : p === n ? 0.5 : 0;
  return f(wins / (pos.length * neg.length));
}
process.stdout.write(
  `AUC, right answers vs near misses (every chosen unit): raw ${auc((x) => x.raw)}, cosine ${auc((x) => x.cos)}, raw x cosine ${auc((x) => x.raw * Math.max(0, x.cos))}\n`,
);

// What the missing salient term adds to the match: cos(question, unit) − cos(question without the term's
// words, unit). A paraphrase of what the unit says should add; a thing the corpus does not state should not.
const encoder = await sentenceModel();
const ruled = seen.filter((x) => x.ruled);
const contributions: Record<string, number[]> = { answerable: [], 'near miss': [] };
for (const x of ruled) {
  let without = x.question;
  for (const word of tokenize(x.question)) {
    if (!x.missing.includes(termOf(word) ?? '')) continue;
    without = without.split(word).join(' ');
  }
  const [q, w, u] = await encoder.embed([x.question, without.replace(/\s+/g, ' '), x.unitText]);
  contributions[x.kind === 'near miss' ? 'near miss' : 'answerable']?.push(
    cosine(q as number[], u as number[]) - cosine(w as number[], u as number[]),
  );
}
process.stdout.write(
  '\nwhere the compound or counted rule abstains today: what the missing term adds to the cosine\n',
);
for (const [kind, xs] of Object.entries(contributions))
  process.stdout.write(`  ${kind.padEnd(13)} ${quantiles(xs)}\n`);

// B2 as a two-feature fit: per fold, a logistic regression of "right" on (raw, cosine, raw × cosine) over the
// training sets' answered outcomes replaces the raw score; the isotonic calibration and threshold are then
// fitted on its output as usual. Per held-out set, off or the fit, whichever does better on the others.
const cosOf = new Map(seen.map((x) => [x.key, x.cos]));
const featuresOf = (o: Outcome) => {
  const c = cosOf.get(`${o.set}\u0000${o.id}`) ?? 0;
  return [o.raw, c, o.raw * c];
};
function fitLogistic(train: Outcome[]): (o: Outcome) => number {
  const rows = train.filter((o) => o.answered).map((o) => ({ x: featuresOf(o), y: o.right ? 1 : 0 }));
  const d = 3;
  const mean = Array.from(
    { length: d },
    (_, k) => rows.reduce((s, r) => s + (r.x[k] as number), 0) / rows.length,
  );
  const sd = Array.from(
    { length: d },
    (_, k) =>
      Math.sqrt(
        rows.reduce((s, r) => s + ((r.x[k] as number) - (mean[k] as number)) ** 2, 0) / rows.length,
      ) || 1,
  );
  const z = (x: number[]) => x.map((v, k) => (v - (mean[k] as number)) / (sd[k] as number));
  const w = new Array(d).fill(0) as number[];
  let b = 0;
  const sigmoid = (t: number) => 1 / (1 + Math.exp(-t));
  for (let iteration = 0; iteration < 2000; iteration++) {
    const gw = new Array(d).fill(0) as number[];
    let gb = 0;
    for (const r of rows) {
      const x = z(r.x);
      const err = sigmoid(b + x.reduce((s, v, k) => s + v * (w[k] as number), 0)) - r.y;
      for (let k = 0; k < d; k++) gw[k] = (gw[k] as number) + err * (x[k] as number);
      gb += err;
    }
    for (let k = 0; k < d; k++) w[k] = (w[k] as number) - (0.5 * (gw[k] as number)) / rows.length;
    b -= (0.5 * gb) / rows.length;
  }
  return (o) => sigmoid(b + z(featuresOf(o)).reduce((s, v, k) => s + v * (w[k] as number), 0));
}
{
  process.stdout.write(
    '\n== B2 as a two-feature fit (raw, cosine, raw x cosine): held-out set | off utility | fit: answer citation abstain-precision (wrong of abstentions) recall utility | cases gained/lost [chosen on the others]\n',
  );
  const off = runs[0] as Outcome[];
  const totals = { off: 0, chosen: 0, offConv: 0, chosenConv: 0 };
  for (const held of names) {
    const isTrain = (o: Outcome) => o.set !== held;
    const train = off.filter(isTrain);
    const test = off.filter((o) => !isTrain(o));
    const model = fitLogistic(train);
    const refit = (list: Outcome[]) => list.map((o) => ({ ...o, raw: model(o) }));
    const offFit = fitFold(train);
    const fit = fitFold(refit(train));
    const useFit = fit.utility > offFit.utility;
    const mOff = scoreOutcomes(test, offFit.conf, offFit.threshold);
    const testFit = refit(test);
    const mFit = scoreOutcomes(testFit, fit.conf, fit.threshold);
    const mChosen = useFit ? mFit : mOff;
    let gained = 0;
    let lost = 0;
    if (useFit) {
      test.forEach((o, j) => {
        const a = correct(o, offFit.conf, offFit.threshold);
        const b = correct(testFit[j] as Outcome, fit.conf, fit.threshold);
        if (b && !a) gained++;
        if (a && !b) lost++;
      });
    }
    totals.off += mOff.utility;
    totals.chosen += mChosen.utility;
    if (CONVERSATIONAL.has(held)) {
      totals.offConv += mOff.utility;
      totals.chosenConv += mChosen.utility;
    }
    process.stdout.write(
      `${held.padEnd(22)} ${mOff.utility} | ${f(mFit.answer)} ${f(mFit.citation)} ${f(mFit.precision)} (${mFit.wrongAbstentions} of ${mFit.abstained}) ${f(mFit.recall)} ${mFit.utility} | +${gained}/-${lost} [${useFit ? 'fit' : 'off'}; training utility off ${offFit.utility}, fit ${fit.utility}]\n`,
    );
  }
  process.stdout.write(
    `pooled utility, all 14 held-out sets: off ${totals.off}, chosen ${totals.chosen}; six conversational: off ${totals.offConv}, chosen ${totals.chosenConv}\n`,
  );
}

// The cases the rescue changes (cos >= 0.35, a rescued term still halving): abstained today, not with it.
const rescueRun = runs[settings.indexOf(rescues[0] as Setting)] as Outcome[];
apply({ ...(rescues[0] as Setting), veto: 0 });
sets.forEach((set, i) => {
  const engine = buildQaEngine(corpora[i] as Corpus, { minConfidence: 0, semantic });
  for (const c of set.cases) {
    const j = offRun.findIndex((x) => x.set === set.name && x.id === c.id);
    const a = offRun[j] as Outcome;
    const b = rescueRun[j] as Outcome;
    if (a.answered === b.answered) continue;
    const unit = engine.explain(c.question).unit;
    const verdict = !b.answerable ? 'near miss now answered' : b.right ? 'answered right' : 'answered wrong';
    flips.push(
      `  ${set.name} ${c.id} "${c.question}" cos ${unit?.cosine} rescued ${unit?.rescued?.join(',')} raw ${f(b.raw)}: ${verdict}`,
    );
  }
});
apply(OFF);
process.stdout.write(
  `\ncases the rescue at cos >= 0.35 lets through a salient rule (${flips.length}):\n${flips.join('\n')}\n`,
);

// Costs: embedding one question (median of 50), and engine CPU per question with the lookup on (a B1 + B2
// setting) and off. The engine's own cost excludes the embedding: units' vectors would be computed at index
// time, the question's at ask time.
const questions = sets.flatMap((set) => set.cases.map((c) => c.question));
for (const q of questions.slice(0, 5)) await encoder.embed([q]);
const times: number[] = [];
for (let i = 0; i < 50; i++) {
  const q = questions[(i * 37) % questions.length] as string;
  const t = process.hrtime.bigint();
  await encoder.embed([`${q} `]);
  times.push(Number(process.hrtime.bigint() - t) / 1e6);
}
times.sort((a, b) => a - b);
process.stdout.write(
  `\nembedding one question: median ${f(times[25] as number)} ms (p10 ${f(times[5] as number)}, p90 ${f(times[45] as number)}) over 50\n`,
);
function cpuPerQuestion(corpus: Corpus, qs: string[], on: boolean): number {
  const engine = buildQaEngine(corpus, on ? { semantic } : {});
  for (const q of qs) engine.answer(q, { topK: 5 });
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < 5; r++) {
    const cpu = process.cpuUsage();
    for (const q of qs) engine.answer(q, { topK: 5 });
    const used = process.cpuUsage(cpu);
    best = Math.min(best, (used.user + used.system) / 1000 / qs.length);
  }
  return best;
}
process.stdout.write(
  `engine CPU per question (ms, best of 5 after a warm-up; vectors from memory): off | on (${label({ rescue: 0.45, penalty: 1, veto: 0.5, scale: 0.45 })})\n`,
);
sets.forEach((set, i) => {
  const qs = set.cases.map((c) => c.question);
  apply(OFF);
  const off = cpuPerQuestion(corpora[i] as Corpus, qs, false);
  apply({ rescue: 0.45, penalty: 1, veto: 0.5, scale: 0.45 });
  const on = cpuPerQuestion(corpora[i] as Corpus, qs, true);
  apply(OFF);
  process.stdout.write(`  ${set.name.padEnd(22)} ${f(off)} | ${f(on)}\n`);
});
process.stdout.write(`(cost of a wrong abstention in the utility: ${WRONG_ABSTENTION_COST})\n`);
