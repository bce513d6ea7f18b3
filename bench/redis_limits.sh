#!/usr/bin/env bash
# Redis (issue 15): what each key's rate limit costs when it lives in Redis (shared by every node)
# against the local limiter, in the same run: the 429 path (one key far past the default limit of
# 20/s, bursts of 40) and a cheap authenticated read (GET /api/v1/agents with the limit raised out
# of the way, so every request takes a token: one Lua script round trip to Redis). Starts its own
# redis-server (loopback, password, nothing persisted) and Sophia on a temporary data directory,
# and stops both.
# Usage: bench/redis_limits.sh [-c 256] [-d 10] [-p 18095]
#   -c  connections, -d  seconds per measured run (each after a 15 s warm-up), -p  Sophia's port
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
conns=256
seconds=10
port=18095
while getopts "c:d:p:" opt; do
  case "$opt" in
    c) conns="$OPTARG" ;;
    d) seconds="$OPTARG" ;;
    p) port="$OPTARG" ;;
    *) echo "usage: bench/redis_limits.sh [-c 256] [-d 10] [-p 18095]" >&2; exit 2 ;;
  esac
done
. "$here/lib.sh"
"$here/setup.sh"
"$root/bin/setup-redis.sh"
if [ -z "${BENCH_SKIP_BUILD:-}" ]; then
  echo "redis_limits: building sophia-cli ..." >&2
  (cd "$root" && ./mvnw -B -q -ntp -pl sophia-cli -am package -DskipTests -Dspotless.check.skip=true) >&2
fi

work="$(mktemp -d /tmp/sophia-redis-limits.XXXXXX)"
server_pid=""
redis_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
redis_password="bench-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
stop() {
  if [ -n "$1" ] && kill -0 "$1" 2>/dev/null; then
    kill "$1"
    wait "$1" 2>/dev/null || true
  fi
}
cleanup() {
  stop "$server_pid"
  [ ! -f "$work/redis.pid" ] || kill "$(cat "$work/redis.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

redis-server --port "$redis_port" --bind 127.0.0.1 --requirepass "$redis_password" --save '' \
  --appendonly no --dir "$work" --daemonize yes --pidfile "$work/redis.pid" --logfile "$work/redis.log"
for _ in $(seq 1 100); do
  REDISCLI_AUTH="$redis_password" redis-cli -p "$redis_port" ping 2>/dev/null | grep -q PONG && break
  sleep 0.1
done

wait_for() { # wait_for <url> <pid>
  for _ in $(seq 1 240); do
    curl -fs -o /dev/null "$1" && return 0
    kill -0 "$2" 2>/dev/null || { echo "redis_limits: Sophia exited; log:" >&2; tail -n 30 "$work/server.log" >&2; exit 1; }
    sleep 0.25
  done
  echo "redis_limits: $1 does not answer after 60 s" >&2
  exit 1
}

export SOPHIA_DATA_DIR="$work/data"
export SOPHIA_SERVER_PORT="$port"
cd "$root"
key="$(./sophia keys create --name redis-limits | tail -n 1 | tr -d '[:space:]')"
[ -n "$key" ] || { echo "redis_limits: could not read an API key from 'sophia keys create'" >&2; exit 1; }
sophia="http://127.0.0.1:$port"

serve() { # serve [KEY=VALUE...]: (re)starts Sophia with these extra environment variables
  stop "$server_pid"
  env "$@" ./sophia serve >>"$work/server.log" 2>&1 &
  server_pid=$!
  wait_for "$sophia/health" "$server_pid"
}

run() { # run <seconds>: the WRK_RESULT line of one wrk run of GET /api/v1/agents with the key
  WRK_API_KEY="$key" timeout "$(($1 + 60))" \
    wrk -t2 -c"$conns" -d"${1}s" --timeout 2s -s "$here/wrk/sophia.lua" "$sophia/api/v1/agents" | grep '^WRK_RESULT'
}
field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" <<<"$2"; }

row() { # row <label> [KEY=VALUE...]
  local label="$1" r
  shift
  serve "$@"
  echo "redis_limits: $label: warming up 15 s, then ${seconds}s with $conns connections ..." >&2
  run 15 >/dev/null
  local alone_before alone_after
  alone_before="$(grep -c 'enforced by this node alone' "$work/server.log" || true)"
  r="$(run "$seconds")"
  alone_after="$(grep -c 'enforced by this node alone' "$work/server.log" || true)"
  printf '| %s | %s | %s | %s ms | %s ms | %s | %s | %s |\n' "$label" "$(field requests "$r")" \
    "$(field rps "$r")" "$(field p50_ms "$r")" "$(field p99_ms "$r")" "$(field non2xx "$r")" \
    "$(field timeouts "$r")" "$((alone_after - alone_before))"
}

redis=(SOPHIA_REDIS_URL="redis://127.0.0.1:$redis_port" SOPHIA_REDIS_PASSWORD="$redis_password")
raised=(SOPHIA_SECURITY_RATE_LIMIT_REQUESTS_PER_SECOND=1000000 SOPHIA_SECURITY_RATE_LIMIT_BURST=1000000)
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| GET /api/v1/agents, one key, $conns connections | requests | req/s | p50 | p99 | non-2xx | timeouts (> 2 s) | times it went alone (log) |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
row "past its limit (429s), local limiter"
row "past its limit (429s), Redis limiter" "${redis[@]}"
row "within its limit (200s), local limiter" "${raised[@]}"
row "within its limit (200s), Redis limiter" "${raised[@]}" "${redis[@]}"
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
