#!/usr/bin/env bash
# Makes sure a Keycloak 26.7 distribution is unpacked under ~/.cache/sophia (/var/cache/sophia as
# root), for the test that signs in to Sophia with a real OpenID Connect issuer (KeycloakTest). It
# comes from Maven Central (org.keycloak:keycloak-quarkus-dist), fetched by Maven itself, and runs
# on the JDK 21+ Sophia uses. Idempotent, and quick when it is there: nothing is fetched then. The
# test starts it itself (dev mode, in-memory database, a free loopback port), so nothing is
# started here.
set -euo pipefail
cd "$(dirname "$0")/.."

version="26.7.3"
. bin/maven-dist.sh
cache="${SOPHIA_KEYCLOAK_CACHE:-$(sophia_dist_cache)}"
home="$cache/keycloak-$version"

if [ ! -x "$home/bin/kc.sh" ]; then
  echo "setup-keycloak: fetching Keycloak $version from Maven Central" >&2
  sophia_fetch_dist "org.keycloak:keycloak-quarkus-dist:$version:zip" "$cache" "$home" \
    "keycloak-$version"
fi
