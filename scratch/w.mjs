import winkNLP from 'wink-nlp';
import model from 'wink-eng-lite-web-model';
import lem from 'wink-lemmatizer';
let t=performance.now();
const nlp = winkNLP(model, ['sbd','pos','ner']);
console.log('load', performance.now()-t);
const its = nlp.its;
for (const s of ['The job starts at 01:00 UTC and usually finishes within 40 minutes.', 'Daily backups are kept for 14 days, and 30% smaller. Priya Nair signs it off on 31 March. The cost is €25 and 1,800 W at 9 bar.', 'Argo CD v3.1.12 allows at most 6 replicas; p95 latency below 250ms.', 'How many replicas does the HPA allow at most?']) {
  const d = nlp.readDoc(s);
  console.log(d.entities().out(its.detail));
  console.log(d.tokens().out(its.lemma).join(' '), '|', d.tokens().out(its.pos).join(' '));
}
for (const w of ['production','products','replicas','running','uses','better','data','selfheal','exported','metrics','leaves','days','allowed','heating']) console.log(w, lem.verb(w), lem.noun(w), lem.adjective(w));
const text = 'Every production database is backed up once a night by the backup-runner CronJob in namespace backups. The job starts at 01:00 UTC and usually finishes within 40 minutes. '.repeat(1);
t=performance.now(); for (let i=0;i<2000;i++) nlp.readDoc(text+i).entities().out(its.detail); console.log('per passage ms', (performance.now()-t)/2000);
