let t=performance.now();
const { default: lem } = await import('wink-lemmatizer');
console.log('lem load', performance.now()-t);
t=performance.now();
const { default: winkNLP } = await import('wink-nlp');
const { default: model } = await import('wink-eng-lite-web-model');
const nlp = winkNLP(model, ['sbd','pos','ner']);
console.log('nlp load', performance.now()-t);
const ws=['production','products','replicas','leaves','data','settings','setting','heavy','weighs','approved','approval','exports','export','exporter','metrics','allowed','allow','kept','keep','caused','causes','holidays','better','running','ran','days','hours','minutes','policies','does','media','analyses','species','series','status','kubernetes','aliases','us','has','was','is','pass','process','grams'];
t=performance.now();
for (let i=0;i<100;i++) for (const w of ws) { const v=lem.verb(w); const n=lem.noun(w); }
console.log('per call us', (performance.now()-t)/ (100*ws.length*2)*1000);
for (const w of ws) console.log(w, lem.verb(w), lem.noun(w), lem.adjective(w));
