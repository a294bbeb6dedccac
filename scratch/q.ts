import { loadCorpus } from '../src/service/corpus.js';
import { buildQaEngine } from '../src/service/qa/index.js';
const e = buildQaEngine(await loadCorpus('handbook'));
for (const k of [1,3,5]) console.log(k, JSON.stringify(e.answer(process.argv[2]!, { topK: k })).slice(0, 200));
console.log(JSON.stringify(e.explain(process.argv[2]!).unit));
