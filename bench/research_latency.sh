#!/usr/bin/env bash
# Research latency benchmark: ingests the PostgreSQL 15 manual (Debian package postgresql-doc-15,
# ~1,100 pages) into a scratch data directory, then runs research requests (search_engine local)
# one after another through Sophia's real Researcher, in process. Prints request-to-answer time
# (median, p95) and each stage's share; writes per-request timings to bench/results/.
# Usage: bench/research_latency.sh [--queries N] [--warmup N] [--sources N] [--model M]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
"$here/setup.sh"
. "$here/lib.sh"
bench_build
bench_java ResearchLatency \
  --docs /usr/share/doc/postgresql-doc-15/html \
  --questions "$here/retrieval/questions.tsv" \
  --out "$here/results" \
  "$@"
