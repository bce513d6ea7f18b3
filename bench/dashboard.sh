#!/usr/bin/env bash
# The dashboard in Debian's headless Chromium against a real Sophia on loopback: bytes and time to
# interactive for the first load and each page (against loading /health in the same browser), and
# the delay from a deployment log line written on the server to the screen (against a JDK client
# on the same event stream). Needs bin/setup-browser.sh.
# Usage: bench/dashboard.sh [--runs N] [--lines N]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/lib.sh"
"$here/../bin/setup-browser.sh"
[ -n "${BENCH_SKIP_BUILD:-}" ] || bench_build
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
bench_java DashboardLoad "$@"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
