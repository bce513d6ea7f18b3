#!/usr/bin/env bash
# Tracing overhead: the same research requests and two-step agent runs against two Sophia servers
# in one process, tracing off and tracing on (every span exported over OTLP/HTTP to a loopback
# sink), alternating in blocks. Prints p50/p90 of each and the difference.
# Usage: bench/tracing_overhead.sh [--requests N] [--warmup N]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/lib.sh"
[ -n "${BENCH_SKIP_BUILD:-}" ] || bench_build
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
bench_java TracingOverhead "$@"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
