import { buildQaEngine } from '../src/service/qa/index.js';
import type { Corpus, Passage } from '../src/service/qa/types.js';
const base: Passage[] = [{ doc_id: 'hpa.md', passage_id: 'hpa.md#0', heading: 'HPA > Fix', text: 'Add an ignoreDifferences entry on /spec/replicas so Argo CD stops resetting the autoscaler.' }];
const filler = Array.from({ length: 10_000 }, (_, i): Passage => ({ doc_id: `filler-${Math.floor(i / 10)}.md`, passage_id: `filler-${Math.floor(i / 10)}.md#${i % 10}`, heading: `Filler ${i}`, text: `Argo CD syncs application ${i} from Git every few minutes and reports its health.` }));
const small: Corpus = { dir: 'x', documents: [], passages: [...base, ...filler.slice(0, 100)] };
const q = 'How do I stop Argo CD from resetting the replicas my autoscaler sets?';
const e = buildQaEngine(small, { minConfidence: 0 });
console.log(e.answer(q, { topK: 5 }), JSON.stringify(e.explain(q)));
