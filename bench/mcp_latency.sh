#!/usr/bin/env bash
# MCP against REST latency: starts a real Sophia server (offline mode, scratch data directory) and
# measures tools/list and the cheap tool agents_list over Streamable HTTP (one MCP session per
# worker, the official Java SDK client) against GET /api/v1/agents on the REST API, at several
# concurrency levels. Usage: bench/mcp_latency.sh [--concurrency 1,8,32] [--calls 300] [--warmup 50]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/lib.sh"
bench_build
bench_java McpLatency "$@"
