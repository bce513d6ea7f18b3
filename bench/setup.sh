#!/usr/bin/env bash
# Installs what the benchmarks need, when missing (Debian/Ubuntu, non-interactive, idempotent):
#   postgresql-doc-15  the PostgreSQL 15 HTML manual (~1,100 pages), the retrieval and research corpus
#   wrk                the HTTP load generator used by bench/load.sh
# Usage: bench/setup.sh        (uses sudo only when not root)
set -euo pipefail

DOCS_DIR=/usr/share/doc/postgresql-doc-15/html
missing=()
[ -f "$DOCS_DIR/index.html" ] || missing+=(postgresql-doc-15)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)

if [ "${#missing[@]}" -eq 0 ]; then
  echo "bench/setup.sh: postgresql-doc-15 and wrk already installed" >&2
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "bench/setup.sh: apt-get not found; install ${missing[*]} with your package manager" >&2
  exit 1
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || {
    echo "bench/setup.sh: not root and no sudo; run as root: apt-get install ${missing[*]}" >&2
    exit 1
  }
  sudo=(sudo)
fi

echo "bench/setup.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# The package lists may be empty on a fresh container; refresh once if the packages are unknown.
if ! apt-cache show "${missing[@]}" >/dev/null 2>&1; then
  "${sudo[@]}" apt-get update -q
fi
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"

[ -f "$DOCS_DIR/index.html" ] || { echo "bench/setup.sh: $DOCS_DIR/index.html missing after install" >&2; exit 1; }
command -v wrk >/dev/null 2>&1 || { echo "bench/setup.sh: wrk missing after install" >&2; exit 1; }
echo "bench/setup.sh: ready ($(ls "$DOCS_DIR"/*.html | wc -l) pages in $DOCS_DIR)" >&2
