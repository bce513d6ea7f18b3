# Sourced by ./sophia and bin/test: finds a JDK 21 or newer and exports JAVA_HOME.
# Order: $JAVA_HOME, the `java` on PATH, then the usual install locations.

sophia_java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = //p' | head -n 1 | cut -d. -f1
}

sophia_find_jdk() {
  local candidates=() dir major
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  for dir in /usr/lib/jvm/* /opt/java/* /opt/jdk* /usr/local/java/* "$HOME"/.sdkman/candidates/java/* \
             /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -d "$dir" ] && candidates+=("$dir")
  done
  for dir in "${candidates[@]}"; do
    [ -x "$dir/bin/java" ] && [ -x "$dir/bin/javac" ] || continue
    major=$(sophia_java_major "$dir")
    if [ -n "$major" ] && [ "$major" -ge 21 ] 2>/dev/null; then
      export JAVA_HOME="$dir"
      return 0
    fi
  done
  cat >&2 <<'MSG'
sophia: no JDK 21 or newer was found (looked at $JAVA_HOME, the java on PATH and /usr/lib/jvm).
Install one, then run the command again:
  Debian 13 / Ubuntu 24.04:  sudo apt-get install openjdk-21-jdk
  Debian 12:                 install Temurin 21+ (https://adoptium.net) into /usr/lib/jvm
  or point JAVA_HOME at any JDK 21+.
MSG
  return 1
}
