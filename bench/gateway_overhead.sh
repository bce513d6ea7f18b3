#!/usr/bin/env bash
# Gateway overhead: model calls through RoutingModelGateway (usage into SQLite) against a loopback
# OpenAI-compatible server that answers at once, versus the same body POSTed by a plain JDK
# HttpClient. Prints p50/p90/p99 of both, their difference and ratio.
# Usage: bench/gateway_overhead.sh [--calls N] [--warmup N]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/lib.sh"
[ -n "${BENCH_SKIP_BUILD:-}" ] || bench_build
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
bench_java GatewayOverhead "$@"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
