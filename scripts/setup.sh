#!/usr/bin/env bash
# Installs every Debian package pocketops needs to build and benchmark it
# (and, with --tests, to run every test: scripts/test.sh passes it).
set -euo pipefail
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
PKGS=(g++ cmake ninja-build pkg-config git
      nlohmann-json3-dev libpcre2-dev libutf8proc-dev libsqlite3-dev zlib1g-dev
      libcli11-dev libcpp-httplib-dev libfmt-dev
      libgtest-dev libgmock-dev googletest libbenchmark-dev
      clang libclang-rt-14-dev)
# scripts/test.sh also checks the aarch64 NEON kernels: cross compiler + qemu
if [ "${1:-}" = "--tests" ]; then PKGS+=(g++-aarch64-linux-gnu qemu-user); fi
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
