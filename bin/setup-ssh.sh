#!/usr/bin/env bash
# Makes sure Debian's openssh-server is installed, for the test that commits over an SSH remote
# (SshRemoteTest: JGit's Apache MINA SSH transport against a real sshd). Idempotent, and quick
# when it is there: nothing is fetched then. The test starts an sshd of its own on a free loopback
# port with keys it makes; the package's system service is kept stopped and disabled.
set -euo pipefail
. "$(dirname "$0")/apt.sh"

sshd_bin="${SOPHIA_SSHD:-/usr/sbin/sshd}"
if [ ! -x "$sshd_bin" ] || ! command -v ssh-keygen >/dev/null 2>&1; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup-ssh: sshd is not at $sshd_bin and there is no apt-get here;" \
      "install OpenSSH's server and set SOPHIA_SSHD to its sshd" >&2
    exit 1
  fi
  sophia_apt_install openssh-server ssh
fi
