import { loadCorpus } from '../dist/service/corpus.js';
import { buildQaEngine } from '../dist/service/qa/index.js';
const corpus = await loadCorpus('handbook');
buildQaEngine(corpus);
const big = { ...corpus, passages: Array.from({ length: 10000 }, (_, i) => ({ ...corpus.passages[i % corpus.passages.length], passage_id: `p${i}`, heading: `H ${i % 500}` })) };
const t = performance.now();
buildQaEngine(big);
console.log('build', performance.now() - t);
