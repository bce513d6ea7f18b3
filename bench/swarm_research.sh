#!/usr/bin/env bash
# A real research swarm over the ingested PostgreSQL 15 manual (Debian package postgresql-doc-15),
# in process and offline: ingests the manual into a scratch data directory (or --data DIR, kept),
# runs the research swarm --runs times after a warm-up, and prints the last run's timeline and each
# run's wall time, time inside agents and coordination overhead, beside the same sub-tasks run as
# plain parallel agent runs (the same-run baseline).
# Usage: bench/swarm_research.sh [--runs N] [--data DIR] [--task TEXT]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
"$here/setup.sh"
. "$here/lib.sh"
bench_build
bench_java SwarmResearch --docs /usr/share/doc/postgresql-doc-15/html "$@"
