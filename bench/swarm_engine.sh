#!/usr/bin/env bash
# Swarm engine: JMH SwarmStepBench (a run of 1 and of 20 no-op steps, SQLite store against the
# in-memory store: the marginal cost of a durable step), then SwarmLoad (--runs concurrent
# fan-out(3) + aggregate swarms on SQLite, on PostgreSQL (a server of its own, as in the tests) and
# in memory: total time, runs/s, p50/p99 latency; then
# the bytes of a run's record before and after retention), then SwarmAgentLoad (--runs real swarms
# through the coordinator with offline no-op agents, against the same agent runs without it).
# Extra arguments go to SwarmLoad and SwarmAgentLoad.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/lib.sh"
[ -n "${BENCH_SKIP_BUILD:-}" ] || bench_build
cp="$bench_root/sophia-bench/target/classes:$(cat "$bench_root/sophia-bench/target/classpath.txt")"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$JAVA_HOME/bin/java" -cp "$cp" -Dlogback.configurationFile="$bench_root/bench/logback.xml" \
  org.openjdk.jmh.Main SwarmStepBench -f 1 -wi 6 -i 5 -w 3s -r 3s \
  -jvmArgs "-Xmx1g -Dlogback.configurationFile=$bench_root/bench/logback.xml"
echo "load average between: $(cut -d' ' -f1-3 /proc/loadavg)"
"$bench_root/bin/setup-postgres.sh"
BENCH_JAVA_OPTS="-Xmx2g" bench_java SwarmLoad --backend both "$@"
echo "load average between: $(cut -d' ' -f1-3 /proc/loadavg)"
BENCH_JAVA_OPTS="-Xmx2g" bench_java SwarmAgentLoad "$@"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
