#!/usr/bin/env bash
# Makes sure an Elasticsearch 8.19 distribution is unpacked under ~/.cache/sophia (/var/cache/sophia
# as root, so that the unprivileged user it runs as can read it), for the tests that
# run the document index on Elasticsearch as well as Lucene (README "Search index"). It comes from
# Maven Central (org.elasticsearch.distribution.integ-test-zip), fetched by Maven itself; it runs on
# a JDK 17. Idempotent, and quick when it is there: nothing is fetched then. The tests start a node
# of their own on a free loopback port (TestElasticsearch), so nothing is started here.
set -euo pipefail
cd "$(dirname "$0")/.."

version="8.19.3"
. bin/maven-dist.sh
cache="${SOPHIA_ES_CACHE:-$(sophia_dist_cache)}"
home="$cache/elasticsearch-$version"

if [ ! -x "$home/bin/elasticsearch" ]; then
  echo "setup-elasticsearch: fetching Elasticsearch $version from Maven Central" >&2
  sophia_fetch_dist "org.elasticsearch.distribution.integ-test-zip:elasticsearch:$version:zip" \
    "$cache" "$home" "elasticsearch-$version"
fi

# Elasticsearch refuses to run as root: as root the tests run it as 'sophia-es' through runuser.
if [ "$(id -u)" -eq 0 ] && ! id sophia-es >/dev/null 2>&1; then
  useradd --system --no-create-home --shell /usr/sbin/nologin sophia-es
fi

if [ -z "${SOPHIA_ES_JAVA_HOME:-}" ] && [ ! -x /usr/lib/jvm/java-17-openjdk-amd64/bin/java ]; then
  echo "setup-elasticsearch: no JDK 17 at /usr/lib/jvm/java-17-openjdk-amd64;" \
    "install openjdk-17-jre-headless or set SOPHIA_ES_JAVA_HOME" >&2
  exit 1
fi
