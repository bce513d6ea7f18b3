#!/usr/bin/env bash
# Agent load: starts --runs agent runs at once (default 10,000) through the real AgentRuntime and
# RoutingModelGateway against a loopback OpenAI-compatible server that answers each after
# --delay-ms (default 2000), and prints completion, latency, peak heap and threads.
# The server runs in its own JVM: each in-flight run holds one client and one server socket, and
# 2 × 10,000 would not fit one process's open-file limit (20,000 here).
# Usage: bench/agent_load.sh [--runs N] [--delay-ms MS] [--warmup N]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/lib.sh"
[ -n "${BENCH_SKIP_BUILD:-}" ] || bench_build
runs=10000 delay=2000 warmup=200 max=300
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --delay-ms) delay="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --max-seconds) max="$2"; shift 2 ;;
    *) echo "unknown flag $1" >&2; exit 2 ;;
  esac
done
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
# Every run opens its connection to the model server at once.
bench_accept_queue agent_load 16384
work="$(mktemp -d)"
mkfifo "$work/stdin"
# The server runs until its standard input (the fifo, held open by fd 3) closes.
BENCH_JAVA_OPTS="-Xmx1g" bench_java ModelServer --quick "$warmup" --slow "$runs" --delay-ms "$delay" \
  <"$work/stdin" >"$work/server.out" &
server=$!
exec 3>"$work/stdin"
trap 'exec 3>&-; wait "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 100); do grep -q '^url ' "$work/server.out" 2>/dev/null && break; sleep 0.2; done
url="$(sed -n 's/^url //p' "$work/server.out")"
[ -n "$url" ] || { echo "agent_load: the model server did not start" >&2; exit 1; }
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; open file limit $(ulimit -n);" \
  "somaxconn $(sysctl -n net.core.somaxconn 2>/dev/null), tcp_max_syn_backlog $(sysctl -n net.ipv4.tcp_max_syn_backlog 2>/dev/null);" \
  "listen overflows so far $(nstat -az TcpExtListenOverflows 2>/dev/null | awk '/ListenOverflows/ {print $2}');" \
  "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
bench_java AgentLoad --base-url "$url" --runs "$runs" --delay-ms "$delay" --warmup "$warmup" --max-seconds "$max"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg);" \
  "listen overflows so far $(nstat -az TcpExtListenOverflows 2>/dev/null | awk '/ListenOverflows/ {print $2}')"
