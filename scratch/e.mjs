import winkNLP from 'wink-nlp';
import model from 'wink-eng-lite-web-model';
const nlp = winkNLP(model, ['sbd','pos','ner']);
const its = nlp.its;
for (const s of ['Once a week, backflush the group head.', 'Bank accounts are reconciled daily.', 'Lab coats are sent for autoclaving every Friday.','Close a sharps bin when it is three quarters full.','The cytometer costs €35 per hour.','Water tank, 2.5 litres','Day 5: the controller signs off.','Standby after, 30 minutes without use','The hotel limit is €180 per night','Aiko Mori is the imaging manager and Harrow & Lane run audits; the Rewards team and the CFO.','Questions about pay go to payroll@ferncliff.example.','The HPA allows between 2 and 6 replicas.', 'Heating up takes about 12 minutes from cold.','twice a week, on Tuesday and Thursday at 11:00 CET']) {
  const d = nlp.readDoc(s);
  console.log(s, JSON.stringify(d.entities().out(its.detail)), d.tokens().filter(t=>t.out(its.pos)==='PROPN').out().join(','));
}
