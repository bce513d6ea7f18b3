#!/usr/bin/env bash
# The container image (issue 18): its size, and how long its entrypoint takes from a start to a
# healthy /health (200), run from the image's unpacked root filesystem (umoci) with its own Java
# runtime and libraries, as its user sophia (chroot in a mount namespace with /dev and /proc, as
# ImageIT does), each run on an empty /data (a first start: database, index, admin key). Needs root.
# Usage: bench/image_start.sh [-n 5] [-p 18096]     (BENCH_SKIP_BUILD=1 takes target/image as it is)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
runs=5
port=18096
while getopts "n:p:" opt; do
  case "$opt" in
    n) runs="$OPTARG" ;;
    p) port="$OPTARG" ;;
    *) echo "usage: bench/image_start.sh [-n 5] [-p 18096]" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" -eq 0 ] || { echo "image_start: needs root (chroot, mount namespace)" >&2; exit 1; }
"$root/bin/setup-umoci.sh"
if [ -z "${BENCH_SKIP_BUILD:-}" ] || [ ! -f "$root/target/image/sophia-oci.tar" ]; then
  "$root/bin/build-image.sh"
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
tar -xf "$root/target/image/sophia-oci.tar" -C "$work"
umoci unpack --image "$work:latest" "$work/bundle" >/dev/null
rootfs="$work/bundle/rootfs"
mapfile -t args < <(jq -r '.process.args[]' "$work/bundle/config.json")
mapfile -t envs < <(jq -r '.process.env[] | select(startswith("SOPHIA_SERVER_") | not)' \
  "$work/bundle/config.json")
user="$(jq -r '"\(.process.user.uid):\(.process.user.gid)"' "$work/bundle/config.json")"
chroot_bin="$(command -v chroot)"

archive_mib="$(du -m "$root/target/image/sophia-oci.tar" | cut -f1)"
rootfs_mib="$(du -sm "$rootfs" | cut -f1)"
runtime_mib="$(du -sm "$rootfs/opt/sophia/runtime" | cut -f1)"
jar_mib="$(du -m "$rootfs/opt/sophia/sophia.jar" | cut -f1)"
echo "archive ${archive_mib} MiB; unpacked ${rootfs_mib} MiB (Java runtime ${runtime_mib} MiB, jar ${jar_mib} MiB)"

times=()
for i in $(seq 1 "$runs"); do
  find "$rootfs/data" -mindepth 1 -delete
  start=$(date +%s%N)
  unshare --mount --fork --kill-child sh -c \
    'mount --rbind /dev "$0/dev" && mount -t proc proc "$0/proc" && exec env -i "$@"' "$rootfs" \
    "${envs[@]}" SOPHIA_SERVER_HOST=127.0.0.1 SOPHIA_SERVER_PORT="$port" \
    "$chroot_bin" --userspec="$user" "$rootfs" "${args[@]}" >"$work/run-$i.log" 2>&1 &
  pid=$!
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health")" = 200 ]; do
    kill -0 "$pid" 2>/dev/null || { echo "run $i: the server died" >&2; cat "$work/run-$i.log" >&2; exit 1; }
    sleep 0.05
  done
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  times+=("$ms")
  echo "run $i: healthy after $ms ms"
  kill -TERM "$(pgrep -P "$pid")"
  wait "$pid" || { echo "run $i: exit status $? after SIGTERM" >&2; exit 1; }
done
median="$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')"
echo "start to healthy /health: median ${median} ms over $runs runs (${times[*]} ms)"
