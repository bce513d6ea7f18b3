# Sourced by the bin/setup-*.sh scripts: installs one Debian package without starting its system
# service (policy-rc.d answers 101 while apt runs) and disables that service at boot, so nothing
# listens because of a test's set-up; the tests start servers of their own on free ports.
# Usage: sophia_apt_install <package> <service>
sophia_apt_install() {
  local package="$1" service="$2"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing $package" >&2
  local policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
    $sudo chmod +x /usr/sbin/policy-rc.d
    policy=/usr/sbin/policy-rc.d
  fi
  if ! apt-cache show "$package" >/dev/null 2>&1; then
    $sudo apt-get update -qq
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "$package" >/dev/null || { [ -z "$policy" ] || $sudo rm -f "$policy"; return 1; }
  [ -z "$policy" ] || $sudo rm -f "$policy"
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    $sudo systemctl disable --now "$service" >/dev/null 2>&1 || true
  elif command -v update-rc.d >/dev/null 2>&1; then
    $sudo update-rc.d "$service" disable >/dev/null 2>&1 || true
  fi
}
