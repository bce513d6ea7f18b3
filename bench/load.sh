#!/usr/bin/env bash
# Load benchmark: research latency, then throughput and latency of POST /api/v1/chat (research with
# search_engine "local" over the ingested PostgreSQL 15 manual) under concurrent load, with wrk.
# Starts its own server on a temporary data directory and stops it at the end. (The HTTP path
# itself, /health and an authenticated read beside bare Jetty, is bench/http_load.sh.)
# Usage: bench/load.sh [-C "1 8 64"] [-d 20] [-p 18080] [-D DIR]
#   -C  connection counts for /api/v1/chat (a research request takes ~0.3 s of CPU, so 256
#       waiting connections finish nothing within 20 s on 2 cores), -d  seconds per run, -p  port,
#   -D  keep the data directory in DIR (re-ingesting unchanged pages there is quick)
# The embedding model is the configured one (SOPHIA_EMBEDDING_MODEL overrides it).
# With chat, it first measures research latency one request at a time (bench/api_latency.py).
# The rate limit per key is raised for the run (it would otherwise answer most requests 429).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
chat_conns="1 8 64"
seconds=20
port=18080
keep=""
while getopts "C:d:p:D:" opt; do
  case "$opt" in
    C) chat_conns="$OPTARG" ;;
    d) seconds="$OPTARG" ;;
    p) port="$OPTARG" ;;
    D) keep="$OPTARG" ;;
    *) echo "usage: bench/load.sh [-C \"1 8 64\"] [-d 20] [-p 18080] [-D DIR]" >&2; exit 2 ;;
  esac
done

"$here/setup.sh"
docs=/usr/share/doc/postgresql-doc-15/html
if [ -n "$keep" ]; then
  mkdir -p "$keep"
  data="$(cd "$keep" && pwd)"
else
  data="$(mktemp -d /tmp/sophia-load.XXXXXX)"
fi
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid"
    wait "$server_pid" 2>/dev/null || true
  fi
  [ -n "$keep" ] || rm -rf "$data"
}
trap cleanup EXIT

export SOPHIA_DATA_DIR="$data"
export SOPHIA_SERVER_PORT="$port"
export SOPHIA_INGEST_MAX_PAGES=5000
export SOPHIA_SECURITY_RATE_LIMIT_REQUESTS_PER_SECOND=1000000
export SOPHIA_SECURITY_RATE_LIMIT_BURST=1000000

cd "$root"
echo "load: ingesting $docs into $data ..." >&2
./sophia ingest --max-pages 100000 "$docs" >&2
# `keys create` prints the secret alone on its last line.
key="$(./sophia keys create --name load-bench | tail -n 1 | tr -d '[:space:]')"
[ -n "$key" ] || { echo "load: could not read an API key from 'sophia keys create'" >&2; exit 1; }

./sophia serve >"$data/server.log" 2>&1 &
server_pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 1 120); do
  curl -fs -o /dev/null "$base/health" && break
  kill -0 "$server_pid" 2>/dev/null || { echo "load: server exited; log:" >&2; tail -n 30 "$data/server.log" >&2; exit 1; }
  sleep 0.5
done
curl -fs -o /dev/null "$base/health" || { echo "load: server not healthy after 60 s" >&2; exit 1; }

# run <connections> <seconds>: prints the WRK_RESULT line of one wrk run of research requests.
run() {
  local c="$1" d="$2" threads=2
  [ "$c" -lt "$threads" ] && threads="$c"
  # timeout bounds a run even if wrk hangs on a stuck server.
  WRK_QUESTIONS="$here/retrieval/questions.tsv" WRK_API_KEY="$key" timeout "$((d + 60))" \
    wrk -t"$threads" -c"$c" -d"${d}s" --timeout 30s -s "$here/wrk/sophia.lua" "$base/" \
    | grep '^WRK_RESULT'
}

field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" <<<"$2"; }

# Research latency first, on a fresh server: one pass over 60 questions it has never seen
# (cold caches), then the same 60 again (repeated work: query, sentence and page caches warm).
echo "load: research latency, 60 new questions one at a time ..." >&2
echo; echo "Research latency, cold:"; echo
SOPHIA_API_KEY="$key" python3 "$here/api_latency.py" "$base" "$here/retrieval/questions.tsv" --n 60
echo; echo "Research latency, the same 60 questions again:"; echo
SOPHIA_API_KEY="$key" python3 "$here/api_latency.py" "$base" "$here/retrieval/questions.tsv" --n 60

echo "load: warming up ..." >&2
run 4 5 >/dev/null

echo
echo "| endpoint | connections | requests | req/s | p50 | p99 | max | non-2xx | socket errors | timeouts |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
label="POST /api/v1/chat (local)"
for c in $chat_conns; do
  echo "load: $label with $c connections for ${seconds}s ..." >&2
  r="$(run "$c" "$seconds")"
  if [ "$(field requests "$r")" = 0 ]; then
    # Nothing finished within the run: latencies would read 0; say what happened instead.
    printf '| %s | %s | 0 | 0 | — | — | — | %s | %s | %s |\n' "$label" "$c" \
      "$(field non2xx "$r")" "$(field socket_errors "$r")" "$(field timeouts "$r")"
    continue
  fi
  printf '| %s | %s | %s | %s | %s ms | %s ms | %s ms | %s | %s | %s |\n' "$label" "$c" \
    "$(field requests "$r")" "$(field rps "$r")" "$(field p50_ms "$r")" "$(field p99_ms "$r")" \
    "$(field max_ms "$r")" "$(field non2xx "$r")" "$(field socket_errors "$r")" "$(field timeouts "$r")"
done
