import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadCorpus } from '../src/service/corpus.js';
import { buildQaEngine, METHOD } from '../src/service/qa/index.js';
for (const [k,v] of Object.entries(process.env)) if (k.startsWith('M_')) (METHOD as any)[k.slice(2)] = Number(v);
const minConfidence = Number(process.env.MINC ?? 0.5);
const squash = (t: string) => t.toLowerCase().replace(/\s+/g, ' ').trim();
const which = process.argv.slice(2);
const verbose = process.env.V === '1';
for (const name of which) {
  const [corpusDir, casesPath] = name === 'handbook' ? ['handbook', 'evals/cases'] : [join(name, 'corpus'), join(name, 'cases.yaml')];
  const engine = buildQaEngine(await loadCorpus(corpusDir), { minConfidence });
  let cases: any[] = [];
  if (casesPath.endsWith('.yaml')) cases = parse(await readFile(casesPath, 'utf8'));
  else for (const f of ['argo-cd.yaml','delivery.yaml','drills.yaml','observability.yaml','rollouts.yaml']) cases.push(...parse(await readFile(join(casesPath, f), 'utf8')));
  let ans = 0, ok = 0, cit = 0, abst = 0, abstOk = 0, shouldAbst = 0;
  const rows: string[] = [];
  for (const c of cases) {
    const r = engine.answer(c.question, { topK: 5 });
    const did = r.status === 'insufficient_context';
    if (did) abst++;
    const exp = engine.explain(c.question);
    const tag = `${r.confidence.toFixed(2)} raw=${exp.unit?.raw} miss=${exp.unit?.missing} typed=${exp.unit?.typed} asked=${exp.asked}`;
    if (process.env.DUMP) console.log(JSON.stringify({ set: name, id: c.id, nm: c.expect.status === 'insufficient_context', did, raw: exp.unit?.raw ?? 0, correct: !did && c.expect.status === 'answered' && (c.expect.answer_contains ?? []).every((x: string) => squash(r.answer ?? '').includes(squash(x))) && (c.expect.doc === undefined || r.citations.some((x) => x.doc_id === c.expect.doc)) }));
    if (c.expect.status === 'insufficient_context') {
      shouldAbst++;
      if (did) abstOk++; else rows.push(`NM-ANSWERED ${c.id}: ${c.question} -> ${r.answer?.slice(0,100)} [${tag}]`);
      continue;
    }
    ans++;
    const a = squash(r.answer ?? '');
    const good = !did && (c.expect.answer_contains ?? []).every((s: string) => a.includes(squash(s)));
    const docOk = c.expect.doc === undefined || r.citations.some((x) => x.doc_id === c.expect.doc);
    if (good) ok++;
    if (docOk) cit++;
    if (!good) rows.push(`${did ? 'ABSTAINED' : 'WRONG'} ${c.id}: ${c.question} -> ${r.answer?.slice(0,100)} [${tag}] terms=${exp.terms.map(t=>t.term+':'+t.weight+(t.salient?'*':'')+(t.known?'':'?')).join(' ')}`);
  }
  console.log(`${name}: n=${cases.length} acc=${(ok/ans).toFixed(3)} cit=${(cit/ans).toFixed(3)} absP=${(abstOk/Math.max(1,abst)).toFixed(2)} absR=${(abstOk/shouldAbst).toFixed(2)}`);
  if (verbose) console.log(rows.join('\n'));
}
