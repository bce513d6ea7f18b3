# Sourced by the bench/*.sh scripts: finds a JDK 21+, builds sophia-bench and what it needs, and
# defines bench_java to run one of its main classes with the module's class path.
bench_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$bench_root/bin/jdk.sh"
sophia_find_jdk

bench_build() {
  echo "bench: building sophia-bench (JDK at $JAVA_HOME)..." >&2
  (cd "$bench_root" && ./mvnw -B -q -ntp -pl sophia-bench -am package -DskipTests -Dspotless.check.skip=true) >&2
}

# bench_java <main class> [args...]
bench_java() {
  local main="$1"
  shift
  local cp
  # Sophia's own modules from this tree's target folders, not from ~/.m2, which another checkout's
  # `mvn install` may have replaced.
  cp="$bench_root/sophia-bench/target/classes:$(tr ':' '\n' <"$bench_root/sophia-bench/target/classpath.txt" |
    sed -E "s#^.*/ai/sophia/([a-z-]+)/[^/]+/[a-z-]+-[^/]+-tests\.jar\$#$bench_root/\1/target/test-classes#;
            s#^.*/ai/sophia/([a-z-]+)/[^/]+/[a-z-]+-[^/]+\.jar\$#$bench_root/\1/target/classes#" | paste -sd:)"
  "$JAVA_HOME/bin/java" ${BENCH_JAVA_OPTS:--Xmx2g} --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
    -Dlogback.configurationFile="$bench_root/bench/logback.xml" \
    -cp "$cp" "ai.sophia.bench.$main" "$@"
}
