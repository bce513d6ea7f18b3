#!/usr/bin/env bash
# Agent creation: JMH AgentCreationBench (time and bytes allocated per agent, -prof gc), then
# AgentFootprint (heap retained per agent, 100,000 agents held). Extra arguments go to JMH;
# the defaults are short (2 forks, 3 warm-up and 5 measured iterations of 1 s) for a shared machine.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/lib.sh"
[ -n "${BENCH_SKIP_BUILD:-}" ] || bench_build
cp="$bench_root/sophia-bench/target/classes:$(cat "$bench_root/sophia-bench/target/classpath.txt")"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$JAVA_HOME/bin/java" -cp "$cp" -Dlogback.configurationFile="$bench_root/bench/logback.xml" \
  org.openjdk.jmh.Main AgentCreationBench -f 2 -wi 3 -i 5 -w 1s -r 1s -prof gc \
  -jvmArgs "-Xmx1g -Dlogback.configurationFile=$bench_root/bench/logback.xml" "$@"
echo "load average between: $(cut -d' ' -f1-3 /proc/loadavg)"
BENCH_JAVA_OPTS="-Xmx2g" bench_java AgentFootprint --agents 100000
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
