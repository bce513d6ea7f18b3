#!/usr/bin/env bash
# Experiment (issue 12): the learned page ranking of several embedding models, each over its own
# ingest of the PostgreSQL manual, fused by reciprocal rank and by summed relevance, against each
# model alone, on the tune and report halves of every labelled set.
# Usage: bench/ensemble.sh [--models all-minilm-l6-v2,e5-small-v2,bge-small-en-v1.5] [--fusion standard|learned]
# Each model's manual must be ingested first: bench/retrieval.sh --model NAME.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/lib.sh"
bench_build
bench_java EnsembleLab --data-root "$here/data" \
  --questions "$here/retrieval/questions.tsv,$here/retrieval/keywords.tsv" "$@"
