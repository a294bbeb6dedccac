import { readFileSync, readdirSync } from 'node:fs';
import { parse } from 'yaml';
import { loadCorpus } from '../dist/service/corpus.js';
import { buildQaEngine } from '../dist/service/qa/index.js';
const e = buildQaEngine(await loadCorpus('handbook'));
const qs = readdirSync('evals/cases').flatMap((f) => parse(readFileSync(`evals/cases/${f}`, 'utf8')).map((c) => c.question));
for (const q of qs) e.answer(q, { topK: 3 });
const t = [];
for (let r = 0; r < 5; r++) for (const q of qs) { const s = performance.now(); e.answer(q, { topK: 3 }); t.push([performance.now() - s, q]); }
t.sort((a, b) => b[0] - a[0]);
console.log(t.slice(0, 8).map(([x, q]) => x.toFixed(2) + ' ' + q.slice(0, 60)).join('\n'));
const sorted = t.map((x) => x[0]).sort((a, b) => a - b);
console.log('p50', sorted[Math.floor(sorted.length / 2)].toFixed(3), 'p90', sorted[Math.floor(sorted.length * 0.9)].toFixed(3));
