#!/usr/bin/env bash
# Research quality harness: real research, in process and offline (search_engine local,
# sources_limit 3), over labelled question files, against a copy of an ingested data directory
# (--data DIR, never written) or a fresh ingest of --docs DIR. Prints per set and half (odd data
# lines tune, even lines report): answering page among the sources, answers quoting one, abstention
# split by whether one is among the sources, AUROC and reliability of research_quality_score,
# latency median and p95 (cold). Writes per-question JSON to bench/results/research-quality-*.json.
# Usage: bench/research_quality.sh [--data DIR | --docs DIR] [--questions a.tsv,b.tsv] [--out DIR]
#                                  [--model M] (the embedding model DIR was ingested with)
# Default: --data bench/data/manual-all-minilm-l6-v2, the manual ingested there first by
# bench/retrieval.sh when it is missing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
"$here/setup.sh"
. "$here/lib.sh"
args=("$@")
if [[ " ${args[*]-} " != *" --data "* && " ${args[*]-} " != *" --docs "* ]]; then
  data="$here/data/manual-all-minilm-l6-v2"
  if [ ! -d "$data/index" ]; then
    "$here/retrieval.sh" --data "$data" >/dev/null
  fi
  args+=(--data "$data")
fi
if [[ " ${args[*]} " != *" --questions "* ]]; then
  args+=(--questions "$here/retrieval/questions.tsv,$here/retrieval/keywords.tsv")
fi
if [[ " ${args[*]} " != *" --out "* ]]; then
  args+=(--out "$here/results")
fi
bench_build
bench_java ResearchEval "${args[@]}"
