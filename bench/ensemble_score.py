#!/usr/bin/env python3
# Experiment (issue 12): would a second embedding model's page ranking help research_quality_score
# tell right from wrong? Reads a research-quality JSON (bench/research_quality.sh) and the page
# lists of bench/ensemble.sh --lists FILE; fits a logistic estimate over the score's components
# with and without the second model's agreement on the tune halves (gradient descent, L2 1e-3) and
# prints the AUROC for "an answering page is among the sources" on every set and half.
# Usage: bench/ensemble_score.py research-quality-*.json lists.tsv [second-model]
import json,sys,math
rq=json.load(open(sys.argv[1]))
LISTS=sys.argv[2]
SECOND=sys.argv[3] if len(sys.argv)>3 else 'e5-small-v2'
lists={}
for line in open(LISTS):
    c=line.rstrip('\n').split('\t')
    lists[(c[0],c[1],c[2])]=[u.rsplit('/',1)[1] for u in c[3:]]
def auc(pos,neg):
    if not pos or not neg: return float('nan')
    s=0
    for p in pos:
        for n in neg:
            s+= 1 if p>n else 0.5 if p==n else 0
    return s/len(pos)/len(neg)
rows=[]
for q in rq['questions']:
    src=q['sources']; e5=lists.get((q['set'],q['question'],SECOND))
    if e5 is None: continue
    f={}
    f['score']=q['research_quality_score'] or 0
    f['e5top1_in']=1.0 if e5 and e5[0] in src else 0.0
    f['e5top3_overlap']=len(set(e5[:3])&set(src))/3
    r=[e5.index(s)+1 for s in src if s in e5]
    f['e5_best_rr']=1/min(r) if r else 0
    f['e5_src1_rr']=1/(e5.index(src[0])+1) if src and src[0] in e5 else 0
    comp=q['quality']
    for k in ['match','terms','consensus','lead','agree']: f[k]=comp.get(k,0) or 0
    rows.append((q['set'],q['half'],q['answering_in_sources'],f))
def fit(data,keys,iters=3000,lr=0.1,l2=1e-3):
    w=[0.0]*(len(keys)+1)
    for it in range(iters):
        g=[0.0]*len(w)
        for y,f in data:
            x=[1]+[f[k] for k in keys]
            z=sum(a*b for a,b in zip(w,x)); p=1/(1+math.exp(-z))
            for i in range(len(w)): g[i]+=(p-y)*x[i]
        for i in range(len(w)): w[i]-=lr*(g[i]/len(data)+l2*w[i])
    return w
def pred(w,keys,f): return sum(a*b for a,b in zip(w,[1]+[f[k] for k in keys]))
base=['match','terms','consensus','lead','agree']
for keys in [base, base+['e5top1_in'], base+['e5top3_overlap'], base+['e5_best_rr'], base+['e5_src1_rr'], base+['e5top3_overlap','e5_src1_rr']]:
    tune=[(1 if a else 0,f) for s,h,a,f in rows if h=='tune']
    w=fit(tune,keys)
    out=[]
    for st in ['questions','keywords',None]:
        for half in ['tune','report']:
            sel=[(a,pred(w,keys,f)) for s,h,a,f in rows if h==half and (st is None or s==st)]
            out.append('%s/%s %.3f'%(st or 'pooled',half,auc([p for a,p in sel if a],[p for a,p in sel if not a])))
    print(keys[5:] or 'base', ' | '.join(out))
sel=[(a,f['score']) for s,h,a,f in rows if h=='report' and s=='questions']
print('product score questions/report', auc([p for a,p in sel if a],[p for a,p in sel if not a]))
