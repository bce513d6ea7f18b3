# Sourced by the set-up scripts of distributions Maven Central carries as a zip (Elasticsearch,
# Keycloak): the cache they go to, and fetching and unpacking one there once.

# ~/.cache/sophia, or /var/cache/sophia as root (so that an unprivileged user can read it).
sophia_dist_cache() {
  if [ "$(id -u)" -eq 0 ]; then echo /var/cache/sophia; else echo "$HOME/.cache/sophia"; fi
}

# sophia_fetch_dist GROUP:ARTIFACT:VERSION:zip CACHE HOME TOP: fetches the zip with Maven into
# CACHE, unpacks it and moves its top folder TOP to HOME (whole or not at all).
sophia_fetch_dist() {
  local artifact="$1" cache="$2" home="$3" top="$4" zip
  zip="$cache/$(echo "$artifact" | cut -d: -f2)-$(echo "$artifact" | cut -d: -f3).zip"
  mkdir -p "$cache"
  . bin/jdk.sh
  sophia_find_jdk
  ./mvnw -q -B -ntp dependency:copy -Dartifact="$artifact" -DoutputDirectory="$cache" \
    -Dmdep.overWriteIfNewer=false
  rm -rf "$home.partial"
  mkdir -p "$home.partial"
  unzip -q "$zip" -d "$home.partial"
  mv "$home.partial/$top" "$home"
  rm -rf "$home.partial" "$zip"
}
