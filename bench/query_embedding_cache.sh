#!/usr/bin/env bash
# Redis (issue 15): does sharing query embeddings between nodes pay? Per query, embedding it with
# the model (a miss) against reading the vector another node left in Redis (a hit), against a real
# redis-server on loopback that the run starts and stops (ai.sophia.bench.QueryEmbeddingCache).
# Usage: bench/query_embedding_cache.sh [--queries 500]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/lib.sh"
"$bench_root/bin/setup-redis.sh"
[ -n "${BENCH_SKIP_BUILD:-}" ] || bench_build
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
bench_java QueryEmbeddingCache "$@"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
