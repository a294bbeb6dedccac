import { loadCorpus } from '../src/service/corpus.js';
import { buildQaEngine } from '../src/service/qa/index.js';
const engine = buildQaEngine(await loadCorpus(process.argv[3] ?? 'handbook'), { minConfidence: 0 });
console.log(JSON.stringify(engine.explain(process.argv[2]), null, 1));
