#!/usr/bin/env bash
# Makes sure Debian's umoci is installed, for the test that unpacks Sophia's container image
# (bin/build-image.sh) into a root filesystem and starts it (README "Container image"). umoci reads
# and writes OCI image layouts without a container engine or daemon. Idempotent, and quick when it
# is there: nothing is fetched then. SOPHIA_UMOCI names another umoci.
set -euo pipefail

if [ -n "${SOPHIA_UMOCI:-}" ] && [ -x "$SOPHIA_UMOCI" ]; then
  exit 0
fi
if command -v umoci >/dev/null 2>&1; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-umoci: umoci is not on PATH and there is no apt-get here;" \
    "install umoci 0.4+ and set SOPHIA_UMOCI to it" >&2
  exit 1
fi
echo "setup-umoci: installing umoci" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
if ! apt-cache show umoci >/dev/null 2>&1; then
  $sudo apt-get update -qq
fi
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends umoci >/dev/null
umoci --version >/dev/null
