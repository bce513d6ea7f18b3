#!/usr/bin/env bash
# Makes sure promtool (Prometheus's rule checker, from Debian's prometheus package) is at hand for
# the test that checks and unit-tests Sophia's alert rules (ops/prometheus). The package is
# unpacked into a cache folder rather than installed, so no Prometheus service is set up or
# started. Idempotent, and quick when it is there. SOPHIA_PROMTOOL names another promtool.
set -euo pipefail

if [ -n "${SOPHIA_PROMTOOL:-}" ] && [ -x "$SOPHIA_PROMTOOL" ]; then
  exit 0
fi
cache="${XDG_CACHE_HOME:-$HOME/.cache}/sophia/prometheus"
if [ -x "$cache/usr/bin/promtool" ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-promtool: no apt-get here; install promtool and set SOPHIA_PROMTOOL to it" >&2
  exit 1
fi
echo "setup-promtool: fetching Debian's prometheus package for promtool" >&2
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
if ! (cd "$work" && apt-get download prometheus >/dev/null 2>&1); then
  $sudo apt-get update -qq
  (cd "$work" && apt-get download prometheus >/dev/null 2>&1)
fi
mkdir -p "$cache"
dpkg -x "$work"/prometheus_*.deb "$cache"
"$cache/usr/bin/promtool" --version >/dev/null
