#!/usr/bin/env bash
# Redis (issue 15): does sharing query embeddings, search results and fetched pages between nodes
# pay? Per query, embedding it with the model, searching a loopback SearXNG, fetching a loopback
# page (misses) against reading what another node left in Redis (hits), against a real
# redis-server on loopback that each run starts and stops (ai.sophia.bench.QueryEmbeddingCache,
# then ai.sophia.bench.SharedResearchCache).
# Usage: bench/query_embedding_cache.sh [--queries 500]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/lib.sh"
"$bench_root/bin/setup-redis.sh"
[ -n "${BENCH_SKIP_BUILD:-}" ] || bench_build
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
bench_java QueryEmbeddingCache "$@"
bench_java SharedResearchCache "$@"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
