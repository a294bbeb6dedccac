import json
rows=[json.loads(l) for l in open('/work/wt-16/scratch/dump.jsonl')]
for t in [0,0.15,0.2,0.25,0.3,0.35,0.4,0.45,0.5]:
  out={}
  for s in sorted(set(r['set'] for r in rows)):
    R=[r for r in rows if r['set']==s]
    answerable=[r for r in R if not r['nm']]
    acc=sum(1 for r in answerable if r['correct'] and r['raw']>=t)/len(answerable)
    abst=[r for r in R if r['did'] or r['raw']<t]
    absP=sum(1 for r in abst if r['nm'])/max(1,len(abst))
    absR=sum(1 for r in abst if r['nm'])/max(1,sum(1 for r in R if r['nm']))
    out[s.split('/')[-1]]=f"{acc:.2f}/{absP:.2f}/{absR:.2f}"
  print(t,out)
