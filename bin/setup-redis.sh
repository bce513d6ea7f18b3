#!/usr/bin/env bash
# Makes sure Debian's redis-server is installed, for the tests that share rate limits, dashboard
# sessions and query embeddings between Sophia nodes through Redis (README "Several nodes").
# Idempotent, and quick when it is there: nothing is fetched then. The tests start a server of
# their own on a free loopback port (TestRedis), so the package's system service is kept stopped
# and disabled: nothing listens on 6379 because of this script.
set -euo pipefail

redis_bin="${SOPHIA_REDIS_SERVER:-/usr/bin/redis-server}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

if [ ! -x "$redis_bin" ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup-redis: redis-server is not at $redis_bin and there is no apt-get here;" \
      "install Redis 7 and set SOPHIA_REDIS_SERVER to its redis-server" >&2
    exit 1
  fi
  echo "setup-redis: installing redis-server" >&2
  # The package would start its service at once; policy-rc.d answering 101 forbids that.
  policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
    $sudo chmod +x /usr/sbin/policy-rc.d
    policy=/usr/sbin/policy-rc.d
  fi
  if ! apt-cache show redis-server >/dev/null 2>&1; then
    $sudo apt-get update -qq
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    redis-server >/dev/null || { [ -z "$policy" ] || $sudo rm -f "$policy"; exit 1; }
  [ -z "$policy" ] || $sudo rm -f "$policy"
  # Not started at boot either, where there is an init system to ask.
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    $sudo systemctl disable --now redis-server >/dev/null 2>&1 || true
  elif command -v update-rc.d >/dev/null 2>&1; then
    $sudo update-rc.d redis-server disable >/dev/null 2>&1 || true
  fi
fi
