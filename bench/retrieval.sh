#!/usr/bin/env bash
# Retrieval quality benchmark: recall@1/@3/@5 and MRR of the right page, over the PostgreSQL 15
# manual (Debian package postgresql-doc-15), for plain BM25 and for Sophia's hybrid search with
# each embedding model. Prints a Markdown table; writes per-question JSON to bench/results/.
# Usage: bench/retrieval.sh [--models bge-small-en-v1.5,all-minilm-l6-v2] [other RetrievalEval flags]
# Takes several minutes per model on 2 cores (every chunk of ~1,100 pages is embedded).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
"$here/setup.sh"
. "$here/lib.sh"
bench_build
bench_java RetrievalEval \
  --docs /usr/share/doc/postgresql-doc-15/html \
  --questions "$here/retrieval/questions.tsv" \
  --out "$here/results" \
  "$@"
