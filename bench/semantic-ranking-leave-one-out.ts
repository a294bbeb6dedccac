/**
 * The sentence-encoder study, hypothesis A: semantic ranking (docs/retrieval.md §6, "Sentence encoder: semantic
 * ranking (session 23)"), on the DEV sets only (bench/dev-sets.ts: the bundled suite and evals/corpora/dev/*;
 * never evals/corpora/test/*). Run: `node --import tsx bench/semantic-ranking-leave-one-out.ts` (the first run
 * embeds every unit of the dev corpora; bench/semantic-cache.ts keeps them in bench/.cache).
 *
 * The cosine of the question's and a unit's sentence vectors (Universal Sentence Encoder lite; a unit is read
 * with its innermost heading, METHOD.semanticUnitHeading) chooses where the answer is; the abstention rules stay:
 * - A1 (METHOD.semanticUnitWeight w): a unit's score in the choice of unit gets + w × cosine;
 * - A2 (METHOD.semanticWiden k): the passages whose best unit is among the k best by cosine over the whole
 *   corpus join BM25's five candidate passages; rank fusion: a passage the encoder ranks r-th weighs with the
 *   larger of its own BM25 share and that of BM25's r-th passage;
 * - A1 + A2.
 * Each family (with "off") is judged leave one set out: for each held-out set the setting with the best utility
 * on the other thirteen (fitFold: isotonic calibration and threshold fitted there; right answers + right
 * abstentions − 6 × wrong abstentions) is chosen and the held-out set scored with it. Then, for A1 at each w,
 * how often the chosen unit changes and how many changes go right → wrong and wrong → right, per set; the cost.
 */
import { buildQaEngine, type Corpus, METHOD } from '../src/service/qa/index.js';
import { cosine } from '../src/service/qa/semantic.js';
import { fitFold, type Outcome, runDev, WRONG_ABSTENTION_COST } from './dev-sets.js';
import { f, judgeFamily, loadDevSets, type Study } from './held-out.js';
import { buildSemanticLookup, sentenceModel } from './semantic-cache.js';

const { sets, names, corpora } = await loadDevSets();

interface Setting {
  weight: number;
  widen: number;
  /** The raw confidence × (1 − v + v × min(1, cosine / 0.45)) (hypothesis B's veto, METHOD.semanticVeto). */
  veto?: number;
  /** A1 only where the lexical choice covers less of the question than this (METHOD.semanticGate). */
  gate?: number;
}
const OFF: Setting = { weight: 0, widen: 0 };
function apply(s: Setting): void {
  METHOD.semanticUnitWeight = s.weight;
  METHOD.semanticWiden = s.widen;
  METHOD.semanticVeto = s.veto ?? 0;
  METHOD.semanticVetoScale = 0.45;
  METHOD.semanticGate = s.gate ?? 0;
}
const label = (s: Setting) =>
  [
    s.weight > 0 ? `A1 w${s.weight}` : '',
    s.widen > 0 ? `A2 k${s.widen}` : '',
    (s.veto ?? 0) > 0 ? `raw x cos v${s.veto}` : '',
    (s.gate ?? 0) > 0 ? `gate ${s.gate}` : '',
  ]
    .filter(Boolean)
    .join(' + ') || 'off';

const WEIGHTS = [0.25, 0.5, 1, 2];
const WIDENS = [3, 5, 10];
const a1: Setting[] = WEIGHTS.map((weight) => ({ weight, widen: 0 }));
const a2: Setting[] = WIDENS.map((widen) => ({ weight: 0, widen }));
const a12: Setting[] = WEIGHTS.flatMap((weight) => WIDENS.map((widen) => ({ weight, widen })));
// The raw confidence the calibration sees with the cosine of the chosen unit in it (B's veto factor at s 0.45).
const withRaw: Setting[] = [0.25, 0.5].flatMap((veto) =>
  [0.5, 1, 2].flatMap((weight) => [0, 5].map((widen) => ({ weight, widen, veto }))),
);
// A1 only where the lexical choice is thin (it covers less of the question than g).
const gated: Setting[] = [0.5, 0.75].flatMap((gate) =>
  [0.5, 1, 2].flatMap((weight) => [0, 5].map((widen) => ({ weight, widen, gate }))),
);
const settings = [OFF, ...a1, ...a2, ...a12, ...withRaw, ...gated];

// The recording pass: with A1 and A2 on, the engine asks for the question and every unit of the corpus (A2
// scans them all), so every setting's texts are recorded. The recorder has no vectors; a placeholder vector
// lets the engine go on asking (without a question vector it would ask for no unit).
const PLACEHOLDER = Float32Array.from([1]);
const built = await buildSemanticLookup((recorder) => {
  apply({ weight: 1, widen: 5 });
  runDev(sets, corpora, {
    semantic: {
      vector(text) {
        recorder.vector(text);
        return PLACEHOLDER;
      },
    },
  });
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
judge('A1 unit score + w x cosine', index(a1));
judge('A2 widened candidates', index(a2));
judge('A1 + A2', [...index(a1), ...index(a2), ...index(a12)]);
judge('A1 + A2, the cosine also in the raw confidence', [
  ...index(a1),
  ...index(a2),
  ...index(a12),
  ...index(withRaw),
]);
judge('A1 (+ A2) only where the lexical choice is thin', [
  ...index(a1),
  ...index(a2),
  ...index(a12),
  ...index(gated),
]);

process.stdout.write(
  '\nper setting, all 14 sets, calibration and threshold fitted on all (in-sample): utility; answers right before the threshold\n',
);
settings.forEach((s, i) => {
  const run = runs[i] as Outcome[];
  process.stdout.write(
    `  ${label(s).padEnd(18)} ${fitFold(run).utility}  right ${run.filter((o) => o.right).length} of ${run.filter((o) => o.answerable).length}\n`,
  );
});

// Which unit the engine chooses, with A1 at w (and A2 at k), against off: how often it changes, and whether the
// answer (rules applied, no threshold) goes right -> wrong or wrong -> right.
function changes(s: Setting): void {
  process.stdout.write(
    `\nchosen unit changes, ${label(s)} vs off: set | questions | changed | right->wrong | wrong->right | (changed on near misses)\n`,
  );
  const run = runs[
    settings.findIndex(
      (x) => x.weight === s.weight && x.widen === s.widen && x.veto === s.veto && x.gate === s.gate,
    )
  ] as Outcome[];
  const totals = [0, 0, 0, 0, 0];
  sets.forEach((set, i) => {
    apply(OFF);
    const off = buildQaEngine(corpora[i] as Corpus, { minConfidence: 0 });
    const offUnits = set.cases.map((c) => off.explain(c.question).unit?.text ?? null);
    apply(s);
    const on = buildQaEngine(corpora[i] as Corpus, { minConfidence: 0, semantic });
    let changed = 0;
    let rightToWrong = 0;
    let wrongToRight = 0;
    let nearChanged = 0;
    set.cases.forEach((c, j) => {
      const unit = on.explain(c.question).unit?.text ?? null;
      if (unit === offUnits[j]) return;
      changed++;
      const k = offRun.findIndex((x) => x.set === set.name && x.id === c.id);
      const a = offRun[k] as Outcome;
      const b = run[k] as Outcome;
      if (!a.answerable) nearChanged++;
      else if (a.right && !b.right) rightToWrong++;
      else if (!a.right && b.right) wrongToRight++;
    });
    apply(OFF);
    const row = [set.cases.length, changed, rightToWrong, wrongToRight, nearChanged];
    row.forEach((x, k) => {
      totals[k] = (totals[k] as number) + x;
    });
    process.stdout.write(`  ${set.name.padEnd(22)} ${row.join(' | ')}\n`);
  });
  process.stdout.write(`  ${'all'.padEnd(22)} ${totals.join(' | ')}\n`);
}
for (const s of a1) changes(s);
changes({ weight: 1, widen: 5 });

// Ranking by meaning alone: for each answerable question whose expected strings all stand in one unit (an
// "answer unit"; the expected doc is not checked), where the cosine ranks the best answer unit among every unit
// of the corpus, against the lexical choice (off) being an answer unit.
{
  const squash = (t: string) => t.toLowerCase().replace(/\s+/g, ' ').trim();
  process.stdout.write(
    '\nranking by cosine over every unit of the corpus: set | questions with an answer unit | lexical choice is one | cosine top 1 | top 3 | top 5 | MRR | cosine top 1 but not the lexical choice, and the reverse\n',
  );
  const totals = [0, 0, 0, 0, 0, 0, 0, 0];
  sets.forEach((set, i) => {
    const texts = new Set<string>();
    apply({ weight: 0, widen: 1 });
    const recorder = buildQaEngine(corpora[i] as Corpus, {
      minConfidence: 0,
      semantic: {
        vector(text) {
          texts.add(text);
          return semantic.vector(text);
        },
      },
    });
    const first = set.cases[0];
    if (first) recorder.explain(first.question);
    apply(OFF);
    const units = [...texts].filter((t) => !set.cases.some((c) => c.question === t));
    const lexical = buildQaEngine(corpora[i] as Corpus, { minConfidence: 0 });
    const row = [0, 0, 0, 0, 0, 0, 0, 0];
    for (const c of set.cases) {
      const wanted = (c.expect.answer_contains ?? []).map(squash);
      if (c.expect.status !== 'answered' || wanted.length === 0) continue;
      const holds = (t: string) => wanted.every((w) => squash(t).includes(w));
      if (!units.some(holds)) continue;
      const q = semantic.vector(c.question);
      if (q === undefined) continue;
      const ranked = units
        .map((t) => ({ t, cos: cosine(q, semantic.vector(t) ?? new Float32Array(q.length)) }))
        .sort((x, y) => y.cos - x.cos);
      const at = ranked.findIndex((x) => holds(x.t)) + 1;
      const chosen = lexical.explain(c.question).unit?.text;
      row[0] = (row[0] as number) + 1;
      const lexicalRight = chosen !== undefined && holds(chosen);
      if (lexicalRight) row[1] = (row[1] as number) + 1;
      if (at === 1 && !lexicalRight) row[6] = (row[6] as number) + 1;
      if (at !== 1 && lexicalRight) row[7] = (row[7] as number) + 1;
      if (at === 1) row[2] = (row[2] as number) + 1;
      if (at <= 3) row[3] = (row[3] as number) + 1;
      if (at <= 5) row[4] = (row[4] as number) + 1;
      row[5] = (row[5] as number) + 1 / at;
    }
    row.forEach((x, k) => {
      totals[k] = (totals[k] as number) + x;
    });
    process.stdout.write(
      `  ${set.name.padEnd(22)} ${row[0]} | ${row[1]} | ${row[2]} | ${row[3]} | ${row[4]} | ${f((row[5] as number) / Math.max(1, row[0] as number))} | ${row[6]} / ${row[7]} (${units.length} units)\n`,
    );
  });
  process.stdout.write(
    `  ${'all'.padEnd(22)} ${totals[0]} | ${totals[1]} | ${totals[2]} | ${totals[3]} | ${totals[4]} | ${f((totals[5] as number) / (totals[0] as number))} | ${totals[6]} / ${totals[7]}\n`,
  );
}

// Costs: embedding one question (median of 50); engine CPU per question with the lookup on and off (vectors from
// memory: units' vectors would be computed at index time, the question's at ask time).
const encoder = await sentenceModel();
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
  'engine CPU per question (ms, best of 5 after a warm-up): off | A1 w1 | A1 w1 + A2 k5 | units\n',
);
sets.forEach((set, i) => {
  const qs = set.cases.map((c) => c.question);
  apply(OFF);
  const off = cpuPerQuestion(corpora[i] as Corpus, qs, false);
  apply({ weight: 1, widen: 0 });
  const onA1 = cpuPerQuestion(corpora[i] as Corpus, qs, true);
  apply({ weight: 1, widen: 5 });
  const onA12 = cpuPerQuestion(corpora[i] as Corpus, qs, true);
  apply(OFF);
  const units = (corpora[i] as Corpus).passages.length;
  process.stdout.write(`  ${set.name.padEnd(22)} ${f(off)} | ${f(onA1)} | ${f(onA12)} | ${units} passages\n`);
});
process.stdout.write(`(cost of a wrong abstention in the utility: ${WRONG_ABSTENTION_COST})\n`);
