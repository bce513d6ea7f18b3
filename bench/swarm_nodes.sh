#!/usr/bin/env bash
# Swarm engines of several nodes on one PostgreSQL (a server of its own, as in the tests):
# SwarmNodesLoad runs --runs concurrent fan-out(3) + aggregate swarms on one node and then split
# over two (two engines, each with its own pool), and measures a takeover: a child JVM (node A)
# starts --held runs and is SIGKILLed, node B resumes them once A's lease (--lease-ms) expires.
# Extra arguments go to SwarmNodesLoad.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/lib.sh"
[ -n "${BENCH_SKIP_BUILD:-}" ] || bench_build
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$bench_root/bin/setup-postgres.sh"
BENCH_JAVA_OPTS="-Xmx2g" bench_java SwarmNodesLoad "$@"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
