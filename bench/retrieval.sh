#!/usr/bin/env bash
# Retrieval quality benchmark: recall@1/@3/@5 and MRR@10 of the right page over the PostgreSQL 15
# manual (Debian package postgresql-doc-15), for plain BM25 over whole pages (the baseline),
# embeddings alone, the former passage hybrid and Sophia's page ranking, on every labelled set and
# on each set's tune and report halves. Prints Markdown tables; writes per-question JSON to
# bench/results/.
# Usage: bench/retrieval.sh [--model all-minilm-l6-v2|bge-small-en-v1.5|e5-small-v2] [--tune true]
#                           [--data DIR] [--questions a.tsv,b.tsv] [--lab true]
#                           [--chunk min,max,overlap]  (passage bounds of an ingest into --data)
#                           [--lab-second NAME --lab-second-data DIR]  (the lab over two models'
#                           features at once; DIR an ingest by bench/retrieval.sh --model NAME)
# The manual is ingested once per model into bench/data/manual-<model> (about 3 minutes for
# MiniLM, 10 for bge or e5 on 2 cores) and reused by later runs and by bench/research_quality.sh.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
"$here/setup.sh"
. "$here/lib.sh"
args=("$@")
model=all-minilm-l6-v2
for ((i = 0; i < ${#args[@]}; i++)); do
  [ "${args[$i]}" = --model ] && model="${args[$((i + 1))]}"
done
if [[ " ${args[*]-} " != *" --data "* ]]; then
  args+=(--data "$here/data/manual-$model")
fi
bench_build
bench_java RetrievalEval \
  --docs /usr/share/doc/postgresql-doc-15/html \
  --questions "$here/retrieval/questions.tsv,$here/retrieval/keywords.tsv" \
  --out "$here/results" \
  "${args[@]}"
