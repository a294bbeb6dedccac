/**
 * Which rule makes the extractive engine abstain, per DEV set (bench/dev-sets.ts: the bundled suite and
 * evals/corpora/dev/*; never evals/corpora/test/*), and how often it is right. For each rule of
 * docs/retrieval.md §6: the abstentions it causes (fires: the rule holds on an abstained question), how many
 * of those are right (a near miss) and wrong (an answerable question), and how many it causes alone (no other
 * rule holds). Also the engine's CPU time per question. Run: `node --import tsx bench/abstention-rules.ts`
 * (`--json` for the raw table).
 */
import { loadCorpus } from '../src/service/corpus.js';
import { type AbstentionReason, buildQaEngine } from '../src/service/qa/index.js';
import { devSets, isRight } from './dev-sets.js';

interface Cell {
  fires: number;
  right: number;
  wrong: number;
  alone: number;
}

const table = new Map<AbstentionReason, Map<string, Cell>>();
function cell(rule: AbstentionReason, set: string): Cell {
  const bySet = table.get(rule) ?? new Map<string, Cell>();
  table.set(rule, bySet);
  const c = bySet.get(set) ?? { fires: 0, right: 0, wrong: 0, alone: 0 };
  bySet.set(set, c);
  return c;
}

const sets = await devSets();
const cpu: Array<{ set: string; perQuestionMs: number }> = [];
const wrongCases: string[] = [];
/** Per set, as `gitops-lab eval` scores it: answer, citation, abstain precision (right of abstentions), recall. */
const figures: string[] = [];
for (const set of sets) {
  const engine = buildQaEngine(await loadCorpus(set.corpusDir));
  for (const c of set.cases) engine.answer(c.question, { topK: 5 }); // warm-up: entity caches
  const start = process.cpuUsage();
  const rounds = 5;
  for (let r = 0; r < rounds; r++) for (const c of set.cases) engine.answer(c.question, { topK: 5 });
  const used = process.cpuUsage(start);
  cpu.push({ set: set.name, perQuestionMs: (used.user + used.system) / 1000 / rounds / set.cases.length });
  const n = { answerable: 0, right: 0, cited: 0, abstained: 0, rightAbstentions: 0, nearMisses: 0 };
  for (const c of set.cases) {
    const result = engine.answer(c.question, { topK: 5 });
    const docs = result.citations.map((x) => x.doc_id);
    const abstained = result.status === 'insufficient_context';
    if (abstained) n.abstained++;
    if (c.expect.status === 'answered') {
      n.answerable++;
      if (isRight({ ...c, expect: { ...c.expect, doc: undefined } }, result.answer, docs)) n.right++;
      if (c.expect.doc === undefined || docs.includes(c.expect.doc)) n.cited++;
    } else {
      n.nearMisses++;
      if (abstained) n.rightAbstentions++;
    }
  }
  figures.push(
    `  ${set.name.padEnd(22)} ${[n.right / n.answerable, n.cited / n.answerable, n.abstained ? n.rightAbstentions / n.abstained : 1, n.rightAbstentions / n.nearMisses].map((x) => x.toFixed(3)).join(' / ')} (${n.rightAbstentions} of ${n.abstained})`,
  );
  for (const c of set.cases) {
    const reasons = engine.explain(c.question).abstainedBy;
    const status = engine.answer(c.question, { topK: 5 }).status;
    if (reasons.length > 0 !== (status === 'insufficient_context')) {
      throw new Error(`${set.name} ${c.id}: explain and answer disagree`);
    }
    const nearMiss = c.expect.status !== 'answered';
    for (const rule of reasons) {
      const x = cell(rule, set.name);
      x.fires++;
      if (nearMiss) x.right++;
      else x.wrong++;
      if (reasons.length === 1) x.alone++;
    }
    if (reasons.length > 0 && !nearMiss)
      wrongCases.push(`${set.name} ${c.id} [${reasons.join(',')}] ${c.question}`);
  }
}

if (process.argv.includes('--json')) {
  const out: Record<string, Record<string, Cell>> = {};
  for (const [rule, bySet] of table) out[rule] = Object.fromEntries(bySet);
  process.stdout.write(`${JSON.stringify({ rules: out, cpu }, null, 2)}\n`);
} else {
  const names = sets.map((s) => s.name);
  process.stdout.write('rule | per set: fires right/wrong (alone) | total fires, right, wrong, precision\n');
  for (const [rule, bySet] of [...table].sort((a, b) => a[0].localeCompare(b[0]))) {
    let fires = 0;
    let wrong = 0;
    const parts = names.map((n) => {
      const x = bySet.get(n);
      if (!x) return `${n} -`;
      fires += x.fires;
      wrong += x.wrong;
      return `${n} ${x.fires} ${x.right}/${x.wrong} (${x.alone})`;
    });
    process.stdout.write(
      `${rule}: ${parts.join('; ')} | ${fires}, ${fires - wrong}, ${wrong}, ${((fires - wrong) / fires).toFixed(3)}\n`,
    );
  }
  process.stdout.write('wrong abstentions:\n');
  for (const w of wrongCases) process.stdout.write(`  ${w}\n`);
  process.stdout.write('answer / citation / abstain precision (right of abstentions) / recall:\n');
  process.stdout.write(`${figures.join('\n')}\n`);
  process.stdout.write('engine CPU per question (ms, 5 rounds after a warm-up):\n');
  for (const c of cpu) process.stdout.write(`  ${c.set.padEnd(22)} ${c.perQuestionMs.toFixed(3)}\n`);
}
