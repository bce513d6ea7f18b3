#!/usr/bin/env bash
# An agent's memory recall as its memories grow (issue 15): the recall each agent run makes to
# build its context, over 200, 2,000 and 20,000 memories of its scope (and as many of another),
# beside an unscoped search of the same index (ai.sophia.bench.MemoryRecall).
# Usage: bench/memory_recall.sh [--memories 200,2000,20000] [--queries 1000]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/lib.sh"
[ -n "${BENCH_SKIP_BUILD:-}" ] || bench_build
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
bench_java MemoryRecall "$@"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
