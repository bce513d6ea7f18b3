#!/usr/bin/env bash
# Makes sure Debian's redis-server is installed, for the tests that share rate limits, dashboard
# sessions and query embeddings between Sophia nodes through Redis (README "Several nodes").
# Idempotent, and quick when it is there: nothing is fetched then. The tests start a server of
# their own on a free loopback port (TestRedis), so the package's system service is kept stopped
# and disabled: nothing listens on 6379 because of this script.
set -euo pipefail
. "$(dirname "$0")/apt.sh"

redis_bin="${SOPHIA_REDIS_SERVER:-/usr/bin/redis-server}"
if [ ! -x "$redis_bin" ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup-redis: redis-server is not at $redis_bin and there is no apt-get here;" \
      "install Redis 7 and set SOPHIA_REDIS_SERVER to its redis-server" >&2
    exit 1
  fi
  sophia_apt_install redis-server redis-server
fi
