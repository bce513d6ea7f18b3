#!/usr/bin/env bash
# Builds Sophia's container image without a container engine or daemon (README "Container image"):
# an OCI image layout, and the same as one tar that `podman load`, `skopeo copy oci-archive:` and
# `umoci` take, in target/image/:
#   target/image/oci/             the layout (index.json, oci-layout, blobs/sha256/...)
#   target/image/sophia-oci.tar   the layout as one archive
# The image has no base image: a jlink runtime of the JDK that builds it, the shared libraries that
# runtime and the jar's native libraries link against (found with ldd on this machine, from its
# Debian packages), CA certificates, /etc/passwd with the user sophia (uid 10001), the fat jar, and
# /data, owned by sophia, declared a volume. The entrypoint runs `sophia serve` as sophia.
#
#   bin/build-image.sh            builds the jar first if sophia-cli/target/sophia.jar is missing
#   SOPHIA_IMAGE_JAR=PATH         takes another jar
#   SOPHIA_REBUILD=1              rebuilds the jar even when it is there
#
# The jlink runtime is cached under ~/.cache/sophia/jlink, keyed by the JDK's version and the module
# list, so a second build spends its time on the layers only.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
. bin/jdk.sh
sophia_find_jdk

# Every Java SE module plus the JDK modules Sophia's libraries use: the Vector API Lucene scores
# with, sun.misc.Unsafe (jdk.unsupported), JFR, zip file systems, DNS naming, all charsets and
# locales. The whole Java SE set rather than a jdeps-minimal one: jdeps over the fat jar's 260 MB
# of classes takes over eight minutes, and the runtime is small beside the jar anyway.
modules="java.se,jdk.incubator.vector,jdk.unsupported,jdk.jfr,jdk.management,jdk.zipfs"
modules+=",jdk.naming.dns,jdk.charsets,jdk.localedata,jdk.crypto.cryptoki,jdk.net,jdk.httpserver"
port=8080
uid=10001
version="$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' pom.xml | head -n 1)"
out="$root/target/image"
jar="${SOPHIA_IMAGE_JAR:-$root/sophia-cli/target/sophia.jar}"
# One fixed time for every file and the config, so the same inputs give the same image digests.
epoch="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}"
created="$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)"

for tool in unzip ldd tar gzip sha256sum; do
  command -v "$tool" >/dev/null 2>&1 || {
    echo "build-image: $tool is missing (Debian: apt-get install unzip libc-bin tar gzip coreutils)" >&2
    exit 1
  }
done

if [ -z "${SOPHIA_IMAGE_JAR:-}" ] && { [ ! -f "$jar" ] || [ -n "${SOPHIA_REBUILD:-}" ]; }; then
  echo "build-image: building sophia.jar" >&2
  ./mvnw -B -q -ntp -DskipTests -Dspotless.check.skip=true package >&2
fi
[ -f "$jar" ] || { echo "build-image: no jar at $jar" >&2; exit 1; }

# ---- the Java runtime, cached ----
jdk_version="$("$JAVA_HOME/bin/java" -XshowSettings:properties -version 2>&1 \
  | sed -n 's/^ *java\.runtime\.version = //p')"
key="$(printf '%s %s' "$jdk_version" "$modules" | sha256sum | cut -c1-16)"
runtime="${XDG_CACHE_HOME:-$HOME/.cache}/sophia/jlink/$jdk_version-$key"
if [ ! -x "$runtime/bin/java" ]; then
  echo "build-image: linking a Java runtime ($jdk_version) into $runtime" >&2
  rm -rf "$runtime" "$runtime.partial"
  mkdir -p "$(dirname "$runtime")"
  "$JAVA_HOME/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages \
    --no-header-files --compress zip-6 --output "$runtime.partial"
  mv "$runtime.partial" "$runtime"
fi

# ---- the root filesystem ----
work="$out/work"
rm -rf "$out"
mkdir -p "$work/base" "$work/app/opt/sophia" "$work/data/data" "$out/oci/blobs/sha256"
base="$work/base"
mkdir -p "$base/opt/sophia" "$base/etc/ssl/certs" "$base/tmp" "$base/dev" "$base/proc" "$base/sys"
chmod 1777 "$base/tmp"
cp -a "$runtime" "$base/opt/sophia/runtime"
cp "$jar" "$work/app/opt/sophia/sophia.jar"

# The shared libraries: what ldd says the runtime's executables and libraries and the jar's own
# Linux x86-64 native libraries (SQLite, ONNX Runtime, tokenizers) need, at the paths it names.
natives="$work/natives"
mkdir -p "$natives"
unzip -q -o -j "$jar" 'org/sqlite/native/Linux/x86_64/*.so' 'ai/onnxruntime/native/linux-x64/*.so' \
  'native/lib/linux-x86_64/cpu/*.so' -d "$natives"
# ONNX Runtime's JNI library names the runtime by its soname; the jar ships it without the .1.
ln -s libonnxruntime.so "$natives/libonnxruntime.so.1"
elves=$(find "$base/opt/sophia/runtime" "$natives" -type f \( -name '*.so' -o -path '*/bin/*' \))
# The runtime's libraries find libjvm and each other through its own folders, as the JVM loads them.
export LD_LIBRARY_PATH="$base/opt/sophia/runtime/lib:$base/opt/sophia/runtime/lib/server:$natives"
missing="$(for f in $elves; do ldd "$f" 2>/dev/null | grep 'not found' || true; done | sort -u)"
if [ -n "$missing" ]; then
  echo "build-image: this machine lacks shared libraries the image needs:" >&2
  echo "$missing" >&2
  exit 1
fi
for lib in $(for f in $elves; do ldd "$f" 2>/dev/null; done \
  | grep -o '/[^ ]*' | sort -u); do
  case "$lib" in "$base"/* | "$natives"/*) continue ;; esac
  mkdir -p "$base$(dirname "$lib")"
  cp -L "$lib" "$base$lib"
done
rm -rf "$natives"
unset LD_LIBRARY_PATH

# CA certificates (Debian's bundle, for git and anything outside Java; Java has its cacerts).
if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
  cp /etc/ssl/certs/ca-certificates.crt "$base/etc/ssl/certs/ca-certificates.crt"
fi
cat > "$base/etc/passwd" <<PASSWD
root:x:0:0:root:/root:/sbin/nologin
sophia:x:$uid:$uid:Sophia:/data:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
PASSWD
cat > "$base/etc/group" <<GROUP
root:x:0:
sophia:x:$uid:
nogroup:x:65534:
GROUP
printf 'hosts: files dns\n' > "$base/etc/nsswitch.conf"
printf '127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n' > "$base/etc/hosts"
chmod 700 "$work/data/data"

# ---- the layers: base (runtime, libraries, /etc), app (the jar), data (/data, sophia's) ----
digest() { sha256sum "$1" | cut -d' ' -f1; }
layer_json=""
diff_ids=""
layer() { # layer NAME DIR OWNER: DIR's entries, not DIR itself (that would be the image's /)
  local tar="$work/$1.tar"
  (cd "$2" && tar --sort=name --mtime="@$epoch" --owner="$3" --group="$3" --numeric-owner \
    --format=posix --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
    -cf "$tar" -- *)
  local diff_id
  diff_id="$(digest "$tar")"
  gzip -n -6 "$tar"
  local blob
  blob="$(digest "$tar.gz")"
  mv "$tar.gz" "$out/oci/blobs/sha256/$blob"
  layer_json+="${layer_json:+,}{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\","
  layer_json+="\"digest\":\"sha256:$blob\",\"size\":$(stat -c %s "$out/oci/blobs/sha256/$blob")}"
  diff_ids+="${diff_ids:+,}\"sha256:$diff_id\""
}
layer base "$base" 0
layer app "$work/app" 0
layer data "$work/data" "$uid"

blob() { # blob FILE -> moves it into blobs, prints its descriptor fields
  local d
  d="$(digest "$1")"
  local size
  size="$(stat -c %s "$1")"
  mv "$1" "$out/oci/blobs/sha256/$d"
  printf '"digest":"sha256:%s","size":%s' "$d" "$size"
}

cat > "$work/config.json" <<CONFIG
{"created":"$created","architecture":"amd64","os":"linux",
"config":{"User":"$uid:$uid",
"Env":["PATH=/opt/sophia/runtime/bin","JAVA_HOME=/opt/sophia/runtime","HOME=/data","LANG=C.UTF-8",
"SOPHIA_DATA_DIR=/data","SOPHIA_SERVER_HOST=0.0.0.0","SOPHIA_SERVER_PORT=$port"],
"Entrypoint":["/opt/sophia/runtime/bin/java","--add-modules","jdk.incubator.vector",
"-XX:MaxRAMPercentage=75","-jar","/opt/sophia/sophia.jar"],
"Cmd":["serve"],
"ExposedPorts":{"$port/tcp":{}},
"Volumes":{"/data":{}},
"WorkingDir":"/data",
"StopSignal":"SIGTERM",
"Labels":{"org.opencontainers.image.title":"sophia","org.opencontainers.image.version":"$version"}},
"rootfs":{"type":"layers","diff_ids":[$diff_ids]},
"history":[{"created":"$created","created_by":"bin/build-image.sh: runtime, libraries, /etc"},
{"created":"$created","created_by":"bin/build-image.sh: sophia.jar"},
{"created":"$created","created_by":"bin/build-image.sh: /data"}]}
CONFIG
config_desc="$(blob "$work/config.json")"

cat > "$work/manifest.json" <<MANIFEST
{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
"config":{"mediaType":"application/vnd.oci.image.config.v1+json",$config_desc},
"layers":[$layer_json]}
MANIFEST
manifest_desc="$(blob "$work/manifest.json")"

ref() { # ref NAME: an index entry naming the manifest
  printf '{"mediaType":"application/vnd.oci.image.manifest.v1+json",%s,' "$manifest_desc"
  printf '"platform":{"architecture":"amd64","os":"linux"},'
  printf '"annotations":{"org.opencontainers.image.ref.name":"%s"}}' "$1"
}
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[%s,%s]}\n' \
  "$(ref latest)" "$(ref "$version")" > "$out/oci/index.json"
printf '{"imageLayoutVersion":"1.0.0"}\n' > "$out/oci/oci-layout"
rm -rf "$work"

(cd "$out/oci" && tar --sort=name --mtime="@$epoch" --owner=0 --group=0 --numeric-owner \
  -cf "$out/sophia-oci.tar" oci-layout index.json blobs)
size="$(du -sm "$out/sophia-oci.tar" | cut -f1)"
echo "build-image: $out/sophia-oci.tar (${size} MiB; tags latest, $version)" >&2
