import { loadCorpus } from '../src/service/corpus.js';
import { buildQaEngine, METHOD } from '../src/service/qa/index.js';
for (const [k,v] of Object.entries(process.env)) if (k.startsWith('M_')) (METHOD as any)[k.slice(2)] = Number(v);
const engine = buildQaEngine(await loadCorpus('handbook'), { minConfidence: Number(process.env.MINC ?? 0.15) });
for (const q of ['What metrics does the doc-QA service export?', 'What does selfHeal do?', 'How many replicas does the HPA allow at most?', "What's the admin password for Argo CD?", 'What is the Argo CD admin password?', 'How many CPU cores does the lab need?', 'How do I set up GitHub webhooks for Argo CD?', 'Does the lab use GitHub webhooks?']) {
  const r = engine.answer(q, { topK: 5 });
  console.log(q, '->', r.status, r.confidence.toFixed(2), r.answer?.slice(0, 160), JSON.stringify(engine.explain(q).unit));
}
