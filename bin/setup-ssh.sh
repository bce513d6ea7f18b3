#!/usr/bin/env bash
# Makes sure Debian's openssh-server is installed, for the test that commits over an SSH remote
# (SshRemoteTest: JGit's Apache MINA SSH transport against a real sshd). Idempotent, and quick
# when it is there: nothing is fetched then. The test starts an sshd of its own on a free loopback
# port with keys it makes; the package's system service is kept stopped and disabled.
set -euo pipefail

sshd_bin="${SOPHIA_SSHD:-/usr/sbin/sshd}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

if [ ! -x "$sshd_bin" ] || ! command -v ssh-keygen >/dev/null 2>&1; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup-ssh: sshd is not at $sshd_bin and there is no apt-get here;" \
      "install OpenSSH's server and set SOPHIA_SSHD to its sshd" >&2
    exit 1
  fi
  echo "setup-ssh: installing openssh-server" >&2
  # The package would start its service at once; policy-rc.d answering 101 forbids that.
  policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
    $sudo chmod +x /usr/sbin/policy-rc.d
    policy=/usr/sbin/policy-rc.d
  fi
  if ! apt-cache show openssh-server >/dev/null 2>&1; then
    $sudo apt-get update -qq
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    openssh-server >/dev/null || { [ -z "$policy" ] || $sudo rm -f "$policy"; exit 1; }
  [ -z "$policy" ] || $sudo rm -f "$policy"
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    $sudo systemctl disable --now ssh >/dev/null 2>&1 || true
  elif command -v update-rc.d >/dev/null 2>&1; then
    $sudo update-rc.d ssh disable >/dev/null 2>&1 || true
  fi
fi
