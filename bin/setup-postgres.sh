#!/usr/bin/env bash
# Makes sure PostgreSQL 15's server programs (initdb, pg_ctl) are installed, for the tests that run
# every store on PostgreSQL as well as SQLite (README "Storage"). Idempotent, and quick when they
# are there: nothing is fetched then. The tests start a server of their own in a temporary
# directory on a free loopback port (TestPostgres), so no cluster or service is set up here.
set -euo pipefail

pg_bin="${SOPHIA_PG_BIN:-/usr/lib/postgresql/15/bin}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

if [ ! -x "$pg_bin/initdb" ] || [ ! -x "$pg_bin/pg_ctl" ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup-postgres: PostgreSQL 15 is not at $pg_bin and there is no apt-get here;" \
      "install its server and set SOPHIA_PG_BIN to its bin directory" >&2
    exit 1
  fi
  echo "setup-postgres: installing postgresql-15" >&2
  # The package would create and start a 'main' cluster on port 5432 that nothing here uses.
  if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
    $sudo mkdir -p /etc/postgresql-common
    echo "create_main_cluster = false" | $sudo tee /etc/postgresql-common/createcluster.conf >/dev/null
  fi
  $sudo apt-get update -qq
  # confold: keep the createcluster.conf written above instead of asking about it.
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold postgresql-15 >/dev/null
fi

# PostgreSQL refuses to run as root: as root the tests run it as 'postgres' through runuser.
if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
  useradd --system --no-create-home --shell /usr/sbin/nologin postgres
fi
