#!/usr/bin/env bash
# Citation check benchmark: labelled true and false claims (bench/claims/claims.tsv) about real
# passages (bench/claims/passages.tsv: the PostgreSQL 15 manual, quoted by passages.py, and a text
# on the waggle dance), each checked by the rule model answers were held to before (shared terms
# alone) and by today's (terms, numbers, names, negation). Prints a Markdown table per kind.
# Usage: bench/claims.sh [--mistakes odd|even|all]   (no model, no network; takes seconds)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/lib.sh"
bench_build
bench_java ClaimEval \
  --passages "$here/claims/passages.tsv" \
  --claims "$here/claims/claims.tsv" \
  "$@"
