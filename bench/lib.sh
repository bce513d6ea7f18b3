# Sourced by the bench/*.sh scripts: finds a JDK 21+, builds sophia-bench and what it needs, and
# defines bench_java to run one of its main classes with the module's class path.
bench_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$bench_root/bin/jdk.sh"
sophia_find_jdk

# bench_accept_queue <script name> <queue>: a listen backlog is min(the server's, somaxconn); SYNs
# beyond tcp_max_syn_backlog wait on retransmission (1 s, then 3 s, 7 s…): both must hold a burst
# of new connections. Raises them as root; otherwise says which is short.
bench_accept_queue() {
  local script="$1" queue="$2" name value
  for name in net.core.somaxconn net.ipv4.tcp_max_syn_backlog; do
    value="$(sysctl -n "$name" 2>/dev/null || echo 0)"
    if [ "$value" -lt "$queue" ]; then
      if [ "$(id -u)" -eq 0 ] && sysctl -q -w "$name=$queue" 2>/dev/null; then
        echo "$script: raised $name from $value to $queue" >&2
      else
        echo "$script: $name is $value, below the accept queue of $queue; connection bursts will stall (run as root, or: sysctl -w $name=$queue)" >&2
      fi
    fi
  done
}

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
