#!/usr/bin/env bash
# Installs the browser the dashboard's tests drive: Debian's chromium and chromium-driver.
# Idempotent and quick when both are present; bin/test runs it before Maven.
set -euo pipefail
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "bin/setup-browser.sh: no apt-get; install Chromium and its chromedriver, or run with -Dsophia.browser.skip=true" >&2
  exit 1
fi
as_root=()
if [ "$(id -u)" -ne 0 ]; then
  as_root=(sudo)
fi
echo "bin/setup-browser.sh: installing chromium and chromium-driver" >&2
"${as_root[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
